"""Battery passports: issuance with a pack-claim proof, reading, status, hand-over, and
re-verification by anyone.

A passport is issued from a pack lot the issuer holds on the shielded ledger (:func:`issue_passports`):
the passport contract has the ledger redeem the pack's note, with a proof bound to that contract and
the passport id, and records the note's nullifier (``pack_nullifier``), which links it to no lot,
holder or supplier.

Issuance needs a battery id under one of the issuer's company prefixes; the holder of the passport
token (the issuer, or whoever it handed the battery to) changes the status; authorities correct it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from eth_utils import to_checksum_address

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    BatteryIdNotOwnedError,
    InvalidPassportReceiverError,
    InvalidStatusChangeError,
    MissingCorrectionEvidenceError,
    MissingRoleError,
    NotPassportHolderError,
    PassportError,
)
from batterytrace.model.identifiers import evidence_hash
from batterytrace.model.lots import MaterialKind
from batterytrace.model.passports import (
    ClaimBounds,
    MetalBounds,
    PassportStatus,
    authority_may_correct,
    holder_may_change,
    passport_id_for,
)
from batterytrace.model.registry import Role
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.zk.contexts import pack_context
from batterytrace.zk.pack_claim import PackClaims
from batterytrace.zk.proof import Groth16Proof
from batterytrace.zk.verifier import verify_offchain

#: Child labour and human rights: the contract refuses claims that do not forbid both.
POLICY_FORBIDDEN_FLAGS = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS


@dataclass(frozen=True)
class PassportRequest:
    """One passport to issue from a pack lot the issuer holds (``pack_lot_id``, its id on the
    shielded ledger). ``claims`` defaults to the tightest the pack's note supports."""

    pack_lot_id: int
    battery_id: str
    document_uri: str
    document_hash: bytes
    capacity_wh: int
    legitimate_interest_commitment: bytes = bytes(32)
    authorities_commitment: bytes = bytes(32)
    claims: PackClaims | None = None
    forbidden_risk_flags: RiskFlag = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA


@dataclass(frozen=True)
class IssuedPassport:
    passport_id: int
    battery_id: str
    bounds: ClaimBounds
    receipt: Receipt


@dataclass(frozen=True)
class PassportRecord:
    passport_id: int
    pack_nullifier: int
    economic_operator: str
    holder: str
    status: PassportStatus
    issued_at: datetime
    battery_id_hash: bytes
    document_hash: bytes
    document_uri: str
    legitimate_interest_commitment: bytes
    authorities_commitment: bytes
    bounds: ClaimBounds


@dataclass(frozen=True)
class StatusChange:
    status: PassportStatus
    at: datetime
    by: str
    evidence_hash: bytes


@dataclass(frozen=True)
class PassportVerification:
    """The result of re-verifying a passport's claim proof from the chain, with py-ecc."""

    passport_id: int
    verified: bool
    bounds: ClaimBounds
    pack_nullifier: int
    transaction_hash: str
    block_number: int
    chain_id: int
    passport_contract: str
    reason: str

    @property
    def how(self) -> str:
        """How the claims were checked, as a person reads it on the passport page."""
        return (f"Groth16 proof re-verified with py-ecc against chain {self.chain_id}, contract "
                f"{self.passport_contract}, transaction {self.transaction_hash}")


def require_battery_id_owner(client: BatteryTrace, battery_id: str) -> None:
    """The battery id is well formed and falls under one of the client's company prefixes (twin of
    ``PassportMalformedBatteryId`` and ``PassportBatteryIdNotOwned``)."""
    owner = client.battery_id_owner(battery_id)
    if owner != client.address:
        raise BatteryIdNotOwnedError(battery_id, client.address, owner)


def require_passport_holder(record: PassportRecord, caller: str) -> None:
    """The caller holds the passport token (twin of ``PassportNotHolder``)."""
    if record.holder != caller:
        raise NotPassportHolderError(record.passport_id, record.holder, caller)


def require_passport_receiver(client: BatteryTrace, receiver: str) -> None:
    """A passport goes only to a registered participant (twin of ``PassportInvalidReceiver``)."""
    if not client.is_participant(receiver):
        raise InvalidPassportReceiverError(receiver)


def _new_passport_ids(client: BatteryTrace, requests: Sequence[PassportRequest], packs: Sequence[int]) -> list[int]:
    """The batch's passport ids, each a new battery under the client's prefixes, after the checks
    the contract makes of every request but its pack (role, fields, no battery or pack twice)."""
    if not requests:
        raise PassportError("no passports to issue")
    client.require_role(Role.PACK_MAKER, Role.OEM)
    if any(not request.battery_id or not request.document_uri for request in requests):
        raise PassportError("battery_id and document_uri must not be empty")
    passport_ids = [passport_id_for(request.battery_id) for request in requests]
    if len(set(passport_ids)) != len(passport_ids) or len(set(packs)) != len(packs):
        raise PassportError("a batch names the same battery or the same pack lot twice")
    for request, passport_id in zip(requests, passport_ids, strict=True):
        if len(request.document_hash) != 32:
            raise PassportError("document_hash must be 32 bytes")
        if request.capacity_wh < 1:
            raise PassportError("capacity_wh must be positive")
        require_battery_id_owner(client, request.battery_id)
        if client.passports.functions.passport(passport_id).call()[2] != PassportStatus.NONE:
            raise PassportError(f"battery {request.battery_id!r} already has passport {passport_id:#x}")
    return passport_ids


def note_claim_bounds(claims: PackClaims) -> ClaimBounds:
    """The passport's claims as the contract records a pack note's: per metal, its grams and shares."""
    metals = tuple(MetalBounds(*fields) for fields in zip(claims.declared_grams, claims.min_certified_bps,
                                                          claims.min_pre_consumer_bps, claims.min_post_consumer_bps,
                                                          strict=True))
    return ClaimBounds(metals, claims.max_co2e_grams_per_kg_cobalt, claims.max_co2e_grams_per_kwh, claims.capacity_wh,
                       claims.forbidden_risk_flags)


def issue_passports(client: BatteryTrace, requests: Sequence[PassportRequest]) -> list[IssuedPassport]:
    """Issue passports from pack lots the client holds, under its own company prefixes, in one
    transaction from its own account (the regulation names the issuer). Each pack note's proof is
    bound to the passport contract and the passport id; the SDK checks the claims against the note
    before proving."""
    ledger = client.shielded
    passport_ids = _new_passport_ids(client, requests, [request.pack_lot_id for request in requests])
    chain_requests, proofs, bounds_used = [], [], []
    for request, passport_id in zip(requests, passport_ids, strict=True):
        note = ledger.lot(request.pack_lot_id).note
        if note.kind != MaterialKind.PACK:
            raise PassportError(f"lot {request.pack_lot_id:#x} is {MaterialKind(note.kind).name}, not a PACK")
        claims = request.claims or PackClaims.tightest(note, request.capacity_wh, int(request.forbidden_risk_flags))
        if claims.forbidden_risk_flags & POLICY_FORBIDDEN_FLAGS != POLICY_FORBIDDEN_FLAGS:
            raise PassportError("the claims must forbid at least the child-labour and human-rights flags")
        redemption = ledger.pack_redemption(request.pack_lot_id, claims, client.deployment.passport,
                                            passport_id.to_bytes(32, "big"))
        chain_requests.append((request.battery_id, request.document_uri, request.document_hash,
                               request.legitimate_interest_commitment, request.authorities_commitment,
                               redemption.request))
        proofs.append(redemption.proof)
        bounds_used.append(note_claim_bounds(claims))
    receipt = client.send(client.passports.functions.issueFromNotes(chain_requests, proofs),
                          f"issue {len(requests)} passport(s)")
    ledger.sync()
    return [IssuedPassport(passport_id, request.battery_id, bounds, receipt)
            for request, passport_id, bounds in zip(requests, passport_ids, bounds_used, strict=True)]


def get_passport(client: BatteryTrace, passport_id: int) -> PassportRecord:
    raw = client.passports.functions.passport(passport_id).call()
    pack_nullifier, operator, status, issued_at, battery_hash, document_hash, li, authorities, claims = raw
    if status == PassportStatus.NONE:
        raise PassportError(f"passport {passport_id:#x} does not exist")
    return PassportRecord(
        passport_id=passport_id,
        pack_nullifier=int(pack_nullifier),
        economic_operator=str(operator),
        holder=str(client.passports.functions.ownerOf(passport_id).call()),
        status=PassportStatus(status),
        issued_at=datetime.fromtimestamp(issued_at, tz=timezone.utc),
        battery_id_hash=bytes(battery_hash),
        document_hash=bytes(document_hash),
        document_uri=str(client.passports.functions.tokenURI(passport_id).call()),
        legitimate_interest_commitment=bytes(li),
        authorities_commitment=bytes(authorities),
        bounds=ClaimBounds.from_struct(claims),
    )


def status_history(client: BatteryTrace, passport_id: int) -> list[StatusChange]:
    get_passport(client, passport_id)
    return [
        StatusChange(PassportStatus(status), datetime.fromtimestamp(at, tz=timezone.utc), str(by), bytes(evidence))
        for status, at, by, evidence in client.passports.functions.statusHistory(passport_id).call()
    ]


def set_status(client: BatteryTrace, passport_id: int, status: PassportStatus, evidence: str | bytes | None = None) -> Receipt:
    """Record a new battery status: the holder only (a recycler declares waste a battery handed to it)."""
    record = get_passport(client, passport_id)
    require_passport_holder(record, client.address)
    if not holder_may_change(record.status, status):
        raise InvalidStatusChangeError(passport_id, record.status.name, status.name)
    return client.send(
        client.passports.functions.setStatus(passport_id, int(status), evidence_hash(evidence)),
        f"set passport {passport_id:#x} to {status.name}",
    )


def hand_over_passport(client: BatteryTrace, passport_id: int, to: str) -> Receipt:
    """Hand the battery, and with it its passport, to another registered participant (the holder only)."""
    record = get_passport(client, passport_id)
    require_passport_holder(record, client.address)
    receiver = to_checksum_address(to)
    require_passport_receiver(client, receiver)
    return client.send(
        client.passports.functions.transferFrom(client.address, receiver, passport_id),
        f"hand passport {passport_id:#x} over to {receiver}",
    )


def correct_status(client: BatteryTrace, passport_id: int, status: PassportStatus, evidence: str | bytes) -> Receipt:
    """Correct a battery's status as an authority (Waste included), with the evidence of the decision."""
    record = get_passport(client, passport_id)
    if not client.has_role(Role.AUTHORITY) or not client.is_participant(client.address):
        raise MissingRoleError(client.address, Role.AUTHORITY.value)
    if evidence_hash(evidence) == bytes(32):
        raise MissingCorrectionEvidenceError(passport_id)
    if not authority_may_correct(record.status, status):
        raise InvalidStatusChangeError(passport_id, record.status.name, status.name)
    return client.send(
        client.passports.functions.correctStatus(passport_id, int(status), evidence_hash(evidence)),
        f"correct passport {passport_id:#x} to {status.name}",
    )


def verify_passport(client: BatteryTrace, passport_id: int) -> PassportVerification:
    """Re-verify a passport's pack-claim proof from the chain alone, with py-ecc.

    The proof and the redemption request are read from the issuing transaction's calldata, the
    context recomputed locally: nothing is taken from the issuer. (That the note root was one the
    ledger knew and the nullifier unspent, the ledger checked when it redeemed the pack.)
    """
    record = get_passport(client, passport_id)
    logs = client.passports.events.PassportIssued().get_logs(
        argument_filters={"passportId": passport_id}, from_block=client.deployment.block_number
    )
    if not logs:
        raise PassportError(f"no PassportIssued event for passport {passport_id:#x}")
    log = logs[0]
    transaction = client.chain.w3.eth.get_transaction(log["transactionHash"])
    function, arguments = client.passports.decode_function_input(transaction["input"])
    if function.fn_name != "issueFromNotes":
        raise PassportError(f"passport {passport_id:#x} was issued by {function.fn_name}, which this SDK does not read")
    battery_id = log["args"]["batteryId"]
    pairs = list(zip(arguments["requests"], arguments["proofs"], strict=True))
    found = next(((request, proof) for request, proof in pairs if request["batteryId"] == battery_id), None)
    if found is None:
        raise PassportError(f"the issuing transaction carries no request for battery {battery_id!r}")
    request, proof_fields = found
    nullifier, bounds, signals = _note_signals(client, passport_id, request["pack"])
    a, b, c = proof_fields["a"], proof_fields["b"], proof_fields["c"]
    # The contract takes pi_b with each pair swapped for the precompile; snarkjs order swaps back.
    proof = Groth16Proof(
        a=(int(a[0]), int(a[1])),
        b=((int(b[0][1]), int(b[0][0])), (int(b[1][1]), int(b[1][0]))),
        c=(int(c[0]), int(c[1])),
        public_signals=tuple(int(value) for value in signals),
    )
    verified = bounds == record.bounds and nullifier == record.pack_nullifier and verify_offchain("pack_claim", proof, signals)
    return PassportVerification(
        passport_id=passport_id,
        verified=verified,
        bounds=bounds,
        pack_nullifier=nullifier,
        transaction_hash="0x" + bytes(log["transactionHash"]).hex(),
        block_number=int(log["blockNumber"]),
        chain_id=client.chain.chain_id,
        passport_contract=client.deployment.passport,
        reason="the Groth16 proof verifies against the chain's public inputs" if verified
        else "the proof does not verify against the chain's public inputs",
    )


def _note_signals(client: BatteryTrace, passport_id: int, pack: dict) -> tuple[int, ClaimBounds, tuple[int, ...]]:
    """A pack note's redemption as the ledger checked it: the nullifier (the passport's pack id), the
    claims the passport records, and the pack-claim circuit's public signals with the context
    recomputed here."""
    metals = [(int(metal["grams"]), int(metal["minCertifiedBps"]), int(metal["minPreConsumerBps"]),
               int(metal["minPostConsumerBps"])) for metal in pack["metals"]]
    claims = PackClaims(tuple(m[0] for m in metals), tuple(m[1] for m in metals), tuple(m[2] for m in metals),
                        tuple(m[3] for m in metals), int(pack["maxCo2eGramsPerKgCobalt"]),
                        int(pack["maxCo2eGramsPerKwh"]), int(pack["capacityWh"]), int(pack["forbiddenRiskFlags"]))
    context = pack_context(client.chain.chain_id, client.deployment.ledger, client.deployment.passport,
                           passport_id.to_bytes(32, "big"))
    nullifier = int(pack["nullifier"])
    signals = (int(pack["noteRoot"]), nullifier, int(pack["participantsRoot"]), int(pack["issuer"], 16),
               *claims.public_signals(), context)
    return nullifier, note_claim_bounds(claims), signals

"""Battery passports: issuance a batch at a time with one claim proof, reading, status, hand-over,
and re-verification by anyone.

Passports are issued from pack lots the issuer holds on the shielded ledger (:func:`issue_passports`),
up to ``BATCH_SLOTS`` per transaction: one proof (circuits/pack_batch.circom) shows that each
battery's pack note, tagged with its passport id, meets the batch's claims. The pack note is not
spent and no nullifier is revealed: a pack is made under its battery's id and backs only that
battery's passport, which is issued once.

Issuance needs a battery id under one of the issuer's company prefixes; the holder of the passport
token (the issuer, or whoever it handed the battery to) changes the status; authorities correct it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from eth_utils import to_checksum_address

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    BatteryIdNotOwnedError,
    InvalidPassportReceiverError,
    InvalidStatusChangeError,
    LotStateError,
    MissingCorrectionEvidenceError,
    MissingRoleError,
    NotCustodianError,
    NotPassportHolderError,
    PassportError,
    UnknownLotError,
)
from batterytrace.model.identifiers import evidence_hash
from batterytrace.model.lots import MaterialKind
from batterytrace.model.passports import (
    ClaimBounds,
    PassportStatus,
    authority_may_correct,
    holder_may_change,
    passport_id_for,
)
from batterytrace.model.registry import Role
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.passport_batches import PassportBatch, load_batch, passport_bounds
from batterytrace.zk.contexts import batch_context, records_hash
from batterytrace.zk.pack_batch import BATCH_SLOTS, BatchClaims
from batterytrace.zk.verifier import verify_offchain

#: MaterialKind.PACK: the kind of note that backs a passport.
PACK_KIND = MaterialKind.PACK
#: Child labour and human rights: the contract refuses claims that do not forbid both.
POLICY_FORBIDDEN_FLAGS = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS


@dataclass(frozen=True)
class PassportRequest:
    """One passport to issue, backed by the pack lot the issuer holds under the battery's id (the pack's
    output id when it was made). ``claims`` sets the batch's claims; by default each batch claims the
    tightest its packs all support. Requests of one capacity and forbidden flags share batches."""

    battery_id: str
    document_hash: bytes
    capacity_wh: int
    legitimate_interest_commitment: bytes = bytes(32)
    authorities_commitment: bytes = bytes(32)
    claims: BatchClaims | None = None
    forbidden_risk_flags: RiskFlag = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA


@dataclass(frozen=True)
class IssuedPassport:
    passport_id: int
    battery_id: str
    bounds: ClaimBounds
    receipt: Receipt
    batch: int


@dataclass(frozen=True)
class PassportRecord:
    passport_id: int
    batch: int
    battery_id: str
    economic_operator: str
    holder: str
    status: PassportStatus
    issued_at: datetime
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
    """The result of re-verifying a passport's batch claim proof from the chain, with py-ecc."""

    passport_id: int
    verified: bool
    bounds: ClaimBounds
    batch: int
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


def _check_requests(client: BatteryTrace, requests: Sequence[PassportRequest]) -> list[int]:
    """The passport ids, each a new battery under the client's prefixes, after the checks the contract
    makes of every entry (role, hashes, no battery twice)."""
    if not requests:
        raise PassportError("no passports to issue")
    client.require_role(Role.PACK_MAKER, Role.OEM)
    if any(not request.battery_id for request in requests):
        raise PassportError("battery_id must not be empty")
    passport_ids = [passport_id_for(request.battery_id) for request in requests]
    if len(set(passport_ids)) != len(passport_ids):
        raise PassportError("the passports to issue name the same battery twice")
    for request, passport_id in zip(requests, passport_ids, strict=True):
        for name in ("document_hash", "legitimate_interest_commitment", "authorities_commitment"):
            if len(getattr(request, name)) != 32:
                raise PassportError(f"{name} must be 32 bytes")
        if request.capacity_wh < 1:
            raise PassportError("capacity_wh must be positive")
        require_battery_id_owner(client, request.battery_id)
        if client.passports.functions.passport(passport_id).call()[0] != PassportStatus.NONE:
            raise PassportError(f"battery {request.battery_id!r} already has passport {passport_id:#x}")
    return passport_ids


def _batches(requests: Sequence[PassportRequest], passport_ids: Sequence[int]) -> list[list[tuple[PassportRequest, int]]]:
    """The requests in batches of at most ``BATCH_SLOTS``, each of one capacity, forbidden flags and
    stated claims (a batch proves one set of claims), in the requests' order within each."""
    groups: dict[tuple, list[tuple[PassportRequest, int]]] = {}
    for request, passport_id in zip(requests, passport_ids, strict=True):
        key = (request.capacity_wh, int(request.forbidden_risk_flags), request.claims)
        groups.setdefault(key, []).append((request, passport_id))
    return [group[start:start + BATCH_SLOTS] for group in groups.values() for start in range(0, len(group), BATCH_SLOTS)]


def issue_passports(client: BatteryTrace, requests: Sequence[PassportRequest]) -> list[IssuedPassport]:
    """Issue passports from pack lots the client holds under the batteries' ids, under its own company
    prefixes, from its own account (the regulation names the issuer): one transaction and one proof
    per batch of up to ``BATCH_SLOTS``. The SDK checks the claims against the notes before proving."""
    passport_ids = _check_requests(client, requests)
    issued: dict[int, IssuedPassport] = {}
    for batch in _batches(requests, passport_ids):
        for item in _issue_batch(client, batch):
            issued[item.passport_id] = item
    return [issued[passport_id] for passport_id in passport_ids]


def _issue_batch(client: BatteryTrace, batch: list[tuple[PassportRequest, int]]) -> list[IssuedPassport]:
    ledger = client.shielded
    requests = [request for request, _ in batch]
    ids = [passport_id for _, passport_id in batch]
    notes = [_pack_note(client, request.battery_id, passport_id) for request, passport_id in batch]
    first = requests[0]
    claims = first.claims or BatchClaims.tightest(notes, first.capacity_wh, int(first.forbidden_risk_flags))
    if claims.forbidden_risk_flags & POLICY_FORBIDDEN_FLAGS != POLICY_FORBIDDEN_FLAGS:
        raise PassportError("the claims must forbid at least the child-labour and human-rights flags")
    grams = [tuple(metal.grams for metal in note.values.metals) for note in notes]
    entries = [(request.battery_id, list(metals), request.document_hash, request.legitimate_interest_commitment,
                request.authorities_commitment) for request, metals in zip(requests, grams, strict=True)]
    records = records_hash([(passport_id, metals, request.document_hash, request.legitimate_interest_commitment,
                             request.authorities_commitment)
                            for passport_id, metals, request in zip(ids, grams, requests, strict=True)])
    context = batch_context(client.chain.chain_id, client.deployment.passport, client.address, records)
    note_root, participants_root, proof = ledger.pack_batch_proof(ids, claims, context)
    receipt = client.send(
        client.passports.functions.issueBatch((note_root, participants_root, claims.as_abi()), entries,
                                              proof.solidity_proof()),
        f"issue {len(batch)} passport(s)")
    number = client.events(receipt, client.passports, "PassportBatchIssued")[0]["args"]["batch"]
    return [IssuedPassport(passport_id, request.battery_id, passport_bounds(metals, claims), receipt, int(number))
            for (request, passport_id), metals in zip(batch, grams, strict=True)]


def _pack_note(client: BatteryTrace, battery_id: str, passport_id: int):
    """The active pack note the client holds under the battery's id (its tag is the passport id)."""
    try:
        lot = client.shielded.held_lot(passport_id)
    except (UnknownLotError, LotStateError, NotCustodianError) as error:
        raise PassportError(f"battery {battery_id!r}: {error} (a pack lot backs the passport of the battery id it "
                            f"was made under, {passport_id:#x}, and its holder issues it)") from None
    if lot.note.kind != PACK_KIND:
        raise PassportError(f"lot {passport_id:#x} is {MaterialKind(lot.note.kind).name}, not a PACK")
    return lot.note


def get_passport(client: BatteryTrace, passport_id: int) -> PassportRecord:
    status, batch_number, issued_at = client.passports.functions.passport(passport_id).call()
    if status == PassportStatus.NONE:
        raise PassportError(f"passport {passport_id:#x} does not exist")
    batch = load_batch(client, int(batch_number))
    entry = batch.entry(passport_id)
    published_hash, _ = client.passports.functions.documentOf(passport_id).call()
    return PassportRecord(
        passport_id=passport_id,
        batch=int(batch_number),
        battery_id=entry.battery_id,
        economic_operator=batch.economic_operator,
        holder=str(client.passports.functions.ownerOf(passport_id).call()),
        status=PassportStatus(status),
        issued_at=datetime.fromtimestamp(issued_at, tz=timezone.utc),
        document_hash=bytes(published_hash) if any(published_hash) else entry.document_hash,
        document_uri=str(client.passports.functions.tokenURI(passport_id).call()),
        legitimate_interest_commitment=entry.legitimate_interest_commitment,
        authorities_commitment=entry.authorities_commitment,
        bounds=batch.bounds(passport_id),
    )


def status_history(client: BatteryTrace, passport_id: int) -> list[StatusChange]:
    """The passport's statuses, oldest first: Original at issuance by its economic operator, then each
    change the chain recorded."""
    record = get_passport(client, passport_id)
    issued = StatusChange(PassportStatus.ORIGINAL, record.issued_at, record.economic_operator, bytes(32))
    return [issued] + [
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
    """Re-verify a passport's batch proof from the chain alone, with py-ecc.

    The batch's proof and entries are read from the issuing call's calldata and checked against the
    batch's digest on chain, the context recomputed locally: nothing is taken from the issuer. (That
    the roots were ones the chain knew, the contract checked when it issued the batch.)
    """
    status, batch_number, _ = client.passports.functions.passport(passport_id).call()
    if status == PassportStatus.NONE:
        raise PassportError(f"passport {passport_id:#x} does not exist")
    batch = load_batch(client, int(batch_number))
    return verify_batch_passport(batch, passport_id, client.chain.chain_id, client.deployment.passport)


def verify_batch_passport(batch: PassportBatch, passport_id: int, chain_id: int, passport_contract: str) -> PassportVerification:
    """The verification of one passport of a loaded batch (the proof is the batch's)."""
    signals = batch.public_signals(chain_id, passport_contract)
    proof = replace(batch.proof, public_signals=tuple(signals))
    verified = verify_offchain("pack_batch", proof, signals)
    return PassportVerification(
        passport_id=passport_id,
        verified=verified,
        bounds=batch.bounds(passport_id),
        batch=batch.batch,
        transaction_hash=batch.transaction_hash,
        block_number=batch.block_number,
        chain_id=chain_id,
        passport_contract=passport_contract,
        reason="the Groth16 proof verifies against the chain's public inputs" if verified
        else "the proof does not verify against the chain's public inputs",
    )

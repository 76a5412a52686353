"""The SDK a partner's ERP calls: one participant's view of a batterytrace deployment.

Every operation checks what it can before it sends (roles, custody, lot status, certification,
the circuit's own rules), proves what must be proven, keeps the opening of every lot the caller
creates or receives in its local store, and raises a named :mod:`batterytrace.exceptions` error.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import event_abi_to_log_topic, keccak, to_checksum_address

from batterytrace.chain import Chain, LocalSigner, PendingTransaction, Receipt, RevertedError, Signer
from batterytrace.commitment import Opening, RiskFlag
from batterytrace.deployment import Deployment
from batterytrace.exceptions import (
    CertificationError,
    ConfigurationError,
    DecryptionError,
    LotStateError,
    MissingRoleError,
    NotCustodianError,
    OpeningError,
    ProofError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.lots import (
    BPS,
    UINT64_MAX,
    CustodyModel,
    DisputeOutcome,
    Lot,
    LotEvent,
    LotStatus,
    MaterialKind,
    OutputPlan,
    allocate_outputs,
)
from batterytrace.openings import decrypt_opening, encrypt_opening, public_key_from_private_key
from batterytrace.proofs import mint_inputs, transform_inputs
from batterytrace.prover import Groth16Proof, Prover
from batterytrace.registry import (
    Certification,
    CertificationStatus,
    Facility,
    FacilityType,
    IdentifierKind,
    Participant,
    Role,
    Scheme,
    bytes32_text,
    country_code,
)
from batterytrace.store import OpeningStore

_ORIGIN_FACILITIES = {FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.RECYCLER}
_LOT_EVENTS = (
    "LotCreated",
    "LotStatusChanged",
    "LotOffered",
    "LotOfferCancelled",
    "LotAccepted",
    "LotDisputed",
    "LotDisputeResolved",
    "LotLockedForPassport",
)


def evidence_hash(evidence: str | bytes | None) -> bytes:
    """keccak256 of an evidence document (or of its text); zero when there is none."""
    if evidence is None or evidence == b"" or evidence == "":
        return bytes(32)
    return keccak(evidence if isinstance(evidence, bytes) else evidence.encode())


def lot_id_for(creator: str, external_id: str) -> int:
    """The id the lots contract gives the lot ``creator`` mints with ``external_id``."""
    return int.from_bytes(keccak(abi_encode(["address", "bytes32"], [to_checksum_address(creator), bytes32_text(external_id)])), "big")


@dataclass(frozen=True)
class MintResult:
    lot_id: int
    opening: Opening
    receipt: Receipt | None
    created: bool


@dataclass(frozen=True)
class TransformResult:
    transform_id: int
    output_lot_ids: tuple[int, ...]
    openings: tuple[Opening, ...]
    receipt: Receipt


@dataclass(frozen=True)
class AcceptResult:
    lot_id: int
    accepted: bool
    measured_total_grams: int
    committed_total_grams: int
    deviation_bps: int
    receipt: Receipt


class BatteryTrace:
    """One participant's client of a deployment.

    ``signer`` sends transactions; ``encryption_key`` (a secp256k1 private key) opens lot openings
    handed to this participant, defaulting to the signer's own key when it is a local key.
    """

    def __init__(
        self,
        chain: Chain,
        deployment: Deployment,
        signer: Signer,
        store: OpeningStore | None = None,
        prover: Prover | None = None,
        encryption_key: bytes | None = None,
    ) -> None:
        if chain.chain_id != deployment.chain_id:
            raise ConfigurationError(
                f"the deployment is for chain {deployment.chain_id} but the node is chain {chain.chain_id}"
            )
        self.chain = chain
        self.deployment = deployment
        self.signer = signer
        self.address = to_checksum_address(signer.address)
        self.store = store or OpeningStore(":memory:")
        self._prover = prover
        self._owns_prover = prover is None
        self._prover_lock = threading.Lock()
        if encryption_key is None and isinstance(signer, LocalSigner):
            encryption_key = signer.private_key
        self.encryption_key = encryption_key
        self.registry = chain.contract("Registry", deployment.registry)
        self.lots = chain.contract("BatteryLots", deployment.lots)
        self.passports = chain.contract("BatteryPassport", deployment.passport)

    # -- plumbing ---------------------------------------------------------------------------------

    @property
    def prover(self) -> Prover:
        with self._prover_lock:
            if self._prover is None:
                self._prover = Prover()
            return self._prover

    def close(self) -> None:
        """Stop the prover worker this client started."""
        if self._owns_prover and self._prover is not None:
            self._prover.close()

    def for_signer(self, signer: Signer, store: OpeningStore | None = None, encryption_key: bytes | None = None) -> BatteryTrace:
        """A client for another participant sharing this one's connection and prover."""
        client = BatteryTrace(self.chain, self.deployment, signer, store, self.prover, encryption_key)
        client._owns_prover = False
        return client

    @property
    def encryption_public_key(self) -> bytes:
        if self.encryption_key is None:
            raise ConfigurationError("this client has no encryption key: pass encryption_key")
        return public_key_from_private_key(self.encryption_key)

    def _send(self, function: Any, description: str, wait: bool = True) -> Receipt | PendingTransaction:
        try:
            return self.chain.transact(self.signer, function, description, wait=wait)
        except RevertedError as error:
            raise _domain_error(error) from None

    def _receipt(self, function: Any, description: str) -> Receipt:
        receipt = self._send(function, description, wait=True)
        assert isinstance(receipt, Receipt)
        return receipt

    def has_role(self, role: Role, account: str | None = None) -> bool:
        """Whether ``account`` (default: this participant) holds ``role`` now."""
        return bool(self.registry.functions.hasRole(role.role_id, account or self.address).call())

    def _require_role(self, *roles: Role) -> None:
        if not any(self.has_role(role) for role in roles):
            names = " or ".join(role.value for role in roles)
            raise MissingRoleError(f"{self.address} lacks {names}")

    def _events(self, receipt: Receipt, contract: Any, name: str) -> list[Any]:
        event = getattr(contract.events, name)()
        topic = event_abi_to_log_topic(event.abi)
        return [event.process_log(log) for log in receipt.logs if log["topics"] and bytes(log["topics"][0]) == topic]

    # -- registry ---------------------------------------------------------------------------------

    def register_participant(
        self,
        account: str,
        role: Role,
        legal_name: str,
        identifier: str,
        identifier_kind: IdentifierKind,
        country: str,
        encryption_public_key: bytes,
    ) -> Receipt:
        """Register a participant and grant its role (consortium admin only)."""
        self._require_role(Role.ADMIN)
        if role in (Role.ADMIN, Role.PASSPORT_CONTRACT):
            raise ValueError(f"{role.value} is not a participant role")
        if len(encryption_public_key) not in (33, 65):
            raise ValueError("the encryption public key must be a 33- or 65-byte secp256k1 key")
        if not legal_name.strip():
            raise ValueError("the legal name must not be empty")
        return self._receipt(
            self.registry.functions.registerParticipant(
                to_checksum_address(account), role.role_id, keccak(text=legal_name), bytes32_text(identifier),
                int(identifier_kind), country_code(country), encryption_public_key,
            ),
            f"register {account} as {role.value}",
        )

    def register_facility(self, facility_type: FacilityType, site_id: str, country: str, location: str = "") -> Facility:
        """Register a facility this participant operates and return it."""
        if not self.is_participant(self.address):
            raise UnknownParticipantError(f"{self.address} is not a registered participant")
        location_commitment = keccak(text=location) if location else bytes(32)
        receipt = self._receipt(
            self.registry.functions.registerFacility(int(facility_type), bytes32_text(site_id), country_code(country), location_commitment),
            f"register facility {site_id}",
        )
        facility_id = self._events(receipt, self.registry, "FacilityRegistered")[0]["args"]["facilityId"]
        return self.facility(facility_id)

    def certify(
        self, facility_id: int, scheme: Scheme, valid_from: datetime, valid_until: datetime, evidence: str | bytes | None = None
    ) -> Certification:
        """Certify a facility under a scheme (auditors only) and return the certification."""
        self._require_role(Role.AUDITOR)
        self.facility(facility_id)
        start, end = int(valid_from.timestamp()), int(valid_until.timestamp())
        if start >= end:
            raise CertificationError(f"the validity window {valid_from} .. {valid_until} is empty")
        receipt = self._receipt(
            self.registry.functions.certify(facility_id, int(scheme), start, end, evidence_hash(evidence)),
            f"certify facility {facility_id} under {scheme.name}",
        )
        certification_id = self._events(receipt, self.registry, "CertificationIssued")[0]["args"]["certificationId"]
        return self.certification(certification_id)

    def suspend_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=True)

    def revoke_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=False)

    def _end_certification(self, certification_id: int, reason: str, suspend: bool) -> Receipt:
        self._require_role(Role.AUDITOR)
        current = self.certification(certification_id)
        if current.status is not CertificationStatus.ACTIVE:
            raise CertificationError(f"certification {certification_id} is {current.status.name}, not ACTIVE")
        function = self.registry.functions.suspendCertification if suspend else self.registry.functions.revokeCertification
        verb = "suspend" if suspend else "revoke"
        return self._receipt(function(certification_id, evidence_hash(reason)), f"{verb} certification {certification_id}")

    def record_risk_finding(self, facility_id: int, risk_flags: RiskFlag, evidence: str | bytes | None = None) -> Receipt:
        """Record an audit's risk flags for a facility (auditors only)."""
        self._require_role(Role.AUDITOR)
        self.facility(facility_id)
        return self._receipt(
            self.registry.functions.recordRiskFinding(facility_id, int(risk_flags), evidence_hash(evidence)),
            f"record risk finding at facility {facility_id}",
        )

    def set_process_parameters(self, facility_id: int, max_yield_loss_bps: int) -> Receipt:
        """Set the audited maximum yield loss of a facility's process (auditors only)."""
        self._require_role(Role.AUDITOR)
        if not 0 <= max_yield_loss_bps <= BPS:
            raise ValueError(f"max_yield_loss_bps must be 0..10000, not {max_yield_loss_bps}")
        return self._receipt(
            self.registry.functions.setProcessParameters(facility_id, max_yield_loss_bps),
            f"set process parameters of facility {facility_id}",
        )

    def participant(self, account: str) -> Participant:
        raw = self.registry.functions.participant(to_checksum_address(account)).call()
        record = Participant.from_chain(to_checksum_address(account), raw)
        if not record.registered:
            raise UnknownParticipantError(f"{account} is not a registered participant")
        return record

    def is_participant(self, account: str) -> bool:
        return bool(self.registry.functions.isParticipant(to_checksum_address(account)).call())

    def facility(self, facility_id: int) -> Facility:
        raw = self.registry.functions.facility(facility_id).call()
        if not raw[5]:
            raise UnknownParticipantError(f"facility {facility_id} is not registered")
        return Facility.from_chain(facility_id, raw)

    def certification(self, certification_id: int) -> Certification:
        raw = self.registry.functions.certification(certification_id).call()
        if raw[0] == 0:
            raise CertificationError(f"certification {certification_id} does not exist")
        return Certification.from_chain(certification_id, raw)

    def is_certified(self, facility_id: int, scheme: Scheme, at: datetime) -> bool:
        """Whether the facility was validly certified under ``scheme`` at ``at``."""
        return bool(self.registry.functions.isCertified(facility_id, int(scheme), int(at.timestamp())).call())

    def auditor_keys(self) -> dict[str, bytes]:
        auditors, keys = self.registry.functions.auditorKeys().call()
        return {str(auditor): bytes(key) for auditor, key in zip(auditors, keys, strict=True)}

    # -- lots -------------------------------------------------------------------------------------

    def lot(self, lot_id: int, block: int | str = "latest") -> Lot:
        """The public record of a lot; UnknownLotError when it does not exist."""
        _check_lot_id(lot_id)
        raw = self.lots.functions.lot(lot_id).call(block_identifier=block)
        if raw[4] == LotStatus.NONE:
            raise UnknownLotError(f"lot {lot_id:#x} does not exist")
        custodian = self.lots.functions.ownerOf(lot_id).call(block_identifier=block)
        parent_ids = self.lots.functions.parents(lot_id).call(block_identifier=block)
        return Lot.from_chain(lot_id, raw, str(custodian), parent_ids)

    def lot_exists(self, lot_id: int) -> bool:
        _check_lot_id(lot_id)
        return self.lots.functions.lot(lot_id).call()[4] != LotStatus.NONE

    def opening(self, lot_id: int) -> Opening:
        """The opening of a lot this participant holds or held; OpeningError when unknown."""
        opening = self.store.get(self.chain.chain_id, self.deployment.lots, lot_id)
        if opening is None:
            raise OpeningError(f"no opening of lot {lot_id:#x} in this participant's store")
        return opening

    def _recipients(self, *accounts: str) -> dict[str, bytes]:
        recipients = {f"auditor:{address}": key for address, key in self.auditor_keys().items()}
        for account in accounts:
            if account == self.address and self.encryption_key is not None:
                recipients[f"self:{account}"] = self.encryption_public_key
            else:
                recipients[f"participant:{account}"] = self.participant(account).encryption_public_key
        return recipients

    def mint_origin(
        self,
        facility_id: int,
        external_id: str,
        kind: MaterialKind,
        cobalt_grams: int,
        total_grams: int,
        co2e_grams: int,
        tag_id: str = "",
        custody_model: CustodyModel = CustodyModel.SEGREGATED,
        wait: bool = True,
    ) -> MintResult:
        """Create an origin lot at a mine, artisanal site or recycler, with its mint proof.

        Certified cobalt equals the cobalt when the facility holds a valid certification now,
        recycled cobalt equals it at a recycler, and the facility's audited risk flags enter the
        lot: the caller states masses and emissions only. Minting an external id again returns the
        existing lot.
        """
        for name, value in (("cobalt_grams", cobalt_grams), ("total_grams", total_grams), ("co2e_grams", co2e_grams)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= UINT64_MAX:
                raise ValueError(f"{name} must be an integer number of grams in 0..2^64-1, not {value!r}")
        if cobalt_grams < 1:
            raise ValueError("an origin lot must contain cobalt (cobalt_grams >= 1)")
        if cobalt_grams > total_grams:
            raise ValueError(f"cobalt_grams {cobalt_grams} exceeds the lot's total_grams {total_grams}")
        kind, custody_model = MaterialKind(kind), CustodyModel(custody_model)
        lot_id = lot_id_for(self.address, external_id)
        if self.lot_exists(lot_id):
            return MintResult(lot_id, self.opening(lot_id), None, created=False)
        site = self.facility(facility_id)
        if site.facility_type not in _ORIGIN_FACILITIES:
            raise LotStateError(f"facility {facility_id} is a {site.facility_type.name}: origin lots come from mines and recyclers")
        recycler = site.facility_type is FacilityType.RECYCLER
        self._require_role(Role.RECYCLER if recycler else Role.MINER)
        if site.operator != self.address:
            raise NotCustodianError(f"facility {facility_id} is operated by {site.operator}, not {self.address}")
        floor = int(self.registry.functions.co2eFloorGramsPerKg(int(site.facility_type)).call())
        if co2e_grams * 1000 < cobalt_grams * floor:
            raise ProofError(
                f"{co2e_grams} g CO2e for {cobalt_grams} g cobalt is below the rulebook floor of {floor} g per kg cobalt"
            )
        schemes = int(self.registry.functions.certifiedSchemes(facility_id, self.chain.latest_timestamp()).call())
        opening = self._reuse_unsent(lot_id, Opening.new(
            cobalt_grams=cobalt_grams,
            total_grams=total_grams,
            certified_cobalt_grams=cobalt_grams if schemes else 0,
            recycled_cobalt_grams=cobalt_grams if recycler else 0,
            co2e_grams=co2e_grams,
            risk_flags=RiskFlag(site.risk_flags),
        ))
        context = int(self.lots.functions.mintContext(lot_id).call())
        proof = self.prover.prove(
            "mint", mint_inputs(opening, bool(schemes), recycler, int(site.risk_flags), floor, context)
        )
        blob = encrypt_opening(opening, self._recipients(self.address))
        spec = (bytes32_text(external_id), int(kind), int(custody_model), _tag(tag_id), opening.commitment, blob)
        sent = self._send(
            self.lots.functions.mintOrigin(facility_id, spec, _proof_tuple(proof)),
            f"mint origin lot {external_id!r}",
            wait=wait,
        )
        return MintResult(lot_id, opening, sent if isinstance(sent, Receipt) else None, created=True)

    def transform(
        self,
        input_lot_ids: Sequence[int],
        outputs: Sequence[OutputPlan],
        facility_id: int,
        process_co2e_grams: int = 0,
    ) -> TransformResult:
        """Split, merge or refine lots this participant holds at one of its facilities, proven.

        The caller states each output's cobalt and total mass; certified and recycled cobalt,
        embodied CO2e and risk flags follow from the inputs by the circuit's rules.
        """
        if len(set(input_lot_ids)) != len(input_lot_ids):
            raise LotStateError("a transformation cannot use the same input lot twice")
        site = self.facility(facility_id)
        if site.operator != self.address:
            raise NotCustodianError(f"facility {facility_id} is operated by {site.operator}, not {self.address}")
        if site.facility_type in (FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE):
            raise LotStateError(f"facility {facility_id} is a {site.facility_type.name}: it creates lots, it does not transform them")
        inputs = []
        for lot_id in input_lot_ids:
            record = self.lot(lot_id)
            if record.custodian != self.address:
                raise NotCustodianError(f"lot {lot_id:#x} is held by {record.custodian}, not {self.address}")
            if record.status is not LotStatus.ACTIVE:
                raise LotStateError(f"lot {lot_id:#x} is {record.status.name}, not ACTIVE")
            opening = self.opening(lot_id)
            if opening.commitment != record.commitment:
                raise OpeningError(f"the stored opening of lot {lot_id:#x} does not match its on-chain commitment")
            inputs.append(opening)
        output_ids = [lot_id_for(self.address, plan.external_id) for plan in outputs]
        if len(set(output_ids)) != len(output_ids):
            raise LotStateError("two outputs of a transformation cannot share an external id")
        for plan, output_id in zip(outputs, output_ids, strict=True):
            if self.lot_exists(output_id):
                raise LotStateError(f"output {plan.external_id!r} already exists as lot {output_id:#x}")
        openings = [
            self._reuse_unsent(output_id, opening)
            for output_id, opening in zip(output_ids, allocate_outputs(inputs, outputs, process_co2e_grams, site.max_yield_loss_bps), strict=True)
        ]
        context = int(self.lots.functions.transformContext(list(input_lot_ids), output_ids, facility_id).call())
        proof = self.prover.prove(
            "transform", transform_inputs(inputs, openings, site.max_yield_loss_bps, process_co2e_grams, context)
        )
        recipients = self._recipients(self.address)
        specs = [
            (bytes32_text(plan.external_id), int(plan.kind), int(plan.custody_model), _tag(plan.tag_id), opening.commitment,
             encrypt_opening(opening, recipients))
            for plan, opening in zip(outputs, openings, strict=True)
        ]
        receipt = self._receipt(
            self.lots.functions.transform((list(input_lot_ids), specs, facility_id, process_co2e_grams), _proof_tuple(proof)),
            f"transform {len(input_lot_ids)} lot(s) into {len(outputs)}",
        )
        event = self._events(receipt, self.lots, "LotsTransformed")[0]["args"]
        return TransformResult(int(event["transformId"]), tuple(output_ids), tuple(openings), receipt)

    def _reuse_unsent(self, lot_id: int, opening: Opening) -> Opening:
        """Keep the opening of a lot about to be created, before anything is sent, so a crash after
        the send cannot lose it. A retry of a send that failed finds the same values in the store
        and reuses them (blinding included), so the same lot gets the same commitment; values that
        changed replace what was stored for a lot that never came to be."""
        stored = self.store.get(self.chain.chain_id, self.deployment.lots, lot_id)
        if stored is not None and stored.field_elements()[:-1] == opening.field_elements()[:-1]:
            return stored
        self.store.put(self.chain.chain_id, self.deployment.lots, lot_id, opening, replace=True)
        return opening

    # -- custody ----------------------------------------------------------------------------------

    def offer(self, lot_id: int, to: str, wait: bool = True) -> Receipt | PendingTransaction:
        """Offer a lot to another participant, handing it the opening encrypted (and to auditors)."""
        record = self.lot(lot_id)
        if record.custodian != self.address:
            raise NotCustodianError(f"lot {lot_id:#x} is held by {record.custodian}, not {self.address}")
        if record.status is not LotStatus.ACTIVE:
            raise LotStateError(f"lot {lot_id:#x} is {record.status.name}, not ACTIVE")
        receiver = to_checksum_address(to)
        if receiver == self.address or not self.is_participant(receiver):
            raise UnknownParticipantError(f"{receiver} is not a registered participant other than the custodian")
        blob = encrypt_opening(self.opening(lot_id), self._recipients(receiver))
        return self._send(self.lots.functions.offer(lot_id, receiver, blob), f"offer lot {lot_id:#x} to {receiver}", wait=wait)

    def cancel_offer(self, lot_id: int, wait: bool = True) -> Receipt | PendingTransaction:
        """Withdraw this participant's pending offer of a lot."""
        record = self.lot(lot_id)
        if record.custodian != self.address:
            raise NotCustodianError(f"lot {lot_id:#x} is held by {record.custodian}, not {self.address}")
        if record.status is not LotStatus.IN_TRANSIT:
            raise LotStateError(f"lot {lot_id:#x} is {record.status.name}, not IN_TRANSIT")
        return self._send(self.lots.functions.cancelOffer(lot_id), f"cancel the offer of lot {lot_id:#x}", wait=wait)

    def offered_opening(self, lot_id: int) -> Opening:
        """Decrypt the opening handed over with the lot's latest offer and check it against the chain."""
        if self.encryption_key is None:
            raise ConfigurationError("this client has no encryption key to open handed-over lots")
        record = self.lot(lot_id)
        logs = self.lots.events.LotOffered().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number
        )
        if not logs:
            raise LotStateError(f"lot {lot_id:#x} has never been offered")
        blob = bytes(logs[-1]["args"]["encryptedOpening"])
        return decrypt_opening(blob, self.encryption_key, record.commitment)

    def accept(self, lot_id: int, measured_total_grams: int, tolerance_bps: int = 50, evidence: str | bytes | None = None) -> AcceptResult:
        """Weigh-in a lot offered to this participant: accept within tolerance, else dispute.

        The opening handed over is decrypted and checked against the on-chain commitment before
        anything is sent; the committed total mass is compared with the receiver's weighing.
        """
        record = self.lot(lot_id)
        if record.status is not LotStatus.IN_TRANSIT or record.pending_receiver != self.address:
            raise LotStateError(f"lot {lot_id:#x} is not in transit to {self.address}")
        if measured_total_grams < 0 or not 0 <= tolerance_bps <= BPS:
            raise ValueError("the measured mass must be >= 0 and the tolerance 0..10000 bps")
        opening = self.offered_opening(lot_id)
        committed = opening.total_grams
        deviation_bps = abs(measured_total_grams - committed) * BPS // max(committed, 1)
        within = abs(measured_total_grams - committed) * BPS <= tolerance_bps * committed
        self.store.put(self.chain.chain_id, self.deployment.lots, lot_id, opening)
        receipt = self._receipt(
            self.lots.functions.accept(lot_id, within, evidence_hash(evidence)),
            f"{'accept' if within else 'dispute'} lot {lot_id:#x}",
        )
        return AcceptResult(lot_id, within, measured_total_grams, committed, deviation_bps, receipt)

    def resolve_dispute(self, lot_id: int, outcome: DisputeOutcome, evidence: str | bytes | None = None) -> Receipt:
        """Settle a disputed weighing (auditors only)."""
        self._require_role(Role.AUDITOR)
        record = self.lot(lot_id)
        if record.status is not LotStatus.DISPUTED:
            raise LotStateError(f"lot {lot_id:#x} is {record.status.name}, not DISPUTED")
        return self._receipt(
            self.lots.functions.resolveDispute(lot_id, int(outcome), evidence_hash(evidence)),
            f"resolve the dispute over lot {lot_id:#x}",
        )

    def audit_opening(self, lot_id: int) -> Opening:
        """An auditor opens any lot from the envelopes in its events with its view key."""
        if self.encryption_key is None:
            raise ConfigurationError("this client has no view key")
        record = self.lot(lot_id)
        blobs = [bytes(log["args"]["encryptedOpening"]) for log in self.lots.events.LotOffered().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number)]
        blobs += [bytes(log["args"]["encryptedOpening"]) for log in self.lots.events.LotCreated().get_logs(
            argument_filters={"lotId": lot_id}, from_block=self.deployment.block_number)]
        for blob in reversed(blobs):
            try:
                return decrypt_opening(blob, self.encryption_key, record.commitment)
            except DecryptionError:
                continue
        raise DecryptionError(f"no envelope of lot {lot_id:#x} opens with this key")

    # -- history ----------------------------------------------------------------------------------

    def history(self, lot_id: int) -> list[LotEvent]:
        """A lot's whole life, rebuilt from the chain's events alone (oldest first)."""
        topic = "0x" + lot_id.to_bytes(32, "big").hex()
        by_topic = {}
        for name in (*_LOT_EVENTS, "Transfer"):
            event = getattr(self.lots.events, name)()
            by_topic[event_abi_to_log_topic(event.abi)] = event
        logs = self.chain.w3.eth.get_logs({"address": self.lots.address, "fromBlock": self.deployment.block_number,
                                           "toBlock": "latest", "topics": [None, topic]})
        transfer = self.lots.events.Transfer()
        logs += self.chain.w3.eth.get_logs({"address": self.lots.address, "fromBlock": self.deployment.block_number,
                                            "toBlock": "latest",
                                            "topics": ["0x" + event_abi_to_log_topic(transfer.abi).hex(), None, None, topic]})
        transformed = self.lots.events.LotsTransformed()
        transform_logs = self.chain.w3.eth.get_logs({"address": self.lots.address, "fromBlock": self.deployment.block_number,
                                                     "toBlock": "latest", "topics": ["0x" + event_abi_to_log_topic(transformed.abi).hex()]})
        events = []
        timestamps: dict[int, datetime] = {}
        for log in logs:
            event = by_topic.get(bytes(log["topics"][0]))
            if event is None:
                continue
            decoded = event.process_log(log)
            events.append(self._lot_event(decoded, lot_id, timestamps))
        for log in transform_logs:
            decoded = transformed.process_log(log)
            args = decoded["args"]
            if lot_id in args["inputLotIds"] or lot_id in args["outputLotIds"]:
                events.append(self._lot_event(decoded, lot_id, timestamps))
        return sorted(events, key=lambda item: (item.block_number, item.log_index))

    def _lot_event(self, decoded: Any, lot_id: int, timestamps: dict[int, datetime]) -> LotEvent:
        block = int(decoded["blockNumber"])
        if block not in timestamps:
            timestamps[block] = datetime.fromtimestamp(self.chain.w3.eth.get_block(block)["timestamp"], tz=timezone.utc)
        arguments = {key: (bytes(value) if isinstance(value, (bytes, bytearray)) else value) for key, value in decoded["args"].items()}
        return LotEvent(
            name=decoded["event"],
            lot_id=lot_id,
            block_number=block,
            transaction_hash="0x" + bytes(decoded["transactionHash"]).hex(),
            log_index=int(decoded["logIndex"]),
            timestamp=timestamps[block],
            arguments=arguments,
        )

    def lots_held(self, account: str | None = None) -> list[Lot]:
        """Lots an account holds now and that are not consumed."""
        holder = to_checksum_address(account or self.address)
        candidates = {int(log["args"]["tokenId"]) for log in self.lots.events.Transfer().get_logs(
            argument_filters={"to": holder}, from_block=self.deployment.block_number)}
        held = []
        for lot_id in sorted(candidates):
            record = self.lot(lot_id)
            if record.custodian == holder and record.status is not LotStatus.CONSUMED:
                held.append(record)
        return held


def _check_lot_id(lot_id: object) -> None:
    if not isinstance(lot_id, int) or isinstance(lot_id, bool) or not 0 <= lot_id < 2**256:
        raise ValueError(f"a lot id is an integer in 0..2^256-1, not {lot_id!r}")


def _tag(tag_id: str) -> bytes:
    return bytes32_text(tag_id) if tag_id else bytes(32)


def _proof_tuple(proof: Groth16Proof) -> tuple[list[int], list[list[int]], list[int]]:
    a, b, c, _signals = proof.solidity_args()
    return (a, b, c)


_ERRORS_BY_NAME: dict[str, type[Exception]] = {
    "LotsUnknownLot": UnknownLotError,
    "LotsUnauthorized": MissingRoleError,
    "AccessControlUnauthorizedAccount": MissingRoleError,
    "LotsNotCustodian": NotCustodianError,
    "LotsNotPendingReceiver": NotCustodianError,
    "LotsWrongStatus": LotStateError,
    "LotsAlreadyExists": LotStateError,
    "LotsInvalidTransform": LotStateError,
    "LotsInvalidReceiver": UnknownParticipantError,
    "LotsFacilityNotAllowed": NotCustodianError,
    "ProofInvalid": ProofError,
    "ProofInputOutOfField": ProofError,
    "RegistryNotRegistered": UnknownParticipantError,
    "RegistryUnknownFacility": UnknownParticipantError,
    "RegistryCertificationNotActive": CertificationError,
    "RegistryUnknownCertification": CertificationError,
}


def _domain_error(error: RevertedError) -> Exception:
    """The SDK's exception for a contract's custom error (the chain's own text kept)."""
    kind = _ERRORS_BY_NAME.get(error.error_name)
    if kind is None:
        return error
    domain = kind(str(error))
    domain.error_name = error.error_name  # type: ignore[attr-defined]
    return domain

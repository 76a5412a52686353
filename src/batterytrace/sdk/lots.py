"""Lots: reading them, minting origin lots and transforming lots, each proven; and the custody,
status and facility rules the lots contract enforces, checked here once before anything is sent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    Co2eBelowFloorError,
    FacilityNotActiveError,
    FacilityNotAllowedError,
    KindNotAllowedError,
    LotStateError,
    NotCustodianError,
    OpeningError,
    UnknownLotError,
)
from batterytrace.model.facilities import makes_kind, minting_role, mints_kind, mints_origin_lots, transforms_lots
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import UINT64_MAX, CustodyModel, Lot, LotStatus, MaterialKind, OutputPlan
from batterytrace.model.registry import Facility, FacilityType
from batterytrace.model.risk import RiskFlag
from batterytrace.model.transformation import allocate_outputs
from batterytrace.sdk.audits import AuditOperations
from batterytrace.sdk.registry import is_valid_encryption_key, require_valid_encryption_key
from batterytrace.zk.commitment import Opening
from batterytrace.zk.contexts import mint_context, transform_context
from batterytrace.zk.envelopes import encrypt_opening
from batterytrace.zk.inputs import mint_inputs, transform_inputs

logger = logging.getLogger(__name__)


def require_custody(lot: Lot, caller: str) -> None:
    """``caller`` holds the lot (twin of ``LotsNotCustodian``)."""
    if lot.custodian != caller:
        raise NotCustodianError(lot.lot_id, lot.custodian, caller)


def require_status(lot: Lot, *expected: LotStatus) -> None:
    """The lot is in one of the ``expected`` statuses (twin of ``LotsWrongStatus``)."""
    if lot.status not in expected:
        raise LotStateError(lot.lot_id, lot.status.name, " or ".join(status.name for status in expected))

def require_operator(facility: Facility, caller: str) -> None:
    """``caller`` operates the facility (twin of ``LotsFacilityNotAllowed``)."""
    if facility.operator != caller:
        raise FacilityNotAllowedError(facility.facility_id, caller, f"is operated by {facility.operator}, not {caller}")


def require_active(facility: Facility) -> None:
    """An auditor activated the facility (twin of ``LotsFacilityNotActive``)."""
    if not facility.active:
        raise FacilityNotActiveError(facility.facility_id)


def require_mints_kind(facility: Facility, kind: MaterialKind) -> None:
    """An origin lot of ``kind`` may be minted there (twin of ``LotsKindNotAllowed``)."""
    if not mints_kind(facility.facility_type, kind):
        raise KindNotAllowedError(facility.facility_id, kind)


def require_makes_kinds(facility: Facility, kinds: Sequence[MaterialKind], input_kinds: Sequence[MaterialKind]) -> None:
    """Each output kind is one the facility's type makes or an input's (twin of ``LotsKindNotAllowed``)."""
    for kind in kinds:
        if not makes_kind(facility.facility_type, kind, input_kinds):
            raise KindNotAllowedError(facility.facility_id, kind)


def require_mints_origin_lots(facility: Facility, caller: str) -> None:
    """Origin lots may be minted at the facility (twin of ``LotsFacilityNotAllowed``)."""
    if not mints_origin_lots(facility.facility_type):
        raise FacilityNotAllowedError(
            facility.facility_id, caller, f"is of type {facility.facility_type.name}: origin lots come from mines and recyclers")


def require_transforms_lots(facility: Facility, caller: str) -> None:
    """Lots may be transformed at the facility (twin of ``LotsFacilityNotAllowed``)."""
    if not transforms_lots(facility.facility_type):
        raise FacilityNotAllowedError(
            facility.facility_id, caller, f"is of type {facility.facility_type.name}: it creates lots, it does not transform them")


@dataclass(frozen=True)
class MintResult:
    """An origin lot and its opening. ``created`` is False when the external id had been minted
    before (nothing is sent then); ``receipt`` is None then, or when the mint was sent unwaited."""

    lot_id: int
    opening: Opening
    receipt: Receipt | None
    created: bool
    skipped_auditors: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransformResult:
    """A proven transformation: its id, and the output lots and their openings in plan order."""

    transform_id: int
    output_lot_ids: tuple[int, ...]
    openings: tuple[Opening, ...]
    receipt: Receipt
    skipped_auditors: tuple[str, ...] = ()


class LotOperations(AuditOperations):
    """Lots as their creators and holders see them: reads, origin mints and transformations.

    ``skipped_auditors`` names the auditors whose registered key is not a usable secp256k1 point
    and who were therefore left out of the latest envelope this client built (mint, transform or
    offer); each is also logged as a warning.
    """

    skipped_auditors: tuple[str, ...] = ()

    def lot(self, lot_id: int, block: int | str = "latest") -> Lot:
        """The public record of a lot; UnknownLotError when it does not exist."""
        _check_lot_id(lot_id)
        raw = self.lots.functions.lot(lot_id).call(block_identifier=block)
        if raw[4] == LotStatus.NONE:
            raise UnknownLotError(lot_id)
        custodian = self.lots.functions.ownerOf(lot_id).call(block_identifier=block)
        parent_ids = self.lots.functions.parents(lot_id).call(block_identifier=block)
        return Lot.from_chain(lot_id, raw, str(custodian), parent_ids)

    def lot_exists(self, lot_id: int) -> bool:
        """Whether a lot with this id was ever created."""
        _check_lot_id(lot_id)
        return self.lots.functions.lot(lot_id).call()[4] != LotStatus.NONE

    def opening(self, lot_id: int) -> Opening:
        """The opening of a lot this participant holds or held; OpeningError when unknown."""
        opening = self.store.get(self.chain.chain_id, self.deployment.lots, lot_id)
        if opening is None:
            raise OpeningError(f"no opening of lot {lot_id:#x} in this participant's store")
        return opening

    def recipients(self, *accounts: str) -> dict[str, bytes]:
        """Who an opening is encrypted to: every auditor's view key, and each of ``accounts``.

        One auditor's unusable key must not stop everyone's work: it is skipped, logged and listed
        in :attr:`skipped_auditors`. A key of one of ``accounts`` (the receiver) that is unusable
        refuses the operation (:class:`~batterytrace.exceptions.InvalidEncryptionKeyError`).
        """
        recipients: dict[str, bytes] = {}
        skipped = []
        for address, key in self.auditor_keys().items():
            if is_valid_encryption_key(key):
                recipients[f"auditor:{address}"] = key
            else:
                skipped.append(address)
                logger.warning("auditor %s has no usable encryption key (0x%s): left out of this envelope", address, key.hex())
        self.skipped_auditors = tuple(skipped)
        for account in accounts:
            if account == self.address and self.encryption_key is not None:
                recipients[f"self:{account}"] = self.encryption_public_key
            else:
                key = self.participant(account).encryption_public_key
                require_valid_encryption_key(account, key)
                recipients[f"participant:{account}"] = key
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
        require_mints_origin_lots(site, self.address)
        recycler = site.facility_type is FacilityType.RECYCLER
        self.require_role(minting_role(site.facility_type))
        require_operator(site, self.address)
        require_active(site)
        require_mints_kind(site, kind)
        floor = max(self.co2e_floor(site.facility_type), site.co2e_floor_grams_per_kg)
        if co2e_grams * 1000 < cobalt_grams * floor:
            raise Co2eBelowFloorError(co2e_grams, cobalt_grams, floor)
        schemes = int(self.registry.functions.certifiedSchemes(facility_id, self.chain.latest_timestamp()).call())
        opening = self._reuse_unsent(lot_id, Opening.new(
            cobalt_grams=cobalt_grams,
            total_grams=total_grams,
            certified_cobalt_grams=cobalt_grams if schemes else 0,
            recycled_cobalt_grams=cobalt_grams if recycler else 0,
            co2e_grams=co2e_grams,
            risk_flags=RiskFlag(site.risk_flags),
        ))
        context = mint_context(self.chain.chain_id, self.deployment.lots, lot_id)
        proof = self.prover.prove(
            "mint", mint_inputs(opening, bool(schemes), recycler, int(site.risk_flags), floor, context)
        )
        blob = encrypt_opening(opening, self.recipients(self.address))
        spec = (bytes32_text(external_id), int(kind), int(custody_model), _tag(tag_id), opening.commitment, blob)
        sent = self.send(
            self.lots.functions.mintOrigin(facility_id, spec, proof.solidity_proof()),
            f"mint origin lot {external_id!r}",
            wait=wait,
        )
        return MintResult(lot_id, opening, sent if isinstance(sent, Receipt) else None, created=True,
                          skipped_auditors=self.skipped_auditors)

    def transform(
        self,
        input_lot_ids: Sequence[int],
        outputs: Sequence[OutputPlan],
        facility_id: int,
        process_co2e_grams: int = 0,
    ) -> TransformResult:
        """Split, merge or refine lots this participant holds at one of its facilities, proven.

        The caller states each output's cobalt and total mass; certified and recycled cobalt,
        embodied CO2e and risk flags follow from the inputs by the circuit's rules. The declared
        process CO2e must reach the facility's audited floor per kg of material processed
        (``ProcessCo2eBelowFloorError`` before anything is proven or sent).
        """
        if len(set(input_lot_ids)) != len(input_lot_ids):
            raise LotStateError(None, message="a transformation cannot use the same input lot twice")
        site = self.facility(facility_id)
        require_operator(site, self.address)
        require_transforms_lots(site, self.address)
        require_active(site)
        inputs, input_kinds = [], []
        for lot_id in input_lot_ids:
            record = self.lot(lot_id)
            require_custody(record, self.address)
            require_status(record, LotStatus.ACTIVE)
            input_kinds.append(record.kind)
            opening = self.opening(lot_id)
            if opening.commitment != record.commitment:
                raise OpeningError(f"the stored opening of lot {lot_id:#x} does not match its on-chain commitment")
            inputs.append(opening)
        require_makes_kinds(site, [MaterialKind(plan.kind) for plan in outputs], input_kinds)
        output_ids = [lot_id_for(self.address, plan.external_id) for plan in outputs]
        if len(set(output_ids)) != len(output_ids):
            raise LotStateError(None, message="two outputs of a transformation cannot share an external id")
        for plan, output_id in zip(outputs, output_ids, strict=True):
            if self.lot_exists(output_id):
                raise LotStateError(output_id, message=f"output {plan.external_id!r} already exists as lot {output_id:#x}")
        openings = [
            self._reuse_unsent(output_id, opening)
            for output_id, opening in zip(output_ids, allocate_outputs(
                inputs, outputs, process_co2e_grams, site.max_yield_loss_bps,
                process_co2e_floor_grams_per_kg=site.co2e_floor_grams_per_kg), strict=True)
        ]
        context = transform_context(self.chain.chain_id, self.deployment.lots, input_lot_ids, output_ids, facility_id)
        proof = self.prover.prove(
            "transform", transform_inputs(inputs, openings, site.max_yield_loss_bps, process_co2e_grams, context,
                                          process_co2e_floor_grams_per_kg=site.co2e_floor_grams_per_kg)
        )
        recipients = self.recipients(self.address)
        specs = [
            (bytes32_text(plan.external_id), int(plan.kind), int(plan.custody_model), _tag(plan.tag_id), opening.commitment,
             encrypt_opening(opening, recipients))
            for plan, opening in zip(outputs, openings, strict=True)
        ]
        receipt = self.send(
            self.lots.functions.transform((list(input_lot_ids), specs, facility_id, process_co2e_grams), proof.solidity_proof()),
            f"transform {len(input_lot_ids)} lot(s) into {len(outputs)}",
        )
        event = self.events(receipt, self.lots, "LotsTransformed")[0]["args"]
        return TransformResult(int(event["transformId"]), tuple(output_ids), tuple(openings), receipt, self.skipped_auditors)

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


def _check_lot_id(lot_id: object) -> None:
    if not isinstance(lot_id, int) or isinstance(lot_id, bool) or not 0 <= lot_id < 2**256:
        raise ValueError(f"a lot id is an integer in 0..2^256-1, not {lot_id!r}")


def _tag(tag_id: str) -> bytes:
    return bytes32_text(tag_id) if tag_id else bytes(32)

"""The ERP's material operations: origin mints, hand-overs, weigh-ins, disputes and transforms, on
the shielded ledger, taking lots (by id) and quantities, never notes, paths or nullifiers.

A lot's id is its tag on the shielded ledger: a field element derived from the creator's shielding
secret, the site and the ERP's external id, known only to those who can open its notes (its
holders and the auditors). Each operation checks here what the registry's rules would refuse (the
caller's role, the site's operator, type and activation, the material kinds, the CO2e floor),
then :class:`~batterytrace.sdk.shielded.ShieldedLedgerOperations` checks what the circuit would
refuse, proves, seals the new notes and has the relayer submit them: no participant's address is
on any material transaction. The participant's :class:`~batterytrace.sdk.notes.NoteStore` keeps
every note it can open, and answers :meth:`LedgerOperations.lot`, ``lots_held``, ``history`` and
``genealogy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from batterytrace.exceptions import (
    Co2eBelowFloorError,
    FacilityNotActiveError,
    FacilityNotAllowedError,
    KindNotAllowedError,
    LotStateError,
    UnknownLotError,
)
from batterytrace.model.facilities import makes_kind, minting_role, mints_kind, mints_origin_lots, transforms_lots
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import (
    BPS,
    METAL_NAMES,
    UINT64_MAX,
    DisputeOutcome,
    LotStatus,
    MaterialKind,
    OutputPlan,
    kind_may_hold,
)
from batterytrace.model.registry import Facility, Role
from batterytrace.sdk.audits import AuditOperations
from batterytrace.sdk.note_history import NoteHistory, NoteStep, genealogy_from_notes, lot_status
from batterytrace.sdk.shielded import ShieldedLedgerOperations, ShieldedLot
from batterytrace.zk.notes import Note, NoteState

if TYPE_CHECKING:
    from batterytrace.sdk.notes import NoteStore
    from batterytrace.sdk.relayer import RelayerClient


def require_operator(facility: Facility, caller: str) -> None:
    """``caller`` operates the facility."""
    if facility.operator != caller:
        raise FacilityNotAllowedError(facility.facility_id, caller, f"is operated by {facility.operator}, not {caller}")


def require_active(facility: Facility) -> None:
    """An auditor activated the facility."""
    if not facility.active:
        raise FacilityNotActiveError(facility.facility_id)


def require_mints_origin_lots(facility: Facility, caller: str) -> None:
    """Origin lots may be minted at the facility: a mine, an artisanal site or a recycler."""
    if not mints_origin_lots(facility.facility_type):
        raise FacilityNotAllowedError(
            facility.facility_id, caller, f"is of type {facility.facility_type.name}: origin lots come from mines and recyclers")


def require_mints_kind(facility: Facility, kind: MaterialKind) -> None:
    """An origin lot of ``kind`` may be minted there."""
    if not mints_kind(facility.facility_type, kind):
        raise KindNotAllowedError(facility.facility_id, kind)


def require_transforms_lots(facility: Facility, caller: str) -> None:
    """Lots may be transformed at the facility (any type but the extraction sites)."""
    if not transforms_lots(facility.facility_type):
        raise FacilityNotAllowedError(
            facility.facility_id, caller, f"is of type {facility.facility_type.name}: extraction sites only mint")


def require_makes_kinds(facility: Facility, kinds: Sequence[MaterialKind], input_kinds: Sequence[MaterialKind]) -> None:
    """Each output kind is one the facility's type makes or an input's."""
    for kind in kinds:
        if not makes_kind(facility.facility_type, kind, input_kinds):
            raise KindNotAllowedError(facility.facility_id, kind)


def require_origin_mint(client: AuditOperations, facility_id: int, kind: MaterialKind, metal_grams: int,
                        co2e_grams: int) -> Facility:
    """What the registry says of an origin mint at ``facility_id`` by ``client``: a site that mints,
    the minting role, its operator, activated, the kind, and the declared CO2e at or above the
    higher of the type's and the site's floor per kg of the lot's metal (``metal_grams``, all its
    metals together). Returns the site."""
    site = client.facility(facility_id)
    require_mints_origin_lots(site, client.address)
    client.require_role(minting_role(site.facility_type))
    require_operator(site, client.address)
    require_active(site)
    require_mints_kind(site, kind)
    floor = max(client.co2e_floor(site.facility_type), site.co2e_floor_grams_per_kg)
    if co2e_grams * 1000 < metal_grams * floor:
        raise Co2eBelowFloorError(co2e_grams, metal_grams, floor)
    return site


def require_transform_site(client: AuditOperations, facility_id: int, input_lot_ids: Sequence[int]) -> Facility:
    """What the registry says of a transform at ``facility_id`` by ``client``: no input twice, a
    facility it operates, of a type that transforms, activated. Returns the site."""
    if len(set(input_lot_ids)) != len(input_lot_ids):
        raise LotStateError(None, message="a transformation cannot use the same input lot twice")
    site = client.facility(facility_id)
    require_operator(site, client.address)
    require_transforms_lots(site, client.address)
    require_active(site)
    return site


def _require_grams(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= UINT64_MAX:
        raise ValueError(f"{name} must be an integer number of grams in 0..2^64-1, not {value!r}")


def _require_lot_id(lot_id: object) -> int:
    if not isinstance(lot_id, int) or isinstance(lot_id, bool) or not 0 <= lot_id < 2**256:
        raise ValueError(f"a lot id is an integer in 0..2^256-1, not {lot_id!r}")
    return lot_id


@dataclass(frozen=True)
class Lot:
    """A lot as this participant's note store sees it: its id (the tag), kind, status, who holds
    it (the sender keeps custody of an offered or disputed lot until the receiver takes it in; ""
    once it moved on out of sight), the receiver of a pending offer, and its latest note in view."""

    lot_id: int
    kind: MaterialKind
    status: LotStatus
    custodian: str
    pending_receiver: str | None
    note: Note

    @property
    def cobalt_grams(self) -> int:
        return self.note.values.metals[0].grams

    @property
    def lithium_grams(self) -> int:
        return self.note.values.metals[1].grams

    @property
    def nickel_grams(self) -> int:
        return self.note.values.metals[2].grams

    @property
    def total_grams(self) -> int:
        return self.note.values.total_grams


@dataclass(frozen=True)
class MintResult:
    """An origin lot: its id and note. ``created`` is False when the external id had been minted
    at the site before (nothing is sent then)."""

    lot_id: int
    note: Note
    created: bool


@dataclass(frozen=True)
class TransformResult:
    """A proven transform's output lots and their notes, in plan order."""

    output_lot_ids: tuple[int, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class AcceptResult:
    """A weigh-in: accepted within tolerance, else disputed, with the masses compared."""

    lot_id: int
    accepted: bool
    measured_total_grams: int
    committed_total_grams: int
    deviation_bps: int


class LedgerOperations(AuditOperations):
    """The ERP's material operations and its reads of lots (see the module docstring)."""

    _shielded: ShieldedLedgerOperations | None = None
    relayer: RelayerClient | None = None
    notes: NoteStore | None = None

    @property
    def shielded(self) -> ShieldedLedgerOperations:
        """The shielded ledger's operations on this participant's note store and relayer."""
        if self._shielded is None or self._shielded.store is not self.notes or self._shielded.relayer is not self.relayer:
            self._shielded = ShieldedLedgerOperations(self, self.relayer, self.notes)  # type: ignore[arg-type]
            self.notes = self._shielded.store
        return self._shielded

    def use_notes(self, notes: NoteStore) -> None:
        """Keep this participant's notes in ``notes`` from now on (its scanner starts from its cursor)."""
        self.notes = notes

    # -- material operations ---------------------------------------------------------------------

    def mint_origin(self, facility_id: int, external_id: str | int, kind: MaterialKind, cobalt_grams: int,
                    total_grams: int, co2e_grams: int, *, lithium_grams: int = 0, nickel_grams: int = 0) -> MintResult:
        """Create an origin lot at an extraction site or recycler this participant operates.

        The caller states masses per metal (cobalt, lithium, nickel: those the kind may hold) and
        emissions only. Every metal is certified when the site holds a certification valid now; at a
        recycler every gram is recycled, split pre- and post-consumer as the auditor certified the
        site's input; the site's and operator's audited risk flags enter the lot. Minting an external
        id at the same site again returns the existing lot.
        """
        grams = (cobalt_grams, lithium_grams, nickel_grams)
        for name, value in (("cobalt_grams", cobalt_grams), ("lithium_grams", lithium_grams),
                            ("nickel_grams", nickel_grams), ("total_grams", total_grams), ("co2e_grams", co2e_grams)):
            _require_grams(name, value)
        if sum(grams) < 1:
            raise ValueError("an origin lot must contain some metal (cobalt_grams, lithium_grams or nickel_grams >= 1)")
        if sum(grams) > total_grams:
            raise ValueError(f"the lot's metals ({sum(grams)} g) exceed its total_grams {total_grams}")
        kind = MaterialKind(kind)
        for metal, amount in zip(METAL_NAMES, grams):
            if amount and not kind_may_hold(kind, METAL_NAMES.index(metal)):
                raise ValueError(f"a lot of {kind.name} holds no {metal} ({metal}_grams must be 0)")
        ledger = self.shielded
        if ledger.origin_minted(facility_id, external_id):
            lot = ledger.mint_origin(facility_id, external_id, kind, cobalt_grams, total_grams, co2e_grams,
                                     lithium_grams, nickel_grams)
            return MintResult(lot.tag, lot.note, created=False)
        require_origin_mint(self, facility_id, kind, sum(grams), co2e_grams)
        lot = ledger.mint_origin(facility_id, external_id, kind, cobalt_grams, total_grams, co2e_grams,
                                 lithium_grams, nickel_grams)
        return MintResult(lot.tag, lot.note, created=True)

    def offer(self, lot_id: int, to: str) -> ShieldedLot:
        """Offer a lot this participant holds to another participant, who accepts or disputes it."""
        return self.shielded.offer(_require_lot_id(lot_id), to)

    def cancel_offer(self, lot_id: int) -> ShieldedLot:
        """Take back a lot this participant offered and the receiver has not taken in."""
        return self.shielded.cancel_offer(_require_lot_id(lot_id))

    def accept(self, lot_id: int, measured_total_grams: int, tolerance_bps: int = 50,
               evidence: str | bytes | None = None) -> AcceptResult:
        """Weigh in a lot offered to this participant: take it in within ``tolerance_bps`` of its
        committed mass, else dispute it (an auditor resolves). The weighing's evidence hash goes on chain."""
        if isinstance(measured_total_grams, bool) or not isinstance(measured_total_grams, int):
            raise ValueError(f"the measured mass is an integer number of grams, not {measured_total_grams!r}")
        committed = self.shielded.lot(_require_lot_id(lot_id)).note.values.total_grams
        lot = self.shielded.accept(lot_id, measured_total_grams, tolerance_bps, evidence)
        deviation = abs(measured_total_grams - committed) * BPS // max(committed, 1)
        return AcceptResult(lot_id, lot.note.state == NoteState.ACTIVE, measured_total_grams, committed, deviation)

    def dispute(self, lot_id: int, measured_total_grams: int, evidence: str | bytes | None = None) -> AcceptResult:
        """Refuse an offered lot whose weighing does not match (tolerance 0): an auditor resolves it."""
        committed = self.shielded.lot(_require_lot_id(lot_id)).note.values.total_grams
        if measured_total_grams == committed:
            raise LotStateError(lot_id, message=f"lot {lot_id:#x} weighs what it should ({committed} g): accept it")
        return self.accept(lot_id, measured_total_grams, 0, evidence)

    def resolve_dispute(self, lot_id: int, outcome: DisputeOutcome, evidence: str | bytes | None = None) -> ShieldedLot:
        """Settle a disputed weighing (auditors only): deliver the lot to the receiver or return it."""
        self.require_role(Role.AUDITOR)
        return self.shielded.resolve_dispute(_require_lot_id(lot_id), DisputeOutcome(outcome) is DisputeOutcome.DELIVER_TO_RECEIVER,
                                             evidence)

    def transform(self, input_lot_ids: Sequence[int], outputs: Sequence[OutputPlan], facility_id: int,
                  process_co2e_grams: int = 0) -> TransformResult:
        """Split, merge or refine lots this participant holds at one of its facilities, proven.

        The caller states each output's grams per metal and total mass; certified and recycled grams
        per metal, embodied CO2e and risk flags follow from the inputs by the circuit's rules, checked before
        proving (zk/note_transform.py: yield loss, the site's process CO2e floor). Running the same
        job again returns its outputs.
        """
        inputs = [_require_lot_id(lot_id) for lot_id in input_lot_ids]
        site = require_transform_site(self, facility_id, inputs)
        ledger = self.shielded
        ledger.sync()
        current = [[stored for stored in ledger.store.notes_with_tag(lot_id) if not stored.spent] for lot_id in inputs]
        # A finished job's inputs are spent: the engine returns its outputs (or refuses an input not held).
        if all(current):
            require_makes_kinds(site, [MaterialKind(plan.kind) for plan in outputs],
                                [MaterialKind(notes[-1].note.kind) for notes in current])
        made = ledger.transform(facility_id, inputs, list(outputs), process_co2e_grams)
        return TransformResult(tuple(lot.tag for lot in made), tuple(lot.note for lot in made))

    # -- reading ---------------------------------------------------------------------------------

    def lot(self, lot_id: int) -> Lot:
        """The lot as this participant's note store sees it; UnknownLotError when it opens none of its notes."""
        tag = _require_lot_id(lot_id)
        ledger = self.shielded
        ledger.sync()
        notes = ledger.store.notes_with_tag(tag)
        if not notes:
            raise UnknownLotError(tag)
        history = NoteHistory(self, ledger.store)
        steps = history.steps(tag)
        status, custodian = lot_status(history, steps[-1])
        latest = notes[-1].note
        pending = history.participant(latest.owner) if latest.state == NoteState.OFFERED and status is LotStatus.IN_TRANSIT else None
        return Lot(tag, MaterialKind(latest.kind), status, custodian, pending, latest)

    def note(self, lot_id: int) -> Note:
        """The lot's current note in this participant's store (its values, owner and state)."""
        return self.shielded.lot(_require_lot_id(lot_id)).note

    def lots_held(self) -> list[Lot]:
        """The lots this participant holds now: active ones, and ones it offered or that are
        disputed and not yet taken in by the receiver."""
        key = self.shielding_public_key
        held = []
        for stored in self.shielded.lots():
            note = stored.note
            mine = note.owner == key if note.state == NoteState.ACTIVE else note.counterparty == key
            if mine:
                held.append(self.lot(stored.tag))
        return held

    def history(self, lot_id: int) -> tuple[NoteStep, ...]:
        """The lot's steps this participant's store sees, oldest first."""
        ledger = self.shielded
        ledger.sync()
        return NoteHistory(self, ledger.store).steps(_require_lot_id(lot_id))

    def genealogy(self, lot_id: int) -> list[LotNode]:
        """The lot and its ancestors as this participant's store knows them (an auditor's knows all)."""
        ledger = self.shielded
        ledger.sync()
        return genealogy_from_notes(self, ledger.store, _require_lot_id(lot_id))


__all__ = ["AcceptResult", "LedgerOperations", "Lot", "MintResult", "TransformResult"]

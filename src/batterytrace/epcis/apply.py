"""Import, second half: a plan of lot operations checked as a whole, then sent through the SDK.

The checks are the SDK's own (:func:`~batterytrace.sdk.ledger.require_operator`,
:func:`~batterytrace.sdk.ledger.require_active`, :func:`~batterytrace.sdk.ledger.require_mints_origin_lots`,
:func:`~batterytrace.sdk.ledger.require_mints_kind`, :func:`~batterytrace.sdk.ledger.require_transforms_lots`,
:func:`~batterytrace.sdk.ledger.require_makes_kinds`, the roles and the CO2e floor) and the custody
rules the shielded ledger's circuits enforce (who holds a lot, in which state, offered to whom),
applied to the lots as this participant's note store sees them
(:meth:`~batterytrace.sdk.ledger.LedgerOperations.lot`) and as the plan's earlier steps will leave
them. Each refusal is the SDK's error wrapped in an EpcisError naming the source event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from batterytrace.epcis.plan import PlannedOperation
from batterytrace.epcis.resolver import origin_lot_id, output_lot_id
from batterytrace.exceptions import (
    BatteryTraceError,
    EpcisError,
    LotStateError,
    NotCustodianError,
    NotPendingReceiverError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.model.lots import BPS, DisputeOutcome, LotStatus, MaterialKind
from batterytrace.model.registry import Role
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.ledger import require_makes_kinds, require_origin_mint, require_transform_site
from batterytrace.sdk.shielded import ran_before
from batterytrace.zk.notes import NoteState

_Arguments = Mapping[str, Any]

#: How far an imported weighing may be from the lot's committed mass and still be accepted.
ACCEPT_TOLERANCE_BPS = 50

#: The SDK call each planned operation kind makes.
_CALLS: dict[str, Callable[[BatteryTrace, _Arguments], Any]] = {
    "mint": lambda client, arguments: client.mint_origin(**arguments),
    "offer": lambda client, arguments: client.offer(arguments["lot_id"], arguments["to"]),
    "cancel_offer": lambda client, arguments: client.cancel_offer(arguments["lot_id"]),
    "accept": lambda client, arguments: client.accept(arguments["lot_id"], arguments["measured_total_grams"],
                                                      tolerance_bps=ACCEPT_TOLERANCE_BPS),
    "resolve_dispute": lambda client, arguments: client.resolve_dispute(arguments["lot_id"], arguments["outcome"]),
    "transform": lambda client, arguments: client.transform(
        list(arguments["input_lot_ids"]), list(arguments["outputs"]), arguments["facility_id"],
        arguments["process_co2e_grams"]),
}


def apply_plan(client: BatteryTrace, plan: Sequence[PlannedOperation]) -> list[Any]:
    """Run a plan with the SDK, in order, after checking everything that can be checked first.

    Before anything is sent: every facility used is active, operated by ``client`` and of a type
    that mints the kind (for mints, with ``client`` holding the minting role and the CO2e at or
    above the floor) or transforms into the kinds (for transforms); every lot offered, cancelled or
    transformed is held by ``client`` in ``client``'s note store (now, or after an earlier step of
    the plan) and in the state the step needs; every lot accepted is offered to ``client`` (a
    weighing out of tolerance disputes it, and later steps are checked so); dispute resolutions
    need the auditor role and a disputed lot. A predictable failure therefore sends nothing; the
    circuits' own rules (yield loss, process emissions) are checked by the SDK before it proves each step.

    A chain failure mid-plan (a revert, a lost node or relayer) leaves the operations before it
    applied and raises the SDK's error. Re-running the same plan doubles nothing: a mint of an
    external id minted before returns the existing lot, a transform whose outputs exist returns
    them, and a custody step already applied is refused by the checks (the lot moved on), so a
    plan is resumed from the failed step (``PlannedOperation.source_event_id`` says which).
    """
    check_plan(client, plan)
    return [_CALLS[operation.kind](client, dict(operation.arguments)) for operation in plan]


@dataclass(frozen=True)
class _PlannedLot:
    """A lot as the plan's steps so far leave it: its holder ("" once out of sight), and the
    receiver of an offer or a dispute."""

    lot_id: int
    kind: MaterialKind
    status: LotStatus
    custodian: str
    receiver: str | None
    total_grams: int


class _PlannedLots:
    """The lots a plan touches: read from the client's note store on first use, then as the plan leaves them."""

    def __init__(self, client: BatteryTrace) -> None:
        self.client = client
        self._lots: dict[int, _PlannedLot] = {}

    def known(self, lot_id: int) -> _PlannedLot | None:
        if lot_id not in self._lots:
            try:
                lot = self.client.lot(lot_id)
            except UnknownLotError:
                return None
            note = lot.note
            receiver = None
            if note.state != NoteState.ACTIVE and lot.status in (LotStatus.IN_TRANSIT, LotStatus.DISPUTED):
                receiver = self.client.participant_for_shielding_key(note.owner)
            self._lots[lot_id] = _PlannedLot(lot_id, lot.kind, lot.status, lot.custodian, receiver, lot.total_grams)
        return self._lots[lot_id]

    def get(self, lot_id: int) -> _PlannedLot:
        lot = self.known(lot_id)
        if lot is None:
            raise UnknownLotError(lot_id, f"lot {lot_id:#x} is in no note of {self.client.address}'s store: a lot "
                                          "another participant made must be offered to it first")
        return lot

    def put(self, lot: _PlannedLot) -> None:
        self._lots[lot.lot_id] = lot

    def create(self, lot_id: int, kind: MaterialKind, total_grams: int) -> None:
        """A lot the plan mints or transforms into: held by the client and ACTIVE."""
        self.put(_PlannedLot(lot_id, MaterialKind(kind), LotStatus.ACTIVE, self.client.address, None, total_grams))

    def held(self, lot_id: int, status: LotStatus) -> _PlannedLot:
        """The lot, held by the client in ``status`` (the sender holds an offered lot)."""
        lot = self.get(lot_id)
        if lot.status is not status:
            raise LotStateError(lot_id, lot.status.name, status.name)
        if lot.custodian != self.client.address:
            raise NotCustodianError(lot_id, lot.custodian or "another participant", self.client.address)
        return lot


@contextmanager
def _refusals_of(operation: PlannedOperation) -> Iterator[None]:
    """The SDK's refusal of a step, as an EpcisError naming the event the step comes from."""
    try:
        yield
    except BatteryTraceError as error:
        raise EpcisError(f"event {operation.source_event_id}: {error}") from error


def check_plan(client: BatteryTrace, plan: Sequence[PlannedOperation]) -> None:
    """The checks :func:`apply_plan` makes before sending anything (for a dry run): EpcisError
    naming the first event whose step would be refused."""
    lots = _PlannedLots(client)
    for operation in plan:
        with _refusals_of(operation):
            check = _CHECKS.get(operation.kind)
            if check is None:
                raise EpcisError(f"unknown operation {operation.kind!r}")
            check(lots, operation.arguments)


def _check_mint(lots: _PlannedLots, arguments: _Arguments) -> None:
    client = lots.client
    facility_id, external_id, kind = arguments["facility_id"], arguments["external_id"], MaterialKind(arguments["kind"])
    total, co2e = arguments["total_grams"], arguments["co2e_grams"]
    metal = arguments["cobalt_grams"] + arguments.get("lithium_grams", 0) + arguments.get("nickel_grams", 0)
    lot_id = origin_lot_id(client.shielding_keys.secret, facility_id, external_id)
    if lots.known(lot_id) is not None:
        return  # minted before (or earlier in the plan): the SDK returns the lot from the store
    if client.shielded.origin_minted(facility_id, external_id):
        raise LotStateError(lot_id, message=f"lot {lot_id:#x} was minted but is not in {client.address}'s store: rescan it")
    if not 1 <= metal <= total:
        raise EpcisError(f"an origin lot holds 1 to total_grams ({total}) g of metal, not {metal}")
    require_origin_mint(client, facility_id, kind, metal, co2e)
    lots.create(lot_id, kind, total)


def _check_offer(lots: _PlannedLots, arguments: _Arguments) -> None:
    client, receiver = lots.client, arguments["to"]
    lot = lots.held(arguments["lot_id"], LotStatus.ACTIVE)
    if receiver.lower() == client.address.lower() or not client.is_participant(receiver) \
            or client.participant(receiver).shielding_key == 0:
        raise UnknownParticipantError(receiver, f"{receiver} is not another registered participant with a shielding key")
    lots.put(replace(lot, status=LotStatus.IN_TRANSIT, receiver=receiver))


def _check_cancel_offer(lots: _PlannedLots, arguments: _Arguments) -> None:
    lot = lots.held(arguments["lot_id"], LotStatus.IN_TRANSIT)
    lots.put(replace(lot, status=LotStatus.ACTIVE, receiver=None))


def _check_accept(lots: _PlannedLots, arguments: _Arguments) -> None:
    me = lots.client.address
    lot = lots.get(arguments["lot_id"])
    if lot.status is not LotStatus.IN_TRANSIT:
        raise LotStateError(lot.lot_id, lot.status.name, LotStatus.IN_TRANSIT.name)
    if lot.receiver != me:
        raise NotPendingReceiverError(lot.lot_id, lot.receiver, me)
    measured = arguments["measured_total_grams"]
    if abs(measured - lot.total_grams) * BPS <= ACCEPT_TOLERANCE_BPS * lot.total_grams:
        lots.put(replace(lot, custodian=me, status=LotStatus.ACTIVE, receiver=None))
    else:  # out of tolerance: disputed, the sender keeps custody until an auditor resolves it
        lots.put(replace(lot, status=LotStatus.DISPUTED))


def _check_resolve_dispute(lots: _PlannedLots, arguments: _Arguments) -> None:
    lots.client.require_role(Role.AUDITOR)
    lot = lots.get(arguments["lot_id"])
    if lot.status is not LotStatus.DISPUTED:
        raise LotStateError(lot.lot_id, lot.status.name, LotStatus.DISPUTED.name)
    delivered = DisputeOutcome(arguments["outcome"]) is DisputeOutcome.DELIVER_TO_RECEIVER
    custodian = (lot.receiver or "") if delivered else lot.custodian
    lots.put(replace(lot, custodian=custodian, status=LotStatus.ACTIVE, receiver=None))


def _check_transform(lots: _PlannedLots, arguments: _Arguments) -> None:
    client = lots.client
    inputs, outputs, facility_id = tuple(arguments["input_lot_ids"]), tuple(arguments["outputs"]), arguments["facility_id"]
    site = require_transform_site(client, facility_id, inputs)
    tags = [output_lot_id(client.shielding_keys.secret, facility_id, output.external_id) for output in outputs]
    if ran_before(facility_id, len(inputs), outputs, tags, lambda tag: lots.known(tag) is not None):
        return  # run before: the SDK returns its outputs
    held = [lots.held(lot_id, LotStatus.ACTIVE) for lot_id in inputs]
    require_makes_kinds(site, [MaterialKind(output.kind) for output in outputs], [lot.kind for lot in held])
    for lot in held:
        lots.put(replace(lot, status=LotStatus.CONSUMED))
    for output, tag in zip(outputs, tags, strict=True):
        lots.create(tag, output.kind, output.total_grams)


_CHECKS: dict[str, Callable[[_PlannedLots, _Arguments], None]] = {
    "mint": _check_mint,
    "offer": _check_offer,
    "cancel_offer": _check_cancel_offer,
    "accept": _check_accept,
    "resolve_dispute": _check_resolve_dispute,
    "transform": _check_transform,
}

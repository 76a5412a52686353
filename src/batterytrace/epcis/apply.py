"""Import, second half: a plan of lot operations checked as a whole, then sent through the SDK.

The checks are the SDK's own rules (:func:`~batterytrace.sdk.lots.require_custody`,
:func:`~batterytrace.sdk.lots.require_status`, :func:`~batterytrace.sdk.lots.require_operator`,
:func:`~batterytrace.sdk.custody.require_pending_receiver`, the facility-type rules of
:mod:`batterytrace.model.facilities`), applied to the lots as the plan will leave them rather than as
they are now; each refusal is the SDK's error wrapped in an EpcisError naming the source event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from batterytrace.epcis.plan import PlannedOperation
from batterytrace.exceptions import BatteryTraceError, EpcisError
from batterytrace.model.facilities import minting_role
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import CustodyModel, Lot, LotStatus, MaterialKind
from batterytrace.model.registry import Facility, Role
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.custody import require_pending_receiver, require_receiver
from batterytrace.sdk.lots import (
    require_custody,
    require_mints_origin_lots,
    require_operator,
    require_status,
    require_transforms_lots,
)

_Arguments = Mapping[str, Any]

#: The SDK call each planned operation kind makes.
_CALLS: dict[str, Callable[[BatteryTrace, _Arguments], Any]] = {
    "mint": lambda client, arguments: client.mint_origin(**arguments),
    "offer": lambda client, arguments: client.offer(arguments["lot_id"], arguments["to"]),
    "cancel_offer": lambda client, arguments: client.cancel_offer(arguments["lot_id"]),
    "accept": lambda client, arguments: client.accept(arguments["lot_id"], arguments["measured_total_grams"]),
    "resolve_dispute": lambda client, arguments: client.resolve_dispute(arguments["lot_id"], arguments["outcome"]),
    "transform": lambda client, arguments: client.transform(
        list(arguments["input_lot_ids"]), list(arguments["outputs"]), arguments["facility_id"],
        arguments["process_co2e_grams"]),
}


def apply_plan(client: BatteryTrace, plan: Sequence[PlannedOperation]) -> list[Any]:
    """Run a plan with the SDK, in order, after checking everything that can be checked first.

    Before anything is sent: every facility used is operated by ``client`` and of a type that
    mints (for mints, with ``client`` holding the minting role) or transforms (for transforms);
    every lot offered, cancelled or transformed is held by ``client`` (now, or by an earlier step of
    the plan) and in the status the step needs; every lot accepted is in transit to ``client``;
    dispute resolutions need the auditor role. A predictable failure therefore sends nothing. A
    chain failure mid-plan (a revert, a lost node) leaves the operations before it applied and
    raises the SDK's error; re-running the same plan is safe for mints (the lot id comes from the
    external id, so a second mint returns the existing lot) but the other steps must be resumed
    from the failed one (``PlannedOperation.source_event_id`` says which).
    """
    _precheck(client, plan)
    return [_CALLS[operation.kind](client, dict(operation.arguments)) for operation in plan]


class _PlannedLots:
    """The lots a plan touches, as its steps so far leave them: read from the chain on first use."""

    def __init__(self, client: BatteryTrace) -> None:
        self.client = client
        self._lots: dict[int, Lot] = {}

    def get(self, lot_id: int) -> Lot:
        if lot_id not in self._lots:
            self._lots[lot_id] = self.client.lot(lot_id)
        return self._lots[lot_id]

    def put(self, lot: Lot) -> None:
        self._lots[lot.lot_id] = lot

    def create(self, external_id: str, facility_id: int, kind: MaterialKind, custody_model: CustodyModel,
               parent_ids: Sequence[int] = ()) -> None:
        """A lot the plan mints or transforms into: held by the client and ACTIVE. Only custody and
        status are ever checked, so what the chain will add (commitment, schemes, time) is left empty."""
        me = self.client.address
        self.put(Lot(
            lot_id=lot_id_for(me, external_id), custodian=me, creator=me, facility_id=int(facility_id),
            created_at=datetime.now(timezone.utc), kind=MaterialKind(kind), status=LotStatus.ACTIVE,
            custody_model=CustodyModel(custody_model), certified_schemes=frozenset(), commitment=0,
            tag_id=bytes(32), pending_receiver=None, parent_ids=tuple(parent_ids),
        ))


@contextmanager
def _refusals_of(operation: PlannedOperation) -> Iterator[None]:
    """The SDK's refusal of a step, as an EpcisError naming the event the step comes from."""
    try:
        yield
    except BatteryTraceError as error:
        raise EpcisError(f"event {operation.source_event_id}: {error}") from error


def _precheck(client: BatteryTrace, plan: Sequence[PlannedOperation]) -> None:
    lots = _PlannedLots(client)
    for operation in plan:
        with _refusals_of(operation):
            check = _CHECKS.get(operation.kind)
            if check is None:
                raise EpcisError(f"unknown operation {operation.kind!r}")
            check(lots, operation.arguments)


def _operated_site(client: BatteryTrace, facility_id: int) -> Facility:
    site = client.facility(facility_id)
    require_operator(site, client.address)
    return site


def _check_mint(lots: _PlannedLots, arguments: _Arguments) -> None:
    client = lots.client
    site = _operated_site(client, arguments["facility_id"])
    require_mints_origin_lots(site, client.address)
    client.require_role(minting_role(site.facility_type))
    lots.create(arguments["external_id"], site.facility_id, arguments["kind"],
                arguments.get("custody_model", CustodyModel.SEGREGATED))


def _check_offer(lots: _PlannedLots, arguments: _Arguments) -> None:
    client, receiver = lots.client, arguments["to"]
    lot = lots.get(arguments["lot_id"])
    require_custody(lot, client.address)
    require_status(lot, LotStatus.ACTIVE)
    require_receiver(receiver, client.address, receiver != client.address and client.is_participant(receiver))
    lots.put(replace(lot, status=LotStatus.IN_TRANSIT, pending_receiver=receiver))


def _check_cancel_offer(lots: _PlannedLots, arguments: _Arguments) -> None:
    lot = lots.get(arguments["lot_id"])
    require_custody(lot, lots.client.address)
    require_status(lot, LotStatus.IN_TRANSIT)
    lots.put(replace(lot, status=LotStatus.ACTIVE, pending_receiver=None))


def _check_accept(lots: _PlannedLots, arguments: _Arguments) -> None:
    lot = lots.get(arguments["lot_id"])
    require_pending_receiver(lot, lots.client.address)
    # A weighing outside tolerance disputes the lot instead; the plan cannot know which, so later
    # steps are checked as if it were accepted and the SDK refuses them then.
    lots.put(replace(lot, custodian=lots.client.address, status=LotStatus.ACTIVE, pending_receiver=None))


def _check_resolve_dispute(lots: _PlannedLots, arguments: _Arguments) -> None:
    lots.client.require_role(Role.AUDITOR)


def _check_transform(lots: _PlannedLots, arguments: _Arguments) -> None:
    client = lots.client
    site = _operated_site(client, arguments["facility_id"])
    require_transforms_lots(site, client.address)
    inputs = tuple(arguments["input_lot_ids"])
    for lot_id in inputs:
        lot = lots.get(lot_id)
        require_custody(lot, client.address)
        require_status(lot, LotStatus.ACTIVE)
        lots.put(replace(lot, status=LotStatus.CONSUMED))
    for output in arguments["outputs"]:
        lots.create(output.external_id, site.facility_id, output.kind, output.custody_model, inputs)


_CHECKS: dict[str, Callable[[_PlannedLots, _Arguments], None]] = {
    "mint": _check_mint,
    "offer": _check_offer,
    "cancel_offer": _check_cancel_offer,
    "accept": _check_accept,
    "resolve_dispute": _check_resolve_dispute,
    "transform": _check_transform,
}

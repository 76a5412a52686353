"""Export from a live deployment: lot events read through the deployment's one event decoder
(:meth:`~batterytrace.sdk.deployment.Deployment.event_decoder`), then written by
:func:`~batterytrace.epcis.export.export_events`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from batterytrace.epcis.export import EXPORTED_EVENTS, ExportContext, FacilityInfo, export_events
from batterytrace.evm.events import BlockTimes, DecodedEvent, indexed_topic
from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import LotEvent
from batterytrace.sdk.client import BatteryTrace
from batterytrace.zk.commitment import Opening


def context_for_client(
    client: BatteryTrace,
    facility_ids: Iterable[int] = (),
    facility_glns: Mapping[int, str] | None = None,
    party_glns: Mapping[str, str] | None = None,
) -> ExportContext:
    """An ExportContext for a client's deployment, with the named facilities read from the registry."""
    glns = facility_glns or {}
    facilities = {}
    for facility_id in sorted(set(int(item) for item in facility_ids)):
        site = client.facility(facility_id)
        facilities[facility_id] = FacilityInfo(site.site_id, site.facility_type, site.country, glns.get(facility_id))
    return ExportContext(
        chain_id=client.chain.chain_id,
        lots_contract=client.deployment.lots,
        registry=client.deployment.registry,
        facilities=facilities,
        party_glns=dict(party_glns or {}),
    )


def _facility_ids(events: Iterable[LotEvent]) -> set[int]:
    return {int(event.arguments["facilityId"]) for event in events if "facilityId" in event.arguments}


def _lots_events(
    client: BatteryTrace, from_block: int, to_block: int | str, topics: Sequence[Any], names: Sequence[str]
) -> list[DecodedEvent]:
    decoder = client.deployment.event_decoder(client.chain)
    found = decoder.logs(from_block, to_block, contracts=["lots"], topics=[
        [decoder.topic("lots", name) for name in names], *topics], events=names)
    return [event for event in found if isinstance(event, DecodedEvent)]


def _transformed_lots(event: LotEvent | DecodedEvent) -> set[int]:
    args = event.arguments if isinstance(event, LotEvent) else event.args
    return {int(lot_id) for lot_id in (*args["inputLotIds"], *args["outputLotIds"])}


def _linked_events(client: BatteryTrace, lot_ids: set[int]) -> list[LotEvent]:
    """The creation of each of ``lot_ids``, and every transformation any of them took part in."""
    if not lot_ids:
        return []
    start = client.deployment.block_number
    created = _lots_events(client, start, "latest", [[indexed_topic(lot_id) for lot_id in sorted(lot_ids)]], ["LotCreated"])
    transformed = [event for event in _lots_events(client, start, "latest", [], ["LotsTransformed"])
                   if _transformed_lots(event) & lot_ids]
    times = BlockTimes(client.chain.w3)
    events = [LotEvent.from_decoded(event, int(event.args["lotId"]), times(event.block_number)) for event in created]
    events += [LotEvent.from_decoded(event, min(_transformed_lots(event) & lot_ids), times(event.block_number))
               for event in transformed]
    return events


def export_lot_history(client: BatteryTrace, lot_id: int, include_confidential: bool = False) -> dict[str, Any]:
    """A lot's history as EPCIS, with the creation of the other lots its transformations link to
    (and the other transformations those lots took part in).

    Confidential values come from the client's own opening store, for the lots it has openings of.
    """
    events = list(client.history(lot_id))
    linked = set()
    for event in events:
        if event.name == "LotsTransformed":
            linked.update(_transformed_lots(event))
    linked.discard(lot_id)
    events.extend(_linked_events(client, linked))
    events.sort(key=lambda item: (item.block_number, item.log_index))
    openings: dict[int, Opening] = {}
    if include_confidential:
        for known in {lot_id, *linked}:
            opening = client.store.get(client.chain.chain_id, client.deployment.lots, known)
            if opening is not None:
                openings[known] = opening
    context = context_for_client(client, _facility_ids(events))
    return export_events(events, context, openings, include_confidential=include_confidential)


def export_block_range(client: BatteryTrace, from_block: int, to_block: int) -> dict[str, Any]:
    """Every lots-contract event in blocks ``from_block``..``to_block`` as EPCIS (public data only)."""
    if from_block > to_block:
        raise EpcisError(f"the block range {from_block}..{to_block} is empty")
    times = BlockTimes(client.chain.w3)
    events = [
        LotEvent.from_decoded(event, int(event.args.get("lotId", event.args.get("transformId", 0))),
                              times(event.block_number))
        for event in _lots_events(client, from_block, to_block, [], EXPORTED_EVENTS)
    ]
    return export_events(events, context_for_client(client, _facility_ids(events)))

"""A lot's genealogy rebuilt from the chain alone."""

from __future__ import annotations

from batterytrace.model.genealogy import LotNode
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace


def genealogy_from_chain(client: BatteryTrace, lot_id: int) -> list[LotNode]:
    """A lot (depth 0) and all its ancestors, read from the chain by walking ``parent_ids``.

    Without an index this makes one call per lot and facility. A facility's risk flags are read
    as they are now; the indexer records them as they were when each lot was created.
    """
    facilities = {}
    nodes: dict[int, LotNode] = {}
    frontier = [(lot_id, 0)]
    while frontier:
        current, depth = frontier.pop(0)
        if current in nodes:
            continue
        lot = client.lot(current)
        if lot.facility_id not in facilities:
            facilities[lot.facility_id] = client.facility(lot.facility_id)
        site = facilities[lot.facility_id]
        nodes[current] = LotNode(
            lot_id=current, kind=lot.kind, facility_id=lot.facility_id, facility_type=site.facility_type,
            country=site.country, creator=lot.creator, custodian=lot.custodian, status=lot.status,
            certified_schemes=lot.certified_schemes, risk_flags=site.risk_flags if not lot.parent_ids else RiskFlag.NONE,
            parent_ids=lot.parent_ids, created_block=0, depth=depth,
        )
        frontier.extend((parent, depth + 1) for parent in lot.parent_ids)
    return sorted(nodes.values(), key=lambda node: (node.depth, node.lot_id))

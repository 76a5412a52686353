"""The read side of the index: genealogy and custody questions answered from the derived tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from eth_utils import to_checksum_address

from batterytrace.indexer.database import Database, lot_key
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotEvent, LotStatus, MaterialKind
from batterytrace.model.registry import FacilityType, schemes_from_mask
from batterytrace.model.risk import RiskFlag

_NODE_COLUMNS = (
    "l.lot_id, l.kind, l.facility_id, f.facility_type, f.country, l.creator, l.custodian, l.status, "
    "l.certified_schemes, l.risk_flags, l.created_block"
)
# Only constants are formatted into these statements; every value is a ? parameter.
_NODES_FROM = f"SELECT {_NODE_COLUMNS} FROM lots l LEFT JOIN facilities f ON f.facility_id = l.facility_id"


class IndexQueries:
    """Queries over an index's tables; :class:`~batterytrace.indexer.Indexer` answers them too."""

    db: Database

    def _nodes(self, rows: Sequence[tuple[Any, ...]], depths: Mapping[str, int] | None = None) -> list[LotNode]:
        keys = [row[0] for row in rows]
        parents: dict[str, list[int]] = {key: [] for key in keys}
        if keys:
            placeholders = ", ".join("?" for _ in keys)
            for child, parent in self.db.execute(
                f"SELECT child_id, parent_id FROM lot_parents WHERE child_id IN ({placeholders}) ORDER BY position",
                keys,
            ):
                parents[child].append(int(parent, 16))
        nodes = []
        for key, kind, facility_id, facility_type, country, creator, custodian, status, schemes, flags, created in rows:
            nodes.append(LotNode(
                lot_id=int(key, 16),
                kind=MaterialKind(kind),
                facility_id=int(facility_id),
                facility_type=None if facility_type is None else FacilityType(facility_type),
                country=country or "",
                creator=creator,
                custodian=custodian,
                status=LotStatus(status),
                certified_schemes=schemes_from_mask(int(schemes)),
                risk_flags=RiskFlag(int(flags)),
                parent_ids=tuple(parents[key]),
                created_block=int(created),
                depth=(depths or {}).get(key, 0),
            ))
        return sorted(nodes, key=lambda node: (node.depth, node.lot_id))

    def lot(self, lot_id: int) -> LotNode | None:
        """The indexed record of one lot, or None if the index has not seen it."""
        rows = self.db.execute(f"{_NODES_FROM} WHERE l.lot_id = ?", (lot_key(lot_id),))
        return self._nodes(rows)[0] if rows else None

    def _related(self, lot_id: int, step_from: str, step_to: str) -> list[LotNode]:
        # Walks lot_parents from `step_from` to `step_to`; depth is the shortest number of steps.
        rows = self.db.execute(
            f"""WITH RECURSIVE walk (lot_id, depth) AS (
                    SELECT {step_to}, 1 FROM lot_parents WHERE {step_from} = ?
                    UNION
                    SELECT p.{step_to}, w.depth + 1 FROM lot_parents p JOIN walk w ON p.{step_from} = w.lot_id
                )
                SELECT lot_id, MIN(depth) FROM walk GROUP BY lot_id""",  # column names are constants
            (lot_key(lot_id),),
        )
        depths = {key: int(depth) for key, depth in rows}
        if not depths:
            return []
        placeholders = ", ".join("?" for _ in depths)
        nodes = self.db.execute(f"{_NODES_FROM} WHERE l.lot_id IN ({placeholders})", list(depths))
        return self._nodes(nodes, depths)

    def ancestors(self, lot_id: int) -> list[LotNode]:
        """Every lot this lot's material came from, back to the origin lots (nearest first)."""
        return self._related(lot_id, "child_id", "parent_id")

    def descendants(self, lot_id: int) -> list[LotNode]:
        """Every lot made, directly or through other lots, from this lot's material (nearest first)."""
        return self._related(lot_id, "parent_id", "child_id")

    def origin_lots(self, lot_id: int) -> list[LotNode]:
        """The origin lots (mined or recycled, without parents) behind a lot; the lot itself if it is one."""
        own = self.lot(lot_id)
        if own is not None and own.is_origin:
            return [own]
        return [node for node in self.ancestors(lot_id) if node.is_origin]

    def genealogy(self, lot_id: int) -> list[LotNode]:
        """The lot itself (depth 0) and all its ancestors: what :func:`render_genealogy` draws."""
        own = self.lot(lot_id)
        return ([own] if own is not None else []) + self.ancestors(lot_id)

    def lot_history(self, lot_id: int) -> list[LotEvent]:
        """The indexed events of one lot's life, oldest first."""
        rows = self.db.execute(
            "SELECT e.event_name, e.block_number, e.transaction_hash, e.log_index, b.block_timestamp, e.args "
            "FROM lot_events le JOIN events e ON e.block_number = le.block_number AND e.log_index = le.log_index "
            "JOIN blocks b ON b.block_number = e.block_number WHERE le.lot_id = ? ORDER BY e.block_number, e.log_index",
            (lot_key(lot_id),),
        )
        return [
            LotEvent(name=name, lot_id=lot_id, block_number=int(block), transaction_hash=transaction,
                     log_index=int(index), timestamp=datetime.fromtimestamp(int(timestamp), tz=timezone.utc),
                     arguments=json.loads(args))
            for name, block, transaction, index, timestamp, args in rows
        ]

    def lots_held(self, address: str) -> list[LotNode]:
        """Lots ``address`` holds now that are not consumed."""
        rows = self.db.execute(f"{_NODES_FROM} WHERE l.custodian = ? AND l.status <> ?",
                               (to_checksum_address(address), int(LotStatus.CONSUMED)))
        return self._nodes(rows)

    def passport_lots(self, passport_id: int) -> list[LotNode]:
        """The pack lot a passport is bound to (depth 0) and every lot behind it."""
        rows = self.db.execute("SELECT pack_lot_id FROM passports WHERE passport_id = ?", (lot_key(passport_id),))
        if not rows:
            return []
        return self.genealogy(int(rows[0][0], 16))

    def event_count(self) -> int:
        """How many raw events the index holds."""
        return int(self.db.execute("SELECT COUNT(*) FROM events")[0][0])

"""What a keyless observer should link, derived from the steps a test (or the demo) took: each
operation with the parties its transaction names in public and the public lots it touches. The
observer's tests compare ``batterytrace.sdk.observer``'s report with this."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from eth_utils import to_checksum_address


@dataclass
class Story:
    """Operations as they were taken: (type, parties named in public, public lot ids)."""

    operations: list[tuple[str, frozenset[str], tuple[int, ...]]] = field(default_factory=list)
    created: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def did(self, operation: str, parties: Iterable[str] = (), lots: Iterable[int] = ()) -> None:
        self.operations.append((operation, frozenset(to_checksum_address(party) for party in parties), tuple(lots)))

    def created_lot(self, creator: str, kind: str) -> None:
        self.created[to_checksum_address(creator)][kind] += 1

    @property
    def by_type(self) -> dict[str, tuple[int, int]]:
        """(total, linked) per type: an operation is linked when it names a party in public."""
        totals = Counter(operation for operation, _parties, _lots in self.operations)
        linked = Counter(operation for operation, parties, _lots in self.operations if parties)
        return {operation: (totals[operation], linked[operation]) for operation in totals}

    @property
    def pairs(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(operations naming both, lots whose operations name both) per sorted pair."""
        by_operation: Counter[tuple[str, str]] = Counter()
        on_lot: dict[int, set[str]] = defaultdict(set)
        for _operation, parties, lots in self.operations:
            by_operation.update(combinations(sorted(parties), 2))
            for lot_id in lots:
                on_lot[lot_id] |= parties
        by_lot: Counter[tuple[str, str]] = Counter()
        for parties in on_lot.values():
            by_lot.update(combinations(sorted(parties), 2))
        return {pair: (by_operation[pair], by_lot[pair]) for pair in set(by_operation) | set(by_lot)}

    @property
    def exposures(self) -> dict[str, tuple[int, dict[str, int]]]:
        """(operations naming it, lots it created by kind) per participant named or creating."""
        named = Counter(party for _operation, parties, _lots in self.operations for party in parties)
        return {party: (named[party], dict(self.created.get(party, {}))) for party in set(named) | set(self.created)}


def report_pairs(report) -> dict[tuple[str, str], tuple[int, int]]:
    return {(pair.first, pair.second): (pair.operations, pair.lots) for pair in report.pairs}


def report_exposures(report) -> dict[str, tuple[int, dict[str, int]]]:
    return {item.address: (item.operations, dict(item.lots_created)) for item in report.exposures}


def json_pairs(data: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """The same from the report's JSON (``batterytrace observe --json``)."""
    return {(pair["first"], pair["second"]): (pair["operations"], pair["lots"]) for pair in data["pairs"]}


def json_exposures(data: dict) -> dict[str, tuple[int, dict[str, int]]]:
    return {item["address"]: (item["operations"], item["lotsCreated"]) for item in data["exposures"]}

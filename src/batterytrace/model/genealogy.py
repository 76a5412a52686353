"""A lot as a node of a genealogy: what a note store's history, the picture and the passport share."""

from __future__ import annotations

from dataclasses import dataclass

from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.model.risk import RiskFlag


@dataclass(frozen=True)
class LotNode:
    """A lot as a node of the genealogy graph; ``depth`` counts generations back from the queried lot.

    ``risk_flags`` are those the auditors had recorded for the lot's facility when it was created.
    """

    lot_id: int
    kind: MaterialKind
    facility_id: int
    facility_type: FacilityType | None
    country: str
    creator: str
    custodian: str
    status: LotStatus
    certified_schemes: frozenset[Scheme]
    risk_flags: RiskFlag
    parent_ids: tuple[int, ...]
    created_block: int
    depth: int = 0

    @property
    def is_origin(self) -> bool:
        return not self.parent_ids

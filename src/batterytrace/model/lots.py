"""Lots: material kinds, the statuses a lot passes through, and what an ERP states of a transform's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

BPS = 10_000
UINT64_MAX = 2**64 - 1


class MaterialKind(IntEnum):
    COBALT_ORE = 0
    COBALT_HYDROXIDE = 1
    CRUDE_COBALT_SULFATE = 2
    REFINED_COBALT_SULFATE = 3
    COBALT_METAL = 4
    PRECURSOR = 5
    CATHODE = 6
    CELL = 7
    MODULE = 8
    PACK = 9
    BLACK_MASS = 10
    RECYCLED_COBALT_SULFATE = 11


class LotStatus(IntEnum):
    """A lot's status as a participant's note store sees it: ACTIVE with its holder, IN_TRANSIT while
    offered, DISPUTED after a weighing out of tolerance, CONSUMED once a transform or a passport
    spent it, NONE once it moved on out of the store's sight."""

    NONE = 0
    ACTIVE = 1
    IN_TRANSIT = 2
    DISPUTED = 3
    CONSUMED = 4


class DisputeOutcome(IntEnum):
    DELIVER_TO_RECEIVER = 0
    RETURN_TO_SENDER = 1


@dataclass(frozen=True)
class OutputPlan:
    """One output lot of a transform as the ERP states it: its id (unique among the site's
    outputs), kind, cobalt and total mass. The rules allocate certified and recycled grams, CO2e
    and risk flags."""

    external_id: str | int
    kind: MaterialKind
    cobalt_grams: int
    total_grams: int

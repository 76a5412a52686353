"""Lots: material kinds, the statuses a lot passes through, and what an ERP states of a transform's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from batterytrace.zk.notes import COBALT, LITHIUM, METALS, NICKEL
from batterytrace.zk.notes import KIND_METALS as _CIRCUIT_KIND_METALS

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
    LITHIUM_BRINE_CONCENTRATE = 12
    SPODUMENE_CONCENTRATE = 13
    LITHIUM_CARBONATE = 14
    LITHIUM_HYDROXIDE = 15
    NICKEL_ORE = 16
    #: Mixed hydroxide precipitate (HPAL) or nickel matte.
    NICKEL_INTERMEDIATE = 17
    NICKEL_SULFATE = 18


#: The metals a lot carries and their indices, the circuits' order (``zk.notes``: one home).
METAL_NAMES = METALS
#: The metals (indices) a lot of each kind may hold: the circuits refuse a note of a kind holding
#: grams of any other (notes.circom's KIND_HOLDING, twinned by ``zk.notes.KIND_METALS``). The cobalt
#: kinds hold cobalt only, pCAM cobalt and nickel, CAM to pack and black mass all three, the lithium
#: and nickel kinds their own metal.
KIND_METALS: dict[MaterialKind, frozenset[int]] = {
    kind: frozenset(metal for metal, kinds in enumerate(_CIRCUIT_KIND_METALS) if int(kind) in kinds)
    for kind in MaterialKind
}


def kind_may_hold(kind: MaterialKind, metal_index: int) -> bool:
    """Whether a lot of ``kind`` may hold the metal ``metal_index`` (0 cobalt, 1 lithium, 2 nickel)."""
    if metal_index not in (COBALT, LITHIUM, NICKEL):
        raise ValueError(f"metal index {metal_index} is none of 0 (cobalt), 1 (lithium), 2 (nickel)")
    return metal_index in KIND_METALS[MaterialKind(kind)]


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
    outputs), kind, grams of each metal and total mass. The rules allocate certified and recycled
    grams per metal, CO2e and risk flags."""

    external_id: str | int
    kind: MaterialKind
    cobalt_grams: int
    total_grams: int
    lithium_grams: int = 0
    nickel_grams: int = 0

    @property
    def grams(self) -> tuple[int, int, int]:
        """The output's grams per metal, in ``METAL_NAMES`` order."""
        return (self.cobalt_grams, self.lithium_grams, self.nickel_grams)

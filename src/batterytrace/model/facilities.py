"""Which facility types do what, and which role may operate each: the Python twin of
``contracts/Roles.sol`` (``mayOperate``, ``mintsOriginLots``, ``transformsLots``, ``mintsKind``,
``madeKinds``)."""

from __future__ import annotations

from collections.abc import Iterable

from batterytrace.model.lots import MaterialKind
from batterytrace.model.registry import FacilityType, Role

#: Facility types each participant role may register and operate.
OPERATED_BY: dict[Role, frozenset[FacilityType]] = {
    Role.MINER: frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE}),
    Role.PROCESSOR: frozenset({FacilityType.REFINERY, FacilityType.PRECURSOR_PLANT, FacilityType.CATHODE_PLANT}),
    Role.CELL_MAKER: frozenset({FacilityType.CELL_PLANT}),
    Role.PACK_MAKER: frozenset({FacilityType.PACK_PLANT}),
    Role.OEM: frozenset({FacilityType.PACK_PLANT}),
    Role.RECYCLER: frozenset({FacilityType.RECYCLER}),
    # Authorities correct passports' statuses; like auditors, they operate no facility.
    Role.AUTHORITY: frozenset(),
}
#: Where origin lots come from: extraction sites and recyclers.
ORIGIN_TYPES = frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.RECYCLER})
#: Extraction sites create lots and never transform them.
EXTRACTION_TYPES = frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE})
#: The kinds an origin lot may have at each origin type.
ORIGIN_KINDS: dict[FacilityType, frozenset[MaterialKind]] = {
    FacilityType.INDUSTRIAL_MINE: frozenset({MaterialKind.COBALT_ORE, MaterialKind.COBALT_HYDROXIDE}),
    FacilityType.ARTISANAL_SITE: frozenset({MaterialKind.COBALT_ORE, MaterialKind.COBALT_HYDROXIDE}),
    FacilityType.RECYCLER: frozenset({MaterialKind.BLACK_MASS}),
}
#: The kinds a transformation makes at each facility type (besides its inputs' own kinds).
MADE_KINDS: dict[FacilityType, frozenset[MaterialKind]] = {
    FacilityType.REFINERY: frozenset({MaterialKind.CRUDE_COBALT_SULFATE, MaterialKind.REFINED_COBALT_SULFATE,
                                      MaterialKind.COBALT_METAL}),
    FacilityType.PRECURSOR_PLANT: frozenset({MaterialKind.PRECURSOR}),
    FacilityType.CATHODE_PLANT: frozenset({MaterialKind.CATHODE}),
    FacilityType.CELL_PLANT: frozenset({MaterialKind.CELL}),
    FacilityType.PACK_PLANT: frozenset({MaterialKind.MODULE, MaterialKind.PACK}),
    FacilityType.RECYCLER: frozenset({MaterialKind.BLACK_MASS, MaterialKind.RECYCLED_COBALT_SULFATE}),
}
#: Where cells and packs are assembled (EPCIS: bizStep "assembling" rather than "transforming").
ASSEMBLY_TYPES = frozenset({FacilityType.CELL_PLANT, FacilityType.PACK_PLANT})


def may_operate(role: Role, facility_type: FacilityType) -> bool:
    """Whether a participant of ``role`` may register and operate a facility of this type."""
    return facility_type in OPERATED_BY.get(role, frozenset())


def mints_origin_lots(facility_type: FacilityType) -> bool:
    """Whether origin lots may be minted at a facility of this type."""
    return facility_type in ORIGIN_TYPES


def transforms_lots(facility_type: FacilityType) -> bool:
    """Whether lots may be transformed at a facility of this type (everything but extraction)."""
    return facility_type not in EXTRACTION_TYPES


def minting_role(facility_type: FacilityType) -> Role:
    """The role that mints origin lots at a facility of this type."""
    return Role.RECYCLER if facility_type is FacilityType.RECYCLER else Role.MINER


def mints_kind(facility_type: FacilityType, kind: MaterialKind) -> bool:
    """Whether an origin lot of ``kind`` may be minted at a facility of this type."""
    return kind in ORIGIN_KINDS.get(facility_type, frozenset())


def makes_kind(facility_type: FacilityType, kind: MaterialKind, input_kinds: Iterable[MaterialKind] = ()) -> bool:
    """Whether a transformation at a facility of this type may output ``kind``: one its type makes,
    or the kind of one of its inputs (a split or merge)."""
    return kind in MADE_KINDS.get(facility_type, frozenset()) or kind in set(input_kinds)

"""Which facility types do what, which role may operate each and which certification schemes cover
their metal: the Python twin of ``contracts/Roles.sol`` (``mayOperate``, ``schemeCovers``) and of
the origin and transform circuits' tables (origin and made kinds)."""

from __future__ import annotations

from collections.abc import Iterable

from batterytrace.model.lots import COBALT, LITHIUM, NICKEL, MaterialKind
from batterytrace.model.registry import FacilityType, Role, Scheme

#: Facility types each participant role may register and operate.
OPERATED_BY: dict[Role, frozenset[FacilityType]] = {
    Role.MINER: frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.BRINE_OPERATION,
                           FacilityType.HARD_ROCK_MINE, FacilityType.NICKEL_MINE}),
    Role.PROCESSOR: frozenset({FacilityType.REFINERY, FacilityType.PRECURSOR_PLANT, FacilityType.CATHODE_PLANT,
                               FacilityType.LITHIUM_REFINERY, FacilityType.NICKEL_REFINERY}),
    Role.CELL_MAKER: frozenset({FacilityType.CELL_PLANT}),
    Role.PACK_MAKER: frozenset({FacilityType.PACK_PLANT}),
    Role.OEM: frozenset({FacilityType.PACK_PLANT}),
    Role.RECYCLER: frozenset({FacilityType.RECYCLER}),
    # Authorities correct passports' statuses; like auditors, they operate no facility.
    Role.AUTHORITY: frozenset(),
}
#: Extraction sites create lots and never transform them.
EXTRACTION_TYPES = frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.BRINE_OPERATION,
                              FacilityType.HARD_ROCK_MINE, FacilityType.NICKEL_MINE})
#: Where origin lots come from: extraction sites and recyclers.
ORIGIN_TYPES = EXTRACTION_TYPES | {FacilityType.RECYCLER}
#: The origin types in the order of their rulebook floors in the origin circuit's packed
#: ``typeFloors`` signal (``ShieldedLedger._typeFloors``): type i's floor at bits 32 * i.
ORIGIN_FLOOR_TYPES = (FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.RECYCLER,
                      FacilityType.BRINE_OPERATION, FacilityType.HARD_ROCK_MINE, FacilityType.NICKEL_MINE)
#: The kinds an origin lot may have at each origin type.
ORIGIN_KINDS: dict[FacilityType, frozenset[MaterialKind]] = {
    FacilityType.INDUSTRIAL_MINE: frozenset({MaterialKind.COBALT_ORE, MaterialKind.COBALT_HYDROXIDE}),
    FacilityType.ARTISANAL_SITE: frozenset({MaterialKind.COBALT_ORE, MaterialKind.COBALT_HYDROXIDE}),
    FacilityType.RECYCLER: frozenset({MaterialKind.BLACK_MASS}),
    FacilityType.BRINE_OPERATION: frozenset({MaterialKind.LITHIUM_BRINE_CONCENTRATE}),
    FacilityType.HARD_ROCK_MINE: frozenset({MaterialKind.SPODUMENE_CONCENTRATE}),
    FacilityType.NICKEL_MINE: frozenset({MaterialKind.NICKEL_ORE, MaterialKind.NICKEL_INTERMEDIATE}),
}
#: The kinds a transformation makes at each facility type (besides its inputs' own kinds).
MADE_KINDS: dict[FacilityType, frozenset[MaterialKind]] = {
    FacilityType.REFINERY: frozenset({MaterialKind.CRUDE_COBALT_SULFATE, MaterialKind.REFINED_COBALT_SULFATE,
                                      MaterialKind.COBALT_METAL}),
    FacilityType.PRECURSOR_PLANT: frozenset({MaterialKind.PRECURSOR}),
    FacilityType.CATHODE_PLANT: frozenset({MaterialKind.CATHODE}),
    FacilityType.CELL_PLANT: frozenset({MaterialKind.CELL}),
    FacilityType.PACK_PLANT: frozenset({MaterialKind.MODULE, MaterialKind.PACK}),
    FacilityType.RECYCLER: frozenset({MaterialKind.BLACK_MASS, MaterialKind.RECYCLED_COBALT_SULFATE,
                                      MaterialKind.LITHIUM_CARBONATE, MaterialKind.NICKEL_SULFATE}),
    FacilityType.LITHIUM_REFINERY: frozenset({MaterialKind.LITHIUM_CARBONATE, MaterialKind.LITHIUM_HYDROXIDE}),
    FacilityType.NICKEL_REFINERY: frozenset({MaterialKind.NICKEL_INTERMEDIATE, MaterialKind.NICKEL_SULFATE}),
}
#: The metal (``model.lots`` index) of the types that handle one metal; the others (precursor,
#: cathode, cell and pack plants, recyclers) handle several.
FACILITY_METAL: dict[FacilityType, int] = {
    **dict.fromkeys((FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.REFINERY), COBALT),
    **dict.fromkeys((FacilityType.BRINE_OPERATION, FacilityType.HARD_ROCK_MINE, FacilityType.LITHIUM_REFINERY), LITHIUM),
    **dict.fromkeys((FacilityType.NICKEL_MINE, FacilityType.NICKEL_REFINERY), NICKEL),
}
#: The metals each certification scheme's standard covers (``Roles._SCHEME_METALS``): RMAP with
#: RMI's extension to lithium and nickel, IRMA, ICMM and GBA all three; the Copper Mark's joint due
#: diligence standard cobalt and nickel; CIRAF cobalt only.
SCHEME_METALS: dict[Scheme, frozenset[int]] = {
    Scheme.RMAP: frozenset({COBALT, LITHIUM, NICKEL}),
    Scheme.IRMA: frozenset({COBALT, LITHIUM, NICKEL}),
    Scheme.COPPER_MARK: frozenset({COBALT, NICKEL}),
    Scheme.CIRAF: frozenset({COBALT}),
    Scheme.ICMM: frozenset({COBALT, LITHIUM, NICKEL}),
    Scheme.GBA: frozenset({COBALT, LITHIUM, NICKEL}),
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


def facility_metal(facility_type: FacilityType) -> int | None:
    """The metal index (0 cobalt, 1 lithium, 2 nickel) a facility of this type handles, or None
    for a type that handles several (its certifications may be under any scheme)."""
    return FACILITY_METAL.get(FacilityType(facility_type))


def scheme_covers(scheme: Scheme, facility_type: FacilityType) -> bool:
    """Whether a certification under ``scheme`` may vouch for a facility of this type: the scheme
    covers the type's metal, or the type has none of its own (``Roles.schemeCovers``)."""
    metal = facility_metal(facility_type)
    return metal is None or metal in SCHEME_METALS[Scheme(scheme)]


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

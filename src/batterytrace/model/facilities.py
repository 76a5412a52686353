"""Which facility types do what, and which role may operate each: the Python twin of
``contracts/Roles.sol`` (``mayOperate``, ``mintsOriginLots``, ``transformsLots``)."""

from __future__ import annotations

from batterytrace.model.registry import FacilityType, Role

#: Facility types each participant role may register and operate.
OPERATED_BY: dict[Role, frozenset[FacilityType]] = {
    Role.MINER: frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE}),
    Role.PROCESSOR: frozenset({FacilityType.REFINERY, FacilityType.PRECURSOR_PLANT, FacilityType.CATHODE_PLANT}),
    Role.CELL_MAKER: frozenset({FacilityType.CELL_PLANT}),
    Role.PACK_MAKER: frozenset({FacilityType.PACK_PLANT}),
    Role.OEM: frozenset({FacilityType.PACK_PLANT}),
    Role.RECYCLER: frozenset({FacilityType.RECYCLER}),
}
#: Where origin lots come from: extraction sites and recyclers.
ORIGIN_TYPES = frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.RECYCLER})
#: Extraction sites create lots and never transform them.
EXTRACTION_TYPES = frozenset({FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE})
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

"""The demo's cast and figures: the Re|Source pilot's companies and the masses and shares of its flow.

Quantities, grades and emissions are ILLUSTRATIVE, derived from ../shared/data/REFERENCE.md:
hydroxide bags of 2 t at 35% cobalt, 98% leach recovery, CoSO4.7H2O at 20.97% cobalt, NMC811 pCAM
at 6.4% and CAM at 6.1%, about 0.07 kg cobalt per kWh (5.25 kg in a 75 kWh pack), about 10 kg CO2e
per kg cobalt across the sector. Lithium and nickel follow NMC811's proportions (about 7.1 kg lithium
and 42 kg nickel in the pack): brine concentrate at 6% lithium, LiOH.H2O at 16.5%, Li2CO3 at 18.8%, MHP
at 39% nickel, NiSO4.6H2O at 22.3%; black mass from end-of-life packs at 8% cobalt, 4% nickel and 1%
lithium. Company names follow the pilot's public press releases; the lithium and nickel companies
are fictitious, and every figure attached to any company is invented for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, Role

CAPACITY_WH = 75_000
PACK_COBALT_GRAMS = 5_250
PACK_LITHIUM_GRAMS = 7_100
PACK_NICKEL_GRAMS = 42_000
PACKS = 4
HYDROXIDE_BAG_GRAMS = 2_000_000
HYDROXIDE_COBALT_SHARE = Decimal("0.35")
MINE_CO2E_GRAMS_PER_KG = 4_000  # mining and hydroxide production, illustrative
SULFATE_COBALT_SHARE = Decimal("0.2097")
PCAM_COBALT_SHARE = Decimal("0.064")
CAM_COBALT_SHARE = Decimal("0.061")
BRINE_LOT_GRAMS = 2_500_000
BRINE_LITHIUM_SHARE = Decimal("0.06")
BRINE_CO2E_GRAMS_PER_KG = 5_000   # brine pumping and evaporation, per kg of lithium, illustrative
LIOH_LITHIUM_SHARE = Decimal("0.165")
LI2CO3_LITHIUM_SHARE = Decimal("0.188")
MHP_LOT_GRAMS = 2_000_000
MHP_NICKEL_SHARE = Decimal("0.39")
HPAL_CO2E_GRAMS_PER_KG = 25_000   # laterite mining and HPAL, per kg of nickel, illustrative
NISO4_NICKEL_SHARE = Decimal("0.223")
BLACK_MASS_GRAMS = 2_500_000
BLACK_MASS_SHARES = (Decimal("0.08"), Decimal("0.01"), Decimal("0.04"))   # cobalt, lithium, nickel
#: The share of the recycler's input the auditor certified as pre-consumer (production scrap).
RECYCLER_PRE_CONSUMER_BPS = 2_500


@dataclass(frozen=True)
class Company:
    """One participant of the demo: its development account, and the facility it runs, if any."""

    key: str
    name: str
    role: Role | None
    account_index: int
    country: str
    identifier: str
    facility: tuple[FacilityType, str] | None = None


COMPANIES = (
    Company("consortium", "Battery traceability consortium (admin)", None, 0, "CH", "CONSORTIUM0000000001"),
    Company("auditor", "Independent assurance auditor", Role.AUDITOR, 1, "GB", "AUDITOR0000000000001"),
    Company("cmoc", "CMOC (Tenke Fungurume)", Role.MINER, 2, "CD", "CMOC0000000000000001", (FacilityType.INDUSTRIAL_MINE, "TFM")),
    Company("glencore", "Glencore (Kamoto Copper Company)", Role.MINER, 3, "CD", "GLEN0000000000000001", (FacilityType.INDUSTRIAL_MINE, "KCC")),
    Company("cooperative", "Artisanal mining cooperative, Kolwezi", Role.MINER, 4, "CD", "ASMCOOP0000000000001", (FacilityType.ARTISANAL_SITE, "KZI-ASM-07")),
    Company("refinery", "Umicore (Kokkola refinery)", Role.PROCESSOR, 5, "FI", "UMICORE0000000000001", (FacilityType.REFINERY, "KOKKOLA")),
    Company("precursor", "Umicore (pCAM, Cheonan)", Role.PROCESSOR, 6, "KR", "UMICORE0000000000002", (FacilityType.PRECURSOR_PLANT, "CHEONAN-PCAM")),
    Company("cathode", "Umicore (CAM, Nysa)", Role.PROCESSOR, 7, "PL", "UMICORE0000000000003", (FacilityType.CATHODE_PLANT, "NYSA-CAM")),
    Company("cells", "LG Energy Solution (Wroclaw)", Role.CELL_MAKER, 8, "PL", "LGES0000000000000001", (FacilityType.CELL_PLANT, "WROCLAW")),
    Company("packs", "Pack assembly (Gruenheide)", Role.PACK_MAKER, 9, "DE", "PACKS000000000000001", (FacilityType.PACK_PLANT, "GRUENHEIDE-PACK")),
    Company("oem", "Tesla (Gigafactory Berlin-Brandenburg)", Role.OEM, 10, "DE", "TESLA000000000000001", (FacilityType.PACK_PLANT, "GIGA-BERLIN")),
    Company("recycler", "Umicore (Hoboken recycling)", Role.RECYCLER, 11, "BE", "UMICORE0000000000004", (FacilityType.RECYCLER, "HOBOKEN")),
    Company("salar", "Salar brine operation (Atacama, fictitious)", Role.MINER, 12, "CL", "SALAR000000000000001",
            (FacilityType.BRINE_OPERATION, "ATACAMA-BRINE")),
    Company("converter", "Lithium hydroxide plant (Antofagasta, fictitious)", Role.PROCESSOR, 13, "CL",
            "LIOH0000000000000001", (FacilityType.LITHIUM_REFINERY, "ANTOFAGASTA-LIOH")),
    Company("laterite", "Laterite nickel mine and HPAL (Sulawesi, fictitious)", Role.MINER, 14, "ID",
            "LATERITE000000000001", (FacilityType.NICKEL_MINE, "SULAWESI-HPAL")),
    Company("nickel", "Nickel sulfate refinery (Harjavalta, fictitious)", Role.PROCESSOR, 15, "FI",
            "NISULF00000000000001", (FacilityType.NICKEL_REFINERY, "HARJAVALTA-NISO4")),
)


def grams(value: Decimal) -> int:
    """A computed mass rounded to whole grams, as the contracts count."""
    return int(value.to_integral_value())


def total_for(cobalt_grams: int, cobalt_share: Decimal) -> int:
    """The total mass of material holding ``cobalt_grams`` at ``cobalt_share`` cobalt."""
    return grams(Decimal(cobalt_grams) / cobalt_share)


def battery_id_of(index: int) -> str:
    """The GS1 Digital Link of the ``index``-th battery (the EV maker's GTIN, under its prefix)."""
    return f"https://id.batterytrace.example/01/09506000134352/21/PK75-{index:06d}"


def pack_plan(index: int) -> OutputPlan:
    """The ``index``-th pack lot the pack maker assembles from one cell batch, named by its battery's id
    (so that the pack backs that battery's passport)."""
    return OutputPlan(battery_id_of(index), MaterialKind.PACK, PACK_COBALT_GRAMS, 450_000, PACK_LITHIUM_GRAMS,
                      PACK_NICKEL_GRAMS)

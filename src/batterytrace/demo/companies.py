"""The demo's cast and figures: the Re|Source pilot's companies and the masses and shares of its flow.

Quantities, grades and emissions are ILLUSTRATIVE, derived from ../shared/data/REFERENCE.md:
hydroxide bags of 2 t at 35% cobalt, 98% leach recovery, CoSO4.7H2O at 20.97% cobalt, NMC811 pCAM
at 6.4% and CAM at 6.1%, about 0.07 kg cobalt per kWh (5.25 kg in a 75 kWh pack), about 10 kg CO2e
per kg cobalt across the sector. Company names follow the pilot's public press releases; every
figure attached to them is invented for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, Role

CAPACITY_WH = 75_000
PACK_COBALT_GRAMS = 5_250
PACKS = 4
HYDROXIDE_BAG_GRAMS = 2_000_000
HYDROXIDE_COBALT_SHARE = Decimal("0.35")
MINE_CO2E_GRAMS_PER_KG = 4_000  # mining and hydroxide production, illustrative
SULFATE_COBALT_SHARE = Decimal("0.2097")
PCAM_COBALT_SHARE = Decimal("0.064")
CAM_COBALT_SHARE = Decimal("0.061")


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
)


def grams(value: Decimal) -> int:
    """A computed mass rounded to whole grams, as the contracts count."""
    return int(value.to_integral_value())


def total_for(cobalt_grams: int, cobalt_share: Decimal) -> int:
    """The total mass of material holding ``cobalt_grams`` at ``cobalt_share`` cobalt."""
    return grams(Decimal(cobalt_grams) / cobalt_share)


def pack_plan(index: int) -> OutputPlan:
    """The ``index``-th pack lot the pack maker assembles from one cell batch."""
    return OutputPlan(f"PACK-{index:04d}", MaterialKind.PACK, PACK_COBALT_GRAMS, 450_000)

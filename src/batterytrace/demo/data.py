"""Illustrative maker data for an NMC811 EV pack of 75 kWh: what the demo's EV maker declares.

Figures are ILLUSTRATIVE, derived from ../shared/data/REFERENCE.md: about 0.07 kg cobalt per kWh for
NMC811 (CRU 2018) gives 5.25 kg cobalt; NMC pack footprints of 61-106 kg CO2e/kWh (IVL 2019). The
maker declares no recycled content: the document states the shares the claim proof establishes.
Names and addresses are fictitious.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from batterytrace.documents.passport_input import (
    BatteryCategory,
    BatteryComponent,
    CarbonFootprint,
    Chemistry,
    CircularityInfo,
    DismantlingDocument,
    DocumentType,
    DueDiligence,
    Facility,
    HazardClass,
    HazardousSubstance,
    Label,
    Labelling,
    LabelSubject,
    LifecycleStage,
    Material,
    Party,
    PassportInput,
    PerformanceFigures,
    PostalAddress,
    PowerAtStateOfCharge,
    ProvenClaims,
    SparePart,
    SparePartSupplier,
)

DOCS = "https://docs.batterytrace.example/packs/BT-75-NMC811"


def _kg(grams_traced: int, typical_kg: Decimal) -> Decimal:
    """A metal's declared mass: what the ledger traced, else the typical NMC811 figure (a metal the
    pack's note holds none of is still in the cathode; the passport then proves nothing about it)."""
    return Decimal(grams_traced) / 1000 if grams_traced else typical_kg


def example_pack_passport_input(
    passport_urn: str, battery_id: str, claims: ProvenClaims, issued_at: datetime | None = None
) -> PassportInput:
    """The maker's declared data for one pack, with the proven claims filled in."""
    issued_at = issued_at or datetime(2027, 3, 2, 12, 0, tzinfo=timezone.utc)
    plant = PostalAddress("Industriestrasse 12", "38440", "DE")
    maker = Party("Example Cell & Pack GmbH", "5299009QEXAMPLE00042", plant, "https://pack-maker.example")
    return PassportInput(
        passport_urn=passport_urn,
        battery_id=battery_id,
        category=BatteryCategory.EV,
        chemistry=Chemistry("NMC811", "Lithium nickel manganese cobalt oxide (Ni:Mn:Co 8:1:1)"),
        manufacturer=maker,
        operator=Party("Example Motors AG", "5299009QEXAMPLE00077",
                       PostalAddress("Werkstrasse 1", "70173", "DE"), "https://motors.example"),
        facility=Facility("4012345000009", plant),
        manufactured_at=datetime(2027, 3, 1, 8, 30, tzinfo=timezone.utc),
        put_into_service_at=datetime(2027, 4, 15, 9, 0, tzinfo=timezone.utc),
        warranty_period="--12",
        mass_kg=Decimal("480.5"),
        capacity_kwh=Decimal("75"),
        cobalt_content_grams=claims.cobalt.grams_traced,
        claims=claims,
        carbon_footprint=CarbonFootprint(
            kg_co2e_per_kwh_by_stage={
                LifecycleStage.RAW_MATERIAL_EXTRACTION: Decimal("45.2"),
                LifecycleStage.MAIN_PRODUCTION: Decimal("26.1"),
                LifecycleStage.DISTRIBUTION: Decimal("1.4"),
                LifecycleStage.RECYCLING: Decimal("2.3"),
            },
            performance_class="B",
            study_uri=f"{DOCS}/carbon-footprint-study.pdf",
            absolute_kg_co2e=Decimal("5625"),
        ),
        due_diligence=DueDiligence(
            report_uri=f"{DOCS}/due-diligence-report-2026.pdf",
            report_sha256="9f" * 32,
            third_party_assurance_uri=f"{DOCS}/assurance-2026.pdf",
        ),
        materials=(
            Material("Cobalt", "7440-48-4", _kg(claims.cobalt.grams_traced, Decimal("5.25")), "cathode", True),
            Material("Nickel", "7440-02-0", _kg(claims.nickel.grams_traced, Decimal("42.0")), "cathode", True),
            Material("Lithium", "7439-93-2", _kg(claims.lithium.grams_traced, Decimal("7.1")), "cathode", True),
            Material("Manganese", "7439-96-5", Decimal("4.9"), "cathode", True),
            Material("Natural graphite", "7782-42-5", Decimal("55.0"), "anode", True),
        ),
        hazardous_substances=(
            HazardousSubstance("Lithium hexafluorophosphate", "21324-40-3", HazardClass.ACUTE_TOXICITY,
                               Decimal("1.2"), ("H301", "H314", "H372"), "electrolyte"),
        ),
        circularity=CircularityInfo(
            dismantling_documents=(
                DismantlingDocument(DocumentType.DISMANTLING_MANUAL, "application/pdf", f"{DOCS}/dismantling.pdf"),
                DismantlingDocument(DocumentType.BILL_OF_MATERIAL, "text/csv", f"{DOCS}/bom.csv"),
            ),
            spare_part_suppliers=(
                SparePartSupplier("Example Spares GmbH", PostalAddress("Lagerweg 3", "38440", "DE"),
                                  "spares@spares.example", "https://spares.example",
                                  (SparePart("Module M12", "BT75-M12-0001"), SparePart("BMS board", "BT75-BMS-0007"))),
            ),
            safety_instructions_uri=f"{DOCS}/safety.pdf",
            extinguishing_agents=("Water (large quantities)",),
            waste_prevention_uri=f"{DOCS}/waste-prevention.html",
            separate_collection_uri=f"{DOCS}/separate-collection.html",
            collection_information_uri=f"{DOCS}/take-back.html",
            renewable_content_percent=Decimal("0"),
        ),
        performance=PerformanceFigures(
            rated_capacity_ah=Decimal("211"),
            rated_energy_kwh=Decimal("75"),
            nominal_voltage=Decimal("355.2"),
            minimum_voltage=Decimal("288"),
            maximum_voltage=Decimal("403.2"),
            rated_maximum_power_kw=Decimal("250"),
            original_power_capability=(PowerAtStateOfCharge(Decimal("80"), Decimal("250")),
                                       PowerAtStateOfCharge(Decimal("20"), Decimal("160"))),
            power_capability_ratio=Decimal("0.64"),
            expected_cycles=1_500,
            expected_lifetime_years=12,
            initial_self_discharge_percent_per_month=Decimal("2"),
            roundtrip_efficiency_percent=Decimal("95"),
            roundtrip_efficiency_at_half_cycle_life_percent=Decimal("93"),
            initial_internal_resistance_ohm={BatteryComponent.PACK: Decimal("0.08"),
                                             BatteryComponent.CELL: Decimal("0.0009")},
            capacity_threshold_for_exhaustion_percent=Decimal("70"),
            lifetime_reference_test_uri=f"{DOCS}/lifetime-test-report.pdf",
            c_rate_life_cycle_test=Decimal("0.33"),
            idle_temperature_celsius=Decimal("25"),
            state_of_charge_at_issue_percent=Decimal("30"),
            c_rate=Decimal("1"),
        ),
        labelling=Labelling(
            declaration_of_conformity_uri=f"{DOCS}/eu-declaration-of-conformity.pdf",
            test_report_uri=f"{DOCS}/test-reports.pdf",
            labels=(
                Label(LabelSubject.SEPARATE_COLLECTION, f"{DOCS}/labels/crossed-out-bin.svg",
                      {"en": "Collect separately; do not dispose of with household waste"}),
                Label(LabelSubject.CARBON_FOOTPRINT, f"{DOCS}/labels/cf-class-b.svg",
                      {"en": "Carbon footprint performance class B"}),
            ),
        ),
        issued_at=issued_at,
    )

"""What a caller fills in to issue a passport: the Battery Pass vocabularies and the input records.

A :class:`PassportInput` holds everything the SDK knows when it issues a passport: the maker's
declared data (aspect by aspect, in the units the Battery Pass 1.2.0 model uses) and the
:class:`ProvenClaims`, the bounds a claim proof establishes per metal. :mod:`batterytrace.documents.batterypass`
turns it into the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Mapping

from batterytrace.exceptions import PassportError
from batterytrace.model.lots import METAL_NAMES
from batterytrace.model.risk import RiskFlag

#: The risk flags the passport document states, in the GBA child-labour and human-rights rulebooks'
#: words. The claim circuit also proves the absence of ``CONFLICT_AREA``, but the document does not
#: state it yet: adding it here changes every document and so the hashes committed on chain.
DOCUMENT_RISK_FLAGS = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.ARTISANAL


class BatteryCategory(str, Enum):
    LMT = "lmt"
    EV = "ev"
    INDUSTRIAL = "industrial"
    STATIONARY = "stationary"


class BatteryStatus(str, Enum):
    ORIGINAL = "Original"
    REPURPOSED = "Repurposed"
    REUSED = "Reused"
    REMANUFACTURED = "Remanufactured"
    WASTE = "Waste"


class LifecycleStage(str, Enum):
    RAW_MATERIAL_EXTRACTION = "RawMaterialExtraction"
    MAIN_PRODUCTION = "MainProduction"
    DISTRIBUTION = "Distribution"
    RECYCLING = "Recycling"



class RecycledMaterial(str, Enum):
    COBALT = "Cobalt"
    NICKEL = "Nickel"
    LITHIUM = "Lithium"
    LEAD = "Lead"


class DocumentType(str, Enum):
    BILL_OF_MATERIAL = "BillOfMaterial"
    MODEL_3D = "Model3D"
    DISMANTLING_MANUAL = "DismantlingManual"
    REMOVAL_MANUAL = "RemovalManual"
    OTHER_MANUAL = "OtherManual"
    DRAWING = "Drawing"


class HazardClass(str, Enum):
    ACUTE_TOXICITY = "AcuteToxicity"
    SKIN_CORROSION_OR_IRRITATION = "SkinCorrosionOrIrritation"
    EYE_DAMAGE_OR_IRRITATION = "EyeDamageOrIrritation"


class LabelSubject(str, Enum):
    SEPARATE_COLLECTION = "SeparateCollection"
    HAZARDOUS_MATERIAL = "HazardousMaterial"
    CARBON_FOOTPRINT = "CarbonFootPrint"
    EXTINGUISHING_AGENT = "ExtinguishingAgent"


class BatteryComponent(str, Enum):
    PACK = "pack"
    MODULE = "module"
    CELL = "cell"



@dataclass(frozen=True)
class PostalAddress:
    street_address: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Party:
    """A manufacturer or economic operator. `identifier` is an LEI, GS1 GLN or registry number."""

    name: str
    identifier: str
    address: PostalAddress
    web_address: str | None = None


@dataclass(frozen=True)
class Facility:
    identifier: str  # e.g. GS1 GLN of the plant
    address: PostalAddress


@dataclass(frozen=True)
class Chemistry:
    short_name: str  # "NMC811"
    clear_name: str  # "Lithium nickel manganese cobalt oxide (8:1:1)"



@dataclass(frozen=True)
class ProvenMetal:
    """What a claim proof establishes about one metal of the pack: all of ``grams_traced`` traced to
    origin lots, and at least these shares of it certified, pre- and post-consumer recycled (bps)."""

    grams_traced: int
    min_certified_share_bps: int
    min_pre_consumer_share_bps: int
    min_post_consumer_share_bps: int

    def __post_init__(self) -> None:
        if self.grams_traced < 0:
            raise PassportError(f"grams_traced must not be negative, got {self.grams_traced}")
        for name in ("min_certified_share_bps", "min_pre_consumer_share_bps", "min_post_consumer_share_bps"):
            value = getattr(self, name)
            if not 0 <= value <= 10_000:
                raise PassportError(f"{name} must be within 0..10000 basis points, got {value}")
        if self.min_recycled_share_bps > 10_000:
            raise PassportError(f"pre- and post-consumer recycled shares add up to {self.min_recycled_share_bps} "
                                "basis points, more than the whole")

    @property
    def min_recycled_share_bps(self) -> int:
        """The recycled share proven: pre- and post-consumer together."""
        return self.min_pre_consumer_share_bps + self.min_post_consumer_share_bps


@dataclass(frozen=True)
class ProvenClaims:
    """Bounds on the supply chain proven in zero knowledge. Never the confidential values themselves.

    ``metals`` holds one :class:`ProvenMetal` per metal the ledger carries, in ``METAL_NAMES`` order
    (cobalt, lithium, nickel). ``forbidden_risk_flags`` holds single flags of
    :data:`DOCUMENT_RISK_FLAGS` that no origin site carries; the document names them by their
    ``term`` ("childLabour"). ``origin_lot_count`` and ``origin_certification_schemes`` are not
    proven: they come from the pack's genealogy as a store that opens all of it (an auditor's)
    rebuilds it.
    """

    metals: tuple[ProvenMetal, ...]
    origin_lot_count: int
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    forbidden_risk_flags: frozenset[RiskFlag]
    origin_certification_schemes: tuple[str, ...]
    proof_verified: bool
    proof_transaction_hash: str | None = None

    def __post_init__(self) -> None:
        if len(self.metals) != len(METAL_NAMES) or not all(isinstance(m, ProvenMetal) for m in self.metals):
            raise PassportError(f"metals must hold one ProvenMetal per metal {METAL_NAMES}, got {self.metals!r}")
        for name in ("origin_lot_count", "max_co2e_grams_per_kg_cobalt", "max_co2e_grams_per_kwh"):
            if getattr(self, name) < 0:
                raise PassportError(f"{name} must not be negative, got {getattr(self, name)}")
        stated = DOCUMENT_RISK_FLAGS.singles()
        unstated = [flag for flag in self.forbidden_risk_flags if not isinstance(flag, RiskFlag) or flag not in stated]
        if unstated:
            raise PassportError(f"forbidden_risk_flags must be single risk flags the document states "
                                f"({', '.join(flag.term for flag in stated)}), got {unstated!r}")

    def by_metal(self) -> tuple[tuple[str, ProvenMetal], ...]:
        """Each metal's name with its proven figures, in ``METAL_NAMES`` order."""
        return tuple(zip(METAL_NAMES, self.metals, strict=True))

    @property
    def cobalt(self) -> ProvenMetal:
        return self.metals[METAL_NAMES.index("cobalt")]

    @property
    def lithium(self) -> ProvenMetal:
        return self.metals[METAL_NAMES.index("lithium")]

    @property
    def nickel(self) -> ProvenMetal:
        return self.metals[METAL_NAMES.index("nickel")]


@dataclass(frozen=True)
class CarbonFootprint:
    """The maker's declared carbon footprint (Reg. 2023/1542 Art. 7), kg CO2e per kWh per stage."""

    kg_co2e_per_kwh_by_stage: Mapping[LifecycleStage, Decimal]
    performance_class: str
    study_uri: str
    absolute_kg_co2e: Decimal | None = None

    @property
    def kg_co2e_per_kwh(self) -> Decimal:
        return sum(self.kg_co2e_per_kwh_by_stage.values(), Decimal(0))


@dataclass(frozen=True)
class DueDiligence:
    report_uri: str
    report_sha256: str | None = None
    third_party_assurance_uri: str | None = None
    supply_chain_index: Decimal | None = None


@dataclass(frozen=True)
class Material:
    name: str
    cas_number: str
    mass_kg: Decimal
    component_name: str
    critical_raw_material: bool
    component_id: str | None = None


@dataclass(frozen=True)
class HazardousSubstance:
    name: str
    cas_number: str
    hazard_class: HazardClass
    concentration_percent: Decimal
    impacts: tuple[str, ...]
    component_name: str
    component_id: str | None = None


@dataclass(frozen=True)
class DismantlingDocument:
    document_type: DocumentType
    mime_type: str
    url: str


@dataclass(frozen=True)
class SparePart:
    name: str
    part_number: str


@dataclass(frozen=True)
class SparePartSupplier:
    name: str
    address: PostalAddress
    email: str
    web_address: str
    parts: tuple[SparePart, ...]


@dataclass(frozen=True)
class CircularityInfo:
    """The maker's circularity data. Recycled content is not among it: the document states the
    proven shares (:class:`ProvenClaims`), so it cannot carry a figure the proof does not back."""

    dismantling_documents: tuple[DismantlingDocument, ...]
    spare_part_suppliers: tuple[SparePartSupplier, ...]
    safety_instructions_uri: str
    extinguishing_agents: tuple[str, ...]
    waste_prevention_uri: str
    separate_collection_uri: str
    collection_information_uri: str
    renewable_content_percent: Decimal


@dataclass(frozen=True)
class PowerAtStateOfCharge:
    state_of_charge_percent: Decimal
    power_kw: Decimal


@dataclass(frozen=True)
class PerformanceFigures:
    """Annex IV performance and durability figures, declared by the maker; battery condition at issue."""

    rated_capacity_ah: Decimal
    rated_energy_kwh: Decimal
    nominal_voltage: Decimal
    minimum_voltage: Decimal
    maximum_voltage: Decimal
    rated_maximum_power_kw: Decimal
    original_power_capability: tuple[PowerAtStateOfCharge, ...]
    power_capability_ratio: Decimal
    expected_cycles: int
    expected_lifetime_years: int
    initial_self_discharge_percent_per_month: Decimal
    roundtrip_efficiency_percent: Decimal
    roundtrip_efficiency_at_half_cycle_life_percent: Decimal
    initial_internal_resistance_ohm: Mapping[BatteryComponent, Decimal]
    capacity_threshold_for_exhaustion_percent: Decimal
    lifetime_reference_test_uri: str
    c_rate_life_cycle_test: Decimal
    idle_temperature_celsius: Decimal  # the schema's temperatureRangeIdleState is one number, -20..60
    state_of_charge_at_issue_percent: Decimal
    c_rate: Decimal | None = None


@dataclass(frozen=True)
class Label:
    subject: LabelSubject
    symbol_uri: str
    meaning: Mapping[str, str]  # language tag -> text


@dataclass(frozen=True)
class Labelling:
    declaration_of_conformity_uri: str
    test_report_uri: str
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class PassportInput:
    """Everything the SDK knows when it issues a passport."""

    passport_urn: str
    battery_id: str  # GS1 Digital Link URI: https://<resolver>/01/<GTIN-14>/21/<serial>
    category: BatteryCategory
    chemistry: Chemistry
    manufacturer: Party
    operator: Party  # the economic operator placing the battery on the market
    facility: Facility
    manufactured_at: datetime
    put_into_service_at: datetime
    warranty_period: str  # as Battery Pass 1.2.0 types it: xsd:gMonth, e.g. "--12"
    mass_kg: Decimal
    capacity_kwh: Decimal
    cobalt_content_grams: int
    claims: ProvenClaims
    carbon_footprint: CarbonFootprint
    due_diligence: DueDiligence
    materials: tuple[Material, ...]
    hazardous_substances: tuple[HazardousSubstance, ...]
    circularity: CircularityInfo
    performance: PerformanceFigures
    labelling: Labelling
    status: BatteryStatus = BatteryStatus.ORIGINAL
    issued_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

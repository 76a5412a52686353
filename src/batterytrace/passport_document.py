"""The battery passport as a JSON document in the Battery Pass data model (v1.2.0).

`build_passport_document` turns what the SDK knows when it issues a passport (a `PassportInput`) into
one JSON object with a key per Battery Pass aspect. Each aspect validates against its own schema
(`validate_passport_document`); the zero-knowledge claims appear both inside the aspects they belong
to (as `batterytraceProven` extension objects, which the aspect schemas allow) and in full under the
top-level `batterytraceClaims`. The claims are bounds proven in zero knowledge, never the confidential
values themselves.

`canonical_json` and `document_hash` give the bytes and the keccak256 hash that go on chain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import jsonschema
from eth_utils import keccak

from batterytrace.exceptions import PassportError, SchemaValidationError

BATTERY_PASS_MODEL_VERSION = "1.2.0"
DOCUMENT_FORMAT = "batterytrace-passport/1"

# Aspect key in the passport document -> schema file shipped in batterytrace/data/batterypass/.
ASPECT_SCHEMAS: Mapping[str, str] = {
    "generalProductInformation": "GeneralProductInformation-schema.json",
    "carbonFootprint": "CarbonFootprintForBatteries-schema.json",
    "supplyChainDueDiligence": "SupplyChainDueDiligence-schema.json",
    "materialComposition": "MaterialComposition-schema.json",
    "circularity": "Circularity-schema.json",
    "performance": "PerformanceAndDurability-schema.json",
    "labels": "Labeling-schema.json",
}

_SCHEMA_PASSPORT_ID = re.compile(r"^urn:[a-z0-9]+:[a-z0-9]+$")
_URN = re.compile(r"^urn:([a-z0-9][a-z0-9-]{0,31}):(\S+)$", re.IGNORECASE)


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


class RiskFlag(str, Enum):
    """Origin-site findings per the GBA child-labour and human-rights rulebooks."""

    CHILD_LABOUR = "childLabour"
    HUMAN_RIGHTS = "humanRights"
    ARTISANAL = "artisanal"


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
class ProvenClaims:
    """Bounds on the supply chain proven in zero knowledge. Never the confidential values themselves."""

    cobalt_grams_traced: int
    origin_lot_count: int
    min_certified_share_bps: int
    min_recycled_share_bps: int
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    forbidden_risk_flags: frozenset[RiskFlag]
    origin_certification_schemes: tuple[str, ...]
    proof_verified: bool
    proof_transaction_hash: str | None = None

    def __post_init__(self) -> None:
        for name in ("min_certified_share_bps", "min_recycled_share_bps"):
            value = getattr(self, name)
            if not 0 <= value <= 10_000:
                raise PassportError(f"{name} must be within 0..10000 basis points, got {value}")
        for name in ("cobalt_grams_traced", "origin_lot_count", "max_co2e_grams_per_kg_cobalt",
                     "max_co2e_grams_per_kwh"):
            if getattr(self, name) < 0:
                raise PassportError(f"{name} must not be negative, got {getattr(self, name)}")


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
class RecycledContent:
    material: RecycledMaterial
    pre_consumer_percent: Decimal
    post_consumer_percent: Decimal


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
    dismantling_documents: tuple[DismantlingDocument, ...]
    spare_part_suppliers: tuple[SparePartSupplier, ...]
    recycled_content: tuple[RecycledContent, ...]
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


def schema_passport_identifier(passport_urn: str) -> str:
    """The passport URN in the two-part form the 1.2.0 schema's pattern `^urn:[a-z0-9]+:[a-z0-9]+$` accepts.

    The schema allows no further colons, so the namespace-specific part is lower-cased and stripped of
    everything but letters and digits; the full URN stays in the document's `passportIdentifier`.
    """
    match = _URN.match(passport_urn)
    if match is None:
        raise PassportError(f"passport identifier {passport_urn!r} is not a URN (urn:<nid>:<nss>)")
    namespace = re.sub(r"[^a-z0-9]", "", match.group(1).lower())
    specific = re.sub(r"[^a-z0-9]", "", match.group(2).lower())
    if not namespace or not specific:
        raise PassportError(f"passport identifier {passport_urn!r} has no letters or digits to keep")
    return f"urn:{namespace}:{specific}"


def _number(value: Decimal | int) -> int | float:
    """A JSON number: integers stay exact, other decimals become the nearest float."""
    if isinstance(value, bool):
        raise PassportError("a boolean is not a number")
    decimal = Decimal(value)
    if not decimal.is_finite():
        raise PassportError(f"{value} is not a finite number")
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return float(decimal)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise PassportError(f"timestamp {moment.isoformat()} has no time zone")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(address: PostalAddress) -> dict[str, Any]:
    return {
        "streetAddress": address.street_address,
        "postalCode": address.postal_code,
        "addressCountry": address.country,
    }


def _contact(party: Party) -> dict[str, Any]:
    # The 1.2.0 schema's emailAddress pattern is broken (`[w.-]` for `[\w.-]`) and rejects almost
    # every real address, so the contact carries the web address only.
    contact: dict[str, Any] = {
        "contactName": party.name,
        "identifier": party.identifier,
        "postalAddress": _address(party.address),
    }
    if party.web_address is not None:
        contact["webAddress"] = party.web_address
    return contact


def claims_json(claims: ProvenClaims) -> dict[str, Any]:
    """The proven claims as JSON (the top-level `batterytraceClaims` section)."""
    return {
        "cobaltGramsTraced": claims.cobalt_grams_traced,
        "originLotCount": claims.origin_lot_count,
        "minCertifiedShareBps": claims.min_certified_share_bps,
        "minRecycledShareBps": claims.min_recycled_share_bps,
        "maxCo2eGramsPerKgCobalt": claims.max_co2e_grams_per_kg_cobalt,
        "maxCo2eGramsPerKwh": claims.max_co2e_grams_per_kwh,
        "forbiddenRiskFlagsAbsent": sorted(flag.value for flag in claims.forbidden_risk_flags),
        "originCertificationSchemes": sorted(claims.origin_certification_schemes),
        "proofVerified": claims.proof_verified,
        "proofTransactionHash": claims.proof_transaction_hash,
    }


def _general_product_information(data: PassportInput) -> dict[str, Any]:
    return {
        "productIdentifier": data.battery_id,
        "batteryPassportIdentifier": schema_passport_identifier(data.passport_urn),
        "batteryCategory": data.category.value,
        "manufacturerInformation": _contact(data.manufacturer),
        "manufacturingDate": _timestamp(data.manufactured_at),
        "batteryStatus": data.status.value,
        "batteryMass": _number(data.mass_kg),
        "batterytraceCapacityKwh": _number(data.capacity_kwh),
        "manufacturingPlace": _address(data.facility.address),
        "batterytraceManufacturingFacility": data.facility.identifier,
        "operatorInformation": _contact(data.operator),
        "puttingIntoService": _timestamp(data.put_into_service_at),
        "warrentyPeriod": data.warranty_period,
    }


def _carbon_footprint(data: PassportInput) -> dict[str, Any]:
    footprint = data.carbon_footprint
    aspect: dict[str, Any] = {
        "batteryCarbonFootprint": _number(footprint.kg_co2e_per_kwh),
        "carbonFootprintPerLifecycleStage": [
            {"lifecycleStage": stage.value, "carbonFootprint": _number(value)}
            for stage, value in sorted(footprint.kg_co2e_per_kwh_by_stage.items(), key=lambda i: i[0].value)
        ],
        "carbonFootprintPerformanceClass": footprint.performance_class,
        "carbonFootprintStudy": footprint.study_uri,
        "batterytraceProven": {
            "maxCo2eGramsPerKgCobalt": data.claims.max_co2e_grams_per_kg_cobalt,
            "maxCo2eGramsPerKwh": data.claims.max_co2e_grams_per_kwh,
            "scope": "cobalt supply chain, GBA GHG rulebook",
        },
    }
    if footprint.absolute_kg_co2e is not None:
        aspect["absoluteCarbonFootprint"] = _number(footprint.absolute_kg_co2e)
    return aspect


def _supply_chain_due_diligence(data: PassportInput) -> dict[str, Any]:
    diligence = data.due_diligence
    aspect: dict[str, Any] = {
        "supplyChainDueDiligenceReport": diligence.report_uri,
        "batterytraceProven": {
            "cobaltGramsTraced": data.claims.cobalt_grams_traced,
            "originLotCount": data.claims.origin_lot_count,
            "minCertifiedShareBps": data.claims.min_certified_share_bps,
            "originCertificationSchemes": sorted(data.claims.origin_certification_schemes),
            "forbiddenRiskFlagsAbsent": sorted(flag.value for flag in data.claims.forbidden_risk_flags),
        },
    }
    if diligence.report_sha256 is not None:
        aspect["batterytraceReportSha256"] = diligence.report_sha256
    if diligence.third_party_assurance_uri is not None:
        aspect["thirdPartyAussurances"] = diligence.third_party_assurance_uri
    if diligence.supply_chain_index is not None:
        aspect["supplyChainIndicies"] = _number(diligence.supply_chain_index)
    return aspect


def _location(component_name: str, component_id: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {"componentName": component_name}
    if component_id is not None:
        location["componentId"] = component_id
    return location


def _material_composition(data: PassportInput) -> dict[str, Any]:
    return {
        "batteryChemistry": {"shortName": data.chemistry.short_name, "clearName": data.chemistry.clear_name},
        "batteryMaterials": [
            {
                "batteryMaterialName": material.name,
                "batteryMaterialIdentifier": material.cas_number,
                "batteryMaterialMass": _number(material.mass_kg),
                "batteryMaterialLocation": _location(material.component_name, material.component_id),
                "isCriticalRawMaterial": material.critical_raw_material,
            }
            for material in data.materials
        ],
        "hazardousSubstances": [
            {
                "hazardousSubstanceName": substance.name,
                "hazardousSubstanceIdentifier": substance.cas_number,
                "hazardousSubstanceClass": substance.hazard_class.value,
                "hazardousSubstanceConcentration": _number(substance.concentration_percent),
                "hazardousSubstanceImpact": list(substance.impacts),
                "hazardousSubstanceLocation": _location(substance.component_name, substance.component_id),
            }
            for substance in data.hazardous_substances
        ],
        "batterytraceProven": {
            "cobaltContentGrams": data.cobalt_content_grams,
            "cobaltGramsTraced": data.claims.cobalt_grams_traced,
        },
    }


def _circularity(data: PassportInput) -> dict[str, Any]:
    info = data.circularity
    return {
        "dismantlingAndRemovalInformation": [
            {"documentType": doc.document_type.value, "mimeType": doc.mime_type, "documentURL": doc.url}
            for doc in info.dismantling_documents
        ],
        "sparePartSources": [
            {
                "nameOfSupplier": supplier.name,
                "addressOfSupplier": _address(supplier.address),
                "emailAddressOfSupplier": supplier.email,
                "supplierWebAddress": supplier.web_address,
                "components": [{"partName": part.name, "partNumber": part.part_number} for part in supplier.parts],
            }
            for supplier in info.spare_part_suppliers
        ],
        "recycledContent": [
            {
                "recycledMaterial": share.material.value,
                "preConsumerShare": _number(share.pre_consumer_percent),
                "postConsumerShare": _number(share.post_consumer_percent),
            }
            for share in info.recycled_content
        ],
        "safetyMeasures": {
            "safetyInstructions": info.safety_instructions_uri,
            "extinguishingAgent": list(info.extinguishing_agents),
        },
        "endOfLifeInformation": {
            "wastePrevention": info.waste_prevention_uri,
            "separateCollection": info.separate_collection_uri,
            "informationOnCollection": info.collection_information_uri,
        },
        "renewableContent": _number(info.renewable_content_percent),
        "batterytraceProven": {"minRecycledCobaltShareBps": data.claims.min_recycled_share_bps},
    }


def _performance(data: PassportInput) -> dict[str, Any]:
    figures = data.performance
    as_of = _timestamp(data.issued_at)
    power = [
        {"atSoC": _number(point.state_of_charge_percent), "powerCapabilityAt": _number(point.power_kw)}
        for point in figures.original_power_capability
    ]
    components = sorted(figures.initial_internal_resistance_ohm.items(), key=lambda i: i[0].value)
    technical: dict[str, Any] = {
        "originalPowerCapability": power,
        "ratedMaximumPower": _number(figures.rated_maximum_power_kw),
        "powerCapabilityRatio": _number(figures.power_capability_ratio),
        "ratedEnergy": _number(figures.rated_energy_kwh),
        "expectedNumberOfCycles": figures.expected_cycles,
        "initialSelfDischarge": _number(figures.initial_self_discharge_percent_per_month),
        "roundtripEfficiency": _number(figures.roundtrip_efficiency_percent),
        "ratedCapacity": _number(figures.rated_capacity_ah),
        "initialInternalResistance": [
            {"batteryComponent": component.value, "ohmicResistance": _number(ohm)} for component, ohm in components
        ],
        "expectedLifetime": figures.expected_lifetime_years,
        "nominalVoltage": _number(figures.nominal_voltage),
        "minimumVoltage": _number(figures.minimum_voltage),
        "maximumVoltage": _number(figures.maximum_voltage),
        "capacityThresholdForExhaustion": _number(figures.capacity_threshold_for_exhaustion_percent),
        "lifetimeReferenceTest": figures.lifetime_reference_test_uri,
        "cRateLifeCycleTest": _number(figures.c_rate_life_cycle_test),
        "temperatureRangeIdleState": _number(figures.idle_temperature_celsius),
    }
    if figures.c_rate is not None:
        technical["cRate"] = _number(figures.c_rate)
    # At issue the battery is new: its condition is the declared figures with no use on them yet.
    condition = {
        "energyThroughput": 0,
        "capacityThroughput": {"capacityThroughputValue": 0, "lastUpdate": as_of},
        "numberOfFullCycles": {"numberOfFullCyclesValue": 0, "lastUpdate": as_of},
        "stateOfCertifiedEnergy": {"stateOfCertifiedEnergyValue": 100, "lastUpdate": as_of},
        "capacityFade": {"capacityFadeValue": 0, "lastUpdate": as_of},
        "remainingEnergy": {"remainingEnergyalue": _number(figures.rated_energy_kwh), "lastUpdate": as_of},
        "remainingCapacity": {"remainingCapacityValue": _number(figures.rated_capacity_ah), "lastUpdate": as_of},
        "negativeEvents": [],
        "temperatureInformation": {
            "timeExtremeHighTemp": 0,
            "timeExtremeLowTemp": 0,
            "timeExtremeHighTempCharging": 0,
            "timeExtremeLowTempCharging": 0,
            "lastUpdate": as_of,
        },
        "remainingPowerCapability": [
            {"remainingPowerCapabilityValue": dict(point, rPCLastUpdated=as_of), "lastUpdate": as_of}
            for point in power
        ],
        "powerFade": 0,
        "roundTripEfficiencyFade": 0,
        "evolutionOfSelfDischarge": {"evolutionOfSelfDischargeEntityValue": 0},
        "currentSelfDischargingRate": {
            "currentSelfDischargingRateEntity": _number(figures.initial_self_discharge_percent_per_month),
            "lastUpdate": as_of,
        },
        "internalResistanceIncrease": [
            {"batteryComponent": component.value, "internalResistanceIncreaseValue": 0, "lastUpdate": as_of}
            for component, _ in components
        ],
        "roundTripEfficiencyat50PerCentCycleLife": _number(figures.roundtrip_efficiency_at_half_cycle_life_percent),
        "remainingRoundTripEnergyEfficiency": {
            "remainingRoundTripEnergyEfficiencyValue": _number(figures.roundtrip_efficiency_percent),
            "lastUpdate": as_of,
        },
        "stateOfCharge": {"stateOfChargeValue": _number(figures.state_of_charge_at_issue_percent), "lastUpdate": as_of},
    }
    return {"batteryTechicalProperties": technical, "batteryCondition": condition}


def _labels(data: PassportInput) -> dict[str, Any]:
    labelling = data.labelling
    return {
        "declarationOfConformity": labelling.declaration_of_conformity_uri,
        "resultOfTestReport": labelling.test_report_uri,
        "labels": [
            {"labelingSubject": label.subject.value, "labelingSymbol": label.symbol_uri, "labelingMeaning": dict(label.meaning)}
            for label in labelling.labels
        ],
    }


def build_passport_document(data: PassportInput) -> dict[str, Any]:
    """The full passport document; every aspect validates against its Battery Pass 1.2.0 schema.

    Raises SchemaValidationError if the input yields an aspect that does not validate (a malformed
    CAS number, an e-mail the schema rejects...), PassportError if a value cannot be represented.
    """
    document = {
        "documentFormat": DOCUMENT_FORMAT,
        "batteryPassModelVersion": BATTERY_PASS_MODEL_VERSION,
        "passportIdentifier": data.passport_urn,
        "batteryIdentifier": data.battery_id,
        "issuedAt": _timestamp(data.issued_at),
        "generalProductInformation": _general_product_information(data),
        "carbonFootprint": _carbon_footprint(data),
        "supplyChainDueDiligence": _supply_chain_due_diligence(data),
        "materialComposition": _material_composition(data),
        "circularity": _circularity(data),
        "performance": _performance(data),
        "labels": _labels(data),
        "batterytraceClaims": claims_json(data.claims),
    }
    validate_passport_document(document)
    return document


@lru_cache(maxsize=None)
def _validator(schema_file: str) -> jsonschema.Draft4Validator:
    text = resources.files("batterytrace").joinpath("data").joinpath("batterypass").joinpath(schema_file).read_text("utf-8")
    schema = json.loads(text)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_passport_document(document: Mapping[str, Any]) -> None:
    """Validate each aspect against its Battery Pass schema.

    Raises SchemaValidationError naming the aspect, the schema and the JSON path of the first error;
    the exception also carries them as `.aspect` and `.json_path`.
    """
    for aspect, schema_file in ASPECT_SCHEMAS.items():
        if aspect not in document:
            _raise(aspect, f"$.{aspect}", f"passport document has no {aspect!r} aspect ({schema_file})")
        errors = sorted(_validator(schema_file).iter_errors(document[aspect]), key=lambda e: list(e.absolute_path))
        if errors:
            error = jsonschema.exceptions.best_match(errors)
            path = _json_path([aspect, *error.absolute_path])
            _raise(aspect, path, f"aspect {aspect!r} does not validate against {schema_file} "
                                 f"(Battery Pass {BATTERY_PASS_MODEL_VERSION}) at {path}: {error.message}")


def _raise(aspect: str, json_path: str, message: str) -> None:
    error = SchemaValidationError(message)
    error.aspect = aspect  # type: ignore[attr-defined]
    error.json_path = json_path  # type: ignore[attr-defined]
    raise error


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8. Rejects NaN, infinities and non-JSON types with PassportError."""
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PassportError(f"passport document is not plain JSON: {exc}") from exc
    return text.encode("utf-8")


def document_hash(document: Mapping[str, Any]) -> bytes:
    """keccak256 of the canonical JSON: the 32 bytes stored on chain."""
    return keccak(canonical_json(document))

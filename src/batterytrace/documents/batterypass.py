"""The battery passport as a JSON document in the Battery Pass data model (v1.2.0).

`build_passport_document` turns what the SDK knows when it issues a passport (a `PassportInput`, see
:mod:`batterytrace.documents.passport_input`) into one JSON object with a key per Battery Pass aspect.
Each aspect validates against its own schema (:mod:`batterytrace.documents.validation`); the
zero-knowledge claims appear both inside the aspects they belong to (as `batterytraceProven`
extension objects, which the aspect schemas allow) and in full under the top-level
`batterytraceClaims`. The claims are bounds proven in zero knowledge, never the confidential
values themselves; the Circularity aspect's recycled content is stated from them alone.

`canonical_json` and `document_hash` (:mod:`batterytrace.documents.canonical`) give the bytes and
the keccak256 hash that go on chain.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from batterytrace.documents.passport_input import Party, PassportInput, PostalAddress, ProvenClaims, ProvenMetal
from batterytrace.documents.recycled_content import LEAD_UNPROVEN, recycled_content_entries
from batterytrace.documents.validation import BATTERY_PASS_MODEL_VERSION, validate_passport_document
from batterytrace.exceptions import PassportError

DOCUMENT_FORMAT = "batterytrace-passport/1"

_URN = re.compile(r"^urn:([a-z0-9][a-z0-9-]{0,31}):(\S+)$", re.IGNORECASE)


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


def _metal_json(metal: ProvenMetal) -> dict[str, int]:
    return {
        "gramsTraced": metal.grams_traced,
        "minCertifiedShareBps": metal.min_certified_share_bps,
        "minPreConsumerRecycledShareBps": metal.min_pre_consumer_share_bps,
        "minPostConsumerRecycledShareBps": metal.min_post_consumer_share_bps,
        "minRecycledShareBps": metal.min_recycled_share_bps,
    }


def claims_json(claims: ProvenClaims) -> dict[str, Any]:
    """The proven claims as JSON (the top-level `batterytraceClaims` section), per metal by name."""
    return {
        "metals": {name: _metal_json(metal) for name, metal in claims.by_metal()},
        "originLotCount": claims.origin_lot_count,
        "maxCo2eGramsPerKgCobalt": claims.max_co2e_grams_per_kg_cobalt,
        "maxCo2eGramsPerKwh": claims.max_co2e_grams_per_kwh,
        "forbiddenRiskFlagsAbsent": sorted(flag.term for flag in claims.forbidden_risk_flags),
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
            "scope": "traced cobalt, lithium and nickel supply chains, GBA GHG rulebook",
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
            "gramsTraced": {name: metal.grams_traced for name, metal in data.claims.by_metal()},
            "originLotCount": data.claims.origin_lot_count,
            "minCertifiedShareBps": {name: metal.min_certified_share_bps for name, metal in data.claims.by_metal()},
            "originCertificationSchemes": sorted(data.claims.origin_certification_schemes),
            "forbiddenRiskFlagsAbsent": sorted(flag.term for flag in data.claims.forbidden_risk_flags),
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
            "gramsTraced": {name: metal.grams_traced for name, metal in data.claims.by_metal()},
        },
    }


def _circularity(data: PassportInput) -> dict[str, Any]:
    """The Circularity aspect. Its recycled content, the eight public pre- and post-consumer shares of
    Annex XIII (1e), is the claim proof's (:func:`recycled_content_entries`): lead stated 0 and
    unproven, as the ledger carries no lead (Li-ion)."""
    info = data.circularity
    metals = data.claims.by_metal()
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
        "recycledContent": recycled_content_entries(data.claims),
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
        "batterytraceProven": {
            "minPreConsumerRecycledShareBps": {name: metal.min_pre_consumer_share_bps for name, metal in metals},
            "minPostConsumerRecycledShareBps": {name: metal.min_post_consumer_share_bps for name, metal in metals},
            "lead": LEAD_UNPROVEN,
        },
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

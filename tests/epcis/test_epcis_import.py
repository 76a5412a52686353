"""Import: EPCIS documents planned into lot operations, and refused with the reason when they cannot be."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.epcis import (
    MAX_EVENTS,
    ExportContext,
    ImportResolver,
    PlannedOperation,
    export_events,
    plan_import,
)
from batterytrace.exceptions import EpcisError
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import CustodyModel, LotEvent, MaterialKind, OutputPlan
from batterytrace.zk.commitment import Opening
from tests.helpers.epcis import CHAIN_ID, LOTS, MINE, MINER, REFINER, REFINERY, REGISTRY, opening
from tests.helpers.flows import PARTNER_MINT


def mint_document() -> dict:
    return copy.deepcopy(PARTNER_MINT)


def test_commissioning_plans_a_mint_in_grams(resolver):
    (operation,) = plan_import(mint_document(), resolver)
    assert operation == PlannedOperation("mint", {
        "facility_id": MINE, "external_id": "HYD-2026-0042", "kind": MaterialKind.COBALT_HYDROXIDE,
        "cobalt_grams": 600_125, "total_grams": 2_000_500, "co2e_grams": 9_000_000, "tag_id": "",
        "custody_model": CustodyModel.SEGREGATED,
    }, "urn:uuid:6b1f5a1e-0d6b-4b8e-9c39-5c1e2f0e7a11")


def test_commissioning_without_cobalt_is_refused(resolver):
    doc = mint_document()
    del doc["epcisBody"]["eventList"][0]["bt:cobaltKg"]
    with pytest.raises(EpcisError, match=r"^event urn:uuid:6b1f5a1e-0d6b-4b8e-9c39-5c1e2f0e7a11: bt:cobaltKg is required$"):
        plan_import(doc, resolver)


def test_commissioning_with_fractional_grams_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["bt:cobaltKg"] = 600.1255
    with pytest.raises(EpcisError, match=r"bt:cobaltKg = 600.1255 KGM is not a whole number of grams"):
        plan_import(doc, resolver)


def test_unknown_location_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["bizLocation"]["id"] = "https://id.gs1.org/414/4000001000005"
    with pytest.raises(EpcisError, match=r"location GLN 4000001000005 is not a known facility$"):
        plan_import(doc, resolver)


def test_missing_event_type_is_refused(resolver):
    doc = mint_document()
    del doc["epcisBody"]["eventList"][0]["type"]
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]: 'type' is a required property$"):
        plan_import(doc, resolver)


def test_wrong_action_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["action"] = "MOVE"
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]\.action: 'MOVE' is not one of"):
        plan_import(doc, resolver)


def test_commissioning_with_observe_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["action"] = "OBSERVE"
    with pytest.raises(EpcisError, match=r": commissioning must have action ADD, not OBSERVE$"):
        plan_import(doc, resolver)


def test_bad_event_time_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["eventTime"] = "02/03/2026 09:12"
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]\.eventTime: '02/03/2026 09:12' is not a 'date-time'$"):
        plan_import(doc, resolver)


def test_unknown_cbv_biz_step_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["bizStep"] = "teleporting"
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]\.bizStep: "):
        plan_import(doc, resolver)


def test_biz_step_without_an_operation_is_refused(resolver):
    doc = mint_document()
    event = doc["epcisBody"]["eventList"][0]
    event["action"], event["bizStep"] = "OBSERVE", "urn:example:bizstep:polishing"
    with pytest.raises(EpcisError, match=r": bizStep 'urn:example:bizstep:polishing' has no batterytrace operation$"):
        plan_import(doc, resolver)


def test_missing_context_is_refused(resolver):
    doc = mint_document()
    del doc["@context"]
    with pytest.raises(EpcisError, match=r"^\$: '@context' is a required property$"):
        plan_import(doc, resolver)


def test_invalid_json_is_refused(resolver):
    with pytest.raises(EpcisError, match=r"^the document is not JSON"):
        plan_import('{"type": "EPCISDocument",', resolver)


def test_document_over_five_megabytes_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["bt:note"] = "x" * (5 * 1024 * 1024)
    with pytest.raises(EpcisError, match=r"^the document is \d+ bytes, over the limit of 5242880$"):
        plan_import(doc, resolver)


def test_document_with_too_many_events_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"] = [{"type": "ObjectEvent"}] * (MAX_EVENTS + 1)
    with pytest.raises(EpcisError, match=r"^the document has 10001 events, over the limit of 10000$"):
        plan_import(doc, resolver)


def test_lot_of_another_deployment_is_refused(resolver, events, context):
    events.handover("LotOffered", events.bag)
    doc = export_events(events.log, replace(context, chain_id=1))
    with pytest.raises(EpcisError, match=r"belongs to chain 1 contract .*, not chain 31337"):
        plan_import(doc, resolver)


def test_transformation_plans_a_transform(resolver, events, context):
    events.transform()
    openings = {lot: opening(100_000 + index, 300_000, 5_000) for index, lot in enumerate(events.outputs)}
    doc = export_events(events.log, context, openings, include_confidential=True)
    (operation,) = plan_import(doc, resolver)
    assert operation.kind == "transform"
    assert operation.arguments == {
        "input_lot_ids": (events.bag, events.bag_b),
        "outputs": tuple(
            OutputPlan(f"SULF-{index + 1}", MaterialKind.REFINED_COBALT_SULFATE, 100_000 + index, 300_000, f"QR-SULF-{index + 1}")
            for index in range(3)
        ),
        "facility_id": REFINERY,
        "process_co2e_grams": 1_250_000,
    }


def test_transformation_without_output_quantities_is_refused(resolver, events, context):
    events.transform()
    doc = export_events(events.log, context)
    with pytest.raises(EpcisError, match=r"output urn:batterytrace:lot:.* needs bt:cobaltKg$"):
        plan_import(doc, resolver)


def test_round_trip_plans_the_original_operations(resolver, events, context):
    events.created(MINER, "BAG-0001", MaterialKind.COBALT_HYDROXIDE, MINE, [])
    events.created(MINER, "BAG-0002", MaterialKind.COBALT_HYDROXIDE, MINE, [])
    events.handover("LotOffered", events.bag)
    events.handover("LotAccepted", events.bag)
    events.transform()
    openings = {events.bag: opening(600_000, 2_000_000, 9_000_000), events.bag_b: opening(300_000, 1_000_000, 4_500_000)}
    openings.update({lot: opening(290_000, 700_000, 4_600_000) for lot in events.outputs})
    doc = json.loads(json.dumps(export_events(events.log, context, openings, include_confidential=True)))
    plan = plan_import(doc, resolver)
    assert [operation.kind for operation in plan] == ["mint", "mint", "offer", "accept", "transform"]
    assert [operation.source_event_id for operation in plan] == [event["eventID"] for event in doc["epcisBody"]["eventList"]]
    first = plan[0].arguments
    assert lot_id_for(MINER, first["external_id"]) == events.bag
    assert (first["cobalt_grams"], first["total_grams"], first["co2e_grams"], first["tag_id"]) == (
        600_000, 2_000_000, 9_000_000, "QR-BAG-0001")
    assert plan[2].arguments == {"lot_id": events.bag, "to": REFINER}
    assert plan[3].arguments == {"lot_id": events.bag, "measured_total_grams": 2_000_000}
    transform = plan[4].arguments
    assert transform["input_lot_ids"] == (events.bag, events.bag_b)
    assert [(output.external_id, output.cobalt_grams, output.total_grams) for output in transform["outputs"]] == [
        (f"SULF-{index}", 290_000, 700_000) for index in (1, 2, 3)]


@given(cobalt=st.integers(1, 10**15 - 1), extra=st.integers(0, 10**14))
@settings(max_examples=200, deadline=None)
def test_masses_survive_kilograms_in_json_exactly(cobalt, extra):
    total = min(cobalt + extra, 10**15 - 1)
    lot_id = lot_id_for(MINER, "BAG-H")
    created = LotEvent("LotCreated", lot_id, 1, "0x" + "ab" * 32, 0, datetime(2026, 1, 1, tzinfo=timezone.utc), {
        "lotId": lot_id, "creator": MINER, "facilityId": 9, "externalId": bytes32_text("BAG-H"), "kind": 0,
        "custodyModel": 0, "tagId": bytes(32), "commitment": 1, "certifiedSchemes": 0, "parentIds": [],
    })
    secret = Opening.new(cobalt_grams=cobalt, total_grams=total, co2e_grams=total)
    doc = json.loads(json.dumps(export_events([created], ExportContext(CHAIN_ID, LOTS, REGISTRY), {lot_id: secret},
                                              include_confidential=True)))
    (operation,) = plan_import(doc, ImportResolver(CHAIN_ID, LOTS, REGISTRY, MINER))
    assert (operation.arguments["cobalt_grams"], operation.arguments["total_grams"], operation.arguments["co2e_grams"]) == (
        cobalt, total, total)

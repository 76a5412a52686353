"""Import: EPCIS documents planned into lot operations on the shielded ledger, and refused with the
reason when they cannot be."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.epcis import MAX_EVENTS, ExportContext, ImportResolver, PlannedOperation, export_steps, lot_uri, plan_import
from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.sdk.shielded import external_id_number
from batterytrace.zk.note_transform import output_tag
from batterytrace.zk.origin import origin_tag
from tests.helpers.epcis import (
    CHAIN_ID,
    LEDGER,
    MINE,
    MINE_GLN,
    REFINER,
    REFINERY,
    REGISTRY,
    SECRET,
    START,
    Steps,
    document,
    lot_note,
    received,
    transformation,
)
from tests.helpers.flows import PARTNER_MINT

EVENT_ID = "urn:uuid:6b1f5a1e-0d6b-4b8e-9c39-5c1e2f0e7a11"
PARTNER_LOT = "https://erp.example-mine.cd/lots/HYD-2026-0042"
BAG = 0xB1 << 240
REFINERY_URN = f"urn:batterytrace:facility:{CHAIN_ID}:{REGISTRY.lower()}:{REFINERY}"


def mint_document() -> dict:
    return copy.deepcopy(PARTNER_MINT)


def shipped(doc: dict, to: str = REFINER) -> dict:
    doc["epcisBody"]["eventList"].append({
        "type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000002",
        "eventTime": "2026-03-02T11:00:00Z", "eventTimeZoneOffset": "+00:00", "epcList": [PARTNER_LOT], "action": "OBSERVE",
        "bizStep": "shipping", "disposition": "in_transit",
        "destinationList": [{"type": "owning_party", "destination": f"urn:batterytrace:party:{CHAIN_ID}:{to.lower()}"}],
    })
    return doc


def origin(external_id: str, facility_id: int = MINE) -> int:
    return origin_tag(SECRET, facility_id, external_id_number(external_id))


def test_commissioning_plans_a_mint_in_grams(resolver):
    (operation,) = plan_import(mint_document(), resolver)
    assert operation == PlannedOperation("mint", {
        "facility_id": MINE, "external_id": "HYD-2026-0042", "kind": MaterialKind.COBALT_HYDROXIDE,
        "cobalt_grams": 600_125, "total_grams": 2_000_500, "co2e_grams": 9_000_000, "lithium_grams": 0,
        "nickel_grams": 0,
    }, EVENT_ID)


def test_a_lot_the_document_mints_is_named_by_the_importers_origin_tag(resolver):
    _, offer = plan_import(shipped(mint_document()), resolver)
    assert offer.arguments == {"lot_id": origin("HYD-2026-0042"), "to": REFINER}
    other = replace(resolver, shielding_secret=SECRET + 1)
    assert plan_import(shipped(mint_document()), other)[1].arguments["lot_id"] != origin("HYD-2026-0042")


def test_the_transform_outputs_are_named_by_the_importers_output_tags(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"].append(
        transformation([PARTNER_LOT], {"SULF-1": (290_000, 700_000), "SULF-2": (300_000, 710_000)}, REFINERY_URN))
    doc["epcisBody"]["eventList"].append({
        "type": "ObjectEvent", "eventID": "urn:uuid:s-1", "eventTime": "2026-03-03T09:00:00Z", "eventTimeZoneOffset": "+00:00",
        "epcList": ["https://erp.example-refinery.fi/lots/SULF-2"], "action": "OBSERVE", "bizStep": "shipping",
        "destinationList": [{"type": "owning_party", "destination": f"urn:batterytrace:party:{CHAIN_ID}:{REFINER.lower()}"}],
    })
    _, transform, offer = plan_import(doc, resolver)
    assert transform == PlannedOperation("transform", {
        "input_lot_ids": (origin("HYD-2026-0042"),),
        "outputs": (OutputPlan("SULF-1", MaterialKind.REFINED_COBALT_SULFATE, 290_000, 700_000),
                    OutputPlan("SULF-2", MaterialKind.REFINED_COBALT_SULFATE, 300_000, 710_000)),
        "facility_id": REFINERY, "process_co2e_grams": 1_250_000,
    }, "urn:uuid:t-1")
    assert offer.arguments["lot_id"] == output_tag(SECRET, REFINERY, external_id_number("SULF-2"))


def test_a_lot_on_the_ledger_is_named_by_its_lot_urn(resolver):
    doc = document(transformation([lot_uri(CHAIN_ID, LEDGER, BAG)], {"SULF-1": (290_000, 700_000)}, REFINERY_URN))
    (operation,) = plan_import(doc, resolver)
    assert operation.arguments["input_lot_ids"] == (BAG,)


def test_a_lot_neither_minted_earlier_nor_a_lot_urn_is_refused(resolver):
    doc = shipped(mint_document())
    del doc["epcisBody"]["eventList"][0]
    with pytest.raises(EpcisError, match=r"^event urn:uuid:0+-0000-4000-8000-000000000002: lot https://erp\.example-mine\.cd/lots/"
                                         r"HYD-2026-0042 is not created earlier in this document: name a lot on the ledger by its lot URN"):
        plan_import(doc, resolver)


def test_commissioning_a_lot_urn_is_refused(resolver):
    doc = mint_document()
    event = doc["epcisBody"]["eventList"][0]
    event["epcList"] = [lot_uri(CHAIN_ID, LEDGER, BAG)]
    with pytest.raises(EpcisError, match=rf"^event {EVENT_ID}: urn:batterytrace:lot:.* is a lot already on the ledger"):
        plan_import(doc, resolver)


def test_an_external_id_over_31_bytes_is_refused(resolver):
    doc = mint_document()
    doc["epcisBody"]["eventList"][0]["bt:externalId"] = "X" * 32
    with pytest.raises(EpcisError, match=rf"^event {EVENT_ID}: external id 'X+': an external id is 1 to 31 bytes of text, got 32$"):
        plan_import(doc, resolver)


def test_commissioning_without_any_metal_is_refused(resolver):
    doc = mint_document()
    del doc["epcisBody"]["eventList"][0]["bt:cobaltKg"]
    with pytest.raises(EpcisError, match=rf"^event {EVENT_ID}: an origin lot needs bt:cobaltKg, bt:lithiumKg or "
                                         r"bt:nickelKg$"):
        plan_import(doc, resolver)


def test_commissioning_lithium_plans_a_mint_of_lithium_alone(resolver):
    doc = mint_document()
    event = doc["epcisBody"]["eventList"][0]
    del event["bt:cobaltKg"]
    event["bt:lithiumKg"] = 120
    (operation,) = plan_import(doc, resolver)
    assert (operation.arguments["cobalt_grams"], operation.arguments["lithium_grams"],
            operation.arguments["nickel_grams"]) == (0, 120_000, 0)


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


def test_a_lot_of_another_deployment_is_refused(resolver, steps, context):
    steps.offer(lot_note(BAG, 600_000, 2_000_000, 9_000_000), REFINER)
    doc = export_steps(steps.log, steps.directory, replace(context, chain_id=1))
    with pytest.raises(EpcisError, match=r"belongs to chain 1 contract .*, not chain 31337"):
        plan_import(doc, resolver)


def test_transformation_without_output_quantities_is_refused(resolver):
    event = transformation([lot_uri(CHAIN_ID, LEDGER, BAG)], {"SULF-1": (290_000, 700_000)}, REFINERY_URN)
    del event["outputQuantityList"]
    with pytest.raises(EpcisError, match=r"outputQuantityList needs one quantity \(KGM\) for https://erp\.example-refinery\.fi/lots/SULF-1$"):
        plan_import(document(event), resolver)


def test_an_exported_transformation_cannot_be_replayed(resolver, steps, context):
    sulfate = lot_note(0xC0 << 240, 290_000, 700_000, 4_600_000, owner=REFINER, kind=MaterialKind.REFINED_COBALT_SULFATE)
    steps.transform([lot_note(BAG, 300_000, 1_000_000, 4_500_000, owner=REFINER)], [sulfate])
    doc = export_steps(steps.log, steps.directory, context, include_confidential=True)
    with pytest.raises(EpcisError, match=r"is a lot already on the ledger: a new lot is named by the partner's own id$"):
        plan_import(doc, resolver)


def test_an_exported_custody_history_plans_the_same_steps_for_the_receiver(steps, context):
    """Export then import: the receiver's system reads another participant's export back into the
    same lots and steps (the ledger's lots by their URNs, parties, masses and outcomes)."""
    offered = steps.offer(lot_note(BAG, 600_000, 2_000_000, 9_000_000), REFINER)
    steps.resolve(steps.dispute(offered), deliver=True)
    doc = json.loads(json.dumps(export_steps(steps.log, steps.directory, context, include_confidential=True)))
    refiner = ImportResolver(CHAIN_ID, LEDGER, REGISTRY, SECRET + 1)
    plan = plan_import(doc, refiner)
    assert [(operation.kind, dict(operation.arguments)) for operation in plan] == [
        ("offer", {"lot_id": BAG, "to": REFINER}),
        ("accept", {"lot_id": BAG, "measured_total_grams": 2_000_000}),  # the ledger holds the committed mass, not the weighing
        ("resolve_dispute", {"lot_id": BAG, "outcome": DisputeOutcome.DELIVER_TO_RECEIVER}),
    ]
    assert [operation.source_event_id for operation in plan] == [event["eventID"] for event in doc["epcisBody"]["eventList"]]


def test_a_received_shipping_event_plans_an_accept_of_the_shipped_lot(steps, context, resolver):
    steps.offer(lot_note(BAG, 600_000, 2_000_000, 9_000_000), REFINER)
    (shipping,) = export_steps(steps.log, steps.directory, context)["epcisBody"]["eventList"]
    (operation,) = plan_import(document(received(shipping, 1999.5, "urn:uuid:r-1")), resolver)
    assert operation == PlannedOperation("accept", {"lot_id": BAG, "measured_total_grams": 1_999_500}, "urn:uuid:r-1")


@given(cobalt=st.integers(1, 10**15 - 1), extra=st.integers(0, 10**14), co2e=st.integers(0, 10**15 - 1))
@settings(max_examples=200, deadline=None)
def test_masses_survive_kilograms_in_json_exactly(cobalt, extra, co2e):
    """A partner's system that copies an exported mint's masses into its own document plans the same grams."""
    total = min(cobalt + extra, 10**15 - 1)
    steps = Steps()
    steps.mint(lot_note(BAG, cobalt, total, co2e))
    resolver = ImportResolver(CHAIN_ID, LEDGER, REGISTRY, SECRET, facility_glns={MINE_GLN: MINE})
    context = ExportContext(CHAIN_ID, LEDGER, REGISTRY, facility_glns={MINE: MINE_GLN}, creation_date=START)
    doc = json.loads(json.dumps(export_steps(steps.log, steps.directory, context, include_confidential=True)))
    (event,) = doc["epcisBody"]["eventList"]
    event["epcList"] = [PARTNER_LOT]
    event["quantityList"][0]["epcClass"] = PARTNER_LOT
    (operation,) = plan_import(doc, resolver)
    assert (operation.arguments["cobalt_grams"], operation.arguments["total_grams"], operation.arguments["co2e_grams"]) == (
        cobalt, total, co2e)

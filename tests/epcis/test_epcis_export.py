"""Export: synthetic lot events to EPCIS 2.0 JSON-LD, validated against the GS1 schema."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from batterytrace.epcis import EPCIS_CONTEXT_URL, export_events, lot_uri, validate_epcis
from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import DisputeOutcome
from tests.helpers.epcis import AUDITOR, CHAIN_ID, LOTS, MINER, REFINER, REGISTRY, opening

SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"
PACKAGED = Path(__file__).resolve().parents[2] / "src" / "batterytrace" / "data" / "epcis"


@pytest.mark.parametrize("name", ["EPCIS-JSON-Schema.json", "epcis-context.jsonld", "LICENSE"])
def test_packaged_standard_files_equal_the_shared_originals(name):
    if not SHARED.is_dir():
        pytest.skip("the shared standards folder is not next to this checkout")
    assert (PACKAGED / name).read_bytes() == (SHARED / name).read_bytes()


def test_mint_is_a_commissioning_object_event(events, context):
    events.created(MINER, "BAG-0001", 1, 1, [])
    doc = export_events(events.log, context)
    validate_epcis(doc)
    assert doc["@context"] == [EPCIS_CONTEXT_URL, {"bt": "urn:batterytrace:epcis:"}]
    assert (doc["type"], doc["schemaVersion"], doc["creationDate"]) == ("EPCISDocument", "2.0", "2026-03-02T08:30:00+00:00")
    (event,) = doc["epcisBody"]["eventList"]
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent", "ADD", "commissioning", "active")
    assert event["epcList"] == [f"urn:batterytrace:lot:31337:{LOTS.lower()}:0x{events.bag:064x}"]
    assert event["bizLocation"] == {"id": "https://id.gs1.org/414/5412345000013"}
    assert (event["eventTime"], event["eventTimeZoneOffset"]) == ("2026-03-02T09:30:00+00:00", "+00:00")
    assert (event["bt:externalId"], event["bt:materialKind"], event["bt:tagId"]) == ("BAG-0001", "COBALT_HYDROXIDE", "QR-BAG-0001")
    assert (event["bt:blockNumber"], event["bt:logIndex"], event["bt:transactionHash"]) == (101, 2, f"0x{101:064x}")
    assert event["bt:commitment"] == f"0x{(events.bag >> 8) | 1:064x}"


def test_facility_without_gln_is_a_batterytrace_urn(events, context):
    events.created(REFINER, "BAG-9", 1, 3, [])
    (event,) = export_events(events.log, context)["epcisBody"]["eventList"]
    assert event["readPoint"] == {"id": f"urn:batterytrace:facility:31337:{REGISTRY.lower()}:3"}


def test_offer_and_accept_are_shipping_and_receiving_between_parties(events, context):
    events.handover("LotOffered", events.bag)
    events.handover("LotAccepted", events.bag)
    shipping, receiving = export_events(events.log, context)["epcisBody"]["eventList"]
    assert (shipping["action"], shipping["bizStep"], shipping["disposition"]) == ("OBSERVE", "shipping", "in_transit")
    assert shipping["sourceList"] == [{"type": "owning_party", "source": f"urn:batterytrace:party:31337:{MINER.lower()}"}]
    assert shipping["destinationList"] == [
        {"type": "owning_party", "destination": f"urn:batterytrace:party:31337:{REFINER.lower()}"}]
    assert (receiving["bizStep"], receiving["disposition"]) == ("receiving", "in_progress")
    assert receiving["bt:weighingEvidenceHash"] == "0x" + "11" * 32


def test_party_with_gln_is_its_digital_link(events, context):
    events.handover("LotOffered", events.bag)
    (event,) = export_events(events.log, replace(context, party_glns={REFINER: "5412345000013"}))["epcisBody"]["eventList"]
    assert event["destinationList"][0]["destination"] == "https://id.gs1.org/417/5412345000013"


def test_dispute_is_non_conformant_receiving_and_resolution_is_inspecting(events, context):
    events.handover("LotOffered", events.bag)
    events.handover("LotDisputed", events.bag)
    events.add("LotDisputeResolved", events.bag, lotId=events.bag, auditor=AUDITOR, custodian=MINER,
               outcome=int(DisputeOutcome.RETURN_TO_SENDER), evidenceHash=b"\x22" * 32)
    _, disputed, resolved = export_events(events.log, context)["epcisBody"]["eventList"]
    assert (disputed["bizStep"], disputed["disposition"]) == ("receiving", "non_conformant")
    assert (resolved["bizStep"], resolved["disposition"], resolved["bt:disputeOutcome"]) == (
        "inspecting", "returned", "RETURN_TO_SENDER")


def test_cancelled_offer_is_void_shipping(events, context):
    events.handover("LotOfferCancelled", events.bag)
    (event,) = export_events(events.log, context)["epcisBody"]["eventList"]
    assert (event["bizStep"], event["disposition"]) == ("void_shipping", "active")


def test_passport_lock_is_assembling(events, context):
    events.add("LotLockedForPassport", events.bag, lotId=events.bag, passportId=7)
    (event,) = export_events(events.log, context)["epcisBody"]["eventList"]
    assert (event["action"], event["bizStep"], event["bt:passportId"]) == ("OBSERVE", "assembling", 7)


def test_status_changes_and_transfers_are_not_separate_events(events, context):
    events.add("LotStatusChanged", events.bag, lotId=events.bag, oldStatus=1, newStatus=2)
    events.add("Transfer", events.bag, tokenId=events.bag, **{"from": MINER}, to=REFINER)
    assert export_events(events.log, context)["epcisBody"]["eventList"] == []


def test_transform_with_two_inputs_and_three_outputs(events, context):
    events.transform()
    doc = export_events(events.log, context)
    (event,) = doc["epcisBody"]["eventList"]
    assert event["type"] == "TransformationEvent"
    assert event["transformationID"] == f"urn:batterytrace:transformation:31337:{LOTS.lower()}:1"
    assert event["inputEPCList"] == [lot_uri(CHAIN_ID, LOTS, lot) for lot in (events.bag, events.bag_b)]
    assert event["outputEPCList"] == [lot_uri(CHAIN_ID, LOTS, lot) for lot in events.outputs]
    assert [entry["bt:externalId"] for entry in event["bt:outputs"]] == ["SULF-1", "SULF-2", "SULF-3"]
    assert (event["bizStep"], event["bt:processCo2eKg"], event["bt:maxYieldLossBps"]) == ("commissioning", 1250.0, 500)


def test_no_confidential_value_appears_without_openings(events, context):
    events.created(MINER, "BAG-0001", 1, 1, [])
    events.handover("LotOffered", events.bag)
    secret = opening(604_321, 2_017_777, 9_876_543)
    for doc in (export_events(events.log, context), export_events(events.log, context, {events.bag: secret})):
        text = json.dumps(doc)
        for value in ("604321", "604.321", "2017777", "2017.777", "9876543", "9876.543", "KGM", "cobaltKg", "ARTISANAL"):
            assert value not in text


def test_confidential_values_in_kilograms_with_openings_when_asked(events, context):
    events.created(MINER, "BAG-0001", 1, 1, [])
    secret = opening(604_321, 2_017_777, 9_876_543)
    doc = export_events(events.log, context, {events.bag: secret}, include_confidential=True)
    (event,) = doc["epcisBody"]["eventList"]
    assert event["quantityList"] == [{"epcClass": lot_uri(CHAIN_ID, LOTS, events.bag), "quantity": 2017.777, "uom": "KGM"}]
    assert (event["bt:cobaltKg"], event["bt:certifiedCobaltKg"], event["bt:recycledCobaltKg"], event["bt:co2eKg"]) == (
        604.321, 604.321, 0.0, 9876.543)
    assert event["bt:riskFlags"] == ["ARTISANAL"]


def test_event_ids_are_deterministic_and_distinct(events, context):
    events.created(MINER, "BAG-0001", 1, 1, [])
    events.handover("LotOffered", events.bag)
    first = [event["eventID"] for event in export_events(events.log, context)["epcisBody"]["eventList"]]
    again = [event["eventID"] for event in export_events(list(events.log), context)["epcisBody"]["eventList"]]
    assert first == again
    assert len(set(first)) == 2 and all(item.startswith("urn:uuid:") for item in first)


def test_a_repeated_log_is_exported_once(events, context):
    event = events.created(MINER, "BAG-0001", 1, 1, [])
    assert len(export_events([event, event], context)["epcisBody"]["eventList"]) == 1


def test_validate_names_the_json_path(events, context):
    events.created(MINER, "BAG-0001", 1, 1, [])
    doc = export_events(events.log, context)
    doc["epcisBody"]["eventList"][0]["eventTime"] = "2026-13-45"
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]\.eventTime: '2026-13-45' is not a 'date-time'$"):
        validate_epcis(doc)

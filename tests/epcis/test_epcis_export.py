"""Export: lots' steps as a note store sees them, to EPCIS 2.0 JSON-LD validated against the GS1 schema."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from batterytrace.epcis import EPCIS_CONTEXT_URL, export_steps, lot_uri, validate_epcis
from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import MaterialKind
from batterytrace.model.risk import RiskFlag
from tests.helpers.epcis import CHAIN_ID, LEDGER, MINER, PACK_PLANT, REFINER, REGISTRY, lot_note

SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"
PACKAGED = Path(__file__).resolve().parents[2] / "src" / "batterytrace" / "data" / "epcis"
BAG, BAG_B = 0xB1 << 240, 0xB2 << 240
MINER_URN = f"urn:batterytrace:party:31337:{MINER.lower()}"
REFINER_URN = f"urn:batterytrace:party:31337:{REFINER.lower()}"


def exported(steps, context, **options):
    return export_steps(steps.log, steps.directory, context, **options)["epcisBody"]["eventList"]


def bag(tag=BAG, **values):
    return lot_note(tag, values.pop("cobalt", 604_321), values.pop("total", 2_017_777), values.pop("co2e", 9_876_543), **values)


@pytest.mark.parametrize("name", ["EPCIS-JSON-Schema.json", "epcis-context.jsonld", "LICENSE"])
def test_packaged_standard_files_equal_the_shared_originals(name):
    if not SHARED.is_dir():
        pytest.skip("the shared standards folder is not next to this checkout")
    assert (PACKAGED / name).read_bytes() == (SHARED / name).read_bytes()


def test_a_mint_is_a_commissioning_object_event_at_the_mine(steps, context):
    note = steps.mint(bag())
    doc = export_steps(steps.log, steps.directory, context)
    validate_epcis(doc)
    assert doc["@context"] == [EPCIS_CONTEXT_URL, {"bt": "urn:batterytrace:epcis:"}]
    assert (doc["type"], doc["schemaVersion"], doc["creationDate"]) == ("EPCISDocument", "2.0", "2026-03-02T08:30:00+00:00")
    (event,) = doc["epcisBody"]["eventList"]
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == ("ObjectEvent", "ADD", "commissioning", "active")
    assert event["epcList"] == [f"urn:batterytrace:lot:31337:{LEDGER.lower()}:0x{BAG:064x}"]
    assert event["readPoint"] == event["bizLocation"] == {"id": "https://id.gs1.org/414/5412345000013"}
    assert (event["eventTime"], event["eventTimeZoneOffset"]) == ("2026-03-02T09:30:00+00:00", "+00:00")
    assert (event["bt:materialKind"], event["bt:creator"], event["bt:certifiedSchemes"]) == ("COBALT_HYDROXIDE", MINER_URN, 1 << 1)
    assert event["bt:commitment"] == f"0x{note.commitment:064x}"
    assert (event["bt:chainEvent"], event["bt:blockNumber"], event["bt:logIndex"], event["bt:transactionHash"]) == (
        "OriginMinted", 101, 2, f"0x{101:064x}")


def test_a_facility_without_gln_is_a_registry_urn_and_an_unresolved_one_is_left_out(steps, context):
    steps.mint(bag())
    steps.mint(bag(BAG_B), facility_id=3)
    steps.mint(bag(BAG + 1), facility_id=99)  # no facility the directory can resolve
    at_mine, at_refinery, nowhere = exported(steps, replace(context, facility_glns={}))
    assert at_mine["bizLocation"] == {"id": f"urn:batterytrace:facility:31337:{REGISTRY.lower()}:1"}
    assert at_refinery["readPoint"] == {"id": f"urn:batterytrace:facility:31337:{REGISTRY.lower()}:3"}
    assert "bizLocation" not in nowhere and "readPoint" not in nowhere and nowhere["bt:certifiedSchemes"] == 0


def test_offer_and_accept_are_shipping_and_receiving_between_the_parties(steps, context):
    steps.accept(steps.offer(bag(), REFINER))
    shipping, receiving = exported(steps, context)
    assert (shipping["action"], shipping["bizStep"], shipping["disposition"]) == ("OBSERVE", "shipping", "in_transit")
    assert shipping["sourceList"] == [{"type": "owning_party", "source": MINER_URN}]
    assert shipping["destinationList"] == [{"type": "owning_party", "destination": REFINER_URN}]
    assert (receiving["bizStep"], receiving["disposition"], receiving["bt:custodyOperation"]) == ("receiving", "in_progress", "ACCEPT")
    assert receiving["sourceList"] == shipping["sourceList"] and receiving["destinationList"] == shipping["destinationList"]
    assert receiving["bt:weighingEvidenceHash"] == "0x" + "11" * 32 and "bt:weighingEvidenceHash" not in shipping


def test_a_party_with_a_gln_is_its_digital_link(steps, context):
    steps.offer(bag(), REFINER)
    (event,) = exported(steps, replace(context, party_glns={REFINER: "5412345000013"}))
    assert event["destinationList"][0]["destination"] == "https://id.gs1.org/417/5412345000013"


def test_a_dispute_is_non_conformant_receiving_and_its_resolution_inspecting(steps, context):
    offered = steps.offer(bag(), REFINER)
    steps.resolve(steps.dispute(offered), deliver=False)
    steps.resolve(steps.dispute(steps.offer(bag(BAG_B), REFINER)), deliver=True)
    _, disputed, returned, _, _, delivered = exported(steps, context)
    assert (disputed["bizStep"], disputed["disposition"], disputed["bt:weighingEvidenceHash"]) == (
        "receiving", "non_conformant", "0x" + "12" * 32)
    assert disputed["destinationList"][0]["destination"] == REFINER_URN
    assert (returned["bizStep"], returned["disposition"], returned["bt:disputeOutcome"], returned["bt:custodian"]) == (
        "inspecting", "returned", "RETURN_TO_SENDER", MINER_URN)
    assert (delivered["disposition"], delivered["bt:disputeOutcome"], delivered["bt:custodian"]) == (
        "in_progress", "DELIVER_TO_RECEIVER", REFINER_URN)
    assert returned["bt:evidenceHash"] == "0x" + "22" * 32 and "bt:auditor" not in returned


def test_a_cancelled_offer_is_void_shipping(steps, context):
    steps.cancel(steps.offer(bag(), REFINER))
    _, event = exported(steps, context)
    assert (event["bizStep"], event["disposition"], event["sourceList"][0]["source"]) == ("void_shipping", "active", MINER_URN)


def test_a_transform_of_two_lots_into_three_is_one_transformation_event(steps, context):
    inputs = [bag(owner=REFINER), bag(BAG_B, owner=REFINER)]
    outputs = [lot_note(0xC0 << 240 | index, 290_000, 700_000, 4_600_000, owner=REFINER, kind=MaterialKind.REFINED_COBALT_SULFATE,
                        certified=0, flags=RiskFlag.NONE) for index in range(3)]
    steps.transform(inputs, outputs)
    doc = export_steps(steps.log, steps.directory, context)
    (event,) = doc["epcisBody"]["eventList"]  # five steps of the store, one ledger event
    assert event["type"] == "TransformationEvent" and "transformationID" not in event
    assert event["inputEPCList"] == [lot_uri(CHAIN_ID, LEDGER, note.tag) for note in inputs]
    assert event["outputEPCList"] == [lot_uri(CHAIN_ID, LEDGER, note.tag) for note in outputs]
    # The step that made an output locates the job; the inputs' steps cannot.
    assert (event["bizStep"], event["disposition"], event["bizLocation"]["id"]) == (
        "commissioning", "active", f"urn:batterytrace:facility:31337:{REGISTRY.lower()}:3")
    assert event["bt:operator"] == REFINER_URN
    assert event["bt:outputs"] == [{"bt:epc": lot_uri(CHAIN_ID, LEDGER, note.tag), "bt:materialKind": "REFINED_COBALT_SULFATE",
                                    "bt:commitment": f"0x{note.commitment:064x}"} for note in outputs]
    assert "inputQuantityList" not in event and "bt:processCo2eKg" not in event


def test_a_transform_at_a_pack_plant_is_assembling(steps, context):
    pack = lot_note(0xD0 << 240, 5_250, 450_000, 60_000, owner=REFINER, kind=MaterialKind.PACK)
    steps.transform([bag(owner=REFINER)], [pack], facility_id=PACK_PLANT)
    (event,) = exported(steps, context)
    assert event["bizStep"] == "assembling"


def test_no_confidential_value_appears_unless_asked_for(steps, context):
    steps.offer(steps.mint(bag()), REFINER)
    text = json.dumps(export_steps(steps.log, steps.directory, context))
    for value in ("604321", "604.321", "2017777", "2017.777", "9876543", "9876.543", "KGM", "cobaltKg", "ARTISANAL"):
        assert value not in text


def test_confidential_values_come_from_the_notes_in_kilograms(steps, context):
    steps.mint(bag(certified=500_000, pre_consumer=1_000, post_consumer=20_321, flags=RiskFlag.ARTISANAL | RiskFlag.CHILD_LABOUR))
    (event,) = exported(steps, context, include_confidential=True)
    assert event["quantityList"] == [{"epcClass": lot_uri(CHAIN_ID, LEDGER, BAG), "quantity": 2017.777, "uom": "KGM"}]
    assert (event["bt:cobaltKg"], event["bt:certifiedCobaltKg"], event["bt:recycledCobaltKg"], event["bt:co2eKg"]) == (
        604.321, 500.0, 21.321, 9876.543)
    assert event["bt:riskFlags"] == ["CHILD_LABOUR", "ARTISANAL"]


def test_a_transforms_quantities_are_its_notes_totals(steps, context):
    sulfate = lot_note(0xC0 << 240, 1_200_000, 3_800_000, 20_000_000, owner=REFINER, kind=MaterialKind.REFINED_COBALT_SULFATE)
    steps.transform([bag(owner=REFINER), bag(BAG_B, owner=REFINER, total=1_000_000)], [sulfate])
    (event,) = exported(steps, context, include_confidential=True)
    assert [item["quantity"] for item in event["inputQuantityList"]] == [2017.777, 1000.0]
    assert event["outputQuantityList"] == [{"epcClass": lot_uri(CHAIN_ID, LEDGER, sulfate.tag), "quantity": 3800.0, "uom": "KGM"}]
    assert event["bt:outputs"][0]["bt:cobaltKg"] == 1200.0


def test_event_ids_are_stable_and_distinct(steps, context):
    steps.offer(steps.mint(bag()), REFINER)
    first = [event["eventID"] for event in exported(steps, context)]
    again = [event["eventID"] for event in exported(steps, replace(context, creation_date=datetime.now().astimezone()))]
    assert first == again
    assert len(set(first)) == 2 and all(item.startswith("urn:uuid:") for item in first)
    assert first != [event["eventID"] for event in exported(steps, replace(context, ledger=REGISTRY))]


def test_a_step_seen_twice_is_one_event_and_the_events_run_oldest_first(steps, context):
    steps.offer(steps.mint(bag()), REFINER)
    steps.log.reverse()
    steps.log.append(steps.log[0])
    assert [event["bizStep"] for event in exported(steps, context)] == ["commissioning", "shipping"]


def test_a_handover_between_parties_nobody_can_name_is_refused(steps, context):
    offered = steps.offer(bag(), REFINER)
    steps.log[-1] = replace(steps.log[-1], note=replace(offered, counterparty=4444))
    with pytest.raises(EpcisError, match=r"^the offer of lot 0xb1.* is between parties this store or the registry cannot name$"):
        exported(steps, context)


def test_a_naive_event_time_is_refused(steps, context):
    steps.mint(bag())
    steps.log[-1] = replace(steps.log[-1], timestamp=datetime(2026, 3, 2, 9, 30))
    with pytest.raises(EpcisError, match="has no time zone"):
        exported(steps, context)


def test_validate_names_the_json_path(steps, context):
    steps.mint(bag())
    doc = export_steps(steps.log, steps.directory, context)
    doc["epcisBody"]["eventList"][0]["eventTime"] = "2026-13-45"
    with pytest.raises(EpcisError, match=r"^\$\.epcisBody\.eventList\[0\]\.eventTime: '2026-13-45' is not a 'date-time'$"):
        validate_epcis(doc)

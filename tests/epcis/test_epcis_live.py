"""EPCIS on the live shielded ledger, real proofs and the session's relayer. One story for the module
keeps proving cheap: the mine's ERP document is imported (two bags minted and offered to the
refinery); the mine exports what its store opens; the refinery's system writes the receipt of one
bag back against the exported lot and a refining of it, and the refinery imports that. The other
bag stays offered to the refinery."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner

from batterytrace import cli
from batterytrace.cli import session as cli_session
from batterytrace.epcis import (
    ImportResolver,
    PlannedOperation,
    apply_plan,
    check_plan,
    export_lot,
    export_notes,
    facility_uri,
    lot_uri,
    party_uri,
    plan_import,
    validate_epcis,
)
from batterytrace.epcis.units import kilograms
from batterytrace.exceptions import EpcisError, UnknownLotError
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.sdk.shielded import external_id_number
from batterytrace.zk.note_transform import output_tag
from batterytrace.zk.origin import origin_tag
from tests.conftest import isolated
from tests.helpers.epcis import MINE_GLN, document, received, transformation
from tests.helpers.flows import PARTNER_MINT
from tests.helpers.sandbox import World

BAG_COBALT_GRAMS, BAG_TOTAL_GRAMS = 700_000, 2_000_000
SULFATE_COBALT_GRAMS, SULFATE_TOTAL_GRAMS = 690_000, 1_900_000


def commissioning(external_id: str, event_id: str) -> dict[str, Any]:
    event = copy.deepcopy(PARTNER_MINT["epcisBody"]["eventList"][0])
    epc = f"https://erp.example-mine.cd/lots/{external_id}"
    event.update({"eventID": event_id, "epcList": [epc], "bt:cobaltKg": kilograms(BAG_COBALT_GRAMS), "bt:co2eKg": 7_000,
                  "quantityList": [{"epcClass": epc, "quantity": kilograms(BAG_TOTAL_GRAMS), "uom": "KGM"}]})
    return event


def shipping(external_id: str, to: str, event_id: str, chain_id: int) -> dict[str, Any]:
    return {"type": "ObjectEvent", "eventID": event_id, "eventTime": "2026-03-02T11:00:00Z", "eventTimeZoneOffset": "+00:00",
            "epcList": [f"https://erp.example-mine.cd/lots/{external_id}"], "action": "OBSERVE", "bizStep": "shipping",
            "disposition": "in_transit", "destinationList": [{"type": "owning_party", "destination": party_uri(chain_id, to)}]}


@dataclass(frozen=True)
class Story:
    world: World
    mine_plan: list[PlannedOperation]
    refinery_plan: list[PlannedOperation]
    bags: tuple[int, int]
    sulfate: int
    mine_export: dict[str, Any]

    def resolver(self, name: str) -> ImportResolver:
        return ImportResolver.for_client(self.world.clients[name], facility_glns={MINE_GLN: self.world.facilities["miner"].facility_id})

    def export(self, name: str, **options: Any) -> dict[str, Any]:
        client = self.world.clients[name]
        client.shielded.sync()
        return export_notes(client, client.shielded.store, **options)

    def lot_export(self, name: str, lot_id: int) -> list[dict[str, Any]]:
        client = self.world.clients[name]
        client.shielded.sync()
        return export_lot(client, client.shielded.store, lot_id)["epcisBody"]["eventList"]

    def head(self) -> int:
        return self.world.chain.w3.eth.block_number


@pytest.fixture(scope="module")
def story(session_world: World) -> Iterator[Story]:
    with isolated(session_world) as world:
        chain_id, refiner = world.chain.chain_id, world.refiner.address
        mine_doc = document(commissioning("HYD-RT-1", "urn:uuid:m-1"), commissioning("HYD-RT-2", "urn:uuid:m-2"),
                            shipping("HYD-RT-1", refiner, "urn:uuid:s-1", chain_id), shipping("HYD-RT-2", refiner, "urn:uuid:s-2", chain_id))
        resolver = ImportResolver.for_client(world.miner, facility_glns={MINE_GLN: world.facilities["miner"].facility_id})
        mine_plan = plan_import(mine_doc, resolver)
        minted = apply_plan(world.miner, mine_plan)
        bags = (minted[0].lot_id, minted[1].lot_id)
        world.miner.shielded.sync()
        mine_export = export_notes(world.miner, world.miner.shielded.store, include_confidential=True)
        shipped = mine_export["epcisBody"]["eventList"][2]
        refinery = facility_uri(chain_id, world.deployment.registry, world.facilities["refiner"].facility_id)
        refinery_doc = document(received(shipped, kilograms(BAG_TOTAL_GRAMS), "urn:uuid:r-1"),
                                transformation(shipped["epcList"], {"SULF-RT-1": (SULFATE_COBALT_GRAMS, SULFATE_TOTAL_GRAMS)},
                                               refinery, "urn:uuid:t-1", process_co2e_kg=20))
        refinery_plan = plan_import(refinery_doc, ImportResolver.for_client(world.refiner))
        _accepted, made = apply_plan(world.refiner, refinery_plan)
        yield Story(world, mine_plan, refinery_plan, bags, made.output_lot_ids[0], mine_export)


def test_the_mines_import_minted_and_offered_both_bags_under_its_origin_tags(story):
    world = story.world
    mine = world.facilities["miner"].facility_id
    secret = world.miner.shielding_keys.secret
    assert story.bags == tuple(origin_tag(secret, mine, external_id_number(name)) for name in ("HYD-RT-1", "HYD-RT-2"))
    assert [operation.kind for operation in story.mine_plan] == ["mint", "mint", "offer", "offer"]
    offered = world.auditor.lot(story.bags[1])
    assert (offered.status, offered.custodian, offered.pending_receiver) == (LotStatus.IN_TRANSIT, world.miner.address, world.refiner.address)
    cobalt = offered.note.values.metals[0]
    assert (cobalt.grams, cobalt.certified_grams, offered.total_grams) == (BAG_COBALT_GRAMS, BAG_COBALT_GRAMS, BAG_TOTAL_GRAMS)


def test_the_refinerys_import_took_the_exported_lot_in_and_refined_it(story):
    world = story.world
    refinery = world.facilities["refiner"].facility_id
    assert story.sulfate == output_tag(world.refiner.shielding_keys.secret, refinery, external_id_number("SULF-RT-1"))
    assert [operation.kind for operation in story.refinery_plan] == ["accept", "transform"]
    assert story.refinery_plan[0].arguments == {"lot_id": story.bags[0], "measured_total_grams": BAG_TOTAL_GRAMS}
    bag, sulfate = world.auditor.lot(story.bags[0]), world.auditor.lot(story.sulfate)
    assert (bag.status, bag.custodian) == (LotStatus.CONSUMED, world.refiner.address)
    assert (sulfate.kind, sulfate.cobalt_grams, sulfate.total_grams, sulfate.custodian) == (
        MaterialKind.REFINED_COBALT_SULFATE, SULFATE_COBALT_GRAMS, SULFATE_TOTAL_GRAMS, world.refiner.address)


def test_rerunning_the_mines_import_doubles_nothing(story):
    world = story.world
    head = story.head()
    again = apply_plan(world.miner, story.mine_plan[:2])
    assert [(result.lot_id, result.created) for result in again] == [(story.bags[0], False), (story.bags[1], False)]
    # The bags were offered (and one taken in) already: the whole plan again is refused at its first offer.
    with pytest.raises(EpcisError, match=r"^event urn:uuid:s-1: lot 0x[0-9a-f]+ is NONE, not ACTIVE$"):
        apply_plan(world.miner, story.mine_plan)
    assert story.head() == head


def test_rerunning_the_refinerys_transformation_returns_its_outputs(story):
    head = story.head()
    (remade,) = apply_plan(story.world.refiner, story.refinery_plan[1:])
    assert remade.output_lot_ids == (story.sulfate,)
    assert story.head() == head


def test_a_plan_refused_midway_sends_nothing(story):
    world = story.world
    doc = document(commissioning("HYD-RT-3", "urn:uuid:m-3"),
                   {**story.mine_export["epcisBody"]["eventList"][2], "eventID": "urn:uuid:s-3"})
    plan = plan_import(doc, story.resolver("miner"))
    head = story.head()
    with pytest.raises(EpcisError, match=r"^event urn:uuid:s-3: "):
        apply_plan(world.miner, plan)
    assert story.head() == head
    assert not world.miner.shielded.origin_minted(world.facilities["miner"].facility_id, "HYD-RT-3")


def test_a_weighing_out_of_tolerance_is_checked_as_a_dispute(story):
    world = story.world
    bag = lot_uri(world.chain.chain_id, world.deployment.ledger, story.bags[1])
    refinery = facility_uri(world.chain.chain_id, world.deployment.registry, world.facilities["refiner"].facility_id)
    receipt = received({"epcList": [bag], "eventTime": "2026-03-02T12:00:00Z", "eventTimeZoneOffset": "+00:00",
                        "type": "ObjectEvent", "action": "OBSERVE"}, kilograms(BAG_TOTAL_GRAMS * 9 // 10), "urn:uuid:r-2")
    doc = document(receipt, transformation([bag], {"SULF-RT-2": (SULFATE_COBALT_GRAMS, SULFATE_TOTAL_GRAMS)}, refinery, "urn:uuid:t-2"))
    plan = plan_import(doc, story.resolver("refiner"))
    with pytest.raises(EpcisError, match=r"^event urn:uuid:t-2: lot 0x[0-9a-f]+ is DISPUTED, not ACTIVE$"):
        check_plan(world.refiner, plan)
    plan[0] = PlannedOperation("accept", {**plan[0].arguments, "measured_total_grams": BAG_TOTAL_GRAMS * 199 // 200}, "urn:uuid:r-2")
    check_plan(world.refiner, plan)  # within 50 bps: taken in, then refined


def test_the_importer_must_hold_or_be_offered_the_lots_it_names(story):
    world = story.world
    bag = lot_uri(world.chain.chain_id, world.deployment.ledger, story.bags[1])
    receipt = received({"epcList": [bag], "eventTime": "2026-03-02T12:00:00Z", "eventTimeZoneOffset": "+00:00",
                        "type": "ObjectEvent", "action": "OBSERVE"}, kilograms(BAG_TOTAL_GRAMS), "urn:uuid:r-3")
    plan = plan_import(document(receipt), story.resolver("cathode_maker"))
    with pytest.raises(EpcisError, match=r"^event urn:uuid:r-3: lot 0x[0-9a-f]+ is in no note of 0x[0-9a-fA-F]+'s store"):
        check_plan(world.cathode_maker, plan)
    offer = PlannedOperation("offer", {"lot_id": story.bags[1], "to": world.cathode_maker.address}, "urn:uuid:o-1")
    with pytest.raises(EpcisError, match=r"^event urn:uuid:o-1: lot 0x[0-9a-f]+ is IN_TRANSIT, not ACTIVE$"):
        check_plan(world.refiner, [offer])


def test_minting_at_a_site_the_importer_may_not_mint_at_is_refused(story):
    plan = plan_import(PARTNER_MINT, story.resolver("refiner"))
    with pytest.raises(EpcisError, match=r"^event urn:uuid:6b1f5a1e-0d6b-4b8e-9c39-5c1e2f0e7a11: "):
        check_plan(story.world.refiner, plan)


def test_the_auditors_export_links_the_refinerys_transformation_to_the_mines_exported_lot(story):
    world = story.world
    exported = story.export("auditor", include_confidential=True)
    validate_epcis(exported)
    events = exported["epcisBody"]["eventList"]
    assert [(event["type"], event["bizStep"]) for event in events] == [
        ("ObjectEvent", "commissioning"), ("ObjectEvent", "commissioning"), ("ObjectEvent", "shipping"), ("ObjectEvent", "shipping"),
        ("ObjectEvent", "receiving"), ("TransformationEvent", "commissioning")]
    mine_events = story.mine_export["epcisBody"]["eventList"]
    assert events[:4] == mine_events  # the same chain events, the same ids and values, whoever exports them
    transformation = events[-1]
    assert transformation["inputEPCList"] == mine_events[2]["epcList"]
    assert transformation["outputEPCList"] == [lot_uri(world.chain.chain_id, world.deployment.ledger, story.sulfate)]
    assert transformation["bizLocation"]["id"] == facility_uri(world.chain.chain_id, world.deployment.registry,
                                                               world.facilities["refiner"].facility_id)
    assert transformation["bt:operator"] == party_uri(world.chain.chain_id, world.refiner.address)
    assert transformation["outputQuantityList"][0]["quantity"] == kilograms(SULFATE_TOTAL_GRAMS)


def test_a_suppliers_export_holds_only_the_lots_it_saw(story):
    world = story.world
    text = json.dumps(story.export("miner"))
    assert lot_uri(world.chain.chain_id, world.deployment.ledger, story.sulfate) not in text
    assert "TransformationEvent" not in text and f"0x{story.sulfate:064x}" not in text
    # It saw the refinery take the first bag in (the offered note was sealed for it too), and no more.
    assert [event["bizStep"] for event in json.loads(text)["epcisBody"]["eventList"]] == [
        "commissioning", "commissioning", "shipping", "shipping", "receiving"]
    stranger = story.export("stranger")
    validate_epcis(stranger)
    assert stranger["epcisBody"]["eventList"] == []


def test_one_lots_export_holds_its_own_steps(story):
    world = story.world
    bag = story.lot_export("refiner", story.bags[0])
    assert [event["bizStep"] for event in bag] == ["shipping", "receiving", "commissioning"]
    assert bag[-1]["type"] == "TransformationEvent"
    assert bag[-1]["bizLocation"]["id"] == facility_uri(world.chain.chain_id, world.deployment.registry,
                                                        world.facilities["refiner"].facility_id)
    assert [event["eventID"] for event in story.lot_export("refiner", story.sulfate)] == [bag[-1]["eventID"]]
    assert [event["bizStep"] for event in story.lot_export("miner", story.bags[1])] == ["commissioning", "shipping"]
    with pytest.raises(UnknownLotError):
        story.lot_export("stranger", story.bags[0])


def test_the_cli_exports_a_lot_and_checks_an_import_without_sending(story, tmp_path):
    world = story.world
    deployment = tmp_path / "deployment.json"
    world.deployment.save(deployment)
    root = ["--rpc", world.chain.rpc_url, "--deployment", str(deployment), "--dev-account", "2"]
    out, doc = tmp_path / "bag.jsonld", tmp_path / "more.jsonld"
    mint = commissioning("HYD-RT-9", "urn:uuid:m-9")
    mint["bizLocation"] = {"id": facility_uri(world.chain.chain_id, world.deployment.registry, world.facilities["miner"].facility_id)}
    doc.write_text(json.dumps(document(mint)))  # the CLI knows no GLNs: the facility by its URN
    refused = tmp_path / "refused.jsonld"
    refused.write_text(json.dumps(document({**story.mine_export["epcisBody"]["eventList"][3], "eventID": "urn:uuid:s-9"})))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_session, "STATE_DIR", tmp_path / "home")
        runner = CliRunner()
        exported = runner.invoke(cli.main, [*root, "epcis", "export", "--lot", hex(story.bags[1]), "--include-confidential",
                                            "--out", str(out)])
        assert exported.exit_code == 0, exported.output
        head = story.head()
        dry = runner.invoke(cli.main, [*root, "epcis", "import", "--dry-run", str(doc)])
        failed = runner.invoke(cli.main, [*root, "epcis", "import", "--dry-run", str(refused)])
    written = json.loads(out.read_text())
    validate_epcis(written)
    mine_events = story.mine_export["epcisBody"]["eventList"]
    assert written["epcisBody"]["eventList"] == [mine_events[1], mine_events[3]]
    assert written["epcisBody"]["eventList"][0]["bt:cobaltKg"] == kilograms(BAG_COBALT_GRAMS)
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("mint(facility_id=") and "external_id=HYD-RT-9" in dry.output
    assert dry.output.endswith("dry run: 1 operation(s) planned and checked, nothing sent\n")
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == f"error: event urn:uuid:s-9: lot {story.bags[1]:#x} is IN_TRANSIT, not ACTIVE"
    assert story.head() == head

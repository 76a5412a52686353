"""Lots' history, genealogy and EPCIS export rebuilt from note stores (sdk/note_history.py,
epcis/note_export.py), over a real chain, real proofs and a real relayer. One story for the module
keeps proving cheap: the mine mints two bags and offers both to the refinery; the refinery accepts
one and disputes the other's weighing; an auditor delivers it; the refinery refines both into one
lot of sulfate. The auditor's store holds the whole graph, the refinery's what it took part in,
the mine's its bags until they left it, a stranger's nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from batterytrace.documents.claims import proven_claims
from batterytrace.documents.genealogy import render_genealogy
from batterytrace.epcis import facility_uri, lot_uri, party_uri, validate_epcis
from batterytrace.epcis.note_export import export_notes
from batterytrace.epcis.units import kilograms
from batterytrace.exceptions import UnknownLotError
from batterytrace.model.identifiers import evidence_hash
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.passports import ClaimBounds, MetalBounds
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.sdk.note_history import NoteHistory, NoteOperation, genealogy_from_notes, lot_node, note_history
from batterytrace.sdk.shielded import ShieldedLedgerOperations, ShieldedLot
from tests.conftest import isolated
from tests.helpers.sandbox import World

BAG_COBALT_GRAMS = 700_000
SULFATE_TOTAL_GRAMS = 3_800_000


@dataclass(frozen=True)
class Story:
    world: World
    parties: dict[str, ShieldedLedgerOperations]
    bags: tuple[ShieldedLot, ShieldedLot]
    sulfate: ShieldedLot

    @property
    def tags(self) -> tuple[int, int]:
        return (self.bags[0].tag, self.bags[1].tag)

    def name(self, address: str | None) -> str | None:
        names = {client.address: name for name, client in self.world.clients.items()}
        return None if address is None else names[address]


@pytest.fixture(scope="module")
def story(session_world) -> Iterator[Story]:
    with isolated(session_world) as world:
        parties = {name: world.clients[name].shielded for name in ("miner", "refiner", "auditor", "stranger")}
        miner, refiner = parties["miner"], parties["refiner"]
        mine = world.facilities["miner"].facility_id
        # A certification that starts after the mints: the bags' schemes are those valid when minted.
        now = datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc)
        world.auditor.certify(mine, Scheme.COPPER_MARK, now + timedelta(days=30), now + timedelta(days=365), "cm.pdf")
        bags = tuple(miner.mint_origin(mine, f"TFM-HIST-{number}", MaterialKind.COBALT_HYDROXIDE, BAG_COBALT_GRAMS,
                                       2_000_000, 700 * 6_000) for number in (1, 2))
        for bag in bags:
            miner.offer(bag.tag, world.refiner.address)
        refiner.accept(bags[0].tag, measured_total_grams=2_000_000, evidence="weighbridge-h1.pdf")
        refiner.accept(bags[1].tag, measured_total_grams=1_900_000, evidence="weighbridge-h2.pdf")  # 5 % short
        parties["auditor"].resolve_dispute(bags[1].tag, deliver=True, evidence="audit-h2.pdf")
        refinery = world.facilities["refiner"].facility_id
        [sulfate] = refiner.transform(refinery, [bag.tag for bag in bags], [OutputPlan(
            "SULF-HIST-1", MaterialKind.REFINED_COBALT_SULFATE, 1_390_000, SULFATE_TOTAL_GRAMS)], process_co2e_grams=2_000_000)
        # Suspended a minute after the transform: the sulfate was made under a valid RMAP certification all the same.
        world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [world.chain.latest_timestamp() + 60])
        world.auditor.suspend_certification(world.certification_ids["refiner"], "rmap-suspension.pdf")
        for party in parties.values():
            party.sync()
        yield Story(world, parties, bags, sulfate)


def block_of(story: Story, transaction: str) -> int:
    return story.world.chain.w3.eth.get_transaction_receipt(transaction)["blockNumber"]


def test_the_auditors_genealogy_has_both_bags_as_origins_made_at_the_mine(story):
    world = story.world
    nodes = genealogy_from_notes(world.auditor, story.parties["auditor"].store, story.sulfate.tag)
    assert world.auditor.genealogy(story.sulfate.tag) == nodes  # the ERP's read, over the same store
    sulfate, *bags = nodes
    refinery, mine = world.facilities["refiner"], world.facilities["miner"]
    assert (sulfate.lot_id, sulfate.depth, sulfate.parent_ids) == (story.sulfate.tag, 0, story.tags)
    assert (sulfate.kind, sulfate.facility_id, sulfate.facility_type, sulfate.country) == (
        MaterialKind.REFINED_COBALT_SULFATE, refinery.facility_id, FacilityType.REFINERY, "FI")
    assert (sulfate.creator, sulfate.custodian) == (world.refiner.address, world.refiner.address)
    assert sulfate.status is LotStatus.ACTIVE
    assert sulfate.certified_schemes == {Scheme.RMAP}  # the refinery's then, and the sulfate holds certified grams
    assert sulfate.created_block == block_of(story, story.sulfate.transaction)
    assert sorted(node.lot_id for node in bags) == sorted(story.tags)
    for node, bag in zip(sorted(bags, key=lambda node: story.tags.index(node.lot_id)), story.bags, strict=True):
        assert node.is_origin and node.depth == 1 and node.kind is MaterialKind.COBALT_HYDROXIDE
        assert (node.creator, node.facility_id, node.facility_type, node.country) == (
            world.miner.address, mine.facility_id, FacilityType.INDUSTRIAL_MINE, "CD")
        assert node.certified_schemes == {Scheme.IRMA} and node.risk_flags == mine.risk_flags
        # Spent by the refinery's transform: consumed, last held by the refinery.
        assert (node.status, node.custodian) == (LotStatus.CONSUMED, world.refiner.address)
        assert node.created_block == block_of(story, bag.transaction) < sulfate.created_block
    bounds = ClaimBounds((MetalBounds(1_390_000, 0, 0, 0), MetalBounds(0, 0, 0, 0), MetalBounds(0, 0, 0, 0)),
                         10**9, 10**9, 75_000, 0)
    claims = proven_claims(bounds, nodes, verified=True)
    assert (claims.origin_lot_count, claims.origin_certification_schemes) == (2, ("IRMA",))


def test_the_refiners_store_gives_the_same_parents_and_leaves_out_the_mints_it_did_not_see(story):
    world, refiner = story.world, story.parties["refiner"]
    [sulfate] = genealogy_from_notes(world.refiner, refiner.store, story.sulfate.tag)
    audited = genealogy_from_notes(world.auditor, story.parties["auditor"].store, story.sulfate.tag)[0]
    assert sulfate == audited and sulfate.parent_ids == story.tags
    # The refinery saw the bags from the mine's offers on: their creation is out of its view.
    with pytest.raises(UnknownLotError, match="came into this store's view by a custody step"):
        genealogy_from_notes(world.refiner, refiner.store, story.tags[0])


def test_a_stranger_knows_nothing_and_the_mine_nothing_of_the_sulfate(story):
    world, stranger = story.world, story.parties["stranger"]
    assert stranger.store.notes() == [] and note_history(world.stranger, stranger.store) == {}
    for tag in (story.sulfate.tag, *story.tags):
        with pytest.raises(UnknownLotError, match="no note this store's keys open"):
            genealogy_from_notes(world.stranger, stranger.store, tag)
    with pytest.raises(UnknownLotError, match="no note this store's keys open"):
        genealogy_from_notes(world.miner, story.parties["miner"].store, story.sulfate.tag)


def test_the_history_lists_every_step_in_order_with_its_holders(story):
    world = story.world
    history = note_history(world.auditor, story.parties["auditor"].store)
    assert set(history) == {*story.tags, story.sulfate.tag}

    def summary(tag):
        return [(step.operation.value, story.name(step.owner), story.name(step.counterparty)) for step in history[tag]]

    assert summary(story.tags[0]) == [("mint", "miner", None), ("offer", "refiner", "miner"), ("accept", "refiner", None),
                                      ("transform", "refiner", None)]
    assert summary(story.tags[1]) == [("mint", "miner", None), ("offer", "refiner", "miner"), ("dispute", "refiner", "miner"),
                                      ("deliver", "refiner", None), ("transform", "refiner", None)]
    assert summary(story.sulfate.tag) == [("transform", "refiner", None)]
    assert list(world.auditor.history(story.tags[1])) == list(history[story.tags[1]])  # the ERP's read
    by_operation = {step.operation: step for step in history[story.tags[1]]}
    assert by_operation[NoteOperation.DISPUTE].evidence_hash == evidence_hash("weighbridge-h2.pdf")
    assert by_operation[NoteOperation.DELIVER].evidence_hash == evidence_hash("audit-h2.pdf")
    assert by_operation[NoteOperation.MINT].transaction_hash == story.bags[1].transaction.lower()
    # The transform ends each bag (its last note spent, none created) and makes the sulfate.
    made = history[story.sulfate.tag][0]
    assert made.note == story.sulfate.note and made.spent is None
    assert [note.tag for note in made.inputs] == list(story.tags) and made.outputs == (story.sulfate.note,)
    for tag in story.tags:
        ended = history[tag][-1]
        assert ended.note is None and ended.spent == history[tag][-2].note
        assert (ended.transaction_hash, ended.log_index) == (made.transaction_hash, made.log_index)
    events = {(step.block_number, step.log_index): step for steps in history.values() for step in steps}
    assert [events[key].operation.value for key in sorted(events)] == [
        "mint", "mint", "offer", "offer", "accept", "dispute", "deliver", "transform"]
    for step in events.values():
        block = world.chain.w3.eth.get_block(step.block_number)
        assert int(step.timestamp.timestamp()) == block["timestamp"]
        assert world.chain.w3.eth.get_transaction_receipt(step.transaction_hash)["blockNumber"] == step.block_number


def test_the_mine_sees_its_bag_until_the_refinery_took_it(story):
    world, miner = story.world, story.parties["miner"]
    history = NoteHistory(world.miner, miner.store)
    steps = history.steps(story.tags[0])
    assert [step.operation for step in steps] == [NoteOperation.MINT, NoteOperation.OFFER, NoteOperation.ACCEPT]
    assert steps[-1].note is None  # the accepted note is sealed for the refinery alone
    node = lot_node(history, story.tags[0])
    assert node is not None and (node.status, node.custodian) == (LotStatus.NONE, "")
    assert node.facility_id == world.facilities["miner"].facility_id and node.parent_ids == ()


def test_the_epcis_document_holds_one_transformation_of_the_two_bags(story):
    world = story.world
    chain_id, ledger, registry = world.chain.chain_id, world.deployment.ledger, world.deployment.registry
    document = export_notes(world.auditor, story.parties["auditor"].store)
    validate_epcis(document)
    events = document["epcisBody"]["eventList"]
    [transformation] = [event for event in events if event["type"] == "TransformationEvent"]
    assert transformation["inputEPCList"] == [lot_uri(chain_id, ledger, tag) for tag in story.tags]
    assert transformation["outputEPCList"] == [lot_uri(chain_id, ledger, story.sulfate.tag)]
    assert transformation["bizLocation"]["id"] == facility_uri(chain_id, registry, world.facilities["refiner"].facility_id)
    assert transformation["bt:operator"] == party_uri(chain_id, world.refiner.address)
    objects = [event for event in events if event["type"] == "ObjectEvent"]
    assert [(event["bizStep"], event.get("disposition")) for event in objects] == [
        ("commissioning", "active"), ("commissioning", "active"), ("shipping", "in_transit"), ("shipping", "in_transit"),
        ("receiving", "in_progress"), ("receiving", "non_conformant"), ("inspecting", "in_progress")]
    assert objects[0]["bizLocation"]["id"] == facility_uri(chain_id, registry, world.facilities["miner"].facility_id)
    assert objects[2]["sourceList"][0]["source"] == party_uri(chain_id, world.miner.address)
    assert objects[2]["destinationList"][0]["destination"] == party_uri(chain_id, world.refiner.address)
    assert len({event["eventID"] for event in events}) == len(events) == 8
    assert "bt:cobaltKg" not in str(document)  # nothing confidential unless asked for
    later = export_notes(world.auditor, story.parties["auditor"].store, from_block=block_of(story, story.sulfate.transaction),
                         include_confidential=True)
    [only] = later["epcisBody"]["eventList"]
    assert only["type"] == "TransformationEvent" and only["eventID"] == transformation["eventID"]
    assert only["outputQuantityList"][0]["quantity"] == kilograms(SULFATE_TOTAL_GRAMS)
    assert [entry["quantity"] for entry in only["inputQuantityList"]] == [kilograms(2_000_000)] * 2


def test_a_participants_document_holds_what_its_store_sees(story):
    world = story.world
    auditor = export_notes(world.auditor, story.parties["auditor"].store)["epcisBody"]["eventList"]
    refiner = export_notes(world.refiner, story.parties["refiner"].store)["epcisBody"]["eventList"]
    # The refinery saw everything but the mints; the same chain event has the same id in every document.
    assert [event["eventID"] for event in refiner] == [event["eventID"] for event in auditor[2:]]
    assert refiner[-1]["inputEPCList"] == auditor[-1]["inputEPCList"]
    miner = export_notes(world.miner, story.parties["miner"].store)["epcisBody"]["eventList"]
    # The mine saw its bags leave: mints, offers, the refinery taking one in and disputing the other,
    # and the disputed note (sealed for the sender too) spent by the auditor's delivery.
    assert [event["eventID"] for event in miner] == [event["eventID"] for event in auditor[:7]]
    assert miner[4]["destinationList"] == auditor[4]["destinationList"]
    assert miner[6]["bt:custodian"] == auditor[6]["bt:custodian"] == party_uri(world.chain.chain_id, world.refiner.address)


def test_render_genealogy_draws_the_auditors_nodes(story, tmp_path):
    nodes = genealogy_from_notes(story.world.auditor, story.parties["auditor"].store, story.sulfate.tag)
    png, svg = render_genealogy(nodes, tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    drawing = svg.read_text()
    for text in ("Refined cobalt sulfate", "Refinery (FI)", "Industrial mine (CD)", "certified IRMA"):
        assert text in drawing

"""The index of what the chain publishes, over one story for the module: the indexer's flow (three
origin bags, two delivered to the refinery, merged, the merge split), a pack built and redeemed for a
passport, which is handed to the OEM, whose status and document the OEM then changes. Every
material step went through the relayer. The index must hold exactly what the events state (no lot,
holder of a note or genealogy), in SQLite and PostgreSQL alike, and rebuild it from its raw events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_utils import keccak

from batterytrace.evm.events import DecodedEvent
from batterytrace.indexer import Indexer
from batterytrace.indexer.handlers import apply
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passports import get_passport, hand_over_passport, issue_passports, set_status
from tests.conftest import isolated
from tests.helpers.flows import Flow, battery_id, build_pack, request_for, run_flow
from tests.helpers.sandbox import World

SERIAL = "IDX-PASSPORT-1"
NEW_DOCUMENT_HASH = bytes.fromhex("22" * 32)


@dataclass(frozen=True)
class Story:
    world: World
    first_block: int
    flow: Flow
    passport_id: int
    issued_block: int


@pytest.fixture(scope="module")
def story(session_world) -> Iterator[Story]:
    with isolated(session_world) as world:
        first_block = world.chain.w3.eth.block_number + 1
        flow = run_flow(world)
        pack = build_pack(world, "IDX-PACK")
        [issued] = issue_passports(world.pack_maker, [request_for(pack, SERIAL)])
        hand_over_passport(world.pack_maker, issued.passport_id, world.oem.address)
        set_status(world.oem, issued.passport_id, PassportStatus.REUSED, "second-life.pdf")
        world.oem.send(world.oem.passports.functions.updateDocument(
            issued.passport_id, "https://passports.example/v2", NEW_DOCUMENT_HASH), "update the document")
        yield Story(world, first_block, flow, issued.passport_id, issued.receipt.block_number)


@pytest.fixture
def index(story, tmp_path) -> Iterator[Indexer]:
    with Indexer(story.world.miner, tmp_path / "index.db") as synced:
        synced.sync()
        yield synced


def test_the_ledger_tables_hold_what_the_ledger_events_state(story, index, chain_facts, index_facts):
    on_chain = chain_facts(story.world)
    assert index_facts(index) == on_chain
    assert on_chain.notes and on_chain.nullifiers and on_chain.mint_tags
    assert None not in {fact[-2] for fact in (*on_chain.notes.values(), *on_chain.nullifiers.values())}
    ledger = story.world.chain.contract("ShieldedLedger", story.world.deployment.ledger)
    assert all(ledger.functions.isSpent(nullifier).call() for nullifier in on_chain.nullifiers)
    assert all(index.is_mint_tag_used(tag) and ledger.functions.isMinted(tag).call() for tag in on_chain.mint_tags)
    assert not index.is_mint_tag_used(max(on_chain.mint_tags) + 1)
    epoch, root, size = ledger.functions.noteTree().call()
    assert len(index.notes()) == size
    newest = index.note_with_root(root)
    assert (newest.epoch, newest.leaf_index) == (epoch, size - 1)


def test_the_counts_per_operation_are_the_storys(story, index):
    counts = index.ledger_counts(from_block=story.first_block)
    # Four origin bags; three offers and accepts; a merge (2 -> 1), a split (1 -> 2), a pack (1 -> 1); one redemption.
    assert [(kind.operation, kind.operations, kind.notes_created, kind.nullifiers_spent) for kind in counts.by_operation] == [
        (NoteOperation.MINT, 4, 4, 0), (NoteOperation.OFFER, 3, 3, 3), (NoteOperation.ACCEPT, 3, 3, 3),
        (NoteOperation.TRANSFORM, 3, 4, 4), (NoteOperation.REDEEM, 1, 0, 1)]
    assert (counts.notes_created, counts.nullifiers_spent) == (14, 11)
    assert counts.of(NoteOperation.DISPUTE).operations == 0
    issuing = index.ledger_counts(story.issued_block, story.issued_block)
    assert (issuing.notes_created, issuing.nullifiers_spent, issuing.of(NoteOperation.REDEEM).operations) == (0, 1, 1)
    assert index.ledger_counts(to_block=story.first_block - 1).of(NoteOperation.MINT).operations == (
        index.ledger_counts().of(NoteOperation.MINT).operations - 4)


def test_a_passport_is_found_by_id_battery_hash_pack_nullifier_and_operator(story, index):
    world = story.world
    on_chain = get_passport(world.oem, story.passport_id)
    indexed = index.passport(story.passport_id)
    assert indexed.record == on_chain
    assert (on_chain.holder, on_chain.status, on_chain.document_hash) == (world.oem.address, PassportStatus.REUSED, NEW_DOCUMENT_HASH)
    assert indexed.battery_id == battery_id(SERIAL)
    assert indexed.issued_block == story.issued_block
    assert index.passport_by_battery_id_hash(keccak(text=battery_id(SERIAL))) == indexed
    assert index.passport_by_pack_nullifier(on_chain.pack_nullifier) == indexed
    assert index.passports_of(world.pack_maker.address) == [indexed] == index.passports_held(world.oem.address)
    assert index.passports_of(world.oem.address) == [] == index.passports_held(world.pack_maker.address)
    assert index.passport(story.passport_id + 1) is None
    spent = index.spent_nullifier(on_chain.pack_nullifier)
    assert (spent.operation, spent.block_number, spent.transaction_hash) == (
        NoteOperation.REDEEM, indexed.issued_block, indexed.issued_transaction)
    hand_overs = index.db.execute("SELECT from_address, to_address FROM passport_transfers ORDER BY block_number")
    assert hand_overs == [("0x" + "00" * 20, world.pack_maker.address), (world.pack_maker.address, world.oem.address)]


def test_the_registry_tables_hold_the_participants_and_facilities(story, index):
    world = story.world
    participants = dict(index.db.execute("SELECT account, country FROM participants"))
    assert {client.address for name, client in world.clients.items() if name not in ("admin", "stranger")} <= set(participants)
    assert world.stranger.address not in participants
    for name, facility in world.facilities.items():
        on_chain = world.miner.facility(facility.facility_id)
        [(operator, facility_type, country, site_id, flags, loss, split)] = index.db.execute(
            "SELECT operator, facility_type, country, site_id, risk_flags, max_yield_loss_bps, recycled_pre_consumer_bps "
            "FROM facilities WHERE facility_id = ?", (facility.facility_id,))
        assert (operator, facility_type, country, site_id, loss, split) == (
            on_chain.operator, on_chain.facility_type, on_chain.country, on_chain.site_id, on_chain.max_yield_loss_bps,
            on_chain.recycled_pre_consumer_bps), name
        assert flags & ~int(on_chain.risk_flags) == 0, name  # the site's own findings, without its operator's


def test_a_recyclers_input_split_is_indexed(world, tmp_path):
    """No proof needed: the registry's events alone."""
    recycler = world.facilities["recycler"].facility_id
    world.auditor.set_recycled_input_split(recycler, 1_250)
    world.auditor.set_recycled_input_split(recycler, 3_750)
    with Indexer(world.miner, tmp_path / "split.db") as synced:
        synced.sync()
        rows = dict(synced.db.execute("SELECT facility_id, recycled_pre_consumer_bps FROM facilities"))
    assert rows[recycler] == 3_750 == world.admin.facility(recycler).recycled_pre_consumer_bps
    assert {bps for facility_id, bps in rows.items() if facility_id != recycler} == {0}


def test_a_second_sync_and_the_handlers_again_change_nothing(index, tables):
    before = tables(index)
    assert index.sync().events == 0
    for event in index.db.execute("SELECT * FROM events ORDER BY block_number, log_index"):
        apply(index.db, _decoded(event))
    assert tables(index) == before


def test_a_rebuild_from_the_raw_events_restores_the_derived_tables(index, tables):
    before = tables(index)
    index.db.execute("DELETE FROM notes")
    index.db.execute("UPDATE passports SET status = 0, holder = ''")
    index.db.execute("DELETE FROM nullifiers WHERE operation = 'transform'")
    assert tables(index) != before
    index.rebuild()
    assert tables(index) == before


def test_postgres_holds_the_same_rows_and_resumes(story, index, postgres_url, tables):
    with Indexer(story.world.miner, postgres_url) as postgres:
        assert postgres.sync().events == index.event_count()
        assert tables(postgres) == tables(index)
        postgres.rebuild()
        assert tables(postgres) == tables(index)
    with Indexer(story.world.miner, postgres_url) as resumed:
        assert resumed.sync().events == 0
        assert resumed.passport(story.passport_id) == index.passport(story.passport_id)
        assert resumed.ledger_counts() == index.ledger_counts()


def _decoded(row) -> DecodedEvent:
    block_number, log_index, block_hash, transaction_hash, contract, address, name, args = row
    return DecodedEvent(contract=contract, address=address, name=name, args=json.loads(args), block_number=block_number,
                        block_hash=block_hash, transaction_hash=transaction_hash, log_index=log_index)

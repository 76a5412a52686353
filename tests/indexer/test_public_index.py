"""The index of what the chain publishes, over one story for the module: the indexer's flow (three
origin bags, two delivered to the refinery, merged, the merge split), two packs built and their
passports issued in one batch, the first handed to the OEM, whose status and document the OEM then
changes. Every material step went through the relayer. The index must hold exactly what the events
and the batch's issuing call state (no lot, holder of a note or genealogy, no link from a passport to
a note), in SQLite and PostgreSQL alike, rebuild it from its raw events and calls, and refuse a batch
whose call does not hash to the event's records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from web3 import Web3

from batterytrace.evm.artifacts import load
from batterytrace.evm.events import DecodedEvent
from batterytrace.exceptions import PassportError
from batterytrace.indexer import Indexer
from batterytrace.indexer.handlers import apply
from batterytrace.model.battery_ids import gs1_digital_link
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passport_batches import load_batch
from batterytrace.sdk.passports import (
    IssuedPassport,
    get_passport,
    hand_over_passport,
    issue_passports,
    set_status,
    verify_batch_passport,
)
from tests.conftest import isolated
from tests.helpers.flows import Flow, battery_id, build_pack, request_for, run_flow
from tests.helpers.sandbox import World

SERIALS = ("IDX-PASSPORT-1", "IDX-PASSPORT-2")
NEW_DOCUMENT_HASH = bytes.fromhex("22" * 32)
SECOND_DOCUMENT_HASH = bytes.fromhex("33" * 32)
INTEREST = bytes.fromhex("44" * 32)


@dataclass(frozen=True)
class Story:
    world: World
    first_block: int
    flow: Flow
    issued: tuple[IssuedPassport, ...]
    pack_nullifiers: tuple[int, ...]

    @property
    def passport_id(self) -> int:
        return self.issued[0].passport_id

    @property
    def issued_block(self) -> int:
        return self.issued[0].receipt.block_number


@pytest.fixture(scope="module")
def story(session_world) -> Iterator[Story]:
    with isolated(session_world) as world:
        first_block = world.chain.w3.eth.block_number + 1
        flow = run_flow(world)
        packs = [build_pack(world, serial) for serial in SERIALS]
        nullifiers = tuple(world.pack_maker.note(pack).nullifier for pack in packs)
        issued = tuple(issue_passports(world.pack_maker, [
            request_for(SERIALS[0]),
            request_for(SERIALS[1], document_hash=SECOND_DOCUMENT_HASH, legitimate_interest_commitment=INTEREST)]))
        hand_over_passport(world.pack_maker, issued[0].passport_id, world.oem.address)
        set_status(world.oem, issued[0].passport_id, PassportStatus.REUSED, "second-life.pdf")
        world.oem.send(world.oem.passports.functions.updateDocument(
            issued[0].passport_id, "https://passports.example/v2", NEW_DOCUMENT_HASH), "update the document")
        yield Story(world, first_block, flow, issued, nullifiers)


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
    # Five origin bags; four offers and accepts; a merge (2 -> 1), a split (1 -> 2), two packs (1 -> 1 each).
    # Issuing the passports spends no note: a pack backs the passport its tag names and stays where it is.
    assert [(kind.operation, kind.operations, kind.notes_created, kind.nullifiers_spent) for kind in counts.by_operation] == [
        (NoteOperation.MINT, 5, 5, 0), (NoteOperation.OFFER, 4, 4, 4), (NoteOperation.ACCEPT, 4, 4, 4),
        (NoteOperation.TRANSFORM, 4, 5, 5)]
    assert (counts.notes_created, counts.nullifiers_spent) == (18, 13)
    assert counts.of(NoteOperation.DISPUTE).operations == 0
    issuing = index.ledger_counts(story.issued_block, story.issued_block)
    assert (issuing.notes_created, issuing.nullifiers_spent, issuing.by_operation) == (0, 0, ())
    assert not any(index.is_spent(nullifier) for nullifier in story.pack_nullifiers)
    assert index.ledger_counts(to_block=story.first_block - 1).of(NoteOperation.MINT).operations == (
        index.ledger_counts().of(NoteOperation.MINT).operations - 5)


def test_a_passport_is_found_by_id_battery_id_batch_operator_and_holder(story, index):
    world = story.world
    first, second = (index.passport(item.passport_id) for item in story.issued)
    for indexed, item in zip((first, second), story.issued, strict=True):
        assert indexed.record == get_passport(world.oem, item.passport_id)
        assert indexed.record.bounds == item.bounds
        assert (indexed.record.batch, indexed.issued_block) == (item.batch, story.issued_block)
        assert indexed.issued_transaction == item.receipt.transaction_hash
    record = first.record
    assert (record.holder, record.status, record.document_hash, record.document_uri) == (
        world.oem.address, PassportStatus.REUSED, NEW_DOCUMENT_HASH, "https://passports.example/v2")
    assert (second.record.holder, second.record.status, second.record.document_hash, second.record.document_uri) == (
        world.pack_maker.address, PassportStatus.ORIGINAL, SECOND_DOCUMENT_HASH, "")
    assert second.record.legitimate_interest_commitment == INTEREST and first.record.legitimate_interest_commitment == bytes(32)
    assert first.battery_id == record.battery_id == battery_id(SERIALS[0])
    assert index.passport_by_battery_id(battery_id(SERIALS[0])) == first
    # The battery's identity is its GTIN and serial, whatever resolver host its Digital Link names.
    elsewhere = gs1_digital_link("another.example", battery_id(SERIALS[1]).split("/01/")[1].split("/")[0], SERIALS[1])
    assert index.passport_by_battery_id(elsewhere) == second
    in_id_order = sorted([first, second], key=lambda item: item.record.passport_id)
    assert index.passports_in_batch(record.batch) == in_id_order == index.passports_of(world.pack_maker.address)
    assert index.passports_held(world.oem.address) == [first] and index.passports_held(world.pack_maker.address) == [second]
    assert index.passports_of(world.oem.address) == []
    assert index.passport(story.passport_id + 1) is None and index.passports_in_batch(record.batch + 1) == []
    hand_overs = index.db.execute("SELECT passport_id, from_address, to_address FROM passport_transfers "
                                  "ORDER BY block_number, log_index")
    zero = "0x" + "00" * 20
    assert [(int(passport, 16), sender, receiver) for passport, sender, receiver in hand_overs] == [
        (first.record.passport_id, zero, world.pack_maker.address), (second.record.passport_id, zero, world.pack_maker.address),
        (first.record.passport_id, world.pack_maker.address, world.oem.address)]


def test_a_batch_is_indexed_from_its_issuing_call_and_reverifies_from_the_index_alone(story, index):
    world = story.world
    number = story.issued[0].batch
    indexed = index.passport_batch(number)
    # The same batch the SDK reads from the chain (event, calldata and digest check).
    assert indexed == load_batch(world.oem, number)
    assert [entry.passport_id for entry in indexed.entries] == [item.passport_id for item in story.issued]
    assert [entry.battery_id for entry in indexed.entries] == [battery_id(serial) for serial in SERIALS]
    # The entries as issued, not as the documents were updated later.
    assert [entry.document_hash for entry in indexed.entries] == [bytes.fromhex("11" * 32), SECOND_DOCUMENT_HASH]
    assert [indexed.bounds(item.passport_id) for item in story.issued] == [item.bounds for item in story.issued]
    assert index.passport_batch(number + 1) is None
    chain_id, contract = world.chain.chain_id, world.deployment.passport
    for item in story.issued:
        verification = verify_batch_passport(indexed, item.passport_id, chain_id, contract)
        assert verification.verified and (verification.batch, verification.bounds) == (number, item.bounds)
    # A batch whose stored proof is not the batch's does not verify.
    forged = replace(indexed, proof=replace(indexed.proof, a=indexed.proof.c, c=indexed.proof.a))
    assert not verify_batch_passport(forged, story.passport_id, chain_id, contract).verified


def _values(value):
    """A decoded argument with its structs as tuples, as web3 encodes them."""
    if isinstance(value, dict):
        return tuple(_values(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return [_values(item) for item in value]
    return value


def _tampered_call(data: str, **entry_changes) -> str:
    """``issueBatch`` calldata with its first entry changed: the call the chain never ran."""
    contract = Web3().eth.contract(abi=load("BatteryPassport").abi)
    function, arguments = contract.decode_function_input(data)
    assert function.fn_name == "issueBatch"
    entries = [dict(entry) for entry in arguments["entries"]]
    entries[0].update(entry_changes)
    return contract.encode_abi("issueBatch", [_values(arguments["request"]), _values(entries), _values(arguments["proof"])])


@pytest.mark.parametrize("change", [{"documentHash": b"\x99" * 32}, {"grams": [1, 0, 0]}])
def test_a_batch_whose_call_does_not_hash_to_its_records_is_refused(story, index, tables, change):
    transaction = story.issued[0].receipt.transaction_hash
    before = tables(index)
    [(data,)] = index.db.execute("SELECT input FROM calls WHERE transaction_hash = ?", (transaction,))
    index.db.execute("UPDATE calls SET input = ? WHERE transaction_hash = ?", (_tampered_call(data, **change), transaction))
    with pytest.raises(PassportError, match=f"batch {story.issued[0].batch}: .* not the event's records"):
        index.rebuild()
    # The rebuild ran in one transaction: nothing of it stays.
    index.db.execute("UPDATE calls SET input = ? WHERE transaction_hash = ?", (data, transaction))
    assert tables(index) == before


def test_a_batch_without_its_call_or_from_another_call_is_refused(story, index):
    transaction = story.issued[0].receipt.transaction_hash
    [(data,)] = index.db.execute("SELECT input FROM calls WHERE transaction_hash = ?", (transaction,))
    transfer = Web3().eth.contract(abi=load("BatteryPassport").abi).encode_abi(
        "transferFrom", [story.world.oem.address, story.world.pack_maker.address, story.passport_id])
    index.db.execute("UPDATE calls SET input = ? WHERE transaction_hash = ?", (transfer, transaction))
    with pytest.raises(PassportError, match="is no issueBatch call"):
        index.rebuild()
    index.db.execute("DELETE FROM calls WHERE transaction_hash = ?", (transaction,))
    with pytest.raises(PassportError, match="holds no call of its transaction"):
        index.rebuild()
    index.db.execute("INSERT INTO calls (transaction_hash, block_number, sender, recipient, input) VALUES (?, ?, ?, ?, ?)",
                     (transaction, story.issued_block, story.world.pack_maker.address, story.world.deployment.passport, data))
    index.rebuild()
    assert index.passport(story.passport_id) is not None


def test_a_node_that_serves_a_tampered_issuing_call_is_refused_and_nothing_indexed(story, tmp_path, monkeypatch):
    eth = story.world.chain.w3.eth
    honest = eth.get_transaction
    issuing = bytes.fromhex(story.issued[0].receipt.transaction_hash[2:])

    def lying(transaction_hash):
        transaction = dict(honest(transaction_hash))
        if bytes.fromhex(str(transaction_hash).removeprefix("0x")) == issuing:
            transaction["input"] = bytes.fromhex(_tampered_call("0x" + bytes(transaction["input"]).hex(),
                                                                authoritiesCommitment=b"\x01" * 32)[2:])
        return transaction

    monkeypatch.setattr(eth, "get_transaction", lying)
    with Indexer(story.world.miner, tmp_path / "lied-to.db") as lied_to:
        with pytest.raises(PassportError, match="not the event's records"):
            lied_to.sync()
        assert lied_to.passport(story.passport_id) is None
        assert lied_to.cursor()[0] < story.issued_block


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

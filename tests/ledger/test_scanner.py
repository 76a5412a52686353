"""The scanner (sdk/scanner.py) and note store (sdk/notes.py) on a real ledger with real proofs: a
mine's note offered to the refinery, each party's scanner keeping exactly what its key opens (the
auditor's view key everything, a stranger nothing), paths from the stored leaves that the chain's
root accepts, a scan that fails half-way leaving the store as it was, a repeated scan changing
nothing, and an envelope that lies about its note refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batterytrace.exceptions import ChainError
from batterytrace.sdk.notes import NoteStore
from batterytrace.sdk.scanner import NoteScanner
from batterytrace.zk import envelopes
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.envelopes import NOTE_ENVELOPE_VERSION, encrypt_note
from batterytrace.zk.merkle import LeanIMT, verify_proof
from tests.helpers.shielded import Ledger, compiled_ledger, deploy_ledger, mint, step

SLOTS = 4


@pytest.fixture
def ledger(world) -> Iterator[Ledger]:
    contract, address = deploy_ledger(world, compiled_ledger())
    yield Ledger(world, contract, address, world.stranger.signer, LeanIMT())


def readers(*clients):
    """Openings for ``clients``' encryption keys, padded to the same number of slots."""
    keys = {client.address: client.encryption_public_key for client in clients}
    return lambda note: [encrypt_note(note, keys, slots=SLOTS)]


def scanner(ledger: Ledger, client) -> NoteScanner:
    store = NoteStore(":memory:", ledger.world.chain.chain_id, ledger.address)
    return NoteScanner(ledger.world.chain, ledger.address, store, [client.encryption_key])


def mined_and_offered(ledger: Ledger):
    world = ledger.world
    note, _ = mint(ledger, openings=readers(world.miner, world.auditor))
    offered, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner,
                          openings=readers(world.refiner, world.miner, world.auditor))
    ledger.send(offer, "offer")
    ledger.notes.insert(offered.commitment)
    return note, offered


def test_each_party_keeps_what_its_key_opens_and_the_spends(ledger: Ledger):
    world = ledger.world
    note, offered = mined_and_offered(ledger)
    miner, refiner, auditor, stranger = (scanner(ledger, client) for client in
                                         (world.miner, world.refiner, world.auditor, world.stranger))
    for party in (miner, refiner, auditor, stranger):
        result = party.sync()
        assert (result.leaves, result.spends, result.refused) == (2, 1, [])
        assert party.store.leaves(0) == [note.commitment, offered.commitment]
    assert [(s.note, s.spent) for s in miner.store.notes()] == [(note, True), (offered, False)]
    assert [(s.note, s.spent) for s in auditor.store.notes()] == [(note, True), (offered, False)]
    assert [s.note for s in refiner.store.notes()] == [offered]
    assert stranger.store.notes() == []
    assert [s.note for s in refiner.store.notes_with_tag(note.tag)] == [offered]
    assert [s.note for s in miner.store.notes(unspent=True)] == [offered]


def test_a_path_from_the_stored_leaves_is_one_the_ledger_knows(ledger: Ledger):
    world = ledger.world
    _, offered = mined_and_offered(ledger)
    refiner = scanner(ledger, world.refiner)
    refiner.sync()
    [stored] = refiner.store.notes()
    proof = refiner.store.tree(stored.epoch).proof_at(stored.index)
    assert verify_proof(proof) and proof.leaf == offered.commitment
    assert world.chain.call(ledger.contract.functions.isKnownNoteRoot(proof.root))
    # And the refiner accepts with it: the stored note and path are all the proof needs.
    accepted, accept = step(ledger, stored.note, CustodyOperation.ACCEPT, world.refiner,
                            openings=readers(world.refiner, world.auditor))
    ledger.send(accept, "accept")
    result = refiner.sync()
    assert [n.note for n in result.notes] == [accepted] and result.spends == 1
    assert [s.note for s in refiner.store.notes(unspent=True)] == [accepted]


def test_a_scan_is_all_or_nothing_and_a_repeat_changes_nothing(ledger: Ledger, monkeypatch):
    world = ledger.world
    mined_and_offered(ledger)
    miner = scanner(ledger, world.miner)
    real = envelopes.decrypt_note
    calls = []

    def failing(*arguments):
        calls.append(arguments)
        if len(calls) == 2:
            raise RuntimeError("the process died here")
        return real(*arguments)

    monkeypatch.setattr("batterytrace.sdk.scanner.decrypt_note", failing)
    with pytest.raises(RuntimeError):
        miner.sync()
    assert (miner.store.cursor(), miner.store.leaves(0), miner.store.notes()) == (None, [], [])
    monkeypatch.setattr("batterytrace.sdk.scanner.decrypt_note", real)
    first = miner.sync()
    assert (first.leaves, len(first.notes)) == (2, 2)
    snapshot = (miner.store.leaves(0), miner.store.notes(), miner.store.cursor())
    miner.store.set_cursor(first.from_block - 1)  # as if the cursor were lost: the same range again
    again = miner.sync()
    assert (again.leaves, len(again.notes)) == (2, 2)
    assert (miner.store.leaves(0), miner.store.notes()) == snapshot[:2]
    assert miner.sync().leaves == 0


def test_an_envelope_that_lies_about_its_note_is_reported_not_kept(ledger: Ledger):
    world = ledger.world
    key = {world.refiner.address: world.refiner.encryption_public_key}

    def lying(note):
        # Authenticated for the refiner, labelled with the new note's commitment, holding another.
        other = note.moved(owner=note.owner, state=note.state, counterparty=note.counterparty)
        return [envelopes._envelope(NOTE_ENVELOPE_VERSION, note.commitment, other.to_bytes(), key)]

    mint(ledger, openings=lying)
    refiner = scanner(ledger, world.refiner)
    result = refiner.sync()
    assert result.leaves == 1 and result.notes == [] and len(result.refused) == 1
    assert "hashes to" in result.refused[0] and refiner.store.notes() == []


def test_a_node_that_drops_a_note_event_is_caught(ledger: Ledger, monkeypatch):
    world = ledger.world
    mined_and_offered(ledger)
    miner = scanner(ledger, world.miner)
    created = next(topic for topic, event in miner._topics.items() if event is miner._created)
    get_logs = world.chain.w3.eth.get_logs

    def dropping_the_first_note(query):
        logs = get_logs(query)
        first = next(entry for entry in logs if bytes(entry["topics"][0]) == created)
        return [entry for entry in logs if entry is not first]

    monkeypatch.setattr(world.chain.w3.eth, "get_logs", dropping_the_first_note)
    with pytest.raises(ChainError, match="skipped note events: expected note 0:0, got 0:1"):
        miner.sync()
    assert (miner.store.cursor(), miner.store.leaves(0)) == (None, [])


def test_a_chain_that_parts_from_the_last_scan_is_rescanned_from_where_they_share(ledger: Ledger):
    """A reverted (or reorganised) chain: the offer the store read is gone and another note stands
    where it was. The store forgets what it read after the last block the chain still holds, the
    mine's note is unspent again, and the new note is read; nothing of the lost branch stays."""
    world = ledger.world
    auditor = scanner(ledger, world.auditor)
    note, _ = mint(ledger, openings=readers(world.miner, world.auditor))
    auditor.sync()
    snapshot = world.chain.w3.provider.make_request("evm_snapshot", [])["result"]
    offered, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner,
                          openings=readers(world.refiner, world.miner, world.auditor))
    ledger.send(offer, "offer")
    assert auditor.sync().spends == 1 and auditor.store.notes_with_tag(note.tag)[0].spent
    world.chain.w3.provider.make_request("evm_revert", [snapshot])
    ledger.notes = LeanIMT()
    ledger.notes.insert(note.commitment)
    other, _ = mint(ledger, external_id=0xE5, openings=readers(world.miner, world.auditor))
    result = auditor.sync()
    assert result.rewound_to is not None and result.rewound_to < world.chain.w3.eth.block_number
    assert auditor.store.leaves(0) == [note.commitment, other.commitment]
    assert [stored.spent for stored in auditor.store.notes_with_tag(note.tag)] == [False]
    assert auditor.store.notes_with_tag(offered.tag) == auditor.store.notes_with_tag(note.tag)  # one tag: no offer
    assert {stored.note.commitment for stored in auditor.store.notes()} == {note.commitment, other.commitment}
    assert not auditor.store.is_spent(note.nullifier)
    # A store that never saw the lost branch reads the same.
    fresh = scanner(ledger, world.auditor)
    fresh.sync()
    assert fresh.store.leaves(0) == auditor.store.leaves(0) and fresh.store.notes() == auditor.store.notes()

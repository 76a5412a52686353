"""Following the chain: a restart resumes from the cursor, confirmations hold blocks back, a reorg
is undone down to the fork and the new chain indexed, follow() keeps up, and an index of another
deployment or of the old layout is refused. Each test mints what it needs, one proof at a time."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from batterytrace.exceptions import ConfigurationError
from batterytrace.indexer import Indexer
from batterytrace.sdk.note_history import NoteOperation
from tests.helpers.flows import mint_at


def mine(world, blocks: int = 1) -> None:
    for _ in range(blocks):
        world.chain.w3.provider.make_request("evm_mine", [])


def test_a_new_indexer_on_the_same_file_resumes_from_the_cursor(world, tmp_path):
    path = tmp_path / "index.db"
    with Indexer(world.miner, path) as first:
        first.sync()
        last_block, _hash = first.cursor()
    minted = mint_at(world, "miner", "IDX-RESUME")
    with Indexer(world.miner, path) as resumed:
        result = resumed.sync()
        assert result.from_block == last_block + 1
        assert result.events >= 2  # NoteCreated and OriginMinted
        [note] = resumed.notes_with_commitment(minted.note.commitment)
        assert note.operation is NoteOperation.MINT
        assert note.block_number > last_block


def test_an_index_refuses_another_deployments_database(world, tmp_path):
    path = tmp_path / "index.db"
    Indexer(world.miner, path).close()
    other = type(world.deployment)(**{**world.deployment.__dict__, "ledger": world.deployment.registry})
    with pytest.raises(ConfigurationError, match="this index holds deployment"):
        Indexer((world.chain, other), path)


def test_an_index_of_the_transparent_lots_layout_is_refused(world, tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.execute("INSERT INTO meta VALUES ('deployment', ?)", (f"{world.deployment.chain_id}:{world.deployment.ledger}",))
    with pytest.raises(ConfigurationError, match="written by layout 1, not 5"):
        Indexer(world.miner, path)


@pytest.mark.parametrize("layout", ["2", "3", "4"])
def test_an_index_of_an_older_shielded_layout_is_refused(world, tmp_path, layout):
    """Layout 2 had no recycled input split in its facilities table (issue 15); layout 3 no
    participants' revocation nor the resolver's tables (issue 16); layout 4 indexed one passport per
    event, with its pack nullifier, and no batch or issuing call."""
    path = tmp_path / f"layout{layout}.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.executemany("INSERT INTO meta VALUES (?, ?)",
                        [("deployment", f"{world.deployment.chain_id}:{world.deployment.ledger}"), ("schema", layout)])
    with pytest.raises(ConfigurationError, match=f"written by layout {layout}, not 5: use another database"):
        Indexer(world.miner, path)


def test_confirmations_hold_back_the_newest_blocks(world, chain_facts, index_facts, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db", confirmations=2)
    minted = mint_at(world, "miner", "IDX-CONFIRM")
    index.sync()
    assert index.notes_with_commitment(minted.note.commitment) == []
    assert index.cursor()[0] == world.chain.w3.eth.block_number - 2
    mine(world, 2)
    index.sync()
    assert len(index.notes_with_commitment(minted.note.commitment)) == 1
    assert index_facts(index) == chain_facts(world)


def test_a_reorg_drops_the_abandoned_blocks_and_indexes_the_new_chain(world, chain_facts, index_facts, tables, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    kept = mint_at(world, "miner", "IDX-KEPT")
    index.sync()
    snapshot = world.chain.w3.provider.make_request("evm_snapshot", [])["result"]
    abandoned = mint_at(world, "miner", "IDX-ABANDONED")
    world.miner.offer(kept.lot_id, world.refiner.address)
    index.sync()
    assert index.notes_with_commitment(abandoned.note.commitment)
    assert index.is_spent(kept.note.nullifier)
    world.chain.w3.provider.make_request("evm_revert", [snapshot])
    world.miner.notes = None  # the miner's store saw the abandoned blocks; the world fixture puts it back
    replacement = mint_at(world, "miner", "IDX-REPLACEMENT")
    result = index.sync()
    assert result.reorged_from_block is not None
    assert index.notes_with_commitment(abandoned.note.commitment) == []
    assert not index.is_spent(kept.note.nullifier)
    assert index.ledger_counts(from_block=result.reorged_from_block).of(NoteOperation.OFFER).operations == 0
    assert len(index.notes_with_commitment(replacement.note.commitment)) == 1
    assert index_facts(index) == chain_facts(world)
    assert index.cursor()[1] == "0x" + bytes(world.chain.w3.eth.get_block("latest")["hash"]).hex()
    rebuilt = tables(index)
    index.rebuild()
    assert tables(index) == rebuilt


def test_follow_indexes_new_blocks_until_stopped(world, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    stop = threading.Event()
    follower = threading.Thread(target=index.follow, args=(0.05, stop), daemon=True)
    follower.start()
    try:
        minted = mint_at(world, "miner", "IDX-FOLLOW")
        deadline = time.monotonic() + 30
        while not index.notes_with_commitment(minted.note.commitment) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(index.notes_with_commitment(minted.note.commitment)) == 1
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()


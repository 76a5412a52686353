"""The indexer: a real flow indexed into SQL, idempotent re-syncs, restart, confirmations, reorgs."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import ConfigurationError
from batterytrace.indexer import Indexer
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import FacilityType, Scheme
from tests.helpers.flows import mint_at, run_flow


def mine(world, blocks: int = 1) -> None:
    for _ in range(blocks):
        world.chain.w3.provider.make_request("evm_mine", [])


def test_ancestors_of_a_split_lot_are_the_merge_and_its_origin_lots(world, flow, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    index.sync()
    ancestors = index.ancestors(flow.split[0])
    assert [(node.lot_id, node.depth) for node in ancestors] == [(flow.merged, 1)] + sorted(
        (lot_id, 2) for lot_id in flow.mined)
    assert {node.lot_id for node in index.origin_lots(flow.split[0])} == set(flow.mined)
    origin = next(node for node in ancestors if node.depth == 2)
    assert origin.kind is MaterialKind.COBALT_HYDROXIDE
    assert origin.facility_type is FacilityType.INDUSTRIAL_MINE
    assert origin.country == "CD"
    assert origin.certified_schemes == {Scheme.IRMA}


def test_descendants_and_custody_follow_the_transformations(world, flow, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    index.sync()
    assert {node.lot_id for node in index.descendants(flow.mined[0])} == {flow.merged, *flow.split}
    held = index.lots_held(world.refiner.address)
    assert {node.lot_id for node in held} == set(flow.split)
    assert index.lot(flow.mined[0]).status is LotStatus.CONSUMED
    assert index.lot(flow.mined[0]).custodian == world.refiner.address
    assert {node.lot_id for node in index.lots_held(world.artisanal_miner.address)} == {flow.unused}


def test_lot_history_matches_the_clients_history_from_logs(world, flow, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    index.sync()
    expected = [(event.name, event.block_number, event.log_index) for event in world.miner.history(flow.mined[0])]
    assert [(event.name, event.block_number, event.log_index) for event in index.lot_history(flow.mined[0])] == expected
    assert "LotAccepted" in {name for name, _block, _index in expected}


def test_a_second_sync_indexes_nothing_twice(world, flow, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    first = index.sync()
    count = index.event_count()
    second = index.sync()
    assert first.events == count > 0
    assert second.events == 0
    assert index.event_count() == count


def test_a_new_indexer_on_the_same_file_resumes_from_the_cursor(world, tmp_path):
    path = tmp_path / "index.db"
    first = Indexer(world.miner, path)
    first.sync()
    last_block, _hash = first.cursor()
    first.close()
    lot = mint_at(world, "miner", "IDX-RESUME").lot_id
    resumed = Indexer(world.miner, path)
    result = resumed.sync()
    assert result.from_block == last_block + 1
    assert result.events >= 1
    assert resumed.lot(lot) is not None


def test_an_index_refuses_another_deployments_database(world, tmp_path):
    path = tmp_path / "index.db"
    Indexer(world.miner, path).close()
    other = type(world.deployment)(**{**world.deployment.__dict__, "lots": world.deployment.registry})
    with pytest.raises(ConfigurationError, match="this index holds deployment"):
        Indexer((world.chain, other), path)


def test_confirmations_hold_back_the_newest_blocks(world, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db", confirmations=2)
    lot = mint_at(world, "miner", "IDX-CONFIRM").lot_id
    index.sync()
    assert index.lot(lot) is None
    assert index.cursor()[0] == world.chain.w3.eth.block_number - 2
    mine(world, 2)
    index.sync()
    assert index.lot(lot) is not None


def test_a_reorg_drops_the_abandoned_blocks_and_indexes_the_new_chain(world, tmp_path):
    index = Indexer(world.miner, tmp_path / "index.db")
    kept = mint_at(world, "miner", "IDX-KEPT").lot_id
    index.sync()
    snapshot = world.chain.w3.provider.make_request("evm_snapshot", [])["result"]
    abandoned = mint_at(world, "miner", "IDX-ABANDONED").lot_id
    world.miner.offer(kept, world.refiner.address)
    index.sync()
    assert index.lot(abandoned) is not None
    world.chain.w3.provider.make_request("evm_revert", [snapshot])
    replacement = mint_at(world, "miner", "IDX-REPLACEMENT").lot_id
    result = index.sync()
    assert result.reorged_from_block is not None
    assert index.lot(abandoned) is None
    assert index.lot(replacement) is not None
    assert index.lot(kept).status is LotStatus.ACTIVE
    assert index.lot(kept).custodian == world.miner.address
    assert [event.name for event in index.lot_history(kept)] == [event.name for event in world.miner.history(kept)]
    assert index.cursor()[1] == "0x" + bytes(world.chain.w3.eth.get_block("latest")["hash"]).hex()


def test_postgres_indexes_the_same_flow(world, postgres_url):
    flow = run_flow(world)
    index = Indexer(world.miner, postgres_url)
    index.sync()
    assert {node.lot_id for node in index.origin_lots(flow.split[1])} == set(flow.mined)
    assert [node.lot_id for node in index.ancestors(flow.split[1])][0] == flow.merged
    assert index.sync().events == 0
    index.close()
    resumed = Indexer(world.miner, postgres_url)
    assert resumed.lot(flow.merged).kind is MaterialKind.CRUDE_COBALT_SULFATE
    assert [event.name for event in resumed.lot_history(flow.merged)] == [
        event.name for event in world.miner.history(flow.merged)]

"""Faults: the node stops or crashes mid-batch and comes back, the RPC endpoint stops answering,
a transaction reverts. Nothing is lost, nothing is duplicated, every failure is a named error."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode, rpc_ready
from batterytrace.exceptions import ChainError, LotStateError, TransactionFailed
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, IdentifierKind, Role
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import Deployment, deploy
from batterytrace.sdk.store import OpeningStore
from batterytrace.zk.envelopes import public_key_from_private_key
from tests.helpers.flows import deliver, mint_at
from tests.helpers.sandbox import signer

BATCH = [f"FAULT-{index:02d}" for index in range(6)]
BAG = dict(kind=MaterialKind.COBALT_HYDROXIDE, cobalt_grams=700_000, total_grams=2_000_000, co2e_grams=7_000_000)


@dataclass
class OwnChain:
    """A node of the test's own, with a deployment, a miner and its mine."""

    node: LocalNode
    state_path: Path
    chain: Chain
    deployment: Deployment
    miner: BatteryTrace
    mine: int

    def restart(self) -> None:
        self.node = LocalNode(port=self.node.port, state_path=self.state_path)
        self.node.start()

    def mint(self, external_id: str):
        return self.miner.mint_origin(self.mine, external_id, **BAG)

    def created_lot_ids(self) -> list[int]:
        logs = self.miner.lots.events.LotCreated().get_logs(from_block=self.deployment.block_number)
        return [int(log["args"]["lotId"]) for log in logs]


@pytest.fixture
def own_chain(tmp_path, prover) -> Iterator[OwnChain]:
    state_path = tmp_path / "state.json"
    node = LocalNode(state_path=state_path)
    node.start()
    try:
        chain = Chain(node.url, receipt_timeout_seconds=5)
        deployment, _gas = deploy(chain, signer(0))
        admin = BatteryTrace(chain, deployment, signer(0), OpeningStore(":memory:"), prover)
        miner = BatteryTrace(chain, deployment, signer(2), OpeningStore(tmp_path / "miner.sqlite"), prover)
        admin.register_participant(miner.address, Role.MINER, "miner", "LEI-MINER", IdentifierKind.LEI, "CD",
                                   public_key_from_private_key(signer(2).private_key), miner.shielding_public_key)
        auditor = BatteryTrace(chain, deployment, signer(1), OpeningStore(":memory:"), prover)
        admin.register_participant(auditor.address, Role.AUDITOR, "auditor", "LEI-AUDITOR", IdentifierKind.LEI, "BE",
                                   public_key_from_private_key(signer(1).private_key), auditor.shielding_public_key)
        mine = miner.register_facility(FacilityType.INDUSTRIAL_MINE, "FAULT-MINE", "CD").facility_id
        auditor.activate_facility(mine, "mine audit")
        own = OwnChain(node, state_path, chain, deployment, miner, mine)
        yield own
    finally:
        own_node = locals().get("own")
        (own_node.node if own_node else node).stop()


def assert_batch_complete_once(own: OwnChain) -> None:
    expected = {lot_id_for(own.miner.address, external_id) for external_id in BATCH}
    created = own.created_lot_ids()
    assert sorted(created) == sorted(expected)  # every lot, each created exactly once
    for lot_id in expected:
        assert own.miner.lot(lot_id).status is LotStatus.ACTIVE
        assert own.miner.opening(lot_id).commitment == own.miner.lot(lot_id).commitment


def test_a_graceful_stop_mid_batch_loses_nothing_and_a_rerun_duplicates_nothing(own_chain):
    first = [own_chain.mint(external_id) for external_id in BATCH[:3]]
    own_chain.node.stop()  # SIGINT: anvil dumps its state to --state
    own_chain.restart()
    rerun = [own_chain.mint(external_id) for external_id in BATCH]
    assert [result.created for result in rerun] == [False] * 3 + [True] * 3
    assert [result.lot_id for result in rerun[:3]] == [result.lot_id for result in first]
    assert_batch_complete_once(own_chain)


def crash_mid_batch(own: OwnChain) -> None:
    """The deployment is dumped by a graceful restart; then three lots are mined and the node
    crashes (SIGKILL to the process group, as a power cut would). anvil 1.7 dumps --state only on a
    clean exit, so it comes back without those lots, while the SDK's store still holds their openings."""
    own.node.stop()
    own.restart()
    [own.mint(external_id) for external_id in BATCH[:3]]
    own.node.kill()
    own.restart()
    assert own.created_lot_ids() == []


def test_after_a_crash_mid_batch_the_sdk_recovers_by_itself(own_chain):
    crash_mid_batch(own_chain)
    rerun = [own_chain.mint(external_id) for external_id in BATCH]
    assert all(result.created for result in rerun)
    assert_batch_complete_once(own_chain)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_local_node_kill_stops_anvil():
    node = LocalNode()
    node.start()
    assert node._process is not None
    spawned = _children(node._process.pid)
    try:
        node.kill()
        assert not rpc_ready(node.url, 0.5)
    finally:
        for pid in spawned:  # only the processes this test started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- an endpoint that never answers -----------------------------------------------------------------

@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A TCP port that accepts connections (the kernel completes them) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_connecting_to_a_silent_endpoint_is_a_chain_error(silent_endpoint):
    with pytest.raises(ChainError, match=rf"^no EVM node answers at {silent_endpoint}: .*timed out"):
        Chain(silent_endpoint, request_timeout_seconds=0.3)


def silent_mint(world, anvil, prover, silent_endpoint) -> None:
    chain = Chain(anvil.url, request_timeout_seconds=0.3, receipt_timeout_seconds=2)
    miner = BatteryTrace(chain, world.deployment, signer(2), OpeningStore(":memory:"), prover)
    chain.w3.provider.endpoint_uri = silent_endpoint
    miner.mint_origin(world.facilities["miner"].facility_id, "SILENT", **BAG)


def test_a_node_that_stops_answering_mid_operation_changes_nothing(world, anvil, prover, silent_endpoint):
    block = world.chain.w3.eth.block_number
    with pytest.raises((ChainError, requests.RequestException), match="timed out"):
        silent_mint(world, anvil, prover, silent_endpoint)
    assert world.chain.w3.eth.block_number == block
    assert not world.miner.lot_exists(lot_id_for(world.miner.address, "SILENT"))


def test_a_node_that_stops_answering_mid_operation_is_a_chain_error(world, anvil, prover, silent_endpoint):
    with pytest.raises(ChainError, match="timed out"):
        silent_mint(world, anvil, prover, silent_endpoint)


# -- reverts ----------------------------------------------------------------------------------------

def test_a_reverted_transform_names_its_error_and_consumes_nothing(world):
    """A transform whose second output already exists reverts whole: no input consumed, no output made."""
    first = mint_at(world, "miner", "REVERT-IN")
    deliver(world, first.lot_id, "miner", "refiner")
    taken = mint_at(world, "miner", "REVERT-TAKEN")
    refiner = world.refiner
    existing = lot_id_for(refiner.address, "TAKEN")
    deliver(world, taken.lot_id, "miner", "refiner")
    refiner.transform([taken.lot_id], [OutputPlan("TAKEN", MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)],
                      world.facilities["refiner"].facility_id)
    outputs = [(name.ljust(32, b"\0"), int(MaterialKind.CRUDE_COBALT_SULFATE), 1, bytes(32), 7, b"") for name in (b"FRESH", b"TAKEN")]
    request = ([first.lot_id], outputs, world.facilities["refiner"].facility_id, 0)
    zero = ([0, 0], [[0, 0], [0, 0]], [0, 0])
    block = world.chain.w3.eth.block_number
    with pytest.raises(LotStateError, match=rf"^transform reverted: LotsAlreadyExists\(lotId={existing}\)$"):
        refiner.send(refiner.lots.functions.transform(request, zero), "transform")
    assert world.chain.w3.eth.block_number == block
    assert refiner.lot(first.lot_id).status is LotStatus.ACTIVE
    assert not refiner.lot_exists(lot_id_for(refiner.address, "FRESH"))


@pytest.fixture
def manual_mining(world) -> Iterator[None]:
    world.chain.w3.provider.make_request("evm_setAutomine", [False])
    try:
        yield
    finally:
        world.chain.w3.provider.make_request("evm_setAutomine", [True])


def test_a_transaction_that_reverts_when_mined_is_a_named_failure_and_changes_nothing(world, manual_mining):
    """Two offers of one lot both pass simulation while neither is mined; the second reverts in the
    block. The failure is a TransactionFailed naming the custom error and the transaction, and the lot
    is offered once."""
    bag_id = lot_id_for(world.miner.address, "RACE")
    world.chain.w3.provider.make_request("evm_setAutomine", [True])
    mint_at(world, "miner", "RACE")
    world.chain.w3.provider.make_request("evm_setAutomine", [False])
    lots = world.miner.lots.functions
    first = world.chain.transact(world.miner.signer, lots.offer(bag_id, world.refiner.address, b""), "offer to refiner", wait=False)
    second = world.chain.transact(world.miner.signer, lots.offer(bag_id, world.cathode_maker.address, b""), "offer to cathode maker", wait=False)
    world.chain.w3.provider.make_request("evm_mine", [])
    assert world.chain.wait(first).succeeded
    with pytest.raises(TransactionFailed, match=rf"^offer to cathode maker reverted: LotsWrongStatus\(.*{second.transaction_hash}"):
        world.chain.wait(second)
    lot = world.miner.lot(bag_id)
    assert lot.status is LotStatus.IN_TRANSIT and lot.pending_receiver == world.refiner.address

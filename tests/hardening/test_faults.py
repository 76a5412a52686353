"""Faults under relayed operations: the node stops or crashes mid-batch and comes back, the RPC
endpoint or the relayer stops answering mid-operation, two relayers race the same note. Nothing is
lost, nothing is duplicated, every failure is a named error. (A relayer killed after it sent and
before it answered, and the node killed under a running relayer, are tests/services/test_relayer_faults.py's.)"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode, rpc_ready
from batterytrace.exceptions import ChainError, RevertedError
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import FacilityType, Role
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import Deployment, deploy
from batterytrace.sdk.notes import NoteStore
from batterytrace.sdk.relayer import LocalRelayer, RelayerAccount, RelayerClient, RelayerSettings
from batterytrace.sdk.shielded import ShieldedLot
from tests.helpers.flows import mint_at
from tests.helpers.relayer import RELAYER_ADDRESS, relayer_settings
from tests.helpers.sandbox import activated, register, signer

BATCH = [f"FAULT-{index:02d}" for index in range(4)]
BAG = {"kind": MaterialKind.COBALT_HYDROXIDE, "cobalt_grams": 700_000, "total_grams": 2_000_000, "co2e_grams": 7_000_000}
#: The second relayer's account in the race (the session relayer sends from dev account 19).
SECOND_RELAYER_ACCOUNT = 18


@dataclass
class OwnChain:
    """A node of the test's own with a deployment, a relayer, and a miner (its note store on disk) and its mine."""

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

    def ledger_events(self, name: str) -> list:
        contract = self.chain.contract("ShieldedLedger", self.deployment.ledger)
        return getattr(contract.events, name)().get_logs(from_block=self.deployment.block_number)


@pytest.fixture
def own_chain(tmp_path, prover) -> Iterator[OwnChain]:
    state_path = tmp_path / "state.json"
    own = None
    node = LocalNode(state_path=state_path)
    node.start()
    relayer = None
    try:
        chain = Chain(node.url, receipt_timeout_seconds=5)
        deployment, _gas = deploy(chain, signer(0))
        relayer = LocalRelayer(relayer_settings(node.url, deployment, tmp_path), tmp_path)
        relayer.start()
        notes = NoteStore(tmp_path / "miner.sqlite", chain.chain_id, deployment.ledger)
        admin = BatteryTrace(chain, deployment, signer(0), None, prover)
        miner = BatteryTrace(chain, deployment, signer(2), notes, prover, relayer=RelayerClient(relayer.url))
        auditor = BatteryTrace(chain, deployment, signer(1), None, prover)
        register(admin, miner, "miner", Role.MINER, 2)
        register(admin, auditor, "auditor", Role.AUDITOR, 1)
        mine = activated(auditor, miner.register_facility(FacilityType.INDUSTRIAL_MINE, "FAULT-MINE", "CD")).facility_id
        own = OwnChain(node, state_path, chain, deployment, miner, mine)
        yield own
    finally:
        if relayer is not None:
            relayer.stop()
        (own.node if own else node).stop()


def assert_batch_complete_once(own: OwnChain, results) -> None:
    """Every lot of the batch minted once, held by the miner, and its store holding each note the
    chain created, once."""
    assert len({result.lot_id for result in results}) == len(BATCH)
    assert len(own.ledger_events("OriginMinted")) == len(BATCH)
    held = {lot.lot_id: lot for lot in own.miner.lots_held()}
    assert set(held) == {result.lot_id for result in results}
    assert all((lot.status, lot.custodian) == (LotStatus.ACTIVE, own.miner.address) for lot in held.values())
    created = [log["args"]["commitment"] for log in own.ledger_events("NoteCreated")]
    assert [stored.note.commitment for stored in own.miner.notes.notes()] == created


def test_a_graceful_stop_mid_batch_loses_nothing_and_a_rerun_duplicates_nothing(own_chain):
    first = [own_chain.mint(external_id) for external_id in BATCH[:2]]
    own_chain.node.stop()  # SIGINT: anvil dumps its state to --state
    own_chain.restart()
    rerun = [own_chain.mint(external_id) for external_id in BATCH]
    assert [result.created for result in rerun] == [False] * 2 + [True] * 2
    assert [result.lot_id for result in rerun[:2]] == [result.lot_id for result in first]
    assert_batch_complete_once(own_chain, rerun)


def test_after_a_crash_mid_batch_the_sdk_recovers_by_itself(own_chain):
    """The deployment is dumped by a graceful restart; then two lots are minted and the node crashes
    (SIGKILL to the process group, as a power cut would). anvil dumps --state only on a clean exit,
    so it comes back without those lots, while the miner's store on disk still holds their notes: the
    store rewinds to the blocks the chain still has, and the rerun mints each lot once."""
    own_chain.node.stop()
    own_chain.restart()
    lost = [own_chain.mint(external_id) for external_id in BATCH[:2]]
    own_chain.node.kill()
    own_chain.restart()
    assert own_chain.ledger_events("OriginMinted") == []
    rerun = [own_chain.mint(external_id) for external_id in BATCH]
    assert all(result.created for result in rerun)
    assert [result.lot_id for result in rerun[:2]] == [result.lot_id for result in lost]  # a lot's id is its tag
    assert_batch_complete_once(own_chain, rerun)


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


def test_a_node_that_stops_answering_mid_operation_is_a_chain_error_and_changes_nothing(world, anvil, prover,
                                                                                       silent_endpoint):
    chain = Chain(anvil.url, request_timeout_seconds=0.3, receipt_timeout_seconds=2)
    miner = BatteryTrace(chain, world.deployment, signer(2), None, prover, relayer=world.miner.relayer)
    block = world.chain.w3.eth.block_number
    chain.w3.provider.endpoint_uri = silent_endpoint
    with pytest.raises(ChainError, match="timed out"):
        miner.mint_origin(world.facilities["miner"].facility_id, "SILENT", **BAG)
    assert world.chain.w3.eth.block_number == block
    assert not world.miner.shielded.origin_minted(world.facilities["miner"].facility_id, "SILENT")


def test_a_relayer_that_stops_answering_mid_operation_is_a_chain_error_and_a_retry_mints_once(world, silent_endpoint):
    """The proof is made, the relayer takes the call and never answers: nothing is on chain, and the
    ERP's retry through a relayer that answers mints the lot once."""
    site = world.facilities["miner"].facility_id
    stalled = world.miner.for_signer(world.miner.signer, relayer=RelayerClient(silent_endpoint, timeout_seconds=0.5))
    block = world.chain.w3.eth.block_number
    with pytest.raises(ChainError, match=rf"^no relayer answers at {re.escape(silent_endpoint)}: .*timed out"):
        stalled.mint_origin(site, "SILENT-RELAYER", **BAG)
    assert world.chain.w3.eth.block_number == block and not world.miner.shielded.origin_minted(site, "SILENT-RELAYER")
    retried = mint_at(world, "miner", "SILENT-RELAYER")
    again = mint_at(world, "miner", "SILENT-RELAYER")
    assert retried.created and not again.created and again.lot_id == retried.lot_id
    ledger = world.chain.contract("ShieldedLedger", world.deployment.ledger)
    assert len(ledger.events.OriginMinted().get_logs(from_block=world.deployment.block_number)) == 1


# -- two relayers, one note -------------------------------------------------------------------------

@pytest.fixture
def manual_mining(world) -> Iterator[None]:
    try:
        yield
    finally:
        world.chain.w3.provider.make_request("evm_setAutomine", [True])


def wait_until(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def test_two_relayers_racing_one_note_land_it_once_and_the_other_offer_is_a_named_revert(world, tmp_path, manual_mining):
    """The mine's ERP runs twice (two processes, each with its own note store and relayer) and offers
    one bag to the refinery and to the cathode maker: both proofs are made against the same note
    before either lands. One offer lands; the other is refused, ``LedgerNullifierSpent``, by the
    chain (mined in the same block) or by its relayer's simulation; the bag is offered once."""
    w3 = world.chain.w3
    bag = mint_at(world, "miner", "RACE")
    settings = RelayerSettings(world.chain.rpc_url, world.deployment.ledger, RelayerAccount(dev_account=SECOND_RELAYER_ACCOUNT),
                               str(tmp_path / "second-relayer.log"), world.deployment.block_number)
    second_address = signer(SECOND_RELAYER_ACCOUNT).address
    with LocalRelayer(settings, tmp_path) as second, ThreadPoolExecutor(2) as pool:
        other_erp = world.miner.for_signer(world.miner.signer, relayer=RelayerClient(second.url))
        first_nonce, second_nonce = (w3.eth.get_transaction_count(address) for address in (RELAYER_ADDRESS, second_address))
        w3.provider.make_request("evm_setAutomine", [False])
        to_refiner = pool.submit(world.miner.offer, bag.lot_id, world.refiner.address)
        wait_until(lambda: w3.eth.get_transaction_count(RELAYER_ADDRESS, "pending") == first_nonce + 1, "the first offer is sent")
        to_cathode_maker = pool.submit(other_erp.offer, bag.lot_id, world.cathode_maker.address)
        wait_until(lambda: to_cathode_maker.done() or w3.eth.get_transaction_count(second_address, "pending") == second_nonce + 1,
                   "the second offer is sent or refused")
        w3.provider.make_request("evm_mine", [])
        w3.provider.make_request("evm_setAutomine", [True])
        outcomes = []
        for future in (to_refiner, to_cathode_maker):
            try:
                outcomes.append(future.result(timeout=120))
            except RevertedError as error:
                outcomes.append(error)
    landed = [outcome for outcome in outcomes if isinstance(outcome, ShieldedLot)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, RevertedError)]
    assert len(landed) == len(refused) == 1
    assert refused[0].error_name == "LedgerNullifierSpent" and refused[0].arguments["nullifier"] == bag.note.nullifier
    ledger = world.chain.contract("ShieldedLedger", world.deployment.ledger)
    spent = [log["args"]["nullifier"] for log in ledger.events.NoteSpent().get_logs(from_block=world.deployment.block_number)]
    assert spent.count(bag.note.nullifier) == 1
    lot = world.auditor.lot(bag.lot_id)
    receiver = world.refiner if outcomes[0] is landed[0] else world.cathode_maker
    assert (lot.status, lot.custodian, lot.pending_receiver) == (LotStatus.IN_TRANSIT, world.miner.address, receiver.address)

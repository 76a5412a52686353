"""Faults under the relayer. The relayer is killed (SIGKILL) after it sent an operation and before
it answered; restarted, it is given the same calldata again: the operation is on chain exactly once,
the retry answers 409 with the ledger's error and the landed transaction, the batch goes on, and the
relayer's nonces have no gap and no duplicate. The node is killed under a running relayer: the
relayer answers 503 naming the node, and serves again once the node is back from its state file."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.exceptions import ChainError
from batterytrace.sdk.deployment import deploy
from batterytrace.sdk.relayer import LocalRelayer, RelayerClient
from batterytrace.zk.custody import CustodyOperation
from tests.helpers.relayer import (
    RELAYER_ADDRESS,
    calldata_of,
    ledger_of,
    log_lines,
    mint_calldata,
    post,
    receipt_logs,
    relayer_settings,
)
from tests.helpers.sandbox import signer
from tests.helpers.shielded import events, mint, step


def wait_until(condition, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def test_a_relayer_killed_before_it_answers_loses_nothing_and_a_retry_doubles_nothing(world, tmp_path):
    w3, ledger = world.chain.w3, ledger_of(world)
    note, mint_call = mint(ledger, send=False)
    settings = relayer_settings(world.chain.rpc_url, world.deployment, tmp_path)
    nonce = w3.eth.get_transaction_count(RELAYER_ADDRESS)
    first = LocalRelayer(settings, tmp_path)
    first.start()
    second = None
    try:
        # With automine off the sent transaction waits in the pool, and so does the relayer.
        w3.provider.make_request("evm_setAutomine", [False])
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(post, first.url, ledger.address, calldata_of(mint_call))
            wait_until(lambda: w3.eth.get_transaction_count(RELAYER_ADDRESS, "pending") == nonce + 1, "the relayer sent the mint")
            first.kill()
            with pytest.raises(httpx.TransportError):
                answer.result()
        w3.provider.make_request("evm_mine", [])
        w3.provider.make_request("evm_setAutomine", [True])
        [landed] = ledger.contract.events.OriginMinted().get_logs(from_block=world.deployment.block_number)

        second = LocalRelayer(settings, tmp_path, port=first.port)
        second.start()
        retry = post(second.url, ledger.address, calldata_of(mint_call))
        body = retry.json()
        assert (retry.status_code, body["errorName"]) == (409, "LedgerMintTagUsed")
        assert body["landed"]["transaction"] == "0x" + bytes(landed["transactionHash"]).hex()
        client = RelayerClient(second.url)
        again = client.submit(ledger.address, calldata_of(mint_call))
        assert again.already_landed and again.block_number == landed["blockNumber"]

        ledger.notes.insert(note.commitment)
        offered, offer_call = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
        stepped = client.submit(ledger.address, calldata_of(offer_call))
        assert not stepped.already_landed
        created = events(ledger, receipt_logs(w3, again.transaction_hash), "NoteCreated")
        created += events(ledger, receipt_logs(w3, stepped.transaction_hash), "NoteCreated")
        assert [event["commitment"] for event in created] == [note.commitment, offered.commitment]
        assert len(ledger.contract.events.NoteCreated().get_logs(from_block=world.deployment.block_number)) == 2
        # One transaction for the mint, one for the offer: no nonce skipped, none used twice.
        assert w3.eth.get_transaction_count(RELAYER_ADDRESS) == nonce + 2
        outcomes = [line["outcome"] for line in log_lines(tmp_path / "relayer.log")]
        assert outcomes == ["reverted", "reverted", "landed"]  # the killed request never got its line
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
        first.kill()
        if second is not None:
            second.stop()


def test_a_node_killed_under_the_relayer_answers_503_and_the_relayer_recovers_with_it(tmp_path):
    state_path = tmp_path / "anvil-state.json"
    node = LocalNode(state_path=state_path)
    node.start()
    try:
        deployment, _gas = deploy(Chain(node.url), signer(0))
        node.stop()  # dumps the deployment: a crash later comes back to it
        node = LocalNode(port=node.port, state_path=state_path)
        node.start()
        contract = Chain(node.url).contract("ShieldedLedger", deployment.ledger)
        data = mint_calldata(contract)
        with LocalRelayer(relayer_settings(node.url, deployment, tmp_path), tmp_path) as relayer:
            client = RelayerClient(relayer.url)
            assert client.health().ledger == deployment.ledger
            node.kill()
            down = post(relayer.url, deployment.ledger, data)
            assert (down.status_code, down.json()["code"]) == (503, "node-unavailable")
            assert down.json()["error"] == f"the node at {node.url} does not answer"
            with pytest.raises(ChainError, match=f"answered 503: the node at {node.url} does not answer"):
                client.health()
            node = LocalNode(port=node.port, state_path=state_path)
            node.start()
            health = client.health()
            assert (health.chain_id, health.relayer, health.pending) == (31337, RELAYER_ADDRESS, 0)
            back = post(relayer.url, deployment.ledger, data)  # reaches the chain again, which refuses it
            assert (back.status_code, back.json()["errorName"]) == (409, "LedgerUnknownRoot")
            assert [line["outcome"] for line in log_lines(tmp_path / "relayer.log")] == ["unavailable", "reverted"]
    finally:
        node.stop()

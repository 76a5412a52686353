"""Real operations through a real relayer process: an origin mint and a custody step, proven as
tests/helpers/shielded.py proves them, land from the relayer's account with their NoteCreated
events; a replay answers 409 with the ledger's error and where the same calldata landed (the client
returns that landing instead of raising), while another operation on the same spent note is a
plain refusal; and the request log holds one line per request and none of the openings or proofs."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import RevertedError
from batterytrace.sdk.relayer import RelayerClient
from batterytrace.zk.custody import CustodyOperation
from tests.helpers.relayer import RELAYER_ADDRESS, calldata_of, ledger_of, log_lines, post, receipt_logs
from tests.helpers.shielded import OPENINGS, events, mint, step


def test_a_mint_and_a_custody_step_land_from_the_relayers_account_and_replays_answer_409(world, relayer):
    w3, ledger, client = world.chain.w3, ledger_of(world), RelayerClient(relayer.url)
    log = relayer.work_dir / "relayer.log"
    logged_before = len(log_lines(log))
    note, mint_call = mint(ledger, send=False)
    minted = client.submit(ledger.address, calldata_of(mint_call))
    assert minted.succeeded and not minted.already_landed and minted.gas_used > 0
    sent = w3.eth.get_transaction(minted.transaction_hash)
    assert (sent["from"], sent["to"], "0x" + bytes(sent["input"]).hex()) == (RELAYER_ADDRESS, ledger.address, calldata_of(mint_call))
    [created] = events(ledger, receipt_logs(w3, minted.transaction_hash), "NoteCreated")
    assert (created["commitment"], created["index"], created["encryptedOpenings"]) == (note.commitment, 0, OPENINGS)
    ledger.notes.insert(note.commitment)

    offered, offer_call = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    stepped = client.submit(ledger.address, calldata_of(offer_call))
    assert w3.eth.get_transaction(stepped.transaction_hash)["from"] == RELAYER_ADDRESS
    logs = receipt_logs(w3, stepped.transaction_hash)
    assert [event["commitment"] for event in events(ledger, logs, "NoteCreated")] == [offered.commitment]
    assert [event["nullifier"] for event in events(ledger, logs, "NoteSpent")] == [note.nullifier]
    assert w3.eth.get_transaction_receipt(stepped.transaction_hash)["gasUsed"] == stepped.gas_used

    # Replays: the HTTP answer is 409 with the ledger's error and where the same bytes landed.
    for call, error_name, landed in ((mint_call, "LedgerMintTagUsed", minted), (offer_call, "LedgerNullifierSpent", stepped)):
        response = post(relayer.url, ledger.address, calldata_of(call))
        body = response.json()
        assert (response.status_code, body["errorName"]) == (409, error_name)
        assert body["landed"] == {"transaction": landed.transaction_hash, "block": landed.block_number, "gasUsed": landed.gas_used}
        again = client.submit(ledger.address, calldata_of(call))
        assert again.already_landed and again.transaction_hash == landed.transaction_hash
    # Another step on the spent note is not a landed copy of anything: the client raises.
    _, other_offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.cathode_maker)
    with pytest.raises(RevertedError) as raised:
        client.submit(ledger.address, calldata_of(other_offer))
    assert raised.value.error_name == "LedgerNullifierSpent" and raised.value.arguments == {"nullifier": note.nullifier}
    assert len(ledger.contract.events.OriginMinted().get_logs(from_block=world.deployment.block_number)) == 1

    lines = log_lines(log)[logged_before:]
    assert [(line["function"], line["outcome"]) for line in lines] == [
        ("mintOrigin", "landed"), ("custody", "landed"),
        ("mintOrigin", "reverted"), ("mintOrigin", "reverted"), ("custody", "reverted"), ("custody", "reverted"),
        ("custody", "reverted")]
    assert (lines[0]["transaction"], lines[0]["gasUsed"], lines[1]["block"]) == (
        minted.transaction_hash, minted.gas_used, stepped.block_number)
    text = log.read_text()
    proof_a = mint_call.args[1][0][0]
    for secret in (*OPENINGS, *(opening.hex().encode() for opening in OPENINGS), str(proof_a).encode(), f"{proof_a:x}".encode()):
        assert secret.decode() not in text

"""contracts/ShieldedLedger.sol on a real anvil with real proofs: an origin note minted at the
sandbox's certified mine and handed to the refinery (offer, accept), every call sent by an account
that is neither party, as a relayer's would be; and what the contract itself refuses (a spent
nullifier, a used mint tag, unknown roots, a proof time in the future or too old) with proofs that
are otherwise valid, and a proof replayed with another call or on another deployment.

Below the SDK: tests/helpers/shielded.py deploys a ledger beside the sandbox's registry and builds
each witness with the zk layer's twins, so each call is made by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batterytrace.evm.artifacts import SHIPPED_CONTRACTS, load
from batterytrace.evm.reverts import ErrorDecoder
from batterytrace.exceptions import ProofError, RevertedError
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.merkle import LeanIMT
from tests.helpers.shielded import OPENINGS, Ledger, compiled_ledger, deploy_ledger, events, mint, step


@pytest.fixture(scope="module")
def compiled() -> dict:
    return compiled_ledger()


@pytest.fixture
def ledger(world, compiled) -> Iterator[Ledger]:
    chain = world.chain
    previous = chain.errors
    chain.errors = ErrorDecoder([*(load(name).abi for name in SHIPPED_CONTRACTS if name != "PoseidonT3"),
                                 compiled["ShieldedLedger"].abi])
    contract, address = deploy_ledger(world, compiled)
    try:
        yield Ledger(world, contract, address, world.stranger.signer, LeanIMT())
    finally:
        chain.errors = previous


def refused(error_name: str):
    return pytest.raises(RevertedError, match=rf"reverted: {error_name}\b")


def test_a_relayed_mint_offer_and_accept_move_the_lot_and_name_nobody(ledger: Ledger):
    world = ledger.world
    note, receipt = mint(ledger)
    [created] = events(ledger, receipt, "NoteCreated")
    assert (created["commitment"], created["index"], created["root"]) == (note.commitment, 0, ledger.notes.root)
    assert created["encryptedOpenings"] == OPENINGS
    offered, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    receipt = ledger.send(offer, "offer")
    ledger.notes.insert(offered.commitment)
    accepted, accept = step(ledger, offered, CustodyOperation.ACCEPT, world.refiner, evidence=b"w" * 32)
    receipt = ledger.send(accept, "accept")
    ledger.notes.insert(accepted.commitment)
    [stepped] = events(ledger, receipt, "CustodyStepped")
    assert stepped["operation"] == int(CustodyOperation.ACCEPT) and stepped["evidenceHash"] == b"w" * 32
    assert accepted.owner == world.refiner.shielding_public_key and accepted.values == note.values
    epoch, root, size = world.chain.call(ledger.contract.functions.noteTree())
    assert (epoch, root, size) == (0, ledger.notes.root, 3)
    assert world.chain.call(ledger.contract.functions.isSpent(offered.nullifier))
    # Every transaction came from the relayer; no log names the miner's or the refiner's address.
    parties = {world.miner.address.lower()[2:], world.refiner.address.lower()[2:]}
    assert receipt.logs
    for log in receipt.logs:
        words = bytes(log["data"]).hex() + "".join(bytes(topic).hex() for topic in log["topics"])
        assert not any(party in words for party in parties)


def test_the_contract_refuses_a_spent_note_a_used_mint_tag_unknown_roots_and_a_stale_proof_time(ledger: Ledger):
    world = ledger.world
    note, _ = mint(ledger)
    _, again = mint(ledger, send=False)
    with refused("LedgerMintTagUsed"):
        ledger.send(again, "mintOrigin again")
    offered, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    ledger.send(offer, "offer")
    ledger.notes.insert(offered.commitment)
    _, offer_again = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.cathode_maker)
    with refused("LedgerNullifierSpent"):
        ledger.send(offer_again, "the same note offered again")
    _, unknown_root = step(ledger, offered, CustodyOperation.ACCEPT, world.refiner, note_root=12345)
    with refused("LedgerUnknownRoot"):
        ledger.send(unknown_root, "accept against an unknown root")
    now = world.chain.latest_timestamp()
    _, future = mint(ledger, external_id=0xE5, proof_time=now + 600, send=False)
    with refused("LedgerProofTimeOutOfWindow"):
        ledger.send(future, "mint with a proof time in the future")
    _, stale = mint(ledger, external_id=0xE6, proof_time=now, send=False)
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [now + 2 * 3600])
    world.chain.w3.provider.make_request("evm_mine", [])
    with refused("LedgerProofTimeOutOfWindow"):
        ledger.send(stale, "mint with a proof time two hours old")


def test_a_relayer_cannot_change_the_call_and_a_proof_does_not_replay_on_another_deployment(ledger: Ledger, compiled):
    world = ledger.world
    note, _ = mint(ledger)
    _, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    request, proof, openings = offer.args
    # The relayer swaps the ciphertext (so the receiver could not read the lot) or the evidence.
    with refused("ProofInvalid"):
        ledger.send(ledger.contract.functions.custody(request, proof, [b"garbage", openings[1]]), "altered openings")
    with refused("ProofInvalid"):
        altered = (request[0], request[1], request[2], request[3], request[4], b"x" * 32)
        ledger.send(ledger.contract.functions.custody(altered, proof, openings), "altered evidence")
    # The same mint, word for word, on a second ledger (same chain, same registry): another context.
    other, _address = deploy_ledger(world, compiled)
    _, mint_call = mint(ledger, external_id=0xE6, send=False)
    with refused("ProofInvalid"):
        ledger.send(other.functions.mintOrigin(*mint_call.args), "the mint replayed on another ledger")


def test_the_sdk_twin_refuses_to_prove_a_step_on_someone_elses_note(ledger: Ledger):
    # The circuit's own refusal (a witness by hand) is tests/circuits/test_attacks_custody.py's.
    world = ledger.world
    note, _ = mint(ledger)
    with pytest.raises(ProofError, match="only the note's owner"):
        step(ledger, note, CustodyOperation.OFFER, world.refiner, receiver=world.cathode_maker)

"""The mint proof on chain: the verifier gate refuses tampered, replayed, misbound and
out-of-field proofs, and every committed verifier accepts a proof made with its committed key."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from batterytrace.exceptions import ProofError
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import MaterialKind
from batterytrace.zk.commitment import Opening
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.inputs import mint_inputs
from tests.helpers.flows import proven_mint, send_mint


def test_an_honest_proof_mints(world):
    opening, proof = proven_mint(world, "HONEST")
    a, b, c, _ = proof.solidity_args()
    send_mint(world, "HONEST", opening.commitment, (a, b, c))
    assert world.miner.lot(lot_id_for(world.miner.address, "HONEST")).commitment == opening.commitment


def test_a_tampered_proof_is_rejected(world):
    opening, proof = proven_mint(world, "TAMPERED")
    a, b, c, _ = proof.solidity_args()
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "TAMPERED", opening.commitment, (a, b, [c[0], (c[1] + 1) % SNARK_SCALAR_FIELD]))


def test_a_proof_replayed_for_another_lot_is_rejected(world):
    opening, proof = proven_mint(world, "FIRST")
    a, b, c, _ = proof.solidity_args()
    send_mint(world, "FIRST", opening.commitment, (a, b, c))
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "SECOND", opening.commitment, (a, b, c))


def test_a_proof_stolen_from_the_mempool_is_useless_to_another_sender(world):
    opening, proof = proven_mint(world, "MINE")
    a, b, c, _ = proof.solidity_args()
    thief = world.artisanal_miner
    spec = (b"MINE".ljust(32, b"\0"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), opening.commitment, b"")
    with pytest.raises(ProofError, match="ProofInvalid"):
        thief.send(thief.lots.functions.mintOrigin(world.facilities["artisanal_miner"].facility_id, spec, (a, b, c)), "stolen mint")


def test_a_proof_for_another_chain_is_rejected(world):
    lot_id = lot_id_for(world.miner.address, "OTHER-CHAIN")
    other_chain_context = int.from_bytes(keccak(abi_encode(
        ["uint256", "address", "bytes32", "uint256"],
        [1, world.deployment.lots, keccak(text="batterytrace.mint"), lot_id])), "big") >> 8
    assert other_chain_context != world.miner.lots.functions.mintContext(lot_id).call()
    opening, proof = proven_mint(world, "OTHER-CHAIN", context=other_chain_context)
    a, b, c, _ = proof.solidity_args()
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "OTHER-CHAIN", opening.commitment, (a, b, c))


def test_claiming_certification_the_facility_lacks_is_rejected(world):
    """The artisanal site is not certified: a proof made for certified = 1 fails against the
    contract's certified = 0."""
    client = world.artisanal_miner
    opening = Opening.new(cobalt_grams=60_000, total_grams=200_000, certified_cobalt_grams=60_000, co2e_grams=600_000,
                          risk_flags=world.admin.facility(world.facilities["artisanal_miner"].facility_id).risk_flags)
    lot_id = lot_id_for(client.address, "WASHED")
    context = client.lots.functions.mintContext(lot_id).call()
    proof = client.prover.prove("mint", mint_inputs(opening, True, False, int(opening.risk_flags), 1_000, context))
    a, b, c, _ = proof.solidity_args()
    spec = (b"WASHED".ljust(32, b"\0"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), opening.commitment, b"")
    with pytest.raises(ProofError, match="ProofInvalid"):
        client.send(client.lots.functions.mintOrigin(world.facilities["artisanal_miner"].facility_id, spec, (a, b, c)), "washed mint")


def test_a_commitment_at_or_above_the_field_modulus_is_rejected(world):
    opening, proof = proven_mint(world, "ALIASED")
    a, b, c, _ = proof.solidity_args()
    with pytest.raises(ProofError, match="ProofInputOutOfField"):
        send_mint(world, "ALIASED", opening.commitment + SNARK_SCALAR_FIELD, (a, b, c))


def test_gas_estimation_covers_the_pairing_check_because_bad_proofs_revert(world):
    """The snarkjs verifier returns false on a bad proof; behind the gate a bad proof reverts,
    so estimating gas for a good one cannot stop at the cheap failing path."""
    opening, proof = proven_mint(world, "ESTIMATE")
    a, b, c, _ = proof.solidity_args()
    spec = (b"ESTIMATE".ljust(32, b"\0"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), opening.commitment, b"")
    estimate = world.miner.lots.functions.mintOrigin(world.facilities["miner"].facility_id, spec, (a, b, c)).estimate_gas(
        {"from": world.miner.address})
    assert estimate > 200_000


@pytest.mark.parametrize("circuit, verifier", [("mint", "mint_verifier"), ("transform", "transform_verifier"), ("claim", "claim_verifier")])
def test_each_committed_verifier_accepts_a_proof_from_its_committed_key(world, circuit, verifier):
    from tests.zk.vectors import honest_inputs

    client = world.miner
    proof = client.prover.prove(circuit, honest_inputs(circuit))
    contract = client.chain.contract(f"{circuit.capitalize()}Verifier", getattr(world.deployment, verifier))
    a, b, c, signals = proof.solidity_args()
    assert contract.functions.verifyProof(a, b, c, signals).call() is True
    assert contract.functions.verifyProof(a, b, c, [signals[0] ^ 1, *signals[1:]]).call() is False

"""The Node prover worker, proof serialisation and the snarkjs CLI baseline."""

from __future__ import annotations

import json
import threading

import pytest

from batterytrace.exceptions import FieldRangeError, ProofError, ProverError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.proof import Groth16Proof
from batterytrace.zk.prover import Prover
from batterytrace.zk.verifier import verify
from bench.baselines import snarkjs_cli_fullprove


def test_prove_returns_public_signals_in_circuit_order(tiny_proof):
    # Outputs first, then public inputs: h = 3^2 + 15, c = 15.
    assert tiny_proof.public_signals == (24, 15)


def test_proof_points_are_affine_field_elements(tiny_proof):
    for value in (*tiny_proof.a, *tiny_proof.b[0], *tiny_proof.b[1], *tiny_proof.c):
        assert 0 < value < 21888242871839275222246405745257275088696311157297823662689037894645226208583


def test_worker_is_reused_between_proofs(tiny_prover):
    tiny_prover.prove("tiny", {"a": 2, "b": 2, "c": 4})
    process = tiny_prover._process
    tiny_prover.prove("tiny", {"a": 2, "b": 3, "c": 6})
    assert tiny_prover._process is process


def test_violated_constraint_raises_prover_error_naming_it(tiny_prover):
    with pytest.raises(ProverError, match="the inputs violate the constraints of circuit 'tiny'.*Assert Failed"):
        tiny_prover.prove("tiny", {"a": 3, "b": 5, "c": 16})


def test_missing_input_raises_prover_error(tiny_prover):
    with pytest.raises(ProverError, match="do not match the signals of circuit 'tiny'"):
        tiny_prover.prove("tiny", {"a": 3, "b": 5})


def test_worker_survives_a_failed_witness(tiny_prover):
    with pytest.raises(ProverError):
        tiny_prover.prove("tiny", {"a": 1, "b": 1, "c": 2})
    assert tiny_prover.prove("tiny", {"a": 1, "b": 1, "c": 1}).public_signals == (2, 1)


@pytest.mark.parametrize("bad", [SNARK_SCALAR_FIELD, -1])
def test_input_outside_field_raises_field_range_error(tiny_prover, bad):
    with pytest.raises(FieldRangeError, match="input c"):
        tiny_prover.prove("tiny", {"a": 1, "b": 1, "c": bad})


def test_unknown_circuit_raises_prover_error(tiny_prover):
    with pytest.raises(ProverError, match="circuit 'nope' has no nope.wasm"):
        tiny_prover.prove("nope", {})


def test_dead_worker_is_restarted(tiny_keys_dir, node_modules):
    with Prover(tiny_keys_dir, node_modules=node_modules) as prover:
        prover.prove("tiny", {"a": 1, "b": 2, "c": 2})
        prover._process.kill()
        prover._process.wait()
        assert prover.prove("tiny", {"a": 1, "b": 3, "c": 3}).public_signals == (4, 3)


def test_concurrent_proofs_from_threads(tiny_prover):
    results: dict[int, tuple[int, ...]] = {}

    def work(n: int) -> None:
        results[n] = tiny_prover.prove("tiny", {"a": n, "b": 1, "c": n}).public_signals

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: (n * n + n, n) for n in range(1, 5)}


def test_proof_json_round_trip(tiny_proof):
    assert Groth16Proof.from_json(tiny_proof.to_json()) == tiny_proof


def test_proof_json_is_snarkjs_layout(tiny_proof):
    document = json.loads(tiny_proof.to_json())
    assert document["proof"]["pi_a"][2] == "1"
    assert document["proof"]["pi_b"][2] == ["1", "0"]
    assert document["publicSignals"] == ["24", "15"]


def test_malformed_proof_json_raises_proof_error():
    with pytest.raises(ProofError):
        Groth16Proof.from_json('{"proof": {"pi_a": ["1"]}, "publicSignals": []}')


def test_wrong_shape_raises_proof_error():
    with pytest.raises(ProofError, match="b must have 2 elements"):
        Groth16Proof(a=(1, 2), b=((1, 2),), c=(1, 2), public_signals=())


def test_solidity_args_match_snarkjs_export_solidity_calldata(tiny_proof, tiny_vkey, snarkjs_node):
    calldata = snarkjs_node(tiny_vkey, [tiny_proof.to_snarkjs()])["calldata"][0]
    p_a, p_b, p_c, public = json.loads(f"[{calldata}]")
    expected = (
        [int(v, 16) for v in p_a],
        [[int(v, 16) for v in row] for row in p_b],
        [int(v, 16) for v in p_c],
        [int(v, 16) for v in public],
    )
    assert tiny_proof.solidity_args() == expected


def test_snarkjs_cli_fullprove_gives_a_valid_proof(tiny_keys_dir, tiny_vkey, node_modules):
    proof = snarkjs_cli_fullprove(
        tiny_keys_dir / "tiny.wasm", tiny_keys_dir / "tiny.zkey", {"a": 3, "b": 5, "c": 15}, node_modules=node_modules
    )
    assert proof.public_signals == (24, 15)
    assert verify(tiny_vkey, proof)


def test_snarkjs_cli_fullprove_reports_violated_constraint(tiny_keys_dir, node_modules):
    with pytest.raises(ProverError, match="violate the constraints"):
        snarkjs_cli_fullprove(
            tiny_keys_dir / "tiny.wasm", tiny_keys_dir / "tiny.zkey", {"a": 3, "b": 5, "c": 16}, node_modules=node_modules
        )

"""The Python commitment against the real mint circuit (skipped until the circuit is built)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from batterytrace.commitment import Opening, RiskFlag
from batterytrace.groth16 import load_verification_key, verify
from batterytrace.poseidon import poseidon
from batterytrace.prover import DEFAULT_KEYS_DIR, Prover

REPOSITORY = Path(__file__).resolve().parents[2]
_WASM_CANDIDATES = [DEFAULT_KEYS_DIR / "mint.wasm", REPOSITORY / "circuits" / "build" / "mint" / "mint_js" / "mint.wasm"]
MINT_WASM = next((path for path in _WASM_CANDIDATES if path.is_file()), None)
MINT_KEYS = all((DEFAULT_KEYS_DIR / f"mint.{ext}").is_file() for ext in ("wasm", "zkey", "vkey.json"))

OPENING = Opening(
    cobalt_grams=200_000,
    total_grams=1_000_000,
    certified_cobalt_grams=200_000,
    recycled_cobalt_grams=0,
    co2e_grams=4_500_000,
    risk_flags=RiskFlag.ARTISANAL,
    blinding=987654321987654321,
)


def mint_inputs(opening: Opening, commitment: int) -> dict[str, int]:
    return {
        "commitment": commitment,
        "certified": 1,
        "recycledOrigin": 0,
        "riskFlags": int(opening.risk_flags),
        "co2eFloorGramsPerKg": 10_000,
        "context": 42,
        "cobaltGrams": opening.cobalt_grams,
        "totalGrams": opening.total_grams,
        "certifiedCobaltGrams": opening.certified_cobalt_grams,
        "recycledCobaltGrams": opening.recycled_cobalt_grams,
        "co2eGrams": opening.co2e_grams,
        "lotRiskFlags": int(opening.risk_flags),
        "blinding": opening.blinding,
    }


@pytest.mark.skipif(MINT_WASM is None, reason="mint circuit not built yet")
def test_mint_circuit_accepts_python_commitment_and_rejects_another_order(run_node):
    values = list(OPENING.field_elements())
    swapped = values.copy()
    swapped[0], swapped[1] = swapped[1], swapped[0]
    cases = [mint_inputs(OPENING, OPENING.commitment), mint_inputs(OPENING, poseidon(swapped))]
    payload = {"wasm": str(MINT_WASM), "inputs": [{k: str(v) for k, v in case.items()} for case in cases]}
    honest, wrong_order = run_node("witness_helper.js", payload)
    assert honest == "ok"
    assert "Assert Failed" in wrong_order


@pytest.mark.skipif(not MINT_KEYS, reason="mint keys not generated yet")
def test_mint_proof_round_trip_verifies_and_tampering_fails():
    with Prover() as prover:
        proof = prover.prove("mint", mint_inputs(OPENING, OPENING.commitment))
    key = load_verification_key(DEFAULT_KEYS_DIR / "mint.vkey.json")
    assert proof.public_signals[0] == OPENING.commitment
    assert verify(key, proof) is True
    flipped = dataclasses.replace(proof, public_signals=(proof.public_signals[0] + 1, *proof.public_signals[1:]))
    assert verify(key, flipped) is False

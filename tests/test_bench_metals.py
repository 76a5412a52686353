"""bench/metals_inputs.py builds inputs the variant circuits of bench/metals_growth.py accept: the
twins' at three metals, and for the origin and pack-batch variants at one and three metals a witness
that passes the compiled variant's witness generator and its r1cs, with the public signals the
inputs lay out first. Nothing here times or sets up anything; a variant compiles once into
circuits/build/metals/ (under a minute each) and is reused while it is newer than circuits/lib."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import metals_growth  # noqa: E402
import metals_inputs  # noqa: E402


def _flat(value: object) -> list[int]:
    return [item for part in value for item in _flat(part)] if isinstance(value, list) else [int(value)]


def _strings(value: object) -> object:
    return [_strings(item) for item in value] if isinstance(value, list) else str(value)


def test_at_three_metals_the_builder_gives_the_twins_inputs():
    metals_inputs.check_against_twins()


def test_the_builder_refuses_a_metals_count_the_circuits_do_not_take():
    with pytest.raises(ValueError, match="1 to 3 metals"):
        metals_inputs.inputs("origin", 4)
    with pytest.raises(ValueError, match="no input builder"):
        metals_inputs.inputs("custody", 1)


@pytest.mark.parametrize("metals", [1, 2, 3])
def test_each_metals_count_gives_a_value_per_metal(metals):
    assert len(metals_inputs.inputs("origin", metals)["grams"]) == metals
    assert {len(row) for row in metals_inputs.inputs("pack_batch", metals)["grams"]} == {metals}
    assert {len(row) for row in metals_inputs.inputs("note_transform", metals)["outputGrams"]} == {metals}


@pytest.mark.parametrize(("circuit", "metals"), [("origin", 1), ("origin", 3), ("pack_batch", 1), ("pack_batch", 3)])
def test_the_compiled_variant_accepts_the_builders_inputs(circuit, metals):
    r1cs, wasm = metals_growth.compile_variant(circuit, metals)
    inputs = metals_inputs.inputs(circuit, metals)
    payload = {"wasm": str(wasm), "r1cs": str(r1cs), "inputs": [{k: _strings(v) for k, v in inputs.items()}]}
    completed = subprocess.run(["node", str(ROOT / "tests" / "circuits" / "witness.js")], input=json.dumps(payload),
                               capture_output=True, text=True, cwd=ROOT, check=True, timeout=300)
    (result,) = json.loads(completed.stdout)
    assert result["stage"] == "accepted", result["error"]
    signals = [int(signal) for signal in result["publicSignals"]]
    assert signals == _flat(list(inputs.values()))[:len(signals)]

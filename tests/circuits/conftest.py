"""Fixtures for the circuit tests: witness evaluation.

A witness is computed with snarkjs (`wtns calculate`, where the circuit's own asserts run) and then
checked against the compiled r1cs (`wtns check`). A cheating input must fail at one of the two.
One node process evaluates a whole batch, because node starts in about a second.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .lots import ROOT, Evaluation, compiled

HERE = Path(__file__).resolve().parent


def _node(script: str, payload: object) -> object:
    completed = subprocess.run(
        ["node", str(HERE / script)], input=json.dumps(payload), capture_output=True, text=True,
        cwd=ROOT, check=False, timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def _as_json(value: object) -> object:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    return value


@pytest.fixture(scope="session")
def evaluate() -> Callable[[str, list[dict[str, object]]], list[Evaluation]]:
    """Evaluates a batch of inputs for one circuit of the manifest (custody, origin, note_transform, pack_batch)."""

    def evaluate_all(circuit: str, inputs: list[dict[str, object]]) -> list[Evaluation]:
        wasm, r1cs = compiled(circuit)
        results = _node("witness.js", {"wasm": str(wasm), "r1cs": str(r1cs),
                                       "inputs": _as_json(inputs)})
        return [
            Evaluation(r["stage"], r["error"],
                       [int(s) for s in r["publicSignals"]] if r["publicSignals"] is not None else None)
            for r in results
        ]

    return evaluate_all

"""Baselines the benchmarks compare the SDK against: snarkjs's own command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from batterytrace.evm.toolchain import node_modules as locate_node_modules
from batterytrace.exceptions import ProverError
from batterytrace.zk.proof import Groth16Proof
from batterytrace.zk.prover import _explain_witness_error, _stringify_inputs


def snarkjs_cli_fullprove(
    wasm: str | os.PathLike[str],
    zkey: str | os.PathLike[str],
    inputs: Mapping[str, Any],
    *,
    node_modules: str | os.PathLike[str] | None = None,
) -> Groth16Proof:
    """Prove with ``npx snarkjs groth16 fullprove`` in a fresh process (a baseline for the worker)."""
    modules = Path(node_modules) if node_modules is not None else locate_node_modules()
    npx = shutil.which("npx")
    if npx is None:
        raise ProverError("npx not found on PATH")
    request_inputs = {str(name): _stringify_inputs(value, str(name)) for name, value in inputs.items()}
    with tempfile.TemporaryDirectory(prefix="batterytrace-fullprove-") as directory:
        work = Path(directory)
        (work / "input.json").write_text(json.dumps(request_inputs))
        command = [
            npx, "--no", "snarkjs", "groth16", "fullprove",
            str(work / "input.json"), str(Path(wasm).resolve()), str(Path(zkey).resolve()),
            str(work / "proof.json"), str(work / "public.json"),
        ]
        result = subprocess.run(command, cwd=modules.parent, capture_output=True, text=True)
        if result.returncode != 0 or not (work / "proof.json").is_file():
            output = (result.stderr + "\n" + result.stdout).splitlines()
            message = "\n".join(line for line in output if line.strip() and not line.startswith("npm warn"))[-2000:]
            raise ProverError(_explain_witness_error(Path(wasm).stem, message))
        proof = json.loads((work / "proof.json").read_text())
        public_signals = json.loads((work / "public.json").read_text())
    return Groth16Proof.from_snarkjs(proof, public_signals)

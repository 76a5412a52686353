"""Fixtures for the cryptography tests: Node helpers, and a tiny Groth16 circuit built per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

_SRC = Path(__file__).resolve().parents[2] / "src"
if str(_SRC) not in sys.path:  # running from a checkout without an installed package
    sys.path.insert(0, str(_SRC))

from batterytrace.evm.toolchain import node_modules as locate_node_modules
from batterytrace.zk.prover import Prover

HERE = Path(__file__).resolve().parent

TINY_CIRCUIT = """
pragma circom 2.1.6;

// Knowledge of a and b with a * b = c (public); outputs h = a^2 + c.
template Tiny() {
    signal input a;  // private
    signal input b;  // private
    signal input c;  // public
    signal output h; // public
    a * b === c;
    h <== a * a + c;
}

component main {public [c]} = Tiny();
"""


@pytest.fixture(scope="session")
def node_modules() -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    return locate_node_modules()


def _run_node(node_modules: Path, script: str, payload: Any) -> Any:
    """Run a helper script in this folder with ``payload`` as JSON on stdin; return its JSON output."""
    environment = dict(os.environ, NODE_PATH=str(node_modules))
    result = subprocess.run(
        ["node", str(HERE / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def run_node(node_modules: Path):
    """``run_node(script, payload)``: a helper script's JSON answer."""
    return lambda script, payload: _run_node(node_modules, script, payload)


@pytest.fixture(scope="session")
def snarkjs_node(node_modules: Path):
    """Call snarkjs itself: ``snarkjs_node(vkey, [(proof, public_signals), ...])``."""

    def call(vkey: dict, cases: list[tuple[dict, list[str]]]) -> dict:
        payload = {"vkey": vkey, "cases": [{"proof": p, "publicSignals": s} for p, s in cases]}
        return _run_node(node_modules, "snarkjs_helper.js", payload)

    return call


@pytest.fixture(scope="session")
def tiny_keys_dir(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """keys/tiny.{wasm,zkey,vkey.json} from a throwaway ceremony (seconds at 2^4 constraints)."""
    work = tmp_path_factory.mktemp("tiny-circuit")
    (work / "tiny.circom").write_text(TINY_CIRCUIT)
    bin_dir = node_modules / ".bin"

    def run(*command: str) -> None:
        subprocess.run(command, cwd=work, check=True, capture_output=True, timeout=120)

    snarkjs = str(bin_dir / "snarkjs")
    # circom2 runs under WASI and sees only the working directory, hence relative paths.
    run(str(bin_dir / "circom2"), "tiny.circom", "--O2", "--r1cs", "--wasm", "-o", ".")
    run(snarkjs, "powersoftau", "new", "bn128", "4", "pot0.ptau")
    run(snarkjs, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "-e=batterytrace tests")
    run(snarkjs, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau")
    run(snarkjs, "groth16", "setup", "tiny.r1cs", "pot.ptau", "tiny0.zkey")
    run(snarkjs, "zkey", "contribute", "tiny0.zkey", "tiny.zkey", "-e=batterytrace tests")
    keys = work / "keys"
    keys.mkdir()
    run(snarkjs, "zkey", "export", "verificationkey", "tiny.zkey", str(keys / "tiny.vkey.json"))
    shutil.copy(work / "tiny_js" / "tiny.wasm", keys / "tiny.wasm")
    shutil.copy(work / "tiny.zkey", keys / "tiny.zkey")
    return keys


@pytest.fixture(scope="session")
def tiny_prover(tiny_keys_dir: Path, node_modules: Path):
    with Prover(tiny_keys_dir, node_modules=node_modules) as prover:
        yield prover


@pytest.fixture(scope="session")
def tiny_vkey(tiny_keys_dir: Path) -> dict:
    return json.loads((tiny_keys_dir / "tiny.vkey.json").read_text())


@pytest.fixture(scope="session")
def tiny_proof(tiny_prover: Prover):
    """An honest proof of 3 * 5 = 15; public signals (h, c) = (24, 15)."""
    return tiny_prover.prove("tiny", {"a": 3, "b": 5, "c": 15})

"""Constants and the compiled circuits shared by the circuit tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# scripts/mutate_constraints.py points the circuit tests at a mutant's build with this variable.
MUTANT_BUILD = os.environ.get("BATTERYTRACE_CIRCUIT_BUILD")
BUILD = Path(MUTANT_BUILD) if MUTANT_BUILD else ROOT / "circuits" / "build"

FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617
TWO_64 = 1 << 64

CHILD_LABOUR = 1 << 0
ARTISANAL_SITE = 1 << 2
CONFLICT_AREA = 1 << 3


@dataclass(frozen=True)
class Evaluation:
    """What happened to one witness: accepted, or rejected at `calculate` or at `check`."""

    stage: str
    error: str | None
    public_signals: list[int] | None

    @property
    def accepted(self) -> bool:
        return self.stage == "accepted"


def compiled(circuit: str) -> tuple[Path, Path]:
    """The circuit's wasm and r1cs in circuits/build, compiling that circuit alone when absent."""
    directory = BUILD / circuit
    wasm = directory / f"{circuit}_js" / f"{circuit}.wasm"
    r1cs = directory / f"{circuit}.r1cs"
    if not (wasm.exists() and r1cs.exists()):
        if MUTANT_BUILD:
            raise FileNotFoundError(f"{directory} holds no compiled {circuit} (BATTERYTRACE_CIRCUIT_BUILD)")
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npx", "--no-install", "circom2", f"circuits/{circuit}.circom", "--O2", "--r1cs",
             "--wasm", "--sym", "-l", "node_modules", "-o", str(directory)],
            cwd=ROOT, check=True, capture_output=True, timeout=300,
        )
    return wasm, r1cs

"""The circuits compile, from the sources as they stand, to exactly the R1CS the committed keys were
set up on: the sha256 the ceremony transcript recorded for each circuit's .r1cs.

A zkey is bound to its circuit's constraints and wire numbering, so a refactoring of the circom
sources must leave the compiled R1CS byte for byte as it was, or the keys must be set up again.
Adding, removing or reordering a constraint, or renumbering a wire, changes the hash. The wire and
constraint counts are checked first, against the committed zkey and the manifest, so that a change
of shape says so before the hash does."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
from typing import Callable

import pytest

from .lots import ROOT

# The compile step of scripts/ceremony.sh, with the output folder left to the caller.
CEREMONY_FLAGS = ["--O2", "--r1cs", "--wasm", "--sym", "-l", "node_modules"]

MANIFEST = json.loads((ROOT / "circuits" / "manifest.json").read_text())["circuits"]
TRANSCRIPT = json.loads((ROOT / "circuits" / "ceremony" / "transcript.json").read_text())["circuits"]


def _sections(data: bytes, magic: bytes) -> dict[int, bytes]:
    """The sections of an iden3 binary file (.r1cs or .zkey) by type."""
    assert data[:4] == magic, f"not a {magic.decode()} file"
    (count,) = struct.unpack_from("<I", data, 8)
    sections: dict[int, bytes] = {}
    offset = 12
    for _ in range(count):
        kind, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        sections[kind] = data[offset:offset + size]
        offset += size
    return sections


def _r1cs_shape(r1cs: bytes) -> tuple[int, int, int]:
    """Wires, public signals (outputs and public inputs) and constraints of a compiled circuit."""
    header = _sections(r1cs, b"r1cs")[1]
    (field_size,) = struct.unpack_from("<I", header, 0)
    wires, outputs, public_inputs, _private_inputs, _labels, constraints = struct.unpack_from(
        "<IIIIQI", header, 4 + field_size)
    return wires, outputs + public_inputs, constraints


def _zkey_shape(zkey: bytes) -> tuple[int, int]:
    """Wires (nVars) and public signals the Groth16 key was set up for."""
    header = _sections(zkey, b"zkey")[2]
    (base_field_size,) = struct.unpack_from("<I", header, 0)
    (scalar_field_size,) = struct.unpack_from("<I", header, 4 + base_field_size)
    wires, public = struct.unpack_from("<II", header, 4 + base_field_size + 4 + scalar_field_size)
    return wires, public


@pytest.fixture(scope="module")
def compile_r1cs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], bytes]:
    """Compiles a circuit of the manifest as the ceremony does, once per module, returning its .r1cs.

    Not into circuits/build: the other circuit tests reuse whatever is there, which may predate the
    sources this test is about.
    """
    cache: dict[str, bytes] = {}

    def compile_one(circuit: str) -> bytes:
        if circuit not in cache:
            output = tmp_path_factory.mktemp(circuit)
            completed = subprocess.run(
                ["npx", "--no-install", "circom2", MANIFEST[circuit]["source"], *CEREMONY_FLAGS,
                 "-o", str(output)],
                cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
            )
            assert completed.returncode == 0, f"circom failed on {circuit}:\n{completed.stdout[-3000:]}"
            cache[circuit] = (output / f"{circuit}.r1cs").read_bytes()
        return cache[circuit]

    return compile_one


def test_the_flags_are_the_ceremonys() -> None:
    ceremony = (ROOT / "scripts" / "ceremony.sh").read_text()
    assert " ".join(CEREMONY_FLAGS[:4]) in ceremony and " ".join(CEREMONY_FLAGS[4:]) in ceremony


def test_the_transcript_records_an_r1cs_hash_for_every_circuit() -> None:
    assert set(TRANSCRIPT) == set(MANIFEST)
    for circuit, record in TRANSCRIPT.items():
        assert len(record["r1csSha256"]) == 64, circuit


@pytest.mark.parametrize("circuit", sorted(MANIFEST))
def test_the_sources_compile_to_the_r1cs_the_keys_were_set_up_on(
    circuit: str, compile_r1cs: Callable[[str], bytes]
) -> None:
    r1cs = compile_r1cs(circuit)
    wires, public, constraints = _r1cs_shape(r1cs)
    assert constraints == MANIFEST[circuit]["constraints"]
    assert (wires, public) == _zkey_shape((ROOT / MANIFEST[circuit]["zkey"]).read_bytes())

    digest = hashlib.sha256(r1cs).hexdigest()
    assert digest == TRANSCRIPT[circuit]["r1csSha256"], (
        f"{circuit}: the sources no longer compile to the R1CS the committed keys were set up on. "
        "If only the wire-to-label map (section 3) differs from the ceremony's build, the keys still "
        "fit but the transcript no longer describes the circuit; if the constraints (section 2) "
        f"differ, the zkey no longer fits and scripts/ceremony.sh {circuit} must run again."
    )

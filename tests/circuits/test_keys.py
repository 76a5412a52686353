"""The committed keys, verifiers and transcript agree with each other: what is committed is what the
ceremony's own export steps produce from the committed final zkeys."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from .lots import ROOT

CIRCUITS = {"custody": "CustodyVerifier", "origin": "OriginVerifier", "note_transform": "NoteTransformVerifier",
            "pack_batch": "PackBatchVerifier"}
PUBLIC_SIGNALS = {
    "custody": ["noteRoot", "nullifier", "outputCommitment", "participantsRoot", "operation", "context"],
    "origin": ["outputCommitment", "mintTag", "participantsRoot", "facilitiesRoot", "certificationsRoot", "proofTime",
               "typeFloors", "context"],
    "note_transform": ["noteRoot"] + [f"nullifiers[{i}]" for i in range(4)] + [f"outputCommitments[{i}]" for i in range(4)]
    + ["participantsRoot", "facilitiesRoot", "context"],
    "pack_batch": ["noteRoot", "participantsRoot", "issuer", "claims", "context"] + [f"packs[{i}]" for i in range(10)],
}
KEYS = ROOT / "src" / "batterytrace" / "keys"
VERIFIERS = ROOT / "contracts" / "verifiers"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_committed_verifier_is_the_export_of_the_committed_zkey(circuit: str, tmp_path: Path) -> None:
    exported = tmp_path / f"{CIRCUITS[circuit]}.sol"
    subprocess.run(
        ["scripts/export_verifier.sh", f"src/batterytrace/keys/{circuit}.zkey", CIRCUITS[circuit],
         str(exported)],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )
    assert exported.read_bytes() == (VERIFIERS / f"{CIRCUITS[circuit]}.sol").read_bytes()


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_committed_verification_key_is_the_export_of_the_committed_zkey(
    circuit: str, tmp_path: Path
) -> None:
    exported = tmp_path / "vkey.json"
    subprocess.run(
        ["npx", "--no-install", "snarkjs", "zkey", "export", "verificationkey",
         f"src/batterytrace/keys/{circuit}.zkey", str(exported)],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )
    assert _read_json(exported) == _read_json(KEYS / f"{circuit}.vkey.json")


def test_transcript_hashes_match_the_committed_files() -> None:
    transcript = _read_json(ROOT / "circuits" / "ceremony" / "transcript.json")
    expected = {
        f"src/batterytrace/keys/{circuit}.{kind}" for circuit in CIRCUITS
        for kind in ("wasm", "zkey", "vkey.json")
    } | {f"contracts/verifiers/{name}.sol" for name in CIRCUITS.values()}
    assert set(transcript["files"]) == expected
    for path, digest in transcript["files"].items():
        assert hashlib.sha256((ROOT / path).read_bytes()).hexdigest() == digest, path


def test_the_manifest_the_keys_and_the_verifiers_are_of_these_circuits_only() -> None:
    manifest = _read_json(ROOT / "circuits" / "manifest.json")
    assert set(manifest["circuits"]) == set(CIRCUITS)
    assert {path.name.split(".")[0] for path in KEYS.iterdir()} == set(CIRCUITS)
    assert {path.stem for path in VERIFIERS.glob("*.sol")} == set(CIRCUITS.values())


def test_transcript_says_the_keys_are_for_development() -> None:
    transcript = _read_json(ROOT / "circuits" / "ceremony" / "transcript.json")
    assert transcript["development"] is True
    for name in CIRCUITS.values():
        assert "DEVELOPMENT KEYS" in (VERIFIERS / f"{name}.sol").read_text().splitlines()[1]


@pytest.mark.parametrize("circuit", CIRCUITS)
def test_manifest_public_signals_are_in_contract_order(circuit: str) -> None:
    manifest = _read_json(ROOT / "circuits" / "manifest.json")
    entry = manifest["circuits"][circuit]
    assert entry["publicSignals"] == PUBLIC_SIGNALS[circuit]
    assert _read_json(KEYS / f"{circuit}.vkey.json")["nPublic"] == len(PUBLIC_SIGNALS[circuit])
    assert entry["constraints"] < 2 ** entry["ptauPower"]

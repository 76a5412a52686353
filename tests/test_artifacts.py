"""The ABIs, bytecode and verification files the SDK ships are what the committed sources compile to."""

from __future__ import annotations

from pathlib import Path

import pytest

from batterytrace.evm.artifacts import (
    SHIPPED_CONTRACTS,
    Compilation,
    artifact_json,
    compile_all,
    load,
    load_metadata,
    load_standard_input,
    standard_input_json,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fresh() -> Compilation:
    return compile_all()


def test_shipped_artifacts_match_a_fresh_build_of_the_sources(fresh):
    stale = [name for name in SHIPPED_CONTRACTS if artifact_json(fresh.artifacts[name]) != artifact_json(load(name))]
    assert stale == [], f"run `make artifacts`: {stale} differ from the sources"


def test_shipped_verification_files_match_a_fresh_build_of_the_sources(fresh):
    assert standard_input_json(load_standard_input()) == standard_input_json(fresh.standard_input), (
        "run `make artifacts`: verify/standard-input.json differs from the sources")
    stale = [name for name in SHIPPED_CONTRACTS if load_metadata(name) != fresh.metadata[name]]
    assert stale == [], f"run `make artifacts`: the metadata of {stale} differs from the sources"


def test_the_build_ships_no_benchmark_or_test_contract(fresh):
    assert set(fresh.artifacts) == set(SHIPPED_CONTRACTS)
    packages = ("node_modules/@openzeppelin/", "node_modules/@zk-kit/lean-imt.sol/", "node_modules/poseidon-solidity/")
    assert all(unit.startswith(("contracts/", *packages)) for unit in fresh.standard_input["sources"])
    abi = ROOT / "src" / "batterytrace" / "abi"
    assert {path.stem for path in abi.glob("*.json")} == set(SHIPPED_CONTRACTS)
    assert {path.name.removesuffix(".metadata.json") for path in (abi / "verify").glob("*.metadata.json")} == set(SHIPPED_CONTRACTS)


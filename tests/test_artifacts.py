"""The ABIs and bytecode the SDK ships are what the committed sources compile to."""

from __future__ import annotations

from batterytrace.artifacts import SHIPPED_CONTRACTS, artifact_json, compile_contracts, load


def test_shipped_artifacts_match_a_fresh_build_of_the_sources():
    fresh = compile_contracts()
    stale = [name for name in SHIPPED_CONTRACTS if artifact_json(fresh[name]) != artifact_json(load(name))]
    assert stale == [], f"run `make artifacts`: {stale} differ from the sources"

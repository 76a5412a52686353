"""The main job: the whole mine-to-passport flow, on the anvil it starts itself and on a hardhat
node, with the summary and the four files a user gets."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from batterytrace.demo import DemoSummary, run_demo
from batterytrace.documents.validation import validate_passport_document
from batterytrace.epcis import validate_epcis
from batterytrace.evm.node import free_port, rpc_ready
from batterytrace.evm.toolchain import project_root


@pytest.fixture(scope="module")
def anvil_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, Path]:
    out = tmp_path_factory.mktemp("demo-anvil")
    return run_demo(out, progress=False), out


def test_the_flow_meets_the_pilots_scale(anvil_run):
    summary, _out = anvil_run
    assert summary.lots >= 30
    assert summary.transformations >= 6
    assert summary.handovers >= 10
    assert summary.disputes == 1
    assert summary.proofs_verified_on_chain >= summary.lots - 2


def test_passing_off_uncertified_material_is_rejected_by_the_proofs(anvil_run):
    summary = anvil_run[0]
    assert len(summary.rejected_attempts) == 1
    assert "ProofInvalid" in summary.rejected_attempts[0]


def test_every_passport_reverifies_and_claims_full_traceability(anvil_run):
    summary = anvil_run[0]
    assert len(summary.passports) == 4
    for passport in summary.passports:
        assert passport.reverified_offchain
        assert passport.cobalt_grams == 5_250
        assert passport.origin_lots == 9
        assert passport.min_recycled_percent > 0


def test_the_four_files_are_written_and_valid(anvil_run):
    summary, out = anvil_run
    validate_passport_document(json.loads((out / "passport.json").read_text()))
    validate_epcis(json.loads((out / "epcis.jsonld").read_text()))
    assert "<html" in (out / "passport-page" / "index.html").read_text()
    assert Path(summary.files["genealogy_png"]).read_bytes().startswith(b"\x89PNG")
    assert "Pack" in Path(summary.files["genealogy_svg"]).read_text()


def test_the_summary_reads_in_seconds_and_as_json(anvil_run):
    summary = anvil_run[0]
    text = summary.render()
    assert "30 lots" in text and "re-verified off chain with py-ecc: yes" in text
    data = json.loads(json.dumps(summary.to_json()))
    assert data["passports"][0]["battery_id"].startswith("https://id.batterytrace.example/01/")
    assert data["illustrative"] is True


def test_the_demo_leaves_no_node_behind(anvil_run):
    summary = anvil_run[0]
    assert not rpc_ready(summary.rpc_url)


@pytest.fixture(scope="module")
def hardhat_node() -> Iterator[str]:
    port = free_port()
    environment = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    process = subprocess.Popen(
        [str(project_root() / "node_modules" / ".bin" / "hardhat"), "node", "--port", str(port)],
        cwd=project_root(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if rpc_ready(url, 0.5) or process.poll() is not None:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert rpc_ready(url), "the hardhat node did not start"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_same_flow_runs_on_a_hardhat_node(hardhat_node, tmp_path):
    summary = run_demo(tmp_path, rpc_url=hardhat_node, progress=False)
    assert summary.rpc_url == hardhat_node
    assert summary.lots >= 30
    assert all(passport.reverified_offchain for passport in summary.passports)

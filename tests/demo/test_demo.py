"""The main job: the whole mine-to-passport flow, on the anvil it starts itself (and, in `make audit`,
on a hardhat node), with the summary, the four files a user gets, and what a keyless observer links
after it, read before the run stops its node."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from batterytrace import cli
from batterytrace.demo import DemoSummary, run_demo
from batterytrace.demo import outputs as demo_outputs
from batterytrace.demo.steps import DemoRun
from batterytrace.documents.validation import validate_passport_document
from batterytrace.epcis import validate_epcis
from batterytrace.evm.node import free_port, rpc_ready
from batterytrace.evm.toolchain import project_root
from tests.helpers.observed import Story, json_exposures, json_pairs

#: The hardhat run repeats the whole flow on another node (minutes of proofs): `make audit` sets it.
ON_HARDHAT = os.environ.get("BATTERYTRACE_DEMO_ON_HARDHAT") == "1"


@pytest.fixture(scope="module")
def anvil_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, Path, Story, dict]:
    """The demo on the anvil it starts, with the story it told and the observer's JSON report."""
    out = tmp_path_factory.mktemp("demo-anvil")
    with pytest.MonkeyPatch.context() as patch:
        story, observed = record_the_story(patch, out / "deployment.json")
        summary = run_demo(out, progress=False)
    return summary, out, story, observed


def test_the_flow_meets_the_pilots_scale(anvil_run):
    summary = anvil_run[0]
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
        assert passport.metal("cobalt").grams == 5_250
        assert passport.metal("lithium").grams == 7_100
        assert passport.metal("nickel").grams == 42_000
        # Nine cobalt bags, the brine concentrate and the MHP (black mass counts among the nine).
        assert passport.origin_lots == 11
        for metal in ("cobalt", "lithium", "nickel"):
            # Every metal carries recycled grams from the recycler's black mass, split as audited.
            assert passport.metal(metal).min_pre_consumer_percent > 0
            assert passport.metal(metal).min_post_consumer_percent > 0


def test_the_four_files_are_written_and_valid(anvil_run):
    summary, out = anvil_run[:2]
    validate_passport_document(json.loads((out / "passport.json").read_text()))
    validate_epcis(json.loads((out / "epcis.jsonld").read_text()))
    assert "<html" in (out / "passport-page" / "index.html").read_text()
    assert Path(summary.files["genealogy_png"]).read_bytes().startswith(b"\x89PNG")
    assert "Pack" in Path(summary.files["genealogy_svg"]).read_text()


def test_the_summary_reads_in_seconds_and_as_json(anvil_run):
    summary = anvil_run[0]
    text = summary.render()
    assert "36 lots" in text and "re-verified off chain with py-ecc: yes" in text
    assert "lithium 7.10 kg" in text and "nickel 42.00 kg" in text
    data = json.loads(json.dumps(summary.to_json()))
    assert data["passports"][0]["battery_id"].startswith("https://id.batterytrace.example/01/")
    assert data["illustrative"] is True


def test_the_demo_leaves_no_node_behind(anvil_run):
    summary = anvil_run[0]
    assert not rpc_ready(summary.rpc_url)


def record_the_story(patch: pytest.MonkeyPatch, deployment_path: Path) -> tuple[Story, dict]:
    """Wrap the demo's steps so that what it does is recorded as it happens, each operation with the
    parties its transaction names in public and the public lot ids it touches; and save its public
    deployment file. On the shielded ledger, relayed, a material operation names no one and no lot.
    A passport's issuance names its issuer (the regulation's economic operator, public on the
    passport) and the passports of its batch; the batch's proof spends no note and names none, so it
    links the passports to no lot. The observer's
    report (``batterytrace observe --json``) fills the returned dict as the run ends."""
    story = Story()
    set_up, mint_bag, hand_over, transform, resolve = (DemoRun.set_up, DemoRun.mint_bag, DemoRun.hand_over,
                                                       DemoRun.transform, DemoRun.resolve)
    issue_passports = demo_outputs.issue_passports

    def recording_set_up(run: DemoRun) -> None:
        set_up(run)
        run.client("consortium").deployment.save(deployment_path)

    def recording_mint_bag(run: DemoRun, *args, **kwargs) -> int:
        tag = mint_bag(run, *args, **kwargs)
        story.did("shielded mint")
        return tag

    def recording_hand_over(run: DemoRun, *args, **kwargs) -> bool:
        accepted = hand_over(run, *args, **kwargs)
        story.did("shielded offer")
        story.did("shielded accept" if accepted else "shielded dispute")
        return accepted

    def recording_transform(run: DemoRun, *args, **kwargs):
        made = transform(run, *args, **kwargs)
        story.did("shielded transform")
        return made

    def recording_resolve(run: DemoRun, *args, **kwargs) -> None:
        resolve(run, *args, **kwargs)
        story.did("shielded deliver")

    def recording_issue(client, requests):
        issued = issue_passports(client, requests)
        for batch in sorted({item.batch for item in issued}):
            story.did("passport batch issuance", [client.address], [item.passport_id for item in issued if item.batch == batch])
        return issued

    def observing_exit(run: DemoRun, *exc: object) -> None:
        # The observer reads the node before the run stops it (and its relayer).
        if exc[0] is None:
            result = CliRunner().invoke(cli.main, ["observe", "--rpc", run.chain.rpc_url, "--deployment",
                                                   str(deployment_path), "--json"])
            assert result.exit_code == 0, result.output
            observed.update(json.loads(result.output))
        leave(run, *exc)

    observed: dict = {}
    leave = DemoRun.__exit__
    patch.setattr(DemoRun, "__exit__", observing_exit)
    patch.setattr(DemoRun, "set_up", recording_set_up)
    patch.setattr(DemoRun, "mint_bag", recording_mint_bag)
    patch.setattr(DemoRun, "hand_over", recording_hand_over)
    patch.setattr(DemoRun, "transform", recording_transform)
    patch.setattr(DemoRun, "resolve", recording_resolve)
    patch.setattr(demo_outputs, "issue_passports", recording_issue)
    return story, observed


def test_a_keyless_observer_after_the_demo_links_no_material_operation(anvil_run):
    summary, _out, story, data = anvil_run
    by_type = story.by_type
    # The recorded story is the one the demo's summary tells.
    assert by_type["shielded offer"][0] == summary.handovers
    assert by_type["shielded dispute"][0] == by_type["shielded deliver"][0] == summary.disputes
    assert by_type["shielded transform"][0] == summary.transformations
    assert by_type["shielded mint"][0] == 14  # the origin lots: the lots the transforms did not make
    assert by_type["passport batch issuance"][0] == 1 and len(summary.passports) == 4  # one batch of the four

    assert data["operations"]["byType"] == {name: {"total": total, "linked": linked} for name, (total, linked) in by_type.items()}
    material = {name: counts for name, counts in data["operations"]["byType"].items() if name.startswith("shielded")}
    assert sum(counts["total"] for counts in material.values()) == len(story.operations) - 1
    assert all(counts["linked"] == 0 for counts in material.values())
    # No pair of companies is seen together; the one company named is the passports' issuer, once
    # for their batch, with no lot created by any company in public.
    assert json_pairs(data) == story.pairs == {}
    assert json_exposures(data) == story.exposures
    (issuer,) = story.exposures
    assert story.exposures[issuer] == (1, {})


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


@pytest.fixture(scope="module")
def hardhat_run(hardhat_node: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, Story, dict]:
    """The demo on the hardhat node, with the story it told and the observer's report."""
    out = tmp_path_factory.mktemp("demo-hardhat")
    with pytest.MonkeyPatch.context() as patch:
        story, observed = record_the_story(patch, out / "deployment.json")
        summary = run_demo(out, rpc_url=hardhat_node, progress=False)
    return summary, story, observed


@pytest.mark.skipif(not ON_HARDHAT, reason="the hardhat run is in `make audit` (BATTERYTRACE_DEMO_ON_HARDHAT=1)")
def test_the_same_flow_runs_on_a_hardhat_node_and_the_observer_links_the_same(hardhat_run, hardhat_node, anvil_run):
    summary, story, observed = hardhat_run
    assert summary.rpc_url == hardhat_node
    assert summary.lots >= 30
    assert all(passport.reverified_offchain for passport in summary.passports)
    assert story.by_type == anvil_run[2].by_type
    assert observed["operations"] == anvil_run[3]["operations"]

"""The keyless observer (batterytrace.sdk.observer) against the sandbox world on a real anvil: the
deployment's shielded ledger, every operation relayed by an account that is no participant, links
none and ties no pair; another shielded ledger given to it is read the same way, and a step a
participant sends from its own account is linked to it. And `batterytrace observe`'s one-line
errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from batterytrace import cli
from batterytrace.evm.artifacts import load
from batterytrace.evm.node import free_port
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.sdk.observer import observe
from batterytrace.sdk.passports import issue_passports
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.merkle import LeanIMT
from tests.helpers.flows import build_pack, mint_at, request_for
from tests.helpers.observed import Story, report_exposures, report_pairs
from tests.helpers.shielded import CONTRACTS, Ledger, deploy_ledger, mint, step


def invoke(*arguments: str):
    return CliRunner().invoke(cli.main, ["observe", *arguments])


@pytest.fixture(scope="module")
def shipped() -> dict:
    # The shipped build, whose ABI the observer reads: the same bytecode an SDK deployment puts on chain.
    return {name: load(name) for name in CONTRACTS}


@pytest.fixture
def deployment_file(world, tmp_path):
    path = tmp_path / "deployment.json"
    world.deployment.save(path)
    return path


def test_the_deployments_ledger_links_no_material_operation_and_ties_no_pair(world, deployment_file):
    miner, refiner, auditor = world.miner, world.refiner, world.auditor
    story = Story()
    bag = mint_at(world, "miner", "OBS-A").lot_id
    story.did("shielded mint")
    miner.offer(bag, refiner.address)
    story.did("shielded offer")
    assert not refiner.accept(bag, 1_800_000).accepted
    story.did("shielded dispute")
    auditor.resolve_dispute(bag, DisputeOutcome.DELIVER_TO_RECEIVER, "re-weighing")
    story.did("shielded deliver")
    refiner.transform([bag], [OutputPlan("OBS-C", MaterialKind.CRUDE_COBALT_SULFATE, 695_000, 3_300_000)],
                      world.facilities["refiner"].facility_id, 10_000)
    story.did("shielded transform")

    report = observe(world.chain, world.deployment)
    assert report.contracts == {"registry": world.deployment.registry, "ledger": world.deployment.ledger,
                                "passport": world.deployment.passport}
    assert (report.total, report.linked) == (len(story.operations), 0)
    assert report.by_type == story.by_type
    assert (report.pairs, report.exposures) == ((), ())
    assert report_pairs(report) == story.pairs == {} and report_exposures(report) == story.exposures == {}
    assert all(item.lot_ids == () for item in report.operations)
    rendered = report.render()
    assert f"0 of {len(story.operations)} material operations" in rendered and "0 pairs" in rendered

    # The command line reads the same chain to the same report; naming the deployment's own ledger again changes nothing.
    result = invoke("--rpc", world.chain.rpc_url, "--deployment", str(deployment_file), "--json", "--ledger", world.deployment.ledger)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["toBlock"] >= report.to_block
    assert {key: value for key, value in data.items() if key != "toBlock"} == {
        key: value for key, value in json.loads(json.dumps(report.to_json())).items() if key != "toBlock"}


def test_a_passport_batch_shows_its_issuer_and_its_passports_and_ties_no_pair(world):
    """The issuer sends its batch from its own account, as the regulation names it: the batch is
    linked to it, and its passport ids (its packs' lot ids) are public; no ledger operation names a
    passport or its issuer, so the packs' suppliers stay unseen."""
    story = Story()
    for serial in ("OBS-P1", "OBS-P2"):
        build_pack(world, serial)
        story.did("shielded mint")
        story.did("shielded offer")
        story.did("shielded accept")
        story.did("shielded transform")
    issued = issue_passports(world.pack_maker, [request_for("OBS-P1"), request_for("OBS-P2")])
    passport_ids = tuple(item.passport_id for item in issued)
    story.did("passport batch issuance", [world.pack_maker.address], passport_ids)

    report = observe(world.chain, world.deployment)
    assert report.by_type == story.by_type and report.by_type["passport batch issuance"] == (1, 1)
    [batch] = [item for item in report.operations if item.operation == "passport batch issuance"]
    assert batch.lot_ids == passport_ids and batch.sender == world.pack_maker.address
    assert set(batch.links) == {world.pack_maker.address} and "sender" in batch.links[world.pack_maker.address]
    assert all(item.lot_ids == () for item in report.operations if item is not batch)
    assert report_pairs(report) == story.pairs == {}
    assert report_exposures(report) == story.exposures == {world.pack_maker.address: (1, {})}
    linked = report.to_json()["linkedOperations"]
    assert [item["lotIds"] for item in linked] == [[hex(passport_id) for passport_id in passport_ids]]


@pytest.fixture
def ledger(world, shipped) -> Ledger:
    contract, address = deploy_ledger(world, shipped)
    return Ledger(world, contract, address, world.stranger.signer, LeanIMT())


def test_a_relayed_shielded_ledger_links_nothing_but_a_step_from_a_participants_account_is_linked(ledger: Ledger):
    world = ledger.world
    assert not world.chain.call(world.miner.registry.functions.isParticipant(world.stranger.address))
    story = Story()
    note, _ = mint(ledger)
    story.did("shielded mint")
    offered, call = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    ledger.send(call, "offer")
    ledger.notes.insert(offered.commitment)
    story.did("shielded offer")
    accepted, call = step(ledger, offered, CustodyOperation.ACCEPT, world.refiner, evidence=b"w" * 32)
    ledger.send(call, "accept")
    ledger.notes.insert(accepted.commitment)
    story.did("shielded accept")

    report = observe(world.chain, world.deployment, [ledger.address])
    assert report.total == len(story.operations) == 3
    assert (report.linked, report.pairs, report.exposures) == (0, (), ())
    assert report.by_type == story.by_type
    assert report.contracts[f"ledger {ledger.address}"] == ledger.address
    assert "0 of 3" in report.render()

    # The refiner offers its note on from its own account: the sender is public, and it is linked.
    _, call = step(ledger, accepted, CustodyOperation.OFFER, world.refiner, receiver=world.cathode_maker)
    world.chain.transact(world.refiner.signer, call, "offer sent by the refiner itself")
    story.did("shielded offer", [world.refiner.address])
    report = observe(world.chain, world.deployment, [ledger.address])
    assert report.by_type == story.by_type
    assert report.linked == 1
    [linked] = [item for item in report.operations if item.linked]
    assert dict(linked.links) == {world.refiner.address: ("sender",)}
    assert report_exposures(report) == story.exposures == {world.refiner.address: (1, {})}
    assert report.pairs == ()


def test_observe_says_in_one_line_when_there_is_no_node(tmp_path):
    result = invoke("--rpc", f"http://127.0.0.1:{free_port()}", "--deployment", str(tmp_path / "none.json"))
    assert result.exit_code == 1
    assert result.output.startswith("error: no EVM node answers at http://127.0.0.1:") and result.output.count("\n") == 1


def test_observe_says_in_one_line_when_the_deployment_file_is_missing_or_wrong(world, tmp_path, deployment_file):
    missing = tmp_path / "missing.json"
    result = invoke("--rpc", world.chain.rpc_url, "--deployment", str(missing))
    assert (result.exit_code, result.output) == (1, f"error: no deployment at {missing}: run `batterytrace deploy` first\n")
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    result = invoke("--rpc", world.chain.rpc_url, "--deployment", str(broken))
    assert result.exit_code == 1 and result.output.startswith(f"error: {broken} is not a batterytrace deployment file")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(deployment_file.read_text().replace(f'"chain_id": {world.chain.chain_id}', '"chain_id": 1'))
    result = invoke("--rpc", world.chain.rpc_url, "--deployment", str(elsewhere))
    assert (result.exit_code, result.output) == (
        1, f"error: the deployment is on chain 1, the node at {world.chain.rpc_url} is chain {world.chain.chain_id}\n")


def test_observe_refuses_a_ledger_that_is_not_an_address_or_not_a_contract(world, deployment_file):
    arguments = ("--rpc", world.chain.rpc_url, "--deployment", str(deployment_file), "--ledger")
    result = invoke(*arguments, "0x1234")
    assert (result.exit_code, result.output) == (1, "error: '0x1234' is not an address\n")
    nobody = world.stranger.address
    result = invoke(*arguments, nobody)
    assert (result.exit_code, result.output) == (
        1, f"error: no ledger contract at {nobody} on chain {world.chain.chain_id}: is this the deployment's node?\n")

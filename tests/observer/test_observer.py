"""The keyless observer (batterytrace.sdk.observer) against the sandbox world on a real anvil: the
transparent lots contract links every operation to the companies it names, and the pairs follow
from the handovers; the shielded ledger, relayed by an account that is no participant, links none,
but a step a participant sends from its own account is linked to it. And `batterytrace observe`'s
one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from batterytrace import cli
from batterytrace.evm.artifacts import load
from batterytrace.evm.node import free_port
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.sdk.observer import observe
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.merkle import LeanIMT
from tests.helpers.flows import deliver, mint_at
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


def test_the_transparent_lots_link_every_operation_and_every_handover_pair(world, deployment_file):
    miner, artisanal, refiner, cathode, auditor = (world.miner, world.artisanal_miner, world.refiner, world.cathode_maker,
                                                   world.auditor)
    story = Story()
    bag = mint_at(world, "miner", "OBS-A").lot_id
    story.did("mint", [miner.address], [bag])
    small = mint_at(world, "artisanal_miner", "OBS-B", cobalt_grams=60_000, total_grams=200_000, co2e_grams=600_000).lot_id
    story.did("mint", [artisanal.address], [small])
    for lot_id in (bag, small):
        story.created_lot(miner.address if lot_id == bag else artisanal.address, MaterialKind.COBALT_HYDROXIDE.name)
    deliver(world, bag, "miner", "refiner")
    story.did("offer", [miner.address, refiner.address], [bag])
    story.did("accept", [miner.address, refiner.address], [bag])
    artisanal.offer(small, refiner.address)
    artisanal.cancel_offer(small)
    story.did("offer", [artisanal.address, refiner.address], [small])
    story.did("cancel", [artisanal.address, refiner.address], [small])
    deliver(world, small, "artisanal_miner", "refiner")
    story.did("offer", [artisanal.address, refiner.address], [small])
    story.did("accept", [artisanal.address, refiner.address], [small])
    (crude,) = refiner.transform([bag, small], [OutputPlan("OBS-C", MaterialKind.CRUDE_COBALT_SULFATE, 740_000, 3_500_000)],
                                 world.facilities["refiner"].facility_id, 10_000).output_lot_ids
    story.did("transform", [refiner.address], [bag, small, crude])
    story.created_lot(refiner.address, MaterialKind.CRUDE_COBALT_SULFATE.name)
    refiner.offer(crude, cathode.address)
    story.did("offer", [refiner.address, cathode.address], [crude])
    weighed = cathode.accept(crude, cathode.offered_opening(crude).total_grams * 9 // 10)
    assert not weighed.accepted
    story.did("dispute", [refiner.address, cathode.address], [crude])
    auditor.resolve_dispute(crude, DisputeOutcome.DELIVER_TO_RECEIVER, "re-weighing")
    # The resolution names the auditor and the new custodian; its ERC-721 transfer names the sender.
    story.did("resolve", [auditor.address, refiner.address, cathode.address], [crude])

    report = observe(world.chain, world.deployment)
    assert (report.total, report.linked) == (len(story.operations), len(story.operations))
    assert report.by_type == story.by_type
    assert report_pairs(report) == story.pairs
    # Who supplies whom: each handover's two companies, and the auditor with both sides of the dispute.
    assert {frozenset(pair) for pair in report_pairs(report)} == {
        frozenset(pair) for pair in ((miner.address, refiner.address), (artisanal.address, refiner.address),
                                     (refiner.address, cathode.address), (auditor.address, refiner.address),
                                     (auditor.address, cathode.address))}
    assert report_exposures(report) == story.exposures
    [transform] = [item for item in report.operations if item.operation == "transform"]
    assert set(transform.links[refiner.address]) >= {"sender", f"facility {world.facilities['refiner'].facility_id}"}
    assert "LEI-MINER" in report.render() and f"{len(story.operations)} of {len(story.operations)}" in report.render()

    # The command line reads the same chain to the same report.
    result = invoke("--rpc", world.chain.rpc_url, "--deployment", str(deployment_file), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["toBlock"] >= report.to_block
    assert {key: value for key, value in data.items() if key != "toBlock"} == {
        key: value for key, value in json.loads(json.dumps(report.to_json())).items() if key != "toBlock"}


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

"""The `batterytrace` command line against a real anvil, a real relayer and real proofs: what a
participant does by hand, on the shielded ledger, and one clear line for every error.

One module-scoped flow (`flow`) runs the material commands once, as each party would: the mine
mints a bag (twice: the same lot), offers it to the pack maker and cancels, offers again; the pack
maker weighs short and disputes, the auditor returns it; the mine offers once more and the pack
maker accepts, makes a pack of it and issues the pack's passport. The tests read what it printed
and ask the read commands about it, which prove nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import batterytrace.cli as cli
from batterytrace.cli import session as cli_session
from batterytrace.epcis import validate_epcis
from batterytrace.evm.chain import Chain
from batterytrace.evm.node import DEFAULT_MNEMONIC, LocalNode, free_port
from batterytrace.evm.signers import LocalSigner
from batterytrace.sdk.deployment import Deployment
from batterytrace.sdk.notes import NoteStore
from batterytrace.sdk.relayer import DEFAULT_RELAYER_DEV_ACCOUNT, stop_background
from batterytrace.zk.envelopes import public_key_from_private_key

ADMIN, AUDITOR, MINER, REFINER, PACK_MAKER = 0, 1, 2, 3, 4
BATTERY_ID = "https://id.example/01/09506000134352/21/CLI-1"


def address(index: int) -> str:
    return LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, index).address


def key_hex(index: int) -> str:
    return public_key_from_private_key(LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, index).private_key).hex()


def printed_keys(output: str) -> dict[str, str]:
    """What `keys` printed: one "name  value" line per key."""
    return {line.rsplit(maxsplit=1)[0].strip(): line.rsplit(maxsplit=1)[1] for line in output.strip().splitlines()}


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


class Invoker:
    """The CLI as `batterytrace --rpc NODE [--dev-account N] ...` in this process."""

    def __init__(self, rpc: str) -> None:
        self.rpc = rpc
        self.runner = CliRunner()

    def __call__(self, account: int | None, *arguments: str) -> Result:
        prefix = ["--rpc", self.rpc] + (["--dev-account", str(account)] if account is not None else [])
        return self.runner.invoke(cli.main, [*prefix, *arguments], catch_exceptions=False)

    def ok(self, account: int | None, *arguments: str) -> str:
        result = self(account, *arguments)
        assert result.exit_code == 0, result.output
        return result.output

    def json(self, account: int | None, *arguments: str) -> Any:
        return json.loads(self.ok(account, *arguments, "--json"))


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    with LocalNode() as running:
        yield running


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("batterytrace-home")


@pytest.fixture(scope="module")
def run(node: LocalNode, home: Path) -> Iterator[Invoker]:
    """The CLI with its state folder in the module's home (the module's node, relayer, deployment
    and note stores)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_session, "STATE_DIR", home)
        yield Invoker(node.url)


@pytest.fixture(scope="module")
def deployed(run: Invoker) -> dict[str, str]:
    """Deploy and register an auditor, a miner, a refiner and a pack maker through the CLI, once."""
    run.ok(ADMIN, "deploy")
    for index, role, name in ((AUDITOR, "AUDITOR", "Auditor Ltd"), (MINER, "MINER", "Mine SA"), (REFINER, "PROCESSOR", "Refinery Oy"),
                              (PACK_MAKER, "PACK_MAKER", "Packs GmbH")):
        # Each participant prints its public keys; the admin registers it with them.
        keys = printed_keys(run.ok(index, "keys"))
        run.ok(ADMIN, "register", address(index), "--role", role, "--legal-name", name, "--identifier", f"LEI{index:017d}",
               "--country", "CD", "--encryption-key", keys["encryption key"], "--shielding-key", keys["shielding key"])
    run.ok(ADMIN, "prefix", address(PACK_MAKER), "9506000")
    mine = run.ok(MINER, "facility", "register", "--type", "INDUSTRIAL_MINE", "--site-id", "TFM", "--country", "CD").split()[1]
    refinery = run.ok(REFINER, "facility", "register", "--type", "REFINERY", "--site-id", "KOKKOLA", "--country", "FI").split()[1]
    run.ok(AUDITOR, "certify", mine, "--scheme", "IRMA", "--days", "365", "--evidence", "audit report")
    packs = run.ok(PACK_MAKER, "facility", "register", "--type", "PACK_PLANT", "--site-id", "PACKS", "--country", "DE").split()[1]
    run.ok(AUDITOR, "facility", "activate", mine, "--evidence", "mine audit")
    run.ok(AUDITOR, "facility", "activate", refinery, "--evidence", "refinery audit", "--max-yield-loss-bps", "100")
    run.ok(AUDITOR, "facility", "activate", packs, "--evidence", "pack plant audit")
    run.ok(AUDITOR, "facility", "process", refinery, "--max-yield-loss-bps", "200")
    run.ok(AUDITOR, "facility", "process", packs, "--max-yield-loss-bps", "200")
    return {"mine": mine, "refinery": refinery, "packs": packs}


@pytest.fixture(scope="module")
def relayer(run: Invoker, deployed: dict[str, str], home: Path) -> Iterator[str]:
    """A background relayer started with `relayer start` (dev account 19), which every material
    command finds through the state folder; stopped with `relayer stop`."""
    started = run.ok(None, "relayer", "start", "--port", str(free_port()))
    try:
        yield started.split()[3]
    finally:
        assert run.ok(None, "relayer", "stop").startswith("stopped the relayer at ")
        stop_background(home)


def mint_bag(run: Invoker, deployed: dict[str, str], external_id: str) -> dict[str, Any]:
    return run.json(MINER, "mint", deployed["mine"], "--external-id", external_id, "--cobalt-grams", "5300",
                    "--total-grams", "15000", "--co2e-grams", "53000")


@pytest.fixture(scope="module")
def flow(run: Invoker, deployed: dict[str, str], relayer: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The module's one shielded flow (module docstring): ten proofs, each relayed. What the
    commands printed, and what the read commands and refusals said on the way."""
    seen: dict[str, Any] = {"minted": mint_bag(run, deployed, "CLI-BAG-1")}
    seen["minted_again"] = mint_bag(run, deployed, "CLI-BAG-1")
    bag = seen["minted"]["tag"]
    seen["offered"] = run.ok(MINER, "offer", bag, address(PACK_MAKER))
    seen["shown_offered"] = run.json(MINER, "lot", "show", bag)
    seen["listed_offered"] = run.json(PACK_MAKER, "lot", "list")
    seen["not_offered_by"] = run(PACK_MAKER, "cancel", bag)
    seen["not_held_by"] = run(MINER, "accept", bag, "--measured-grams", "15000")
    seen["cancelled"] = run.ok(MINER, "cancel", bag)
    run.ok(MINER, "offer", bag, address(PACK_MAKER))
    seen["disputed"] = run.ok(PACK_MAKER, "accept", bag, "--measured-grams", "14000", "--evidence", "weighbridge ticket 1")
    seen["returned"] = run.ok(AUDITOR, "resolve", bag, "--outcome", "RETURN_TO_SENDER", "--evidence", "audit of the weighing")
    seen["shown_returned"] = run.json(MINER, "lot", "show", bag)
    run.ok(MINER, "offer", bag, address(PACK_MAKER))
    seen["accepted"] = run.ok(PACK_MAKER, "accept", bag, "--measured-grams", "15010")
    seen["transformed"] = run.ok(PACK_MAKER, "transform", deployed["packs"], "--input", bag, "--output", f"{BATTERY_ID}:PACK:5250:450000",
                                 "--process-co2e-grams", "2000")
    pack = seen["transformed"].split("outputs ")[1].strip()
    seen["shown_pack"] = run.json(PACK_MAKER, "lot", "show", pack)
    seen["listed_by_miner"] = run.json(MINER, "lot", "list")
    document = tmp_path_factory.mktemp("passport") / "passport.public.json"
    document.write_text(json.dumps({"batteryIdentifier": BATTERY_ID}))
    seen["issued"] = run.ok(PACK_MAKER, "passport", "issue", "--battery-id", BATTERY_ID, "--document", str(document),
                            "--capacity-wh", "75000")
    return seen | {"bag": bag, "pack": pack, "document": document}


def test_help_lists_the_commands_a_participant_uses():
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "deploy", "node", "keys", "register", "certify", "mint", "offer", "cancel", "accept", "resolve",
                    "transform", "lot", "passport", "epcis", "relayer"):
        assert f"  {command}" in result.output
    assert "--relayer URL" in result.output


def test_mint_prints_the_tag_and_its_certified_cobalt_and_the_same_external_id_is_the_same_lot(flow):
    minted, again = flow["minted"], flow["minted_again"]
    assert minted["tag"].startswith("0x") and minted["created"] is True
    assert minted["certified_cobalt_grams"] == 5300  # the mine's IRMA certification
    assert again == minted | {"created": False}


def test_offer_cancel_dispute_return_and_accept_through_the_relayer(flow, run, node):
    bag = flow["bag"]
    assert flow["offered"].startswith(f"lot {bag} offered to {address(PACK_MAKER)} (transaction 0x")
    # While it is offered the note names the receiver as holder and the sender as counterparty.
    assert {key: flow["shown_offered"][key] for key in ("state", "holder", "counterparty")} == {
        "state": "OFFERED", "holder": address(PACK_MAKER), "counterparty": address(MINER)}
    assert [(item["tag"], item["state"]) for item in flow["listed_offered"]] == [(bag, "OFFERED")]
    assert flow["cancelled"].startswith(f"offer of lot {bag} cancelled: you hold it again")
    assert flow["disputed"].strip() == f"lot {bag} DISPUTED: weighed 14000 g against 15000 g committed (666 bps)"
    assert flow["returned"].startswith(f"dispute over lot {bag} resolved: RETURN_TO_SENDER (transaction 0x")
    assert (flow["shown_returned"]["state"], flow["shown_returned"]["holder"]) == ("ACTIVE", address(MINER))
    assert flow["accepted"].strip() == f"lot {bag} accepted: weighed 15010 g against 15000 g committed (6 bps)"
    assert flow["listed_by_miner"] == []
    # Every material operation came from the relayer's account, none from a participant's.
    steps = run.json(AUDITOR, "lot", "history", bag)
    w3 = Chain(node.url).w3
    assert {w3.eth.get_transaction(step["transaction"])["from"] for step in steps} == {address(DEFAULT_RELAYER_DEV_ACCOUNT)}


def test_refusals_on_the_way_are_one_clear_line(flow):
    bag = flow["bag"]
    assert one_error_line(flow["not_offered_by"]) == f"error: lot {bag} is not offered by {address(PACK_MAKER)}"
    assert one_error_line(flow["not_held_by"]) == f"error: lot {bag} is not held by {address(MINER)}"


def test_lot_show_and_history_as_each_party_sees_them(flow, run):
    bag, pack = flow["bag"], flow["pack"]
    shown = flow["shown_pack"]
    assert shown == shown | {"tag": pack, "kind": "PACK", "state": "ACTIVE", "cobalt_grams": 5250, "certified_cobalt_grams": 5250,
                             "recycled_cobalt_grams": 0, "total_grams": 450000, "co2e_grams": 53000 + 2000, "risk_flags": "NONE",
                             "holder": address(PACK_MAKER), "counterparty": None}
    # The passport spent no note: the pack (its lot id the passport id) is where it was.
    assert run.json(PACK_MAKER, "lot", "show", pack)["state"] == "ACTIVE"
    auditor = [step["operation"] for step in run.json(AUDITOR, "lot", "history", bag)]
    assert auditor == ["mint", "offer", "cancel", "offer", "dispute", "return", "offer", "accept", "transform"]
    assert [step["operation"] for step in run.json(PACK_MAKER, "lot", "history", pack)] == ["transform"]
    lines = run.ok(MINER, "lot", "history", bag).strip().splitlines()
    assert "mint" in lines[0] and f"holder {address(MINER)}" in lines[0]


def test_lot_genealogy_from_each_view(flow, run, deployed):
    bag, pack = flow["bag"], flow["pack"]
    nodes = run.json(AUDITOR, "lot", "genealogy", pack)
    assert [(node["lot_id"], node["depth"], node["kind"], node["parent_ids"]) for node in nodes] == [
        (pack, 0, "PACK", [bag]), (bag, 1, "COBALT_HYDROXIDE", [])]
    origin = nodes[1]
    assert (str(origin["facility_id"]), origin["creator"], origin["certified_schemes"]) == (deployed["mine"], address(MINER), ["IRMA"])
    # The pack maker saw the bag from the mine's offer on, not its mint: the bag is out of its view.
    assert [node["lot_id"] for node in run.json(PACK_MAKER, "lot", "genealogy", pack)] == [pack]
    assert run.ok(MINER, "lot", "genealogy", bag).strip().endswith("(origin)")


def test_epcis_export_writes_the_auditors_view_and_one_lots_history(flow, run, tmp_path):
    out = tmp_path / "notes.jsonld"
    assert run.ok(AUDITOR, "epcis", "export", "--from-block", "0", "--include-confidential", "--out", str(out)).endswith(
        f"events written to {out}\n")
    document = json.loads(out.read_text())
    validate_epcis(document)
    events = document["epcisBody"]["eventList"]
    assert events[0]["action"] == "ADD" and any(event["type"] == "TransformationEvent" for event in events)
    one = tmp_path / "bag.jsonld"
    assert run(MINER, "epcis", "export", "--lot", flow["bag"], "--out", str(one)).exit_code == 0
    lot_events = json.loads(one.read_text())["epcisBody"]["eventList"]
    validate_epcis(json.loads(one.read_text()))
    assert lot_events[0]["action"] == "ADD" and len(lot_events) < len(events)


def test_index_syncs_the_public_events_and_counts_the_ledgers_notes(flow, run, tmp_path):
    result = run(None, "index", "--database", str(tmp_path / "index.sqlite"), "--counts")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("indexed blocks ")
    # The flow's mint, seven custody steps (offer, cancel, offer, dispute, return, offer, accept),
    # and one 1-to-1 transform (the passport spends no note): what the public index can count, no more.
    assert lines[1] == "notes created 9, nullifiers spent 8"


def test_a_passport_issued_from_the_pack_note_shown_verified_updated_and_paged(flow, run, home, tmp_path):
    issued = flow["issued"]
    passport_id = issued.split()[1]
    assert f"issued for {BATTERY_ID} in batch 1: 5250 g cobalt traced, >= 100.00% certified" in issued
    shown = run.json(None, "passport", "show", passport_id)
    # The passport id is the pack's lot id (its tag), and the pack maker's store holds the pack's note unspent.
    assert int(passport_id, 16) == int(flow["pack"], 16)
    deployment = Deployment.load(home / "deployments" / "31337.json")
    store = NoteStore(home / "notes" / f"31337-{address(PACK_MAKER).lower()}.sqlite", 31337, str(deployment.ledger))
    pack_note = store.notes_with_tag(int(flow["pack"], 16))[-1]
    assert (shown["status"], shown["batch"], shown["battery_id"]) == ("ORIGINAL", 1, BATTERY_ID) and not pack_note.spent
    verified = run(None, "passport", "verify", passport_id)
    assert verified.exit_code == 0 and "VERIFIED" in verified.output
    assert run(PACK_MAKER, "passport", "status", passport_id, "REPURPOSED", "--evidence", "second life").exit_code == 0
    page = ["passport", "page", passport_id, "--document", str(flow["document"]), "--out", str(tmp_path / "page")]
    assert "needs its pack's whole genealogy" in one_error_line(run(PACK_MAKER, *page))
    assert run.ok(AUDITOR, *page).startswith("page written to ")
    html = (tmp_path / "page" / "index.html").read_text()
    assert "VERIFIED" in html and "CLI-1" in html and "traced to 1 origin lots" in html


@pytest.mark.parametrize("account, arguments, fragment", [
    (MINER, ["mint", "1", "--external-id", "X", "--cobalt-grams", "-5", "--total-grams", "10", "--co2e-grams", "1"], "cobalt_grams must be an integer number of grams"),
    (MINER, ["lot", "show", "0x1234"], "lot 0x1234 does not exist"),
    (MINER, ["lot", "genealogy", "0x1234"], "lot 0x1234 has no note this store's keys open"),
    (ADMIN, ["passport", "verify", "0x99"], "does not exist"),
    (MINER, ["offer", "0x1234", "0x0000000000000000000000000000000000000001"], "lot 0x1234 does not exist"),
    (AUDITOR, ["resolve", "0x1234", "--outcome", "RETURN_TO_SENDER"], "lot 0x1234 does not exist"),
    (REFINER, ["transform", "2", "--input", "0x1", "--output", "OUT:CRUDE_COBALT_SULFATE:1"], "is not EXTERNAL_ID:KIND:COBALT_GRAMS:TOTAL_GRAMS"),
    (REFINER, ["transform", "2", "--input", "0x1", "--output", "OUT:GOLD:1:2"], "'GOLD' is not a material kind"),
    (REFINER, ["transform", "2", "--input", "0x1", "--output", "OUT:PACK:1:two"], "are whole grams"),
    (ADMIN, ["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
             "--country", "Congo", "--encryption-key", "03" + "44" * 32, "--shielding-key", "12345"], "ISO 3166"),
    (ADMIN, ["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
             "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", "0xnot-hex"], "--shielding-key must be a decimal or 0x-hex"),
    (ADMIN, ["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
             "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", "0"], "not a non-zero BN254 field element"),
    (ADMIN, ["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
             "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", str(2**254)], "not a non-zero BN254 field element"),
    (ADMIN, ["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
             "--country", "CD", "--encryption-key", "zz", "--shielding-key", "1"], "--encryption-key must be hex"),
])
def test_errors_are_one_clear_line(run, deployed, relayer, account, arguments, fragment):
    assert fragment in one_error_line(run(account, *arguments))


def test_the_facility_types_offered_are_the_registrys():
    from batterytrace.cli.ledger import _FACILITY_TYPES
    from batterytrace.model.registry import FacilityType

    assert _FACILITY_TYPES == tuple(facility_type.name for facility_type in FacilityType)


def test_an_auditor_sets_a_recyclers_input_split_in_percent(run, deployed):
    recycler = 6
    keys = printed_keys(run.ok(recycler, "keys"))
    run.ok(ADMIN, "register", address(recycler), "--role", "RECYCLER", "--legal-name", "Recycling NV", "--identifier",
           f"LEI{recycler:017d}", "--country", "BE", "--encryption-key", keys["encryption key"], "--shielding-key", keys["shielding key"])
    site = run.ok(recycler, "facility", "register", "--type", "RECYCLER", "--site-id", "HOBOKEN", "--country", "BE").split()[1]
    run.ok(AUDITOR, "facility", "activate", site, "--evidence", "recycler audit")
    split = ["facility", "recycled-split", site, "--pre-consumer-percent"]
    assert run.ok(AUDITOR, *split, "12.5").strip() == (
        f"facility {site}: recycled input 12.50% pre-consumer, 87.50% post-consumer")
    assert "at most two decimals, got '12.345'" in one_error_line(run(AUDITOR, *split, "12.345"))
    assert "0 to 100 with at most two decimals, got '100.01'" in one_error_line(run(AUDITOR, *split, "100.01"))
    assert "must be a percentage such as 12.5, got 'half'" in one_error_line(run(AUDITOR, *split, "half"))
    assert "lacks AUDITOR_ROLE" in one_error_line(run(recycler, *split, "10"))
    assert one_error_line(run(AUDITOR, "facility", "recycled-split", deployed["refinery"], "--pre-consumer-percent", "10")) == (
        f"error: facility {deployed['refinery']} is a REFINERY, not a RECYCLER: only a recycler's input has a recycled split")
    brine = run.ok(MINER, "facility", "register", "--type", "BRINE_OPERATION", "--site-id", "ATACAMA", "--country", "CL").split()[1]
    assert one_error_line(run(AUDITOR, "certify", brine, "--scheme", "CIRAF")) == (
        "error: scheme CIRAF does not cover lithium, the metal of a BRINE_OPERATION")


def test_no_relayer_and_a_silent_one_are_one_clear_line(run, deployed, home, tmp_path, monkeypatch):
    deployment = Deployment.load(home / "deployments" / "31337.json")
    monkeypatch.setattr(cli_session, "STATE_DIR", tmp_path)
    deployment.save(tmp_path / "deployments" / "31337.json")
    offer = ["offer", "0x1234", address(PACK_MAKER)]
    assert one_error_line(run(MINER, *offer)) == f"error: {cli_session.NO_RELAYER}"
    silent = f"http://127.0.0.1:{free_port()}"
    assert one_error_line(run(MINER, "--relayer", silent, *offer)).startswith(f"error: no relayer answers at {silent}")
    before = tmp_path / "before-the-ledger.json"
    before.write_text(json.dumps({**deployment.__dict__, "lots": deployment.ledger}))
    assert one_error_line(run(MINER, "--deployment", str(before), "lot", "list")).startswith(
        f"error: {before} is not a batterytrace deployment file")


def test_keys_prints_the_keys_the_sdk_derives_and_a_taken_key_is_one_clear_line(run, deployed):
    from batterytrace.zk.shielding import SHIELDING_KEY_MESSAGE, ShieldingKeys

    miner = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, MINER)
    keys = printed_keys(run.ok(MINER, "keys"))
    assert keys == {"account": miner.address, "encryption key": "0x" + key_hex(MINER),
                    "shielding key": f"{ShieldingKeys.from_signature(miner.sign_message(SHIELDING_KEY_MESSAGE)).public_key:#066x}"}
    result = run(ADMIN, "register", address(9), "--role", "MINER", "--legal-name", "x", "--identifier", "y", "--country", "CD",
                 "--encryption-key", key_hex(9), "--shielding-key", str(int(keys["shielding key"], 16)))
    key = int(keys["shielding key"], 16)
    assert one_error_line(result) == f"error: the shielding key {key:#x} belongs to {miner.address}: each participant needs its own"


def test_a_missing_node_is_one_clear_line(home, monkeypatch):
    monkeypatch.setattr(cli_session, "STATE_DIR", home / "empty")
    result = CliRunner().invoke(cli.main, ["--dev-account", "0", "lot", "show", "1"])
    assert one_error_line(result) == "error: no node: pass --rpc URL or start one with `batterytrace node start`"

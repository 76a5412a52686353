"""The `batterytrace` command line against a real anvil: what a participant does by hand, and one
clear line for every error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import batterytrace.cli as cli
from batterytrace.cli import session as cli_session
from batterytrace.epcis import validate_epcis
from batterytrace.evm.node import DEFAULT_MNEMONIC, LocalNode
from batterytrace.evm.signers import LocalSigner
from batterytrace.zk.envelopes import public_key_from_private_key

ADMIN, AUDITOR, MINER, REFINER, PACK_MAKER = 0, 1, 2, 3, 4


@pytest.fixture(scope="module")
def node() -> Iterator[LocalNode]:
    with LocalNode() as running:
        yield running


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("batterytrace-home")


@pytest.fixture
def run(node: LocalNode, home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli_session, "STATE_DIR", home)
    runner = CliRunner()

    def invoke(account: int | None, *arguments: str):
        prefix = ["--rpc", node.url] + (["--dev-account", str(account)] if account is not None else [])
        return runner.invoke(cli.main, [*prefix, *arguments], catch_exceptions=False)

    return invoke


def key_hex(index: int) -> str:
    return public_key_from_private_key(LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, index).private_key).hex()


def address(index: int) -> str:
    return LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, index).address


def printed_keys(output: str) -> dict[str, str]:
    """What `keys` printed: one "name  value" line per key."""
    return {line.rsplit(maxsplit=1)[0].strip(): line.rsplit(maxsplit=1)[1] for line in output.strip().splitlines()}


@pytest.fixture(scope="module")
def deployed(node: LocalNode, home: Path) -> dict[str, str]:
    """Deploy and register an auditor, a miner and a refiner through the CLI, once."""
    import batterytrace.cli.session as module

    saved, module.STATE_DIR = module.STATE_DIR, home
    runner = CliRunner()

    def invoke(account: int, *arguments: str) -> str:
        result = runner.invoke(cli.main, ["--rpc", node.url, "--dev-account", str(account), *arguments], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    try:
        invoke(ADMIN, "deploy")
        for index, role, name in ((AUDITOR, "AUDITOR", "Auditor Ltd"), (MINER, "MINER", "Mine SA"), (REFINER, "PROCESSOR", "Refinery Oy"),
                                  (PACK_MAKER, "PACK_MAKER", "Packs GmbH")):
            # Each participant prints its public keys; the admin registers it with them.
            keys = printed_keys(invoke(index, "keys"))
            invoke(ADMIN, "register", address(index), "--role", role, "--legal-name", name, "--identifier", f"LEI{index:017d}",
                   "--country", "CD", "--encryption-key", keys["encryption key"], "--shielding-key", keys["shielding key"])
        invoke(ADMIN, "prefix", address(PACK_MAKER), "9506000")
        mine = invoke(MINER, "facility", "register", "--type", "INDUSTRIAL_MINE", "--site-id", "TFM", "--country", "CD")
        refinery = invoke(REFINER, "facility", "register", "--type", "REFINERY", "--site-id", "KOKKOLA", "--country", "FI")
        invoke(AUDITOR, "certify", mine.split()[1], "--scheme", "IRMA", "--days", "365", "--evidence", "audit report")
        packs = invoke(PACK_MAKER, "facility", "register", "--type", "PACK_PLANT", "--site-id", "PACKS", "--country", "DE")
        invoke(AUDITOR, "facility", "activate", mine.split()[1], "--evidence", "mine audit")
        invoke(AUDITOR, "facility", "activate", refinery.split()[1], "--evidence", "refinery audit", "--max-yield-loss-bps", "100")
        invoke(AUDITOR, "facility", "activate", packs.split()[1], "--evidence", "pack plant audit")
        invoke(AUDITOR, "facility", "process", refinery.split()[1], "--max-yield-loss-bps", "200")
        invoke(AUDITOR, "facility", "process", packs.split()[1], "--max-yield-loss-bps", "200")
        return {"mine": mine.split()[1], "refinery": refinery.split()[1], "packs": packs.split()[1]}
    finally:
        module.STATE_DIR = saved


def mint(run, deployed, external_id: str) -> str:
    result = run(MINER, "mint", deployed["mine"], "--external-id", external_id, "--cobalt-grams", "700000",
                 "--total-grams", "2000000", "--co2e-grams", "7000000", "--tag-id", f"SEAL-{external_id}", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["lot_id"]


def test_help_lists_the_commands_a_participant_uses():
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "deploy", "node", "keys", "register", "certify", "mint", "offer", "accept", "transform", "lot", "passport", "epcis"):
        assert f"  {command}" in result.output


def test_mint_prints_the_lot_and_its_certified_cobalt(run, deployed):
    result = run(MINER, "mint", deployed["mine"], "--external-id", "CLI-0001", "--cobalt-grams", "700000",
                 "--total-grams", "2000000", "--co2e-grams", "7000000", "--json")
    data = json.loads(result.output)
    assert data["created"] is True
    assert data["certified_cobalt_grams"] == 700000


def test_offer_accept_and_history_through_the_cli(run, deployed):
    lot_id = mint(run, deployed, "CLI-0002")
    assert run(MINER, "offer", lot_id, address(REFINER)).exit_code == 0
    accepted = run(REFINER, "accept", lot_id, "--measured-grams", "2000100")
    assert "accepted" in accepted.output
    shown = json.loads(run(None, "lot", "show", lot_id, "--json").output)
    assert shown["custodian"] == address(REFINER)
    assert shown["status"] == "ACTIVE"
    history = run(None, "lot", "history", lot_id).output
    assert "LotOffered" in history and "LotAccepted" in history


def test_transform_through_the_cli(run, deployed):
    lot_id = mint(run, deployed, "CLI-0003")
    run(MINER, "offer", lot_id, address(REFINER))
    run(REFINER, "accept", lot_id, "--measured-grams", "2000000")
    result = run(REFINER, "transform", deployed["refinery"], "--input", lot_id,
                 "--output", "CLI-CRUDE-1:CRUDE_COBALT_SULFATE:400000:1907000",
                 "--output", "CLI-CRUDE-2:CRUDE_COBALT_SULFATE:299000:1426000")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("transformation 1: outputs 0x")


def test_epcis_export_of_a_lot_validates_and_import_dry_run_plans_it(run, deployed, tmp_path):
    lot_id = mint(run, deployed, "CLI-0004")
    out = tmp_path / "lot.jsonld"
    assert run(MINER, "epcis", "export", "--lot", lot_id, "--include-confidential", "--out", str(out)).exit_code == 0
    document = json.loads(out.read_text())
    validate_epcis(document)
    assert document["epcisBody"]["eventList"][0]["action"] == "ADD"


@pytest.mark.parametrize("arguments, fragment", [
    (["mint", "1", "--external-id", "X", "--cobalt-grams", "-5", "--total-grams", "10", "--co2e-grams", "1"], "cobalt_grams"),
    (["lot", "show", "0x1234"], "does not exist"),
    (["passport", "verify", "0x99"], "does not exist"),
    (["offer", "0x1234", "0x0000000000000000000000000000000000000001"], "does not exist"),
    (["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
      "--country", "Congo", "--encryption-key", "03" + "44" * 32, "--shielding-key", "12345"], "ISO 3166"),
    (["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
      "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", "0xnot-hex"], "--shielding-key must be a decimal or 0x-hex"),
    (["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
      "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", "0"], "not a non-zero BN254 field element"),
    (["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
      "--country", "CD", "--encryption-key", "03" + "44" * 32, "--shielding-key", str(2**254)], "not a non-zero BN254 field element"),
    (["register", "0x0000000000000000000000000000000000000009", "--role", "MINER", "--legal-name", "x", "--identifier", "y",
      "--country", "CD", "--encryption-key", "zz", "--shielding-key", "1"], "--encryption-key must be hex"),
])
def test_errors_are_one_clear_line(run, deployed, arguments, fragment):
    result = run(ADMIN, *arguments)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert fragment in lines[0]


def test_keys_prints_the_keys_the_sdk_derives_and_a_taken_key_is_one_clear_line(run, deployed):
    from batterytrace.zk.shielding import SHIELDING_KEY_MESSAGE, ShieldingKeys

    miner = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, MINER)
    keys = printed_keys(run(MINER, "keys").output)
    assert keys == {"account": miner.address, "encryption key": "0x" + key_hex(MINER),
                    "shielding key": f"{ShieldingKeys.from_signature(miner.sign_message(SHIELDING_KEY_MESSAGE)).public_key:#066x}"}
    result = run(ADMIN, "register", address(9), "--role", "MINER", "--legal-name", "x", "--identifier", "y", "--country", "CD",
                 "--encryption-key", key_hex(9), "--shielding-key", str(int(keys["shielding key"], 16)))
    assert result.exit_code == 1
    key = int(keys["shielding key"], 16)
    assert result.output.strip() == f"error: the shielding key {key:#x} belongs to {miner.address}: each participant needs its own"


def test_a_missing_node_is_one_clear_line(home, monkeypatch):
    monkeypatch.setattr(cli_session, "STATE_DIR", home / "empty")
    result = CliRunner().invoke(cli.main, ["--dev-account", "0", "lot", "show", "1"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no node: pass --rpc URL or start one with `batterytrace node start`"


def test_a_passport_issued_shown_verified_updated_and_paged_through_the_cli(run, deployed, tmp_path):
    result = run(MINER, "mint", deployed["mine"], "--external-id", "CLI-PACK-ORE", "--cobalt-grams", "5300",
                 "--total-grams", "15000", "--co2e-grams", "53000", "--json")
    ore = json.loads(result.output)["lot_id"]
    run(MINER, "offer", ore, address(PACK_MAKER))
    run(PACK_MAKER, "accept", ore, "--measured-grams", "15000")
    made = run(PACK_MAKER, "transform", deployed["packs"], "--input", ore, "--output", "CLI-PACK-1:PACK:5250:450000")
    pack = made.output.split("outputs ")[1].strip()
    document = tmp_path / "passport.public.json"
    document.write_text(json.dumps({"batteryIdentifier": "https://id.example/01/09506000134352/21/CLI-1"}))
    issued = run(PACK_MAKER, "passport", "issue", pack, "--battery-id", "https://id.example/01/09506000134352/21/CLI-1",
                 "--document", str(document), "--document-uri", "https://passports.example/cli-1", "--capacity-wh", "75000")
    assert issued.exit_code == 0, issued.output
    passport_id = issued.output.split()[1]
    assert "5250 g cobalt traced" in issued.output
    shown = json.loads(run(None, "passport", "show", passport_id, "--json").output)
    assert shown["status"] == "ORIGINAL" and shown["pack_lot_id"] == int(pack, 16)
    verified = run(None, "passport", "verify", passport_id)
    assert verified.exit_code == 0 and "VERIFIED" in verified.output
    assert run(PACK_MAKER, "passport", "status", passport_id, "REPURPOSED", "--evidence", "second life").exit_code == 0
    page = run(None, "passport", "page", passport_id, "--document", str(document), "--out", str(tmp_path / "page"))
    assert page.exit_code == 0, page.output
    html = (tmp_path / "page" / "index.html").read_text()
    assert "VERIFIED" in html and "CLI-1" in html


def test_index_answers_the_genealogy_of_a_transformed_lot(run, deployed, tmp_path):
    lot_id = mint(run, deployed, "CLI-INDEX-1")
    run(MINER, "offer", lot_id, address(REFINER))
    run(REFINER, "accept", lot_id, "--measured-grams", "2000000")
    made = run(REFINER, "transform", deployed["refinery"], "--input", lot_id, "--output", "CLI-INDEX-OUT:CRUDE_COBALT_SULFATE:690000:3290000")
    output = made.output.split("outputs ")[1].strip()
    result = run(None, "index", "--database", str(tmp_path / "index.sqlite"), "--ancestors", output)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("indexed blocks ")
    assert f"{int(lot_id, 16):#x}" in result.output and "(origin)" in result.output

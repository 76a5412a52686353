"""Bad input: fuzzed SDK arguments, CLI command lines and EPCIS documents each end in a clear,
named error (a BatteryTraceError or ValueError, a one-line ``error:`` or click's usage error), never
a crash, a traceback or a state change: the ERP's SDK calls (src/batterytrace/sdk/ledger.py) refuse
before anything is proven or relayed. ``BATTERYTRACE_FUZZ_EXAMPLES`` sets the examples per test."""

from __future__ import annotations

import copy
import subprocess
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from batterytrace.cli import main
from batterytrace.epcis import MAX_DOCUMENT_BYTES, ImportResolver, plan_import
from batterytrace.exceptions import BatteryTraceError, EpcisError, LotStateError, ProofError, UnknownLotError
from batterytrace.model.lots import MaterialKind, OutputPlan
from tests.helpers.flows import PARTNER_MINT
from tests.helpers.hardening import FUZZ

# -- the SDK ------------------------------------------------------------------------------------------

BAD_GRAMS = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=2**64),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.none(),
    st.sampled_from([700_000.0, Decimal(700_000), "700000", b"700000", 600.5, [700_000]]),
)
GOOD = {"cobalt_grams": 700_000, "total_grams": 2_000_000, "co2e_grams": 7_000_000}


@FUZZ
@given(field=st.sampled_from(sorted(GOOD)), value=BAD_GRAMS)
def test_mint_with_a_quantity_that_is_not_whole_grams_is_refused_before_sending(world, field, value):
    block = world.chain.w3.eth.block_number
    with pytest.raises(ValueError, match=rf"^{field} must be an integer number of grams in 0\.\.2\^64-1, not "):
        world.miner.mint_origin(world.facilities["miner"].facility_id, "FUZZ", MaterialKind.COBALT_HYDROXIDE,
                                **{**GOOD, field: value})
    assert world.chain.w3.eth.block_number == block


@FUZZ
@given(cobalt=st.integers(min_value=2, max_value=2**64 - 1), data=st.data())
def test_mint_with_more_cobalt_than_mass_is_refused_before_sending(world, cobalt, data):
    total = data.draw(st.integers(min_value=0, max_value=cobalt - 1))
    block = world.chain.w3.eth.block_number
    with pytest.raises(ValueError, match=r"exceed its total_grams"):
        world.miner.mint_origin(world.facilities["miner"].facility_id, "FUZZ", MaterialKind.COBALT_HYDROXIDE,
                                cobalt_grams=cobalt, total_grams=total, co2e_grams=0)
    assert world.chain.w3.eth.block_number == block


BAD_EXTERNAL_IDS = st.one_of(
    st.text(min_size=32, max_size=40).filter(lambda text: len(text.encode()) > 31),
    st.just(""),
    st.integers(max_value=-1),
    st.integers(min_value=2**248),
)


@FUZZ
@given(external_id=BAD_EXTERNAL_IDS)
def test_an_external_id_that_is_no_field_element_is_refused_before_sending(world, external_id):
    block = world.chain.w3.eth.block_number
    with pytest.raises(ProofError, match="^an external id is "):
        world.miner.mint_origin(world.facilities["miner"].facility_id, external_id, MaterialKind.COBALT_HYDROXIDE, **GOOD)
    assert world.chain.w3.eth.block_number == block


@FUZZ
@given(measured=BAD_GRAMS.filter(lambda value: not isinstance(value, int) or isinstance(value, bool)))
def test_a_weighing_that_is_not_whole_grams_is_refused_before_sending(world, measured):
    with pytest.raises(ValueError, match="^the measured mass is an integer number of grams, not "):
        world.refiner.accept(1, measured)


@FUZZ
@given(lot_id=st.integers(min_value=0, max_value=2**256 - 1))
def test_operations_on_an_unknown_lot_name_it(world, lot_id):
    block = world.chain.w3.eth.block_number
    with pytest.raises(UnknownLotError, match=rf"lot {lot_id:#x} does not exist"):
        world.stranger.lot(lot_id)
    with pytest.raises(UnknownLotError, match=rf"lot {lot_id:#x} does not exist"):
        world.miner.offer(lot_id, world.refiner.address)
    with pytest.raises(UnknownLotError, match=rf"lot {lot_id:#x} does not exist"):
        world.refiner.accept(lot_id, 2_000_000)
    assert world.chain.w3.eth.block_number == block


@pytest.mark.parametrize("lot_id", [-1, 2**256, "0x01", 1.0, True])
def test_a_lot_id_outside_uint256_is_a_value_error(world, lot_id):
    plan = [OutputPlan("BAD-ID", MaterialKind.CRUDE_COBALT_SULFATE, 1, 2)]
    for operation in (lambda: world.stranger.lot(lot_id), lambda: world.miner.offer(lot_id, world.refiner.address),
                      lambda: world.refiner.transform([lot_id], plan, world.facilities["refiner"].facility_id)):
        with pytest.raises(ValueError, match="^a lot id is an integer in 0..2\\^256-1"):
            operation()


def test_a_transform_naming_an_input_twice_is_refused_before_sending(world):
    block = world.chain.w3.eth.block_number
    plan = [OutputPlan("TWICE", MaterialKind.CRUDE_COBALT_SULFATE, 1, 2)]
    with pytest.raises(LotStateError, match="cannot use the same input lot twice"):
        world.refiner.transform([7, 7], plan, world.facilities["refiner"].facility_id)
    assert world.chain.w3.eth.block_number == block


def test_a_material_kind_outside_the_enum_is_refused_before_proving(world):
    """An int is not a MaterialKind: it must be refused, not proven and then refused by the ledger."""
    site = world.facilities["miner"].facility_id
    block = world.chain.w3.eth.block_number
    with pytest.raises(ValueError, match="99 is not a valid MaterialKind"):
        world.miner.mint_origin(site, "BAD-KIND", 99, **GOOD)
    assert world.chain.w3.eth.block_number == block
    assert not world.miner.shielded.origin_minted(site, "BAD-KIND")


# -- the CLI ----------------------------------------------------------------------------------------

COMMANDS = [
    ["register"], ["facility", "register"], ["facility", "process"], ["facility", "risk"], ["certify"], ["mint"],
    ["offer"], ["cancel"], ["accept"], ["resolve"], ["transform"], ["lot", "list"], ["lot", "show"], ["lot", "history"],
    ["lot", "genealogy"], ["passport", "issue"], ["passport", "show"], ["passport", "verify"], ["passport", "status"],
    ["passport", "page"], ["epcis", "export"], ["epcis", "import"],
]
OPTIONS = ["--external-id", "--cobalt-grams", "--total-grams", "--co2e-grams", "--kind", "--role", "--legal-name",
           "--identifier", "--country", "--encryption-key", "--type", "--site-id", "--max-yield-loss-bps", "--scheme",
           "--days", "--input", "--output", "--measured-grams", "--tolerance-bps", "--evidence", "--outcome",
           "--process-co2e-grams", "--battery-id", "--document", "--capacity-wh", "--status", "--from-block",
           "--to-block", "--lot", "--out", "--json", "--dry-run"]
JUNK = ["-1", "0", "0x", "0xzz", "1e99", "nan", "-0", str(2**256), str(2**64), "COBALT", "MINER", "XX", "", " ",
        "\u2622", "../../etc/passwd", "{}", "[", "0x" + "ff" * 32, "0x" + "00" * 20, "CD", "1"]
# No NUL: a real command line cannot carry one (execve's arguments are C strings), and click's Path
# type lets os.stat's "embedded null byte" ValueError escape before our error handler runs.
TOKENS = st.one_of(st.sampled_from(OPTIONS), st.sampled_from(JUNK),
                   st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=16)
                   .filter(lambda text: text not in ("--help", "--version")))
ARGV = st.tuples(st.sampled_from(COMMANDS), st.lists(TOKENS, max_size=7)).map(lambda parts: [*parts[0], *parts[1]])


def assert_clean_failure(result, argv) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{argv!r} crashed") from result.exception
    assert "Traceback" not in result.output + result.stderr, argv
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, result.stderr)
    elif result.exit_code == 2:
        assert result.stderr.lstrip().startswith(("Usage:", "Error:")) and "Error:" in result.stderr, (argv, result.stderr)
    else:
        assert result.exit_code == 0, (argv, result.exit_code)


@FUZZ
@given(argv=ARGV)
def test_garbage_command_lines_without_a_node_end_in_one_error_line(argv):
    runner = CliRunner(mix_stderr=False, env={"BATTERYTRACE_RPC": None, "BATTERYTRACE_PRIVATE_KEY": None})
    with runner.isolated_filesystem():
        result = runner.invoke(main, argv)
    assert_clean_failure(result, argv)
    assert result.exit_code != 0, argv


@FUZZ
@given(argv=ARGV)
def test_garbage_command_lines_against_a_live_chain_change_nothing(world, tmp_path, argv):
    """Sent by an account with no role (anvil's account 10), so no command line may change state."""
    deployment_path = tmp_path / "deployment.json"
    if not deployment_path.exists():
        world.deployment.save(deployment_path)
    block = world.chain.w3.eth.block_number
    runner = CliRunner(mix_stderr=False, env={"BATTERYTRACE_RPC": None, "BATTERYTRACE_PRIVATE_KEY": None})
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, ["--rpc", world.chain.rpc_url, "--deployment", str(deployment_path),
                                      "--dev-account", "10", *argv])
    assert_clean_failure(result, argv)
    assert world.chain.w3.eth.block_number == block


# -- the EPCIS importer -----------------------------------------------------------------------------

RESOLVER = ImportResolver(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                          shielding_secret=0x5EC12E7, facility_glns={"5412345000013": 1})
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)


def partner_mint() -> dict:
    return copy.deepcopy(PARTNER_MINT)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


def planned_or_refused(doc) -> None:
    try:
        plan_import(doc, RESOLVER)
    except EpcisError:
        pass


@FUZZ
@given(doc=JSON_VALUES)
def test_arbitrary_json_is_refused_with_an_epcis_error(doc):
    with pytest.raises(EpcisError):
        plan_import(doc, RESOLVER)


@FUZZ
@given(data=st.data(), junk=JSON_VALUES)
def test_a_valid_document_with_one_field_replaced_by_junk_is_planned_or_refused(data, junk):
    doc = partner_mint()
    path = data.draw(st.sampled_from([path for path in paths(doc) if path]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = junk
    planned_or_refused(doc)


@FUZZ
@given(data=st.data())
def test_a_valid_document_with_one_field_removed_is_planned_or_refused(data):
    doc = partner_mint()
    path = data.draw(st.sampled_from([path for path in paths(doc) if path]))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    planned_or_refused(doc)


@FUZZ
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_malformed_json_text_is_refused_with_an_epcis_error(text):
    with pytest.raises(EpcisError):
        plan_import(text, RESOLVER)


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    huge = '{"type": "EPCISDocument", "junk": "' + "x" * MAX_DOCUMENT_BYTES + '"}'
    with pytest.raises(EpcisError, match="over the limit"):
        plan_import(huge, RESOLVER)


def test_moderately_nested_junk_is_refused_with_an_epcis_error():
    with pytest.raises(EpcisError):
        plan_import("[" * 5_000 + "]" * 5_000, RESOLVER)


def test_deeply_nested_junk_does_not_crash_the_importer():
    script = ("import batterytrace.epcis as e, batterytrace.exceptions as x\n"
              "r = e.ImportResolver(31337, '0x' + '11' * 20, '0x' + '22' * 20, 0x5EC12E7)\n"
              "try:\n    e.plan_import('[' * 100000 + ']' * 100000, r)\n"
              "except x.EpcisError:\n    print('refused')\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0 and completed.stdout.strip() == "refused", completed.returncode


def test_every_refusal_is_a_battery_trace_error():
    assert issubclass(EpcisError, BatteryTraceError) and issubclass(EpcisError, ValueError)

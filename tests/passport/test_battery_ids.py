"""Issue 13, finding 2: battery ids belong to the operator whose company prefix they fall under.

A pack maker or OEM could issue a passport under a rival's serial number (backed by its own pack)
and lock the rival out of its battery. Now the registry records which GS1 company prefixes and
ISO/IEC 15459 issuer codes each operator owns, set by the admin and kept prefix-free, and
``BatteryPassport`` issues only under the issuer's own prefixes. Each refusal is sent by hand to
the contract (the SDK's pre-check never runs) and must revert with its error; the SDK's typed
error is checked apart. The Python twin of the parsing must say what ``BatteryIds`` says.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from web3.exceptions import ContractCustomError, ContractLogicError

from batterytrace.evm.reverts import revert_data
from batterytrace.exceptions import (
    BatteryIdNotOwnedError,
    CompanyPrefixConflictError,
    CompanyPrefixNotHeldError,
    InvalidCompanyPrefixError,
    MalformedBatteryIdError,
    MissingRoleError,
    PrefixOwnerNotIssuerError,
    RevertedError,
)
from batterytrace.model.battery_ids import PrefixKind, gs1_digital_link, gtin_check_digit, parse_battery_id
from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.sdk.passports import PassportRequest, get_passport, issue_passports
from tests.conftest import isolated
from tests.helpers.flows import CAPACITY_WH, battery_id, build_pack, deliver, mint_at, request_for
from tests.helpers.hardening import FUZZ, plain
from tests.helpers.sandbox import COMPANY_PREFIXES

GS1 = int(PrefixKind.GS1_COMPANY_PREFIX)
ISO = int(PrefixKind.ISO15459_ISSUER_CODE)
DEMO_ID = "https://id.batterytrace.example/01/09506000134352/21/PK75-000001"


def chain_error(world, function, sender: str) -> str | None:
    """The custom error ``function`` reverts with when ``sender`` calls it, None when it succeeds."""
    try:
        function.call({"from": sender})
    except (ContractCustomError, ContractLogicError) as error:
        return world.chain.errors.error_name(revert_data(error))
    return None


def send_by_hand(world, who: str, function, description: str) -> RevertedError:
    """Send ``function`` from ``who`` straight to the chain (no SDK pre-check) and return its revert."""
    with pytest.raises(RevertedError) as raised:
        world.chain.transact(world.clients[who].signer, function, description)
    return raised.value


def pack_held_by_oem(world, battery: str) -> int:
    """A pack the OEM made under ``battery`` (its output id), from a mine's bag."""
    bag = mint_at(world, "miner", f"OEM-{passport_id_for(battery) % 10**9}-ORE", cobalt_grams=5_300, total_grams=15_000,
                  co2e_grams=53_000)
    deliver(world, bag.lot_id, "miner", "oem")
    return world.oem.transform([bag.lot_id], [OutputPlan(battery, MaterialKind.PACK, 5_250, 450_000)],
                               world.facilities["oem"].facility_id, process_co2e_grams=2_000).output_lot_ids[0]


NOBODYS = gs1_digital_link("id.example", "0400000000001", "X-1")  # prefix 400000... is no one's


@pytest.fixture(scope="module")
def packs(session_world) -> Iterator[dict[str, int]]:
    """Pack lots made under the batteries' ids, for the module (each test reverts what it does with
    them): the pack maker's, and the OEM's under a serial of the pack maker's and one of its own."""
    with isolated(session_world) as world:
        made = {serial: build_pack(world, serial) for serial in ("RIVAL-0001", "HOSTS-1", "REL-1")}
        made["squat"] = pack_held_by_oem(world, battery_id("RIVAL-0001", issuer="pack_maker"))
        made["oem"] = pack_held_by_oem(world, battery_id("OEM-0001", issuer="oem"))
        made["nobody"] = build_pack_under(world, NOBODYS)
        yield made


def build_pack_under(world, battery: str) -> int:
    """A pack the pack maker made under ``battery``, whatever prefix it falls under."""
    bag = mint_at(world, "miner", "NOBODY-ORE", cobalt_grams=5_300, total_grams=15_000, co2e_grams=53_000)
    deliver(world, bag.lot_id, "miner", "pack_maker")
    return world.pack_maker.transform([bag.lot_id], [OutputPlan(battery, MaterialKind.PACK, 5_250, 450_000)],
                                      world.facilities["pack_maker"].facility_id, process_co2e_grams=2_000).output_lot_ids[0]


def issue_call(world, batch_arguments, who: str, batteries: list[str]):
    """``issueBatch`` for ``batteries`` with an honest batch proof of ``who``'s packs, built by hand."""
    return world.clients[who].passports.functions.issueBatch(*batch_arguments(who, batteries=batteries))


# -- the reproducing test ---------------------------------------------------------------------------


def test_a_rivals_serial_cannot_be_squatted_and_its_owner_issues_it(world, packs, batch_arguments):
    rival_battery = battery_id("RIVAL-0001", issuer="pack_maker")
    # The OEM made a clean pack under the rival's id and proves honest claims for it; only the battery id is not its own.
    revert = send_by_hand(world, "oem", issue_call(world, batch_arguments, "oem", [rival_battery]), "squat")
    assert revert.error_name == "PassportBatteryIdNotOwned"
    assert revert.arguments["batteryId"] == rival_battery
    assert revert.arguments["issuer"].lower() == world.oem.address.lower()
    assert revert.arguments["owner"].lower() == world.pack_maker.address.lower()
    with pytest.raises(BatteryIdNotOwnedError, match="falls under a prefix of") as refused:
        issue_passports(world.oem, [PassportRequest(rival_battery, bytes(32), CAPACITY_WH)])
    assert refused.value.revert is None and refused.value.owner == world.pack_maker.address

    (issued,) = issue_passports(world.pack_maker, [request_for("RIVAL-0001")])
    assert get_passport(world.stranger, issued.passport_id).economic_operator == world.pack_maker.address
    # The OEM still issues under its own prefix, from a pack made under its own battery's id.
    (own,) = issue_passports(world.oem, [request_for("OEM-0001", issuer="oem")])
    assert get_passport(world.stranger, own.passport_id).status is PassportStatus.ORIGINAL


def test_an_id_under_no_assigned_prefix_and_a_malformed_id_are_refused(world, packs, batch_arguments):
    request, entries, proof = batch_arguments("pack_maker", batteries=[NOBODYS])
    passports = world.pack_maker.passports.functions
    revert = send_by_hand(world, "pack_maker", passports.issueBatch(request, entries, proof), "unowned")
    assert revert.error_name == "PassportBatteryIdNotOwned" and int(revert.arguments["owner"], 16) == 0
    with pytest.raises(BatteryIdNotOwnedError, match="no assigned company prefix"):
        issue_passports(world.pack_maker, [PassportRequest(NOBODYS, bytes(32), CAPACITY_WH)])

    malformed = "https://id.example/01/00614141000013/21/X-1"  # wrong check digit
    revert = send_by_hand(world, "pack_maker", passports.issueBatch(request, [(malformed, *entries[0][1:])], proof), "malformed")
    assert revert.error_name == "PassportMalformedBatteryId"
    with pytest.raises(MalformedBatteryIdError, match="check digit should be 2"):
        issue_passports(world.pack_maker, [PassportRequest(malformed, bytes(32), CAPACITY_WH)])


def test_the_same_battery_under_another_resolver_host_is_the_same_passport(world, packs):
    first = battery_id("HOSTS-1")
    (issued,) = issue_passports(world.pack_maker, [request_for("HOSTS-1")])
    second = first.replace("id.batterytrace.example", "brand.example")
    assert passport_id_for(second) == passport_id_for(first)
    # The issuing call again, word for word but for the host: the battery has its passport already.
    passports = world.pack_maker.passports
    _function, arguments = passports.decode_function_input(world.chain.w3.eth.get_transaction(issued.receipt.transaction_hash)["input"])
    entries = [plain({**entry, "batteryId": second}) for entry in arguments["entries"]]
    revert = send_by_hand(world, "pack_maker", passports.functions.issueBatch(plain(arguments["request"]), entries,
                                                                                plain(arguments["proof"])), "same battery")
    assert revert.error_name == "PassportAlreadyIssued" and revert.arguments["passportId"] == issued.passport_id


def test_a_released_prefix_issues_nothing_until_assigned_again(world, packs):
    prefix = COMPANY_PREFIXES["pack_maker"]
    world.admin.release_company_prefix(world.pack_maker.address, prefix)
    assert world.stranger.battery_id_owner(battery_id("REL-1")) is None
    with pytest.raises(BatteryIdNotOwnedError):
        issue_passports(world.pack_maker, [request_for("REL-1")])
    world.admin.assign_company_prefix(world.oem.address, prefix)
    assert world.stranger.battery_id_owner(battery_id("REL-1")) == world.oem.address


# -- the registry's prefixes ------------------------------------------------------------------------


def test_the_world_assigns_each_issuer_its_prefix(world):
    for name, prefix in COMPANY_PREFIXES.items():
        assert world.stranger.prefix_owner(prefix) == world.clients[name].address
        assert world.stranger.battery_id_owner(battery_id("W-1", issuer=name)) == world.clients[name].address
    assert world.stranger.prefix_owner(COMPANY_PREFIXES["oem"], PrefixKind.ISO15459_ISSUER_CODE) is None


@pytest.mark.parametrize("prefix, error, holder", [
    ("06141412", "RegistryPrefixTaken", "pack_maker"),  # extends the pack maker's 0614141
    ("0614141", "RegistryPrefixTaken", "pack_maker"),  # the pack maker's own
    ("061414", "RegistryPrefixExtended", None),  # the pack maker's 0614141 extends it
])
def test_assigned_prefixes_stay_prefix_free(world, prefix, error, holder):
    registry = world.admin.registry.functions
    revert = send_by_hand(world, "admin", registry.assignCompanyPrefix(world.oem.address, GS1, prefix), "overlap")
    assert revert.error_name == error
    if holder:
        assert revert.arguments["holder"].lower() == world.clients[holder].address.lower()
    if holder:  # the SDK sees a shorter or equal assigned prefix before sending
        with pytest.raises(CompanyPrefixConflictError, match="overlaps a prefix") as refused:
            world.admin.assign_company_prefix(world.oem.address, prefix)
        assert refused.value.revert is None
    else:  # a longer assigned one only the chain sees: the revert comes back typed
        with pytest.raises(CompanyPrefixConflictError, match="RegistryPrefixExtended") as refused:
            world.admin.assign_company_prefix(world.oem.address, prefix)
        assert refused.value.revert is not None and refused.value.holder is None


def test_an_iso_15459_issuer_code_owns_the_ids_that_start_with_it(world):
    world.admin.assign_company_prefix(world.oem.address, "QBT7X", PrefixKind.ISO15459_ISSUER_CODE)
    assert world.stranger.battery_id_owner("QBT7XPACK-000042") == world.oem.address
    assert world.stranger.battery_id_owner("QBT7") is None  # the code alone is no battery
    assert world.stranger.battery_id_owner("QBT8XPACK-000042") is None
    registry = world.admin.registry.functions
    assert chain_error(world, registry.assignCompanyPrefix(world.pack_maker.address, ISO, "QBT7XP"), world.admin.address) == "RegistryPrefixTaken"
    # The same characters as a GS1 prefix are another system's: no overlap across kinds.
    assert chain_error(world, registry.assignCompanyPrefix(world.pack_maker.address, GS1, "950600"), world.admin.address) == "RegistryPrefixExtended"
    assert chain_error(world, registry.assignCompanyPrefix(world.pack_maker.address, ISO, "QBX"), world.admin.address) is None


@pytest.mark.parametrize("kind, prefix", [
    (GS1, "12345"), (GS1, "1234567890123"), (GS1, "12345A"), (GS1, ""),
    (ISO, "QB"), (ISO, "QBT7X1234567A"), (ISO, "1QBT"), (ISO, "qbt7"), (ISO, "QB-T"),
])
def test_a_prefix_not_of_its_kinds_form_is_refused(world, kind, prefix):
    registry = world.admin.registry.functions
    assert chain_error(world, registry.assignCompanyPrefix(world.oem.address, kind, prefix), world.admin.address) == "RegistryInvalidPrefix"
    with pytest.raises(InvalidCompanyPrefixError):
        world.admin.assign_company_prefix(world.oem.address, prefix, PrefixKind(kind))


def test_only_the_admin_assigns_and_only_to_pack_makers_and_oems(world):
    registry = world.admin.registry.functions
    assign = registry.assignCompanyPrefix(world.oem.address, GS1, "4012345")
    assert chain_error(world, assign, world.pack_maker.address) == "AccessControlUnauthorizedAccount"
    with pytest.raises(MissingRoleError):
        world.pack_maker.assign_company_prefix(world.oem.address, "4012345")
    for name in ("refiner", "recycler", "stranger", "authority"):
        to_other = registry.assignCompanyPrefix(world.clients[name].address, GS1, "4012345")
        assert chain_error(world, to_other, world.admin.address) == "RegistryPrefixOwnerNotIssuer"
        with pytest.raises(PrefixOwnerNotIssuerError):
            world.admin.assign_company_prefix(world.clients[name].address, "4012345")
    world.admin.revoke_participant(world.oem.address)
    assert chain_error(world, assign, world.admin.address) == "RegistryPrefixOwnerNotIssuer"


def test_a_prefix_is_released_only_by_the_admin_and_only_from_its_holder(world):
    registry = world.admin.registry.functions
    prefix = COMPANY_PREFIXES["pack_maker"]
    release = registry.releaseCompanyPrefix(world.oem.address, GS1, prefix)
    revert = send_by_hand(world, "admin", release, "release another's")
    assert revert.error_name == "RegistryPrefixNotHeld"
    assert revert.arguments["holder"].lower() == world.pack_maker.address.lower()
    with pytest.raises(CompanyPrefixNotHeldError, match="does not hold"):
        world.admin.release_company_prefix(world.oem.address, prefix)
    own = registry.releaseCompanyPrefix(world.pack_maker.address, GS1, prefix)
    assert chain_error(world, own, world.pack_maker.address) == "AccessControlUnauthorizedAccount"
    receipt = world.admin.release_company_prefix(world.pack_maker.address, prefix)
    (event,) = world.admin.events(receipt, world.admin.registry, "CompanyPrefixReleased")
    assert (event["args"]["operator"], event["args"]["prefix"]) == (world.pack_maker.address, prefix)
    # Released, its shorter and longer neighbours are free again.
    assert chain_error(world, registry.assignCompanyPrefix(world.oem.address, GS1, "061414"), world.admin.address) is None
    assert chain_error(world, registry.assignCompanyPrefix(world.oem.address, GS1, "06141412"), world.admin.address) is None


# -- the Python twin says what BatteryIds says ------------------------------------------------------

VALID = [
    DEMO_ID,
    battery_id("battery-0001"),
    "https://a/01/09506000134352/21/x",
    "https://id.gs1.org/01/09506000134352/21/Ab.9_-z",
    "https://id.example/01/09506000134352/21/" + "S" * 20,
    "QBT7XPACK-000042",
    "QBT7",
    "UN123456789.A-1",
    "Q" * 50,
]
MALFORMED = [
    "", "battery-0001", "http://id.example/01/09506000134352/21/X", "https://ID.example/01/09506000134352/21/X",
    "https:///01/09506000134352/21/X", "https://id.example/01/9506000134352/21/X", "https://id.example/01/09506000134353/21/X",
    "https://id.example/01/09506000134352/21/", "https://id.example/01/09506000134352/21/" + "S" * 21,
    "https://id.example/01/09506000134352/21/X%20Y", "https://id.example/01/09506000134352/21/X/Y",
    "https://id.example/01/09506000134352/21/X?q=1", "https://id.example/path/01/09506000134352/21/X",
    "https://id.example/01/09506000134352/10/LOT/21/X", "https://" + "a" * 256 + "/01/09506000134352/21/X",
    "QBT", "qbt7xpack", "1QBT7XPACK", "QBT7X PACK", "Q" * 51, "QBT7X/PACK", "QBT7XPACKé",
]


def _chain_says(world, text: str) -> tuple[bool, int | None, str | None]:
    """(well formed, passport id, owner) as the contracts answer for ``text``."""
    passport_error = chain_error(world, world.stranger.passports.functions.passportIdFor(text), world.stranger.address)
    registry_error = chain_error(world, world.stranger.registry.functions.batteryIdOwner(text), world.stranger.address)
    if passport_error or registry_error:
        assert (passport_error, registry_error) == ("PassportMalformedBatteryId", "RegistryMalformedBatteryId")
        return False, None, None
    owner = str(world.stranger.registry.functions.batteryIdOwner(text).call())
    return True, int(world.stranger.passports.functions.passportIdFor(text).call()), owner


def _python_says(world, text: str) -> tuple[bool, int | None, str | None]:
    try:
        parsed = parse_battery_id(text)
    except MalformedBatteryIdError:
        return False, None, None
    owners = {prefix: world.clients[name].address for name, prefix in COMPANY_PREFIXES.items()}
    owner = next((owners[candidate] for candidate in parsed.candidate_prefixes
                  if parsed.kind is PrefixKind.GS1_COMPANY_PREFIX and candidate in owners), "0x" + "00" * 20)
    return True, passport_id_for(text), owner


@pytest.mark.parametrize("text", VALID + MALFORMED)
def test_python_and_solidity_parse_each_listed_id_alike(world, text):
    assert _python_says(world, text)[0] == (text in VALID)
    chain = _chain_says(world, text)
    python = _python_says(world, text)
    assert (chain[0], chain[1]) == (python[0], python[1])
    if chain[0]:
        assert chain[2].lower() == python[2].lower()


def _digital_link_parts(draw) -> str:
    scheme = draw(st.sampled_from(["https://", "https://", "https://", "http://", "HTTPS://"]))
    host = draw(st.text(alphabet="ab9.-Z_/", min_size=0, max_size=6))
    digits = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    issuer_gtin = draw(st.sampled_from(["0" + COMPANY_PREFIXES["pack_maker"] + "00001", "0" + COMPANY_PREFIXES["oem"] + "00001"]))
    first13 = draw(st.sampled_from([digits, issuer_gtin, digits[:12], digits + "1"]))
    check = gtin_check_digit(first13) if len(first13) == 13 and draw(st.booleans()) else draw(st.sampled_from("0123456789"))
    serial = draw(st.text(alphabet="Az09._-~/% é", min_size=0, max_size=22))
    separators = draw(st.sampled_from([("/01/", "/21/"), ("/01/", "/21/"), ("/01/", "/10/"), ("/1/", "/21/")]))
    return f"{scheme}{host}{separators[0]}{first13}{check}{separators[1]}{serial}"


BATTERY_ID_TEXT = st.one_of(
    st.composite(_digital_link_parts)(),
    st.text(alphabet="ABQZ019.-a/ é", min_size=0, max_size=55),
    st.text(max_size=30),
)


@FUZZ
@given(text=BATTERY_ID_TEXT)
def test_python_and_solidity_parse_any_id_alike(world, text):
    chain, python = _chain_says(world, text), _python_says(world, text)
    assert (chain[0], chain[1]) == (python[0], python[1]), text
    if chain[0]:
        assert chain[2].lower() == python[2].lower(), text

"""What the shielded ledger and the passport contract hand their verifiers, read without a proof: both
deployed against the world's registry with a test verifier (tests/contracts/SignalsVerifier.sol)
that reverts with the public signals it is given, or accepts every proof. The origin mint packs the
six origin types' rulebook floors into one ``typeFloors`` signal; a passport batch packs its claims
into ``claims`` and ``bounds`` and each passport into one slot (its id and its grams per metal), its
context binding the batch's records; the passport contract keeps one word per passport and one
digest per batch, and refuses claims past 100% for any metal, a batch of no or too many passports,
a battery twice and an unknown root."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_utils import keccak
from web3.exceptions import ContractCustomError, ContractLogicError

from batterytrace.evm.artifacts import Artifact, compile_all
from batterytrace.evm.reverts import revert_data
from batterytrace.model.facilities import ORIGIN_FLOOR_TYPES
from batterytrace.model.membership import MembershipSet
from batterytrace.model.passports import passport_id_for
from batterytrace.zk.contexts import batch_context, records_hash
from tests.helpers.flows import battery_id
from tests.helpers.sandbox import signer

VERIFIER = "SignalsVerifier"
SIGNALS_SELECTOR = keccak(text="Signals(uint256[])")[:4]
ZERO_PROOF = ([0, 0], [[0, 0], [0, 0]], [0, 0])
OPENINGS = [b"an encrypted opening"]
#: Least shares per metal (certified, pre-consumer, post-consumer bps): cobalt, lithium, nickel.
SHARES = [(10_000, 400, 1_200), (8_000, 0, 600), (9_000, 1_500, 0)]
#: Per passport: grams of cobalt, lithium, nickel.
GRAMS = [(5_250, 1_100, 42_000), (5_300, 1_000, 41_000)]


@pytest.fixture(scope="module")
def compiled() -> Artifact:
    return compile_all(folder="tests/contracts", names=(VERIFIER,)).artifacts[VERIFIER]


@dataclass(frozen=True)
class Stand:
    """The test verifier and a ledger and passport contract that use it, on the world's registry."""

    world: Any
    verifier: Any
    ledger: Any
    passport: Any

    def accept(self, accepting: bool) -> None:
        self.world.admin.send(self.verifier.functions.setAccepting(accepting), "set the test verifier")

    def append_note(self, tag: int) -> None:
        """A note in the ledger's tree (a pack claim needs a known note root), the verifier
        refusing again afterwards."""
        self.accept(True)
        self.world.admin.send(self.ledger.functions.mintOrigin(origin_request(self, tag), ZERO_PROOF, OPENINGS), "append a note")
        self.accept(False)

    def roots(self) -> list[int]:
        registry = self.world.admin.registry.functions
        return [registry.membershipRoot(int(member_set)).call() for member_set in MembershipSet]


@pytest.fixture
def stand(world, compiled) -> Iterator[Stand]:
    chain, admin = world.chain, signer(0)
    address, _receipt = chain.deploy_artifact(admin, compiled)
    verifier = chain.w3.eth.contract(address=address, abi=compiled.abi)
    ledger_address, _receipt = chain.deploy(admin, "ShieldedLedger", world.deployment.registry, address, address, address,
                                            libraries=world.deployment.libraries)
    passport_address, _receipt = chain.deploy(admin, "BatteryPassport", world.deployment.registry, ledger_address, address,
                                              "https://resolver.example/passports/", libraries=world.deployment.libraries)
    yield Stand(world, verifier, chain.contract("ShieldedLedger", ledger_address), chain.contract("BatteryPassport", passport_address))


def signals_of(function: Any, sender: str) -> list[int]:
    """The signals the test verifier reverted with when ``sender`` made the call."""
    with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
        function.call({"from": sender})
    data = revert_data(raised.value)
    data = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data or b"")
    assert data[:4] == SIGNALS_SELECTOR, data.hex()
    (signals,) = abi_decode(["uint256[]"], data[4:])
    return list(signals)


def origin_request(stand: Stand, tag: int) -> tuple:
    participants, facilities, certifications = stand.roots()
    return (1000 + tag, tag, participants, facilities, certifications, stand.world.chain.latest_timestamp())


def batch_request(stand: Stand, shares: list[tuple[int, int, int]] = SHARES, forbidden: int = 3) -> tuple:
    note_root = stand.ledger.functions.noteTree().call()[1]
    return (note_root, stand.roots()[0], (shares, 12_000, 80_000, 75_000, forbidden))


def entries(serials: list[str], grams: list[tuple[int, int, int]] | None = None) -> list[tuple]:
    grams = grams or [GRAMS[number % len(GRAMS)] for number in range(len(serials))]
    return [(battery_id(serial), list(metals), bytes([number + 1]) * 32, bytes([0xA0 + number]) * 32, bytes([0xB0 + number]) * 32)
            for number, (serial, metals) in enumerate(zip(serials, grams, strict=True))]


def records_of(batch: list[tuple]) -> bytes:
    return records_hash([(passport_id_for(entry[0]), tuple(entry[1]), *entry[2:]) for entry in batch])


def test_the_origin_signals_carry_the_six_floors_packed_in_one(stand):
    world = stand.world
    floors = {facility_type: 1_000 * (place + 1) + place for place, facility_type in enumerate(ORIGIN_FLOOR_TYPES)}
    floors[ORIGIN_FLOOR_TYPES[-1]] = 2**32 - 1  # the widest floor stays in its 32 bits
    for facility_type, floor in floors.items():
        world.admin.send(world.admin.registry.functions.setCo2eFloor(int(facility_type), floor), "floor")
    request = origin_request(stand, 7)
    signals = signals_of(stand.ledger.functions.mintOrigin(request, ZERO_PROOF, OPENINGS), world.miner.address)
    assert len(signals) == 8
    assert signals[:6] == list(request)
    assert signals[6] == sum(floor << (32 * place) for place, floor in enumerate(floors.values()))
    assert [(signals[6] >> (32 * place)) & (2**32 - 1) for place in range(6)] == list(floors.values())
    assert signals[7] == stand.ledger.functions.originContext(OPENINGS).call()


def test_a_batch_packs_its_claims_bounds_and_each_passports_slot(stand):
    world = stand.world
    stand.append_note(8)
    request, batch = batch_request(stand), entries(["SIG-1", "SIG-2"])
    signals = signals_of(stand.passport.functions.issueBatch(request, batch, ZERO_PROOF), world.pack_maker.address)
    assert len(signals) == 15
    assert signals[:3] == [request[0], request[1], int(world.pack_maker.address, 16)]
    shares = sum((c | pre << 16 | post << 32) << (48 * m) for m, (c, pre, post) in enumerate(SHARES))
    assert signals[3] == shares | 3 << 144 | 12_000 << 152 | 80_000 << 184 | 75_000 << 216
    assert signals[4] == batch_context(world.chain.chain_id, stand.passport.address, world.pack_maker.address, records_of(batch))
    # Each slot the passport id and 24 bits of grams per metal (168 bits), the slots end to end in
    # words of 252 bits: the second slot straddles the first two words.
    slots = [passport_id_for(entry[0]) | g[0] << 96 | g[1] << 120 | g[2] << 144 for entry, g in zip(batch, GRAMS, strict=True)]
    stream = slots[0] | slots[1] << 168
    assert signals[5:7] == [stream & (2**252 - 1), stream >> 252] and signals[7:] == [0] * 8
    # The widest grams stay in their 24 bits; the context follows the records (here a document hash).
    widest = entries(["SIG-1"], [(2**24 - 1,) * 3])
    signals = signals_of(stand.passport.functions.issueBatch(request, widest, ZERO_PROOF), world.pack_maker.address)
    assert signals[5] >> 96 == 2**72 - 1
    other = [(*widest[0][:2], bytes([9]) * 32, *widest[0][3:])]
    assert signals_of(stand.passport.functions.issueBatch(request, other, ZERO_PROOF), world.pack_maker.address)[4] != signals[4]


def test_a_full_batch_lays_fifteen_slots_in_ten_words(stand):
    stand.append_note(13)
    batch = entries([f"SIG-F{n:02d}" for n in range(15)], [(n + 1, 2 * n + 1, 3 * n + 1) for n in range(15)])
    signals = signals_of(stand.passport.functions.issueBatch(batch_request(stand), batch, ZERO_PROOF), stand.world.pack_maker.address)
    stream = sum((passport_id_for(entry[0]) | n + 1 << 96 | 2 * n + 1 << 120 | 3 * n + 1 << 144) << (168 * n)
                 for n, entry in enumerate(batch))
    assert signals[5:] == [(stream >> (252 * word)) & (2**252 - 1) for word in range(10)]
    assert stream >> 2520 == 0 and signals[14] != 0


def test_a_batch_keeps_one_word_per_passport_and_a_digest_its_event_data_matches(stand):
    world = stand.world
    stand.append_note(9)
    stand.accept(True)
    request, batch = batch_request(stand), entries(["SIG-3", "SIG-4"])
    receipt = world.pack_maker.send(stand.passport.functions.issueBatch(request, batch, ZERO_PROOF), "issue a batch")
    ids = [passport_id_for(entry[0]) for entry in batch]
    timestamp = world.chain.w3.eth.get_block(receipt.block_number)["timestamp"]
    functions = stand.passport.functions
    assert [tuple(functions.passport(passport_id).call()) for passport_id in ids] == [(1, 1, timestamp)] * 2
    assert [functions.ownerOf(passport_id).call() for passport_id in ids] == [world.pack_maker.address] * 2
    assert functions.balanceOf(world.pack_maker.address).call() == 2 and functions.batchCount().call() == 1
    assert functions.tokenURI(ids[0]).call() == f"https://resolver.example/passports/0x{ids[0]:024x}"
    (event,) = world.pack_maker.events(receipt, stand.passport, "PassportBatchIssued")
    args = event["args"]
    assert (args["batch"], args["passports"], args["records"]) == (1, 2, records_of(batch))
    assert functions.recordsHash(batch).call() == records_of(batch)
    claims = (SHARES, 12_000, 80_000, 75_000, 3)
    check = functions.checkBatch
    assert check(1, world.pack_maker.address, timestamp, request[0], request[1], claims, records_of(batch)).call()
    stronger = ([(10_000, 500, 1_200), *SHARES[1:]], 12_000, 80_000, 75_000, 3)
    assert not check(1, world.pack_maker.address, timestamp, request[0], request[1], stronger, records_of(batch)).call()
    assert not check(1, world.pack_maker.address, timestamp, request[0], request[1], claims, records_of(batch[:1])).call()
    assert not check(2, world.pack_maker.address, timestamp, request[0], request[1], claims, records_of(batch)).call()
    transfers = world.pack_maker.events(receipt, stand.passport, "Transfer")
    assert [(t["args"]["from"], t["args"]["tokenId"]) for t in transfers] == [("0x" + "00" * 20, passport_id) for passport_id in ids]


def _refusal(stand: Stand, request: tuple, batch: list[tuple], sender: str | None = None) -> str:
    stand.accept(True)
    with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
        stand.passport.functions.issueBatch(request, batch, ZERO_PROOF).call({"from": sender or stand.world.pack_maker.address})
    return stand.world.chain.errors.error_name(revert_data(raised.value))


@pytest.mark.parametrize("shares, forbidden", [
    ([SHARES[0], (10_001, 0, 0), SHARES[2]], 3),  # lithium certified past 100%
    ([SHARES[0], SHARES[1], (9_000, 6_000, 4_001)], 3),  # nickel pre + post past 100%
    ([(10_000, 10_000, 1), SHARES[1], SHARES[2]], 3),  # cobalt pre + post past 100%
    (SHARES, 1),  # the policy's human-rights flag not forbidden
], ids=["lithium-certified", "nickel-recycled", "cobalt-recycled", "flags"])
def test_claims_past_100_percent_for_any_metal_are_below_policy(stand, shares, forbidden):
    stand.append_note(10)
    assert _refusal(stand, batch_request(stand, shares, forbidden), entries(["SIG-5"])) == "PassportClaimsBelowPolicy"


def test_a_batch_of_none_or_too_many_a_battery_twice_an_unknown_root_or_a_rivals_id_is_refused(stand):
    stand.append_note(11)
    request = batch_request(stand)
    sixteen = entries([f"SIG-1{n:02d}" for n in range(16)], [GRAMS[0]] * 16)
    assert _refusal(stand, request, []) == _refusal(stand, request, sixteen) == "PassportBatchSize"
    assert _refusal(stand, request, entries(["SIG-6", "SIG-6"])) == "PassportAlreadyIssued"
    assert _refusal(stand, (request[0] + 1, *request[1:]), entries(["SIG-6"])) == "PassportUnknownRoot"
    assert _refusal(stand, (request[0], request[1] + 1, request[2]), entries(["SIG-6"])) == "PassportUnknownRoot"
    rival = [(battery_id("SIG-7", "oem"), *entries(["SIG-7"])[0][1:])]
    assert _refusal(stand, request, rival) == "PassportBatteryIdNotOwned"
    assert _refusal(stand, request, entries(["SIG-6"]), stand.world.refiner.address) == "PassportUnauthorized"


def test_claims_at_100_percent_for_every_metal_reach_the_verifier(stand):
    stand.append_note(12)
    full = [(10_000, 10_000, 0), (10_000, 0, 10_000), (10_000, 5_000, 5_000)]
    signals = signals_of(stand.passport.functions.issueBatch(batch_request(stand, full), entries(["SIG-8"]), ZERO_PROOF),
                         stand.world.pack_maker.address)
    assert len(signals) == 15 and signals[3] & (2**48 - 1) == 10_000 | 10_000 << 16

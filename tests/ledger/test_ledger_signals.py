"""What the shielded ledger hands its verifiers for three metals, read without a proof: a ledger
deployed against the world's registry with a test verifier (tests/contracts/SignalsVerifier.sol)
that reverts with the public signals it is given, or accepts every proof. The origin mint packs the
six origin types' rulebook floors into one ``typeFloors`` signal and the pack claim each metal's
four claims into one signal, in the order the spec gives; the passport keeps the claims per metal
and refuses those past 100% for any metal."""

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
from batterytrace.model.registry import Role
from tests.helpers.flows import battery_id
from tests.helpers.sandbox import signer

VERIFIER = "SignalsVerifier"
SIGNALS_SELECTOR = keccak(text="Signals(uint256[])")[:4]
ZERO_PROOF = ([0, 0], [[0, 0], [0, 0]], [0, 0])
OPENINGS = [b"an encrypted opening"]
#: Claims per metal (grams, certified, pre-consumer, post-consumer bps): cobalt, lithium, nickel.
METALS = [(5_250, 10_000, 400, 1_200), (1_100, 8_000, 0, 600), (42_000, 9_000, 1_500, 0)]


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
    ledger_address, _receipt = chain.deploy(admin, "ShieldedLedger", world.deployment.registry, address, address, address, address,
                                            libraries=world.deployment.libraries)
    passport_address, _receipt = chain.deploy(admin, "BatteryPassport", world.deployment.registry, ledger_address,
                                              libraries=world.deployment.libraries)
    world.admin.send(world.admin.registry.functions.grantRole(Role.PASSPORT_CONTRACT.role_id, passport_address), "grant")
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


def pack_request(stand: Stand, metals: list[tuple[int, int, int, int]], forbidden: int = 3) -> tuple:
    note_root = stand.ledger.functions.noteTree().call()[1]
    return (note_root, 4242, stand.roots()[0], stand.world.pack_maker.address, metals, 12_000, 80_000, 75_000, forbidden)


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


def test_the_pack_claim_signals_pack_each_metals_claims_in_one(stand):
    world = stand.world
    stand.append_note(8)
    request = pack_request(stand, METALS)
    binding = bytes(31) + b"\x09"
    signals = signals_of(stand.ledger.functions.redeemPack(request, ZERO_PROOF, binding), stand.passport.address)
    assert len(signals) == 12
    assert signals[:4] == [request[0], request[1], request[2], int(world.pack_maker.address, 16)]
    assert signals[4:7] == [grams | certified << 64 | pre << 80 | post << 96 for grams, certified, pre, post in METALS]
    assert signals[7:11] == [12_000, 80_000, 75_000, 3]
    assert signals[11] == stand.ledger.functions.packContext(stand.passport.address, binding).call()
    widest = [(2**64 - 1, 2**16 - 1, 2**16 - 1, 2**16 - 1)] * 3
    signals = signals_of(stand.ledger.functions.redeemPack(pack_request(stand, widest), ZERO_PROOF, binding), stand.passport.address)
    assert signals[4:7] == [2**112 - 1] * 3


def issue_request(stand: Stand, serial: str, metals: list[tuple[int, int, int, int]], forbidden: int = 3) -> tuple:
    return (battery_id(serial), f"https://passports.example/{serial}", bytes.fromhex("11" * 32), bytes(32), bytes(32),
            pack_request(stand, metals, forbidden))


def test_a_passport_keeps_the_claims_of_every_metal(stand):
    world = stand.world
    stand.append_note(9)
    stand.accept(True)
    receipt = world.pack_maker.send(stand.passport.functions.issueFromNotes([issue_request(stand, "SIG-1", METALS)], [ZERO_PROOF]),
                                    "issue a passport")
    passport_id = passport_id_for(battery_id("SIG-1"))
    metals, *bounds = stand.passport.functions.passport(passport_id).call()[-1]
    assert ([tuple(metal) for metal in metals], bounds) == (METALS, [12_000, 80_000, 75_000, 3])
    (event,) = world.pack_maker.events(receipt, stand.passport, "PassportIssued")
    claims = event["args"]["claims"]
    assert [tuple(metal.values()) for metal in claims["metals"]] == METALS
    assert (claims["maxCo2eGramsPerKgCobalt"], claims["capacityWh"], claims["forbiddenRiskFlags"]) == (12_000, 75_000, 3)


@pytest.mark.parametrize("metals, forbidden", [
    ([METALS[0], (1_100, 10_001, 0, 0), METALS[2]], 3),  # lithium certified past 100%
    ([METALS[0], METALS[1], (42_000, 9_000, 6_000, 4_001)], 3),  # nickel pre + post past 100%
    ([(5_250, 10_000, 10_000, 1), METALS[1], METALS[2]], 3),  # cobalt pre + post past 100%
    (METALS, 1),  # the policy's human-rights flag not forbidden
], ids=["lithium-certified", "nickel-recycled", "cobalt-recycled", "flags"])
def test_claims_past_100_percent_for_any_metal_are_below_policy(stand, metals, forbidden):
    issue = stand.passport.functions.issueFromNotes([issue_request(stand, "SIG-2", metals, forbidden)], [ZERO_PROOF])
    with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
        issue.call({"from": stand.world.pack_maker.address})
    assert stand.world.chain.errors.error_name(revert_data(raised.value)) == "PassportClaimsBelowPolicy"


def test_claims_at_100_percent_for_every_metal_reach_the_ledger(stand):
    stand.append_note(10)
    full = [(5_250, 10_000, 10_000, 0), (1_100, 10_000, 0, 10_000), (42_000, 10_000, 5_000, 5_000)]
    issue = stand.passport.functions.issueFromNotes([issue_request(stand, "SIG-3", full)], [ZERO_PROOF])
    signals = signals_of(issue, stand.world.pack_maker.address)
    assert len(signals) == 12 and signals[4] == 5_250 | 10_000 << 64 | 10_000 << 80

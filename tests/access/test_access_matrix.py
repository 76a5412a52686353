"""Who may call what: every state-changing external function of Registry, ShieldedLedger and
BatteryPassport, called by every role, refused with the exact custom error or let through.

Each case is one ``eth_call`` from the caller's address against a scene set up once for the
module (a pack lot made under its battery's id, and that battery's passport), so the matrix sends no
transactions. Arguments
are the ones the allowed caller would send; a proof-consuming function checks roles before the
proof, so a zero proof suffices and the allowed caller meets the ledger's next check. The shielded
ledger authorises no participant by address (a relayer sends every material operation): each of
its rows gives every caller the same answer, the proof's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak, to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError

from batterytrace.evm.reverts import revert_data
from batterytrace.model.battery_ids import PrefixKind
from batterytrace.model.identifiers import bytes32_text
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.model.registry import FacilityType, IdentifierKind, Role, Scheme
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passports import issue_passports
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.shielding import shielding_public_key
from tests.conftest import isolated
from tests.helpers.flows import battery_id, build_pack, request_for
from tests.helpers.sandbox import COMPANY_PREFIXES

#: The callers of the matrix: a client name of the ``world`` fixture per role.
CALLERS = {
    "admin": "admin",
    "auditor": "auditor",
    "miner": "miner",
    "processor": "refiner",
    "cell_maker": "cell_maker",
    "pack_maker": "pack_maker",
    "oem": "oem",
    "recycler": "recycler",
    "authority": "authority",
    "stranger": "stranger",
}
#: Errors that mean "this caller may not do this"; an allowed caller must never meet one.
AUTHORISATION_ERRORS = {
    "AccessControlUnauthorizedAccount",
    "AccessControlBadConfirmation",
    "RegistryNotRegistered",
    "RegistryFacilityTypeNotAllowed",
    "ERC721InvalidApprover",
    "ERC721IncorrectOwner",
    "ERC721InsufficientApproval",
    "PassportUnauthorized",
    "PassportInvalidStatusChange",
    "PassportNotHolder",
    "PassportBatteryIdNotOwned",
    "LedgerNotPassportContract",
}
OK = "ok"
ZERO_PROOF = ([0, 0], [[0, 0], [0, 0]], [0, 0])
PUBLIC_KEY = b"\x03" + b"\x44" * 32  # a point on secp256k1: the registry refuses any other key
SHIELDING_KEY = shielding_public_key(0xACC355)  # a shielding key no participant holds
EVIDENCE = keccak(text="evidence")
FACILITY_TYPE_FOR = {
    "miner": FacilityType.INDUSTRIAL_MINE,
    "processor": FacilityType.REFINERY,
    "cell_maker": FacilityType.CELL_PLANT,
    "pack_maker": FacilityType.PACK_PLANT,
    "oem": FacilityType.PACK_PLANT,
    "recycler": FacilityType.RECYCLER,
}
#: Made-up values of a ledger request: a commitment, a nullifier or mint tag (unused), an opening.
COMMITMENT, UNUSED, OPENING = 12345, 777, b"an encrypted opening"
#: A batch's claims: no share bounds, the policy's flags forbidden.
NO_SHARE_CLAIMS = ([(0, 0, 0)] * 3, 2**31, 2**31, 75_000, 3)


@dataclass(frozen=True)
class Scene:
    """The module's chain state and the ids the calls refer to."""

    world: Any
    pack_lot: int
    passport_id: int
    inactive_facility: int = 0

    def address(self, role: str) -> str:
        return self.world.clients[CALLERS[role]].address

    def facility_id(self, client_name: str) -> int:
        return self.world.facilities[client_name].facility_id


@pytest.fixture(scope="module")
def scene(session_world, chain) -> Iterator[Scene]:
    """A pack lot made under a battery's id, the battery's passport the pack maker holds, and a
    facility no auditor activated."""
    with isolated(session_world) as world:
        pack = build_pack(world, "acl-battery")
        (issued,) = issue_passports(world.pack_maker, [request_for("acl-battery", document_hash=EVIDENCE)])
        inactive = world.miner.register_facility(FacilityType.INDUSTRIAL_MINE, "ACL-INACTIVE", "CD").facility_id
        yield Scene(world, pack, issued.passport_id, inactive_facility=inactive)


def outcome(function: Any, sender: str, scene: Scene) -> str:
    """``ok`` when the call succeeds, else the custom error's name."""
    try:
        function.call({"from": to_checksum_address(sender)})
    except (ContractCustomError, ContractLogicError) as error:
        return scene.world.chain.errors.error_name(revert_data(error))
    return OK


# -- the cases: (contract.function label, the call built for a caller, who is allowed, refusal) --

Build = Callable[[Scene, str], Any]


@dataclass(frozen=True)
class Case:
    label: str
    build: Build
    allowed: dict[str, str]
    refused: str | Callable[[str], str]

    def expected(self, role: str) -> str:
        if role in self.allowed:
            return self.allowed[role]
        return self.refused(role) if callable(self.refused) else self.refused


def _registry(scene: Scene) -> Any:
    return scene.world.admin.registry.functions


def _ledger(scene: Scene) -> Any:
    return scene.world.chain.contract("ShieldedLedger", scene.world.deployment.ledger).functions


def _passports(scene: Scene) -> Any:
    return scene.world.admin.passports.functions


def _fresh_address(label: str) -> str:
    return to_checksum_address(keccak(text=label)[:20])


def _participant_siblings(scene: Scene, role: str) -> list[int]:
    return scene.world.admin.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(scene.address(role)))


def _own_siblings(scene: Scene, role: str) -> list[int]:
    return _participant_siblings(scene, role) if role not in ("admin", "stranger") else []


def _facility_siblings(scene: Scene, client_name: str) -> list[int]:
    return scene.world.admin.trees.siblings(MembershipSet.FACILITIES, scene.facility_id(client_name))


def _certification_siblings(scene: Scene, name: str) -> list[int]:
    return scene.world.admin.trees.siblings(MembershipSet.CERTIFICATIONS, scene.world.certification_ids[name])


def _register_facility(scene: Scene, role: str) -> Any:
    facility_type = FACILITY_TYPE_FOR.get(role, FacilityType.INDUSTRIAL_MINE)
    return _registry(scene).registerFacility(int(facility_type), bytes32_text(f"ACL-NEW-{role}"), b"BE", bytes(32))


def _roots(scene: Scene) -> dict[str, int]:
    """The roots the ledger knows now: its note tree's and the registry's three."""
    registry = _registry(scene)
    roots = {member_set.name.lower(): registry.membershipRoot(int(member_set)).call() for member_set in MembershipSet}
    return {**roots, "notes": _ledger(scene).noteTree().call()[1]}


def _mint(scene: Scene, role: str) -> Any:
    roots = _roots(scene)
    request = (COMMITMENT, UNUSED, roots["participants"], roots["facilities"], roots["certifications"],
               scene.world.chain.latest_timestamp())
    return _ledger(scene).mintOrigin(request, ZERO_PROOF, [OPENING])


def _custody(scene: Scene, role: str) -> Any:
    roots = _roots(scene)
    request = (int(CustodyOperation.OFFER), roots["notes"], UNUSED, COMMITMENT, roots["participants"], EVIDENCE)
    return _ledger(scene).custody(request, ZERO_PROOF, [OPENING])


def _transform(scene: Scene, role: str) -> Any:
    roots = _roots(scene)
    request = (roots["notes"], [UNUSED, 0, 0, 0], [COMMITMENT, 0, 0, 0], roots["participants"], roots["facilities"])
    return _ledger(scene).transform(request, ZERO_PROOF, [[OPENING]])


def _batch_issue(scene: Scene, role: str) -> Any:
    """A batch of one new battery under the caller's own company prefix (the pack maker's for callers
    that hold none: the role check refuses them first), against a note root the tree never had."""
    issuer = CALLERS[role] if CALLERS[role] in COMPANY_PREFIXES else "pack_maker"
    request = (1, _roots(scene)["participants"], NO_SHARE_CLAIMS)
    entry = (battery_id(f"acl-note-{role}", issuer), [5_250, 1_000, 20_000], EVIDENCE, bytes(32), bytes(32))
    return _passports(scene).issueBatch(request, [entry], ZERO_PROOF)


def _facility_refusal(role: str) -> str:
    return "RegistryNotRegistered" if role in ("admin", "stranger") else "RegistryFacilityTypeNotAllowed"


PARTICIPANTS = {role: OK for role in CALLERS if role not in ("admin", "stranger")}
EVERYONE = {role: OK for role in CALLERS}

CASES = [
    # Registry
    Case("Registry.registerParticipant",
         lambda s, r: _registry(s).registerParticipant(_fresh_address("acl-new"), Role.MINER.role_id, keccak(text="n"),
                                                       bytes32_text("LEI-NEW"), int(IdentifierKind.LEI), b"BE", PUBLIC_KEY,
                                                       SHIELDING_KEY),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.rotateEncryptionKey", lambda s, r: _registry(s).rotateEncryptionKey(PUBLIC_KEY),
         PARTICIPANTS, "RegistryNotRegistered"),
    Case("Registry.rotateShieldingKey", lambda s, r: _registry(s).rotateShieldingKey(SHIELDING_KEY, _own_siblings(s, r)),
         PARTICIPANTS, "RegistryNotRegistered"),
    Case("Registry.registerFacility", _register_facility,
         {role: OK for role in FACILITY_TYPE_FOR}, _facility_refusal),
    Case("Registry.recordRiskFinding",
         lambda s, r: _registry(s).recordRiskFinding(s.facility_id("miner"), 2, EVIDENCE, _facility_siblings(s, "miner"),
                                                     _participant_siblings(s, "miner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.setProcessParameters",
         lambda s, r: _registry(s).setProcessParameters(s.facility_id("refiner"), 700, 0, _facility_siblings(s, "refiner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.setRecycledInputSplit",
         lambda s, r: _registry(s).setRecycledInputSplit(s.facility_id("recycler"), 2_500, _facility_siblings(s, "recycler")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.activateFacility",
         lambda s, r: _registry(s).activateFacility(s.inactive_facility, int(FacilityType.INDUSTRIAL_MINE), b"CD", 0, 0, 0, EVIDENCE,
                                                    _participant_siblings(s, "miner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.recordOperatorRiskFinding",
         lambda s, r: _registry(s).recordOperatorRiskFinding(s.address("miner"), 2, EVIDENCE, _participant_siblings(s, "miner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.certify",
         lambda s, r: _registry(s).certify(s.facility_id("artisanal_miner"), int(Scheme.CIRAF), 0, 2**40, EVIDENCE),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.suspendCertification",
         lambda s, r: _registry(s).suspendCertification(s.world.certification_ids["miner"], EVIDENCE,
                                                        _certification_siblings(s, "miner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.revokeCertification",
         lambda s, r: _registry(s).revokeCertification(s.world.certification_ids["refiner"], EVIDENCE,
                                                       _certification_siblings(s, "refiner")),
         {"auditor": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.assignCompanyPrefix",
         lambda s, r: _registry(s).assignCompanyPrefix(s.address("oem"), int(PrefixKind.GS1_COMPANY_PREFIX), "4012345"),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.releaseCompanyPrefix",
         lambda s, r: _registry(s).releaseCompanyPrefix(s.address("pack_maker"), int(PrefixKind.GS1_COMPANY_PREFIX),
                                                        COMPANY_PREFIXES["pack_maker"]),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.setCo2eFloor", lambda s, r: _registry(s).setCo2eFloor(int(FacilityType.INDUSTRIAL_MINE), 1_000),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    Case("Registry.grantRole", lambda s, r: _registry(s).grantRole(Role.AUDITOR.role_id, _fresh_address("acl-grant")),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    # A participant's registered role is revoked with its membership leaf, through revokeParticipant.
    Case("Registry.revokeRole", lambda s, r: _registry(s).revokeRole(Role.MINER.role_id, s.address("miner")),
         {"admin": "RegistryRevokeParticipantInstead"}, "AccessControlUnauthorizedAccount"),
    Case("Registry.renounceRole", lambda s, r: _registry(s).renounceRole(Role.MINER.role_id, s.address("miner")),
         {"miner": "RegistryRevokeParticipantInstead"}, "AccessControlBadConfirmation"),
    Case("Registry.revokeParticipant",
         lambda s, r: _registry(s).revokeParticipant(s.address("miner"), _participant_siblings(s, "miner")),
         {"admin": OK}, "AccessControlUnauthorizedAccount"),
    # ShieldedLedger: the proof is the authorisation, whoever sends it.
    Case("ShieldedLedger.mintOrigin", _mint, {role: "ProofInvalid" for role in CALLERS}, OK),
    Case("ShieldedLedger.custody", _custody, {role: "ProofInvalid" for role in CALLERS}, OK),
    Case("ShieldedLedger.transform", _transform, {role: "ProofInvalid" for role in CALLERS}, OK),
    # BatteryPassport
    # The issuers' batch is refused for its note root (none the tree had): the role check let it through.
    Case("BatteryPassport.issueBatch", _batch_issue,
         {"pack_maker": "PassportUnknownRoot", "oem": "PassportUnknownRoot"}, "PassportUnauthorized"),
    Case("BatteryPassport.setStatus[repurposed]",
         lambda s, r: _passports(s).setStatus(s.passport_id, int(PassportStatus.REPURPOSED), EVIDENCE),
         {"pack_maker": OK}, "PassportNotHolder"),
    # Issue 13, finding 3: a recycler that was not handed the battery scraps nothing.
    Case("BatteryPassport.setStatus[waste]",
         lambda s, r: _passports(s).setStatus(s.passport_id, int(PassportStatus.WASTE), EVIDENCE),
         {"pack_maker": OK}, "PassportNotHolder"),
    Case("BatteryPassport.correctStatus",
         lambda s, r: _passports(s).correctStatus(s.passport_id, int(PassportStatus.WASTE), EVIDENCE),
         {"authority": OK}, "PassportUnauthorized"),
    Case("BatteryPassport.updateDocument",
         lambda s, r: _passports(s).updateDocument(s.passport_id, "https://p.example/v2", EVIDENCE),
         {"pack_maker": OK}, "PassportNotHolder"),
    Case("BatteryPassport.transferFrom",
         lambda s, r: _passports(s).transferFrom(s.address("pack_maker"), s.address("oem"), s.passport_id),
         {"pack_maker": OK}, "ERC721InsufficientApproval"),
    Case("BatteryPassport.transferFrom[to a non-participant]",
         lambda s, r: _passports(s).transferFrom(s.address("pack_maker"), s.address("stranger"), s.passport_id),
         {"pack_maker": "PassportInvalidReceiver"}, "ERC721InsufficientApproval"),
    Case("BatteryPassport.safeTransferFrom",
         lambda s, r: _passports(s).safeTransferFrom(s.address("pack_maker"), s.address("oem"), s.passport_id),
         {"pack_maker": OK}, "ERC721InsufficientApproval"),
    Case("BatteryPassport.safeTransferFrom[data]",
         lambda s, r: _passports(s).safeTransferFrom(s.address("pack_maker"), s.address("oem"), s.passport_id, b"x"),
         {"pack_maker": OK}, "ERC721InsufficientApproval"),
    Case("BatteryPassport.approve", lambda s, r: _passports(s).approve(s.address("oem"), s.passport_id),
         {"pack_maker": OK}, "ERC721InvalidApprover"),
    Case("BatteryPassport.setApprovalForAll", lambda s, r: _passports(s).setApprovalForAll(s.address("auditor"), True),
         EVERYONE, OK),
]


def test_the_matrix_covers_every_state_changing_function():
    """A new external function without a row here fails this test, so the matrix keeps up."""
    from batterytrace.evm.artifacts import load

    labelled = {case.label.split("[", 1)[0] for case in CASES}
    for contract in ("Registry", "ShieldedLedger", "BatteryPassport"):
        functions = {item["name"] for item in load(contract).abi
                     if item.get("type") == "function" and item["stateMutability"] in ("nonpayable", "payable")}
        assert {f"{contract}.{name}" for name in functions} == {label for label in labelled if label.startswith(f"{contract}.")}


@pytest.mark.parametrize("role", list(CALLERS))
@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_access(scene, case, role):
    got = outcome(case.build(scene, role), scene.address(role), scene)
    expected = case.expected(role)
    assert got == expected, f"{case.label} called by {role}: expected {expected}, got {got}"
    if role in case.allowed:
        assert got not in AUTHORISATION_ERRORS


def test_refusals_name_the_caller(scene):
    """The decoded arguments of the refusals point at the right account."""
    decode = scene.world.chain.errors.decode
    stranger = scene.address("stranger")
    shown = stranger.lower()  # the decoder shows addresses as eth-abi decodes them
    cases = [
        (_batch_issue(scene, "stranger"), f"PassportUnauthorized(account={shown})"),
        (_registry(scene).setCo2eFloor(int(FacilityType.INDUSTRIAL_MINE), 1_000),
         f"AccessControlUnauthorizedAccount(account={shown}, neededRole=0x{Role.ADMIN.role_id.hex()})"),
    ]
    for function, expected in cases:
        with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
            function.call({"from": stranger})
        assert decode(revert_data(raised.value)).text == expected


FACILITY_ROLES = {
    "auditor": set(),
    "miner": {FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE, FacilityType.BRINE_OPERATION,
              FacilityType.HARD_ROCK_MINE, FacilityType.NICKEL_MINE},
    "processor": {FacilityType.REFINERY, FacilityType.PRECURSOR_PLANT, FacilityType.CATHODE_PLANT,
                  FacilityType.LITHIUM_REFINERY, FacilityType.NICKEL_REFINERY},
    "cell_maker": {FacilityType.CELL_PLANT},
    "pack_maker": {FacilityType.PACK_PLANT},
    "oem": {FacilityType.PACK_PLANT},
    "recycler": {FacilityType.RECYCLER},
    "authority": set(),
}


@pytest.mark.parametrize("facility_type", list(FacilityType), ids=[item.name.lower() for item in FacilityType])
@pytest.mark.parametrize("role", list(FACILITY_ROLES))
def test_each_role_registers_only_its_facility_types(scene, role, facility_type):
    function = _registry(scene).registerFacility(int(facility_type), bytes32_text(f"ACL-TYPE-{facility_type.name}"), b"BE", bytes(32))
    expected = OK if facility_type in FACILITY_ROLES[role] else "RegistryFacilityTypeNotAllowed"
    assert outcome(function, scene.address(role), scene) == expected


def test_the_scene_is_what_the_matrix_assumes(scene):
    world = scene.world
    assert scene.passport_id == passport_id_for(battery_id("acl-battery"))
    assert world.pack_maker.passports.functions.ownerOf(scene.passport_id).call() == scene.address("pack_maker")
    assert scene.pack_lot == scene.passport_id  # the pack was made under the battery's id
    made = world.auditor.history(scene.pack_lot)[-1]  # the auditor's view key opens the pack's notes
    assert made.operation is NoteOperation.TRANSFORM and made.note is not None  # the passport spent it not
    assert not world.admin.facility(scene.inactive_facility).active


def test_a_revoked_pack_maker_issues_nothing(scene, world):
    assert world.admin.participant(world.pack_maker.address).role is Role.PACK_MAKER
    world.admin.revoke_participant(world.pack_maker.address)
    issue = _batch_issue(scene, "pack_maker")
    assert outcome(issue, scene.address("pack_maker"), scene) == "PassportUnauthorized"

"""Who may call what: every state-changing external function of Registry, BatteryLots and
BatteryPassport, called by every role, refused with the exact custom error or let through.

Each case is one ``eth_call`` from the caller's address against a scene set up once for the
module (lots active, in transit, disputed, a pack lot and an issued passport), so the matrix sends
no transactions. Arguments are the ones the allowed caller would send; a proof-consuming function
checks roles before the proof, so a zero proof suffices and the allowed caller meets ``ProofInvalid``.
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
from batterytrace.model.lots import DisputeOutcome, LotStatus, MaterialKind, OutputPlan
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.model.registry import FacilityType, IdentifierKind, Role, Scheme
from batterytrace.sdk.passports import PassportRequest, issue_passports
from batterytrace.zk.shielding import shielding_public_key
from tests.conftest import isolated
from tests.helpers.flows import battery_id, deliver, mint_at
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
    "LotsUnauthorized",
    "LotsFacilityNotAllowed",
    "LotsNotCustodian",
    "LotsNotPendingReceiver",
    "LotsDirectTransferDisabled",
    "ERC721InvalidApprover",
    "ERC721IncorrectOwner",
    "ERC721InsufficientApproval",
    "PassportUnauthorized",
    "PassportInvalidStatusChange",
    "PassportNotHolder",
    "PassportBatteryIdNotOwned",
    "LotsSenderNotParticipant",
    "LotsAuditorIsParty",
}
OK = "ok"
ZERO_PROOF = ([0, 0], [[0, 0], [0, 0]], [0, 0])
PUBLIC_KEY = b"\x03" + b"\x44" * 32  # a point on secp256k1: the registry refuses any other key
SHIELDING_KEY = shielding_public_key(0xACC355)  # a shielding key no participant holds
EVIDENCE = keccak(text="evidence")
ORIGIN_FACILITY = {"miner": "miner", "recycler": "recycler"}
FACILITY_TYPE_FOR = {
    "miner": FacilityType.INDUSTRIAL_MINE,
    "processor": FacilityType.REFINERY,
    "cell_maker": FacilityType.CELL_PLANT,
    "pack_maker": FacilityType.PACK_PLANT,
    "oem": FacilityType.PACK_PLANT,
    "recycler": FacilityType.RECYCLER,
}
#: A kind each transforming role's facility makes (``Roles.madeKinds``).
OUTPUT_KIND = {"cell_maker": MaterialKind.CELL, "pack_maker": MaterialKind.PACK, "oem": MaterialKind.PACK,
               "recycler": MaterialKind.RECYCLED_COBALT_SULFATE}
TRANSFORMERS = ("processor", "cell_maker", "pack_maker", "oem", "recycler")


@dataclass(frozen=True)
class Scene:
    """The module's chain state and the ids the calls refer to."""

    world: Any
    active_lot: int
    in_transit_lot: int
    disputed_lot: int
    own_lots: dict[str, int]
    pack_lot: int
    passport_id: int
    inactive_facility: int = 0

    def address(self, role: str) -> str:
        return self.world.clients[CALLERS[role]].address

    def facility_id(self, client_name: str) -> int:
        return self.world.facilities[client_name].facility_id


@pytest.fixture(scope="module")
def scene(session_world, chain) -> Iterator[Scene]:
    """Lots in every custody state, a lot per transforming role, a pack lot and a passport."""
    with isolated(session_world) as world:
        active = mint_at(world, "miner", "ACL-ACTIVE").lot_id
        in_transit = mint_at(world, "miner", "ACL-TRANSIT").lot_id
        world.miner.offer(in_transit, world.refiner.address)
        disputed = mint_at(world, "miner", "ACL-DISPUTED").lot_id
        world.miner.offer(disputed, world.refiner.address)
        world.refiner.accept(disputed, measured_total_grams=1)
        own_lots = {"recycler": mint_at(world, "recycler", "ACL-BM", kind=MaterialKind.BLACK_MASS).lot_id}
        for role in ("processor", "cell_maker", "pack_maker", "oem"):
            bag = mint_at(world, "miner", f"ACL-{role}").lot_id
            deliver(world, bag, "miner", CALLERS[role])
            own_lots[role] = bag
        pack_source = mint_at(world, "miner", "ACL-PACK-SOURCE").lot_id
        deliver(world, pack_source, "miner", "pack_maker")
        pack = world.pack_maker.transform(
            [pack_source], [OutputPlan("ACL-PACK", MaterialKind.PACK, 700_000, 2_000_000)], world.facilities["pack_maker"].facility_id
        ).output_lot_ids[0]
        (issued,) = issue_passports(world.pack_maker, [PassportRequest(pack, battery_id("acl-battery"), "https://p.example/acl", EVIDENCE, 75_000)])
        inactive = world.miner.register_facility(FacilityType.INDUSTRIAL_MINE, "ACL-INACTIVE", "CD").facility_id
        yield Scene(world, active, in_transit, disputed, own_lots, pack, issued.passport_id, inactive_facility=inactive)


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


def _lots(scene: Scene) -> Any:
    return scene.world.admin.lots.functions


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


def _mint(scene: Scene, role: str) -> Any:
    facility = scene.facility_id(ORIGIN_FACILITY.get(role, "miner"))
    kind = MaterialKind.BLACK_MASS if role == "recycler" else MaterialKind.COBALT_HYDROXIDE
    spec = (bytes32_text(f"ACL-MINT-{role}"), int(kind), 1, bytes(32), 12345, b"")
    return _lots(scene).mintOrigin(facility, spec, ZERO_PROOF)


def _transform(scene: Scene, role: str) -> Any:
    client_name = CALLERS[role]
    facility = scene.facility_id(client_name if client_name in scene.world.facilities else "refiner")
    lot = scene.own_lots.get(role, scene.active_lot)
    output = (bytes32_text(f"ACL-OUT-{role}"), int(OUTPUT_KIND.get(role, MaterialKind.CRUDE_COBALT_SULFATE)), 1, bytes(32), 12345, b"")
    return _lots(scene).transform(([lot], [output], facility, 0), ZERO_PROOF)


def _issue_request(scene: Scene, role: str) -> tuple:
    """A request for a new battery under the caller's own company prefix (the pack maker's for callers
    that hold none: the role check refuses them first)."""
    claims = (700_000, 0, 0, 2**63, 2**63, 75_000, 3)
    issuer = CALLERS[role] if CALLERS[role] in COMPANY_PREFIXES else "pack_maker"
    return (scene.pack_lot, battery_id(f"acl-new-{role}", issuer), "https://p.example/new", EVIDENCE, bytes(32), bytes(32), claims)


def _note_issue_request(scene: Scene, role: str) -> tuple:
    """As ``_issue_request``, from a pack note: the caller is the redemption's issuer."""
    issuer = CALLERS[role] if CALLERS[role] in COMPANY_PREFIXES else "pack_maker"
    pack = (1, 1, 1, scene.address(role), [(700_000, 0, 0, 0)], 2**63, 2**63, 75_000, 3)
    return (battery_id(f"acl-note-{role}", issuer), "https://p.example/note", EVIDENCE, bytes(32), bytes(32), pack)


def _miner_role_error(role: str) -> str:
    return "LotsUnauthorized"


def _transform_refusal(role: str) -> str:
    # Unregistered callers are refused as such; participants that operate no transforming facility
    # (auditors have none, miners only mines) are refused the facility.
    return "LotsUnauthorized" if role in ("admin", "stranger") else "LotsFacilityNotAllowed"


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
    # BatteryLots
    Case("BatteryLots.mintOrigin", _mint, {"miner": "ProofInvalid", "recycler": "ProofInvalid"}, _miner_role_error),
    Case("BatteryLots.transform", _transform, {role: "ProofInvalid" for role in TRANSFORMERS}, _transform_refusal),
    Case("BatteryLots.offer", lambda s, r: _lots(s).offer(s.active_lot, s.address("recycler"), b""),
         {"miner": OK}, "LotsNotCustodian"),
    Case("BatteryLots.cancelOffer", lambda s, r: _lots(s).cancelOffer(s.in_transit_lot), {"miner": OK}, "LotsNotCustodian"),
    Case("BatteryLots.accept[within]", lambda s, r: _lots(s).accept(s.in_transit_lot, True, EVIDENCE),
         {"processor": OK}, "LotsNotPendingReceiver"),
    Case("BatteryLots.accept[dispute]", lambda s, r: _lots(s).accept(s.in_transit_lot, False, EVIDENCE),
         {"processor": OK}, "LotsNotPendingReceiver"),
    Case("BatteryLots.resolveDispute",
         lambda s, r: _lots(s).resolveDispute(s.disputed_lot, int(DisputeOutcome.DELIVER_TO_RECEIVER), EVIDENCE),
         {"auditor": OK}, "LotsUnauthorized"),
    Case("BatteryLots.lockForPassport", lambda s, r: _lots(s).lockForPassport(s.active_lot, s.address("miner"), 1),
         {}, "LotsUnauthorized"),
    Case("BatteryLots.transferFrom",
         lambda s, r: _lots(s).transferFrom(s.address("miner"), s.address("processor"), s.active_lot),
         {}, "LotsDirectTransferDisabled"),
    Case("BatteryLots.safeTransferFrom",
         lambda s, r: _lots(s).safeTransferFrom(s.address("miner"), s.address("processor"), s.active_lot),
         {}, "LotsDirectTransferDisabled"),
    Case("BatteryLots.safeTransferFrom[data]",
         lambda s, r: _lots(s).safeTransferFrom(s.address("miner"), s.address("processor"), s.active_lot, b"x"),
         {}, "LotsDirectTransferDisabled"),
    Case("BatteryLots.approve", lambda s, r: _lots(s).approve(s.address("processor"), s.active_lot),
         {"miner": OK}, "ERC721InvalidApprover"),
    Case("BatteryLots.setApprovalForAll", lambda s, r: _lots(s).setApprovalForAll(s.address("auditor"), True),
         EVERYONE, OK),
    # BatteryPassport
    Case("BatteryPassport.issue", lambda s, r: _passports(s).issue(_issue_request(s, r), ZERO_PROOF),
         {"pack_maker": "ProofInvalid", "oem": "ProofInvalid"}, "PassportUnauthorized"),
    Case("BatteryPassport.issueBatch", lambda s, r: _passports(s).issueBatch([_issue_request(s, r)], [ZERO_PROOF]),
         {"pack_maker": "ProofInvalid", "oem": "ProofInvalid"}, "PassportUnauthorized"),
    # The ledger refuses the issuers' request (its note root is none the tree had): the passport
    # contract let it through to the redemption.
    Case("BatteryPassport.issueFromNotes",
         lambda s, r: _passports(s).issueFromNotes([_note_issue_request(s, r)], [ZERO_PROOF]),
         {"pack_maker": "LedgerUnknownRoot", "oem": "LedgerUnknownRoot"}, "PassportUnauthorized"),
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
    for contract in ("Registry", "BatteryLots", "BatteryPassport"):
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


def test_refusals_name_the_caller_and_the_missing_role(scene):
    """The decoded arguments of the refusals point at the right account and role."""
    decode = scene.world.chain.errors.decode
    stranger = scene.address("stranger")
    shown = stranger.lower()  # the decoder shows addresses as eth-abi decodes them
    cases = [
        (_lots(scene).resolveDispute(scene.disputed_lot, 0, EVIDENCE), f"LotsUnauthorized(account={shown}, neededRole=0x{Role.AUDITOR.role_id.hex()})"),
        (_mint(scene, "stranger"), f"LotsUnauthorized(account={shown}, neededRole=0x{Role.MINER.role_id.hex()})"),
        (_transform(scene, "stranger"), f"LotsUnauthorized(account={shown}, neededRole=0x{bytes(32).hex()})"),
        (_lots(scene).lockForPassport(scene.active_lot, scene.address("miner"), 1),
         f"LotsUnauthorized(account={shown}, neededRole=0x{Role.PASSPORT_CONTRACT.role_id.hex()})"),
        (_passports(scene).issue(_issue_request(scene, "stranger"), ZERO_PROOF), f"PassportUnauthorized(account={shown})"),
    ]
    for function, expected in cases:
        with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
            function.call({"from": stranger})
        assert decode(revert_data(raised.value)).text == expected


def test_only_the_passport_contract_locks_a_pack_lot(scene):
    """The one caller lockForPassport lets through is the passport contract itself."""
    function = _lots(scene).lockForPassport(scene.own_lots["pack_maker"], scene.address("pack_maker"), 1)
    assert outcome(function, scene.world.deployment.passport, scene) == OK


def test_a_miner_mints_only_at_its_own_mine_and_a_recycler_only_at_its_recycler(scene):
    spec = (bytes32_text("ACL-CROSS"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), 12345, b"")
    mint = _lots(scene).mintOrigin
    assert outcome(mint(scene.facility_id("artisanal_miner"), spec, ZERO_PROOF), scene.address("miner"), scene) == "LotsFacilityNotAllowed"
    assert outcome(mint(scene.facility_id("recycler"), spec, ZERO_PROOF), scene.address("miner"), scene) == "LotsUnauthorized"
    assert outcome(mint(scene.facility_id("miner"), spec, ZERO_PROOF), scene.address("recycler"), scene) == "LotsUnauthorized"
    assert outcome(mint(scene.facility_id("refiner"), spec, ZERO_PROOF), scene.address("processor"), scene) == "LotsUnauthorized"


def test_a_transformer_transforms_only_at_its_own_facility_and_only_its_own_lots(scene):
    output = (bytes32_text("ACL-OUT-X"), int(MaterialKind.CRUDE_COBALT_SULFATE), 1, bytes(32), 12345, b"")
    transform = _lots(scene).transform
    refiner = scene.address("processor")
    at_other_site = transform(([scene.own_lots["processor"]], [output], scene.facility_id("cathode_maker"), 0), ZERO_PROOF)
    assert outcome(at_other_site, refiner, scene) == "LotsFacilityNotAllowed"
    someone_elses_lot = transform(([scene.own_lots["cell_maker"]], [output], scene.facility_id("refiner"), 0), ZERO_PROOF)
    assert outcome(someone_elses_lot, refiner, scene) == "LotsNotCustodian"
    in_transit = transform(([scene.in_transit_lot], [output], scene.facility_id("refiner"), 0), ZERO_PROOF)
    assert outcome(in_transit, refiner, scene) == "LotsNotCustodian"


FACILITY_ROLES = {
    "auditor": set(),
    "miner": {FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE},
    "processor": {FacilityType.REFINERY, FacilityType.PRECURSOR_PLANT, FacilityType.CATHODE_PLANT},
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
    client = scene.world.stranger
    assert client.lot(scene.active_lot).status is LotStatus.ACTIVE
    assert client.lot(scene.in_transit_lot).pending_receiver == scene.address("processor")
    assert client.lot(scene.disputed_lot).status is LotStatus.DISPUTED
    assert client.lot(scene.pack_lot).status is LotStatus.CONSUMED
    assert scene.passport_id == passport_id_for(battery_id("acl-battery"))
    for role, lot_id in scene.own_lots.items():
        assert client.lot(lot_id).custodian == scene.address(role)


def _revoke(world, role: Role, client_name: str) -> None:
    assert world.admin.participant(world.clients[client_name].address).role is role
    world.admin.revoke_participant(world.clients[client_name].address)


def test_a_revoked_miner_mints_nothing_and_a_revoked_pack_maker_issues_nothing(scene, world):
    _revoke(world, Role.MINER, "miner")
    _revoke(world, Role.PACK_MAKER, "pack_maker")
    assert outcome(_mint(scene, "miner"), scene.address("miner"), scene) == "LotsUnauthorized"
    issue = _passports(scene).issue(_issue_request(scene, "pack_maker"), ZERO_PROOF)
    assert outcome(issue, scene.address("pack_maker"), scene) == "PassportUnauthorized"


def test_a_revoked_processor_transforms_nothing_and_receives_nothing(scene, world):
    _revoke(world, Role.PROCESSOR, "refiner")
    assert outcome(_transform(scene, "processor"), scene.address("processor"), scene) == "LotsUnauthorized"
    offer = _lots(scene).offer(scene.active_lot, scene.address("processor"), b"")
    assert outcome(offer, scene.address("miner"), scene) == "LotsInvalidReceiver"


def test_a_revoked_custodian_offers_nothing(scene, world):
    """Issue 13, finding 6a: the custodian keeps its lots when its role is revoked, but passes none on."""
    _revoke(world, Role.MINER, "miner")
    offer = _lots(scene).offer(scene.active_lot, scene.address("processor"), b"")
    assert outcome(offer, scene.address("miner"), scene) == "LotsSenderNotParticipant"
    assert outcome(_lots(scene).cancelOffer(scene.in_transit_lot), scene.address("miner"), scene) == OK


def test_a_receiver_revoked_while_the_lot_travels_takes_nothing_in(scene, world):
    """Seen while closing issue 13: an offer's receiver whose role is revoked before the weigh-in
    neither accepts nor disputes; the sender can still cancel."""
    _revoke(world, Role.PROCESSOR, "refiner")
    for within in (True, False):
        accept = _lots(scene).accept(scene.in_transit_lot, within, EVIDENCE)
        assert outcome(accept, scene.address("processor"), scene) == "LotsInvalidReceiver"
    assert outcome(_lots(scene).cancelOffer(scene.in_transit_lot), scene.address("miner"), scene) == OK


def test_an_auditor_party_to_a_dispute_does_not_resolve_it(scene, world):
    """Issue 13, finding 6b: the disputed lot's receiver (or sender) may hold the auditor role; it is
    refused, and any other auditor may settle the dispute."""
    bag = mint_at(world, "miner", "ACL-AUDITOR-PARTY").lot_id
    world.miner.offer(bag, world.auditor.address)
    world.auditor.accept(bag, measured_total_grams=1)
    for outcome_value in DisputeOutcome:
        resolve = _lots(scene).resolveDispute(bag, int(outcome_value), EVIDENCE)
        assert outcome(resolve, scene.address("auditor"), scene) == "LotsAuditorIsParty"
        assert outcome(resolve, world.second_auditor.address, scene) == OK

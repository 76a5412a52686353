"""Adversarial tests on the real chain: role escalation, revoked and expired authority, other
participants' facilities, ERC-721 receiver re-entry, and Groth16 proof malleability.

Attacks already covered elsewhere are listed in docs/SECURITY.md, not repeated here.
"""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from batterytrace.exceptions import BatteryTraceError, FacilityNotAllowedError, LotStateError, ProofError, RevertedError
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.registry import IdentifierKind, Role
from batterytrace.sdk.passports import issue_passports
from batterytrace.zk.envelopes import public_key_from_private_key
from tests.helpers.flows import build_pack, mint_at, proven_mint, refinery, request_for, send_mint
from tests.helpers.hardening import BASE_FIELD, compile_test_contract, negated, proof_parts

DEFAULT_ADMIN_ROLE = bytes(32)


def send(world, who: str, function, description: str = "attack"):
    return world.chain.transact(world.clients[who].signer, function, description)


# -- role escalation ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["miner", "auditor"])
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.MINER, Role.PASSPORT_CONTRACT, Role.ADMIN])
def test_a_participant_or_auditor_cannot_grant_roles(world, who, role):
    client = world.clients[who]
    held_before = client.has_role(role)
    with pytest.raises(RevertedError, match=r"^grant reverted: AccessControlUnauthorizedAccount\(account=" + client.address.lower()):
        send(world, who, client.registry.functions.grantRole(role.role_id, client.address), "grant")
    assert client.has_role(role) is held_before


def test_a_participant_cannot_revoke_another_participants_role(world):
    functions = world.miner.registry.functions
    with pytest.raises(RevertedError, match="AccessControlUnauthorizedAccount"):
        send(world, "miner", functions.revokeRole(Role.MINER.role_id, world.artisanal_miner.address))
    assert world.admin.has_role(Role.MINER, world.artisanal_miner.address)


def test_a_participant_cannot_lock_a_lot_as_if_it_were_the_passport_contract(world):
    bag = mint_at(world, "miner", "LOCK-ME")
    with pytest.raises(RevertedError, match=r"LotsUnauthorized\(account=" + world.miner.address.lower()):
        send(world, "miner", world.miner.lots.functions.lockForPassport(bag.lot_id, world.miner.address, 1))
    assert world.miner.lot(bag.lot_id).status is LotStatus.ACTIVE


def test_the_last_admin_cannot_renounce_and_leave_the_consortium_ungoverned(world):
    admin = world.admin
    with pytest.raises(RevertedError, match=r"RegistryLastAdmin\(account=" + admin.address.lower()):
        send(world, "admin", admin.registry.functions.renounceRole(DEFAULT_ADMIN_ROLE, admin.address))
    with pytest.raises(RevertedError, match="RegistryLastAdmin"):
        send(world, "admin", admin.registry.functions.revokeRole(DEFAULT_ADMIN_ROLE, admin.address))
    assert admin.has_role(Role.ADMIN)


def test_the_admin_hands_over_governance_by_granting_before_renouncing(world):
    admin, successor = world.admin, world.stranger
    send(world, "admin", admin.registry.functions.grantRole(DEFAULT_ADMIN_ROLE, successor.address))
    send(world, "admin", admin.registry.functions.renounceRole(DEFAULT_ADMIN_ROLE, admin.address))
    assert successor.has_role(Role.ADMIN) and not admin.has_role(Role.ADMIN)
    with pytest.raises(RevertedError, match="RegistryLastAdmin"):
        send(world, "stranger", successor.registry.functions.renounceRole(DEFAULT_ADMIN_ROLE, successor.address))


# -- revoked and expired authority ----------------------------------------------------------------

def test_a_revoked_auditor_cannot_resolve_disputes_or_end_certifications(world):
    bag = mint_at(world, "miner", "DISPUTED-1")
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    world.admin.revoke_participant(world.auditor.address)
    auditor = world.auditor
    with pytest.raises(RevertedError, match=r"LotsUnauthorized\(account=" + auditor.address.lower()):
        send(world, "auditor", auditor.lots.functions.resolveDispute(bag.lot_id, 0, bytes(32)))
    with pytest.raises(RevertedError, match=r"AccessControlUnauthorizedAccount\(account=" + auditor.address.lower()):
        send(world, "auditor", auditor.registry.functions.revokeCertification(world.certification_ids["miner"], bytes(32), []))
    assert world.stranger.lot(bag.lot_id).status is LotStatus.DISPUTED
    assert world.auditor.auditor_keys().keys() == {world.second_auditor.address}


def test_a_mint_proof_made_while_certified_fails_once_the_certification_expired(world):
    """Proved before expiry, sent after: the contract's certified input is now 0, so the proof of
    certified cobalt no longer verifies."""
    opening, proof = proven_mint(world, "LATE")
    a, b, c, _ = proof.solidity_args()
    certification = world.admin.certification(world.certification_ids["miner"])
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [int(certification.valid_until.timestamp()) + 1])
    world.chain.w3.provider.make_request("evm_mine", [])
    with pytest.raises(ProofError, match=r"ProofInvalid\(circuit=0x6d696e74"):
        send_mint(world, "LATE", opening.commitment, (a, b, c))
    assert not world.miner.lot_exists(lot_id_for(world.miner.address, "LATE"))


def test_a_revoked_certification_stops_certified_mints_from_that_moment(world):
    opening, proof = proven_mint(world, "AFTER-REVOKE")
    a, b, c, _ = proof.solidity_args()
    world.auditor.revoke_certification(world.certification_ids["miner"], "fraudulent audit")
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "AFTER-REVOKE", opening.commitment, (a, b, c))


def test_an_offer_to_a_participant_whose_role_was_revoked_is_refused(world):
    bag = mint_at(world, "miner", "TO-REVOKED")
    world.admin.revoke_participant(world.refiner.address)
    with pytest.raises(RevertedError, match=r"LotsInvalidReceiver\(receiver=" + world.refiner.address.lower()):
        send(world, "miner", world.miner.lots.functions.offer(bag.lot_id, world.refiner.address, b""))
    assert world.miner.lot(bag.lot_id).status is LotStatus.ACTIVE


# -- other participants' facilities ---------------------------------------------------------------

def test_the_contract_refuses_a_mint_at_another_miners_facility(world):
    """The SDK refuses before sending (tests/ledger); this sends anyway, with a valid-looking proof."""
    thief = world.artisanal_miner
    victim_site = world.facilities["miner"].facility_id
    opening, proof = proven_mint(world, "STOLEN-SITE")
    a, b, c, _ = proof.solidity_args()
    spec = (b"STOLEN-SITE".ljust(32, b"\0"), int(MaterialKind.COBALT_HYDROXIDE), 1, bytes(32), opening.commitment, b"")
    with pytest.raises(FacilityNotAllowedError, match=rf"LotsFacilityNotAllowed\(account={thief.address.lower()}, facilityId={victim_site}\)"):
        thief.send(thief.lots.functions.mintOrigin(victim_site, spec, (a, b, c)), "mint at another's site")


def test_the_contract_refuses_a_transform_at_another_processors_facility(world, refinery_stock):
    bag = refinery_stock[0]
    other_site = world.facilities["cathode_maker"].facility_id
    request = ([bag.lot_id], [(b"ELSEWHERE".ljust(32, b"\0"), int(MaterialKind.CRUDE_COBALT_SULFATE), 1, bytes(32), 1, b"")], other_site, 0)
    zero = ([0, 0], [[0, 0], [0, 0]], [0, 0])
    with pytest.raises(FacilityNotAllowedError, match=rf"LotsFacilityNotAllowed\(account={world.refiner.address.lower()}, facilityId={other_site}\)"):
        world.refiner.send(world.refiner.lots.functions.transform(request, zero), "transform elsewhere")
    assert world.refiner.lot(bag.lot_id).status is LotStatus.ACTIVE


# -- ERC-721 receiver hooks -------------------------------------------------------------------------

@pytest.fixture
def hook_receiver(world):
    """The test-only HookReceiver, deployed and registered as a processor."""
    abi, bytecode = compile_test_contract("HookReceiver.sol", "HookReceiver")
    factory = world.chain.w3.eth.contract(abi=abi, bytecode=bytecode)
    receipt = send(world, "admin", factory.constructor(world.deployment.lots, world.cathode_maker.address), "deploy HookReceiver")
    address = world.chain.w3.eth.get_transaction_receipt(receipt.transaction_hash)["contractAddress"]
    # A contract signs nothing: it gets the outsider's keys (the outsider is never registered).
    world.admin.register_participant(address, Role.PROCESSOR, "hook receiver", "LEI-HOOK", IdentifierKind.LEI, "BE",
                                     public_key_from_private_key(world.stranger.signer.private_key), world.stranger.shielding_public_key)
    return world.chain.w3.eth.contract(address=to_checksum_address(address), abi=abi)


def test_no_lot_path_calls_the_receiver_hook_so_it_cannot_re_enter(world, hook_receiver):
    """Lots move only through _mint and _update, never _safeMint or _safeTransfer: a contract
    custodian's onERC721Received is never called during a handover, so it cannot re-enter."""
    bag = mint_at(world, "miner", "TO-CONTRACT")
    world.miner.offer(bag.lot_id, hook_receiver.address)
    send(world, "stranger", hook_receiver.functions.acceptLot(bag.lot_id), "contract accepts")
    lot = world.stranger.lot(bag.lot_id)
    assert lot.custodian == hook_receiver.address
    assert lot.status is LotStatus.ACTIVE
    assert hook_receiver.functions.hookCalls().call() == 0


def test_safe_transfer_of_a_lot_to_a_contract_reverts_before_any_hook(world, hook_receiver):
    bag = mint_at(world, "miner", "SAFE-TO-CONTRACT")
    transfer = world.miner.lots.functions.safeTransferFrom(world.miner.address, hook_receiver.address, bag.lot_id)
    with pytest.raises(RevertedError, match=rf"LotsDirectTransferDisabled\(lotId={bag.lot_id}\)"):
        send(world, "miner", transfer, "safeTransferFrom")
    assert hook_receiver.functions.hookCalls().call() == 0


# -- Groth16 malleability ---------------------------------------------------------------------------

def test_a_negated_mint_proof_verifies_but_cannot_mint_a_second_lot(world):
    opening, proof = proven_mint(world, "MALLEABLE")
    a, b, c, signals = proof.solidity_args()
    a2, b2, c2 = negated(a, b, c)
    verifier = world.chain.contract("MintVerifier", world.deployment.mint_verifier)
    assert (a2, b2) != (a, b)
    assert verifier.functions.verifyProof(a2, b2, c2, signals).call() is True
    send_mint(world, "MALLEABLE", opening.commitment, (a, b, c))
    lot_id = lot_id_for(world.miner.address, "MALLEABLE")
    before = world.miner.lot(lot_id)
    replay = send_mint(world, "MALLEABLE", opening.commitment, (a2, b2, c2))
    assert replay.logs == ()  # the existing lot is returned: no LotCreated, no Transfer
    assert world.miner.lot(lot_id) == before


def test_a_negated_mint_proof_cannot_mint_under_another_external_id(world):
    opening, proof = proven_mint(world, "MALLEABLE-A")
    a2, b2, c2 = negated(*proof.solidity_args()[:3])
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "MALLEABLE-B", opening.commitment, (a2, b2, c2))


def test_a_non_canonical_point_encoding_is_rejected(world):
    """x + p encodes the same residue but the precompiles refuse coordinates >= p."""
    opening, proof = proven_mint(world, "NON-CANONICAL")
    a, b, c, _ = proof.solidity_args()
    with pytest.raises(ProofError, match="ProofInvalid"):
        send_mint(world, "NON-CANONICAL", opening.commitment, ([a[0] + BASE_FIELD, a[1]], b, c))


def test_a_negated_transform_proof_verifies_but_the_inputs_are_consumed(world, refinery_stock):
    bag = refinery_stock[0]
    result = world.refiner.transform([bag.lot_id], [OutputPlan("ONCE", MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)],
                                     refinery(world))
    transaction = world.chain.w3.eth.get_transaction(result.receipt.transaction_hash)
    _function, arguments = world.refiner.lots.decode_function_input(transaction["input"])
    a2, b2, c2 = negated(*proof_parts(arguments["proof"]))
    floor = world.stranger.facility(refinery(world)).co2e_floor_grams_per_kg
    signals = [world.stranger.lot(bag.lot_id).commitment, 0, 0, 0, result.openings[0].commitment, 0, 0, 0, 500, 0, floor,
               world.refiner.lots.functions.transformContext([bag.lot_id], list(result.output_lot_ids), refinery(world)).call()]
    verifier = world.chain.contract("TransformVerifier", world.deployment.transform_verifier)
    assert verifier.functions.verifyProof(a2, b2, c2, signals).call() is True
    with pytest.raises(LotStateError, match=rf"LotsWrongStatus\(lotId={bag.lot_id}, status={int(LotStatus.CONSUMED)}, expected={int(LotStatus.ACTIVE)}\)"):
        world.refiner.send(world.refiner.lots.functions.transform(arguments["request"], (a2, b2, c2)), "replayed transform")
    assert world.refiner.lots.functions.transformCount().call() == result.transform_id


def test_a_negated_claim_proof_cannot_issue_the_passport_again(world):
    pack = build_pack(world, "PACK-MALLEABLE")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-malleable")])
    passports = world.pack_maker.passports
    (log,) = passports.events.PassportIssued().get_logs(argument_filters={"passportId": issued.passport_id},
                                                       from_block=world.deployment.block_number)
    transaction = world.chain.w3.eth.get_transaction(log["transactionHash"])
    function, arguments = passports.decode_function_input(transaction["input"])
    request, proof = ((arguments["request"], arguments["proof"]) if function.fn_name == "issue"
                      else (arguments["requests"][0], arguments["proofs"][0]))
    with pytest.raises(BatteryTraceError, match=rf"PassportAlreadyIssued\(passportId={issued.passport_id}\)"):
        world.chain.transact(world.pack_maker.signer, passports.functions.issue(request, negated(*proof_parts(proof))), "replay")

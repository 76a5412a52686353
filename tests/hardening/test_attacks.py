"""Adversarial tests on the real chain: role escalation, proofs made before an authority or a
certification was revoked and sent after, and Groth16 proof malleability against the shielded
ledger and the passport.

The shielded ledger authorises no one by address: what stops a revoked auditor or a revoked
certification is the registry forgetting every membership root that still showed them, so a proof
made against one no longer lands. Attacks already covered elsewhere are listed in docs/SECURITY.md,
not repeated here (a relayer altering a call, a proof replayed on another ledger, a spent note
stepped again: tests/ledger/test_shielded_ledger.py; a pack spent by a transform:
tests/ledger/test_shielded_sdk.py; witnesses built by hand against each circuit: tests/circuits).
"""

from __future__ import annotations

import pytest

from batterytrace.exceptions import MissingRoleError, RevertedError
from batterytrace.model.lots import DisputeOutcome, LotStatus
from batterytrace.model.registry import Role
from batterytrace.sdk.passports import issue_passports
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.origin import ORIGIN_TYPES, TypeFloors
from tests.helpers.flows import battery_id, build_pack, mint_at, request_for
from tests.helpers.hardening import BASE_FIELD, negated, plain, proof_parts
from tests.helpers.relayer import ledger_of
from tests.helpers.shielded import mint, step

DEFAULT_ADMIN_ROLE = bytes(32)


def send(world, who: str, function, description: str = "attack"):
    return world.chain.transact(world.clients[who].signer, function, description)


def refused(error: str):
    return pytest.raises(RevertedError, match=rf"reverted: {error}")


# -- role escalation ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["miner", "auditor"])
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.MINER, Role.OEM, Role.ADMIN])
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


# -- revoked authority, proven before ---------------------------------------------------------------

def test_a_resolution_proven_before_the_auditor_was_revoked_does_not_land_after(world, ledger_now):
    bag = mint_at(world, "miner", "DISPUTED-1")
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    disputed = world.auditor.note(bag.lot_id)
    _, resolution = step(ledger_now(), disputed, CustodyOperation.DELIVER, world.auditor)
    resolution.call({"from": world.stranger.address})  # it would land now
    world.admin.revoke_participant(world.auditor.address)
    with refused(r"LedgerUnknownRoot\(tree=1, "):  # the participants root it was proven against is forgotten
        send(world, "stranger", resolution, "a resolution proven before the revocation")
    auditor = world.auditor
    with pytest.raises(MissingRoleError, match="AUDITOR_ROLE"):
        auditor.resolve_dispute(bag.lot_id, DisputeOutcome.DELIVER_TO_RECEIVER)
    with pytest.raises(RevertedError, match=r"AccessControlUnauthorizedAccount\(account=" + auditor.address.lower()):
        send(world, "auditor", auditor.registry.functions.revokeCertification(world.certification_ids["miner"], bytes(32), []))
    assert world.second_auditor.lot(bag.lot_id).status is LotStatus.DISPUTED
    assert world.auditor.auditor_keys().keys() == {world.second_auditor.address}


def test_a_certified_mint_proven_before_the_revocation_does_not_land_after(world):
    _note, certified = mint(ledger_of(world), send=False)
    world.auditor.revoke_certification(world.certification_ids["miner"], "fraudulent audit")
    with refused(r"LedgerUnknownRoot\(tree=3, "):  # the certifications root that held it is forgotten
        send(world, "stranger", certified, "a certified mint proven before the revocation")
    # From that moment the mine's bags are uncertified.
    bag = mint_at(world, "miner", "AFTER-REVOKE")
    assert bag.created and bag.note.values.metals[0].certified_grams == 0


# -- Groth16 malleability ---------------------------------------------------------------------------

def test_a_negated_proof_verifies_but_mints_and_steps_nothing_twice(world):
    """(-A, -B, C) verifies whenever (A, B, C) does; the mint tag and the nullifier, not the proof's
    bytes, make each operation happen once."""
    ledger = ledger_of(world)
    note, honest = mint(ledger, send=False)
    request, proof, openings = honest.args
    a, b, c = proof_parts(proof)
    malleated = negated(a, b, c)
    registry = world.admin.registry.functions
    # The six origin types' rulebook floors, packed into one signal as the ledger packs them.
    floors = TypeFloors.of_types({kind: world.chain.call(registry.co2eFloorGramsPerKg(kind)) for kind in ORIGIN_TYPES})
    signals = [*request, floors.packed, world.chain.call(ledger.contract.functions.originContext(openings))]
    verifier = world.chain.contract("OriginVerifier", world.deployment.origin_verifier)
    assert malleated[:2] != (a, b) and verifier.functions.verifyProof(*malleated, signals).call() is True
    functions = ledger.contract.functions
    with refused("ProofInvalid"):  # the negated proof does not stretch to another mint tag
        send(world, "stranger", functions.mintOrigin((request[0], request[1] + 1, *request[2:]), malleated, openings))
    with refused("ProofInvalid"):  # x + p encodes the same residue; the precompiles refuse it
        send(world, "stranger", functions.mintOrigin(request, ([a[0] + BASE_FIELD, a[1]], b, c), openings))
    send(world, "stranger", honest, "the honest mint")
    ledger.notes.insert(note.commitment)
    with refused(rf"LedgerMintTagUsed\(mintTag={request[1]}\)"):
        send(world, "stranger", functions.mintOrigin(request, malleated, openings))
    _, offer = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    send(world, "stranger", offer, "the honest offer")
    step_request, step_proof, step_openings = offer.args
    with refused(rf"LedgerNullifierSpent\(nullifier={note.nullifier}\)"):
        send(world, "stranger", functions.custody(step_request, negated(*proof_parts(step_proof)), step_openings))
    assert len(ledger.contract.events.NoteCreated().get_logs(from_block=world.deployment.block_number)) == 2


def test_a_negated_batch_proof_issues_no_passport_again(world):
    build_pack(world, "battery-malleable")
    (issued,) = issue_passports(world.pack_maker, [request_for("battery-malleable")])
    passports = world.pack_maker.passports
    transaction = world.chain.w3.eth.get_transaction(issued.receipt.transaction_hash)
    _function, arguments = passports.decode_function_input(transaction["input"])
    malleated = negated(*proof_parts(arguments["proof"]))
    request, entries = plain(arguments["request"]), plain(arguments["entries"])
    with refused(rf"PassportAlreadyIssued\(passportId={issued.passport_id}\)"):
        send(world, "pack_maker", passports.functions.issueBatch(request, entries, malleated), "replay")
    # For another battery the slots and the records differ: the negated proof proves nothing of them.
    elsewhere = [(battery_id("battery-malleable-2"), *entry[1:]) for entry in entries]
    with refused("PassportInvalidProof"):
        send(world, "pack_maker", passports.functions.issueBatch(request, elsewhere, malleated), "replay for another battery")

"""Issue 13's findings 4, 5 and 6 (two items), each reproduced by hand against the contracts and
now refused, and each refused by the SDK before anything is sent. On the shielded ledger no contract
sees who acts: a revoked participant is out of the registry's participants tree, every root that
still held it is forgotten, so a step it proved before the revocation no longer lands, and the SDK
proves nothing for it after; the custody circuit keeps an auditor who is party to a dispute from
resolving it (its hand-built witnesses are in tests/circuits/test_attacks_custody.py).

- 4: one auditor's unusable encryption key no longer stops every mint and offer;
- 5: a certification cannot be back-dated, so ``isCertified`` for a past time never changes;
- 6a: a participant whose role was revoked can no longer offer lots (nor take one in);
- 6b: an auditor cannot resolve a dispute it is party to.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta, timezone

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from batterytrace.exceptions import (
    BackdatedCertificationError,
    InvalidEncryptionKeyError,
    MissingRoleError,
    ProofError,
    RevertedError,
    UnknownParticipantError,
)
from batterytrace.model.identifiers import bytes32_text
from batterytrace.model.lots import DisputeOutcome, LotStatus, MaterialKind
from batterytrace.model.registry import IdentifierKind, Role, Scheme
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from tests.helpers.flows import mint_at
from tests.helpers.shielded import step

SECP256K1_P = 2**256 - 2**32 - 977
#: A Participant's encryptionPublicKey is its fifth word.
KEY_WORD = 4


@functools.cache
def participants_slot() -> int:
    """The storage slot of Registry's ``_participants``, from the compiler's storage layout (it
    moves whenever a base contract gains state)."""
    import solcx

    from batterytrace.evm.artifacts import standard_input
    from batterytrace.evm.toolchain import solc_binary

    source = standard_input()
    source["settings"] = {**source["settings"], "outputSelection": {"contracts/Registry.sol": {"Registry": ["storageLayout"]}}}
    layout = solcx.compile_standard(source, solc_binary=solc_binary())["contracts"]["contracts/Registry.sol"]["Registry"]
    (slot,) = [int(item["slot"]) for item in layout["storageLayout"]["storage"] if item["label"] == "_participants"]
    return slot


def send(world, who: str, function, description: str = "attack"):
    return world.chain.transact(world.clients[who].signer, function, description)


def chain_now(world) -> datetime:
    return datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc)


def off_curve_x() -> int:
    """The smallest x < p for which x^3 + 7 is not a square mod p: a 33-byte key with a right
    prefix and an x in the field that is still no point."""
    x = 1
    while pow(x**3 + 7, (SECP256K1_P - 1) // 2, SECP256K1_P) == 1:
        x += 1
    return x


OFF_CURVE = b"\x02" + off_curve_x().to_bytes(32, "big")
BAD_KEYS = {
    "prefix": b"\x05" + b"\x44" * 32,
    "x_not_below_p": b"\x02" + SECP256K1_P.to_bytes(32, "big"),
    "x_not_on_curve": OFF_CURVE,
    "uncompressed_off_curve": b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big"),
    "length": b"\x02" + b"\x44" * 31,
    "valid_x_with_uncompressed_prefix": b"\x04" + b"\x44" * 32,
}
GOOD_KEY = b"\x03" + b"\x44" * 32


def force_key(world, account: str, key: bytes) -> None:
    """Write a 33-byte key into a participant's record as a registry before this fix would have
    kept it (the contract now refuses it, so the state is set directly)."""
    assert len(key) == 33
    record = int.from_bytes(keccak(abi_encode(["address", "uint256"], [account, participants_slot()])), "big")
    slot = record + KEY_WORD
    data = int.from_bytes(keccak(slot.to_bytes(32, "big")), "big")
    words = {slot: 33 * 2 + 1, data: int.from_bytes(key[:32], "big"), data + 1: int.from_bytes(key[32:].ljust(32, b"\0"), "big")}
    for position, value in words.items():
        world.chain.w3.provider.make_request(
            "anvil_setStorageAt", [world.deployment.registry, hex(position), "0x" + value.to_bytes(32, "big").hex()])
    assert world.admin.participant(account).encryption_public_key == key


# -- finding 5: certification history -------------------------------------------------------------

def test_a_backdated_certification_is_refused_on_chain_and_by_the_sdk(world):
    mine = world.facilities["miner"].facility_id
    now = chain_now(world)
    past = now - timedelta(days=30)
    assert not world.admin.is_certified(mine, Scheme.CIRAF, past)
    registry = world.auditor.registry.functions
    with pytest.raises(BackdatedCertificationError, match=rf"RegistryBackdatedCertification\(validFrom={int(past.timestamp())}, recordedAt=") as refused:
        world.auditor.send(registry.certify(mine, int(Scheme.CIRAF), int(past.timestamp()), int((now + timedelta(days=9)).timestamp()),
                                            bytes(32)), "back-dated certify")
    assert refused.value.revert is not None and refused.value.valid_from == int(past.timestamp())
    assert refused.value.recorded_at > int(now.timestamp()) - 1
    # The SDK refuses before sending, against the chain's latest timestamp; "now" is already the past.
    for start in (past, now):
        with pytest.raises(BackdatedCertificationError) as refused:
            world.auditor.certify(mine, Scheme.CIRAF, start, now + timedelta(days=9))
        assert refused.value.revert is None and refused.value.recorded_at == int(now.timestamp())
    assert not world.admin.is_certified(mine, Scheme.CIRAF, past)


def test_a_certification_starts_at_its_recording_block_or_later(world):
    mine = world.facilities["miner"].facility_id
    now = chain_now(world)
    certification = world.auditor.certify(mine, Scheme.CIRAF, None, now + timedelta(days=9))
    recorded = world.chain.w3.eth.get_block("latest")["timestamp"]
    assert int(certification.valid_from.timestamp()) == recorded
    assert not world.admin.is_certified(mine, Scheme.CIRAF, certification.valid_from - timedelta(seconds=1))
    later = world.auditor.certify(mine, Scheme.ICMM, now + timedelta(days=1), now + timedelta(days=9))
    assert later.valid_from == now + timedelta(days=1)


# -- finding 6a: a revoked participant offers nothing ---------------------------------------------

def test_a_participant_whose_role_was_revoked_cannot_offer_its_lots(world, ledger_now):
    bag = mint_at(world, "miner", "REVOKED-SENDER")
    _, offer = step(ledger_now(), world.miner.note(bag.lot_id), CustodyOperation.OFFER, world.miner, receiver=world.refiner)
    world.admin.revoke_participant(world.miner.address)
    with pytest.raises(RevertedError, match=r"LedgerUnknownRoot\(tree=1, "):
        send(world, "stranger", offer, "an offer proven before the revocation")
    block = world.chain.w3.eth.block_number
    with pytest.raises(UnknownParticipantError, match=f"{world.miner.address} holds no participant role now"):
        world.miner.offer(bag.lot_id, world.refiner.address)
    assert world.chain.w3.eth.block_number == block
    lot = world.auditor.lot(bag.lot_id)
    assert (lot.status, lot.custodian) == (LotStatus.ACTIVE, world.miner.address)


def test_a_mint_proven_before_the_miners_revocation_is_refused_after_it(world):
    """The origin proof opens the miner's participant leaf; revoking the miner removes the leaf and
    forgets the roots that held it, so a mint proven before and sent after proves a root the ledger no
    longer knows (and the SDK refuses before proving: the role is gone)."""
    ledger = world.miner.shielded
    site = world.facilities["miner"].facility_id
    origin = ledger.prepare_origin(site, "REVOKED-MINT", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)
    world.admin.revoke_participant(world.miner.address)
    with pytest.raises(RevertedError, match=r"LedgerUnknownRoot\(tree=1, "):
        send(world, "stranger", ledger.contract.functions.mintOrigin(origin.request, origin.proof, origin.openings),
             "a mint proven before the revocation")
    with pytest.raises(MissingRoleError, match=f"{world.miner.address} lacks MINER_ROLE"):
        world.miner.mint_origin(site, "REVOKED-MINT-2", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 7_000_000)
    assert not world.chain.call(ledger.contract.functions.isMinted(origin.request[1]))


def test_public_inputs_outside_the_field_are_refused_by_the_ledger_itself(world):
    """Sent by hand past the relayer (which refuses them first): a note commitment at or above the
    scalar field, and a mint tag above it, are refused before any proof is checked."""
    ledger = world.miner.shielded
    origin = ledger.prepare_origin(world.facilities["miner"].facility_id, "OUT-OF-FIELD", MaterialKind.COBALT_HYDROXIDE,
                                   700_000, 2_000_000, 7_000_000)
    mint = ledger.contract.functions.mintOrigin
    for commitment in (0, SNARK_SCALAR_FIELD, origin.request[0] + SNARK_SCALAR_FIELD):
        with pytest.raises(RevertedError, match=rf"LedgerInvalidCommitment\(commitment={commitment}\)"):
            send(world, "stranger", mint((commitment, *origin.request[1:]), origin.proof, origin.openings))
    tag = origin.request[1] + SNARK_SCALAR_FIELD
    with pytest.raises(RevertedError, match=rf"ProofInputOutOfField\(index=1, value={tag}\)"):
        send(world, "stranger", mint((origin.request[0], tag, *origin.request[2:]), origin.proof, origin.openings))
    assert not world.chain.call(ledger.contract.functions.isMinted(origin.request[1]))


def test_a_receiver_whose_role_was_revoked_in_transit_cannot_take_the_lot_in(world, ledger_now):
    """Seen while closing finding 6a: the receiver's role is revoked after the offer."""
    bag = mint_at(world, "miner", "REVOKED-RECEIVER")
    world.miner.offer(bag.lot_id, world.refiner.address)
    _, accept = step(ledger_now(), world.refiner.note(bag.lot_id), CustodyOperation.ACCEPT, world.refiner)
    world.admin.revoke_participant(world.refiner.address)
    with pytest.raises(RevertedError, match=r"LedgerUnknownRoot\(tree=1, "):
        send(world, "stranger", accept, "an accept proven before the revocation")
    block = world.chain.w3.eth.block_number
    with pytest.raises(UnknownParticipantError, match=f"{world.refiner.address} holds no participant role now"):
        world.refiner.accept(bag.lot_id, 2_000_000)
    assert world.chain.w3.eth.block_number == block
    world.miner.cancel_offer(bag.lot_id)
    lot = world.auditor.lot(bag.lot_id)
    assert (lot.status, lot.custodian) == (LotStatus.ACTIVE, world.miner.address)


def test_no_lot_is_offered_to_a_participant_whose_role_was_revoked(world):
    """It could never take the lot in (its accept proves a membership it no longer has): the SDK
    refuses the offer before proving."""
    bag = mint_at(world, "miner", "TO-REVOKED")
    world.admin.revoke_participant(world.refiner.address)
    block = world.chain.w3.eth.block_number
    with pytest.raises(UnknownParticipantError, match=f"^{world.refiner.address} is not another registered participant"):
        world.miner.offer(bag.lot_id, world.refiner.address)
    assert world.chain.w3.eth.block_number == block
    assert world.miner.lot(bag.lot_id).status is LotStatus.ACTIVE


# -- finding 6b: an auditor party to a dispute does not resolve it --------------------------------

def test_an_auditor_party_to_a_dispute_as_receiver_or_sender_cannot_resolve_it(world):
    bag = mint_at(world, "miner", "AUDITOR-PARTY")
    world.miner.offer(bag.lot_id, world.auditor.address)
    world.auditor.accept(bag.lot_id, measured_total_grams=1)
    assert world.second_auditor.lot(bag.lot_id).status is LotStatus.DISPUTED
    block = world.chain.w3.eth.block_number
    for outcome in DisputeOutcome:  # the auditor is the receiver
        with pytest.raises(ProofError, match="an auditor who is a party to the dispute cannot resolve it"):
            world.auditor.resolve_dispute(bag.lot_id, outcome)
    assert world.chain.w3.eth.block_number == block
    # An auditor who is no party settles it; then the auditor, now the sender, meets a dispute.
    world.second_auditor.resolve_dispute(bag.lot_id, DisputeOutcome.DELIVER_TO_RECEIVER, "re-weighing")
    world.auditor.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1)
    with pytest.raises(ProofError, match="party to the dispute"):
        world.auditor.resolve_dispute(bag.lot_id, DisputeOutcome.RETURN_TO_SENDER)
    world.second_auditor.resolve_dispute(bag.lot_id, DisputeOutcome.RETURN_TO_SENDER, "re-weighing")
    lot = world.second_auditor.lot(bag.lot_id)
    assert (lot.status, lot.custodian) == (LotStatus.ACTIVE, world.auditor.address)


# -- finding 4: encryption keys -------------------------------------------------------------------

@pytest.mark.parametrize("name", list(BAD_KEYS))
def test_the_registry_refuses_a_key_that_is_no_secp256k1_point(world, name):
    key = BAD_KEYS[name]
    registry = world.admin.registry.functions
    newcomer = world.stranger.address
    with pytest.raises(InvalidEncryptionKeyError, match=r"RegistryInvalidEncryptionKey\(account=" + newcomer.lower()) as refused:
        world.admin.send(registry.registerParticipant(newcomer, Role.AUDITOR.role_id, keccak(text="rogue"), bytes32_text("LEI-ROGUE"),
                                                      int(IdentifierKind.LEI), b"BE", key, world.stranger.shielding_public_key),
                         "register by hand")
    assert refused.value.key == key
    with pytest.raises(InvalidEncryptionKeyError, match="RegistryInvalidEncryptionKey"):
        world.miner.send(world.miner.registry.functions.rotateEncryptionKey(key), "rotate by hand")
    with pytest.raises(InvalidEncryptionKeyError) as refused:
        world.admin.register_participant(newcomer, Role.AUDITOR, "rogue", "LEI-ROGUE", IdentifierKind.LEI, "BE", key,
                                         world.stranger.shielding_public_key)
    assert refused.value.revert is None
    assert not world.admin.is_participant(newcomer)


def test_the_registry_accepts_compressed_and_uncompressed_points(world):
    import coincurve

    point = coincurve.PublicKey(GOOD_KEY)
    world.miner.rotate_encryption_key(point.format(compressed=False))
    world.miner.rotate_encryption_key(GOOD_KEY)
    assert world.admin.participant(world.miner.address).encryption_public_key == GOOD_KEY


def test_one_auditors_unusable_key_stops_no_one_elses_mint_or_offer(world, caplog):
    force_key(world, world.second_auditor.address, OFF_CURVE)
    with caplog.at_level(logging.WARNING):
        bag = mint_at(world, "miner", "BAD-AUDITOR-KEY")
        world.miner.offer(bag.lot_id, world.refiner.address)
    assert bag.created and world.second_auditor.address in caplog.text
    world.refiner.accept(bag.lot_id, world.refiner.note(bag.lot_id).values.total_grams)
    lot = world.auditor.lot(bag.lot_id)  # the other auditor's view key opened every note
    assert (lot.status, lot.custodian, lot.note.values) == (LotStatus.ACTIVE, world.refiner.address, bag.note.values)


def test_a_receiver_with_an_unusable_key_refuses_the_offer(world):
    bag = mint_at(world, "miner", "BAD-RECEIVER-KEY")
    force_key(world, world.refiner.address, OFF_CURVE)
    block = world.chain.w3.eth.block_number
    with pytest.raises(InvalidEncryptionKeyError, match=f"^the encryption key of {world.refiner.address} is not a valid secp256k1 point"):
        world.miner.offer(bag.lot_id, world.refiner.address)
    assert world.chain.w3.eth.block_number == block
    assert world.miner.lot(bag.lot_id).status is LotStatus.ACTIVE

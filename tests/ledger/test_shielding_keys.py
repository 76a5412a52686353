"""Shielding keys in the registry: each participant's leaf carries the key ``Poseidon(SHIELDING_DOMAIN,
s)`` its SDK derives from its signer, the leaf on chain is the Python twin's (and circomlibjs's), a
rotation replaces the leaf and forgets the old one, and a key that no circuit can prove or that
names another participant is refused by the chain and, before sending, by the SDK."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from batterytrace.evm.artifacts import load
from batterytrace.evm.signers import LocalSigner
from batterytrace.evm.toolchain import node_modules
from batterytrace.exceptions import (
    ConfigurationError,
    FieldRangeError,
    InputError,
    InvalidShieldingKeyError,
    RevertedError,
    ShieldingKeyTakenError,
)
from batterytrace.model.membership import MembershipSet, participant_key, participant_leaf, participant_leaf_left
from batterytrace.model.registry import IdentifierKind, Role
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon
from batterytrace.zk.shielding import (
    SHIELDING_DOMAIN,
    SHIELDING_KEY_MESSAGE,
    ShieldingKeys,
    shielding_public_key,
    shielding_secret_from_signature,
)
from tests.helpers.sandbox import ROLE_ACCOUNTS, signer

P = SNARK_SCALAR_FIELD
ENCRYPTION_KEY = b"\x03" + b"\x44" * 32
EIP170_LIMIT_BYTES = 24_576
CIRCOMLIB_POSEIDON = Path(__file__).resolve().parents[1] / "crypto" / "circomlib_poseidon.js"


def circomlib_poseidon(inputs: list[list[int]]) -> list[int]:
    """circomlibjs's Poseidon of each input list, computed by Node in this run."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    result = subprocess.run(["node", str(CIRCOMLIB_POSEIDON)], input=json.dumps([[str(v) for v in case] for case in inputs]),
                            capture_output=True, text=True, env=dict(os.environ, NODE_PATH=str(node_modules())),
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    return [int(value) for value in json.loads(result.stdout)]


def registered(world) -> dict[str, str]:
    return {name: world.clients[name].address for name, (_index, role) in ROLE_ACCOUNTS.items() if role is not None}


def on_chain_leaf(world, account: str) -> int:
    return world.admin.registry.functions.membershipLeaf(int(MembershipSet.PARTICIPANTS), participant_key(account)).call()


def register_stranger(world, key: int):
    """The admin's registerParticipant of the outsider with ``key``, built by hand (no SDK check)."""
    return world.admin.registry.functions.registerParticipant(
        world.stranger.address, Role.MINER.role_id, keccak(text="Stranger SARL"), b"LEI-STRANGER".ljust(32, b"\0"),
        int(IdentifierKind.LEI), b"CD", ENCRYPTION_KEY, key)


def a_client_of(world, name: str) -> BatteryTrace:
    """A client of its own for ``name``'s signer: a rotation changes the keys a client holds, and the
    world's clients outlive the test."""
    return world.clients[name].for_signer(world.clients[name].signer)


# -- the key and its derivation -------------------------------------------------------------------

def test_the_domain_is_the_ascii_of_its_name_and_a_field_element():
    assert SHIELDING_DOMAIN == int.from_bytes(b"batterytrace.shielding.v1", "big")
    assert 0 < SHIELDING_DOMAIN < P and SHIELDING_DOMAIN.bit_length() <= 200


def test_the_derived_key_is_deterministic_per_account_and_differs_between_accounts(world):
    keys = {name: world.clients[name].shielding_public_key for name in world.clients}
    assert len(set(keys.values())) == len(keys)
    for name, client in world.clients.items():
        again = BatteryTrace(world.chain, world.deployment, LocalSigner(Account.from_key(client.signer.private_key)))
        assert again.shielding_keys == client.shielding_keys, name
    miner = world.miner.signer
    signature = miner.sign_message(SHIELDING_KEY_MESSAGE)
    assert signature == miner.sign_message(SHIELDING_KEY_MESSAGE) and len(signature) == 65
    # A standard EIP-191 personal signature by the account, hashed into the field.
    assert Account.recover_message(encode_defunct(text=SHIELDING_KEY_MESSAGE), signature=signature) == miner.address
    secret = int.from_bytes(keccak(signature), "big") % P
    assert world.miner.shielding_keys == ShieldingKeys(secret, poseidon([SHIELDING_DOMAIN, secret]))


def test_the_shielding_key_agrees_with_circomlibjs():
    secrets = [1, 2, 12345, P - 1, shielding_secret_from_signature(signer(2).sign_message(SHIELDING_KEY_MESSAGE))]
    assert [shielding_public_key(secret) for secret in secrets] == circomlib_poseidon([[SHIELDING_DOMAIN, s] for s in secrets])


@pytest.mark.parametrize("secret", [0, P, P + 1, -1, True, 1.0])
def test_a_secret_outside_the_nonzero_field_is_refused(secret):
    with pytest.raises(FieldRangeError, match="shielding secret"):
        ShieldingKeys.from_secret(secret)


@pytest.mark.parametrize("signature", [b"", bytes(64), bytes(66), "00" * 65])
def test_a_secret_is_derived_only_from_a_65_byte_signature(signature):
    with pytest.raises(InputError, match="65-byte signature"):
        shielding_secret_from_signature(signature)


def test_a_signature_hashing_to_the_zero_secret_is_refused(monkeypatch):
    import batterytrace.zk.shielding as shielding

    monkeypatch.setattr(shielding, "keccak", lambda data: P.to_bytes(32, "big"))
    with pytest.raises(FieldRangeError, match="zero secret"):
        shielding_secret_from_signature(bytes(65))


def test_keys_hold_together_and_hide_their_secret():
    keys = ShieldingKeys.from_secret(77)
    with pytest.raises(InputError, match="not the shielding key"):
        ShieldingKeys(77, keys.public_key + 1)
    assert "77" not in repr(keys) and f"{keys.public_key:#x}" in repr(keys)


def test_keys_given_to_a_client_are_used_and_a_signer_that_cannot_sign_messages_needs_them(world):
    keys = ShieldingKeys.from_secret(99)
    assert world.miner.for_signer(world.miner.signer, shielding_keys=keys).shielding_public_key == keys.public_key

    class TransactionsOnly:
        address = world.miner.address

        def sign_transaction(self, transaction):
            return world.miner.signer.sign_transaction(transaction)

    client = BatteryTrace(world.chain, world.deployment, TransactionsOnly())
    with pytest.raises(ConfigurationError, match="pass shielding_keys"):
        client.shielding_public_key


# -- the leaf ----------------------------------------------------------------------------------------

def test_each_participants_leaf_on_chain_is_the_python_twins(world):
    admin = world.admin
    for name, account in registered(world).items():
        record = admin.participant(account)
        flags = admin.operator_risk_flags(account)
        assert record.shielding_key == world.clients[name].shielding_public_key
        assert on_chain_leaf(world, account) == participant_leaf(record, flags), name
    # The layout itself: address in bits 0-159, role index from 160, operator flags from 168.
    artisanal = admin.participant(world.artisanal_miner.address)
    flags = admin.operator_risk_flags(artisanal.address)
    assert flags == RiskFlag.CHILD_LABOUR
    left = int(artisanal.address, 16) | 2 << 160 | int(RiskFlag.CHILD_LABOUR) << 168
    assert participant_leaf_left(artisanal.address, Role.MINER, flags) == left
    assert on_chain_leaf(world, artisanal.address) == poseidon([left, artisanal.shielding_key])


def test_the_leaf_on_chain_agrees_with_circomlibjs(world):
    accounts = list(registered(world).values())
    inputs = []
    for account in accounts:
        record = world.admin.participant(account)
        inputs.append([participant_leaf_left(account, record.role, world.admin.operator_risk_flags(account)), record.shielding_key])
    assert circomlib_poseidon(inputs) == [on_chain_leaf(world, account) for account in accounts]


def test_registration_records_the_key_in_the_event_and_the_record(world):
    newcomer = world.stranger
    receipt = world.admin.register_participant(newcomer.address, Role.RECYCLER, "Stranger SARL", "LEI-STRANGER",
                                               IdentifierKind.LEI, "CD", ENCRYPTION_KEY, newcomer.shielding_public_key)
    (event,) = world.admin.events(receipt, world.admin.registry, "ParticipantRegistered")
    assert event["args"]["shieldingKey"] == newcomer.shielding_public_key
    assert world.admin.participant(newcomer.address).shielding_key == newcomer.shielding_public_key
    assert world.admin.participant_for_shielding_key(newcomer.shielding_public_key) == newcomer.address
    assert world.admin.participant_for_shielding_key(shielding_public_key(5)) is None
    record = world.admin.participant(newcomer.address)
    assert on_chain_leaf(world, newcomer.address) == participant_leaf(record, 0)


def test_a_rotation_replaces_the_leaf_and_the_old_keys_leaf_is_gone(world):
    miner = a_client_of(world, "miner")
    registry = world.admin.registry.functions
    key = participant_key(miner.address)
    old_key = miner.shielding_public_key
    old_leaf = on_chain_leaf(world, miner.address)
    before = world.admin.trees.proof(MembershipSet.PARTICIPANTS, key)
    assert registry.isKnownMembershipRoot(0, before.root).call()
    new_keys = ShieldingKeys.from_secret(31337)

    receipt = miner.rotate_shielding_key(new_keys)

    (event,) = miner.events(receipt, miner.registry, "ShieldingKeyRotated")
    assert dict(event["args"]) == {"account": miner.address, "oldKey": old_key, "newKey": new_keys.public_key}
    assert miner.shielding_keys == new_keys
    record = world.admin.participant(miner.address)
    assert record.shielding_key == new_keys.public_key
    new_leaf = on_chain_leaf(world, miner.address)
    assert new_leaf == participant_leaf(record, world.admin.operator_risk_flags(miner.address)) != old_leaf
    # The old leaf is in no tree and no root that held it is known any more.
    tree = world.admin.trees.tree(MembershipSet.PARTICIPANTS)
    assert old_leaf not in tree.leaves and new_leaf in tree.leaves
    assert tree.root == registry.membershipRoot(0).call()
    assert not registry.isKnownMembershipRoot(0, before.root).call()
    # The old key stays the miner's: no one else may take it, the miner may go back to it.
    assert world.admin.participant_for_shielding_key(old_key) == miner.address
    miner.rotate_shielding_key(world.miner.shielding_keys)
    assert on_chain_leaf(world, miner.address) == old_leaf


def test_rotating_the_encryption_key_leaves_the_leaf_alone(world):
    leaf = on_chain_leaf(world, world.miner.address)
    receipt = world.miner.rotate_encryption_key(b"\x02" + b"\x44" * 32)
    assert world.miner.events(receipt, world.miner.registry, "MembershipLeafChanged") == []
    assert on_chain_leaf(world, world.miner.address) == leaf


# -- refusals: by hand (the chain) and through the SDK (before sending) ----------------------------------

@pytest.mark.parametrize("key", [0, P, 2**256 - 1])
def test_a_key_no_circuit_can_prove_is_refused_by_the_chain(world, key):
    with pytest.raises(RevertedError) as refused:
        world.chain.transact(world.admin.signer, register_stranger(world, key), "register by hand")
    assert refused.value.error_name == "RegistryInvalidShieldingKey"
    assert (refused.value.arguments["account"].lower(), refused.value.arguments["key"]) == (world.stranger.address.lower(), key)
    # Through the client's send, the same revert arrives as its typed twin.
    with pytest.raises(InvalidShieldingKeyError) as twin:
        world.admin.send(register_stranger(world, key), "register by hand")
    assert (twin.value.account.lower(), twin.value.key) == (world.stranger.address.lower(), key) and twin.value.revert is not None
    siblings = world.miner.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(world.miner.address))
    with pytest.raises(InvalidShieldingKeyError, match="RegistryInvalidShieldingKey") as rotated:
        world.miner.send(world.miner.registry.functions.rotateShieldingKey(key, siblings), "rotate by hand")
    assert rotated.value.account.lower() == world.miner.address.lower()


def test_a_key_of_another_participant_is_refused_by_the_chain(world):
    miner_key = world.miner.shielding_public_key
    with pytest.raises(RevertedError) as refused:
        world.chain.transact(world.admin.signer, register_stranger(world, miner_key), "register by hand")
    assert refused.value.error_name == "RegistryShieldingKeyTaken"
    assert (refused.value.arguments["key"], refused.value.arguments["holder"].lower()) == (miner_key, world.miner.address.lower())
    auditor = world.auditor
    siblings = auditor.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(auditor.address))
    with pytest.raises(ShieldingKeyTakenError) as twin:
        auditor.send(auditor.registry.functions.rotateShieldingKey(miner_key, siblings), "rotate by hand")
    assert (twin.value.key, twin.value.holder.lower()) == (miner_key, world.miner.address.lower()) and twin.value.revert is not None


def test_a_key_rotated_away_from_stays_its_holders(world):
    old_key = world.miner.shielding_public_key
    a_client_of(world, "miner").rotate_shielding_key(ShieldingKeys.from_secret(4040))
    with pytest.raises(ShieldingKeyTakenError, match="RegistryShieldingKeyTaken") as refused:
        world.admin.send(register_stranger(world, old_key), "register by hand")
    assert refused.value.holder.lower() == world.miner.address.lower()


@pytest.mark.parametrize("key", [0, P, -1])
def test_the_sdk_refuses_an_invalid_key_before_sending(world, key):
    block = world.chain.w3.eth.block_number
    with pytest.raises(InvalidShieldingKeyError) as refused:
        world.admin.register_participant(world.stranger.address, Role.MINER, "Stranger SARL", "LEI-STRANGER",
                                         IdentifierKind.LEI, "CD", ENCRYPTION_KEY, key)
    assert refused.value.revert is None and refused.value.key == key
    assert world.chain.w3.eth.block_number == block


def test_the_sdk_refuses_a_taken_key_before_sending(world):
    block = world.chain.w3.eth.block_number
    with pytest.raises(ShieldingKeyTakenError) as refused:
        world.admin.register_participant(world.stranger.address, Role.MINER, "Stranger SARL", "LEI-STRANGER",
                                         IdentifierKind.LEI, "CD", ENCRYPTION_KEY, world.oem.shielding_public_key)
    assert refused.value.revert is None and refused.value.holder == world.oem.address
    with pytest.raises(ShieldingKeyTakenError) as rotated:
        a_client_of(world, "auditor").rotate_shielding_key(world.oem.shielding_keys)
    assert rotated.value.holder == world.oem.address
    assert world.chain.w3.eth.block_number == block


def test_the_registry_stays_under_the_eip170_contract_size_limit():
    size = (len(load("Registry").deployed_bytecode) - 2) // 2
    assert size <= EIP170_LIMIT_BYTES, f"Registry is {size:,} bytes, over EIP-170's {EIP170_LIMIT_BYTES:,}"

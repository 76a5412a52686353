"""The contracts under ApeWorX ape's own test runner (`ape test tests/ape`): ape compiles them with
the project's solc wrapper and deploys them on its in-process or anvil provider."""

from __future__ import annotations

import ape
import pytest
from eth_utils import keccak

from batterytrace.zk.shielding import shielding_public_key

AUDITOR_ROLE = keccak(text="AUDITOR_ROLE")
# secp256k1's generator, compressed: a valid point, which the registry requires of a participant's key
ENCRYPTION_KEY = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
# The shielding key of secret 1: a non-zero field element, which the registry requires of a shielding key
SHIELDING_KEY = shielding_public_key(1)


@pytest.fixture
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def linked(project, accounts):
    """The project recompiled with its two linked libraries deployed: PoseidonT3 (from the npm
    package) and RegistryTrees, which links it; ape-solidity links at compile time."""
    compilers = ape.compilers
    deployer = accounts[0]
    poseidon = deployer.deploy(project.dependencies["poseidon-solidity"]["0.0.5"].PoseidonT3)
    compilers.solidity.libraries["contracts/.cache/poseidon-solidity/0.0.5/PoseidonT3.sol"] = {"PoseidonT3": poseidon.address}
    project.load_contracts(use_cache=False)
    trees = deployer.deploy(project.RegistryTrees)
    compilers.solidity.libraries["contracts/lib/RegistryTrees.sol"] = {"RegistryTrees": trees.address}
    project.load_contracts(use_cache=False)
    return project


@pytest.fixture
def registry(linked, admin):
    return admin.deploy(linked.Registry, admin)


def test_admin_registers_an_auditor(registry, admin, accounts):
    registry.registerParticipant(accounts[1], AUDITOR_ROLE, keccak(text="Auditor"), b"LEI".ljust(32, b"\0"), 0, b"GB",
                                 ENCRYPTION_KEY, SHIELDING_KEY, sender=admin)
    assert registry.hasRole(AUDITOR_ROLE, accounts[1])
    assert registry.isParticipant(accounts[1])


def test_a_stranger_cannot_register_participants(registry, accounts):
    with ape.reverts():
        registry.registerParticipant(accounts[2], AUDITOR_ROLE, keccak(text="x"), b"LEI".ljust(32, b"\0"), 0, b"GB",
                                     ENCRYPTION_KEY, SHIELDING_KEY, sender=accounts[2])


def test_the_sdk_sends_with_an_ape_account(accounts, chain):
    """An ape account (here ape's test account) signs the SDK's transactions."""
    from batterytrace.evm.chain import Chain
    from batterytrace.evm.signers import ApeSigner

    sdk_chain = Chain(chain.provider.uri)
    admin = ApeSigner(accounts[3])
    poseidon, _ = sdk_chain.deploy(admin, "PoseidonT3")
    trees, _ = sdk_chain.deploy(admin, "RegistryTrees", libraries={"PoseidonT3": poseidon})
    address, receipt = sdk_chain.deploy(admin, "Registry", admin.address, libraries={"PoseidonT3": poseidon, "RegistryTrees": trees})
    registry = sdk_chain.contract("Registry", address)
    assert receipt.succeeded
    assert registry.functions.hasRole(bytes(32), accounts[3].address).call()

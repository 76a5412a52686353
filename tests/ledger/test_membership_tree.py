"""The membership trees' infrastructure: ``contracts/lib/MembershipTree.sol`` (zk-kit's LeanIMT with
a ring of recent roots, PoseidonT3 linked) on a real anvil, ``batterytrace.zk.merkle.LeanIMT`` and
zk-kit's own JS tree (``@zk-kit/lean-imt`` with circomlibjs's Poseidon) give the same roots, siblings
and proofs for any sequence of inserts, updates and removals; the contract refuses bad leaves and
wrong siblings and forgets a root after ``ROOT_HISTORY_SIZE`` changes.

The contract is driven through a test-only harness (``tests/contracts/MembershipTreeHarness.sol``)
compiled by the shipped build's compile path and deployed with ``Chain.deploy_artifact``.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batterytrace.evm.artifacts import SHIPPED_CONTRACTS, Artifact, compile_all, link_bytecode, load, require_linked
from batterytrace.evm.chain import Chain, Receipt
from batterytrace.evm.node import LocalNode
from batterytrace.evm.reverts import ErrorDecoder
from batterytrace.evm.toolchain import project_root
from batterytrace.exceptions import (
    ConfigurationError,
    DuplicateLeafError,
    InvalidLeafError,
    RevertedError,
    UnknownLeafError,
    UnlinkedLibraryError,
)
from batterytrace.sdk.deployment import Deployment
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.merkle import LeanIMT, MembershipProof, poseidon_pair, verify_proof
from tests.helpers.lean_imt import ZkKitTree
from tests.helpers.sandbox import signer

HARNESS = "MembershipTreeHarness"
TREE_EXAMPLES = int(os.environ.get("BATTERYTRACE_FUZZ_EXAMPLES", "25"))


# -- the three trees -------------------------------------------------------------------------------


@dataclass
class TreeOnChain:
    """One deployed harness: the library's functions as Python calls, each change's index read from
    the harness's ``LeafChanged`` event."""

    chain: Chain
    contract: Any
    sender: Any

    def send(self, function: Any, description: str) -> tuple[int, int]:
        """Send a change, wait for it, and return the (index, root) its ``LeafChanged`` event reports."""
        receipt = self.chain.transact(self.sender, function, description)
        assert isinstance(receipt, Receipt)
        (event,) = [self.contract.events.LeafChanged().process_log(log) for log in receipt.logs]
        return event["args"]["index"], event["args"]["root"]

    def _change(self, function: Any, description: str) -> int:
        index, root = self.send(function, description)
        assert root == self.root
        return index

    def insert(self, leaf: int) -> int:
        return self._change(self.contract.functions.insert(leaf), f"insert {leaf}")

    def update(self, old_leaf: int, new_leaf: int, siblings: tuple[int, ...]) -> int:
        return self._change(self.contract.functions.update(old_leaf, new_leaf, list(siblings)), f"update {old_leaf}")

    def remove(self, leaf: int, siblings: tuple[int, ...]) -> int:
        return self._change(self.contract.functions.remove(leaf, list(siblings)), f"remove {leaf}")

    @property
    def root(self) -> int:
        return self.contract.functions.root().call()

    @property
    def size(self) -> int:
        return self.contract.functions.size().call()

    @property
    def depth(self) -> int:
        return self.contract.functions.depth().call()

    def is_known(self, root: int) -> bool:
        return self.contract.functions.isKnownRoot(root).call()


@dataclass(frozen=True)
class Harness:
    chain: Chain
    artifact: Artifact
    poseidon: str
    history_size: int

    def deploy(self) -> TreeOnChain:
        sender = signer(18)
        address, _receipt = self.chain.deploy_artifact(sender, self.artifact, libraries={"PoseidonT3": self.poseidon})
        return TreeOnChain(self.chain, self.chain.w3.eth.contract(address=address, abi=self.artifact.abi), sender)


@pytest.fixture(scope="module")
def compiled() -> dict[str, Artifact]:
    """The harness and PoseidonT3, compiled from tests/contracts with the shipped build's compiler,
    settings and import resolution."""
    return compile_all(folder="tests/contracts", names=(HARNESS, "PoseidonT3")).artifacts


@pytest.fixture(scope="module")
def harness(anvil: LocalNode, compiled: dict[str, Artifact]) -> Iterator[Harness]:
    """PoseidonT3 deployed once, on a chain that also decodes the harness's errors; the module's
    transactions are rolled back afterwards."""
    chain = Chain(anvil.url)
    chain.errors = ErrorDecoder([*(load(name).abi for name in SHIPPED_CONTRACTS if name != "PoseidonT3"), compiled[HARNESS].abi])
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        poseidon, _receipt = chain.deploy_artifact(signer(18), compiled["PoseidonT3"])
        tree = Harness(chain, compiled[HARNESS], poseidon, 0).deploy()
        yield Harness(chain, compiled[HARNESS], poseidon, tree.contract.functions.rootHistorySize().call())
    finally:
        chain.w3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture(scope="module")
def zk_kit() -> Iterator[ZkKitTree]:
    tree = ZkKitTree()
    yield tree
    tree.close()


def reverted(error_name: str):
    """Expect a revert with custom error ``error_name``."""
    return pytest.raises(RevertedError, match=rf"reverted: {error_name}\b")


# -- the same root on chain, in Python and in zk-kit's JS -----------------------------------------

# Small leaves collide (duplicates, re-inserting a removed leaf); large ones cover the whole field.
LEAVES = st.one_of(st.integers(1, 40), st.integers(1, SNARK_SCALAR_FIELD - 1))
OPERATIONS = st.lists(st.tuples(st.sampled_from(["insert", "insert", "update", "remove"]), st.integers(0, 2**32), LEAVES),
                      min_size=1, max_size=24)


@settings(max_examples=TREE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_random_sequences_give_one_root_on_chain_in_python_and_in_zk_kit(harness, zk_kit, operations):
    on_chain, tree = harness.deploy(), LeanIMT()
    functions = on_chain.contract.functions
    applied: list[list[Any]] = []  # what zk-kit replays: the changes both trees accepted
    used_siblings: list[tuple[int, ...]] = []
    changes: list[tuple[int, int]] = []  # (index, root) after each accepted change, in Python
    on_chain_changes: list[tuple[int, int]] = []  # the same, from the harness's events
    for kind, pick, leaf in operations:
        live = [value for value in tree.leaves if value]
        if kind == "insert" or not live:
            if tree.has(leaf):
                with pytest.raises(DuplicateLeafError):
                    tree.insert(leaf)
                with reverted("MembershipTreeLeafExists"):
                    on_chain.send(functions.insert(leaf), f"insert {leaf} again")
                continue
            on_chain_changes.append(on_chain.send(functions.insert(leaf), f"insert {leaf}"))
            index = tree.insert(leaf)
            applied.append(["insert", leaf])
        else:
            old = live[pick % len(live)]
            siblings = tree.siblings(old)
            used_siblings.append(siblings)
            if kind == "update" and not tree.has(leaf):
                on_chain_changes.append(on_chain.send(functions.update(old, leaf, list(siblings)), f"update {old}"))
                index = tree.update(old, leaf)
                applied.append(["update", old, leaf])
            else:
                on_chain_changes.append(on_chain.send(functions.remove(old, list(siblings)), f"remove {old}"))
                index = tree.remove(old)
                applied.append(["remove", old])
        changes.append((index, tree.root))

    assert on_chain_changes == changes
    assert (on_chain.root, on_chain.size, on_chain.depth) == (tree.root, tree.size, tree.depth)
    recent = [root for _index, root in changes[-harness.history_size:]]
    assert all(on_chain.is_known(root) == (root != 0) for root in recent)
    roots = [root for _index, root in changes]
    live = [value for value in tree.leaves if value]
    zk = zk_kit.run(operations=applied, proofs=live)
    assert [int(root) for root in zk["roots"]] == roots
    assert [tuple(int(node) for node in siblings) for siblings in zk["siblings"]] == used_siblings
    assert (zk["size"], zk["depth"]) == (tree.size, tree.depth)
    for leaf, proof in zip(live, zk["proofs"], strict=True):
        ours = tree.proof(leaf)
        assert (ours.path_index, ours.siblings, ours.root) == (proof["index"], tuple(map(int, proof["siblings"])), int(proof["root"]))
        assert verify_proof(ours)


def test_ten_thousand_leaves_match_zk_kit_in_bulk_one_by_one_and_after_updates(zk_kit):
    generator = random.Random(13)
    leaves = list(dict.fromkeys(generator.randrange(1, SNARK_SCALAR_FIELD) for _ in range(10_000)))
    assert len(leaves) == 10_000
    bulk = LeanIMT(leaves[:9_000])
    for leaf in leaves[9_000:]:  # the rest one by one, the root read after each: paths hashed as they come
        bulk.insert(leaf)
        bulk.root  # noqa: B018 - reading the root hashes the new path
    changed = generator.sample(leaves, 20)
    replacements = [leaf + 1 if leaf + 1 < SNARK_SCALAR_FIELD and leaf + 1 not in leaves else leaf - 1 for leaf in changed]
    operations = []
    for old, new in zip(changed[:10], replacements[:10], strict=True):
        bulk.update(old, new)
        operations.append(["update", old, new])
    for old in changed[10:]:
        bulk.remove(old)
        operations.append(["remove", old])
    proven = [leaves[0], leaves[4_095], leaves[4_096], leaves[-1], replacements[0]]
    zk = zk_kit.run(leaves=leaves, operations=operations, proofs=proven)
    assert (bulk.size, bulk.depth, bulk.root) == (zk["size"], zk["depth"], int(zk["root"])) == (10_000, 14, bulk.root)
    for leaf, proof in zip(proven, zk["proofs"], strict=True):
        ours = bulk.proof(leaf)
        assert (ours.index, ours.path_index, ours.siblings) == (bulk.index_of(leaf), proof["index"], tuple(map(int, proof["siblings"])))
        assert verify_proof(ours)
    one_by_one = LeanIMT()
    for count, leaf in enumerate(leaves[:300], start=1):
        one_by_one.insert(leaf)
        if count in (1, 2, 3, 64, 65, 255, 256, 257):  # around the depth changes
            assert one_by_one.root == LeanIMT(leaves[:count]).root
    assert one_by_one.root == LeanIMT(leaves[:300]).root


def test_small_trees_have_zk_kits_shape():
    assert (LeanIMT().root, LeanIMT().depth, LeanIMT([7]).root, LeanIMT([7]).depth) == (0, 0, 7, 0)
    three = LeanIMT([1, 2, 3])
    # The third leaf has no right sibling: it is promoted unhashed, root = H(H(1, 2), 3).
    assert three.depth == 2 and three.root == poseidon_pair(poseidon_pair(1, 2), 3)
    assert three.siblings(3) == (poseidon_pair(1, 2),) and three.siblings(1) == (2, 3)
    assert LeanIMT([1, 2, 3, 4, 5]).root == poseidon_pair(poseidon_pair(poseidon_pair(1, 2), poseidon_pair(3, 4)), 5)


# -- proofs ----------------------------------------------------------------------------------------


def test_a_proof_verifies_and_any_tampering_fails():
    tree = LeanIMT(range(1, 12))
    tree.remove(4)
    proof = tree.proof(7)
    assert proof.leaf == 7 and proof.index == 6 and verify_proof(proof)
    tampered = [
        MembershipProof(8, proof.index, proof.path_index, proof.siblings, proof.root),
        MembershipProof(7, proof.index, proof.path_index ^ 1, proof.siblings, proof.root),
        MembershipProof(7, proof.index, proof.path_index, (proof.siblings[0] + 1, *proof.siblings[1:]), proof.root),
        MembershipProof(7, proof.index, proof.path_index, proof.siblings[:-1], proof.root),
        MembershipProof(7, proof.index, proof.path_index, proof.siblings, tree.proof(8).root + 1),
        MembershipProof(0, 0, 0, (), 0),
    ]
    assert [verify_proof(bad) for bad in tampered] == [False] * len(tampered)
    with pytest.raises(UnknownLeafError):
        tree.proof(4)  # removed


# -- root history ----------------------------------------------------------------------------------


def test_a_root_stays_known_for_the_next_n_minus_1_changes_then_is_forgotten(harness):
    on_chain, tree = harness.deploy(), LeanIMT()
    n = harness.history_size
    assert n == 32 and not on_chain.is_known(0)  # the empty tree's root is never known
    on_chain.insert(1001)
    tree.insert(1001)
    first_root = on_chain.root
    assert on_chain.is_known(first_root) and first_root == 1001
    roots = [first_root]
    for change in range(1, n):  # n - 1 more changes: inserts, and updates that move the first leaf
        if change % 3:
            on_chain.insert(2000 + change)
            tree.insert(2000 + change)
        else:
            old = next(leaf for leaf in tree.leaves if leaf)
            on_chain.update(old, 5000 + change, tree.siblings(old))
            tree.update(old, 5000 + change)
        roots.append(on_chain.root)
        assert on_chain.root == tree.root
        assert on_chain.is_known(first_root), f"the first root is forgotten after {change} changes"
    assert all(on_chain.is_known(root) for root in roots)
    on_chain.insert(9999)  # the n-th change after the first root overwrites it
    assert not on_chain.is_known(first_root)
    assert all(on_chain.is_known(root) for root in roots[1:]) and on_chain.is_known(on_chain.root)
    assert not on_chain.is_known(first_root + 1) and not on_chain.is_known(0)


def test_a_root_that_comes_back_is_known_from_its_latest_change_and_an_emptied_tree_knows_no_zero(harness):
    on_chain, tree = harness.deploy(), LeanIMT()
    n = harness.history_size
    on_chain.insert(11)
    tree.insert(11)
    on_chain.insert(12)
    tree.insert(12)
    root_a = tree.root
    for step in range(n - 1):  # the root alternates A, B, A, ...: A recorded again and again
        old, new = (12, 13) if step % 2 == 0 else (13, 12)
        on_chain.update(old, new, tree.siblings(old))
        tree.update(old, new)
    assert on_chain.root == tree.root and on_chain.is_known(root_a)
    for leaf in (11, tree.leaves[1]):
        on_chain.remove(leaf, tree.siblings(leaf))
        tree.remove(leaf)
    assert on_chain.root == tree.root == poseidon_pair(0, 0)  # two removed leaves still hash
    single = harness.deploy()
    single.insert(77)
    single.remove(77, ())
    assert single.root == 0 and not single.is_known(0) and single.is_known(77)


def test_forgetting_past_roots_leaves_only_the_current_one_and_later_roots_accumulate_again(harness):
    on_chain = harness.deploy()
    on_chain.contract.functions.forgetPastRoots().call()  # an empty tree: nothing to forget, no revert
    harness.chain.transact(on_chain.sender, on_chain.contract.functions.forgetPastRoots(), "forget on an empty tree")
    roots = []
    for leaf in (21, 22, 23):
        on_chain.insert(leaf)
        roots.append(on_chain.root)
    assert all(on_chain.is_known(root) for root in roots)
    harness.chain.transact(on_chain.sender, on_chain.contract.functions.forgetPastRoots(), "forget")
    assert [on_chain.is_known(root) for root in roots] == [False, False, True]
    for leaf in (24, 25):
        on_chain.insert(leaf)
        roots.append(on_chain.root)
    assert [on_chain.is_known(root) for root in roots] == [False, False, True, True, True]
    assert on_chain.contract.functions.changes().call() == 5


# -- refusals --------------------------------------------------------------------------------------


def test_wrong_siblings_are_refused_and_change_nothing(harness):
    on_chain, tree = harness.deploy(), LeanIMT()
    for leaf in range(101, 108):  # seven leaves: leaf 107 is promoted at the first level
        on_chain.insert(leaf)
        tree.insert(leaf)
    root, siblings = on_chain.root, tree.siblings(103)
    wrong_value = (siblings[0] + 1, *siblings[1:])
    with reverted("WrongSiblingNodes"):
        on_chain.update(103, 200, wrong_value)
    with reverted("WrongSiblingNodes"):
        on_chain.remove(103, tree.siblings(104))  # a neighbour's path
    with reverted("WrongSiblingNodes"):
        on_chain.update(103, 200, tuple(reversed(siblings)))
    with reverted("MembershipTreeWrongSiblingCount"):
        on_chain.update(103, 200, siblings[:-1])
    with reverted("MembershipTreeWrongSiblingCount"):
        on_chain.remove(103, (*siblings, 5))  # zk-kit alone would ignore the extra sibling
    assert len(tree.siblings(107)) == 2  # no sibling at level 0: the count follows the tree's edge
    with reverted("MembershipTreeWrongSiblingCount"):
        on_chain.remove(107, (108, *tree.siblings(107)))
    with reverted("LeafGreaterThanSnarkScalarField"):
        on_chain.update(103, 200, (siblings[0] + SNARK_SCALAR_FIELD, *siblings[1:]))
    assert on_chain.root == root and on_chain.contract.functions.changes().call() == 7
    assert on_chain.update(103, 200, siblings) == tree.update(103, 200) == 2
    assert on_chain.root == tree.root


def test_zero_out_of_field_duplicate_and_unknown_leaves_are_refused_in_python_and_on_chain(harness):
    on_chain, tree = harness.deploy(), LeanIMT([5])
    on_chain.insert(5)
    for leaf in (0, SNARK_SCALAR_FIELD, 2**256 - 1):
        with pytest.raises(InvalidLeafError):
            tree.insert(leaf)
        with pytest.raises(InvalidLeafError):
            tree.update(5, leaf)
    with reverted("MembershipTreeLeafZero"):
        on_chain.insert(0)
    with reverted("MembershipTreeLeafZero"):
        on_chain.update(5, 0, ())
    with pytest.raises(RevertedError) as refused:
        on_chain.insert(SNARK_SCALAR_FIELD)
    assert refused.value.error_name == "MembershipTreeLeafOutOfField"
    assert refused.value.arguments == {"leaf": SNARK_SCALAR_FIELD}
    with reverted("MembershipTreeLeafOutOfField"):
        on_chain.update(5, 2**256 - 1, ())
    with pytest.raises(RevertedError) as refused:
        on_chain.insert(5)
    assert (refused.value.error_name, refused.value.arguments) == ("MembershipTreeLeafExists", {"leaf": 5, "index": 0})
    with pytest.raises(DuplicateLeafError) as duplicate:
        tree.insert(5)
    assert (duplicate.value.leaf, duplicate.value.index) == (5, 0)
    with pytest.raises(DuplicateLeafError):
        LeanIMT().insert_many([3, 4, 3])
    for attempt in (lambda: on_chain.update(6, 7, ()), lambda: on_chain.remove(6, ()),
                    lambda: harness.chain.call(on_chain.contract.functions.indexOf(6), "indexOf 6")):
        with reverted("MembershipTreeLeafUnknown"):
            attempt()
    for attempt in (lambda: tree.update(6, 7), lambda: tree.remove(6), lambda: tree.index_of(6)):
        with pytest.raises(UnknownLeafError):
            attempt()
    assert (on_chain.root, on_chain.size) == (tree.root, tree.size) == (5, 1)


# -- linking ---------------------------------------------------------------------------------------


def test_a_bytecode_with_an_unlinked_library_is_never_sent(harness, compiled):
    artifact = compiled[HARNESS]
    assert artifact.libraries == ("PoseidonT3",)
    sender = signer(18)
    nonce = harness.chain.w3.eth.get_transaction_count(sender.address)
    with pytest.raises(UnlinkedLibraryError, match="node_modules/poseidon-solidity/PoseidonT3.sol:PoseidonT3") as refused:
        harness.chain.deploy_artifact(sender, artifact)
    assert refused.value.contract == HARNESS and isinstance(refused.value, ConfigurationError)
    with pytest.raises(UnlinkedLibraryError):
        require_linked(HARNESS, artifact.bytecode)
    with pytest.raises(ConfigurationError, match="20 bytes"):
        artifact.linked({"PoseidonT3": "0x1234"})
    assert harness.chain.w3.eth.get_transaction_count(sender.address) == nonce
    linked = link_bytecode(HARNESS, artifact.bytecode, artifact.link_references,
                           {"node_modules/poseidon-solidity/PoseidonT3.sol:PoseidonT3": harness.poseidon})
    assert "__$" not in linked and harness.poseidon.lower()[2:] in linked
    assert len(linked) == len(artifact.bytecode)
    places = [place for places in artifact.link_references.values() for entries in places.values() for place in entries]
    assert all(linked[2 + 2 * place["start"]:2 + 2 * (place["start"] + 20)] == harness.poseidon.lower()[2:] for place in places)
    deployed = harness.deploy().contract.address
    on_chain = "0x" + bytes(harness.chain.w3.eth.get_code(deployed)).hex()
    assert on_chain == artifact.linked_runtime({"PoseidonT3": harness.poseidon})  # the harness has no immutables


def test_the_shipped_build_resolves_the_tree_packages_and_a_deployment_records_poseidon(tmp_path):
    from batterytrace.evm.artifacts import SOLC_SETTINGS, _resolve_import

    assert _resolve_import("contracts/lib/MembershipTree.sol", "@zk-kit/lean-imt.sol/InternalLeanIMT.sol") == (
        "node_modules/@zk-kit/lean-imt.sol/InternalLeanIMT.sol")
    assert _resolve_import("node_modules/@zk-kit/lean-imt.sol/InternalLeanIMT.sol", "poseidon-solidity/PoseidonT3.sol") == (
        "node_modules/poseidon-solidity/PoseidonT3.sol")
    for remapping in SOLC_SETTINGS["remappings"]:
        assert (project_root() / remapping.split("=", 1)[1]).is_dir()
    assert "PoseidonT3" in SHIPPED_CONTRACTS
    fields = {"chain_id": 31337, "registry": "0x1", "ledger": "0x2", "passport": "0x3", "origin_verifier": "0x4",
              "custody_verifier": "0x5", "note_transform_verifier": "0x6", "pack_batch_verifier": "0x9", "admin": "0x7",
              "block_number": 9}
    deployment = Deployment(**fields, poseidon_t3="0x8")
    deployment.save(tmp_path / "d.json")
    assert Deployment.load(tmp_path / "d.json") == deployment and deployment.libraries == {"PoseidonT3": "0x8"}
    (tmp_path / "old.json").write_text(json.dumps(fields))  # written before the trees: no library
    assert Deployment.load(tmp_path / "old.json").libraries == {}

"""The shielded notes' tree: ``contracts/lib/NoteTree.sol`` (an append-only Poseidon LeanIMT with a
ring of recent roots, PoseidonT3 linked) on a real anvil gives, for any sequence of inserts and
batches, the roots of ``batterytrace.zk.merkle.LeanIMT`` and of zk-kit's own JS tree; a batch gives
the root its leaves inserted one by one would; the ring forgets exactly the 65th-newest root; bad
leaves, empty batches and a 33rd level are refused with their arguments; an insert writes three
slots and hashes once per 1 bit of its index, and costs less than zk-kit's ``InternalLeanIMT``.

The library is driven through test-only harnesses (``tests/contracts/NoteTreeHarness.sol``: the
library, and zk-kit's tree as a yardstick) compiled by the shipped build's compile path and deployed
with ``Chain.deploy_artifact``. Trees of 2^20 and 2^32 leaves are reached with the harness's
``setFrontier``: a tree of n copies of one leaf has the peaks v, H(v, v), H(H(v, v), H(v, v)), ...,
so its state and roots cost a few dozen hashes; its roots are checked against the LeanIMT's
recursive definition (``reference_root``), independent of both the library and the Python twin.

The gas figures (``test_gas_...``) are printed with ``-s``; ``BATTERYTRACE_NOTE_TREE_GAS_SAMPLE``
sets how many inserts each figure averages (1,024 for the report, fewer by default for speed).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from batterytrace.evm.artifacts import SHIPPED_CONTRACTS, Artifact, compile_all, load
from batterytrace.evm.chain import Chain, Receipt
from batterytrace.evm.node import LocalNode
from batterytrace.evm.reverts import ErrorDecoder
from batterytrace.exceptions import DuplicateLeafError, RevertedError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.merkle import LeanIMT, MembershipProof, poseidon_pair, verify_proof
from tests.helpers.lean_imt import ZkKitTree
from tests.helpers.sandbox import signer

HARNESS = "NoteTreeHarness"
YARDSTICK = "ZkKitLeanIMTHarness"
TREE_EXAMPLES = int(os.environ.get("BATTERYTRACE_FUZZ_EXAMPLES", "25"))
GAS_SAMPLE = int(os.environ.get("BATTERYTRACE_NOTE_TREE_GAS_SAMPLE", "16"))
#: The gas limit of a transaction sent without an estimate: above a batch of 8 at depth 32.
SEND_GAS = 5_000_000
MAX_SIZE = 2**32
#: The harness's storage: the tree is its only variable, so the struct's members sit from slot 0:
#: 33 side nodes (levels 0..32), the 64 recent roots, then size and change count packed in one slot.
SIDE_NODES_SLOT, RECENT_ROOTS_SLOT, COUNTERS_SLOT = 0, 33, 33 + 64


# -- the LeanIMT by its definition, for trees too large to build ------------------------------------


@cache
def full_subtree(leaf: int, level: int) -> int:
    """The root of 2^level copies of ``leaf``."""
    return leaf if level == 0 else poseidon_pair(full_subtree(leaf, level - 1), full_subtree(leaf, level - 1))


def reference_root(prefix_leaf: int, prefix_size: int, tail: Sequence[int]) -> int:
    """The LeanIMT root of ``prefix_size`` copies of ``prefix_leaf`` followed by ``tail``, by the
    recursive definition: a tree of n > 1 leaves of depth d is the hash of the complete tree of its
    first 2^(d-1) leaves and the LeanIMT of the rest (carried up unhashed to depth d - 1)."""

    def node(first: int, count: int) -> int:
        if first + count <= prefix_size and count & (count - 1) == 0:
            return full_subtree(prefix_leaf, count.bit_length() - 1)
        if count == 1:
            return tail[first - prefix_size]
        half = 1 << ((count - 1).bit_length() - 1)
        return poseidon_pair(node(first, half), node(first + half, count - half))

    total = prefix_size + len(tail)
    return node(0, total) if total else 0


def uniform_frontier(leaf: int, size: int, generator: random.Random) -> list[int]:
    """The side nodes of a tree of ``size`` copies of ``leaf``: its peaks at the 1 bits of ``size``,
    and at the 0 bits random values, which the library must never read (a real tree holds stale
    nodes there); every level non-zero, as in a tree that has grown past them."""
    return [full_subtree(leaf, level) if (size >> level) & 1 else generator.randrange(1, SNARK_SCALAR_FIELD)
            for level in range(max(size.bit_length(), 1))]


def frontier(leaves: Sequence[int], generator: random.Random) -> list[int]:
    """The side nodes of a tree of ``leaves``: each peak is the Python twin's root of the complete
    subtree it covers; random values elsewhere."""
    size = len(leaves)
    nodes = []
    for level in range(max(size.bit_length(), 1)):
        if (size >> level) & 1:
            end = (size >> level) << level
            nodes.append(LeanIMT(leaves[end - (1 << level):end]).root)
        else:
            nodes.append(generator.randrange(1, SNARK_SCALAR_FIELD))
    return nodes


def batch_hashes(size: int, count: int) -> int:
    """How many hashes appending ``count`` leaves to ``size`` in one batch needs: each new complete
    node once, then the new root folded from the peaks (one hash fewer than the peaks)."""
    new_size = size + count
    complete = sum((new_size >> level) - (size >> level) for level in range(1, new_size.bit_length()))
    return complete + new_size.bit_count() - 1


def fresh_leaves(generator: random.Random, count: int) -> list[int]:
    return [generator.randrange(1, SNARK_SCALAR_FIELD) for _ in range(count)]


# -- the tree on chain -----------------------------------------------------------------------------


@dataclass
class TreeOnChain:
    """One deployed harness. ``send`` goes through ``Chain.transact`` (simulated first, a revert
    decoded with its arguments); ``send_all`` pipelines many transactions through anvil's unlocked
    account without estimates, for the long runs."""

    chain: Chain
    contract: Any
    sender: Any

    def send(self, function: Any, description: str) -> Receipt:
        receipt = self.chain.transact(self.sender, function, description)
        assert isinstance(receipt, Receipt)
        return receipt

    def send_all(self, functions: Sequence[Any]) -> list[Any]:
        w3 = self.chain.w3
        hashes = [function.transact({"from": self.sender.address, "gas": SEND_GAS}) for function in functions]
        receipts = [w3.eth.wait_for_transaction_receipt(sent, poll_latency=0.002) for sent in hashes]
        assert [receipt["status"] for receipt in receipts] == [1] * len(receipts)
        return receipts

    def appended(self, receipt: Any) -> tuple[int, int, int]:
        """The (index, count, root) of a change's ``NotesAppended`` event."""
        logs = receipt.logs if isinstance(receipt, Receipt) else receipt["logs"]
        (event,) = [self.contract.events.NotesAppended().process_log(log) for log in logs]
        return event["args"]["index"], event["args"]["count"], event["args"]["root"]

    def insert(self, leaf: int) -> tuple[int, int]:
        """Insert through ``Chain.transact``; the (index, root) its event reports."""
        index, count, root = self.appended(self.send(self.contract.functions.insert(leaf), f"insert {leaf}"))
        assert count == 1 and root == self.root
        return index, root

    def insert_many(self, leaves: Sequence[int]) -> tuple[int, int]:
        index, count, root = self.appended(self.send(self.contract.functions.insertMany(list(leaves)), "insertMany"))
        assert count == len(leaves) and root == self.root
        return index, root

    def set_frontier(self, size: int, side_nodes: Sequence[int]) -> None:
        self.send_all([self.contract.functions.setFrontier(size, list(side_nodes))])

    def read(self, calls: Sequence[Any]) -> list[Any]:
        """Many view calls in one JSON-RPC batch."""
        with self.chain.w3.batch_requests() as batch:
            for call in calls:
                batch.add(call)
            return list(batch.execute())

    @property
    def state(self) -> tuple[int, int, int]:
        """(root, size, depth)."""
        functions = self.contract.functions
        root, size, depth = self.read([functions.root(), functions.size(), functions.depth()])
        return root, size, depth

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

    def known(self, roots: Sequence[int]) -> list[bool]:
        """``isKnownRoot`` of each of ``roots``."""
        return self.read([self.contract.functions.isKnownRoot(root) for root in roots]) if roots else []


@dataclass(frozen=True)
class Harness:
    chain: Chain
    artifacts: dict[str, Artifact]
    poseidon: str

    def deploy(self, name: str = HARNESS) -> TreeOnChain:
        sender = signer(18)
        address, _receipt = self.chain.deploy_artifact(sender, self.artifacts[name], libraries={"PoseidonT3": self.poseidon})
        return TreeOnChain(self.chain, self.chain.w3.eth.contract(address=address, abi=self.artifacts[name].abi), sender)

    def snapshot(self) -> str:
        return self.chain.w3.provider.make_request("evm_snapshot", [])["result"]

    def revert(self, snapshot: str) -> None:
        assert self.chain.w3.provider.make_request("evm_revert", [snapshot])["result"] is True

    def trace(self, receipt: Any, tracer: str, diff: bool = False) -> dict[str, Any]:
        transaction = receipt.transaction_hash if isinstance(receipt, Receipt) else "0x" + bytes(receipt["transactionHash"]).hex()
        options: dict[str, Any] = {"tracer": tracer}
        if diff:
            options["tracerConfig"] = {"diffMode": True}
        return self.chain.w3.provider.make_request("debug_traceTransaction", [transaction, options])["result"]

    def poseidon_calls(self, receipt: Any) -> int:
        """How many PoseidonT3 calls a transaction made (anvil's call tracer)."""
        def count(call: dict[str, Any]) -> int:
            own = int(call.get("to", "").lower() == self.poseidon.lower())
            return own + sum(count(inner) for inner in call.get("calls", []))
        return count(self.trace(receipt, "callTracer"))

    def written_slots(self, receipt: Any, address: str) -> set[int]:
        """The storage slots of ``address`` a transaction changed (anvil's prestate tracer, diff mode)."""
        post = {account.lower(): state for account, state in self.trace(receipt, "prestateTracer", diff=True)["post"].items()}
        return {int(slot, 16) for slot in post.get(address.lower(), {}).get("storage", {})}


@pytest.fixture(scope="module")
def compiled() -> dict[str, Artifact]:
    """The harnesses and PoseidonT3, compiled from tests/contracts with the shipped build's compiler,
    settings and import resolution."""
    return compile_all(folder="tests/contracts", names=(HARNESS, YARDSTICK, "PoseidonT3")).artifacts


@pytest.fixture(scope="module")
def harness(anvil: LocalNode, compiled: dict[str, Artifact]) -> Iterator[Harness]:
    """PoseidonT3 deployed once, on a chain that also decodes the harness's errors; the module's
    transactions are rolled back afterwards."""
    chain = Chain(anvil.url)
    chain.errors = ErrorDecoder([*(load(name).abi for name in SHIPPED_CONTRACTS if name != "PoseidonT3"), compiled[HARNESS].abi])
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        poseidon, _receipt = chain.deploy_artifact(signer(18), compiled["PoseidonT3"])
        yield Harness(chain, compiled, poseidon)
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


# -- the same roots on chain, in Python and in zk-kit's JS -----------------------------------------

# Each change: (one by one, how many leaves); one by one sends that many inserts, else one batch.
CHANGES = st.lists(st.one_of(st.tuples(st.just(True), st.integers(1, 4)), st.tuples(st.just(False), st.integers(1, 8))),
                   min_size=1, max_size=8)


@settings(max_examples=TREE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.integers(0, 70), changes=CHANGES, seed=st.integers(0, 2**64))
@example(prefix=0, changes=[(True, 4), (True, 4), (False, 1), (False, 8), (True, 2)], seed=1)  # sizes 1..19
@example(prefix=62, changes=[(False, 3), (True, 2), (False, 8)], seed=2)  # 64 and 65 inside a batch
def test_random_inserts_and_batches_give_the_roots_of_the_python_twin_and_zk_kit(harness, zk_kit, prefix, changes, seed):
    generator = random.Random(seed)
    prefix_leaves = fresh_leaves(generator, prefix)
    on_chain, tree = harness.deploy(), LeanIMT(prefix_leaves)
    if prefix:
        on_chain.set_frontier(prefix, frontier(prefix_leaves, generator))
    functions, operations = [], []
    expected: list[tuple[int, int, int]] = []  # (index, count, root) of each change, in Python
    stepwise = LeanIMT(prefix_leaves)  # every leaf one by one, for the roots inside each batch
    between: list[int] = []  # those roots, which never enter the history
    for one_by_one, count in changes:
        leaves = fresh_leaves(generator, count)
        for leaf in leaves:
            stepwise.insert(leaf)
            between.append(stepwise.root)
        if one_by_one:
            for leaf in leaves:
                functions.append(on_chain.contract.functions.insert(leaf))
                operations.append(["insert", leaf])
                expected.append((tree.insert(leaf), 1, tree.root))
        else:
            functions.append(on_chain.contract.functions.insertMany(leaves))
            operations.append(["insertMany", leaves])
            expected.append((tree.insert_many(leaves), count, tree.root))

    assert [on_chain.appended(receipt) for receipt in on_chain.send_all(functions)] == expected
    roots = [root for _index, _count, root in expected]
    zk = zk_kit.run(leaves=prefix_leaves, operations=operations, proofs=[tree.leaves[0], tree.leaves[-1]])
    assert [int(root) for root in zk["roots"]] == roots
    assert on_chain.state == (tree.root, tree.size, tree.depth) == (int(zk["root"]), zk["size"], zk["depth"])
    unrecorded = sorted(set(between) - set(roots))
    assert len(roots) <= 64 and on_chain.known([*roots, *unrecorded]) == [True] * len(roots) + [False] * len(unrecorded)
    for proof in zk["proofs"]:  # a wallet's proof against the tree's root verifies in Python
        leaf, siblings = int(proof["leaf"]), tuple(map(int, proof["siblings"]))
        assert verify_proof(MembershipProof(leaf, tree.index_of(leaf), proof["index"], siblings, tree.root))


def test_duplicate_leaves_are_appended_like_any_other_and_match_zk_kits_js_tree(harness, zk_kit):
    on_chain = harness.deploy()
    operations = [["insert", 5], ["insert", 5], ["insertMany", [5, 7, 5]], ["insert", 7], ["insertMany", [7]]]
    changes = [on_chain.insert(leaf) if kind == "insert" else on_chain.insert_many(leaf) for kind, leaf in operations]
    zk = zk_kit.run(operations=operations)
    assert [root for _index, root in changes] == [int(root) for root in zk["roots"]]
    assert [index for index, _root in changes] == [0, 1, 2, 5, 6]
    assert on_chain.root == reference_root(0, 0, [5, 5, 5, 7, 5, 7, 7]) and on_chain.size == 7
    with pytest.raises(DuplicateLeafError):  # the membership trees' twin keeps leaves unique; notes need not
        LeanIMT([5, 5])


def test_the_smallest_trees_have_zk_kits_shape(harness):
    on_chain = harness.deploy()
    assert (on_chain.root, on_chain.size, on_chain.depth) == (0, 0, 0)
    assert on_chain.insert(11) == (0, 11) and on_chain.depth == 0  # one leaf: the root is the leaf
    assert on_chain.insert(12) == (1, poseidon_pair(11, 12)) and on_chain.depth == 1
    # The third leaf has no right sibling: carried up unhashed, root = H(H(11, 12), 13).
    assert on_chain.insert(13) == (2, poseidon_pair(poseidon_pair(11, 12), 13)) and on_chain.depth == 2
    assert on_chain.insert_many([14, 15]) == (3, LeanIMT([11, 12, 13, 14, 15]).root) and on_chain.depth == 3


# -- a batch is its leaves one by one --------------------------------------------------------------

# Sizes around powers of two, up to the last batch that fills the tree.
BATCH_STARTS = (0, 3, 7, 13, 1023, 2**20 - 3, 2**32 - 8)


@pytest.mark.parametrize("start", BATCH_STARTS)
def test_a_batch_of_1_to_8_gives_the_root_of_its_leaves_inserted_one_by_one(harness, start):
    generator = random.Random(start)
    prefix_leaf = generator.randrange(1, SNARK_SCALAR_FIELD)
    side_nodes = uniform_frontier(prefix_leaf, start, generator)
    in_batches, one_by_one = harness.deploy(), harness.deploy()
    if start:
        in_batches.set_frontier(start, side_nodes)
        one_by_one.set_frontier(start, side_nodes)
    for count in range(1, 9):
        leaves = fresh_leaves(generator, count)
        expected, new_size = reference_root(prefix_leaf, start, leaves), start + count
        snapshot = harness.snapshot()
        (batch,) = in_batches.send_all([in_batches.contract.functions.insertMany(leaves)])
        singles = one_by_one.send_all([one_by_one.contract.functions.insert(leaf) for leaf in leaves])
        roots = [one_by_one.appended(receipt)[2] for receipt in singles]
        assert in_batches.appended(batch) == (start, count, expected) and roots[-1] == expected
        assert in_batches.state == one_by_one.state == (expected, new_size, (new_size - 1).bit_length())
        # Only the root after the whole batch is recorded: the ones between its leaves are not.
        assert in_batches.known(roots) == [False] * (count - 1) + [True]
        assert harness.poseidon_calls(batch) == batch_hashes(start, count)
        harness.revert(snapshot)


# -- what an insert writes and hashes --------------------------------------------------------------


def test_an_insert_writes_one_side_node_the_root_and_the_counters_and_hashes_at_each_1_bit(harness):
    """The design's claim, change by change: inserting index i writes the side node at the lowest 0
    bit of i, one ring slot and the counters' slot, and calls PoseidonT3 popcount(i) times."""
    generator = random.Random(20)
    starts = {0: 34, 2**10 - 3: 5, 2**20 - 5: 7, 2**32 - 4: 4}  # first index -> inserts from there
    for start, count in starts.items():
        on_chain, prefix_leaf = harness.deploy(), generator.randrange(1, SNARK_SCALAR_FIELD)
        if start:
            on_chain.set_frontier(start, uniform_frontier(prefix_leaf, start, generator))
        leaves = fresh_leaves(generator, count)
        receipts = on_chain.send_all([on_chain.contract.functions.insert(leaf) for leaf in leaves])
        for change, (index, receipt) in enumerate(zip(range(start, start + count), receipts, strict=True)):
            lowest_zero_bit = (~index & (index + 1)).bit_length() - 1
            assert harness.written_slots(receipt, on_chain.contract.address) == {
                SIDE_NODES_SLOT + lowest_zero_bit, RECENT_ROOTS_SLOT + change % 64, COUNTERS_SLOT}, index
            assert harness.poseidon_calls(receipt) == index.bit_count(), index
        assert on_chain.root == reference_root(prefix_leaf, start, leaves)


def test_a_batch_writes_a_side_node_only_where_the_new_size_has_a_new_peak(harness):
    generator = random.Random(21)
    for start, count in ((0, 4), (3, 4), (5, 3), (6, 8), (2**20 - 3, 4)):
        on_chain, prefix_leaf = harness.deploy(), generator.randrange(1, SNARK_SCALAR_FIELD)
        if start:
            on_chain.set_frontier(start, uniform_frontier(prefix_leaf, start, generator))
        receipt = on_chain.send_all([on_chain.contract.functions.insertMany(fresh_leaves(generator, count))])[0]
        new_size = start + count
        # A level gets a new peak where the new size has a 1 bit and the batch completed a node there.
        new_peaks = {level for level in range(new_size.bit_length())
                     if (new_size >> level) & 1 and new_size >> level != start >> level}
        assert harness.written_slots(receipt, on_chain.contract.address) == {
            *(SIDE_NODES_SLOT + level for level in new_peaks), RECENT_ROOTS_SLOT, COUNTERS_SLOT}
        one_by_one = sum(index.bit_count() for index in range(start, new_size))
        assert harness.poseidon_calls(receipt) == batch_hashes(start, count) <= one_by_one


# -- root history ----------------------------------------------------------------------------------


def test_the_ring_keeps_the_last_64_roots_and_forgets_exactly_the_65th_newest(harness):
    on_chain = harness.deploy()
    history = on_chain.contract.functions.rootHistorySize().call()
    assert history == 64 and not on_chain.is_known(0)  # the empty tree's root, 0, is never known
    generator = random.Random(22)
    functions = []
    for change in range(history + 2):  # inserts and batches of 2 to 4, alternately
        leaves = fresh_leaves(generator, 1 + change % 4)
        functions.append(on_chain.contract.functions.insert(leaves[0]) if len(leaves) == 1
                         else on_chain.contract.functions.insertMany(leaves))
    receipts = on_chain.send_all(functions[:history])
    roots = [on_chain.appended(receipt)[2] for receipt in receipts]
    assert len(set(roots)) == history and on_chain.known(roots) == [True] * history
    on_chain.send_all(functions[history:history + 1])  # the 65th change: the first root is the 65th newest
    roots.append(on_chain.root)
    assert on_chain.known(roots) == [False] + [True] * history
    on_chain.send_all(functions[history + 1:])
    roots.append(on_chain.root)
    assert on_chain.known([*roots, 0, roots[-1] + 1]) == [False, False] + [True] * history + [False, False]


# -- refusals --------------------------------------------------------------------------------------


def test_zero_out_of_field_and_empty_inputs_are_refused_with_their_arguments_and_change_nothing(harness):
    on_chain = harness.deploy()
    functions = on_chain.contract.functions
    on_chain.insert(5)
    for function in (functions.insert(0), functions.insertMany([7, 0, 8])):
        with pytest.raises(RevertedError) as refused:
            on_chain.send(function, "a zero leaf")
        assert (refused.value.error_name, refused.value.arguments) == ("NoteTreeLeafZero", {})
    for leaf in (SNARK_SCALAR_FIELD, 2**256 - 1):
        for function in (functions.insert(leaf), functions.insertMany([7, 8, leaf])):
            with pytest.raises(RevertedError) as refused:
                on_chain.send(function, "a leaf out of the field")
            assert (refused.value.error_name, refused.value.arguments) == ("NoteTreeLeafOutOfField", {"leaf": leaf})
    with reverted("NoteTreeLeafOutOfField"):  # the first bad leaf of a batch is the one reported
        on_chain.insert_many([SNARK_SCALAR_FIELD + 1, 0])
    with pytest.raises(RevertedError) as refused:
        on_chain.insert_many([])
    assert (refused.value.error_name, refused.value.arguments) == ("NoteTreeEmptyBatch", {})
    assert (on_chain.root, on_chain.size) == (5, 1)
    assert on_chain.insert(SNARK_SCALAR_FIELD - 1) == (1, poseidon_pair(5, SNARK_SCALAR_FIELD - 1))


def test_the_tree_takes_exactly_2_to_the_32_leaves_and_refuses_the_next(harness):
    on_chain = harness.deploy()
    assert on_chain.contract.functions.maxDepth().call() == 32
    generator = random.Random(23)
    prefix_leaf, start = generator.randrange(1, SNARK_SCALAR_FIELD), MAX_SIZE - 3
    on_chain.set_frontier(start, uniform_frontier(prefix_leaf, start, generator))
    first, second, third = fresh_leaves(generator, 3)
    assert on_chain.insert(first) == (MAX_SIZE - 3, reference_root(prefix_leaf, start, [first]))
    with pytest.raises(RevertedError) as refused:  # three more would make 2^32 + 1
        on_chain.insert_many([second, third, first])
    assert (refused.value.error_name, refused.value.arguments) == ("NoteTreeFull", {"size": MAX_SIZE - 2})
    assert on_chain.insert_many([second, third]) == (MAX_SIZE - 2, reference_root(prefix_leaf, start, [first, second, third]))
    assert (on_chain.size, on_chain.depth) == (MAX_SIZE, 32)
    full_root = on_chain.root
    for attempt in (lambda: on_chain.insert(first), lambda: on_chain.insert_many([first])):
        with pytest.raises(RevertedError) as refused:
            attempt()
        assert (refused.value.error_name, refused.value.arguments) == ("NoteTreeFull", {"size": MAX_SIZE})
    assert (on_chain.root, on_chain.size) == (full_root, MAX_SIZE) and on_chain.is_known(full_root)


def test_the_last_leaf_one_by_one_fills_the_tree_at_depth_32(harness):
    on_chain = harness.deploy()
    generator = random.Random(24)
    prefix_leaf, start = generator.randrange(1, SNARK_SCALAR_FIELD), MAX_SIZE - 2
    on_chain.set_frontier(start, uniform_frontier(prefix_leaf, start, generator))
    last_but_one, last = fresh_leaves(generator, 2)
    assert on_chain.insert(last_but_one) == (MAX_SIZE - 2, reference_root(prefix_leaf, start, [last_but_one]))
    assert on_chain.insert(last) == (MAX_SIZE - 1, reference_root(prefix_leaf, start, [last_but_one, last]))
    assert (on_chain.size, on_chain.depth) == (MAX_SIZE, 32)
    with reverted("NoteTreeFull"):
        on_chain.insert(last)


# -- gas -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GasFigure:
    """Averages over a run of transactions: gas as used, gas less the intrinsic part (21,000 and
    the calldata, EIP-2028: the contract's own), and PoseidonT3 calls."""

    used: float
    execution: float
    hashes: float

    @classmethod
    def of(cls, harness: Harness, receipts: Sequence[Any]) -> GasFigure:
        used = [receipt["gasUsed"] for receipt in receipts]
        inputs = [bytes(harness.chain.w3.eth.get_transaction(receipt["transactionHash"])["input"]) for receipt in receipts]
        intrinsic = [21_000 + sum(16 if byte else 4 for byte in data) for data in inputs]
        hashes = [harness.poseidon_calls(receipt) for receipt in receipts]
        return cls(sum(used) / len(used), sum(u - i for u, i in zip(used, intrinsic, strict=True)) / len(used),
                   sum(hashes) / len(hashes))


def _measure(harness: Harness, name: str, start: int, generator: random.Random) -> tuple[GasFigure, GasFigure]:
    """``GAS_SAMPLE`` inserts from index ``start`` into a ``name`` harness, then ``GAS_SAMPLE / 4``
    batches of 4. From a non-zero start the tree is set to ``start`` leaves with every side node (and,
    for the note tree, every ring slot) already written, as in a tree that has grown there."""
    on_chain, prefix_leaf = harness.deploy(name), generator.randrange(1, SNARK_SCALAR_FIELD)
    warm_up = 64 if start and name == HARNESS else 0  # fill the ring, as 64 earlier changes would have
    if start:
        on_chain.set_frontier(start - warm_up, uniform_frontier(prefix_leaf, start - warm_up, generator))
        on_chain.send_all([on_chain.contract.functions.insert(leaf) for leaf in fresh_leaves(generator, warm_up)])
    functions = on_chain.contract.functions
    inserts = on_chain.send_all([functions.insert(leaf) for leaf in fresh_leaves(generator, GAS_SAMPLE)])
    batches = on_chain.send_all([functions.insertMany(fresh_leaves(generator, 4)) for _ in range(GAS_SAMPLE // 4)])
    return GasFigure.of(harness, inserts), GasFigure.of(harness, batches)


def test_gas_an_insert_and_a_batch_cost_less_than_with_zk_kits_tree(harness):
    """``GAS_SAMPLE`` inserts, then ``GAS_SAMPLE / 4`` batches of 4, from an empty tree and from
    ``2^20 - GAS_SAMPLE / 2`` (so the inserts straddle 2^20) with every slot already written, into
    both harnesses (the event included, the same in both; zk-kit's tree keeps no root history)."""
    generator = random.Random(25)
    near = 2**20 - GAS_SAMPLE // 2
    figures = {name: (*_measure(harness, name, 0, generator), *_measure(harness, name, near, generator))
               for name in (HARNESS, YARDSTICK)}
    labels = (f"insert, indices 0..{GAS_SAMPLE - 1}", f"insertMany of 4, the next {GAS_SAMPLE} leaves",
              f"insert, indices 2^20 - {GAS_SAMPLE // 2}..2^20 + {GAS_SAMPLE // 2 - 1}", f"insertMany of 4, the next {GAS_SAMPLE} leaves")
    print()
    for name, row in figures.items():
        for label, figure in zip(labels, row, strict=True):
            print(f"{name}: {label}: {figure.used:,.0f} gas used, {figure.execution:,.0f} execution, "
                  f"{figure.hashes:.2f} PoseidonT3 calls")
    ours, theirs = figures[HARNESS], figures[YARDSTICK]
    assert ours[0].hashes == sum(index.bit_count() for index in range(GAS_SAMPLE)) / GAS_SAMPLE
    assert all(mine.execution < zk_kits.execution and mine.hashes <= zk_kits.hashes
               for mine, zk_kits in zip(ours, theirs, strict=True))
    assert ours[1].execution < 4 * ours[0].execution and ours[3].execution < 4 * ours[2].execution  # a batch of 4 < 4 inserts

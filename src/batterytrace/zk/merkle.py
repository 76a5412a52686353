"""zk-kit's Lean incremental Merkle tree (LeanIMT) over Poseidon, as the registry's membership trees
keep it on chain (``contracts/lib/MembershipTree.sol`` over zk-kit's ``InternalLeanIMT``).

The semantics are exactly zk-kit's (``@zk-kit/lean-imt`` 2.2.5, ``@zk-kit/lean-imt.sol`` 2.0.1):

- a parent is ``Poseidon(left, right)`` (circomlib's 2-input Poseidon); a node with no right child
  is its left child, promoted unhashed, so there are no zero subtrees and the depth is the smallest
  d with 2^d >= size;
- the root of an empty tree is 0 (the contract's), of one leaf the leaf itself;
- leaves are unique, non-zero and below the field; removing a leaf sets it to 0 (the size stays).

Levels are kept as lists. Inserts only append to the leaves: the levels above are brought up to
date when something reads them (root, siblings, proof), in one pass over the new leaves' paths, so
replaying 10,000 insert events costs about 10,000 hashes, not 10,000 root recomputations. An update
or removal rehashes one path.

A :class:`MembershipProof` is what a circuit (Semaphore v4's ``BinaryMerkleRoot`` style) consumes:
the leaf, the siblings bottom up and ``path_index`` (zk-kit's proof ``index``: bit i set when
``siblings[i]`` is the left input), checked by :func:`verify_proof`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from batterytrace.exceptions import DuplicateLeafError, InvalidLeafError, UnknownLeafError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon

#: A hash of two field elements into one.
PairHash = Callable[[int, int], int]


def poseidon_pair(left: int, right: int) -> int:
    """The tree's node hash: circomlib ``Poseidon(2)([left, right])``, PoseidonT3 on chain."""
    return poseidon([left, right])


@dataclass(frozen=True)
class MembershipProof:
    """That ``leaf`` sits at ``index`` of the tree whose root is ``root``.

    ``siblings`` are bottom up, one per level where the leaf's node has a sibling (what
    ``MembershipTree.update``/``remove`` take); ``path_index`` has bit i set when ``siblings[i]`` is
    the left input of the i-th hash (zk-kit's proof ``index``).
    """

    leaf: int
    index: int
    path_index: int
    siblings: tuple[int, ...]
    root: int


def verify_proof(proof: MembershipProof, hash_pair: PairHash = poseidon_pair) -> bool:
    """Whether hashing ``proof.leaf`` up with its siblings gives ``proof.root`` (zk-kit's
    ``LeanIMT.verifyProof``). A root of 0 (an empty tree's) proves nothing."""
    if proof.root == 0:
        return False
    node = proof.leaf
    for level, sibling in enumerate(proof.siblings):
        node = hash_pair(sibling, node) if (proof.path_index >> level) & 1 else hash_pair(node, sibling)
    return node == proof.root


def require_valid_leaf(leaf: int) -> None:
    """Raise InvalidLeafError unless ``leaf`` may be a tree's leaf: a non-zero int below the BN254
    scalar field (``MembershipTreeLeafZero``, ``MembershipTreeLeafOutOfField``)."""
    if type(leaf) is not int or not 0 < leaf < SNARK_SCALAR_FIELD:
        raise InvalidLeafError(leaf)


class LeanIMT:
    """A LeanIMT whose roots, siblings and proofs are those zk-kit's JS and Solidity trees give."""

    def __init__(self, leaves: Iterable[int] = (), hash_pair: PairHash = poseidon_pair, *, unique: bool = True) -> None:
        """``unique=False`` mirrors the ledger's note tree, where the same commitment may be
        appended twice (contracts/lib/NoteTree.sol): a repeat is accepted, ``index_of`` gives its
        first position, and :meth:`proof_at` proves any position."""
        self._hash = hash_pair
        self._unique = unique
        # _levels[0] are the leaves; _levels[k + 1][j] is the parent of _levels[k][2j] and [2j + 1].
        self._levels: list[list[int]] = [[]]
        self._indices: dict[int, int] = {}
        # The first leaf whose path above level 0 is not hashed yet (None: every level is current).
        self._stale_from: int | None = None
        leaves = list(leaves)
        if leaves:
            self.insert_many(leaves)

    # -- reading -----------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """How many leaves were ever inserted (removed ones are zero leaves)."""
        return len(self._levels[0])

    @property
    def depth(self) -> int:
        """The smallest d with 2^d >= size (0 for an empty tree or one leaf)."""
        return (self.size - 1).bit_length() if self.size else 0

    @property
    def leaves(self) -> tuple[int, ...]:
        """Every leaf in order, zero where one was removed."""
        return tuple(self._levels[0])

    @property
    def root(self) -> int:
        """The root: 0 for an empty tree, the leaf for one leaf."""
        if not self.size:
            return 0
        self._rehash()
        return self._levels[self.depth][0]

    def has(self, leaf: int) -> bool:
        """Whether ``leaf`` is in the tree (a removed leaf is not)."""
        return leaf in self._indices

    def index_of(self, leaf: int) -> int:
        """The position of ``leaf``; UnknownLeafError if it is not in the tree."""
        try:
            return self._indices[leaf]
        except KeyError:
            raise UnknownLeafError(leaf) from None

    def siblings(self, leaf: int) -> tuple[int, ...]:
        """The siblings of ``leaf``'s path bottom up, one per level where its node has one: the
        ``siblings`` argument of ``MembershipTree.update``/``remove`` (InternalLeanIMT's order)."""
        return self.proof(leaf).siblings

    def proof(self, leaf: int) -> MembershipProof:
        """A membership proof of ``leaf`` against the current root."""
        return self.proof_at(self.index_of(leaf))

    def proof_at(self, index: int) -> MembershipProof:
        """A membership proof of the leaf at ``index`` against the current root."""
        if not 0 <= index < self.size:
            raise IndexError(f"no leaf at index {index}: the tree holds {self.size}")
        leaf = self._levels[0][index]
        self._rehash()
        siblings: list[int] = []
        path_index = 0
        position = index
        for level in range(self.depth):
            nodes = self._levels[level]
            sibling = position ^ 1
            if sibling < len(nodes):
                path_index |= (position & 1) << len(siblings)
                siblings.append(nodes[sibling])
            position >>= 1
        return MembershipProof(leaf, index, path_index, tuple(siblings), self.root)

    # -- changing ----------------------------------------------------------------------------------

    def insert(self, leaf: int) -> int:
        """Append ``leaf`` and return its index. InvalidLeafError for zero or out of the field,
        DuplicateLeafError for a leaf already in the tree."""
        self._require_new(leaf)
        return self._append([leaf])

    def insert_many(self, leaves: Iterable[int]) -> int:
        """Append ``leaves`` in order and return the first one's index; nothing is inserted if one
        of them is invalid, already in the tree or given twice."""
        batch = list(leaves)
        seen: dict[int, int] = {}
        for position, leaf in enumerate(batch):
            self._require_new(leaf)
            if leaf in seen and self._unique:
                raise DuplicateLeafError(leaf, self.size + seen[leaf])
            seen.setdefault(leaf, position)
        return self._append(batch)

    def update(self, old_leaf: int, new_leaf: int) -> int:
        """Replace ``old_leaf`` by ``new_leaf`` in place and return its index (the contract's
        ``update``; its siblings come from :meth:`siblings` before the change)."""
        index = self.index_of(old_leaf)
        self._require_new(new_leaf)
        self._set(index, old_leaf, new_leaf)
        return index

    def remove(self, leaf: int) -> int:
        """Set ``leaf`` to zero, as zk-kit removes it, and return its index."""
        index = self.index_of(leaf)
        self._set(index, leaf, 0)
        return index

    # -- inside ------------------------------------------------------------------------------------

    def _require_new(self, leaf: int) -> None:
        require_valid_leaf(leaf)
        if leaf in self._indices and self._unique:
            raise DuplicateLeafError(leaf, self._indices[leaf])

    def _append(self, batch: list[int]) -> int:
        first = self.size
        self._levels[0].extend(batch)
        for offset, leaf in enumerate(batch):
            self._indices.setdefault(leaf, first + offset)
        if batch and self._stale_from is None:
            self._stale_from = first
        return first

    def _set(self, index: int, old_leaf: int, new_leaf: int) -> None:
        self._rehash()
        del self._indices[old_leaf]
        if new_leaf:
            self._indices[new_leaf] = index
        node = new_leaf
        position = index
        for level in range(self.depth):
            nodes = self._levels[level]
            nodes[position] = node
            if position & 1:
                node = self._hash(nodes[position - 1], node)
            elif position + 1 < len(nodes):
                node = self._hash(node, nodes[position + 1])
            position >>= 1
        self._levels[self.depth][0] = node

    def _rehash(self) -> None:
        """Hash up the paths of the leaves appended since the levels were last current: at level k
        the nodes from ``stale_from >> k`` on, as zk-kit's ``insertMany`` does."""
        if self._stale_from is None:
            return
        depth = self.depth
        while len(self._levels) <= depth:
            self._levels.append([])
        start = self._stale_from
        for level in range(depth):
            nodes, parents = self._levels[level], self._levels[level + 1]
            first = start >> 1
            del parents[first:]
            for position in range(first, (len(nodes) + 1) // 2):
                left = 2 * position
                parents.append(self._hash(nodes[left], nodes[left + 1]) if left + 1 < len(nodes) else nodes[left])
            start = first
        self._stale_from = None

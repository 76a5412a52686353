// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {InternalLeanIMT, LeanIMTData} from "@zk-kit/lean-imt.sol/InternalLeanIMT.sol";
import {SNARK_SCALAR_FIELD} from "@zk-kit/lean-imt.sol/Constants.sol";

/// @title MembershipTree
/// @notice A Poseidon Lean incremental Merkle tree (zk-kit's LeanIMT) with the roots of its last
/// `ROOT_HISTORY_SIZE` changes, so a proof made against a root a few changes old still verifies.
/// The registry keeps one per membership set (participants, activated facilities, certifications).
/// @dev The tree itself is zk-kit's `InternalLeanIMT`; its Poseidon is `PoseidonT3`, an external
/// library linked at deployment. This library checks every argument first and reverts with its own
/// errors, which carry the offending values; only wrong sibling values reach zk-kit's checks, which
/// revert `WrongSiblingNodes()` (or `LeafGreaterThanSnarkScalarField()` for a sibling outside the
/// field). It emits nothing: each change returns the leaf's index and `root` gives the new root,
/// which is what the calling contract's own event must carry for an indexer to rebuild the tree
/// (leaf index, old and new leaf, new root). The Python twin is `batterytrace.zk.merkle.LeanIMT`.
library MembershipTree {
    /// @notice How many roots stay known: the current one and those of the previous
    /// `ROOT_HISTORY_SIZE - 1` changes.
    uint256 internal constant ROOT_HISTORY_SIZE = 32;

    /// @notice A tree and its recent roots. Members are for this library's functions alone.
    /// @param _tree zk-kit's tree: size, depth, the side nodes and each leaf's index + 1.
    /// @param _recentRoots a ring of the roots after the last changes, the newest at
    /// `(_changes - 1) % ROOT_HISTORY_SIZE`.
    /// @param _changes how many inserts, updates and removals the tree has had.
    /// @param _knownFrom the first change whose root is still known (`forgetPastRoots`). Packed with
    /// `_changes` in one slot, so a change that also forgets writes that slot once.
    struct Tree {
        LeanIMTData _tree;
        uint256[ROOT_HISTORY_SIZE] _recentRoots;
        uint128 _changes;
        uint128 _knownFrom;
    }

    /// @notice A leaf is zero: LeanIMT reserves zero for removed leaves (use `remove`).
    error MembershipTreeLeafZero();

    /// @notice A leaf is not below the BN254 scalar field, so no circuit could prove it.
    /// @param leaf the leaf given.
    error MembershipTreeLeafOutOfField(uint256 leaf);

    /// @notice A leaf is already in the tree; leaves are unique.
    /// @param leaf the leaf given.
    /// @param index where the tree holds it.
    error MembershipTreeLeafExists(uint256 leaf, uint256 index);

    /// @notice A leaf to update or remove is not in the tree.
    /// @param leaf the leaf given.
    error MembershipTreeLeafUnknown(uint256 leaf);

    /// @notice The siblings given for an update or removal are not as many as the leaf's path has.
    /// @param leaf the leaf being changed.
    /// @param expected how many siblings its path has (levels where the node has a sibling).
    /// @param given how many were given.
    error MembershipTreeWrongSiblingCount(uint256 leaf, uint256 expected, uint256 given);

    /// @notice Appends `leaf` as the tree's next leaf and records the new root.
    /// @dev Requirements:
    /// - `leaf` is not zero and is below the BN254 scalar field;
    /// - `leaf` is not in the tree.
    /// @param self the tree.
    /// @param leaf the new leaf.
    /// @return index the leaf's position (the tree's size before the insert).
    function insert(Tree storage self, uint256 leaf) internal returns (uint256 index) {
        _requireNewLeaf(self, leaf);
        index = self._tree.size;
        _recordRoot(self, InternalLeanIMT._insert(self._tree, leaf));
    }

    /// @notice Replaces `oldLeaf` by `newLeaf` at the same position and records the new root.
    /// @dev Requirements:
    /// - `oldLeaf` is in the tree;
    /// - `newLeaf` is not zero, is below the BN254 scalar field and is not in the tree;
    /// - `siblings` are the siblings of `oldLeaf`'s path, bottom up, one per level where its node
    ///   has a sibling (zk-kit's `generateProof(index).siblings`; `batterytrace.zk.merkle`'s
    ///   `LeanIMT.siblings`); wrong values revert zk-kit's `WrongSiblingNodes()`.
    /// @param self the tree.
    /// @param oldLeaf the leaf to replace.
    /// @param newLeaf its replacement.
    /// @param siblings the siblings of the leaf's path.
    /// @return index the position of the changed leaf.
    function update(Tree storage self, uint256 oldLeaf, uint256 newLeaf, uint256[] calldata siblings)
        internal
        returns (uint256 index)
    {
        _requireNewLeaf(self, newLeaf);
        index = _requireSiblings(self, oldLeaf, siblings);
        _recordRoot(self, InternalLeanIMT._update(self._tree, oldLeaf, newLeaf, siblings));
    }

    /// @notice Sets `oldLeaf` to zero, as zk-kit removes a leaf (the size stays; the position is
    /// never reused), and records the new root. The removed value may be inserted again later, at
    /// a new position.
    /// @dev Requirements:
    /// - `oldLeaf` is in the tree;
    /// - `siblings` are the siblings of its path, as for `update`.
    /// @param self the tree.
    /// @param oldLeaf the leaf to remove.
    /// @param siblings the siblings of the leaf's path.
    /// @return index the position of the removed leaf.
    function remove(Tree storage self, uint256 oldLeaf, uint256[] calldata siblings) internal returns (uint256 index) {
        index = _requireSiblings(self, oldLeaf, siblings);
        _recordRoot(self, InternalLeanIMT._remove(self._tree, oldLeaf, siblings));
    }

    /// @notice The current root: zero for an empty tree, the leaf itself for a tree of one leaf.
    /// @param self the tree.
    /// @return the root.
    function root(Tree storage self) internal view returns (uint256) {
        return InternalLeanIMT._root(self._tree);
    }

    /// @notice How many leaves were ever inserted (removed ones included: they are zero leaves).
    /// @param self the tree.
    /// @return the number of leaves.
    function size(Tree storage self) internal view returns (uint256) {
        return self._tree.size;
    }

    /// @notice The tree's depth: the smallest d with 2^d >= size.
    /// @param self the tree.
    /// @return the depth.
    function depth(Tree storage self) internal view returns (uint256) {
        return self._tree.depth;
    }

    /// @notice Whether `leaf` is in the tree (a removed leaf is not).
    /// @param self the tree.
    /// @param leaf the leaf.
    /// @return true when the tree holds `leaf`.
    function has(Tree storage self, uint256 leaf) internal view returns (bool) {
        return InternalLeanIMT._has(self._tree, leaf);
    }

    /// @notice The position of `leaf`.
    /// @dev Requirements: `leaf` is in the tree.
    /// @param self the tree.
    /// @param leaf the leaf.
    /// @return the leaf's index.
    function indexOf(Tree storage self, uint256 leaf) internal view returns (uint256) {
        if (!InternalLeanIMT._has(self._tree, leaf)) {
            revert MembershipTreeLeafUnknown(leaf);
        }
        return InternalLeanIMT._indexOf(self._tree, leaf);
    }

    /// @notice How many changes (inserts, updates, removals) the tree has had.
    /// @param self the tree.
    /// @return the number of changes.
    function changes(Tree storage self) internal view returns (uint256) {
        return self._changes;
    }

    /// @notice Whether `candidate` is the current root or the root after one of the previous
    /// `ROOT_HISTORY_SIZE - 1` changes. Zero (the empty tree's root, and the root once every leaf is
    /// removed) is never a known root.
    /// @dev Looks from the newest root back, so a recent root costs few storage reads; an unknown one
    /// reads every stored root.
    /// @param self the tree.
    /// @param candidate the root a proof was made against.
    /// @return true when `candidate` is known.
    function isKnownRoot(Tree storage self, uint256 candidate) internal view returns (bool) {
        if (candidate == 0) {
            return false;
        }
        uint256 changeCount = self._changes;
        uint256 stored = changeCount - self._knownFrom;
        if (stored > ROOT_HISTORY_SIZE) stored = ROOT_HISTORY_SIZE;
        for (uint256 back = 1; back <= stored; ++back) {
            if (self._recentRoots[(changeCount - back) % ROOT_HISTORY_SIZE] == candidate) {
                return true;
            }
        }
        return false;
    }

    /// @notice Forgets every root but the current one, so no proof against an earlier root passes
    /// `isKnownRoot`: for a change that must act at once (a member revoked, a flag raised, a
    /// validity window ended), which a proof against an older root would otherwise outlive.
    /// @param self the tree.
    function forgetPastRoots(Tree storage self) internal {
        uint256 changeCount = self._changes;
        if (changeCount != 0) self._knownFrom = uint128(changeCount - 1);
    }

    /// @dev Reverts unless `leaf` may enter the tree: non-zero, in the field, not already there.
    function _requireNewLeaf(Tree storage self, uint256 leaf) private view {
        if (leaf == 0) {
            revert MembershipTreeLeafZero();
        }
        if (leaf >= SNARK_SCALAR_FIELD) {
            revert MembershipTreeLeafOutOfField(leaf);
        }
        if (InternalLeanIMT._has(self._tree, leaf)) {
            revert MembershipTreeLeafExists(leaf, InternalLeanIMT._indexOf(self._tree, leaf));
        }
    }

    /// @dev Reverts unless `leaf` is in the tree and `siblings` has one entry per level where the
    /// leaf's node has a sibling: a left node on the tree's right edge has none (it is promoted
    /// unhashed). zk-kit would ignore extra siblings and fail with a bare panic on missing ones.
    /// @return index the leaf's position.
    function _requireSiblings(Tree storage self, uint256 leaf, uint256[] calldata siblings)
        private
        view
        returns (uint256 index)
    {
        if (!InternalLeanIMT._has(self._tree, leaf)) {
            revert MembershipTreeLeafUnknown(leaf);
        }
        index = InternalLeanIMT._indexOf(self._tree, leaf);
        uint256 lastIndex = self._tree.size - 1;
        uint256 treeDepth = self._tree.depth;
        uint256 expected = 0;
        for (uint256 level = 0; level < treeDepth; ++level) {
            if ((index >> level) & 1 == 1 || index >> level != lastIndex >> level) {
                ++expected;
            }
        }
        if (siblings.length != expected) {
            revert MembershipTreeWrongSiblingCount(leaf, expected, siblings.length);
        }
    }

    /// @dev Makes `newRoot` the newest of the recent roots, overwriting the oldest once the ring is full.
    function _recordRoot(Tree storage self, uint256 newRoot) private {
        uint256 changeCount = self._changes;
        self._recentRoots[changeCount % ROOT_HISTORY_SIZE] = newRoot;
        self._changes = uint128(changeCount + 1); // 2^128 changes cannot happen
    }
}

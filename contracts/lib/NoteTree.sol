// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {SNARK_SCALAR_FIELD} from "@zk-kit/lean-imt.sol/Constants.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title NoteTree
/// @notice An append-only Poseidon Lean incremental Merkle tree of shielded-note commitments, with
/// the roots of its last `ROOT_HISTORY_SIZE` changes, so a spend proven against a root a few
/// changes old still verifies. Its roots are zk-kit's LeanIMT roots for the same leaf sequence (a
/// node with no right sibling is carried up unhashed; the depth grows with the size; the empty
/// tree's root is 0), so `batterytrace.zk.merkle.LeanIMT` and zk-kit's JS tree rebuild them.
/// @dev Unlike zk-kit's `InternalLeanIMT` there is no update, no removal and no leaf-to-index
/// mapping: a note is never changed, and a nullifier, not the tree, stops a note being spent twice,
/// so the same commitment may be appended twice. That mapping is zk-kit's dearest write (a fresh
/// slot per insert); without it an insert of index `i` writes three slots:
/// - one side node. A side node at level L is read only as the left sibling of a node at level L,
///   and then it must be the complete left subtree there: the node the insert of the last leaf of
///   that subtree computes, i.e. of an index whose lowest zero bit is L. So the insert of `i`
///   stores only the node it completes at the lowest zero bit of `i` (the tree's new peak there)
///   and skips the other levels, where zk-kit writes a partial node that is always overwritten
///   before it is read;
/// - the new root, in the ring of recent roots (which is also where `root` reads it);
/// - the size and the change count, packed in one slot.
/// It hashes only at the levels where bit `i` is 1 (popcount(i) PoseidonT3 calls; at the zero
/// bits the node is the right edge and is carried up), as zk-kit does; at about 30k gas a call the
/// hashes are most of an insert's cost, and every one is needed for the new root. `insertMany` combines the
/// batch's pairs before they meet the stored peaks, so it computes each new complete node once
/// and the root once, not a root per leaf, and it writes a side node only at the levels where the
/// new size has a new peak.
///
/// PoseidonT3 is an external library, linked at deployment (as for zk-kit's tree). This library
/// emits nothing: `insert` and `insertMany` return the first new leaf's index and `root` gives the
/// new root, both of which the calling contract's own event must carry (with the leaves) for an
/// indexer or wallet to rebuild the tree and prove membership.
library NoteTree {
    /// @notice How many roots stay known: the current one and those after the previous
    /// `ROOT_HISTORY_SIZE - 1` changes.
    uint256 internal constant ROOT_HISTORY_SIZE = 64;

    /// @notice The deepest the tree grows; it holds at most 2^MAX_DEPTH leaves.
    uint256 internal constant MAX_DEPTH = 32;

    /// @notice The most leaves the tree holds.
    uint256 internal constant MAX_SIZE = 1 << MAX_DEPTH;

    /// @notice A tree and its recent roots. Members are for this library's functions alone.
    /// @param _sideNodes at each level L where bit L of the size is 1, the tree's peak there: the
    /// complete subtree of 2^L leaves just left of the leaves after it; elsewhere stale values that
    /// are never read. Level MAX_DEPTH is written only by the insert that fills the tree.
    /// @param _recentRoots a ring of the roots after the last changes, the newest at
    /// `(_changes - 1) % ROOT_HISTORY_SIZE`.
    /// @param _size how many leaves the tree holds (at most 2^32).
    /// @param _changes how many inserts and batches the tree has had. Packed with `_size` in one slot,
    /// which every change writes.
    struct Tree {
        uint256[MAX_DEPTH + 1] _sideNodes;
        uint256[ROOT_HISTORY_SIZE] _recentRoots;
        uint64 _size;
        uint64 _changes;
    }

    /// @notice A leaf is zero: no note commitment is zero, and a wallet could prove nothing of it.
    error NoteTreeLeafZero();

    /// @notice A leaf is not below the BN254 scalar field, so no circuit could prove it.
    /// @param leaf the leaf given.
    error NoteTreeLeafOutOfField(uint256 leaf);

    /// @notice The leaves would not fit: the tree holds at most 2^32 (`MAX_SIZE`).
    /// @param size how many leaves the tree holds already.
    error NoteTreeFull(uint256 size);

    /// @notice A batch to append holds no leaf.
    error NoteTreeEmptyBatch();

    /// @notice Appends `leaf` as the tree's next leaf and records the new root.
    /// @dev Requirements:
    /// - `leaf` is not zero and is below the BN254 scalar field;
    /// - the tree holds fewer than 2^32 leaves.
    /// The same leaf may be appended more than once.
    /// @param self the tree.
    /// @param leaf the note commitment.
    /// @return index the leaf's position (the tree's size before the insert).
    function insert(Tree storage self, uint256 leaf) internal returns (uint256 index) {
        _requireLeaf(leaf);
        index = self._size;
        if (index == MAX_SIZE) {
            revert NoteTreeFull(index);
        }
        uint256 node = leaf;
        uint256 bits = index;
        uint256 level = 0;
        unchecked {
            // Below the lowest zero bit of the index every bit is 1: the leaf completes the subtree
            // at each of those levels, whose left half is the peak stored there.
            for (; bits & 1 == 1; bits >>= 1) {
                node = PoseidonT3.hash([self._sideNodes[level], node]);
                ++level;
            }
            // The subtree just completed is the new peak at this level (the peaks below merged into
            // it): the one side node to write, as every other level keeps its peak or has none.
            // When the size becomes 2^level this is the whole tree, which the next insert, growing
            // the depth, takes as its left sibling.
            self._sideNodes[level] = node;
            // Above, the node is on the right edge: hashed with the peak at each 1 bit, carried up
            // unhashed at each 0 bit (it has no right sibling).
            while ((bits >>= 1) != 0) {
                ++level;
                if (bits & 1 == 1) {
                    node = PoseidonT3.hash([self._sideNodes[level], node]);
                }
            }
            _recordRoot(self, node, index + 1);
        }
    }

    /// @notice Appends `leaves` in order as the tree's next leaves and records the root after the
    /// whole batch (one change, one root: the roots between its leaves are never known). The root
    /// is the one the leaves inserted one by one would give.
    /// @dev Requirements:
    /// - `leaves` is not empty;
    /// - every leaf is not zero and is below the BN254 scalar field (duplicates are allowed);
    /// - the tree has room for all of them (at most 2^32 leaves).
    /// Costs fewer hashes than inserting one by one: the batch's pairs combine first, each complete
    /// node is computed once, and only the final root is folded from the peaks. `leaves` is not
    /// modified.
    /// @param self the tree.
    /// @param leaves the note commitments.
    /// @return index the first leaf's position (the tree's size before the batch).
    function insertMany(Tree storage self, uint256[] memory leaves) internal returns (uint256 index) {
        uint256 count = leaves.length;
        if (count == 0) {
            revert NoteTreeEmptyBatch();
        }
        for (uint256 i = 0; i < count; ++i) {
            _requireLeaf(leaves[i]);
        }
        index = self._size;
        if (count > MAX_SIZE - index) {
            revert NoteTreeFull(index);
        }
        uint256 newSize = index + count;
        _recordRoot(self, _appendBatch(self, leaves, index), newSize);
    }

    /// @notice The current root: zero for an empty tree, the leaf itself for a tree of one leaf.
    /// @param self the tree.
    /// @return the root.
    function root(Tree storage self) internal view returns (uint256) {
        uint256 changeCount = self._changes;
        if (changeCount == 0) {
            return 0;
        }
        unchecked {
            return self._recentRoots[(changeCount - 1) % ROOT_HISTORY_SIZE];
        }
    }

    /// @notice How many leaves the tree holds.
    /// @param self the tree.
    /// @return the number of leaves.
    function size(Tree storage self) internal view returns (uint256) {
        return self._size;
    }

    /// @notice The tree's depth: the smallest d with 2^d >= size (0 for an empty tree or one leaf),
    /// the most siblings a membership proof has.
    /// @param self the tree.
    /// @return the depth.
    function depth(Tree storage self) internal view returns (uint256) {
        return Math.log2(self._size, Math.Rounding.Ceil);
    }

    /// @notice Whether `candidate` is the current root or the root after one of the previous
    /// `ROOT_HISTORY_SIZE - 1` changes. Zero (the empty tree's root) is never a known root.
    /// @dev Looks from the newest root back, so a recent root costs few storage reads; an unknown
    /// one reads every stored root.
    /// @param self the tree.
    /// @param candidate the root a proof was made against.
    /// @return true when `candidate` is known.
    function isKnownRoot(Tree storage self, uint256 candidate) internal view returns (bool) {
        if (candidate == 0) {
            return false;
        }
        uint256 changeCount = self._changes;
        uint256 stored = changeCount < ROOT_HISTORY_SIZE ? changeCount : ROOT_HISTORY_SIZE;
        unchecked {
            for (uint256 back = 1; back <= stored; ++back) {
                if (self._recentRoots[(changeCount - back) % ROOT_HISTORY_SIZE] == candidate) {
                    return true;
                }
            }
        }
        return false;
    }

    /// @dev Reverts unless `leaf` may enter the tree: non-zero and in the field.
    function _requireLeaf(uint256 leaf) private pure {
        if (leaf == 0) {
            revert NoteTreeLeafZero();
        }
        if (leaf >= SNARK_SCALAR_FIELD) {
            revert NoteTreeLeafOutOfField(leaf);
        }
    }

    /// @dev Writes the new peaks of appending `leaves` at position `start` and returns the new root.
    /// Level by level, the complete nodes the batch adds there, at positions [start, end), are
    /// `nodes[0 .. end - start)`: at level 0 the leaves, read in place; above, their parents,
    /// computed in one scratch array (each parent is written at or below the children it reads, and
    /// below the level's last node while it has more than one, so the peak is still there to read).
    function _appendBatch(Tree storage self, uint256[] memory leaves, uint256 start) private returns (uint256 newRoot) {
        unchecked {
            uint256 end = start + leaves.length;
            uint256[] memory nodes = leaves;
            uint256[] memory parents = new uint256[]((leaves.length + 1) >> 1);
            uint256 level = 0;
            // Whether `newRoot` holds a peak yet: it is the fold, lowest first, of the new size's
            // peaks below `level`.
            bool folded = false;
            while (start < end) {
                uint256 parent = start >> 1;
                if (start & 1 == 1) {
                    // The first new node is a right child: its left sibling is the old peak here
                    // (bit `level` of the old size is 1), read before this level's new peak is written.
                    parents[0] = PoseidonT3.hash([self._sideNodes[level], nodes[0]]);
                    ++parent;
                }
                for (; parent < end >> 1; ++parent) {
                    uint256 left = 2 * parent - start;
                    parents[parent - (start >> 1)] = PoseidonT3.hash([nodes[left], nodes[left + 1]]);
                }
                if (end & 1 == 1) {
                    // A new peak: the last complete node here has no right sibling yet.
                    uint256 peak = nodes[end - 1 - start];
                    self._sideNodes[level] = peak;
                    newRoot = folded ? PoseidonT3.hash([peak, newRoot]) : peak;
                    folded = true;
                }
                nodes = parents;
                start >>= 1;
                end >>= 1;
                ++level;
            }
            // Above, the batch completed no node: the new size's peaks there (its 1 bits, `end` being
            // the size shifted down to this level) are the stored ones. `folded` holds: the last
            // level with a new node had exactly one, a peak.
            for (; end != 0; end >>= 1) {
                if (end & 1 == 1) {
                    newRoot = PoseidonT3.hash([self._sideNodes[level], newRoot]);
                }
                ++level;
            }
        }
    }

    /// @dev Makes `newRoot` the newest of the recent roots, overwriting the oldest once the ring is
    /// full, and sets the size; the two counters share a slot, written once here.
    function _recordRoot(Tree storage self, uint256 newRoot, uint256 newSize) private {
        uint256 changeCount = self._changes;
        unchecked {
            self._recentRoots[changeCount % ROOT_HISTORY_SIZE] = newRoot;
            // Neither overflows: newSize <= 2^32, and 2^64 changes cannot happen.
            self._size = uint64(newSize);
            self._changes = uint64(changeCount + 1);
        }
    }
}

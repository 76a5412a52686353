// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {NoteTree} from "../../contracts/lib/NoteTree.sol";
import {InternalLeanIMT, LeanIMTData} from "@zk-kit/lean-imt.sol/InternalLeanIMT.sol";

/// @title NoteTreeHarness
/// @notice Test-only: one `NoteTree` behind external functions, emitting the event a ledger
/// contract's own must carry (first index, count, new root), so the tests drive the library on a
/// real node as a caller will. Never shipped (tests/contracts is outside the build).
/// @dev `setFrontier` reaches into the tree's members, which only the library may otherwise touch:
/// it exists so the tests can reach the real 2^32 limit and measure gas near 2^20 leaves without
/// inserting that many.
contract NoteTreeHarness {
    using NoteTree for NoteTree.Tree;

    NoteTree.Tree private _tree;

    /// @notice Leaves were appended, as a ledger contract's event will say.
    /// @param index the first new leaf's position.
    /// @param count how many leaves were appended.
    /// @param root the tree's root after them.
    event NotesAppended(uint256 indexed index, uint256 count, uint256 root);

    /// @notice Appends `leaf` (see `NoteTree.insert`).
    /// @param leaf the new leaf.
    /// @return index its position.
    function insert(uint256 leaf) external returns (uint256 index) {
        index = _tree.insert(leaf);
        emit NotesAppended(index, 1, _tree.root());
    }

    /// @notice Appends `leaves` as one change (see `NoteTree.insertMany`).
    /// @param leaves the new leaves.
    /// @return index the first one's position.
    function insertMany(uint256[] calldata leaves) external returns (uint256 index) {
        index = _tree.insertMany(leaves);
        emit NotesAppended(index, leaves.length, _tree.root());
    }

    /// @notice Test-only: puts the tree in the state of a tree of `size` leaves whose side nodes are
    /// `sideNodes` (from level 0 up; at least the peaks at the 1 bits of `size`). The recent roots
    /// are left as they are, so `root` is stale until the next change.
    /// @param size the size to set.
    /// @param sideNodes the side nodes to set, level 0 first.
    function setFrontier(uint256 size, uint256[] calldata sideNodes) external {
        _tree._size = uint64(size);
        for (uint256 level = 0; level < sideNodes.length; ++level) {
            _tree._sideNodes[level] = sideNodes[level];
        }
    }

    /// @notice The current root.
    /// @return the root.
    function root() external view returns (uint256) {
        return _tree.root();
    }

    /// @notice The number of leaves.
    /// @return the size.
    function size() external view returns (uint256) {
        return _tree.size();
    }

    /// @notice The tree's depth.
    /// @return the depth.
    function depth() external view returns (uint256) {
        return _tree.depth();
    }

    /// @notice Whether `candidate` is one of the last `ROOT_HISTORY_SIZE` roots.
    /// @param candidate the root.
    /// @return true when known.
    function isKnownRoot(uint256 candidate) external view returns (bool) {
        return _tree.isKnownRoot(candidate);
    }

    /// @notice The library's root history size, so the tests read it rather than repeat it.
    /// @return the number of roots kept.
    function rootHistorySize() external pure returns (uint256) {
        return NoteTree.ROOT_HISTORY_SIZE;
    }

    /// @notice The library's maximum depth, so the tests read it rather than repeat it.
    /// @return the maximum depth.
    function maxDepth() external pure returns (uint256) {
        return NoteTree.MAX_DEPTH;
    }
}

/// @title ZkKitLeanIMTHarness
/// @notice Test-only yardstick: zk-kit's `InternalLeanIMT` behind the same insert functions and
/// event as `NoteTreeHarness`, so the tests compare roots and gas. It keeps no root history and
/// refuses duplicate leaves, as zk-kit does.
contract ZkKitLeanIMTHarness {
    using InternalLeanIMT for LeanIMTData;

    LeanIMTData private _tree;

    /// @notice Leaves were appended (as `NoteTreeHarness.NotesAppended`).
    /// @param index the first new leaf's position.
    /// @param count how many leaves were appended.
    /// @param root the tree's root after them.
    event NotesAppended(uint256 indexed index, uint256 count, uint256 root);

    /// @notice Appends `leaf` with `InternalLeanIMT._insert`.
    /// @param leaf the new leaf.
    /// @return index its position.
    function insert(uint256 leaf) external returns (uint256 index) {
        index = _tree.size;
        emit NotesAppended(index, 1, _tree._insert(leaf));
    }

    /// @notice Appends `leaves` with `InternalLeanIMT._insertMany`.
    /// @param leaves the new leaves.
    /// @return index the first one's position.
    function insertMany(uint256[] calldata leaves) external returns (uint256 index) {
        index = _tree.size;
        emit NotesAppended(index, leaves.length, _tree._insertMany(leaves));
    }

    /// @notice Test-only: as `NoteTreeHarness.setFrontier`, the depth set from `size`.
    /// @param size the size to set.
    /// @param sideNodes the side nodes to set, level 0 first.
    function setFrontier(uint256 size, uint256[] calldata sideNodes) external {
        _tree.size = size;
        uint256 treeDepth = 0;
        while (1 << treeDepth < size) {
            ++treeDepth;
        }
        _tree.depth = treeDepth;
        for (uint256 level = 0; level < sideNodes.length; ++level) {
            _tree.sideNodes[level] = sideNodes[level];
        }
    }

    /// @notice The current root.
    /// @return the root.
    function root() external view returns (uint256) {
        return _tree._root();
    }
}

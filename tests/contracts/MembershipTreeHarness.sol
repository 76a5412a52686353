// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MembershipTree} from "../../contracts/lib/MembershipTree.sol";

/// @title MembershipTreeHarness
/// @notice Test-only: one `MembershipTree` behind external functions, so the tests drive the library
/// on a real node exactly as the registry will. Never shipped (tests/contracts is outside the build).
contract MembershipTreeHarness {
    using MembershipTree for MembershipTree.Tree;

    MembershipTree.Tree private _tree;

    /// @notice A leaf was inserted, updated or removed (`newLeaf` zero), as the registry's events will say.
    /// @param index the changed leaf's position.
    /// @param oldLeaf the leaf before (zero for an insert).
    /// @param newLeaf the leaf after (zero for a removal).
    /// @param root the tree's root after the change.
    event LeafChanged(uint256 indexed index, uint256 oldLeaf, uint256 newLeaf, uint256 root);

    /// @notice Inserts `leaf` (see `MembershipTree.insert`).
    /// @param leaf the new leaf.
    /// @return index its position.
    function insert(uint256 leaf) external returns (uint256 index) {
        index = _tree.insert(leaf);
        emit LeafChanged(index, 0, leaf, _tree.root());
    }

    /// @notice Replaces `oldLeaf` by `newLeaf` (see `MembershipTree.update`).
    /// @param oldLeaf the leaf to replace.
    /// @param newLeaf its replacement.
    /// @param siblings the siblings of its path.
    /// @return index its position.
    function update(uint256 oldLeaf, uint256 newLeaf, uint256[] calldata siblings) external returns (uint256 index) {
        index = _tree.update(oldLeaf, newLeaf, siblings);
        emit LeafChanged(index, oldLeaf, newLeaf, _tree.root());
    }

    /// @notice Removes `oldLeaf` (see `MembershipTree.remove`).
    /// @param oldLeaf the leaf to remove.
    /// @param siblings the siblings of its path.
    /// @return index its position.
    function remove(uint256 oldLeaf, uint256[] calldata siblings) external returns (uint256 index) {
        index = _tree.remove(oldLeaf, siblings);
        emit LeafChanged(index, oldLeaf, 0, _tree.root());
    }

    /// @notice Forgets every root but the current one (see `MembershipTree.forgetPastRoots`).
    function forgetPastRoots() external {
        _tree.forgetPastRoots();
    }

    /// @notice The current root.
    /// @return the root.
    function root() external view returns (uint256) {
        return _tree.root();
    }

    /// @notice The number of leaves, removed ones included.
    /// @return the size.
    function size() external view returns (uint256) {
        return _tree.size();
    }

    /// @notice The tree's depth.
    /// @return the depth.
    function depth() external view returns (uint256) {
        return _tree.depth();
    }

    /// @notice Whether the tree holds `leaf`.
    /// @param leaf the leaf.
    /// @return true when it does.
    function has(uint256 leaf) external view returns (bool) {
        return _tree.has(leaf);
    }

    /// @notice The position of `leaf`.
    /// @param leaf the leaf.
    /// @return its index.
    function indexOf(uint256 leaf) external view returns (uint256) {
        return _tree.indexOf(leaf);
    }

    /// @notice How many changes the tree has had.
    /// @return the number of changes.
    function changes() external view returns (uint256) {
        return _tree.changes();
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
        return MembershipTree.ROOT_HISTORY_SIZE;
    }
}

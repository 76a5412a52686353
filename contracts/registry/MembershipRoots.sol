// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PoseidonT3} from "poseidon-solidity/PoseidonT3.sol";
import {IMembershipRoots} from "../interfaces/IMembershipRoots.sol";
import {MembershipTree} from "../lib/MembershipTree.sol";
import {RegistryTrees} from "../lib/RegistryTrees.sol";

/// @title MembershipRoots
/// @notice The registry's three Poseidon Merkle trees (zk-kit LeanIMT): participants with their role,
/// risk flags and shielding key; activated facilities with their operator, type, risk findings,
/// process parameters and a recycler's input split; certifications with their validity window. Each
/// record has at most one leaf, replaced in the same transaction as the record; a proof of the
/// shielded ledger shows membership against one of a tree's recent roots without saying which leaf.
/// @dev Leaves are `PoseidonT3(a, b)` of two field elements packing the record (the layouts are in
/// `IMembershipRoots`; the Python twin is `batterytrace.model.membership`). A changed leaf needs the
/// siblings of its path, which the caller reads from the off-chain tree rebuilt from
/// `MembershipLeafChanged` events (`batterytrace.sdk.trees`). The tree code is the linked library
/// `RegistryTrees`.
abstract contract MembershipRoots is IMembershipRoots {
    using RegistryTrees for MembershipTree.Tree;

    mapping(MembershipSet set => MembershipTree.Tree) private _trees;
    mapping(MembershipSet set => mapping(uint256 key => uint256 leaf)) private _leaves;

    /// @inheritdoc IMembershipRoots
    function membershipRoot(MembershipSet set) external view returns (uint256) {
        return _trees[set].root();
    }

    /// @inheritdoc IMembershipRoots
    function isKnownMembershipRoot(MembershipSet set, uint256 root) external view returns (bool) {
        return _trees[set].isKnownRoot(root);
    }

    /// @inheritdoc IMembershipRoots
    function membershipLeaf(MembershipSet set, uint256 key) external view returns (uint256) {
        return _leaves[set][key];
    }

    /// @inheritdoc IMembershipRoots
    function membershipSize(MembershipSet set) external view returns (uint256) {
        return _trees[set].size();
    }

    /// @dev Gives the record `key` its first leaf, or a new one after its removal (no siblings needed).
    function _insertLeaf(MembershipSet set, uint256 key, uint256 leaf) internal {
        if (_leaves[set][key] != 0) revert MembershipRecordHasLeaf(set, key);
        (uint256 index, uint256 root) = _trees[set].insert(leaf);
        _leaves[set][key] = leaf;
        emit MembershipLeafChanged(set, key, index, 0, leaf, root);
    }

    /// @dev Replaces the record's leaf by `leaf` (zero removes it), given the siblings of its path.
    /// Does nothing when the leaf is unchanged; refuses a record with no leaf.
    function _replaceLeaf(MembershipSet set, uint256 key, uint256 leaf, uint256[] calldata siblings) internal {
        uint256 oldLeaf = _leaves[set][key];
        if (oldLeaf == leaf) return;
        if (oldLeaf == 0) revert MembershipRecordHasNoLeaf(set, key);
        (uint256 index, uint256 root) = _trees[set].replace(oldLeaf, leaf, siblings);
        _leaves[set][key] = leaf;
        emit MembershipLeafChanged(set, key, index, oldLeaf, leaf, root);
    }

    /// @dev Whether the record `key` has a leaf now.
    function _hasLeaf(MembershipSet set, uint256 key) internal view returns (bool) {
        return _leaves[set][key] != 0;
    }

    /// @dev The leaf of two packed field elements.
    function _leaf(uint256 left, uint256 right) internal pure returns (uint256) {
        return PoseidonT3.hash([left, right]);
    }
}

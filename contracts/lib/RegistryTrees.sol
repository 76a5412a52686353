// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MembershipTree} from "./MembershipTree.sol";

/// @title RegistryTrees
/// @notice The membership-tree operations of the registry, as a linked library: `MembershipTree`'s
/// code (zk-kit's LeanIMT) lives here once, deployed beside the registry, so the registry stays
/// under the 24 KiB contract size limit (EIP-170). Each function runs in the registry's storage
/// (DELEGATECALL) and does exactly what `MembershipTree`'s function of the same name does.
library RegistryTrees {
    using MembershipTree for MembershipTree.Tree;

    /// @notice `MembershipTree.insert`.
    function insert(MembershipTree.Tree storage tree, uint256 leaf) public returns (uint256 index, uint256 newRoot) {
        index = tree.insert(leaf);
        newRoot = tree.root();
    }

    /// @notice `MembershipTree.update`, or `MembershipTree.remove` when `newLeaf` is zero; then
    /// `MembershipTree.forgetPastRoots`: a replaced leaf may carry a revocation, a raised flag or an
    /// ended window, which no proof against an older root may outlive. (Inserts keep the history, so
    /// proofs made while others join stay valid.)
    function replace(MembershipTree.Tree storage tree, uint256 oldLeaf, uint256 newLeaf, uint256[] calldata siblings)
        public
        returns (uint256 index, uint256 newRoot)
    {
        index = newLeaf == 0 ? tree.remove(oldLeaf, siblings) : tree.update(oldLeaf, newLeaf, siblings);
        tree.forgetPastRoots();
        newRoot = tree.root();
    }

    /// @notice `MembershipTree.root`.
    function root(MembershipTree.Tree storage tree) public view returns (uint256) {
        return tree.root();
    }

    /// @notice `MembershipTree.isKnownRoot`.
    function isKnownRoot(MembershipTree.Tree storage tree, uint256 candidate) public view returns (bool) {
        return tree.isKnownRoot(candidate);
    }

    /// @notice `MembershipTree.size`.
    function size(MembershipTree.Tree storage tree) public view returns (uint256) {
        return tree.size();
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title ReferenceERC721
/// @notice A plain OpenZeppelin ERC-721 with an open mint: the yardstick the gas benchmarks measure
/// our lot operations against, in the same run. Not shipped: bench/yardsticks.py compiles it with
/// the shipped contracts' compiler and settings.
contract ReferenceERC721 is ERC721 {
    constructor() ERC721("reference", "REF") {}

    /// @notice Mints `tokenId` to `to`.
    /// @dev Requirements: `tokenId` does not exist.
    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}

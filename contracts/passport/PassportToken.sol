// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC165, IERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @title PassportToken
/// @notice ERC-721 whose token record is one storage word: the holder in its low 160 bits, the
/// derived contract's fields in the other 96. OpenZeppelin's ERC721 keeps the owner in a mapping of
/// its own, so a passport written there costs a second new slot (22,100 gas) on top of its record;
/// here issuing a passport writes one. Everything else follows ERC-721 and OpenZeppelin's errors.
abstract contract PassportToken is ERC165, IERC721, IERC721Metadata, IERC721Errors {
    uint256 internal constant _HOLDER_MASK = type(uint160).max;

    string private _name;
    string private _symbol;

    /// @dev Per token: holder (bits 0-159) and the derived contract's fields (bits 160-255); 0 for
    /// no token.
    mapping(uint256 tokenId => uint256 record) internal _records;
    mapping(address holder => uint256 count) private _balances;
    mapping(uint256 tokenId => address approved) private _tokenApprovals;
    mapping(address holder => mapping(address operator => bool approved)) private _operatorApprovals;

    constructor(string memory name_, string memory symbol_) {
        _name = name_;
        _symbol = symbol_;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view virtual override(ERC165, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || super.supportsInterface(interfaceId);
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) public view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _balances[owner];
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) public view returns (address) {
        return _requireOwned(tokenId);
    }

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC721
    function approve(address to, uint256 tokenId) external {
        address owner = _requireOwned(tokenId);
        if (msg.sender != owner && !_operatorApprovals[owner][msg.sender]) revert ERC721InvalidApprover(msg.sender);
        _tokenApprovals[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    /// @inheritdoc IERC721
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return _tokenApprovals[tokenId];
    }

    /// @inheritdoc IERC721
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(operator);
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @inheritdoc IERC721
    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _operatorApprovals[owner][operator];
    }

    /// @inheritdoc IERC721
    function transferFrom(address from, address to, uint256 tokenId) public {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        uint256 record = _records[tokenId];
        address owner = address(uint160(record));
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
        // The caller's authorisation first, so a caller who may not move the token learns only that.
        if (msg.sender != owner && !_operatorApprovals[owner][msg.sender] && _tokenApprovals[tokenId] != msg.sender) {
            revert ERC721InsufficientApproval(msg.sender, tokenId);
        }
        if (owner != from) revert ERC721IncorrectOwner(from, tokenId, owner);
        _beforeHandOver(to);
        delete _tokenApprovals[tokenId];
        unchecked {
            _balances[from] -= 1;
            _balances[to] += 1;
        }
        _records[tokenId] = (record & ~_HOLDER_MASK) | uint160(to);
        emit Transfer(from, to, tokenId);
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, tokenId, data);
    }

    /// @dev Writes a new token's record (holder in the low bits, `fields` above them, bits 0-159 of
    /// `fields` zero) and emits its Transfer; the caller checked the token is new and adds the
    /// holder's balance once for all it mints (`_addBalance`).
    function _mintRecord(address to, uint256 tokenId, uint256 fields) internal {
        _records[tokenId] = fields | uint160(to);
        emit Transfer(address(0), to, tokenId);
    }

    /// @dev Adds `count` newly minted tokens to `holder`'s balance.
    function _addBalance(address holder, uint256 count) internal {
        _balances[holder] += count;
    }

    /// @dev The token's holder; reverts with `ERC721NonexistentToken` when there is none.
    function _requireOwned(uint256 tokenId) internal view returns (address owner) {
        owner = address(uint160(_records[tokenId]));
        if (owner == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    /// @dev Called before a token moves to `to` (not at minting): reverts to refuse the receiver.
    function _beforeHandOver(address to) internal view virtual;
}

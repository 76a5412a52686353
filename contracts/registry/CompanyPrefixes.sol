// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICompanyPrefixes} from "../interfaces/ICompanyPrefixes.sol";
import {BatteryIds} from "../lib/BatteryIds.sol";

/// @title CompanyPrefixes
/// @notice The registry's record of which GS1 company prefixes and ISO/IEC 15459 issuer codes each
/// pack maker or OEM owns, so a battery id has at most one owner: the one who may issue its passport.
/// @dev Prefix-free per kind, as GS1 allocates prefixes: for every assigned prefix, each shorter
/// candidate prefix of it counts one extension, so a prefix that some assigned one extends is
/// refused without scanning the assigned set, and a battery id's lookup stops at the first
/// candidate that nothing assigned extends. Owner and count share a slot: one read per candidate.
/// The registry supplies who governs prefixes and who may own them through the two hooks.
abstract contract CompanyPrefixes is ICompanyPrefixes {
    /// @dev `owner` holds the prefix (zero: no one); `extensions` counts the assigned prefixes that
    /// extend it.
    struct PrefixEntry {
        address owner;
        uint96 extensions;
    }

    mapping(PrefixKind kind => mapping(bytes32 prefixHash => PrefixEntry)) private _prefixes;

    /// @inheritdoc ICompanyPrefixes
    function assignCompanyPrefix(address operator, PrefixKind kind, string calldata prefix) external {
        _requirePrefixGovernor();
        if (!_isPassportIssuer(operator)) revert RegistryPrefixOwnerNotIssuer(operator);
        bytes memory text = bytes(prefix);
        if (!BatteryIds.isValidPrefix(kind, text)) revert RegistryInvalidPrefix(kind, prefix);
        mapping(bytes32 => PrefixEntry) storage entries = _prefixes[kind];
        uint256 minLength = BatteryIds.minPrefixLength(kind);
        for (uint256 length = minLength; length < text.length; ++length) {
            address shorterHolder = entries[BatteryIds.hashSlice(text, 0, length)].owner;
            if (shorterHolder != address(0)) revert RegistryPrefixTaken(kind, prefix, shorterHolder);
        }
        PrefixEntry storage entry = entries[keccak256(text)];
        if (entry.owner != address(0)) revert RegistryPrefixTaken(kind, prefix, entry.owner);
        if (entry.extensions != 0) revert RegistryPrefixExtended(kind, prefix);
        entry.owner = operator;
        for (uint256 length = minLength; length < text.length; ++length) {
            ++entries[BatteryIds.hashSlice(text, 0, length)].extensions;
        }
        emit CompanyPrefixAssigned(operator, kind, prefix);
    }

    /// @inheritdoc ICompanyPrefixes
    function releaseCompanyPrefix(address operator, PrefixKind kind, string calldata prefix) external {
        _requirePrefixGovernor();
        bytes memory text = bytes(prefix);
        mapping(bytes32 => PrefixEntry) storage entries = _prefixes[kind];
        PrefixEntry storage entry = entries[keccak256(text)];
        address holder = entry.owner;
        if (holder != operator || holder == address(0)) revert RegistryPrefixNotHeld(kind, prefix, operator, holder);
        entry.owner = address(0);
        uint256 minLength = BatteryIds.minPrefixLength(kind);
        for (uint256 length = minLength; length < text.length; ++length) {
            --entries[BatteryIds.hashSlice(text, 0, length)].extensions;
        }
        emit CompanyPrefixReleased(operator, kind, prefix);
    }

    /// @inheritdoc ICompanyPrefixes
    function prefixOwner(PrefixKind kind, string calldata prefix) external view returns (address) {
        return _prefixes[kind][keccak256(bytes(prefix))].owner;
    }

    /// @inheritdoc ICompanyPrefixes
    function batteryIdOwner(string calldata batteryId) external view returns (address owner) {
        bytes memory id = bytes(batteryId);
        (bool valid, BatteryIds.Parsed memory parsed) = BatteryIds.parse(id);
        if (!valid) revert RegistryMalformedBatteryId(batteryId);
        mapping(bytes32 => PrefixEntry) storage entries = _prefixes[parsed.kind];
        uint256 minLength = BatteryIds.minPrefixLength(parsed.kind);
        // Prefix-free: the first candidate with an owner is the only one; a candidate nothing
        // assigned extends ends the search, since every longer candidate extends it.
        for (uint256 length = minLength; length <= parsed.maxPrefixLength; ++length) {
            PrefixEntry storage entry = entries[BatteryIds.hashSlice(id, parsed.prefixOffset, length)];
            if (entry.owner != address(0)) return entry.owner;
            if (entry.extensions == 0) return address(0);
        }
    }

    /// @dev Reverts unless the caller governs prefixes (the registry: DEFAULT_ADMIN_ROLE).
    function _requirePrefixGovernor() internal view virtual;

    /// @dev Whether `account` may own prefixes: a registered participant still holding
    /// PACK_MAKER_ROLE or OEM_ROLE, the roles that issue passports.
    function _isPassportIssuer(address account) internal view virtual returns (bool);
}

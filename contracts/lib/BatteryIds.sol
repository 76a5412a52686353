// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICompanyPrefixes} from "../interfaces/ICompanyPrefixes.sol";

/// @title BatteryIds
/// @notice Parses battery identifiers and company prefixes of the forms the consortium accepts:
/// - a GS1 Digital Link URI `https://<host>/01/<GTIN-14>/21/<serial>`: host 1-255 characters of
///   `a-z 0-9 . -`; the GTIN 14 digits whose last is the GS1 check digit; the serial (AI 21) 1-20
///   characters of `A-Z a-z 0-9 . _ -`. Its GS1 company prefix is 6-12 of the GTIN's digits after
///   the indicator digit. No query, fragment, path before `/01/` or percent-encoding: each battery
///   has one written form, so one passport;
/// - an ISO/IEC 15459 unique identifier: 4-50 characters of `A-Z 0-9 . -`, starting with a letter,
///   whose first 3-12 characters are its issuer code (issuing agency code + company
///   identification number). Issuing agency codes 0-9 belong to GS1, whose ids are Digital Links.
/// @dev The Python twin is `batterytrace.model.battery_ids`; the two must say the same.
library BatteryIds {
    uint256 internal constant GS1_PREFIX_MIN_LENGTH = 6;
    uint256 internal constant GS1_PREFIX_MAX_LENGTH = 12;
    uint256 internal constant ISO_PREFIX_MIN_LENGTH = 3;
    uint256 internal constant ISO_PREFIX_MAX_LENGTH = 12;
    uint256 private constant _HOST_MAX_LENGTH = 255;
    uint256 private constant _GTIN_LENGTH = 14;
    uint256 private constant _SERIAL_MAX_LENGTH = 20;
    uint256 private constant _ISO_MIN_LENGTH = 4;
    uint256 private constant _ISO_MAX_LENGTH = 50;
    bytes8 private constant _SCHEME = "https://";
    bytes4 private constant _GTIN_PATH = "/01/";
    bytes4 private constant _SERIAL_PATH = "/21/";
    // Character classes as 256-bit sets (bit c set: byte c belongs), so each byte costs one shift.
    uint256 private constant _DIGITS = ((1 << 10) - 1) << 0x30;
    uint256 private constant _UPPER = ((1 << 26) - 1) << 0x41;
    uint256 private constant _LOWER = ((1 << 26) - 1) << 0x61;
    uint256 private constant _DOT_AND_HYPHEN = (1 << 0x2e) | (1 << 0x2d);
    uint256 private constant _HOST = _LOWER | _DIGITS | _DOT_AND_HYPHEN;
    uint256 private constant _SERIAL = _DIGITS | _UPPER | _LOWER | _DOT_AND_HYPHEN | (1 << 0x5f);
    uint256 private constant _ISO_ID = _DIGITS | _UPPER | _DOT_AND_HYPHEN;
    uint256 private constant _ISSUER_CODE = _DIGITS | _UPPER;

    /// @notice What a well-formed battery id says.
    /// @param kind The kind of prefix it falls under.
    /// @param prefixOffset Where in the id its prefix starts (the GTIN's second digit; the id's start).
    /// @param maxPrefixLength The longest prefix it may fall under.
    /// @param key keccak256 of its canonical form: `(01)<GTIN>(21)<serial>` for a Digital Link (the
    /// host says where the id resolves, not which battery it is), the id itself for ISO/IEC 15459.
    /// @param serialStart Where a Digital Link's serial starts (0 for ISO/IEC 15459): the bytes before
    /// it name the battery model (host and GTIN), which `keyOfSameModel` takes as read.
    struct Parsed {
        ICompanyPrefixes.PrefixKind kind;
        uint256 prefixOffset;
        uint256 maxPrefixLength;
        bytes32 key;
        uint256 serialStart;
    }

    /// @notice Parses `id`; `valid` is false when it is of no accepted form.
    function parse(bytes memory id) internal pure returns (bool valid, Parsed memory parsed) {
        if (id.length > _SCHEME.length && bytes8(_word(id, 0)) == _SCHEME) return _parseDigitalLink(id);
        return _parseIso15459(id);
    }

    /// @notice The key of `id` if it starts with the same `serialStart` bytes (`modelHash`, their
    /// keccak256) as a Digital Link `parse` accepted, whose serial starts there: the same host and
    /// GTIN, so only the serial is left to check. `valid` is false when `id` is not such an id (the
    /// caller then parses it whole). The key is the one `parse` gives; a batch of one battery model
    /// pays for its host and GTIN once.
    function keyOfSameModel(bytes memory id, bytes32 modelHash, uint256 serialStart)
        internal
        pure
        returns (bool valid, bytes32 key)
    {
        uint256 length = id.length;
        if (serialStart == 0 || length <= serialStart || length - serialStart > _SERIAL_MAX_LENGTH) return (false, key);
        if (hashSlice(id, 0, serialStart) != modelHash || _span(id, serialStart, _SERIAL) != length) return (false, key);
        return (true, _elementStringKey(id, serialStart - 4 - _GTIN_LENGTH, serialStart, length - serialStart));
    }

    /// @notice Whether `prefix` is of its kind's form: 6-12 digits (GS1), or 3-12 characters of
    /// `0-9 A-Z` starting with a letter (ISO/IEC 15459).
    function isValidPrefix(ICompanyPrefixes.PrefixKind kind, bytes memory prefix) internal pure returns (bool) {
        (uint256 minLength, uint256 maxLength) = prefixLengths(kind);
        uint256 length = prefix.length;
        if (length < minLength || length > maxLength) return false;
        if (kind == ICompanyPrefixes.PrefixKind.Gs1CompanyPrefix) return _span(prefix, 0, _DIGITS) == length;
        return _isIn(_at(prefix, 0), _UPPER) && _span(prefix, 1, _ISSUER_CODE) == length;
    }

    /// @notice The shortest and longest prefix of a kind.
    function prefixLengths(ICompanyPrefixes.PrefixKind kind) internal pure returns (uint256 minLength, uint256 maxLength) {
        return kind == ICompanyPrefixes.PrefixKind.Gs1CompanyPrefix
            ? (GS1_PREFIX_MIN_LENGTH, GS1_PREFIX_MAX_LENGTH)
            : (ISO_PREFIX_MIN_LENGTH, ISO_PREFIX_MAX_LENGTH);
    }

    /// @notice The shortest prefix of a kind.
    function minPrefixLength(ICompanyPrefixes.PrefixKind kind) internal pure returns (uint256) {
        return kind == ICompanyPrefixes.PrefixKind.Gs1CompanyPrefix ? GS1_PREFIX_MIN_LENGTH : ISO_PREFIX_MIN_LENGTH;
    }

    /// @notice keccak256 of `length` bytes of `data` from `offset` (the caller keeps them in bounds).
    function hashSlice(bytes memory data, uint256 offset, uint256 length) internal pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            digest := keccak256(add(add(data, 32), offset), length)
        }
    }

    function _parseDigitalLink(bytes memory id) private pure returns (bool, Parsed memory parsed) {
        uint256 length = id.length;
        // The host runs to the first byte outside its set, which must start "/01/".
        uint256 cursor = _span(id, _SCHEME.length, _HOST);
        uint256 hostLength = cursor - _SCHEME.length;
        // Host, "/01/", the GTIN, "/21/" and at least one serial character.
        if (hostLength == 0 || hostLength > _HOST_MAX_LENGTH || length < cursor + 4 + _GTIN_LENGTH + 4 + 1) {
            return (false, parsed);
        }
        if (bytes4(_word(id, cursor)) != _GTIN_PATH) return (false, parsed);
        uint256 gtinStart = cursor + 4;
        if (!_isGtin14(id, gtinStart)) return (false, parsed);
        if (bytes4(_word(id, gtinStart + _GTIN_LENGTH)) != _SERIAL_PATH) return (false, parsed);
        uint256 serialStart = gtinStart + _GTIN_LENGTH + 4;
        uint256 serialLength = length - serialStart;
        if (serialLength > _SERIAL_MAX_LENGTH || _span(id, serialStart, _SERIAL) != length) return (false, parsed);
        parsed.kind = ICompanyPrefixes.PrefixKind.Gs1CompanyPrefix;
        parsed.prefixOffset = gtinStart + 1;
        parsed.maxPrefixLength = GS1_PREFIX_MAX_LENGTH;
        parsed.key = _elementStringKey(id, gtinStart, serialStart, serialLength);
        parsed.serialStart = serialStart;
        return (true, parsed);
    }

    function _parseIso15459(bytes memory id) private pure returns (bool, Parsed memory parsed) {
        uint256 length = id.length;
        if (
            length < _ISO_MIN_LENGTH || length > _ISO_MAX_LENGTH || !_isIn(_at(id, 0), _UPPER)
                || _span(id, 1, _ISO_ID) != length
        ) {
            return (false, parsed);
        }
        parsed.kind = ICompanyPrefixes.PrefixKind.Iso15459IssuerCode;
        parsed.maxPrefixLength = length - 1 < ISO_PREFIX_MAX_LENGTH ? length - 1 : ISO_PREFIX_MAX_LENGTH;
        parsed.key = keccak256(id);
        return (true, parsed);
    }

    /// @dev 14 digits at `start` whose last is the GS1 check digit: weights 3 and 1 alternate from
    /// the first digit, and the check digit brings the sum to a multiple of ten.
    function _isGtin14(bytes memory id, uint256 start) private pure returns (bool valid) {
        assembly ("memory-safe") {
            let digits := add(add(id, 32), start)
            let sum := 0
            let bad := 0
            // Two digits a step: the first weighs 3, the second 1 (the check digit is the 14th, weight 1).
            for { let index := 0 } lt(index, 14) { index := add(index, 2) } {
                let pair := shr(240, mload(add(digits, index)))
                // A byte below "0" wraps around, so one comparison refuses everything but 0-9.
                let first := sub(shr(8, pair), 0x30)
                let second := sub(and(pair, 0xff), 0x30)
                bad := or(bad, or(gt(first, 9), gt(second, 9)))
                sum := add(sum, add(mul(first, 3), second))
            }
            valid := and(iszero(bad), iszero(mod(sum, 10)))
        }
    }

    /// @dev keccak256 of `(01)<GTIN>(21)<serial>`, the GS1 element string in its human-readable form.
    function _elementStringKey(bytes memory id, uint256 gtinStart, uint256 serialStart, uint256 serialLength)
        private
        pure
        returns (bytes32 key)
    {
        bytes memory canonical = new bytes(4 + _GTIN_LENGTH + 4 + serialLength);
        assembly ("memory-safe") {
            let out := add(canonical, 32)
            mstore8(out, 0x28)
            mstore8(add(out, 1), 0x30)
            mstore8(add(out, 2), 0x31)
            mstore8(add(out, 3), 0x29)
            mcopy(add(out, 4), add(add(id, 32), gtinStart), 14)
            mstore8(add(out, 18), 0x28)
            mstore8(add(out, 19), 0x32)
            mstore8(add(out, 20), 0x31)
            mstore8(add(out, 21), 0x29)
            mcopy(add(out, 22), add(add(id, 32), serialStart), serialLength)
        }
        key = keccak256(canonical);
    }

    /// @dev The 32 bytes of `data` from `offset` (past its end: whatever memory follows; callers
    /// compare only bytes they checked are in bounds).
    function _word(bytes memory data, uint256 offset) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(add(data, 32), offset))
        }
    }

    /// @dev The byte of `data` at `index` (the caller keeps `index` in bounds).
    function _at(bytes memory data, uint256 index) private pure returns (uint256 character) {
        assembly ("memory-safe") {
            character := byte(0, mload(add(add(data, 32), index)))
        }
    }

    /// @dev Whether byte `character` belongs to the character set `set`.
    function _isIn(uint256 character, uint256 set) private pure returns (bool) {
        return (set >> character) & 1 == 1;
    }

    /// @dev The index of the first byte of `data` from `start` outside `set` (its length when
    /// every byte from `start` belongs).
    function _span(bytes memory data, uint256 start, uint256 set) private pure returns (uint256 index) {
        assembly ("memory-safe") {
            let length := mload(data)
            let base := add(data, 32)
            for { index := start } lt(index, length) { index := add(index, 1) } {
                if iszero(and(shr(byte(0, mload(add(base, index))), set), 1)) { break }
            }
        }
    }
}

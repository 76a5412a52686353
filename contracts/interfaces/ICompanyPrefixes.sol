// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Which economic operator owns which battery identifiers.
/// @notice The consortium's admin records the GS1 company prefixes and ISO/IEC 15459 issuer codes
/// each pack maker or OEM was allocated (by its GS1 member organisation, or by an ISO/IEC 15459
/// issuing agency). A battery id falls under at most one assigned prefix, so it has at most one
/// owner, and only that owner may issue the battery's passport.
/// @dev The accepted battery id forms (`BatteryIds`):
/// - a GS1 Digital Link URI `https://<host>/01/<GTIN-14>/21/<serial>`: host 1-255 characters of
///   `a-z 0-9 . -`; the GTIN 14 digits with a valid check digit; the serial (AI 21) 1-20
///   characters of `A-Z a-z 0-9 . _ -` (unreserved URI characters: an id has one written form).
///   Its company prefix is 6-12 digits of the GTIN after the indicator digit;
/// - an ISO/IEC 15459 unique identifier: 4-50 characters of `A-Z 0-9 . -`, starting with a letter
///   (issuing agency codes 0-9 are GS1's, whose ids are written as Digital Links here), made of
///   the issuer code (issuing agency code + company identification number) and the serial.
/// Assigned prefixes of a kind are prefix-free, as GS1 allocates them.
interface ICompanyPrefixes {
    /// @notice Which identifier system a prefix belongs to.
    enum PrefixKind {
        Gs1CompanyPrefix,
        Iso15459IssuerCode
    }

    /// @notice The prefix is not of its kind's form: a GS1 company prefix is 6-12 digits; an
    /// ISO/IEC 15459 issuer code 3-12 characters of `0-9 A-Z`, starting with a letter.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix given.
    error RegistryInvalidPrefix(PrefixKind kind, string prefix);
    /// @notice The prefix, or a shorter assigned prefix it extends, is already assigned.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix given.
    /// @param holder The operator holding the prefix or the shorter one.
    error RegistryPrefixTaken(PrefixKind kind, string prefix, address holder);
    /// @notice Longer assigned prefixes extend the prefix: assigning it would give their battery ids
    /// two owners.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix given.
    error RegistryPrefixExtended(PrefixKind kind, string prefix);
    /// @notice The account is not a registered participant holding PACK_MAKER_ROLE or OEM_ROLE, the
    /// roles that issue passports.
    /// @param operator The account named.
    error RegistryPrefixOwnerNotIssuer(address operator);
    /// @notice The operator does not hold the prefix it would release.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix given.
    /// @param operator The operator named.
    /// @param holder The operator holding the prefix (zero when none does).
    error RegistryPrefixNotHeld(PrefixKind kind, string prefix, address operator, address holder);
    /// @notice The battery id is neither a GS1 Digital Link URI nor an ISO/IEC 15459 identifier of the
    /// accepted forms.
    /// @param batteryId The id given.
    error RegistryMalformedBatteryId(string batteryId);

    /// @notice Emitted when the admin assigns a prefix to an operator.
    /// @param operator The pack maker or OEM now owning the prefix.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix.
    event CompanyPrefixAssigned(address indexed operator, PrefixKind indexed kind, string prefix);
    /// @notice Emitted when the admin releases an operator's prefix (passports already issued under
    /// it stay; no new one is issued until the prefix is assigned again).
    /// @param operator The operator that held the prefix.
    /// @param kind The prefix's kind.
    /// @param prefix The prefix.
    event CompanyPrefixReleased(address indexed operator, PrefixKind indexed kind, string prefix);

    /// @notice Records that `operator` owns `prefix`.
    /// @dev Requirements:
    /// - the caller holds DEFAULT_ADMIN_ROLE;
    /// - `operator` is a registered participant holding PACK_MAKER_ROLE or OEM_ROLE;
    /// - `prefix` is of its kind's form (`RegistryInvalidPrefix`);
    /// - no assigned prefix of the kind equals it, is a prefix of it (`RegistryPrefixTaken`) or
    ///   extends it (`RegistryPrefixExtended`).
    function assignCompanyPrefix(address operator, PrefixKind kind, string calldata prefix) external;

    /// @notice Releases a prefix `operator` holds.
    /// @dev Requirements: the caller holds DEFAULT_ADMIN_ROLE; `operator` holds `prefix`.
    function releaseCompanyPrefix(address operator, PrefixKind kind, string calldata prefix) external;

    /// @notice The operator holding `prefix` exactly (zero when none does).
    function prefixOwner(PrefixKind kind, string calldata prefix) external view returns (address);

    /// @notice The operator whose assigned prefix the battery id falls under (zero when none).
    /// @dev Requirements: `batteryId` is of an accepted form (`RegistryMalformedBatteryId`).
    function batteryIdOwner(string calldata batteryId) external view returns (address);
}

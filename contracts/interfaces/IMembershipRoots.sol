// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The registry's membership roots.
/// @notice Poseidon Merkle roots (zk-kit LeanIMT) of the registry's participants, activated
/// facilities and certifications, each with the roots of its last 32 changes, for zero-knowledge
/// membership proofs. Each record has at most one leaf, `PoseidonT3(left, right)`:
/// - participant (key `uint160(account)`): left `uint160(account)` (bits 0-159) | `roleIndex` << 160
///   (8 bits, `Roles.index`) | the operator's risk flags << 168 (8 bits); right `shieldingKey`, the
///   field element `Poseidon(SHIELDING_DOMAIN, secret)` that owns the participant's shielded notes
///   (so a circuit shows "the spender holds role R and key K" with one hash). Replaced when the
///   operator's flags change or the participant rotates its shielding key (`rotateShieldingKey`;
///   the encryption key is not in the leaf); removed when it is revoked (`revokeParticipant`).
/// - facility (key `facilityId`), once an auditor activated it: left `uint160(operator)`; right
///   `facilityId` | `facilityType` << 32 | the site's own risk flags << 40 | `maxYieldLossBps` << 48 |
///   `co2eFloorGramsPerKg` << 64 | `uint16(country)` << 96 | `recycledPreConsumerBps` << 112 (16 bits,
///   zero but at a recycler). Replaced by every setter of those fields. The operator's flags are in
///   its participant leaf: a site's flags are the two together.
/// - certification (key `certificationId`): left `certificationId` | `facilityId` << 64 | `scheme` << 96;
///   right `validFrom` | `end` << 64, where `end` is `validUntil`, or the moment of a suspension or
///   revocation when earlier: a membership proof for a time outside [validFrom, end) cannot pass.
interface IMembershipRoots {
    /// @notice The three membership sets.
    enum MembershipSet {
        Participants,
        Facilities,
        Certifications
    }

    /// @notice The record already has a leaf.
    /// @param set The set.
    /// @param key The record's key.
    error MembershipRecordHasLeaf(MembershipSet set, uint256 key);

    /// @notice The record has no leaf to replace (never inserted, or removed).
    /// @param set The set.
    /// @param key The record's key.
    error MembershipRecordHasNoLeaf(MembershipSet set, uint256 key);

    /// @notice Emitted for every leaf inserted, replaced or removed: what an indexer needs to rebuild
    /// each tree (replay the events in order).
    /// @param set The set whose tree changed.
    /// @param key The record's key (participant address as an integer, facility id, certification id).
    /// @param index The leaf's position in the tree.
    /// @param oldLeaf The leaf before (zero for an insert).
    /// @param newLeaf The leaf now (zero for a removal).
    /// @param root The tree's root after the change.
    event MembershipLeafChanged(
        MembershipSet indexed set, uint256 indexed key, uint256 index, uint256 oldLeaf, uint256 newLeaf, uint256 root
    );

    /// @notice The current root of `set`'s tree (zero while it is empty).
    function membershipRoot(MembershipSet set) external view returns (uint256);

    /// @notice Whether `root` is the current root of `set`'s tree or one of its last 31 before it.
    function isKnownMembershipRoot(MembershipSet set, uint256 root) external view returns (bool);

    /// @notice The current leaf of record `key` in `set` (zero when it has none).
    function membershipLeaf(MembershipSet set, uint256 key) external view returns (uint256);

    /// @notice How many leaves `set`'s tree holds, removed ones included (they are zero).
    function membershipSize(MembershipSet set) external view returns (uint256);
}

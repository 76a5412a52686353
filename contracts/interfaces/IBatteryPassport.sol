// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof} from "./IGroth16Verifiers.sol";

/// @title Battery passports bound to pack lots, with zero-knowledge supply-chain claims.
/// @notice One token per battery (EU Regulation 2023/1542 Art. 77). Issuance locks the pack lot, so
/// the same material backs one battery only, and is accepted only with a Groth16 proof that the
/// pack's committed values meet the stated claims. The public passport document lives off chain at
/// `documentUri`; its keccak256 and one commitment per restricted access tier are on chain.
interface IBatteryPassport {
    /// @notice Battery status through its life (Annex XIII).
    enum PassportStatus {
        None,
        Original,
        Repurposed,
        Reused,
        Remanufactured,
        Waste
    }

    /// @notice What the proof establishes about the pack lot, without opening it.
    struct Claims {
        uint64 cobaltGrams;
        uint16 minCertifiedBps;
        uint16 minRecycledBps;
        uint64 maxCo2eGramsPerKgCobalt;
        uint64 maxCo2eGramsPerKwh;
        uint64 capacityWh;
        uint8 forbiddenRiskFlags;
    }

    /// @notice One passport to issue.
    struct IssueRequest {
        uint256 packLotId;
        string batteryId;
        string documentUri;
        bytes32 documentHash;
        bytes32 legitimateInterestCommitment;
        bytes32 authoritiesCommitment;
        Claims claims;
    }

    /// @notice Public on-chain record of a passport.
    struct Passport {
        uint256 packLotId;
        address economicOperator;
        PassportStatus status;
        uint64 issuedAt;
        bytes32 batteryIdHash;
        bytes32 documentHash;
        bytes32 legitimateInterestCommitment;
        bytes32 authoritiesCommitment;
        Claims claims;
    }

    /// @notice One entry of a passport's status history.
    struct StatusChange {
        PassportStatus status;
        uint64 at;
        address by;
        bytes32 evidenceHash;
    }

    /// @notice The caller may not issue passports (needs PACK_MAKER_ROLE or OEM_ROLE).
    /// @param account The caller.
    error PassportUnauthorized(address account);
    /// @notice A passport already exists for this battery id.
    /// @param passportId The existing passport's id, `passportIdFor(batteryId)`.
    error PassportAlreadyIssued(uint256 passportId);
    /// @notice No passport has this id.
    /// @param passportId The id asked for.
    error PassportUnknown(uint256 passportId);
    /// @notice The lot is not a pack lot.
    /// @param lotId The lot named in the request.
    error PassportNotAPack(uint256 lotId);
    /// @notice The claims forbid fewer risk flags than the consortium's policy requires, or state
    /// shares above 100%.
    /// @param forbiddenRiskFlags The risk flags the claims forbid.
    /// @param requiredFlags The risk flags the policy requires every passport to forbid.
    error PassportClaimsBelowPolicy(uint8 forbiddenRiskFlags, uint8 requiredFlags);
    /// @notice The status change is not allowed from the current status, or not by this caller.
    /// @param passportId The passport.
    /// @param from Its current status.
    /// @param to The status asked for.
    error PassportInvalidStatusChange(uint256 passportId, PassportStatus from, PassportStatus to);
    /// @notice The batch arrays differ in length or are empty.
    /// @param requests The number of requests.
    /// @param proofs The number of proofs.
    error PassportBatchMismatch(uint256 requests, uint256 proofs);
    /// @notice A required text field is empty.
    /// @param field The field's name (`batteryId` or `documentUri`).
    error PassportEmptyField(string field);

    /// @notice Emitted when a passport is issued.
    /// @param passportId The new passport's id, `passportIdFor(batteryId)`.
    /// @param packLotId The pack lot it locks.
    /// @param economicOperator The issuer, who holds the passport.
    /// @param batteryId The battery's identifier.
    /// @param documentUri Where the public passport document lives.
    /// @param documentHash keccak256 of the public document.
    /// @param legitimateInterestCommitment Commitment to the data of the legitimate-interest access tier.
    /// @param authoritiesCommitment Commitment to the data of the authorities' access tier.
    /// @param claims What the claim proof established about the pack lot.
    event PassportIssued(
        uint256 indexed passportId,
        uint256 indexed packLotId,
        address indexed economicOperator,
        string batteryId,
        string documentUri,
        bytes32 documentHash,
        bytes32 legitimateInterestCommitment,
        bytes32 authoritiesCommitment,
        Claims claims
    );
    /// @notice Emitted when the public document is replaced (a new version), with old and new hash.
    /// @param passportId The passport.
    /// @param oldHash keccak256 of the previous document.
    /// @param newHash keccak256 of the new document.
    /// @param documentUri Where the new document lives.
    event PassportDocumentUpdated(uint256 indexed passportId, bytes32 oldHash, bytes32 newHash, string documentUri);
    /// @notice Emitted when the battery's status changes.
    /// @param passportId The passport.
    /// @param by Who recorded the change: the holder, or a recycler marking the battery as waste.
    /// @param oldStatus The battery's status before.
    /// @param newStatus The battery's status now.
    /// @param evidenceHash Hash of the evidence of the change (repurposing record, scrapping note).
    event PassportStatusChanged(
        uint256 indexed passportId, address indexed by, PassportStatus oldStatus, PassportStatus newStatus, bytes32 evidenceHash
    );

    /// @notice Issues one passport for a pack lot the caller holds.
    /// @dev Requirements:
    /// - the caller holds PACK_MAKER_ROLE or OEM_ROLE and is the pack lot's custodian; the lot is an
    ///   active Pack lot;
    /// - no passport exists for `batteryId`; claims forbid at least the policy's risk flags;
    /// - the claim proof verifies against the pack's commitment, bound to this chain, this
    ///   contract, the passport id and the lot id.
    function issue(IssueRequest calldata request, Groth16Proof calldata proof) external returns (uint256 passportId);

    /// @notice Issues many passports in one transaction; all or nothing.
    /// @dev Requirements: as `issue`, for each; `requests` and `proofs` have the same non-zero length.
    function issueBatch(IssueRequest[] calldata requests, Groth16Proof[] calldata proofs)
        external
        returns (uint256[] memory passportIds);

    /// @notice Records a new status of the battery.
    /// @dev Requirements: the caller is the passport's holder (economic operator) or holds
    /// RECYCLER_ROLE (for Waste); the transition is allowed: Original to any later status,
    /// Repurposed/Reused/Remanufactured to each other or Waste; Waste is final.
    function setStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external;

    /// @notice Publishes a new version of the public document.
    /// @dev Requirements: the caller is the passport's holder.
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external;

    /// @notice The passport id of a battery identifier.
    function passportIdFor(string calldata batteryId) external pure returns (uint256);

    /// @notice The public record of a passport (status None when unknown).
    function passport(uint256 passportId) external view returns (Passport memory);

    /// @notice The status history of a passport, oldest first.
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory);

    /// @notice The field element a claim proof for this passport and lot is bound to.
    function claimContext(uint256 passportId, uint256 packLotId) external view returns (uint256);
}

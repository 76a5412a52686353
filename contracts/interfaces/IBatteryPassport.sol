// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof} from "./IGroth16Verifiers.sol";
import {IShieldedLedger, LEDGER_METALS} from "./IShieldedLedger.sol";

/// @title Battery passports bound to pack notes, with zero-knowledge supply-chain claims.
/// @notice One token per battery (EU Regulation 2023/1542 Art. 77). Issuance has the shielded ledger
/// redeem the pack's note, so the same material backs one battery only, and is accepted only with a
/// Groth16 proof that the pack note's values meet the stated claims. The public passport document lives off chain at
/// `documentUri`; its keccak256 and one commitment per restricted access tier are on chain.
///
/// The battery id must fall under a company prefix the registry assigned to the issuer
/// (`ICompanyPrefixes`), so no one issues under a rival's serial numbers. The token's owner holds the
/// battery: it changes the battery's status and hands the battery on by transferring the token, to
/// registered participants only (a recycler declares a battery waste once it was handed to it).
/// Authorities correct a status with evidence, Waste included.
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

    /// @notice What the proof establishes about the pack note, without opening it: per metal (cobalt,
    /// lithium, nickel) its grams, certified share and pre- and post-consumer recycled shares
    /// (EU 2023/1542 Art. 8), then the pack's CO2e bounds, capacity and forbidden risk flags.
    struct Claims {
        IShieldedLedger.MetalClaim[LEDGER_METALS] metals;
        uint64 maxCo2eGramsPerKgCobalt;
        uint64 maxCo2eGramsPerKwh;
        uint64 capacityWh;
        uint8 forbiddenRiskFlags;
    }

    /// @notice One passport to issue from a pack note of the shielded ledger. The ledger redeems the
    /// note (its nullifier is spent, so it backs one battery only) if `pack`'s proof verifies, bound
    /// to this contract and the passport id; the passport records the pack's nullifier
    /// (`packNullifier`), which links it to no lot, holder or supplier.
    struct NoteIssueRequest {
        string batteryId;
        string documentUri;
        bytes32 documentHash;
        bytes32 legitimateInterestCommitment;
        bytes32 authoritiesCommitment;
        IShieldedLedger.PackClaimRequest pack;
    }

    /// @notice Public on-chain record of a passport. `economicOperator` is the issuer of record; the
    /// battery's holder is the token's owner (`ownerOf`).
    struct Passport {
        uint256 packNullifier;
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

    /// @notice The caller lacks the role the operation needs: PACK_MAKER_ROLE or OEM_ROLE to issue,
    /// AUTHORITY_ROLE (as a registered participant) to correct a status.
    /// @param account The caller.
    error PassportUnauthorized(address account);
    /// @notice The battery id is neither a GS1 Digital Link URI nor an ISO/IEC 15459 identifier of the
    /// accepted forms (`BatteryIds`).
    /// @param batteryId The id given.
    error PassportMalformedBatteryId(string batteryId);
    /// @notice The battery id falls under no company prefix of the issuer.
    /// @param batteryId The id given.
    /// @param issuer The caller.
    /// @param owner The operator whose prefix the id falls under (zero when none).
    error PassportBatteryIdNotOwned(string batteryId, address issuer, address owner);
    /// @notice The caller does not hold the battery (the passport token).
    /// @param passportId The passport.
    /// @param account The caller.
    /// @param holder The passport's holder.
    error PassportNotHolder(uint256 passportId, address account, address holder);
    /// @notice A passport is handed over only to a registered participant.
    /// @param receiver The account it would go to.
    error PassportInvalidReceiver(address receiver);
    /// @notice An authority's correction needs the hash of its evidence.
    /// @param passportId The passport.
    error PassportEvidenceRequired(uint256 passportId);
    /// @notice A passport already exists for this battery id.
    /// @param passportId The existing passport's id, `passportIdFor(batteryId)`.
    error PassportAlreadyIssued(uint256 passportId);
    /// @notice No passport has this id.
    /// @param passportId The id asked for.
    error PassportUnknown(uint256 passportId);
    /// @notice The claims forbid fewer risk flags than the consortium's policy requires, or state
    /// shares above 100% for a metal (its certified share, or its pre- and post-consumer shares
    /// together).
    /// @param forbiddenRiskFlags The risk flags the claims forbid.
    /// @param requiredFlags The risk flags the policy requires every passport to forbid.
    error PassportClaimsBelowPolicy(uint8 forbiddenRiskFlags, uint8 requiredFlags);
    /// @notice The status change is not allowed from the current status.
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
    /// @param packNullifier The nullifier of the pack note it redeemed.
    /// @param economicOperator The issuer, who holds the passport.
    /// @param batteryId The battery's identifier.
    /// @param documentUri Where the public passport document lives.
    /// @param documentHash keccak256 of the public document.
    /// @param legitimateInterestCommitment Commitment to the data of the legitimate-interest access tier.
    /// @param authoritiesCommitment Commitment to the data of the authorities' access tier.
    /// @param claims What the pack-claim proof established about the pack note.
    event PassportIssued(
        uint256 indexed passportId,
        uint256 indexed packNullifier,
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
    /// @param by Who recorded the change: the battery's holder, or an authority correcting the status.
    /// @param oldStatus The battery's status before.
    /// @param newStatus The battery's status now.
    /// @param evidenceHash Hash of the evidence of the change (repurposing record, scrapping note).
    event PassportStatusChanged(
        uint256 indexed passportId, address indexed by, PassportStatus oldStatus, PassportStatus newStatus, bytes32 evidenceHash
    );

    /// @notice Issues passports from pack notes of the shielded ledger, one transaction for all of
    /// them; all or nothing.
    /// @dev Requirements: the caller holds PACK_MAKER_ROLE or OEM_ROLE and is each request's
    /// `pack.issuer` (`PassportUnauthorized`); each battery id is of an accepted form
    /// (`PassportMalformedBatteryId`), falls under one of the caller's company prefixes
    /// (`PassportBatteryIdNotOwned`) and has no passport yet (`PassportAlreadyIssued`); the claims forbid at
    /// least the policy's risk flags and state, for every metal, a certified share of at most 100% and
    /// pre- and post-consumer shares of at most 100% together (`PassportClaimsBelowPolicy`);
    /// the ledger redeems each pack note, which it does only if the pack-claim proof verifies bound to
    /// this contract and `bytes32(passportId)`, and the note is unspent. The passport's claims are the
    /// pack request's, metal by metal.
    function issueFromNotes(NoteIssueRequest[] calldata requests, Groth16Proof[] calldata proofs)
        external
        returns (uint256[] memory passportIds);

    /// @notice Records a new status of the battery.
    /// @dev Requirements: the caller holds the passport (`PassportNotHolder`): the economic operator,
    /// or the participant the battery was handed to, a recycler declaring it waste among them; the
    /// transition is allowed: Original to any later status, Repurposed/Reused/Remanufactured to each
    /// other or Waste; Waste is final for holders.
    function setStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external;

    /// @notice Corrects the battery's status (an authority's decision, Waste included), recorded in
    /// the history with the authority as the one who changed it.
    /// @dev Requirements: the caller is a registered participant holding AUTHORITY_ROLE
    /// (`PassportUnauthorized`); `evidenceHash` is not zero (`PassportEvidenceRequired`); `newStatus`
    /// is not None and differs from the current status (`PassportInvalidStatusChange`).
    function correctStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external;

    /// @notice Publishes a new version of the public document.
    /// @dev Requirements: the caller is the passport's holder (`PassportNotHolder`).
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external;

    /// @notice The passport id of a battery identifier: keccak256 of its canonical form,
    /// `(01)<GTIN>(21)<serial>` for a GS1 Digital Link (whatever its host: one battery, one passport),
    /// the identifier itself for ISO/IEC 15459.
    /// @dev Requirements: `batteryId` is of an accepted form (`PassportMalformedBatteryId`).
    function passportIdFor(string calldata batteryId) external pure returns (uint256);

    /// @notice The public record of a passport (status None when unknown).
    function passport(uint256 passportId) external view returns (Passport memory);

    /// @notice The status history of a passport, oldest first.
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory);
}

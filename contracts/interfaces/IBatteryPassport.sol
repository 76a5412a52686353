// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof} from "./IGroth16Verifiers.sol";
import {LEDGER_METALS} from "./IShieldedLedger.sol";

/// @title Battery passports backed by pack notes, their claims proven a batch at a time.
/// @notice One token per battery (EU Regulation 2023/1542 Art. 77). A batch of up to `BATCH_SIZE`
/// passports is issued with one Groth16 proof (circuits/pack_batch.circom, one pairing check) that
/// each battery's pack note, held by the issuer and tagged with the battery's passport id, meets the
/// batch's claims and holds the grams its passport states. A passport id is issued once, and a pack
/// note backs only the passport its tag names (no transform spends a pack), so the same material
/// backs one battery only; no nullifier is revealed and the note stays where it is.
///
/// On chain, per passport, one word: holder, status, batch and issue time. Per batch, one word: the
/// digest of the batch (`batchDigest`) committing to its issuer, time, roots, claims and the records
/// of its passports (id, grams, hash of the public document, one commitment per restricted access
/// tier). The batch's data is in its `PassportBatchIssued` event and the issuing call's calldata;
/// `checkBatch` checks such data against the digest.
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

    /// @notice The least shares of one metal every pack of a batch holds, in basis points of the
    /// metal's grams: from certified origins, and pre- and post-consumer recycled (Art. 8).
    struct MetalShares {
        uint16 minCertifiedBps;
        uint16 minPreConsumerBps;
        uint16 minPostConsumerBps;
    }

    /// @notice What the batch's proof establishes about every pack note of the batch, without opening
    /// one: per metal (cobalt, lithium, nickel) the least shares, then the CO2e bounds (per kg of
    /// cobalt, 0 for none; per kWh of `capacityWh`, every battery of the batch having that capacity)
    /// and the risk flags no pack's material carries.
    struct BatchClaims {
        MetalShares[LEDGER_METALS] metals;
        uint32 maxCo2eGramsPerKgCobalt;
        uint32 maxCo2eGramsPerKwh;
        uint32 capacityWh;
        uint8 forbiddenRiskFlags;
    }

    /// @notice A batch to issue: the roots its proof was made against and the claims it proves.
    struct BatchRequest {
        uint256 noteRoot;
        uint256 participantsRoot;
        BatchClaims claims;
    }

    /// @notice One passport of a batch: the battery, the grams of each metal its pack note holds
    /// (public: the battery's composition; at most 2^24 - 1 each), and the hashes that bind its documents.
    struct PassportEntry {
        string batteryId;
        uint24[LEDGER_METALS] grams;
        bytes32 documentHash;
        bytes32 legitimateInterestCommitment;
        bytes32 authoritiesCommitment;
    }

    /// @notice The public on-chain record of a passport; the holder is `ownerOf`, the rest of its
    /// data in its batch's event and `documentOf`.
    struct Passport {
        PassportStatus status;
        uint40 batch;
        uint40 issuedAt;
    }

    /// @notice One entry of a passport's status history after issuance.
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

    /// @notice The batch holds no passport or more than the circuit's slots.
    /// @param count The number of passports given.
    /// @param maximum `BATCH_SIZE`.
    error PassportBatchSize(uint256 count, uint256 maximum);
    /// @notice A root is not one the shielded ledger (tree 0) or the registry's participants tree (1) knows.
    /// @param tree 0 notes, 1 participants.
    /// @param root The root given.
    error PassportUnknownRoot(uint8 tree, uint256 root);
    /// @notice The batch's proof does not verify against its public signals.
    /// @param batch The batch it would have been.
    error PassportInvalidProof(uint256 batch);
    /// @notice A required text field is empty.
    /// @param field The field's name (`documentUri`).
    error PassportEmptyField(string field);

    /// @notice Emitted once per batch, after each passport's ERC-721 Transfer from the zero address.
    /// The batch's roots and claims (its `request`) and its passports' records (battery ids, grams,
    /// document hashes: its `entries`) are the issuing call's; `records` commits to the entries
    /// (`recordsHash`) and `batchDigest` to them all (`checkBatch`).
    /// @param batch The batch's number, from 1.
    /// @param economicOperator The issuer, who holds the new passports.
    /// @param records `recordsHash` of the batch's entries.
    /// @param passports How many passports the batch issued.
    event PassportBatchIssued(uint256 indexed batch, address indexed economicOperator, bytes32 records, uint256 passports);
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

    /// @notice Issues a batch of passports from pack notes of the shielded ledger with one proof; all
    /// or nothing.
    /// @dev Requirements: the caller holds PACK_MAKER_ROLE or OEM_ROLE (`PassportUnauthorized`); 1 to
    /// `BATCH_SIZE` entries (`PassportBatchSize`); the claims forbid at least the policy's risk flags
    /// and state, for every metal, a certified share of at most 100% and pre- and post-consumer
    /// shares of at most 100% together (`PassportClaimsBelowPolicy`); both roots are known
    /// (`PassportUnknownRoot`); each battery id is of an accepted form (`PassportMalformedBatteryId`),
    /// falls under one of the caller's company prefixes (`PassportBatteryIdNotOwned`) and has no
    /// passport yet, in this batch either (`PassportAlreadyIssued`); the proof verifies
    /// (`PassportInvalidProof`) with the caller as issuer and a context binding chain, contract, caller
    /// and `recordsHash(entries)`.
    /// @return batch The batch's number (the passports' ids are `passportIdFor` of the entries'
    /// battery ids, in their `Transfer` events).
    function issueBatch(BatchRequest calldata request, PassportEntry[] calldata entries, Groth16Proof calldata proof)
        external
        returns (uint256 batch);

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
    /// @dev Requirements: the caller is the passport's holder (`PassportNotHolder`); the URI is not
    /// empty (`PassportEmptyField`).
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external;

    /// @notice The passport id of a battery identifier: the top 96 bits of keccak256 of its canonical
    /// form, `(01)<GTIN>(21)<serial>` for a GS1 Digital Link (whatever its host: one battery, one
    /// passport), the identifier itself for ISO/IEC 15459. 96 bits, so that three pack slots (id and
    /// 24 bits of grams per metal) fit two public words of the batch proof; it is the pack note's tag.
    /// @dev Requirements: `batteryId` is of an accepted form (`PassportMalformedBatteryId`).
    function passportIdFor(string calldata batteryId) external pure returns (uint256);

    /// @notice What `PassportBatchIssued.records` commits to: keccak256 chained over the entries in
    /// order, each `(passportId, grams, documentHash, legitimateInterestCommitment,
    /// authoritiesCommitment)`.
    function recordsHash(PassportEntry[] calldata entries) external pure returns (bytes32);

    /// @notice The public record of a passport (status None when unknown).
    function passport(uint256 passportId) external view returns (Passport memory);

    /// @notice The latest document hash and URI the holder published with `updateDocument`; zero and
    /// empty while the batch's entry is the passport's document.
    function documentOf(uint256 passportId) external view returns (bytes32 documentHash, string memory documentUri);

    /// @notice The digest of a batch: keccak256(abi.encode(economicOperator, issuedAt, noteRoot,
    /// participantsRoot, claimsWord, records)), claimsWord the claims as the proof's `claims` signal
    /// packs them; zero when unknown.
    function batchDigest(uint256 batch) external view returns (bytes32);

    /// @notice Whether the data of a batch (from its event, or the entries of its issuing call) is the
    /// batch's: its digest matches.
    function checkBatch(
        uint256 batch,
        address economicOperator,
        uint40 issuedAt,
        uint256 noteRoot,
        uint256 participantsRoot,
        BatchClaims calldata claims,
        bytes32 records
    ) external view returns (bool);

    /// @notice The number of batches issued so far.
    function batchCount() external view returns (uint256);

    /// @notice The status history of a passport after issuance, oldest first.
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory);
}

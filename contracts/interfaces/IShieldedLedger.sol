// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof} from "./IGroth16Verifiers.sol";

// The metals a note carries (the circuits' `metals` parameter): cobalt 0, lithium 1, nickel 2.
uint256 constant LEDGER_METALS = 3;
// A transform's input and output slots (circuits/note_transform.circom).
uint256 constant LEDGER_TRANSFORM_SLOTS = 4;

/// @title The shielded ledger: lots as notes whose holders are proven, not published.
/// @notice A lot is a note: a Poseidon commitment (circuits/lib/notes.circom) appended to the note
/// tree. Every material operation is one Groth16 proof that spends notes by their nullifiers and
/// appends new ones; who acts is proven against the registry's membership roots, and nothing here
/// reads `msg.sender`, so any relayer may submit an operation. Each proof binds its call (chain,
/// contract, operation and every argument the public signals do not carry) through its `context`
/// signal, so a relayer can neither alter nor redirect it.
/// The note tree holds 2^24 notes (the circuits' path depth); when one is full the next epoch's
/// tree starts and the full tree's final root stays known.
interface IShieldedLedger {
    /// @notice A custody step of circuits/lib/custody.circom (its public `operation`).
    enum CustodyOperation {
        None,
        Offer,
        Cancel,
        Accept,
        Dispute,
        Deliver,
        Return
    }

    /// @notice A new origin note.
    /// @param outputCommitment The note's commitment.
    /// @param mintTag Poseidon(MINT_DOMAIN, tag): refused twice, so one ERP id mints once.
    /// @param participantsRoot A known root of the registry's participants tree.
    /// @param facilitiesRoot A known root of the registry's facilities tree.
    /// @param certificationsRoot A known root of the registry's certifications tree.
    /// @param proofTime The moment the certification was checked at, seconds; not in the future and
    /// at most `MAX_PROOF_AGE` old.
    struct OriginRequest {
        uint256 outputCommitment;
        uint256 mintTag;
        uint256 participantsRoot;
        uint256 facilitiesRoot;
        uint256 certificationsRoot;
        uint64 proofTime;
    }

    /// @notice One custody step.
    /// @param operation The step.
    /// @param noteRoot A known root of the note tree the spent note is in.
    /// @param nullifier The spent note's nullifier.
    /// @param outputCommitment The note the step creates.
    /// @param participantsRoot A known root of the registry's participants tree.
    /// @param evidenceHash The weighing or resolution evidence (accept, dispute, deliver, return), or 0.
    struct CustodyRequest {
        CustodyOperation operation;
        uint256 noteRoot;
        uint256 nullifier;
        uint256 outputCommitment;
        uint256 participantsRoot;
        bytes32 evidenceHash;
    }

    /// @notice A transform at the prover's own facility (split, merge, refine).
    /// @param noteRoot A known root of the note tree the spent notes are in.
    /// @param nullifiers The spent notes' nullifiers; the used slots first, then zeros.
    /// @param outputCommitments The notes created; the used slots first, then zeros.
    /// @param participantsRoot A known root of the registry's participants tree.
    /// @param facilitiesRoot A known root of the registry's facilities tree.
    struct TransformRequest {
        uint256 noteRoot;
        uint256[LEDGER_TRANSFORM_SLOTS] nullifiers;
        uint256[LEDGER_TRANSFORM_SLOTS] outputCommitments;
        uint256 participantsRoot;
        uint256 facilitiesRoot;
    }

    /// @notice A root is not one the note tree or the registry knows.
    /// @param tree 0 notes, 1 participants, 2 facilities, 3 certifications.
    /// @param root The root given.
    error LedgerUnknownRoot(uint8 tree, uint256 root);

    /// @notice The note was spent already.
    /// @param nullifier Its nullifier.
    error LedgerNullifierSpent(uint256 nullifier);

    /// @notice A lot with this mint tag was minted already (the same ERP id at the same site).
    /// @param mintTag The tag.
    error LedgerMintTagUsed(uint256 mintTag);

    /// @notice The proof's time is in the future or older than `MAX_PROOF_AGE`.
    /// @param proofTime The time given.
    /// @param blockTime The block's timestamp.
    error LedgerProofTimeOutOfWindow(uint64 proofTime, uint256 blockTime);

    /// @notice The operation is not a custody step.
    /// @param operation The value given.
    error LedgerInvalidOperation(CustodyOperation operation);

    /// @notice A commitment is zero or not below the scalar field: no circuit opens it.
    /// @param commitment The value given.
    error LedgerInvalidCommitment(uint256 commitment);

    /// @notice A transform's slots are not 1 to 4 used inputs and outputs, the used ones first, with
    /// one set of encrypted openings per used output.
    /// @param inputs The used input slots counted.
    /// @param outputs The used output slots counted.
    /// @param openings The sets of encrypted openings given.
    error LedgerInvalidTransform(uint256 inputs, uint256 outputs, uint256 openings);


    /// @notice Emitted for every note appended: what a scanner reads (and tries to decrypt).
    /// @param commitment The note's commitment.
    /// @param epoch The note tree's epoch.
    /// @param index The leaf's index in that epoch's tree.
    /// @param root The tree's root after the append.
    /// @param encryptedOpenings The note's opening, encrypted for its owner and for each auditor's key.
    event NoteCreated(uint256 commitment, uint256 epoch, uint256 index, uint256 root, bytes[] encryptedOpenings);

    /// @notice Emitted when a note is spent.
    /// @param nullifier Its nullifier.
    event NoteSpent(uint256 indexed nullifier);

    /// @notice Emitted for an origin mint, after its `NoteCreated`.
    /// @param mintTag The mint tag.
    /// @param commitment The note created.
    event OriginMinted(uint256 indexed mintTag, uint256 commitment);

    /// @notice Emitted for a custody step, after its `NoteSpent` and `NoteCreated`.
    /// @param operation The step.
    /// @param nullifier The spent note's nullifier.
    /// @param commitment The note created.
    /// @param evidenceHash The evidence the step names, or 0.
    event CustodyStepped(CustodyOperation operation, uint256 nullifier, uint256 commitment, bytes32 evidenceHash);

    /// @notice Emitted for a transform, after its `NoteSpent`s and `NoteCreated`s.
    /// @param nullifiers The spent notes' nullifiers.
    /// @param commitments The notes created.
    event NotesTransformed(uint256[] nullifiers, uint256[] commitments);


    /// @notice Appends an origin note, proven (circuits/origin.circom) to come from an activated
    /// extraction site or recycler by its operator, certified only with a certification valid at
    /// `proofTime`, with both CO2e floors per kg of contained metal (the registry's floors of the six
    /// origin types are read here and passed as one packed signal, `typeFloors`).
    /// @dev Requirements:
    /// - the three registry roots are known, `proofTime` is within the window, the mint tag unused;
    /// - the commitment is a field element other than zero;
    /// - the proof verifies against the request, the packed type floors and the call's context.
    /// @param request The public facts of the mint.
    /// @param proof The origin proof.
    /// @param encryptedOpenings The opening for the owner (itself) and each auditor.
    /// @return index The note's index in the current epoch's tree.
    function mintOrigin(OriginRequest calldata request, Groth16Proof calldata proof, bytes[] calldata encryptedOpenings)
        external
        returns (uint256 index);

    /// @notice Spends a note and appends its successor, proven (circuits/custody.circom) to be the
    /// step `request.operation` taken by a participant who may take it.
    /// @dev Requirements:
    /// - the operation is one of Offer .. Return; the note root and participants root are known;
    /// - the nullifier is unspent; the output commitment is a field element other than zero;
    /// - the proof verifies against the request and the call's context.
    /// @param request The public facts of the step.
    /// @param proof The custody proof.
    /// @param encryptedOpenings The new note's opening for its owner (and, on an offer, the sender) and
    /// each auditor.
    /// @return index The new note's index in the current epoch's tree.
    function custody(CustodyRequest calldata request, Groth16Proof calldata proof, bytes[] calldata encryptedOpenings)
        external
        returns (uint256 index);

    /// @notice Spends up to four of the prover's notes and appends up to four new ones, proven
    /// (circuits/note_transform.circom) to be a transform at an activated facility the prover
    /// operates, of kinds it makes, conserving each metal within the facility's yield loss, with
    /// certified and recycled grams never created, CO2e never lost and taint kept.
    /// @dev Requirements:
    /// - 1 to 4 used inputs and outputs, the used slots first, and one set of openings per output;
    /// - the note root and registry roots are known; every nullifier unspent, every commitment a
    ///   field element other than zero;
    /// - the proof verifies against the request and the call's context.
    /// @param request The public facts of the transform.
    /// @param proof The transform proof.
    /// @param encryptedOpenings Per used output, its opening for its owner and each auditor.
    /// @return indices The new notes' indices in the tree (of the epoch current when each landed).
    function transform(
        TransformRequest calldata request,
        Groth16Proof calldata proof,
        bytes[][] calldata encryptedOpenings
    ) external returns (uint256[] memory indices);

    /// @notice Whether `nullifier` was spent.
    function isSpent(uint256 nullifier) external view returns (bool);

    /// @notice Whether `mintTag` was used.
    function isMinted(uint256 mintTag) external view returns (bool);

    /// @notice Whether `root` is the current epoch's root, one of its recent ones, or a full epoch's final root.
    function isKnownNoteRoot(uint256 root) external view returns (bool);

    /// @notice The current epoch, its tree's root and size.
    function noteTree() external view returns (uint256 epoch, uint256 root, uint256 size);

    /// @notice The context a mint's proof must carry.
    function originContext(bytes[] calldata encryptedOpenings) external view returns (uint256);

    /// @notice The context a transform's proof must carry.
    function transformContext(bytes[][] calldata encryptedOpenings) external view returns (uint256);

    /// @notice The context a custody step's proof must carry.
    function custodyContext(CustodyOperation operation, bytes32 evidenceHash, bytes[] calldata encryptedOpenings)
        external
        view
        returns (uint256);
}

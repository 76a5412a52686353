// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof} from "./IGroth16Verifiers.sol";

/// @title Lots: the digital twin of every physical lot of battery metal.
/// @notice A lot is an ERC-721 token whose public part is its material, status, custodian, creating
/// facility, genealogy and physical tag, and whose confidential values (cobalt grams, total grams,
/// certified and recycled cobalt grams, embodied CO2e grams, risk flags) are held off chain by the
/// custodian and bound by a Poseidon commitment. Every change of values is proven with Groth16; the
/// token moves only through the two-step custody handover.
interface ILots {
    /// @notice Public material kind of a lot.
    enum MaterialKind {
        CobaltOre,
        CobaltHydroxide,
        CrudeCobaltSulfate,
        RefinedCobaltSulfate,
        CobaltMetal,
        Precursor,
        Cathode,
        Cell,
        Module,
        Pack,
        BlackMass,
        RecycledCobaltSulfate
    }

    /// @notice Lifecycle of a lot. Consumed is final: by a transformation or a battery passport.
    enum LotStatus {
        None,
        Active,
        InTransit,
        Disputed,
        Consumed
    }

    /// @notice ISO 22095 chain-of-custody model under which the lot is handled.
    enum CustodyModel {
        IdentityPreserved,
        Segregated,
        ControlledBlending,
        MassBalance,
        BookAndClaim
    }

    /// @notice How an auditor settles a disputed weighing.
    enum DisputeOutcome {
        DeliverToReceiver,
        ReturnToSender
    }

    /// @notice Public record of a lot.
    struct Lot {
        address creator;
        uint32 facilityId;
        uint32 createdAt;
        MaterialKind kind;
        LotStatus status;
        CustodyModel custodyModel;
        uint8 certifiedSchemes;
        uint256 commitment;
        bytes32 tagId;
        address pendingReceiver;
    }

    /// @notice What the creator states about a new lot, at origin or as a transformation's output.
    /// `encryptedOpening` is the opening encrypted for the creator and the auditors' view keys, so
    /// it never lives only in one company's database.
    struct LotSpec {
        bytes32 externalId;
        MaterialKind kind;
        CustodyModel custodyModel;
        bytes32 tagId;
        uint256 commitment;
        bytes encryptedOpening;
    }

    /// @notice A transformation: split, merge or refining of lots the caller holds.
    struct TransformRequest {
        uint256[] inputLotIds;
        LotSpec[] outputs;
        uint32 facilityId;
        uint64 processCo2eGrams;
    }

    /// @notice No lot has this id.
    /// @param lotId The id asked for.
    error LotsUnknownLot(uint256 lotId);
    /// @notice The caller lacks the role or registration the operation needs.
    /// @param account The caller.
    /// @param neededRole The AccessControl role the operation needs; zero when it needs a registered
    /// participant of any role.
    error LotsUnauthorized(address account, bytes32 neededRole);
    /// @notice The facility is not operated by the caller, or not of a type that may do this.
    /// @param account The caller.
    /// @param facilityId The facility named in the request.
    error LotsFacilityNotAllowed(address account, uint32 facilityId);

    /// @notice No auditor has activated the facility yet: nothing is minted or transformed there.
    error LotsFacilityNotActive(uint32 facilityId);

    /// @notice A lot of this kind may not be created at this facility: origin lots are ore or
    /// hydroxide at a mine, black mass at a recycler; a transformation outputs what its facility's
    /// type makes or the kind of one of its inputs (`Roles.madeKinds`).
    /// @param facilityId The facility named in the request.
    /// @param kind The material kind asked for.
    error LotsKindNotAllowed(uint32 facilityId, MaterialKind kind);
    /// @notice The caller is not the custodian of the lot.
    /// @param account The caller (or, for `lockForPassport`, the holder the passport contract named).
    /// @param lotId The lot.
    /// @param custodian The lot's current custodian (its ERC-721 owner).
    error LotsNotCustodian(address account, uint256 lotId, address custodian);
    /// @notice The lot is not in the status the operation needs.
    /// @param lotId The lot.
    /// @param status The lot's current status.
    /// @param expected The status the operation needs.
    error LotsWrongStatus(uint256 lotId, LotStatus status, LotStatus expected);
    /// @notice The caller is not the pending receiver of the lot.
    /// @param account The caller.
    /// @param lotId The lot in transit.
    /// @param pendingReceiver The receiver the custodian offered the lot to.
    error LotsNotPendingReceiver(address account, uint256 lotId, address pendingReceiver);
    /// @notice The receiver of an offer is not a registered participant, or is the custodian itself;
    /// or, at the weigh-in, the receiver's role was revoked since the offer.
    /// @param receiver The receiver named in the offer.
    error LotsInvalidReceiver(address receiver);
    /// @notice Tokens move only through offer and accept.
    /// @param lotId The lot a direct ERC-721 transfer tried to move.
    error LotsDirectTransferDisabled(uint256 lotId);
    /// @notice An output lot id already exists.
    /// @param lotId The existing lot id the output would have.
    error LotsAlreadyExists(uint256 lotId);
    /// @notice A transformation has no inputs or outputs, too many, or repeats an input.
    /// @param inputCount The number of input lot ids in the request.
    /// @param outputCount The number of outputs in the request.
    error LotsInvalidTransform(uint256 inputCount, uint256 outputCount);
    /// @notice The commitment is zero, which marks an unused proof slot.
    /// @param commitment The commitment given (always zero).
    error LotsInvalidCommitment(uint256 commitment);
    /// @notice The custodian is no longer a registered participant holding its role (the admin
    /// revoked it), so it may not hand the lot on.
    /// @param account The caller, the lot's custodian.
    /// @param lotId The lot it tried to offer.
    error LotsSenderNotParticipant(address account, uint256 lotId);
    /// @notice An auditor may not resolve a dispute it is party to, as the lot's sender or receiver.
    /// @param auditor The caller.
    /// @param lotId The disputed lot.
    error LotsAuditorIsParty(address auditor, uint256 lotId);

    /// @notice Emitted when a lot comes into existence, at origin or as a transformation's output.
    /// @param lotId The new lot's id, `uint256(keccak256(abi.encode(creator, externalId)))`.
    /// @param creator The participant who created the lot and is its first custodian.
    /// @param facilityId The facility where it was created.
    /// @param externalId The creator's own identifier of the lot.
    /// @param kind The lot's material.
    /// @param custodyModel The chain-of-custody model under which it is handled.
    /// @param tagId The physical tag (seal, RFID, drum label) on the lot; zero when none.
    /// @param commitment The Poseidon commitment to the lot's confidential values.
    /// @param certifiedSchemes The schemes the facility was certified under at creation, one bit per
    /// `IRegistry.Scheme`.
    /// @param parentIds The lots it was made from; empty for an origin lot.
    /// @param encryptedOpening The opening of the commitment, encrypted for the creator and the
    /// auditors' view keys.
    event LotCreated(
        uint256 indexed lotId,
        address indexed creator,
        uint32 indexed facilityId,
        bytes32 externalId,
        MaterialKind kind,
        CustodyModel custodyModel,
        bytes32 tagId,
        uint256 commitment,
        uint8 certifiedSchemes,
        uint256[] parentIds,
        bytes encryptedOpening
    );
    /// @notice Emitted when lots are transformed into new lots at a facility.
    /// @param transformId The transformation's id (they run from 1).
    /// @param operator The participant who transformed the lots.
    /// @param facilityId The facility where the transformation took place.
    /// @param inputLotIds The lots consumed.
    /// @param outputLotIds The lots created.
    /// @param maxYieldLossBps The facility's audited maximum yield loss the proof was checked against,
    /// in basis points.
    /// @param processCo2eGrams The CO2e the process itself emitted, grams, as declared; the proof
    /// allocates it, with the inputs' CO2e, to the outputs by cobalt mass.
    event LotsTransformed(
        uint256 indexed transformId,
        address indexed operator,
        uint32 indexed facilityId,
        uint256[] inputLotIds,
        uint256[] outputLotIds,
        uint16 maxYieldLossBps,
        uint64 processCo2eGrams
    );
    /// @notice Emitted when a lot's status changes.
    /// @param lotId The lot.
    /// @param oldStatus Its status before.
    /// @param newStatus Its status now.
    event LotStatusChanged(uint256 indexed lotId, LotStatus oldStatus, LotStatus newStatus);
    /// @notice Emitted when the custodian offers a lot; carries the opening encrypted for the
    /// receiver and the auditors.
    /// @param lotId The lot, now in transit.
    /// @param from The custodian who offers it.
    /// @param to The receiver it is offered to.
    /// @param encryptedOpening The lot's opening encrypted for the receiver and the auditors' view keys.
    event LotOffered(uint256 indexed lotId, address indexed from, address indexed to, bytes encryptedOpening);
    /// @notice Emitted when the custodian withdraws an offer.
    /// @param lotId The lot, active again.
    /// @param from The custodian who withdrew the offer.
    /// @param to The receiver the lot had been offered to.
    event LotOfferCancelled(uint256 indexed lotId, address indexed from, address indexed to);
    /// @notice Emitted when the receiver accepts a lot whose weight was within tolerance.
    /// @param lotId The lot, now held by `to`.
    /// @param from The previous custodian.
    /// @param to The receiver, now the custodian.
    /// @param weighingEvidenceHash Hash of the receiver's weighing record.
    event LotAccepted(uint256 indexed lotId, address indexed from, address indexed to, bytes32 weighingEvidenceHash);
    /// @notice Emitted when the receiver's weighing falls outside tolerance.
    /// @param lotId The lot, now disputed and still held by `from`.
    /// @param from The custodian who offered it.
    /// @param to The receiver who disputes it.
    /// @param weighingEvidenceHash Hash of the receiver's weighing record.
    event LotDisputed(uint256 indexed lotId, address indexed from, address indexed to, bytes32 weighingEvidenceHash);
    /// @notice Emitted when an auditor resolves a dispute.
    /// @param lotId The lot, active again.
    /// @param auditor The auditor who resolved the dispute.
    /// @param custodian The lot's custodian after the resolution (the receiver or the sender).
    /// @param outcome Whether the lot went to the receiver or back to the sender.
    /// @param evidenceHash Hash of the auditor's evidence (re-weighing, report).
    event LotDisputeResolved(
        uint256 indexed lotId, address indexed auditor, address indexed custodian, DisputeOutcome outcome, bytes32 evidenceHash
    );
    /// @notice Emitted when a pack lot is locked by the battery passport that it backs.
    /// @param lotId The pack lot, now consumed.
    /// @param passportId The passport it backs.
    event LotLockedForPassport(uint256 indexed lotId, uint256 indexed passportId);

    /// @notice Creates an origin lot with a proof that its commitment is well formed.
    /// @dev Requirements:
    /// - the caller holds MINER_ROLE or RECYCLER_ROLE and operates `facilityId`, a mine, an
    ///   artisanal site or a recycler;
    /// - the proof verifies with the facility's certification, recycler status, risk flags and CO2e
    ///   floor as read now, bound to this chain, this contract and the lot id.
    /// The lot id is `uint256(keccak256(abi.encode(caller, externalId)))`: minting the same external
    /// id again returns the existing lot and changes nothing.
    function mintOrigin(uint32 facilityId, LotSpec calldata spec, Groth16Proof calldata proof)
        external
        returns (uint256 lotId);

    /// @notice Consumes input lots and creates output lots, with a proof of mass balance.
    /// @dev Requirements:
    /// - 1 to 4 distinct inputs, all held by the caller and active; 1 to 4 outputs with new ids;
    /// - the caller operates `request.facilityId`, a processing, assembly or recycling facility;
    /// - the proof verifies against the inputs' on-chain commitments, the outputs' commitments, the
    ///   facility's audited maximum yield loss, the declared process emissions and the facility's
    ///   audited floor of them per kg of material processed (the inputs' total mass), which the
    ///   circuit enforces.
    function transform(TransformRequest calldata request, Groth16Proof calldata proof)
        external
        returns (uint256 transformId, uint256[] memory outputLotIds);

    /// @notice Offers a lot to `to`; the lot is in transit until accepted or cancelled.
    /// @dev Requirements: the caller is the custodian; the lot is active; the caller is still a
    /// registered participant holding its role (`LotsSenderNotParticipant`); `to` is a registered
    /// participant other than the caller.
    function offer(uint256 lotId, address to, bytes calldata encryptedOpening) external;

    /// @notice Withdraws a pending offer.
    /// @dev Requirements: the caller is the custodian; the lot is in transit.
    function cancelOffer(uint256 lotId) external;

    /// @notice Accepts (within tolerance) or disputes (outside tolerance) a lot after weighing it.
    /// @dev Requirements: the caller is the pending receiver and still a participant; the lot is in transit.
    function accept(uint256 lotId, bool withinTolerance, bytes32 weighingEvidenceHash) external;

    /// @notice Resolves a disputed handover.
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the lot is disputed; the caller is neither
    /// the lot's sender nor its receiver (`LotsAuditorIsParty`).
    function resolveDispute(uint256 lotId, DisputeOutcome outcome, bytes32 evidenceHash) external;

    /// @notice Locks a pack lot as the material of one battery passport.
    /// @dev Requirements: the caller holds PASSPORT_CONTRACT_ROLE; the lot is active and held by `holder`.
    function lockForPassport(uint256 lotId, address holder, uint256 passportId) external;

    /// @notice The public record of a lot.
    function lot(uint256 lotId) external view returns (Lot memory);

    /// @notice The lots a lot was made from.
    function parents(uint256 lotId) external view returns (uint256[] memory);

    /// @notice The id a lot minted by `creator` with `externalId` has (or will have).
    function lotIdFor(address creator, bytes32 externalId) external pure returns (uint256);

    /// @notice The number of transformations so far (ids run from 1).
    function transformCount() external view returns (uint256);

    /// @notice The field element the mint proof of `lotId` is bound to on this chain and contract.
    function mintContext(uint256 lotId) external view returns (uint256);

    /// @notice The field element a transformation's proof is bound to.
    function transformContext(uint256[] calldata inputLotIds, uint256[] calldata outputLotIds, uint32 facilityId)
        external
        view
        returns (uint256);
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ILots} from "./interfaces/ILots.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {Groth16Proof, IMintVerifier, ITransformVerifier} from "./interfaces/IGroth16Verifiers.sol";
import {ProofGate} from "./zk/ProofGate.sol";
import {Roles} from "./Roles.sol";

/// @title BatteryLots
/// @notice ERC-721 lots of battery material with proven confidential values and two-step custody.
/// @dev Every mint and every change of custodian goes through ERC721's `_update`, which refuses any
/// transfer not started by this contract itself (`auth == address(0)`), so `transferFrom` and
/// `safeTransferFrom` cannot skip the handover.
contract BatteryLots is ILots, ERC721, ProofGate {
    uint256 private constant _MAX_INPUTS = 4;
    uint256 private constant _MAX_OUTPUTS = 4;

    // The mint circuit's public signals (circuits/manifest.json, `mint.publicSignals`): commitment,
    // certified, recycledOrigin, riskFlags, co2eFloorGramsPerKg, context.
    uint256 private constant _MINT_COMMITMENT = 0;
    uint256 private constant _MINT_SIGNALS = 6;

    // Positions of the transform circuit's public signals (circuits/manifest.json,
    // `transform.publicSignals`): _MAX_INPUTS input commitments, _MAX_OUTPUTS output commitments
    // (zero in unused slots), maxYieldLossBps, processCo2eGrams, processCo2eFloorGramsPerKg,
    // context. Literals, not sums of the constants above: a constant expression is evaluated, with
    // its overflow check, at every use.
    uint256 private constant _TRANSFORM_INPUT_COMMITMENTS = 0;
    uint256 private constant _TRANSFORM_OUTPUT_COMMITMENTS = 4;
    uint256 private constant _TRANSFORM_MAX_YIELD_LOSS = 8;
    uint256 private constant _TRANSFORM_PROCESS_CO2E = 9;
    uint256 private constant _TRANSFORM_PROCESS_CO2E_FLOOR = 10;
    uint256 private constant _TRANSFORM_CONTEXT = 11;
    uint256 private constant _TRANSFORM_SIGNALS = 12;

    bytes32 private constant _OP_MINT = keccak256("batterytrace.mint");
    bytes32 private constant _OP_TRANSFORM = keccak256("batterytrace.transform");
    bytes32 private constant _MINT_CIRCUIT = "mint";
    bytes32 private constant _TRANSFORM_CIRCUIT = "transform";

    IRegistry private immutable _registry;
    IMintVerifier private immutable _mintVerifier;
    ITransformVerifier private immutable _transformVerifier;

    mapping(uint256 lotId => Lot) private _lots;
    mapping(uint256 lotId => uint256[] parentIds) private _parents;
    uint256 private _transformCount;

    /// @param registry_ The consortium registry (roles, facilities, certifications).
    /// @param mintVerifier_ The generated verifier of the mint circuit.
    /// @param transformVerifier_ The generated verifier of the transform circuit.
    constructor(IRegistry registry_, IMintVerifier mintVerifier_, ITransformVerifier transformVerifier_)
        ERC721("batterytrace lot", "BTLOT")
    {
        _registry = registry_;
        _mintVerifier = mintVerifier_;
        _transformVerifier = transformVerifier_;
    }

    /// @inheritdoc ILots
    function mintOrigin(uint32 facilityId, LotSpec calldata spec, Groth16Proof calldata proof)
        external
        returns (uint256 lotId)
    {
        lotId = lotIdFor(msg.sender, spec.externalId);
        if (_lots[lotId].status != LotStatus.None) return lotId;

        IRegistry.Facility memory site = _registry.facility(facilityId);
        bytes32 role = Roles.mintingRole(site.facilityType);
        if (!_hasRole(role, msg.sender)) revert LotsUnauthorized(msg.sender, role);
        if (!site.registered || site.operator != msg.sender || !Roles.mintsOriginLots(site.facilityType)) {
            revert LotsFacilityNotAllowed(msg.sender, facilityId);
        }
        // Only a site an auditor activated carries audited type, risk findings and parameters.
        if (!site.active) revert LotsFacilityNotActive(facilityId);
        if (spec.commitment == 0) revert LotsInvalidCommitment(0);
        _requireInField(_MINT_COMMITMENT, spec.commitment);
        if (!Roles.mintsKind(site.facilityType, spec.kind)) revert LotsKindNotAllowed(facilityId, spec.kind);

        uint8 schemes = _registry.certifiedSchemes(facilityId, uint64(block.timestamp));
        // In circuits/manifest.json's order (an array literal costs less gas than indexed writes).
        uint256[_MINT_SIGNALS] memory signals = [
            spec.commitment, // commitment, at _MINT_COMMITMENT
            schemes != 0 ? 1 : 0, // certified
            site.facilityType == IRegistry.FacilityType.Recycler ? 1 : 0, // recycledOrigin
            uint256(site.riskFlags), // riskFlags
            uint256(_originCo2eFloor(site)), // co2eFloorGramsPerKg
            mintContext(lotId) // context
        ];
        _requireVerified(_mintVerifier.verifyProof(proof.a, proof.b, proof.c, signals), _MINT_CIRCUIT);

        _create(lotId, facilityId, schemes, new uint256[](0), spec);
    }

    /// @inheritdoc ILots
    function transform(TransformRequest calldata request, Groth16Proof calldata proof)
        external
        returns (uint256 transformId, uint256[] memory outputLotIds)
    {
        uint16 maxYieldLossBps;
        uint32 processCo2eFloorGramsPerKg;
        (outputLotIds, maxYieldLossBps, processCo2eFloorGramsPerKg) = _checkTransform(request);
        uint256[_TRANSFORM_SIGNALS] memory signals =
            _transformSignals(request, outputLotIds, maxYieldLossBps, processCo2eFloorGramsPerKg);
        _requireVerified(_transformVerifier.verifyProof(proof.a, proof.b, proof.c, signals), _TRANSFORM_CIRCUIT);

        transformId = ++_transformCount;
        for (uint256 index; index < request.inputLotIds.length; ++index) {
            _setStatus(request.inputLotIds[index], LotStatus.Consumed);
        }
        uint8 schemes = _registry.certifiedSchemes(request.facilityId, uint64(block.timestamp));
        for (uint256 index; index < outputLotIds.length; ++index) {
            _create(outputLotIds[index], request.facilityId, schemes, request.inputLotIds, request.outputs[index]);
        }
        emit LotsTransformed(
            transformId,
            msg.sender,
            request.facilityId,
            request.inputLotIds,
            outputLotIds,
            maxYieldLossBps,
            request.processCo2eGrams
        );
    }

    /// @inheritdoc ILots
    function offer(uint256 lotId, address to, bytes calldata encryptedOpening) external {
        _requireCustodian(lotId, LotStatus.Active);
        // A custodian whose role the admin revoked keeps its lots but may not pass them on.
        if (!_registry.isParticipant(msg.sender)) revert LotsSenderNotParticipant(msg.sender, lotId);
        if (to == msg.sender || !_registry.isParticipant(to)) revert LotsInvalidReceiver(to);
        _lots[lotId].pendingReceiver = to;
        _setStatus(lotId, LotStatus.InTransit);
        emit LotOffered(lotId, msg.sender, to, encryptedOpening);
    }

    /// @inheritdoc ILots
    function cancelOffer(uint256 lotId) external {
        _requireCustodian(lotId, LotStatus.InTransit);
        address receiver = _lots[lotId].pendingReceiver;
        delete _lots[lotId].pendingReceiver;
        _setStatus(lotId, LotStatus.Active);
        emit LotOfferCancelled(lotId, msg.sender, receiver);
    }

    /// @inheritdoc ILots
    function accept(uint256 lotId, bool withinTolerance, bytes32 weighingEvidenceHash) external {
        Lot storage record = _requireLot(lotId);
        if (record.status != LotStatus.InTransit) revert LotsWrongStatus(lotId, record.status, LotStatus.InTransit);
        if (record.pendingReceiver != msg.sender) {
            revert LotsNotPendingReceiver(msg.sender, lotId, record.pendingReceiver);
        }
        // A receiver whose role was revoked while the lot travelled takes nothing in; the sender
        // cancels the offer.
        if (!_registry.isParticipant(msg.sender)) revert LotsInvalidReceiver(msg.sender);
        address sender = _ownerOf(lotId);
        if (withinTolerance) {
            delete record.pendingReceiver;
            _setStatus(lotId, LotStatus.Active);
            _update(msg.sender, lotId, address(0));
            emit LotAccepted(lotId, sender, msg.sender, weighingEvidenceHash);
        } else {
            _setStatus(lotId, LotStatus.Disputed);
            emit LotDisputed(lotId, sender, msg.sender, weighingEvidenceHash);
        }
    }

    /// @inheritdoc ILots
    function resolveDispute(uint256 lotId, DisputeOutcome outcome, bytes32 evidenceHash) external {
        if (!_hasRole(Roles.AUDITOR, msg.sender)) revert LotsUnauthorized(msg.sender, Roles.AUDITOR);
        Lot storage record = _requireLot(lotId);
        if (record.status != LotStatus.Disputed) revert LotsWrongStatus(lotId, record.status, LotStatus.Disputed);
        address receiver = record.pendingReceiver;
        address custodian = _ownerOf(lotId);
        if (msg.sender == custodian || msg.sender == receiver) revert LotsAuditorIsParty(msg.sender, lotId);
        delete record.pendingReceiver;
        _setStatus(lotId, LotStatus.Active);
        if (outcome == DisputeOutcome.DeliverToReceiver) {
            _update(receiver, lotId, address(0));
            custodian = receiver;
        }
        emit LotDisputeResolved(lotId, msg.sender, custodian, outcome, evidenceHash);
    }

    /// @inheritdoc ILots
    function lockForPassport(uint256 lotId, address holder, uint256 passportId) external {
        if (!_hasRole(Roles.PASSPORT_CONTRACT, msg.sender)) {
            revert LotsUnauthorized(msg.sender, Roles.PASSPORT_CONTRACT);
        }
        Lot storage record = _requireLot(lotId);
        address custodian = _ownerOf(lotId);
        if (custodian != holder) revert LotsNotCustodian(holder, lotId, custodian);
        if (record.status != LotStatus.Active) revert LotsWrongStatus(lotId, record.status, LotStatus.Active);
        _setStatus(lotId, LotStatus.Consumed);
        emit LotLockedForPassport(lotId, passportId);
    }

    /// @inheritdoc ILots
    function lot(uint256 lotId) external view returns (Lot memory) {
        return _lots[lotId];
    }

    /// @inheritdoc ILots
    function parents(uint256 lotId) external view returns (uint256[] memory) {
        return _parents[lotId];
    }

    /// @inheritdoc ILots
    function lotIdFor(address creator, bytes32 externalId) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(creator, externalId)));
    }

    /// @inheritdoc ILots
    function transformCount() external view returns (uint256) {
        return _transformCount;
    }

    /// @notice The registry this contract consults.
    function registry() external view returns (IRegistry) {
        return _registry;
    }

    /// @inheritdoc ILots
    function mintContext(uint256 lotId) public view returns (uint256) {
        return _fieldHash(abi.encode(block.chainid, address(this), _OP_MINT, lotId));
    }

    /// @inheritdoc ILots
    function transformContext(uint256[] calldata inputLotIds, uint256[] memory outputLotIds, uint32 facilityId)
        public
        view
        returns (uint256)
    {
        return _fieldHash(abi.encode(block.chainid, address(this), _OP_TRANSFORM, inputLotIds, outputLotIds, facilityId));
    }

    /// @dev The floor of an origin lot's declared emissions, grams CO2e per kg cobalt: the rulebook
    /// floor of the site's type (set by the admin) or the auditor's floor for the site, the higher.
    function _originCo2eFloor(IRegistry.Facility memory site) private view returns (uint32) {
        uint32 typeFloor = _registry.co2eFloorGramsPerKg(site.facilityType);
        return site.co2eFloorGramsPerKg > typeFloor ? site.co2eFloorGramsPerKg : typeFloor;
    }

    /// @dev The single hook of every mint and transfer: only this contract's own calls (auth zero)
    /// move a lot, so the handover cannot be skipped.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (auth != address(0)) revert LotsDirectTransferDisabled(tokenId);
        return super._update(to, tokenId, auth);
    }

    /// @dev Checks a transformation request, in this order: 1 to 4 inputs and outputs; the caller is
    /// a participant operating `request.facilityId`, an active facility of a type that transforms
    /// lots; each input is distinct, held by the caller and active; each output is of a kind the
    /// facility makes or of an input's kind, its id is new and its commitment non-zero and in the
    /// field. Returns the output lot ids and the facility's audited process parameters: the maximum
    /// yield loss and the floor of process CO2e per kg of material processed.
    function _checkTransform(TransformRequest calldata request)
        private
        view
        returns (uint256[] memory outputLotIds, uint16 maxYieldLossBps, uint32 processCo2eFloorGramsPerKg)
    {
        uint256 inputCount = request.inputLotIds.length;
        uint256 outputCount = request.outputs.length;
        if (inputCount == 0 || inputCount > _MAX_INPUTS || outputCount == 0 || outputCount > _MAX_OUTPUTS) {
            revert LotsInvalidTransform(inputCount, outputCount);
        }
        if (!_registry.isParticipant(msg.sender)) revert LotsUnauthorized(msg.sender, bytes32(0));
        IRegistry.Facility memory site = _registry.facility(request.facilityId);
        if (!site.registered || site.operator != msg.sender || !Roles.transformsLots(site.facilityType)) {
            revert LotsFacilityNotAllowed(msg.sender, request.facilityId);
        }
        if (!site.active) revert LotsFacilityNotActive(request.facilityId);
        // What the site's type makes, or the kind of one of the inputs (a split or merge).
        uint256 allowedKinds = Roles.madeKinds(site.facilityType);
        for (uint256 index; index < inputCount; ++index) {
            uint256 inputId = request.inputLotIds[index];
            for (uint256 earlier; earlier < index; ++earlier) {
                if (request.inputLotIds[earlier] == inputId) revert LotsInvalidTransform(inputCount, outputCount);
            }
            _requireCustodian(inputId, LotStatus.Active);
            allowedKinds |= Roles.kindBit(_lots[inputId].kind);
        }
        outputLotIds = new uint256[](outputCount);
        for (uint256 index; index < outputCount; ++index) {
            MaterialKind kind = request.outputs[index].kind;
            if (allowedKinds & Roles.kindBit(kind) == 0) revert LotsKindNotAllowed(request.facilityId, kind);
            uint256 outputId = lotIdFor(msg.sender, request.outputs[index].externalId);
            if (_lots[outputId].status != LotStatus.None) revert LotsAlreadyExists(outputId);
            uint256 commitment = request.outputs[index].commitment;
            if (commitment == 0) revert LotsInvalidCommitment(0);
            _requireInField(_TRANSFORM_OUTPUT_COMMITMENTS + index, commitment);
            outputLotIds[index] = outputId;
        }
        maxYieldLossBps = site.maxYieldLossBps;
        processCo2eFloorGramsPerKg = site.co2eFloorGramsPerKg;
    }

    /// @dev The public signals of a checked transformation's proof, at the `_TRANSFORM_*` positions:
    /// the inputs' on-chain commitments and the outputs' commitments (zero in unused slots), the
    /// facility's maximum yield loss, the declared process emissions, the facility's floor of them per
    /// kg processed (which the circuit enforces) and the context.
    function _transformSignals(
        TransformRequest calldata request,
        uint256[] memory outputLotIds,
        uint16 maxYieldLossBps,
        uint32 processCo2eFloorGramsPerKg
    )
        private
        view
        returns (uint256[_TRANSFORM_SIGNALS] memory signals)
    {
        uint256[] calldata inputLotIds = request.inputLotIds;
        LotSpec[] calldata outputs = request.outputs;
        // Positions cannot overflow: the checks bound both counts by 4.
        unchecked {
            for (uint256 index; index < inputLotIds.length; ++index) {
                signals[_TRANSFORM_INPUT_COMMITMENTS + index] = _lots[inputLotIds[index]].commitment;
            }
            for (uint256 index; index < outputs.length; ++index) {
                signals[_TRANSFORM_OUTPUT_COMMITMENTS + index] = outputs[index].commitment;
            }
        }
        signals[_TRANSFORM_MAX_YIELD_LOSS] = maxYieldLossBps;
        signals[_TRANSFORM_PROCESS_CO2E] = request.processCo2eGrams;
        signals[_TRANSFORM_PROCESS_CO2E_FLOOR] = processCo2eFloorGramsPerKg;
        signals[_TRANSFORM_CONTEXT] = transformContext(inputLotIds, outputLotIds, request.facilityId);
    }

    function _create(
        uint256 lotId,
        uint32 facilityId,
        uint8 schemes,
        uint256[] memory parentIds,
        LotSpec calldata spec
    ) private {
        _lots[lotId] = Lot({
            creator: msg.sender,
            facilityId: facilityId,
            createdAt: uint32(block.timestamp),
            kind: spec.kind,
            status: LotStatus.Active,
            custodyModel: spec.custodyModel,
            certifiedSchemes: schemes,
            commitment: spec.commitment,
            tagId: spec.tagId,
            pendingReceiver: address(0)
        });
        if (parentIds.length != 0) _parents[lotId] = parentIds;
        _mint(msg.sender, lotId);
        emit LotCreated(
            lotId,
            msg.sender,
            facilityId,
            spec.externalId,
            spec.kind,
            spec.custodyModel,
            spec.tagId,
            spec.commitment,
            schemes,
            parentIds,
            spec.encryptedOpening
        );
    }

    function _setStatus(uint256 lotId, LotStatus newStatus) private {
        LotStatus oldStatus = _lots[lotId].status;
        _lots[lotId].status = newStatus;
        emit LotStatusChanged(lotId, oldStatus, newStatus);
    }

    function _requireLot(uint256 lotId) private view returns (Lot storage record) {
        record = _lots[lotId];
        if (record.status == LotStatus.None) revert LotsUnknownLot(lotId);
    }

    function _requireCustodian(uint256 lotId, LotStatus expected) private view {
        Lot storage record = _requireLot(lotId);
        address custodian = _ownerOf(lotId);
        if (custodian != msg.sender) revert LotsNotCustodian(msg.sender, lotId, custodian);
        if (record.status != expected) revert LotsWrongStatus(lotId, record.status, expected);
    }

    function _hasRole(bytes32 role, address account) private view returns (bool) {
        return IAccessControl(address(_registry)).hasRole(role, account);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IBatteryPassport} from "./interfaces/IBatteryPassport.sol";
import {ILots} from "./interfaces/ILots.sol";
import {Groth16Proof, IClaimVerifier} from "./interfaces/IGroth16Verifiers.sol";
import {ProofGate} from "./zk/ProofGate.sol";
import {Roles} from "./Roles.sol";

/// @title BatteryPassport
/// @notice One ERC-721 passport per battery, locking its pack lot, with proven supply-chain claims.
contract BatteryPassport is IBatteryPassport, ERC721, ProofGate {
    bytes32 private constant _OP_CLAIM = keccak256("batterytrace.claim");
    bytes32 private constant _CLAIM_CIRCUIT = "claim";
    /// @dev Child labour and human rights (GBA rulebooks): every passport must prove neither is set.
    uint8 private constant _POLICY_FORBIDDEN_FLAGS = 0x03;
    uint16 private constant _BPS = 10_000;

    ILots private immutable _lots;
    IAccessControl private immutable _roles;
    IClaimVerifier private immutable _claimVerifier;

    mapping(uint256 passportId => Passport) private _passports;
    mapping(uint256 passportId => StatusChange[]) private _history;
    mapping(uint256 passportId => string) private _documentUris;

    /// @param lots_ The lots contract holding the pack lots.
    /// @param roles_ The registry whose AccessControl roles authorise issuers and recyclers.
    /// @param claimVerifier_ The generated verifier of the claim circuit.
    constructor(ILots lots_, IAccessControl roles_, IClaimVerifier claimVerifier_)
        ERC721("batterytrace battery passport", "BTPASS")
    {
        _lots = lots_;
        _roles = roles_;
        _claimVerifier = claimVerifier_;
    }

    /// @inheritdoc IBatteryPassport
    function issue(IssueRequest calldata request, Groth16Proof calldata proof) external returns (uint256 passportId) {
        _requireIssuer();
        passportId = _issue(request, proof);
    }

    /// @inheritdoc IBatteryPassport
    function issueBatch(IssueRequest[] calldata requests, Groth16Proof[] calldata proofs)
        external
        returns (uint256[] memory passportIds)
    {
        if (requests.length == 0 || requests.length != proofs.length) {
            revert PassportBatchMismatch(requests.length, proofs.length);
        }
        _requireIssuer();
        passportIds = new uint256[](requests.length);
        for (uint256 index; index < requests.length; ++index) {
            passportIds[index] = _issue(requests[index], proofs[index]);
        }
    }

    /// @inheritdoc IBatteryPassport
    function setStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external {
        Passport storage record = _requirePassport(passportId);
        PassportStatus oldStatus = record.status;
        bool holder = _ownerOf(passportId) == msg.sender;
        bool recyclerScrapping = newStatus == PassportStatus.Waste && _roles.hasRole(Roles.RECYCLER, msg.sender);
        if (!(holder || recyclerScrapping) || !_allowedTransition(oldStatus, newStatus)) {
            revert PassportInvalidStatusChange(passportId, oldStatus, newStatus);
        }
        record.status = newStatus;
        _history[passportId].push(StatusChange(newStatus, uint64(block.timestamp), msg.sender, evidenceHash));
        emit PassportStatusChanged(passportId, msg.sender, oldStatus, newStatus, evidenceHash);
    }

    /// @inheritdoc IBatteryPassport
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external {
        Passport storage record = _requirePassport(passportId);
        address holder = _ownerOf(passportId);
        if (holder != msg.sender) revert ERC721IncorrectOwner(msg.sender, passportId, holder);
        if (bytes(documentUri).length == 0) revert PassportEmptyField("documentUri");
        bytes32 oldHash = record.documentHash;
        record.documentHash = documentHash;
        _documentUris[passportId] = documentUri;
        emit PassportDocumentUpdated(passportId, oldHash, documentHash, documentUri);
    }

    /// @inheritdoc IBatteryPassport
    function passportIdFor(string calldata batteryId) public pure returns (uint256) {
        return uint256(keccak256(bytes(batteryId)));
    }

    /// @inheritdoc IBatteryPassport
    function passport(uint256 passportId) external view returns (Passport memory) {
        return _passports[passportId];
    }

    /// @inheritdoc IBatteryPassport
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory) {
        return _history[passportId];
    }

    /// @inheritdoc IBatteryPassport
    function claimContext(uint256 passportId, uint256 packLotId) public view returns (uint256) {
        return _fieldHash(abi.encode(block.chainid, address(this), _OP_CLAIM, passportId, packLotId));
    }

    /// @notice The URI of the passport's public document.
    /// @dev Requirements: the passport exists.
    function tokenURI(uint256 passportId) public view override returns (string memory) {
        _requireOwned(passportId);
        return _documentUris[passportId];
    }

    /// @notice The lots contract whose pack lots back the passports.
    function lots() external view returns (ILots) {
        return _lots;
    }

    function _issue(IssueRequest calldata request, Groth16Proof calldata proof) private returns (uint256 passportId) {
        if (bytes(request.batteryId).length == 0) revert PassportEmptyField("batteryId");
        if (bytes(request.documentUri).length == 0) revert PassportEmptyField("documentUri");
        passportId = passportIdFor(request.batteryId);
        if (_passports[passportId].status != PassportStatus.None) revert PassportAlreadyIssued(passportId);
        Claims calldata claims = request.claims;
        if (
            claims.forbiddenRiskFlags & _POLICY_FORBIDDEN_FLAGS != _POLICY_FORBIDDEN_FLAGS
                || claims.minCertifiedBps > _BPS || claims.minRecycledBps > _BPS
        ) {
            revert PassportClaimsBelowPolicy(claims.forbiddenRiskFlags, _POLICY_FORBIDDEN_FLAGS);
        }
        ILots.Lot memory pack = _lots.lot(request.packLotId);
        if (pack.status == ILots.LotStatus.None) revert ILots.LotsUnknownLot(request.packLotId);
        if (pack.kind != ILots.MaterialKind.Pack) revert PassportNotAPack(request.packLotId);

        uint256[9] memory signals = [
            pack.commitment,
            uint256(claims.cobaltGrams),
            uint256(claims.minCertifiedBps),
            uint256(claims.minRecycledBps),
            uint256(claims.maxCo2eGramsPerKgCobalt),
            uint256(claims.maxCo2eGramsPerKwh),
            uint256(claims.capacityWh),
            uint256(claims.forbiddenRiskFlags),
            claimContext(passportId, request.packLotId)
        ];
        _requireVerified(_claimVerifier.verifyProof(proof.a, proof.b, proof.c, signals), _CLAIM_CIRCUIT);

        _passports[passportId] = Passport({
            packLotId: request.packLotId,
            economicOperator: msg.sender,
            status: PassportStatus.Original,
            issuedAt: uint64(block.timestamp),
            batteryIdHash: keccak256(bytes(request.batteryId)),
            documentHash: request.documentHash,
            legitimateInterestCommitment: request.legitimateInterestCommitment,
            authoritiesCommitment: request.authoritiesCommitment,
            claims: claims
        });
        _documentUris[passportId] = request.documentUri;
        _history[passportId].push(StatusChange(PassportStatus.Original, uint64(block.timestamp), msg.sender, bytes32(0)));
        // Check, write, then interact: the passport is recorded before the lots contract is called.
        // Locking checks custody and status (a lot already backing a passport is consumed) and
        // reverts the whole issue when either is wrong.
        _lots.lockForPassport(request.packLotId, msg.sender, passportId);
        _mint(msg.sender, passportId);
        emit PassportIssued(
            passportId,
            request.packLotId,
            msg.sender,
            request.batteryId,
            request.documentUri,
            request.documentHash,
            request.legitimateInterestCommitment,
            request.authoritiesCommitment,
            claims
        );
    }

    function _requireIssuer() private view {
        if (!_roles.hasRole(Roles.PACK_MAKER, msg.sender) && !_roles.hasRole(Roles.OEM, msg.sender)) {
            revert PassportUnauthorized(msg.sender);
        }
    }

    function _requirePassport(uint256 passportId) private view returns (Passport storage record) {
        record = _passports[passportId];
        if (record.status == PassportStatus.None) revert PassportUnknown(passportId);
    }

    function _allowedTransition(PassportStatus from, PassportStatus to) private pure returns (bool) {
        if (from == PassportStatus.Waste || to == PassportStatus.None || to == PassportStatus.Original) return false;
        return from != to;
    }
}

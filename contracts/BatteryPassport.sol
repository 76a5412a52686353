// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IBatteryPassport} from "./interfaces/IBatteryPassport.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IShieldedLedger, LEDGER_METALS} from "./interfaces/IShieldedLedger.sol";
import {Groth16Proof} from "./interfaces/IGroth16Verifiers.sol";
import {BatteryIds} from "./lib/BatteryIds.sol";
import {Roles} from "./Roles.sol";

/// @title BatteryPassport
/// @notice One ERC-721 passport per battery, redeeming its pack note on the shielded ledger, with
/// proven supply-chain claims.
/// The token's owner holds the battery: it alone changes the status, and hands the battery on only to
/// registered participants; authorities correct a status with evidence.
contract BatteryPassport is IBatteryPassport, ERC721 {
    /// @dev Child labour and human rights (GBA rulebooks): every passport must prove neither is set.
    uint8 private constant _POLICY_FORBIDDEN_FLAGS = 0x03;
    uint16 private constant _BPS = 10_000;

    IRegistry private immutable _registry;
    IShieldedLedger private immutable _ledger;

    mapping(uint256 passportId => Passport) private _passports;
    mapping(uint256 passportId => StatusChange[]) private _history;
    mapping(uint256 passportId => string) private _documentUris;

    /// @param registry_ The registry: its roles authorise issuers and authorities, its company
    /// prefixes say whose battery ids are whose, its participants who may receive a passport.
    /// @param ledger_ The shielded ledger whose pack notes back passports issued from notes; it lets
    /// this contract alone redeem them (the registry's PASSPORT_CONTRACT role).
    constructor(IRegistry registry_, IShieldedLedger ledger_) ERC721("batterytrace battery passport", "BTPASS") {
        _registry = registry_;
        _ledger = ledger_;
    }

    /// @inheritdoc IBatteryPassport
    function issueFromNotes(NoteIssueRequest[] calldata requests, Groth16Proof[] calldata proofs)
        external
        returns (uint256[] memory passportIds)
    {
        _requireBatch(requests.length, proofs.length);
        passportIds = new uint256[](requests.length);
        for (uint256 index; index < requests.length; ++index) {
            passportIds[index] = _issueFromNote(requests[index], proofs[index]);
        }
    }

    /// @inheritdoc IBatteryPassport
    function setStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external {
        Passport storage record = _requirePassport(passportId);
        _requireHolder(passportId);
        PassportStatus oldStatus = record.status;
        if (!_allowedTransition(oldStatus, newStatus)) revert PassportInvalidStatusChange(passportId, oldStatus, newStatus);
        _changeStatus(passportId, record, oldStatus, newStatus, evidenceHash);
    }

    /// @inheritdoc IBatteryPassport
    function correctStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external {
        Passport storage record = _requirePassport(passportId);
        if (!_hasRole(Roles.AUTHORITY, msg.sender) || !_registry.isParticipant(msg.sender)) {
            revert PassportUnauthorized(msg.sender);
        }
        if (evidenceHash == bytes32(0)) revert PassportEvidenceRequired(passportId);
        PassportStatus oldStatus = record.status;
        if (newStatus == PassportStatus.None || newStatus == oldStatus) {
            revert PassportInvalidStatusChange(passportId, oldStatus, newStatus);
        }
        _changeStatus(passportId, record, oldStatus, newStatus, evidenceHash);
    }

    /// @inheritdoc IBatteryPassport
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external {
        Passport storage record = _requirePassport(passportId);
        _requireHolder(passportId);
        if (bytes(documentUri).length == 0) revert PassportEmptyField("documentUri");
        bytes32 oldHash = record.documentHash;
        record.documentHash = documentHash;
        _documentUris[passportId] = documentUri;
        emit PassportDocumentUpdated(passportId, oldHash, documentHash, documentUri);
    }

    /// @inheritdoc IBatteryPassport
    function passportIdFor(string calldata batteryId) public pure returns (uint256) {
        (bool valid, BatteryIds.Parsed memory parsed) = BatteryIds.parse(bytes(batteryId));
        if (!valid) revert PassportMalformedBatteryId(batteryId);
        return uint256(parsed.key);
    }

    /// @inheritdoc IBatteryPassport
    function passport(uint256 passportId) external view returns (Passport memory) {
        return _passports[passportId];
    }

    /// @inheritdoc IBatteryPassport
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory) {
        return _history[passportId];
    }

    /// @notice The URI of the passport's public document.
    /// @dev Requirements: the passport exists.
    function tokenURI(uint256 passportId) public view override returns (string memory) {
        _requireOwned(passportId);
        return _documentUris[passportId];
    }

    /// @notice The shielded ledger whose pack notes back the passports issued from notes.
    function ledger() external view returns (IShieldedLedger) {
        return _ledger;
    }

    /// @dev The pack note's proof is checked by the ledger, bound to this contract and the passport
    /// id; the passport names the note only by its nullifier.
    function _issueFromNote(NoteIssueRequest calldata request, Groth16Proof calldata proof)
        private
        returns (uint256 passportId)
    {
        passportId = _newPassportId(request.batteryId, request.documentUri);
        if (request.pack.issuer != msg.sender) revert PassportUnauthorized(msg.sender);
        Claims memory claims = _noteClaims(request.pack);
        Passport storage record = _passports[passportId];
        record.packNullifier = request.pack.nullifier;
        record.economicOperator = msg.sender;
        record.status = PassportStatus.Original;
        record.issuedAt = uint64(block.timestamp);
        record.batteryIdHash = keccak256(bytes(request.batteryId));
        record.documentHash = request.documentHash;
        record.legitimateInterestCommitment = request.legitimateInterestCommitment;
        record.authoritiesCommitment = request.authoritiesCommitment;
        _storeClaims(record.claims, claims);
        _documentUris[passportId] = request.documentUri;
        _history[passportId].push(StatusChange(PassportStatus.Original, uint64(block.timestamp), msg.sender, bytes32(0)));
        // Check, write, then interact: the ledger verifies the proof and spends the note, or reverts
        // the whole issue (a note already redeemed, a proof for other claims or another passport).
        _ledger.redeemPack(request.pack, proof, bytes32(passportId));
        _mint(msg.sender, passportId);
        _emitNoteIssue(passportId, request, claims);
    }

    /// @dev The passport's claims from a pack note's, metal by metal: each certified share at most
    /// 100% and each metal's pre- and post-consumer shares at most 100% together (no material is
    /// both), the policy's flags forbidden.
    function _noteClaims(IShieldedLedger.PackClaimRequest calldata pack) private pure returns (Claims memory claims) {
        bool withinPolicy = pack.forbiddenRiskFlags & _POLICY_FORBIDDEN_FLAGS == _POLICY_FORBIDDEN_FLAGS;
        for (uint256 metal; metal < LEDGER_METALS; ++metal) {
            IShieldedLedger.MetalClaim calldata claim = pack.metals[metal];
            withinPolicy = withinPolicy && claim.minCertifiedBps <= _BPS
                && uint256(claim.minPreConsumerBps) + claim.minPostConsumerBps <= _BPS;
            claims.metals[metal] = claim;
        }
        if (!withinPolicy) revert PassportClaimsBelowPolicy(pack.forbiddenRiskFlags, _POLICY_FORBIDDEN_FLAGS);
        claims.maxCo2eGramsPerKgCobalt = pack.maxCo2eGramsPerKgCobalt;
        claims.maxCo2eGramsPerKwh = pack.maxCo2eGramsPerKwh;
        claims.capacityWh = pack.capacityWh;
        claims.forbiddenRiskFlags = pack.forbiddenRiskFlags;
    }

    /// @dev Field by field: the legacy code generator copies no memory array of structs to storage.
    function _storeClaims(Claims storage stored, Claims memory claims) private {
        for (uint256 metal; metal < LEDGER_METALS; ++metal) {
            stored.metals[metal] = claims.metals[metal];
        }
        stored.maxCo2eGramsPerKgCobalt = claims.maxCo2eGramsPerKgCobalt;
        stored.maxCo2eGramsPerKwh = claims.maxCo2eGramsPerKwh;
        stored.capacityWh = claims.capacityWh;
        stored.forbiddenRiskFlags = claims.forbiddenRiskFlags;
    }

    function _emitNoteIssue(uint256 passportId, NoteIssueRequest calldata request, Claims memory claims) private {
        emit PassportIssued(
            passportId,
            request.pack.nullifier,
            msg.sender,
            request.batteryId,
            request.documentUri,
            request.documentHash,
            request.legitimateInterestCommitment,
            request.authoritiesCommitment,
            claims
        );
    }

    /// @dev A passport moves only to a registered participant: the battery is handed over, never
    /// sent to an arbitrary address. Minting (to the issuer, checked at issuance) is not a hand-over.
    /// The caller's authorisation is checked first, so a caller who may not move the token learns
    /// only that.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0)) {
            if (auth != address(0)) _checkAuthorized(from, auth, tokenId);
            if (!_registry.isParticipant(to)) revert PassportInvalidReceiver(to);
        }
        return super._update(to, tokenId, auth);
    }

    function _changeStatus(
        uint256 passportId,
        Passport storage record,
        PassportStatus oldStatus,
        PassportStatus newStatus,
        bytes32 evidenceHash
    ) private {
        record.status = newStatus;
        _history[passportId].push(StatusChange(newStatus, uint64(block.timestamp), msg.sender, evidenceHash));
        emit PassportStatusChanged(passportId, msg.sender, oldStatus, newStatus, evidenceHash);
    }

    /// @dev A batch of issues: as many proofs as requests, at least one, from an issuer.
    function _requireBatch(uint256 requests, uint256 proofs) private view {
        if (requests == 0 || requests != proofs) revert PassportBatchMismatch(requests, proofs);
        _requireIssuer();
    }

    /// @dev The id of a new passport for `batteryId`, under one of the caller's prefixes, with a document.
    function _newPassportId(string calldata batteryId, string calldata documentUri)
        private
        view
        returns (uint256 passportId)
    {
        if (bytes(batteryId).length == 0) revert PassportEmptyField("batteryId");
        if (bytes(documentUri).length == 0) revert PassportEmptyField("documentUri");
        passportId = passportIdFor(batteryId);
        _requireBatteryIdOwner(batteryId);
        if (_passports[passportId].status != PassportStatus.None) revert PassportAlreadyIssued(passportId);
    }

    function _requireIssuer() private view {
        if (!_hasRole(Roles.PACK_MAKER, msg.sender) && !_hasRole(Roles.OEM, msg.sender)) {
            revert PassportUnauthorized(msg.sender);
        }
    }

    /// @dev Only the owner of the prefix a battery id falls under issues its passport: no one takes a
    /// rival's serial numbers and locks the rival out of its own batteries.
    function _requireBatteryIdOwner(string calldata batteryId) private view {
        address owner = _registry.batteryIdOwner(batteryId);
        if (owner != msg.sender) revert PassportBatteryIdNotOwned(batteryId, msg.sender, owner);
    }

    function _requireHolder(uint256 passportId) private view {
        address holder = _ownerOf(passportId);
        if (holder != msg.sender) revert PassportNotHolder(passportId, msg.sender, holder);
    }

    function _hasRole(bytes32 role, address account) private view returns (bool) {
        return IAccessControl(address(_registry)).hasRole(role, account);
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

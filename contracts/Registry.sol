// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {AccessControlEnumerable} from "@openzeppelin/contracts/access/extensions/AccessControlEnumerable.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {CompanyPrefixes} from "./registry/CompanyPrefixes.sol";
import {MembershipRoots} from "./registry/MembershipRoots.sol";
import {Roles} from "./Roles.sol";

/// @title Registry
/// @notice Participants, facilities, certifications and risk findings of the consortium.
contract Registry is IRegistry, AccessControlEnumerable, CompanyPrefixes, MembershipRoots {
    uint8 private constant _RISK_FLAG_MASK = 0x0F;
    uint8 private constant _ARTISANAL_FLAG = 0x04;
    uint16 private constant _BPS = 10_000;
    // secp256k1: the field prime, and (p - 1) / 2, the exponent of Euler's criterion.
    uint256 private constant _SECP256K1_P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
    uint256 private constant _SECP256K1_HALF_P = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFE17;
    address private constant _MODEXP = address(0x05);
    // BN254's scalar field, the one circom computes in: a shielding key must be one of its elements.
    uint256 private constant _SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    mapping(address account => Participant) private _participants;
    mapping(uint32 facilityId => Facility) private _facilities;
    mapping(address operator => mapping(bytes32 siteId => uint32 facilityId)) private _siteIds;
    mapping(uint256 certificationId => Certification) private _certifications;
    mapping(uint32 facilityId => uint256[] certificationIds) private _facilityCertifications;
    mapping(FacilityType facilityType => uint32 gramsPerKg) private _co2eFloors;
    mapping(address operator => uint8 riskFlags) private _operatorRiskFlags;
    mapping(uint256 shieldingKey => address holder) private _shieldingKeyHolders;
    uint32 private _facilityCount;
    uint256 private _certificationCount;

    /// @param admin The consortium's governance account, which registers participants.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IRegistry
    function registerParticipant(
        address account,
        bytes32 role,
        bytes32 legalNameHash,
        bytes32 identifier,
        IdentifierKind identifierKind,
        bytes2 country,
        bytes calldata encryptionPublicKey,
        uint256 shieldingKey
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_participants[account].registered) revert RegistryAlreadyRegistered(account);
        if (!Roles.isParticipantRole(role)) revert RegistryUnknownRole(role);
        if (account == address(0) || legalNameHash == bytes32(0) || country == bytes2(0)) {
            revert RegistryInvalidIdentity(account);
        }
        _requireValidKey(account, encryptionPublicKey);
        _claimShieldingKey(account, shieldingKey);
        _participants[account] = Participant({
            role: role,
            legalNameHash: legalNameHash,
            identifier: identifier,
            identifierKind: identifierKind,
            country: country,
            registered: true,
            encryptionPublicKey: encryptionPublicKey,
            shieldingKey: shieldingKey
        });
        _grantRole(role, account);
        emit ParticipantRegistered(
            account, role, legalNameHash, identifier, identifierKind, country, encryptionPublicKey, shieldingKey
        );
    }

    /// @inheritdoc IRegistry
    function rotateEncryptionKey(bytes calldata newKey) external {
        Participant storage record = _requireActiveParticipant(msg.sender);
        _requireValidKey(msg.sender, newKey);
        bytes memory oldKey = record.encryptionPublicKey;
        record.encryptionPublicKey = newKey;
        emit EncryptionKeyRotated(msg.sender, oldKey, newKey);
    }

    /// @inheritdoc IRegistry
    function rotateShieldingKey(uint256 newKey, uint256[] calldata siblings) external {
        Participant storage record = _requireActiveParticipant(msg.sender);
        _claimShieldingKey(msg.sender, newKey);
        uint256 oldKey = record.shieldingKey;
        record.shieldingKey = newKey;
        emit ShieldingKeyRotated(msg.sender, oldKey, newKey);
        _replaceLeaf(MembershipSet.Participants, uint160(msg.sender), _participantLeaf(msg.sender), siblings);
    }

    /// @inheritdoc IRegistry
    function revokeParticipant(address account, uint256[] calldata siblings) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Participant storage record = _requireActiveParticipant(account);
        _replaceLeaf(MembershipSet.Participants, uint160(account), 0, siblings);
        _revokeRole(record.role, account);
    }

    /// @notice Revokes `role` from `account`, as OpenZeppelin's AccessControl does, except the
    /// registered role of a participant: that goes through `revokeParticipant`, which removes its
    /// membership leaf too.
    function revokeRole(bytes32 role, address account)
        public
        override(AccessControl, IAccessControl)
        onlyRole(getRoleAdmin(role))
    {
        _requireNotParticipantRole(role, account);
        _revokeRole(role, account);
    }

    /// @notice Renounces `role`, as OpenZeppelin's AccessControl does, except a participant's
    /// registered role (the admin revokes it with `revokeParticipant`).
    function renounceRole(bytes32 role, address callerConfirmation) public override(AccessControl, IAccessControl) {
        if (callerConfirmation != _msgSender()) revert AccessControlBadConfirmation();
        _requireNotParticipantRole(role, callerConfirmation);
        _revokeRole(role, callerConfirmation);
    }

    /// @inheritdoc IRegistry
    function registerFacility(FacilityType facilityType, bytes32 siteId, bytes2 country, bytes32 locationCommitment)
        external
        returns (uint32 facilityId)
    {
        Participant storage record = _participants[msg.sender];
        if (!record.registered) revert RegistryNotRegistered(msg.sender);
        // A role holder keeps its role only while the admin lets it: a revoked miner registers nothing.
        if (!hasRole(record.role, msg.sender) || !Roles.mayOperate(record.role, facilityType)) {
            revert RegistryFacilityTypeNotAllowed(msg.sender, record.role, facilityType);
        }
        if (_siteIds[msg.sender][siteId] != 0) revert RegistryDuplicateSite(msg.sender, siteId);
        if (country == bytes2(0)) revert RegistryInvalidIdentity(msg.sender);
        facilityId = ++_facilityCount;
        _siteIds[msg.sender][siteId] = facilityId;
        _facilities[facilityId] = Facility({
            operator: msg.sender,
            facilityType: facilityType,
            country: country,
            riskFlags: facilityType == FacilityType.ArtisanalSite ? _ARTISANAL_FLAG : 0,
            maxYieldLossBps: 0,
            registered: true,
            active: false,
            co2eFloorGramsPerKg: 0,
            siteId: siteId,
            locationCommitment: locationCommitment,
            recycledPreConsumerBps: 0
        });
        emit FacilityRegistered(facilityId, msg.sender, facilityType, siteId, country, locationCommitment);
    }

    /// @inheritdoc IRegistry
    function activateFacility(
        uint32 facilityId,
        FacilityType facilityType,
        bytes2 country,
        uint8 riskFlags,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        bytes32 evidenceHash,
        uint256[] calldata operatorSiblings
    ) external onlyRole(Roles.AUDITOR) {
        _activate(facilityId, facilityType, country, riskFlags, maxYieldLossBps, floorGramsPerKg, evidenceHash);
        Facility storage site = _facilities[facilityId];
        _insertLeaf(MembershipSet.Facilities, facilityId, _facilityLeaf(facilityId));
        _raiseOperatorFlags(site.operator, site.riskFlags, evidenceHash, operatorSiblings);
    }

    /// @inheritdoc IRegistry
    function recordRiskFinding(
        uint32 facilityId,
        uint8 riskFlags,
        bytes32 evidenceHash,
        uint256[] calldata siblings,
        uint256[] calldata operatorSiblings
    ) external onlyRole(Roles.AUDITOR) {
        Facility storage site = _requireFacility(facilityId);
        if (riskFlags & ~_RISK_FLAG_MASK != 0) revert RegistryInvalidValue(riskFlags);
        if (site.facilityType == FacilityType.ArtisanalSite) riskFlags |= _ARTISANAL_FLAG;
        uint8 oldFlags = site.riskFlags;
        _requireEvidenceToClear(oldFlags, riskFlags, evidenceHash);
        site.riskFlags = riskFlags;
        emit RiskFindingRecorded(facilityId, msg.sender, oldFlags, riskFlags, evidenceHash);
        _refreshFacilityLeaf(facilityId, siblings);
        _raiseOperatorFlags(site.operator, riskFlags, evidenceHash, operatorSiblings);
    }

    /// @inheritdoc IRegistry
    function recordOperatorRiskFinding(address operator, uint8 riskFlags, bytes32 evidenceHash, uint256[] calldata siblings)
        external
        onlyRole(Roles.AUDITOR)
    {
        if (!_participants[operator].registered) revert RegistryNotRegistered(operator);
        if (riskFlags & ~_RISK_FLAG_MASK != 0 || riskFlags & _ARTISANAL_FLAG != 0) revert RegistryInvalidValue(riskFlags);
        uint8 oldFlags = _operatorRiskFlags[operator];
        _requireEvidenceToClear(oldFlags, riskFlags, evidenceHash);
        _operatorRiskFlags[operator] = riskFlags;
        emit OperatorRiskFindingRecorded(operator, msg.sender, oldFlags, riskFlags, evidenceHash);
        _refreshParticipantLeaf(operator, siblings);
    }

    /// @inheritdoc IRegistry
    function setProcessParameters(
        uint32 facilityId,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        uint256[] calldata siblings
    ) external onlyRole(Roles.AUDITOR) {
        Facility storage site = _requireFacility(facilityId);
        if (maxYieldLossBps > _BPS) revert RegistryInvalidValue(maxYieldLossBps);
        uint16 oldLoss = site.maxYieldLossBps;
        uint32 oldFloor = site.co2eFloorGramsPerKg;
        site.maxYieldLossBps = maxYieldLossBps;
        site.co2eFloorGramsPerKg = floorGramsPerKg;
        emit ProcessParametersSet(facilityId, msg.sender, oldLoss, maxYieldLossBps, oldFloor, floorGramsPerKg);
        _refreshFacilityLeaf(facilityId, siblings);
    }

    /// @inheritdoc IRegistry
    function setRecycledInputSplit(uint32 facilityId, uint16 preConsumerBps, uint256[] calldata siblings)
        external
        onlyRole(Roles.AUDITOR)
    {
        Facility storage site = _requireFacility(facilityId);
        if (site.facilityType != FacilityType.Recycler) revert RegistryNotRecycler(facilityId, site.facilityType);
        if (preConsumerBps > _BPS) revert RegistryInvalidValue(preConsumerBps);
        uint16 oldBps = site.recycledPreConsumerBps;
        site.recycledPreConsumerBps = preConsumerBps;
        emit RecycledInputSplitSet(facilityId, msg.sender, oldBps, preConsumerBps);
        _refreshFacilityLeaf(facilityId, siblings);
    }

    /// @inheritdoc IRegistry
    function certify(uint32 facilityId, Scheme scheme, uint64 validFrom, uint64 validUntil, bytes32 evidenceHash)
        external
        onlyRole(Roles.AUDITOR)
        returns (uint256 certificationId)
    {
        _requireCovered(scheme, _requireFacility(facilityId).facilityType);
        // History stays answerable: a window that began before this block would change what
        // isCertified said about the past. Zero means "from this block".
        uint64 recordedAt = uint64(block.timestamp);
        if (validFrom == 0) validFrom = recordedAt;
        else if (validFrom < recordedAt) revert RegistryBackdatedCertification(validFrom, recordedAt);
        if (validFrom >= validUntil) revert RegistryInvalidValidity(validFrom, validUntil);
        certificationId = ++_certificationCount;
        _certifications[certificationId] = Certification({
            facilityId: facilityId,
            scheme: scheme,
            status: CertificationStatus.Active,
            validFrom: validFrom,
            validUntil: validUntil,
            statusChangedAt: recordedAt,
            auditor: msg.sender,
            evidenceHash: evidenceHash
        });
        _facilityCertifications[facilityId].push(certificationId);
        emit CertificationIssued(certificationId, facilityId, scheme, msg.sender, validFrom, validUntil, evidenceHash);
        _insertLeaf(MembershipSet.Certifications, certificationId, _certificationLeaf(certificationId));
    }

    /// @inheritdoc IRegistry
    function suspendCertification(uint256 certificationId, bytes32 reasonHash, uint256[] calldata siblings)
        external
        onlyRole(Roles.AUDITOR)
    {
        _endCertification(certificationId, CertificationStatus.Suspended, reasonHash, siblings);
    }

    /// @inheritdoc IRegistry
    function revokeCertification(uint256 certificationId, bytes32 reasonHash, uint256[] calldata siblings)
        external
        onlyRole(Roles.AUDITOR)
    {
        _endCertification(certificationId, CertificationStatus.Revoked, reasonHash, siblings);
    }

    /// @inheritdoc IRegistry
    function setCo2eFloor(FacilityType facilityType, uint32 gramsPerKg) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint32 oldValue = _co2eFloors[facilityType];
        _co2eFloors[facilityType] = gramsPerKg;
        emit Co2eFloorSet(facilityType, oldValue, gramsPerKg);
    }

    /// @inheritdoc IRegistry
    function isCertified(uint32 facilityId, Scheme scheme, uint64 timestamp) public view returns (bool) {
        uint256[] storage ids = _facilityCertifications[facilityId];
        for (uint256 index = ids.length; index > 0; --index) {
            Certification storage cert = _certifications[ids[index - 1]];
            if (cert.scheme == scheme && _validAt(cert, timestamp)) return true;
        }
        return false;
    }

    /// @inheritdoc IRegistry
    function certifiedSchemes(uint32 facilityId, uint64 timestamp) external view returns (uint8 schemeMask) {
        uint256[] storage ids = _facilityCertifications[facilityId];
        for (uint256 index; index < ids.length; ++index) {
            Certification storage cert = _certifications[ids[index]];
            if (_validAt(cert, timestamp)) schemeMask |= uint8(1 << uint8(cert.scheme));
        }
    }

    /// @inheritdoc IRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IRegistry
    function isParticipant(address account) external view returns (bool) {
        Participant storage record = _participants[account];
        return record.registered && hasRole(record.role, account);
    }

    /// @inheritdoc IRegistry
    function participantForShieldingKey(uint256 key) external view returns (address) {
        return _shieldingKeyHolders[key];
    }

    /// @inheritdoc IRegistry
    function facility(uint32 facilityId) external view returns (Facility memory site) {
        site = _facilities[facilityId];
        site.riskFlags |= _operatorRiskFlags[site.operator];
    }

    /// @inheritdoc IRegistry
    function operatorRiskFlags(address operator) external view returns (uint8) {
        return _operatorRiskFlags[operator];
    }

    /// @inheritdoc IRegistry
    function facilityCount() external view returns (uint32) {
        return _facilityCount;
    }

    /// @inheritdoc IRegistry
    function certification(uint256 certificationId) external view returns (Certification memory) {
        return _certifications[certificationId];
    }

    /// @inheritdoc IRegistry
    function facilityCertifications(uint32 facilityId) external view returns (uint256[] memory) {
        return _facilityCertifications[facilityId];
    }

    /// @inheritdoc IRegistry
    function co2eFloorGramsPerKg(FacilityType facilityType) external view returns (uint32) {
        return _co2eFloors[facilityType];
    }

    /// @inheritdoc IRegistry
    function auditorKeys() external view returns (address[] memory auditors, bytes[] memory keys) {
        auditors = getRoleMembers(Roles.AUDITOR);
        keys = new bytes[](auditors.length);
        for (uint256 index; index < auditors.length; ++index) {
            keys[index] = _participants[auditors[index]].encryptionPublicKey;
        }
    }

    /// @dev The consortium always keeps a governor: renouncing or revoking the admin role of its last
    /// holder would leave no one able to register participants, so it is refused.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE && hasRole(role, account) && getRoleMemberCount(role) == 1) {
            revert RegistryLastAdmin(account);
        }
        return super._revokeRole(role, account);
    }

    function _endCertification(
        uint256 certificationId,
        CertificationStatus newStatus,
        bytes32 reasonHash,
        uint256[] calldata siblings
    ) private {
        Certification storage cert = _certifications[certificationId];
        if (cert.facilityId == 0) revert RegistryUnknownCertification(certificationId);
        if (cert.status != CertificationStatus.Active) {
            revert RegistryCertificationNotActive(certificationId, cert.status);
        }
        cert.status = newStatus;
        cert.statusChangedAt = uint64(block.timestamp);
        emit CertificationStatusChanged(
            certificationId, cert.facilityId, msg.sender, CertificationStatus.Active, newStatus, reasonHash
        );
        _replaceLeaf(MembershipSet.Certifications, certificationId, _certificationLeaf(certificationId), siblings);
    }

    /// @dev Checks and records an activation (see `activateFacility`).
    function _activate(
        uint32 facilityId,
        FacilityType facilityType,
        bytes2 country,
        uint8 riskFlags,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        bytes32 evidenceHash
    ) private {
        Facility storage site = _requireFacility(facilityId);
        if (site.active) revert RegistryFacilityAlreadyActive(facilityId);
        address operator = site.operator;
        bytes32 role = _participants[operator].role;
        // The auditor's finding replaces what the operator declared, within what its role may run.
        if (!hasRole(role, operator)) revert RegistryNotRegistered(operator);
        if (!Roles.mayOperate(role, facilityType)) revert RegistryFacilityTypeNotAllowed(operator, role, facilityType);
        if (country == bytes2(0)) revert RegistryInvalidIdentity(operator);
        if (riskFlags & ~_RISK_FLAG_MASK != 0) revert RegistryInvalidValue(riskFlags);
        if (maxYieldLossBps > _BPS) revert RegistryInvalidValue(maxYieldLossBps);
        if (evidenceHash == bytes32(0)) revert RegistryEvidenceRequired();
        if (facilityType == FacilityType.ArtisanalSite) riskFlags |= _ARTISANAL_FLAG;
        // A certification recorded before the audit must still cover the type the auditor found.
        uint256[] storage certificationIds = _facilityCertifications[facilityId];
        for (uint256 index; index < certificationIds.length; ++index) {
            _requireCovered(_certifications[certificationIds[index]].scheme, facilityType);
        }
        site.facilityType = facilityType;
        site.country = country;
        site.riskFlags = riskFlags;
        site.maxYieldLossBps = maxYieldLossBps;
        site.co2eFloorGramsPerKg = floorGramsPerKg;
        site.active = true;
        emit FacilityActivated(
            facilityId, msg.sender, facilityType, country, riskFlags, maxYieldLossBps, floorGramsPerKg, evidenceHash
        );
    }

    /// @dev A finding at a site attaches to its operator too: the operator's flags gain the site's
    /// (but never the artisanal flag, which belongs to a site's type). Only an operator finding
    /// clears them.
    function _raiseOperatorFlags(address operator, uint8 siteFlags, bytes32 evidenceHash, uint256[] calldata siblings)
        private
    {
        uint8 oldFlags = _operatorRiskFlags[operator];
        uint8 newFlags = oldFlags | (siteFlags & ~_ARTISANAL_FLAG);
        if (newFlags == oldFlags) return;
        _operatorRiskFlags[operator] = newFlags;
        emit OperatorRiskFindingRecorded(operator, msg.sender, oldFlags, newFlags, evidenceHash);
        _refreshParticipantLeaf(operator, siblings);
    }

    /// @dev A participant holding its registered role gets its leaf whenever the role is granted
    /// (at registration, or granted back after `revokeParticipant`).
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        Participant storage record = _participants[account];
        if (granted && record.registered && record.role == role) {
            _insertLeaf(MembershipSet.Participants, uint160(account), _participantLeaf(account));
        }
    }

    function _requireNotParticipantRole(bytes32 role, address account) private view {
        Participant storage record = _participants[account];
        if (record.registered && record.role == role && hasRole(role, account)) {
            revert RegistryRevokeParticipantInstead(account);
        }
    }

    /// @dev Replaces a participant's leaf after its record changed (nothing when it has none: its
    /// role was revoked).
    function _refreshParticipantLeaf(address account, uint256[] calldata siblings) private {
        if (_hasLeaf(MembershipSet.Participants, uint160(account))) {
            _replaceLeaf(MembershipSet.Participants, uint160(account), _participantLeaf(account), siblings);
        }
    }

    /// @dev Replaces an activated facility's leaf after its record changed (an inactive one has none).
    function _refreshFacilityLeaf(uint32 facilityId, uint256[] calldata siblings) private {
        if (_hasLeaf(MembershipSet.Facilities, facilityId)) {
            _replaceLeaf(MembershipSet.Facilities, facilityId, _facilityLeaf(facilityId), siblings);
        }
    }

    /// @dev See `IMembershipRoots` for the layout.
    function _participantLeaf(address account) private view returns (uint256) {
        Participant storage record = _participants[account];
        return _leaf(
            uint256(uint160(account)) | Roles.index(record.role) << 160 | uint256(_operatorRiskFlags[account]) << 168,
            record.shieldingKey
        );
    }

    /// @dev See `IMembershipRoots` for the layout.
    function _facilityLeaf(uint32 facilityId) private view returns (uint256) {
        Facility storage site = _facilities[facilityId];
        uint256 packed = uint256(facilityId) | uint256(uint8(site.facilityType)) << 32 | uint256(site.riskFlags) << 40
            | uint256(site.maxYieldLossBps) << 48 | uint256(site.co2eFloorGramsPerKg) << 64
            | uint256(uint16(site.country)) << 96 | uint256(site.recycledPreConsumerBps) << 112;
        return _leaf(uint160(site.operator), packed);
    }

    /// @dev See `IMembershipRoots` for the layout: the window ends at a suspension or revocation.
    function _certificationLeaf(uint256 certificationId) private view returns (uint256) {
        Certification storage cert = _certifications[certificationId];
        uint64 end = cert.status == CertificationStatus.Active || cert.statusChangedAt > cert.validUntil
            ? cert.validUntil
            : cert.statusChangedAt;
        return _leaf(
            certificationId | uint256(cert.facilityId) << 64 | uint256(uint8(cert.scheme)) << 96,
            uint256(cert.validFrom) | uint256(end) << 64
        );
    }

    function _requireCovered(Scheme scheme, FacilityType facilityType) private pure {
        if (!Roles.schemeCovers(scheme, facilityType)) revert RegistrySchemeDoesNotCover(scheme, facilityType);
    }

    /// @dev Clearing a risk flag is a finding like raising one: it needs its evidence.
    function _requireEvidenceToClear(uint8 oldFlags, uint8 newFlags, bytes32 evidenceHash) private pure {
        if (oldFlags & ~newFlags != 0 && evidenceHash == bytes32(0)) revert RegistryEvidenceRequired();
    }

    function _validAt(Certification storage cert, uint64 timestamp) private view returns (bool) {
        if (timestamp < cert.validFrom || timestamp >= cert.validUntil) return false;
        if (cert.status == CertificationStatus.Active) return true;
        // Suspension and revocation act from the moment they were recorded, not retroactively.
        return timestamp < cert.statusChangedAt;
    }

    function _requireFacility(uint32 facilityId) private view returns (Facility storage site) {
        site = _facilities[facilityId];
        if (!site.registered) revert RegistryUnknownFacility(facilityId);
    }

    function _requireValidKey(address account, bytes calldata key) private view {
        if (!_isCurvePoint(key)) revert RegistryInvalidEncryptionKey(account, key);
    }

    /// @dev The record of a registered participant still holding its role. One whose role was revoked
    /// receives no openings and proves no membership: it cannot re-key either.
    function _requireActiveParticipant(address account) private view returns (Participant storage record) {
        record = _participants[account];
        if (!record.registered || !hasRole(record.role, account)) revert RegistryNotRegistered(account);
    }

    /// @dev Reserves `key` to `account` for good: a circuit can prove it (a non-zero field element)
    /// and it names no other participant, now or after a rotation, so a note shielded to a key has
    /// one possible owner. Claiming a key `account` already holds or held is allowed.
    function _claimShieldingKey(address account, uint256 key) private {
        if (key == 0 || key >= _SNARK_SCALAR_FIELD) revert RegistryInvalidShieldingKey(account, key);
        address holder = _shieldingKeyHolders[key];
        if (holder == address(0)) _shieldingKeyHolders[key] = account;
        else if (holder != account) revert RegistryShieldingKeyTaken(key, holder);
    }

    /// @dev Whether `key` is a secp256k1 point others can encrypt to: compressed (0x02/0x03, x < p,
    /// x^3 + 7 a quadratic residue mod p by Euler's criterion through the modexp precompile) or
    /// uncompressed (0x04, x and y < p, y^2 = x^3 + 7). The curve has prime order, so x^3 + 7 is
    /// never zero and a residue always gives a point.
    function _isCurvePoint(bytes calldata key) private view returns (bool) {
        if (key.length == 33 && (key[0] == 0x02 || key[0] == 0x03)) {
            uint256 x = uint256(bytes32(key[1:33]));
            return x < _SECP256K1_P && _isQuadraticResidue(_curveRightSide(x));
        }
        if (key.length == 65 && key[0] == 0x04) {
            uint256 x = uint256(bytes32(key[1:33]));
            uint256 y = uint256(bytes32(key[33:65]));
            return x < _SECP256K1_P && y < _SECP256K1_P && mulmod(y, y, _SECP256K1_P) == _curveRightSide(x);
        }
        return false;
    }

    /// @dev x^3 + 7 mod p, for x < p.
    function _curveRightSide(uint256 x) private pure returns (uint256) {
        return addmod(mulmod(mulmod(x, x, _SECP256K1_P), x, _SECP256K1_P), 7, _SECP256K1_P);
    }

    /// @dev value^((p - 1) / 2) mod p == 1, with the modexp precompile (EIP-198).
    function _isQuadraticResidue(uint256 value) private view returns (bool) {
        (bool ok, bytes memory result) =
            _MODEXP.staticcall(abi.encode(uint256(32), uint256(32), uint256(32), value, _SECP256K1_HALF_P, _SECP256K1_P));
        return ok && result.length == 32 && uint256(bytes32(result)) == 1;
    }

    /// @dev Company prefixes are the consortium's to assign, like participants.
    function _requirePrefixGovernor() internal view override {
        _checkRole(DEFAULT_ADMIN_ROLE);
    }

    /// @dev Prefixes belong to registered pack makers and OEMs still holding their role.
    function _isPassportIssuer(address account) internal view override returns (bool) {
        Participant storage record = _participants[account];
        return record.registered && (record.role == Roles.PACK_MAKER || record.role == Roles.OEM)
            && hasRole(record.role, account);
    }
}

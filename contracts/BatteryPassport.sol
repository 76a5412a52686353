// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IBatteryPassport} from "./interfaces/IBatteryPassport.sol";
import {IMembershipRoots} from "./interfaces/IMembershipRoots.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IShieldedLedger, LEDGER_METALS} from "./interfaces/IShieldedLedger.sol";
import {Groth16Proof, IPackBatchVerifier} from "./interfaces/IGroth16Verifiers.sol";
import {BatteryIds} from "./lib/BatteryIds.sol";
import {PassportToken} from "./passport/PassportToken.sol";
import {Roles} from "./Roles.sol";

/// @title BatteryPassport
/// @notice One ERC-721 passport per battery, issued a batch at a time against the pack notes of the
/// shielded ledger with one proof of the batch's claims (`IBatteryPassport`).
/// The token's owner holds the battery: it alone changes the status, and hands the battery on only to
/// registered participants; authorities correct a status with evidence.
contract BatteryPassport is IBatteryPassport, PassportToken {
    /// @notice The passports one batch proof covers: PackBatchClaimProof's slots.
    uint256 public constant BATCH_SIZE = 15;

    /// @dev Child labour and human rights (GBA rulebooks): every passport must prove neither is set.
    uint8 private constant _POLICY_FORBIDDEN_FLAGS = 0x03;
    uint16 private constant _BPS = 10_000;
    /// @dev A passport's record, above the holder's 160 bits: status, batch and issue time.
    uint256 private constant _STATUS_SHIFT = 160;
    uint256 private constant _BATCH_SHIFT = 168;
    uint256 private constant _ISSUED_SHIFT = 208;
    uint256 private constant _STATUS_MASK = uint256(0xff) << _STATUS_SHIFT;
    /// @dev Bits of a pack slot: the passport id, then grams per metal, the slots end to end in words
    /// of 252 bits (pack_batch.circom): 15 slots of 168 bits in 10 words.
    uint256 private constant _ID_BITS = 96;
    uint256 private constant _GRAMS_BITS = 24;
    uint256 private constant _SLOT_BITS = _ID_BITS + _GRAMS_BITS * LEDGER_METALS;
    uint256 private constant _WORD_BITS = 252;
    uint256 private constant _WORD_MASK = (1 << _WORD_BITS) - 1;
    uint256 private constant _SLOTS_AT = 5;
    uint256 private constant _SIGNALS = _SLOTS_AT + (BATCH_SIZE * _SLOT_BITS + _WORD_BITS - 1) / _WORD_BITS;

    IRegistry private immutable _registry;
    IShieldedLedger private immutable _ledger;
    IPackBatchVerifier private immutable _verifier;

    string private _documentBase;
    uint256 private _batches;
    mapping(uint256 batch => bytes32 digest) private _digests;
    mapping(uint256 passportId => StatusChange[]) private _history;
    mapping(uint256 passportId => bytes32) private _documentHashes;
    mapping(uint256 passportId => string) private _documentUris;

    /// @param registry_ The registry: its roles authorise issuers and authorities, its company
    /// prefixes say whose battery ids are whose, its participants who may receive a passport, and
    /// its participants tree the proofs are made against.
    /// @param ledger_ The shielded ledger whose note tree holds the pack notes.
    /// @param verifier_ The batched passport claim circuit's verifier.
    /// @param documentBase_ What `tokenURI` puts before a passport's id (`0x` and 32 hex digits)
    /// until its holder publishes a document URI of its own: a resolver's `.../passports/`, or empty.
    constructor(IRegistry registry_, IShieldedLedger ledger_, IPackBatchVerifier verifier_, string memory documentBase_)
        PassportToken("batterytrace battery passport", "BTPASS")
    {
        _registry = registry_;
        _ledger = ledger_;
        _verifier = verifier_;
        _documentBase = documentBase_;
    }

    /// @inheritdoc IBatteryPassport
    function issueBatch(BatchRequest calldata request, PassportEntry[] calldata entries, Groth16Proof calldata proof)
        external
        returns (uint256 batch)
    {
        uint256 count = entries.length;
        if (count == 0 || count > BATCH_SIZE) revert PassportBatchSize(count, BATCH_SIZE);
        if (!_hasRole(Roles.PACK_MAKER, msg.sender) && !_hasRole(Roles.OEM, msg.sender)) {
            revert PassportUnauthorized(msg.sender);
        }
        uint256[_SIGNALS] memory signals;
        _requirePolicy(request.claims);
        signals[3] = _claimsWord(request.claims);
        if (!_ledger.isKnownNoteRoot(request.noteRoot)) revert PassportUnknownRoot(0, request.noteRoot);
        if (!IMembershipRoots(address(_registry)).isKnownMembershipRoot(
                IMembershipRoots.MembershipSet.Participants, request.participantsRoot
            )) revert PassportUnknownRoot(1, request.participantsRoot);
        batch = ++_batches;
        bytes32 records = _issueEntries(batch, entries, signals);
        signals[0] = request.noteRoot;
        signals[1] = request.participantsRoot;
        signals[2] = uint256(uint160(msg.sender));
        // The context as the ledger's (ProofGate._fieldHash): 248 bits, below the field's modulus.
        signals[4] = uint256(keccak256(abi.encode(block.chainid, address(this), msg.sender, records))) >> 8;
        if (!_verifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert PassportInvalidProof(batch);
        _addBalance(msg.sender, count);
        _digests[batch] = _digest(msg.sender, uint40(block.timestamp), request.noteRoot, request.participantsRoot,
            signals[3], records);
        emit PassportBatchIssued(batch, msg.sender, records, count);
    }

    /// @inheritdoc IBatteryPassport
    function setStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external {
        uint256 record = _requirePassport(passportId);
        address holder = address(uint160(record));
        if (holder != msg.sender) revert PassportNotHolder(passportId, msg.sender, holder);
        PassportStatus oldStatus = _status(record);
        if (!_allowedTransition(oldStatus, newStatus)) revert PassportInvalidStatusChange(passportId, oldStatus, newStatus);
        _changeStatus(passportId, record, oldStatus, newStatus, evidenceHash);
    }

    /// @inheritdoc IBatteryPassport
    function correctStatus(uint256 passportId, PassportStatus newStatus, bytes32 evidenceHash) external {
        uint256 record = _requirePassport(passportId);
        if (!_hasRole(Roles.AUTHORITY, msg.sender) || !_registry.isParticipant(msg.sender)) {
            revert PassportUnauthorized(msg.sender);
        }
        if (evidenceHash == bytes32(0)) revert PassportEvidenceRequired(passportId);
        PassportStatus oldStatus = _status(record);
        if (newStatus == PassportStatus.None || newStatus == oldStatus) {
            revert PassportInvalidStatusChange(passportId, oldStatus, newStatus);
        }
        _changeStatus(passportId, record, oldStatus, newStatus, evidenceHash);
    }

    /// @inheritdoc IBatteryPassport
    function updateDocument(uint256 passportId, string calldata documentUri, bytes32 documentHash) external {
        address holder = address(uint160(_requirePassport(passportId)));
        if (holder != msg.sender) revert PassportNotHolder(passportId, msg.sender, holder);
        if (bytes(documentUri).length == 0) revert PassportEmptyField("documentUri");
        bytes32 oldHash = _documentHashes[passportId];
        _documentHashes[passportId] = documentHash;
        _documentUris[passportId] = documentUri;
        emit PassportDocumentUpdated(passportId, oldHash, documentHash, documentUri);
    }

    /// @inheritdoc IBatteryPassport
    function passportIdFor(string calldata batteryId) public pure returns (uint256) {
        (bool valid, BatteryIds.Parsed memory parsed) = BatteryIds.parse(bytes(batteryId));
        if (!valid) revert PassportMalformedBatteryId(batteryId);
        return uint256(parsed.key) >> (256 - _ID_BITS);
    }

    /// @inheritdoc IBatteryPassport
    function recordsHash(PassportEntry[] calldata entries) external pure returns (bytes32 records) {
        for (uint256 index; index < entries.length; ++index) {
            uint256 passportId = passportIdFor(entries[index].batteryId);
            _slot(passportId, entries[index]);
            records = _chain(records, passportId, entries[index]);
        }
    }

    /// @inheritdoc IBatteryPassport
    function passport(uint256 passportId) external view returns (Passport memory) {
        uint256 record = _records[passportId];
        return Passport(_status(record), uint40(record >> _BATCH_SHIFT), uint40(record >> _ISSUED_SHIFT));
    }

    /// @inheritdoc IBatteryPassport
    function documentOf(uint256 passportId) external view returns (bytes32 documentHash, string memory documentUri) {
        return (_documentHashes[passportId], _documentUris[passportId]);
    }

    /// @inheritdoc IBatteryPassport
    function batchDigest(uint256 batch) external view returns (bytes32) {
        return _digests[batch];
    }

    /// @inheritdoc IBatteryPassport
    function checkBatch(
        uint256 batch,
        address economicOperator,
        uint40 issuedAt,
        uint256 noteRoot,
        uint256 participantsRoot,
        BatchClaims calldata claims,
        bytes32 records
    ) external view returns (bool) {
        bytes32 digest = _digests[batch];
        return digest != bytes32(0)
            && digest == _digest(economicOperator, issuedAt, noteRoot, participantsRoot, _claimsWord(claims), records);
    }

    /// @inheritdoc IBatteryPassport
    function batchCount() external view returns (uint256) {
        return _batches;
    }

    /// @inheritdoc IBatteryPassport
    function statusHistory(uint256 passportId) external view returns (StatusChange[] memory) {
        return _history[passportId];
    }

    /// @notice The passport's document URI: the one its holder published, else the document base and
    /// the id (`0x` and 32 hex digits), or empty when there is no base.
    /// @dev Requirements: the passport exists.
    function tokenURI(uint256 passportId) external view returns (string memory) {
        _requireOwned(passportId);
        string memory published = _documentUris[passportId];
        if (bytes(published).length != 0 || bytes(_documentBase).length == 0) return published;
        return string.concat(_documentBase, Strings.toHexString(passportId, _ID_BITS / 8));
    }

    /// @notice The shielded ledger whose pack notes back the passports.
    function ledger() external view returns (IShieldedLedger) {
        return _ledger;
    }

    /// @dev Mints the batch's passports to the caller: each battery id well formed, under one of the
    /// caller's prefixes, not issued before; fills the pack slots of `signals`; returns
    /// the records' hash. An id of the same model (host and GTIN) as the one before it has only its
    /// serial read (`BatteryIds.keyOfSameModel`) and the same prefix owner; the prefix owner is asked
    /// of the registry once per run of ids sharing the part of the id a prefix can span.
    function _issueEntries(uint256 batch, PassportEntry[] calldata entries, uint256[_SIGNALS] memory signals)
        private
        returns (bytes32 records)
    {
        uint256 fields = uint256(PassportStatus.Original) << _STATUS_SHIFT | batch << _BATCH_SHIFT
            | block.timestamp << _ISSUED_SHIFT;
        bytes32 ownedRegion = bytes32(0);
        bytes32 model = bytes32(0);
        uint256 serialStart = 0;
        for (uint256 index; index < entries.length; ++index) {
            PassportEntry calldata entry = entries[index];
            bytes memory id = bytes(entry.batteryId);
            (bool sameModel, bytes32 key) = BatteryIds.keyOfSameModel(id, model, serialStart);
            if (!sameModel) {
                (bool valid, BatteryIds.Parsed memory parsed) = BatteryIds.parse(id);
                if (!valid) revert PassportMalformedBatteryId(entry.batteryId);
                bytes32 region = keccak256(
                    abi.encode(parsed.kind, BatteryIds.hashSlice(id, parsed.prefixOffset, parsed.maxPrefixLength))
                );
                if (region != ownedRegion) {
                    address owner = _prefixOwner(id, parsed);
                    if (owner != msg.sender) revert PassportBatteryIdNotOwned(entry.batteryId, msg.sender, owner);
                    ownedRegion = region;
                }
                key = parsed.key;
                serialStart = parsed.serialStart;
                model = serialStart == 0 ? bytes32(0) : BatteryIds.hashSlice(id, 0, serialStart);
            }
            uint256 passportId = uint256(key) >> (256 - _ID_BITS);
            if (_records[passportId] != 0) revert PassportAlreadyIssued(passportId);
            _mintRecord(msg.sender, passportId, fields);
            _placeSlot(signals, index, _slot(passportId, entry));
            records = _chain(records, passportId, entry);
        }
    }

    /// @dev The owner of the one assigned prefix `id` falls under (the registry's prefixes are
    /// prefix-free, so at most one of its candidate lengths has an owner), zero when none: what
    /// `ICompanyPrefixes.batteryIdOwner` answers, read by candidate from the id parsed here.
    function _prefixOwner(bytes memory id, BatteryIds.Parsed memory parsed) private view returns (address owner) {
        for (uint256 length = BatteryIds.minPrefixLength(parsed.kind); length <= parsed.maxPrefixLength; ++length) {
            bytes memory candidate = new bytes(length);
            uint256 from = parsed.prefixOffset;
            assembly ("memory-safe") {
                mcopy(add(candidate, 32), add(add(id, 32), from), length)
            }
            owner = _registry.prefixOwner(parsed.kind, string(candidate));
            if (owner != address(0)) return owner;
        }
    }

    /// @dev The policy's checks of a batch's claims: each certified share at most 100% and each metal's
    /// pre- and post-consumer shares at most 100% together (no material is both), the policy's flags
    /// forbidden.
    function _requirePolicy(BatchClaims calldata claims) private pure {
        bool withinPolicy = claims.forbiddenRiskFlags & _POLICY_FORBIDDEN_FLAGS == _POLICY_FORBIDDEN_FLAGS;
        for (uint256 metal; metal < LEDGER_METALS; ++metal) {
            MetalShares calldata shares = claims.metals[metal];
            withinPolicy = withinPolicy && shares.minCertifiedBps <= _BPS
                && uint256(shares.minPreConsumerBps) + shares.minPostConsumerBps <= _BPS;
        }
        if (!withinPolicy) revert PassportClaimsBelowPolicy(claims.forbiddenRiskFlags, _POLICY_FORBIDDEN_FLAGS);
    }

    /// @dev The claims as the circuit's `claims` signal: per metal m its shares at bit 48m (16 bits
    /// each), then the flags (8 bits) and the two bounds and the capacity (32 bits each).
    function _claimsWord(BatchClaims calldata claims) private pure returns (uint256 packed) {
        for (uint256 metal; metal < LEDGER_METALS; ++metal) {
            MetalShares calldata shares = claims.metals[metal];
            packed |= (uint256(shares.minCertifiedBps) | uint256(shares.minPreConsumerBps) << 16
                | uint256(shares.minPostConsumerBps) << 32) << (48 * metal);
        }
        uint256 at = 48 * LEDGER_METALS;
        packed |= uint256(claims.forbiddenRiskFlags) << at | uint256(claims.maxCo2eGramsPerKgCobalt) << (at + 8)
            | uint256(claims.maxCo2eGramsPerKwh) << (at + 40) | uint256(claims.capacityWh) << (at + 72);
    }

    /// @dev Lays slot `index` at bit `_SLOT_BITS * index` of the slot words (signals 5 on), across two
    /// words where it straddles one's end.
    function _placeSlot(uint256[_SIGNALS] memory signals, uint256 index, uint256 slot) private pure {
        uint256 at = _SLOT_BITS * index;
        uint256 word = _SLOTS_AT + at / _WORD_BITS;
        uint256 shift = at % _WORD_BITS;
        signals[word] |= (slot << shift) & _WORD_MASK;
        if (shift + _SLOT_BITS > _WORD_BITS) signals[word + 1] |= slot >> (_WORD_BITS - shift);
    }

    /// @dev A passport's pack slot: its id, then its grams per metal (each read through the ABI
    /// decoder, which refuses one past 24 bits).
    function _slot(uint256 passportId, PassportEntry calldata entry) private pure returns (uint256 slot) {
        slot = passportId;
        for (uint256 metal; metal < LEDGER_METALS; ++metal) {
            slot |= uint256(entry.grams[metal]) << (_ID_BITS + _GRAMS_BITS * metal);
        }
    }

    /// @dev keccak256(abi.encode(records, passportId, entry.grams, entry.documentHash,
    /// entry.legitimateInterestCommitment, entry.authoritiesCommitment)), in scratch memory (the
    /// caller read every gram through the ABI decoder first, `_slot`).
    function _chain(bytes32 records, uint256 passportId, PassportEntry calldata entry) private pure returns (bytes32 digest) {
        uint24[LEDGER_METALS] calldata grams = entry.grams;
        bytes32 documentHash = entry.documentHash;
        bytes32 legitimateInterest = entry.legitimateInterestCommitment;
        bytes32 authorities = entry.authoritiesCommitment;
        assembly ("memory-safe") {
            let at := mload(0x40)
            mstore(at, records)
            mstore(add(at, 0x20), passportId)
            calldatacopy(add(at, 0x40), grams, 0x60)
            mstore(add(at, 0xa0), documentHash)
            mstore(add(at, 0xc0), legitimateInterest)
            mstore(add(at, 0xe0), authorities)
            digest := keccak256(at, 0x100)
        }
    }

    function _digest(
        address economicOperator,
        uint40 issuedAt,
        uint256 noteRoot,
        uint256 participantsRoot,
        uint256 claimsWord,
        bytes32 records
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(economicOperator, issuedAt, noteRoot, participantsRoot, claimsWord, records));
    }

    /// @dev A passport moves only to a registered participant: the battery is handed over, never
    /// sent to an arbitrary address. Minting (to the issuer, checked at issuance) is not a hand-over.
    function _beforeHandOver(address to) internal view override {
        if (!_registry.isParticipant(to)) revert PassportInvalidReceiver(to);
    }

    function _changeStatus(
        uint256 passportId,
        uint256 record,
        PassportStatus oldStatus,
        PassportStatus newStatus,
        bytes32 evidenceHash
    ) private {
        _records[passportId] = (record & ~_STATUS_MASK) | uint256(newStatus) << _STATUS_SHIFT;
        _history[passportId].push(StatusChange(newStatus, uint64(block.timestamp), msg.sender, evidenceHash));
        emit PassportStatusChanged(passportId, msg.sender, oldStatus, newStatus, evidenceHash);
    }

    function _hasRole(bytes32 role, address account) private view returns (bool) {
        return IAccessControl(address(_registry)).hasRole(role, account);
    }

    function _requirePassport(uint256 passportId) private view returns (uint256 record) {
        record = _records[passportId];
        if (record == 0) revert PassportUnknown(passportId);
    }

    function _status(uint256 record) private pure returns (PassportStatus) {
        return PassportStatus(uint8(record >> _STATUS_SHIFT));
    }

    function _allowedTransition(PassportStatus from, PassportStatus to) private pure returns (bool) {
        if (from == PassportStatus.Waste || to == PassportStatus.None || to == PassportStatus.Original) return false;
        return from != to;
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof, ICustodyVerifier, INoteTransformVerifier, IOriginVerifier} from "./interfaces/IGroth16Verifiers.sol";
import {IMembershipRoots} from "./interfaces/IMembershipRoots.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IShieldedLedger, LEDGER_TRANSFORM_SLOTS} from "./interfaces/IShieldedLedger.sol";
import {NoteTree} from "./lib/NoteTree.sol";
import {ProofGate} from "./zk/ProofGate.sol";

/// @title ShieldedLedger
/// @notice Lots as notes (see `IShieldedLedger`): origin mints, custody steps and transforms, each one
/// proof, none authorised by its sender. Every operation goes through `_append`, the one place a note
/// enters the tree and its event is emitted, and a spend through `_spend`. Passports are issued by the
/// passport contract against this ledger's note roots (`isKnownNoteRoot`); it spends no note.
contract ShieldedLedger is IShieldedLedger, ProofGate {
    using NoteTree for NoteTree.Tree;

    /// @notice The notes one epoch's tree holds: 2^24, the circuits' LeanIMT path depth.
    uint256 public constant NOTES_PER_EPOCH = 1 << 24;
    /// @notice How old an origin proof's certification time may be when it lands.
    uint256 public constant MAX_PROOF_AGE = 1 hours;

    uint8 private constant _NOTES = 0;
    uint8 private constant _PARTICIPANTS = 1;
    uint8 private constant _FACILITIES = 2;
    uint8 private constant _CERTIFICATIONS = 3;
    bytes32 private constant _OP_ORIGIN = "batterytrace.origin";
    bytes32 private constant _OP_CUSTODY = "batterytrace.custody";
    bytes32 private constant _OP_TRANSFORM = "batterytrace.transform";

    IRegistry private immutable _registry;
    IOriginVerifier private immutable _originVerifier;
    ICustodyVerifier private immutable _custodyVerifier;
    INoteTransformVerifier private immutable _transformVerifier;

    mapping(uint256 epoch => NoteTree.Tree tree) private _trees;
    uint256 private _epoch;
    mapping(uint256 root => bool known) private _finalRoots;
    mapping(uint256 nullifier => bool spent) private _spent;
    mapping(uint256 mintTag => bool used) private _minted;

    /// @param registry The registry whose membership roots and CO2e floors the proofs use.
    /// @param originVerifier The origin circuit's verifier.
    /// @param custodyVerifier The custody circuit's verifier.
    /// @param transformVerifier The note transform circuit's verifier.
    constructor(
        IRegistry registry,
        IOriginVerifier originVerifier,
        ICustodyVerifier custodyVerifier,
        INoteTransformVerifier transformVerifier
    ) {
        _registry = registry;
        _originVerifier = originVerifier;
        _custodyVerifier = custodyVerifier;
        _transformVerifier = transformVerifier;
    }

    /// @inheritdoc IShieldedLedger
    function mintOrigin(OriginRequest calldata request, Groth16Proof calldata proof, bytes[] calldata encryptedOpenings)
        external
        returns (uint256 index)
    {
        _requireRegistryRoot(IMembershipRoots.MembershipSet.Participants, _PARTICIPANTS, request.participantsRoot);
        _requireRegistryRoot(IMembershipRoots.MembershipSet.Facilities, _FACILITIES, request.facilitiesRoot);
        // With no certification registered yet the tree's root is 0: an uncertified mint proves
        // against it (no certified proof can, as no path hashes to 0).
        if (request.certificationsRoot != 0
                || _registry.membershipRoot(IMembershipRoots.MembershipSet.Certifications) != 0) {
            _requireRegistryRoot(
                IMembershipRoots.MembershipSet.Certifications, _CERTIFICATIONS, request.certificationsRoot
            );
        }
        if (request.proofTime > block.timestamp || block.timestamp - request.proofTime > MAX_PROOF_AGE) {
            revert LedgerProofTimeOutOfWindow(request.proofTime, block.timestamp);
        }
        if (_minted[request.mintTag]) revert LedgerMintTagUsed(request.mintTag);
        _requireCommitment(request.outputCommitment);
        _requireInField(1, request.mintTag);
        uint256[8] memory signals = [
            request.outputCommitment,
            request.mintTag,
            request.participantsRoot,
            request.facilitiesRoot,
            request.certificationsRoot,
            uint256(request.proofTime),
            _typeFloors(),
            originContext(encryptedOpenings)
        ];
        _requireVerified(_originVerifier.verifyProof(proof.a, proof.b, proof.c, signals), "origin");
        _minted[request.mintTag] = true;
        index = _append(request.outputCommitment, encryptedOpenings);
        emit OriginMinted(request.mintTag, request.outputCommitment);
    }

    /// @inheritdoc IShieldedLedger
    function custody(CustodyRequest calldata request, Groth16Proof calldata proof, bytes[] calldata encryptedOpenings)
        external
        returns (uint256 index)
    {
        if (request.operation == CustodyOperation.None) revert LedgerInvalidOperation(request.operation);
        if (!isKnownNoteRoot(request.noteRoot)) revert LedgerUnknownRoot(_NOTES, request.noteRoot);
        _requireRegistryRoot(IMembershipRoots.MembershipSet.Participants, _PARTICIPANTS, request.participantsRoot);
        if (_spent[request.nullifier]) revert LedgerNullifierSpent(request.nullifier);
        _requireCommitment(request.outputCommitment);
        _requireInField(1, request.nullifier);
        uint256[6] memory signals = [
            request.noteRoot,
            request.nullifier,
            request.outputCommitment,
            request.participantsRoot,
            uint256(request.operation),
            custodyContext(request.operation, request.evidenceHash, encryptedOpenings)
        ];
        _requireVerified(_custodyVerifier.verifyProof(proof.a, proof.b, proof.c, signals), "custody");
        _spend(request.nullifier);
        index = _append(request.outputCommitment, encryptedOpenings);
        emit CustodyStepped(request.operation, request.nullifier, request.outputCommitment, request.evidenceHash);
    }

    /// @inheritdoc IShieldedLedger
    function transform(
        TransformRequest calldata request,
        Groth16Proof calldata proof,
        bytes[][] calldata encryptedOpenings
    ) external returns (uint256[] memory indices) {
        uint256 inputs = _usedPrefix(request.nullifiers);
        uint256 outputs = _usedPrefix(request.outputCommitments);
        if (inputs == 0 || inputs > LEDGER_TRANSFORM_SLOTS || outputs == 0 || outputs > LEDGER_TRANSFORM_SLOTS
                || encryptedOpenings.length != outputs) {
            revert LedgerInvalidTransform(inputs, outputs, encryptedOpenings.length);
        }
        if (!isKnownNoteRoot(request.noteRoot)) revert LedgerUnknownRoot(_NOTES, request.noteRoot);
        _requireRegistryRoot(IMembershipRoots.MembershipSet.Participants, _PARTICIPANTS, request.participantsRoot);
        _requireRegistryRoot(IMembershipRoots.MembershipSet.Facilities, _FACILITIES, request.facilitiesRoot);
        uint256[12] memory signals;
        signals[0] = request.noteRoot;
        // Slot positions stay below 4: no overflow.
        unchecked {
            for (uint256 slot; slot < inputs; ++slot) {
                uint256 nullifier = request.nullifiers[slot];
                if (_spent[nullifier]) revert LedgerNullifierSpent(nullifier);
                _requireInField(1 + slot, nullifier);
                signals[1 + slot] = nullifier;
            }
            for (uint256 slot; slot < outputs; ++slot) {
                _requireCommitment(request.outputCommitments[slot]);
                signals[1 + LEDGER_TRANSFORM_SLOTS + slot] = request.outputCommitments[slot];
            }
        }
        signals[9] = request.participantsRoot;
        signals[10] = request.facilitiesRoot;
        signals[11] = transformContext(encryptedOpenings);
        _requireVerified(_transformVerifier.verifyProof(proof.a, proof.b, proof.c, signals), "transform");
        uint256[] memory spent = new uint256[](inputs);
        uint256[] memory created = new uint256[](outputs);
        indices = new uint256[](outputs);
        unchecked {
            // The circuit proves the used nullifiers distinct; `_spend` refuses a repeat all the same.
            for (uint256 slot; slot < inputs; ++slot) {
                spent[slot] = request.nullifiers[slot];
                _spend(spent[slot]);
            }
            for (uint256 slot; slot < outputs; ++slot) {
                created[slot] = request.outputCommitments[slot];
                indices[slot] = _append(created[slot], encryptedOpenings[slot]);
            }
        }
        emit NotesTransformed(spent, created);
    }

    /// @inheritdoc IShieldedLedger
    function isSpent(uint256 nullifier) external view returns (bool) {
        return _spent[nullifier];
    }

    /// @inheritdoc IShieldedLedger
    function isMinted(uint256 mintTag) external view returns (bool) {
        return _minted[mintTag];
    }

    /// @inheritdoc IShieldedLedger
    function isKnownNoteRoot(uint256 root) public view returns (bool) {
        return _trees[_epoch].isKnownRoot(root) || _finalRoots[root];
    }

    /// @inheritdoc IShieldedLedger
    function noteTree() external view returns (uint256 epoch, uint256 root, uint256 size) {
        NoteTree.Tree storage tree = _trees[_epoch];
        return (_epoch, tree.root(), tree.size());
    }

    /// @inheritdoc IShieldedLedger
    function originContext(bytes[] calldata encryptedOpenings) public view returns (uint256) {
        return _fieldHash(abi.encode(block.chainid, address(this), _OP_ORIGIN, encryptedOpenings));
    }

    /// @inheritdoc IShieldedLedger
    function custodyContext(CustodyOperation operation, bytes32 evidenceHash, bytes[] calldata encryptedOpenings)
        public
        view
        returns (uint256)
    {
        return _fieldHash(
            abi.encode(block.chainid, address(this), _OP_CUSTODY, operation, evidenceHash, encryptedOpenings)
        );
    }

    /// @inheritdoc IShieldedLedger
    function transformContext(bytes[][] calldata encryptedOpenings) public view returns (uint256) {
        return _fieldHash(abi.encode(block.chainid, address(this), _OP_TRANSFORM, encryptedOpenings));
    }

    /// @dev The registry's rulebook floors of the six origin types as one origin signal: the i-th
    /// type's floor (a uint32) at bits 32 * i, in the circuit's order (ORIGIN_FLOOR_TYPES), which
    /// unpacks it and picks the floor of the site's type.
    function _typeFloors() private view returns (uint256 packed) {
        IRegistry.FacilityType[6] memory types = [
            IRegistry.FacilityType.IndustrialMine,
            IRegistry.FacilityType.ArtisanalSite,
            IRegistry.FacilityType.Recycler,
            IRegistry.FacilityType.BrineOperation,
            IRegistry.FacilityType.HardRockMine,
            IRegistry.FacilityType.NickelMine
        ];
        for (uint256 index; index < types.length; ++index) {
            packed |= uint256(_registry.co2eFloorGramsPerKg(types[index])) << (32 * index);
        }
    }

    /// @dev The one place a note enters the tree: the epoch's tree, or the next one when it is full
    /// (its final root stays known).
    function _append(uint256 commitment, bytes[] calldata encryptedOpenings) private returns (uint256 index) {
        NoteTree.Tree storage tree = _trees[_epoch];
        if (tree.size() == NOTES_PER_EPOCH) {
            _finalRoots[tree.root()] = true;
            tree = _trees[++_epoch];
        }
        index = tree.insert(commitment);
        emit NoteCreated(commitment, _epoch, index, tree.root(), encryptedOpenings);
    }

    function _spend(uint256 nullifier) private {
        if (_spent[nullifier]) revert LedgerNullifierSpent(nullifier);
        _spent[nullifier] = true;
        emit NoteSpent(nullifier);
    }

    function _requireRegistryRoot(IMembershipRoots.MembershipSet set, uint8 tree, uint256 root) private view {
        if (!_registry.isKnownMembershipRoot(set, root)) revert LedgerUnknownRoot(tree, root);
    }

    /// @dev How many slots are used (non-zero), requiring the used ones first; 5 (never a valid
    /// count) when a used slot follows an unused one.
    function _usedPrefix(uint256[LEDGER_TRANSFORM_SLOTS] calldata slots) private pure returns (uint256 used) {
        while (used < LEDGER_TRANSFORM_SLOTS && slots[used] != 0) ++used;
        for (uint256 slot = used; slot < LEDGER_TRANSFORM_SLOTS; ++slot) {
            if (slots[slot] != 0) return LEDGER_TRANSFORM_SLOTS + 1;
        }
    }

    function _requireCommitment(uint256 commitment) private pure {
        if (commitment == 0 || commitment >= SNARK_SCALAR_FIELD) revert LedgerInvalidCommitment(commitment);
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Groth16Proof, ICustodyVerifier, IOriginVerifier} from "./interfaces/IGroth16Verifiers.sol";
import {IMembershipRoots} from "./interfaces/IMembershipRoots.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IShieldedLedger} from "./interfaces/IShieldedLedger.sol";
import {NoteTree} from "./lib/NoteTree.sol";
import {ProofGate} from "./zk/ProofGate.sol";

/// @title ShieldedLedger
/// @notice Lots as notes (see `IShieldedLedger`): origin mints and custody steps, each one proof,
/// none authorised by its sender. Every operation goes through `_append`, the one place a note
/// enters the tree and its event is emitted, and a spend through `_spend`.
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

    IRegistry private immutable _registry;
    IOriginVerifier private immutable _originVerifier;
    ICustodyVerifier private immutable _custodyVerifier;

    mapping(uint256 epoch => NoteTree.Tree tree) private _trees;
    uint256 private _epoch;
    mapping(uint256 root => bool known) private _finalRoots;
    mapping(uint256 nullifier => bool spent) private _spent;
    mapping(uint256 mintTag => bool used) private _minted;

    /// @param registry The registry whose membership roots and CO2e floors the proofs use.
    /// @param originVerifier The origin circuit's verifier.
    /// @param custodyVerifier The custody circuit's verifier.
    constructor(IRegistry registry, IOriginVerifier originVerifier, ICustodyVerifier custodyVerifier) {
        _registry = registry;
        _originVerifier = originVerifier;
        _custodyVerifier = custodyVerifier;
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
        uint256[10] memory signals = [
            request.outputCommitment,
            request.mintTag,
            request.participantsRoot,
            request.facilitiesRoot,
            request.certificationsRoot,
            uint256(request.proofTime),
            uint256(_registry.co2eFloorGramsPerKg(IRegistry.FacilityType.IndustrialMine)),
            uint256(_registry.co2eFloorGramsPerKg(IRegistry.FacilityType.ArtisanalSite)),
            uint256(_registry.co2eFloorGramsPerKg(IRegistry.FacilityType.Recycler)),
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
        _spent[nullifier] = true;
        emit NoteSpent(nullifier);
    }

    function _requireRegistryRoot(IMembershipRoots.MembershipSet set, uint8 tree, uint256 root) private view {
        if (!_registry.isKnownMembershipRoot(set, root)) revert LedgerUnknownRoot(tree, root);
    }

    function _requireCommitment(uint256 commitment) private pure {
        if (commitment == 0 || commitment >= SNARK_SCALAR_FIELD) revert LedgerInvalidCommitment(commitment);
    }
}

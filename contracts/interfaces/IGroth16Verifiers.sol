// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice A Groth16 proof as the snarkjs-generated verifiers take it (pi_b's coordinates in the
/// order the EVM pairing precompile expects).
struct Groth16Proof {
    uint256[2] a;
    uint256[2][2] b;
    uint256[2] c;
}

/// @notice The snarkjs-generated verifier of the shielded ledger's custody circuit (6 public signals).
interface ICustodyVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: noteRoot, nullifier,
    /// outputCommitment, participantsRoot, operation, context.
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[6] calldata pubSignals
    ) external view returns (bool);
}

/// @notice The snarkjs-generated verifier of the shielded ledger's origin circuit (8 public signals).
interface IOriginVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: outputCommitment, mintTag,
    /// participantsRoot, facilitiesRoot, certificationsRoot, proofTime, typeFloors, context.
    /// `typeFloors` packs the rulebook floors (uint32 each) of the origin types IndustrialMine,
    /// ArtisanalSite, Recycler, BrineOperation, HardRockMine, NickelMine at bits 32 * i, in that order.
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[8] calldata pubSignals
    ) external view returns (bool);
}

/// @notice The snarkjs-generated verifier of the shielded ledger's note transform circuit (12 public
/// signals).
interface INoteTransformVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: noteRoot, nullifiers[4],
    /// outputCommitments[4], participantsRoot, facilitiesRoot, context.
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[12] calldata pubSignals
    ) external view returns (bool);
}

/// @notice The snarkjs-generated verifier of the batched passport claim circuit (15 public signals).
interface IPackBatchVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: noteRoot,
    /// participantsRoot, issuer, claims, context, packs[10], the fifteen pack slots end to end
    /// (circuits/lib/pack_batch.circom says how the claims and the slots are packed).
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[15] calldata pubSignals
    ) external view returns (bool);
}

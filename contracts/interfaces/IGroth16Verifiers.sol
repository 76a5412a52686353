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

/// @notice The snarkjs-generated verifier of the shielded ledger's origin circuit (10 public signals).
interface IOriginVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: outputCommitment, mintTag,
    /// participantsRoot, facilitiesRoot, certificationsRoot, proofTime, industrialMineFloor,
    /// artisanalSiteFloor, recyclerFloor, context.
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[10] calldata pubSignals
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

/// @notice The snarkjs-generated verifier of the shielded ledger's pack claim circuit (13 public
/// signals).
interface IPackClaimVerifier {
    /// @notice Whether the proof verifies against the public signals.
    /// @param pA The proof's A point.
    /// @param pB The proof's B point, coordinates in the pairing precompile's order.
    /// @param pC The proof's C point.
    /// @param pubSignals The public signals in circuits/manifest.json's order: noteRoot, nullifier,
    /// participantsRoot, issuer, declaredGrams[1], minCertifiedBps[1], minPreConsumerBps[1],
    /// minPostConsumerBps[1], maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh, capacityWh,
    /// forbiddenRiskFlags, context.
    /// @return Whether the proof is valid; false (not a revert) when it is not.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[13] calldata pubSignals
    ) external view returns (bool);
}

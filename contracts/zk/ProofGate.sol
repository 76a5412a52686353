// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ProofGate
/// @notice What every proof-consuming contract shares: public inputs must lie in the BN254 scalar
/// field, and a proof that does not verify reverts. The snarkjs verifiers return false instead of
/// reverting, which also makes eth_estimateGas stop at the cheap failing path; a revert makes the
/// estimate cover the full pairing check.
abstract contract ProofGate {
    /// @notice The BN254 scalar field modulus: every public signal must be below it.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice A public input is at or above the scalar field modulus.
    /// @param index The input's position among the circuit's public signals.
    /// @param value The input.
    error ProofInputOutOfField(uint256 index, uint256 value);
    /// @notice The proof does not verify against the public inputs.
    /// @param circuit The circuit's name as a short string (`origin`, `custody`, `transform`, `pack_claim`).
    error ProofInvalid(bytes32 circuit);

    /// @dev Maps arbitrary context bytes into the field the way Semaphore does.
    function _fieldHash(bytes memory data) internal pure returns (uint256) {
        return uint256(keccak256(data)) >> 8;
    }

    function _requireInField(uint256 index, uint256 value) internal pure {
        if (value >= SNARK_SCALAR_FIELD) revert ProofInputOutOfField(index, value);
    }

    function _requireVerified(bool verified, bytes32 circuit) internal pure {
        if (!verified) revert ProofInvalid(circuit);
    }
}

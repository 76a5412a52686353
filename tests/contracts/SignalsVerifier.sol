// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title SignalsVerifier
/// @notice Test-only: stands in for the origin, note transform and batch claim verifiers (8, 12 and
/// 15 public signals) so the tests read exactly the signals the shielded ledger packs,
/// with no proof and no keys. While refusing it reverts with the signals it was given; while
/// accepting it says every proof is valid. Never shipped (tests/contracts is outside the build).
contract SignalsVerifier {
    /// @notice The public signals a verifier call carried.
    /// @param signals The signals, in the ledger's order.
    error Signals(uint256[] signals);

    bool private _accepting;

    /// @notice From now on, accept every proof (`true`) or revert with its signals (`false`).
    /// @param accepting Whether to accept.
    function setAccepting(bool accepting) external {
        _accepting = accepting;
    }

    /// @notice The origin verifier's function.
    /// @param pubSignals The origin circuit's public signals.
    /// @return Whether the proof is valid (accepting), else a `Signals` revert.
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[8] calldata pubSignals)
        external
        view
        returns (bool)
    {
        uint256[] memory signals = new uint256[](8);
        for (uint256 index; index < 8; ++index) {
            signals[index] = pubSignals[index];
        }
        return _answer(signals);
    }

    /// @notice The batch claim verifier's function.
    /// @param pubSignals The circuit's public signals.
    /// @return Whether the proof is valid (accepting), else a `Signals` revert.
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[15] calldata pubSignals)
        external
        view
        returns (bool)
    {
        uint256[] memory signals = new uint256[](15);
        for (uint256 index; index < 15; ++index) {
            signals[index] = pubSignals[index];
        }
        return _answer(signals);
    }

    /// @notice The note transform verifier's function.
    /// @param pubSignals The circuit's public signals.
    /// @return Whether the proof is valid (accepting), else a `Signals` revert.
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[12] calldata pubSignals)
        external
        view
        returns (bool)
    {
        uint256[] memory signals = new uint256[](12);
        for (uint256 index; index < 12; ++index) {
            signals[index] = pubSignals[index];
        }
        return _answer(signals);
    }

    function _answer(uint256[] memory signals) private view returns (bool) {
        if (!_accepting) revert Signals(signals);
        return true;
    }
}

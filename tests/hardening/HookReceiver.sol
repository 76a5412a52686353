// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// The handover functions of BatteryLots this test contract calls.
interface ILotsHandover {
    function offer(uint256 lotId, address to, bytes calldata encryptedOpening) external;
    function accept(uint256 lotId, bool withinTolerance, bytes32 weighingEvidenceHash) external;
}

/// @title HookReceiver
/// @notice TEST ONLY (never shipped): a registered participant that is a contract and whose ERC-721
/// receiver hook re-enters the lots contract, handing the lot straight on while the handover that
/// delivered it is still running. If any lots path called onERC721Received, `hookCalls` would count
/// it and the re-entry would run.
contract HookReceiver {
    ILotsHandover public immutable lots;
    address public immutable reentryTarget;
    uint256 public hookCalls;

    constructor(ILotsHandover lots_, address reentryTarget_) {
        lots = lots_;
        reentryTarget = reentryTarget_;
    }

    /// @notice Accept a lot offered to this contract.
    function acceptLot(uint256 lotId) external {
        lots.accept(lotId, true, bytes32(0));
    }

    function onERC721Received(address, address, uint256 tokenId, bytes calldata) external returns (bytes4) {
        hookCalls += 1;
        lots.offer(tokenId, reentryTarget, "");
        return this.onERC721Received.selector;
    }
}

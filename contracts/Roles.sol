// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./interfaces/IRegistry.sol";

/// @title Roles
/// @notice The consortium's roles and which facility types each may operate.
library Roles {
    bytes32 internal constant AUDITOR = keccak256("AUDITOR_ROLE");
    bytes32 internal constant MINER = keccak256("MINER_ROLE");
    bytes32 internal constant PROCESSOR = keccak256("PROCESSOR_ROLE");
    bytes32 internal constant CELL_MAKER = keccak256("CELL_MAKER_ROLE");
    bytes32 internal constant PACK_MAKER = keccak256("PACK_MAKER_ROLE");
    bytes32 internal constant OEM = keccak256("OEM_ROLE");
    bytes32 internal constant RECYCLER = keccak256("RECYCLER_ROLE");
    /// @notice Held by the passport contract so it alone can lock pack lots for passports.
    bytes32 internal constant PASSPORT_CONTRACT = keccak256("PASSPORT_CONTRACT_ROLE");

    function isParticipantRole(bytes32 role) internal pure returns (bool) {
        return role == AUDITOR || role == MINER || role == PROCESSOR || role == CELL_MAKER || role == PACK_MAKER
            || role == OEM || role == RECYCLER;
    }

    function mayOperate(bytes32 role, IRegistry.FacilityType facilityType) internal pure returns (bool) {
        if (role == MINER) {
            return facilityType == IRegistry.FacilityType.IndustrialMine
                || facilityType == IRegistry.FacilityType.ArtisanalSite;
        }
        if (role == PROCESSOR) {
            return facilityType == IRegistry.FacilityType.Refinery
                || facilityType == IRegistry.FacilityType.PrecursorPlant
                || facilityType == IRegistry.FacilityType.CathodePlant;
        }
        if (role == CELL_MAKER) return facilityType == IRegistry.FacilityType.CellPlant;
        if (role == PACK_MAKER || role == OEM) return facilityType == IRegistry.FacilityType.PackPlant;
        if (role == RECYCLER) return facilityType == IRegistry.FacilityType.Recycler;
        return false;
    }
}

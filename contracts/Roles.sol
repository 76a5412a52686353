// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./interfaces/IRegistry.sol";

/// @title Roles
/// @notice The consortium's roles, and the one home of the facility-type rules: which role may
/// operate which facility type, where origin lots are minted and where lots are transformed.
/// @dev The Python twin is `batterytrace.model.facilities` (`may_operate`, `mints_origin_lots`,
/// `transforms_lots`, `minting_role`); the two must say the same.
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

    /// @notice Whether `role` is one a participant can hold (every role above but PASSPORT_CONTRACT).
    function isParticipantRole(bytes32 role) internal pure returns (bool) {
        return role == AUDITOR || role == MINER || role == PROCESSOR || role == CELL_MAKER || role == PACK_MAKER
            || role == OEM || role == RECYCLER;
    }

    /// @notice Whether a participant holding `role` may register and operate a facility of
    /// `facilityType`. MINER: industrial mines and artisanal sites; PROCESSOR: refineries, precursor
    /// and cathode plants; CELL_MAKER: cell plants; PACK_MAKER and OEM: pack plants; RECYCLER:
    /// recyclers; AUDITOR: none.
    function mayOperate(bytes32 role, IRegistry.FacilityType facilityType) internal pure returns (bool) {
        if (role == MINER) return _isExtractionSite(facilityType);
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

    /// @notice Whether origin lots may be minted at a facility of `facilityType`: industrial mines,
    /// artisanal sites and recyclers.
    function mintsOriginLots(IRegistry.FacilityType facilityType) internal pure returns (bool) {
        return _isExtractionSite(facilityType) || facilityType == IRegistry.FacilityType.Recycler;
    }

    /// @notice Whether lots may be transformed at a facility of `facilityType`: every type but the
    /// extraction sites (industrial mines and artisanal sites), which only mint.
    function transformsLots(IRegistry.FacilityType facilityType) internal pure returns (bool) {
        return !_isExtractionSite(facilityType);
    }

    /// @notice The role that mints origin lots at a facility of `facilityType`: RECYCLER at a
    /// recycler, MINER anywhere else.
    function mintingRole(IRegistry.FacilityType facilityType) internal pure returns (bytes32) {
        return facilityType == IRegistry.FacilityType.Recycler ? RECYCLER : MINER;
    }

    function _isExtractionSite(IRegistry.FacilityType facilityType) private pure returns (bool) {
        return facilityType == IRegistry.FacilityType.IndustrialMine
            || facilityType == IRegistry.FacilityType.ArtisanalSite;
    }
}

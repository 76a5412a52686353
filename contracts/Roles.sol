// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ILots} from "./interfaces/ILots.sol";
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
    /// @notice Market surveillance and other competent authorities: they correct a battery's status
    /// with evidence, and operate no facility.
    bytes32 internal constant AUTHORITY = keccak256("AUTHORITY_ROLE");
    /// @notice Held by the passport contract so it alone can lock pack lots for passports.
    bytes32 internal constant PASSPORT_CONTRACT = keccak256("PASSPORT_CONTRACT_ROLE");

    /// @notice Whether `role` is one a participant can hold (every role above but PASSPORT_CONTRACT).
    function isParticipantRole(bytes32 role) internal pure returns (bool) {
        return role == AUDITOR || role == MINER || role == PROCESSOR || role == CELL_MAKER || role == PACK_MAKER
            || role == OEM || role == RECYCLER || role == AUTHORITY;
    }

    /// @notice The small number a membership leaf packs for a participant role: AUDITOR 1, MINER 2,
    /// PROCESSOR 3, CELL_MAKER 4, PACK_MAKER 5, OEM 6, RECYCLER 7, AUTHORITY 8; zero for any other.
    function index(bytes32 role) internal pure returns (uint256) {
        if (role == AUDITOR) return 1;
        if (role == MINER) return 2;
        if (role == PROCESSOR) return 3;
        if (role == CELL_MAKER) return 4;
        if (role == PACK_MAKER) return 5;
        if (role == OEM) return 6;
        if (role == RECYCLER) return 7;
        if (role == AUTHORITY) return 8;
        return 0;
    }

    /// @notice Whether a participant holding `role` may register and operate a facility of
    /// `facilityType`. MINER: industrial mines and artisanal sites; PROCESSOR: refineries, precursor
    /// and cathode plants; CELL_MAKER: cell plants; PACK_MAKER and OEM: pack plants; RECYCLER:
    /// recyclers; AUDITOR and AUTHORITY: none.
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

    /// @notice Whether an origin lot of `kind` may be minted at a facility of `facilityType`: ore or
    /// hydroxide at a mine or artisanal site, black mass at a recycler.
    function mintsKind(IRegistry.FacilityType facilityType, ILots.MaterialKind kind) internal pure returns (bool) {
        if (_isExtractionSite(facilityType)) {
            return kind == ILots.MaterialKind.CobaltOre || kind == ILots.MaterialKind.CobaltHydroxide;
        }
        return facilityType == IRegistry.FacilityType.Recycler && kind == ILots.MaterialKind.BlackMass;
    }

    /// @notice The material kinds a transformation at a facility of `facilityType` makes, one bit per
    /// MaterialKind: crude and refined sulfate and metal at a refinery, precursor, cathode and cell at
    /// their plants, modules and packs at a pack plant, black mass and recycled sulfate at a
    /// recycler. A transformation may also output the kind of one of its inputs (a split or merge).
    function madeKinds(IRegistry.FacilityType facilityType) internal pure returns (uint256 kinds) {
        if (facilityType == IRegistry.FacilityType.Refinery) {
            return _bit(ILots.MaterialKind.CrudeCobaltSulfate) | _bit(ILots.MaterialKind.RefinedCobaltSulfate)
                | _bit(ILots.MaterialKind.CobaltMetal);
        }
        if (facilityType == IRegistry.FacilityType.PrecursorPlant) return _bit(ILots.MaterialKind.Precursor);
        if (facilityType == IRegistry.FacilityType.CathodePlant) return _bit(ILots.MaterialKind.Cathode);
        if (facilityType == IRegistry.FacilityType.CellPlant) return _bit(ILots.MaterialKind.Cell);
        if (facilityType == IRegistry.FacilityType.PackPlant) {
            return _bit(ILots.MaterialKind.Module) | _bit(ILots.MaterialKind.Pack);
        }
        if (facilityType == IRegistry.FacilityType.Recycler) {
            return _bit(ILots.MaterialKind.BlackMass) | _bit(ILots.MaterialKind.RecycledCobaltSulfate);
        }
        return 0;
    }

    /// @notice The bit of `kind` in a `madeKinds` mask.
    function kindBit(ILots.MaterialKind kind) internal pure returns (uint256) {
        return _bit(kind);
    }

    function _bit(ILots.MaterialKind kind) private pure returns (uint256) {
        return uint256(1) << uint8(kind);
    }

    function _isExtractionSite(IRegistry.FacilityType facilityType) private pure returns (bool) {
        return facilityType == IRegistry.FacilityType.IndustrialMine
            || facilityType == IRegistry.FacilityType.ArtisanalSite;
    }
}

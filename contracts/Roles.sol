// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRegistry} from "./interfaces/IRegistry.sol";

/// @title Roles
/// @notice The consortium's roles, and which role may operate which facility type. Where origin
/// lots are minted, of which kinds, and what a transform makes, the shielded ledger's circuits
/// enforce (circuits/lib/origin.circom, circuits/lib/note_transform.circom). Also which certification
/// schemes cover the metal of which facility type (`schemeCovers`).
/// @dev The Python twin is `batterytrace.model.facilities` (`may_operate`, `scheme_covers`); the two
/// must say the same.
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
    /// @notice Persons with a legitimate interest in a passport's restricted data (Reg. (EU)
    /// 2023/1542 Art. 77(2)(b)), as RECYCLER is: the passport resolver serves them that tier. They
    /// operate no facility.
    bytes32 internal constant REPAIRER = keccak256("REPAIRER_ROLE");
    bytes32 internal constant REMANUFACTURER = keccak256("REMANUFACTURER_ROLE");
    bytes32 internal constant SECOND_LIFE_OPERATOR = keccak256("SECOND_LIFE_OPERATOR_ROLE");

    // Byte s: the metals scheme s covers, bit 0 cobalt, 1 lithium, 2 nickel. RMAP, IRMA, ICMM and GBA
    // all three; CopperMark cobalt and nickel (its joint due diligence standard); CIRAF cobalt.
    uint256 private constant _SCHEME_METALS = 0x07 | 0x07 << 8 | 0x05 << 16 | 0x01 << 24 | 0x07 << 32 | 0x07 << 40;

    /// @notice Whether `role` is one a participant can hold (every role above).
    function isParticipantRole(bytes32 role) internal pure returns (bool) {
        return role == AUDITOR || role == MINER || role == PROCESSOR || role == CELL_MAKER || role == PACK_MAKER
            || role == OEM || role == RECYCLER || role == AUTHORITY || role == REPAIRER || role == REMANUFACTURER
            || role == SECOND_LIFE_OPERATOR;
    }

    /// @notice The small number a membership leaf packs for a participant role: AUDITOR 1, MINER 2,
    /// PROCESSOR 3, CELL_MAKER 4, PACK_MAKER 5, OEM 6, RECYCLER 7, AUTHORITY 8, REPAIRER 9,
    /// REMANUFACTURER 10, SECOND_LIFE_OPERATOR 11; zero for any other.
    function index(bytes32 role) internal pure returns (uint256) {
        if (role == AUDITOR) return 1;
        if (role == MINER) return 2;
        if (role == PROCESSOR) return 3;
        if (role == CELL_MAKER) return 4;
        if (role == PACK_MAKER) return 5;
        if (role == OEM) return 6;
        if (role == RECYCLER) return 7;
        if (role == AUTHORITY) return 8;
        if (role == REPAIRER) return 9;
        if (role == REMANUFACTURER) return 10;
        if (role == SECOND_LIFE_OPERATOR) return 11;
        return 0;
    }

    /// @notice Whether a participant holding `role` may register and operate a facility of
    /// `facilityType`. MINER: extraction sites (industrial mines, artisanal sites, brine operations,
    /// hard-rock mines, nickel mines); PROCESSOR: cobalt refineries, precursor and cathode plants,
    /// lithium and nickel refineries; CELL_MAKER: cell plants; PACK_MAKER and OEM: pack plants;
    /// RECYCLER: recyclers; AUDITOR and AUTHORITY: none.
    function mayOperate(bytes32 role, IRegistry.FacilityType facilityType) internal pure returns (bool) {
        if (role == MINER) return _isExtractionSite(facilityType);
        if (role == PROCESSOR) {
            return facilityType == IRegistry.FacilityType.Refinery
                || facilityType == IRegistry.FacilityType.PrecursorPlant
                || facilityType == IRegistry.FacilityType.CathodePlant
                || facilityType == IRegistry.FacilityType.LithiumRefinery
                || facilityType == IRegistry.FacilityType.NickelRefinery;
        }
        if (role == CELL_MAKER) return facilityType == IRegistry.FacilityType.CellPlant;
        if (role == PACK_MAKER || role == OEM) return facilityType == IRegistry.FacilityType.PackPlant;
        if (role == RECYCLER) return facilityType == IRegistry.FacilityType.Recycler;
        return false;
    }

    /// @notice Whether `scheme` covers the metal of `facilityType`: a type with no metal of its own
    /// (precursor, cathode, cell and pack plants, recyclers) takes any scheme; a cobalt, lithium or
    /// nickel site only one whose standard audits that metal (see `IRegistry.Scheme`).
    function schemeCovers(IRegistry.Scheme scheme, IRegistry.FacilityType facilityType) internal pure returns (bool) {
        uint256 metal = _metalBit(facilityType);
        return metal == 0 || (_SCHEME_METALS >> (8 * uint256(uint8(scheme)))) & metal != 0;
    }

    /// @dev The bit of the type's metal (as in `_SCHEME_METALS`), zero for a type of none.
    function _metalBit(IRegistry.FacilityType facilityType) private pure returns (uint256) {
        if (facilityType <= IRegistry.FacilityType.Refinery) return 1;
        if (facilityType == IRegistry.FacilityType.BrineOperation || facilityType == IRegistry.FacilityType.HardRockMine
                || facilityType == IRegistry.FacilityType.LithiumRefinery) return 2;
        if (facilityType == IRegistry.FacilityType.NickelMine || facilityType == IRegistry.FacilityType.NickelRefinery) {
            return 4;
        }
        return 0;
    }

    function _isExtractionSite(IRegistry.FacilityType facilityType) private pure returns (bool) {
        return facilityType == IRegistry.FacilityType.IndustrialMine
            || facilityType == IRegistry.FacilityType.ArtisanalSite
            || facilityType == IRegistry.FacilityType.BrineOperation
            || facilityType == IRegistry.FacilityType.HardRockMine
            || facilityType == IRegistry.FacilityType.NickelMine;
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICompanyPrefixes} from "./ICompanyPrefixes.sol";
import {IMembershipRoots} from "./IMembershipRoots.sol";

/// @title The consortium registry: who takes part, where material is handled, and who vouches for it.
/// @notice Participants are addresses with an identity record and one role; facilities belong to a
/// participant; auditors certify facilities under a scheme and record risk findings that enter every
/// lot created there. Roles are OpenZeppelin AccessControl roles held in this contract, which the
/// lots and passport contracts consult. Every fact a proof relies on is also a leaf of one of the
/// registry's membership trees (`IMembershipRoots`), replaced in the same transaction as the record;
/// a call that changes an existing leaf takes the siblings of its path (`siblings`,
/// `operatorSiblings`: from `batterytrace.sdk.trees`; empty where no leaf changes).
interface IRegistry is ICompanyPrefixes, IMembershipRoots {
    /// @notice The kind of site a facility is. Origin lots are created only at extraction sites
    /// (cobalt mines and artisanal sites, lithium brine operations and hard-rock mines, nickel mines)
    /// and recyclers; every other type transforms material it holds. A type's metal (cobalt for
    /// 0-2, lithium for 8, 9 and 11, nickel for 10 and 12, none for 3-7) is the one a certification
    /// of a site of that type must cover (`RegistrySchemeDoesNotCover`).
    enum FacilityType {
        IndustrialMine,
        ArtisanalSite,
        Refinery,
        PrecursorPlant,
        CathodePlant,
        CellPlant,
        PackPlant,
        Recycler,
        BrineOperation,
        HardRockMine,
        NickelMine,
        LithiumRefinery,
        NickelRefinery
    }

    /// @notice Certification and assurance schemes the consortium recognises, and the metals each
    /// covers: RMAP (with RMI's extension to lithium and nickel), IRMA, ICMM and GBA all three;
    /// CopperMark cobalt and nickel; CIRAF cobalt only.
    enum Scheme {
        RMAP,
        IRMA,
        CopperMark,
        CIRAF,
        ICMM,
        GBA
    }

    /// @notice Lifecycle of a certification. Suspended and Revoked are final for that certification:
    /// a reinstated site receives a new certification, so history stays answerable.
    enum CertificationStatus {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice Kind of the participant's public identifier.
    enum IdentifierKind {
        LEI,
        GLN
    }

    /// @notice A participant's identity record. Names are hashed: the registry never holds them in clear.
    /// `encryptionPublicKey` is the secp256k1 key others encrypt lot openings to; `shieldingKey` is the
    /// field element `Poseidon(SHIELDING_DOMAIN, s)` of a secret `s` the participant alone holds, the
    /// owner of its shielded notes, which its membership leaf carries for the circuits.
    struct Participant {
        bytes32 role;
        bytes32 legalNameHash;
        bytes32 identifier;
        IdentifierKind identifierKind;
        bytes2 country;
        bool registered;
        bytes encryptionPublicKey;
        uint256 shieldingKey;
    }

    /// @notice A site where material is mined, processed, assembled or recycled. The operator
    /// registers it; nothing is minted or transformed there until an auditor activates it, setting
    /// its type, country, risk findings and process parameters.
    /// @dev `riskFlags` as read through `facility()` is the site's own findings together with its
    /// operator's (`operatorRiskFlags`), which every site of that operator inherits.
    /// `co2eFloorGramsPerKg` is the auditor's floor of declared emissions: per kg of contained metal
    /// (cobalt, lithium and nickel together) minted at an origin site (never below the rulebook floor
    /// of its type), per kg of material processed at any other site. `recycledPreConsumerBps` is the
    /// share of a recycler's input stream the auditor certified as pre-consumer (production scrap),
    /// the rest being post-consumer (end-of-life batteries); zero at any other type.
    struct Facility {
        address operator;
        FacilityType facilityType;
        bytes2 country;
        uint8 riskFlags;
        uint16 maxYieldLossBps;
        bool registered;
        bool active;
        uint32 co2eFloorGramsPerKg;
        bytes32 siteId;
        bytes32 locationCommitment;
        uint16 recycledPreConsumerBps;
    }

    /// @notice An auditor's certification of one facility under one scheme.
    struct Certification {
        uint32 facilityId;
        Scheme scheme;
        CertificationStatus status;
        uint64 validFrom;
        uint64 validUntil;
        uint64 statusChangedAt;
        address auditor;
        bytes32 evidenceHash;
    }

    /// @notice The account is already a registered participant.
    /// @param account The account.
    error RegistryAlreadyRegistered(address account);
    /// @notice The account is not a registered participant (or no longer holds its role).
    /// @param account The account.
    error RegistryNotRegistered(address account);
    /// @notice The role is not one a participant can hold.
    /// @param role The role given.
    error RegistryUnknownRole(bytes32 role);
    /// @notice The facility id does not exist.
    /// @param facilityId The id given.
    error RegistryUnknownFacility(uint32 facilityId);
    /// @notice The participant's role may not operate a facility of this type.
    /// @param operator The participant registering the facility.
    /// @param role The participant's role.
    /// @param facilityType The facility type asked for.
    error RegistryFacilityTypeNotAllowed(address operator, bytes32 role, FacilityType facilityType);
    /// @notice The operator already registered a facility with this site id.
    /// @param operator The participant registering the facility.
    /// @param siteId The site id already in use.
    error RegistryDuplicateSite(address operator, bytes32 siteId);
    /// @notice The certification id does not exist.
    /// @param certificationId The id given.
    error RegistryUnknownCertification(uint256 certificationId);
    /// @notice The validity window is empty or inverted.
    /// @param validFrom The window's start, Unix seconds.
    /// @param validUntil The window's end (exclusive), Unix seconds.
    error RegistryInvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice The certification is not active, so its status cannot change.
    /// @param certificationId The certification.
    /// @param status Its current status.
    error RegistryCertificationNotActive(uint256 certificationId, CertificationStatus status);
    /// @notice A yield loss above 100% or a risk flag outside the defined bits.
    /// @param value The rejected value (basis points, or the risk flags).
    error RegistryInvalidValue(uint256 value);
    /// @notice An identity field is empty or malformed.
    /// @param account The account whose identity record was rejected.
    error RegistryInvalidIdentity(address account);
    /// @notice The consortium's last admin cannot renounce or lose its role: no one could register
    /// participants again. Grant the role to the successor first.
    /// @param account The last holder of DEFAULT_ADMIN_ROLE.
    error RegistryLastAdmin(address account);
    /// @notice A certification may not start before the block that records it: a back-dated start
    /// would change what `isCertified` answered for a past time. Pass zero to start at the block.
    /// @param validFrom The start asked for, Unix seconds.
    /// @param recordedAt The timestamp of the recording block, Unix seconds.
    error RegistryBackdatedCertification(uint64 validFrom, uint64 recordedAt);
    /// @notice The encryption key is not a secp256k1 point: 33 bytes compressed (prefix 0x02 or
    /// 0x03, x below the field prime, x^3 + 7 a square) or 65 bytes uncompressed (prefix 0x04, on
    /// the curve). Envelopes to an invalid key cannot be made, which would stop others' mints and offers.
    /// @param account The participant the key was given for.
    /// @param key The key rejected.
    error RegistryInvalidEncryptionKey(address account, bytes key);
    /// @notice The facility was already activated by an auditor.
    /// @param facilityId The facility.
    error RegistryFacilityAlreadyActive(uint32 facilityId);
    /// @notice An activation, or a finding that clears a risk flag, needs the hash of its evidence.
    error RegistryEvidenceRequired();
    /// @notice A registered participant's role is revoked through `revokeParticipant`, which also
    /// removes its membership leaf; `revokeRole` and `renounceRole` refuse it.
    /// @param account The participant.
    error RegistryRevokeParticipantInstead(address account);
    /// @notice The shielding key is zero or not below the BN254 scalar field, so no circuit could
    /// prove it (zero would also read as "no key").
    /// @param account The participant the key was given for.
    /// @param key The key rejected.
    error RegistryInvalidShieldingKey(address account, uint256 key);
    /// @notice The scheme does not cover the metal of the facility's type (see `Scheme` and
    /// `FacilityType`), so a certification under it would vouch for material it never audits.
    /// @param scheme The scheme asked for.
    /// @param facilityType The facility's type.
    error RegistrySchemeDoesNotCover(Scheme scheme, FacilityType facilityType);
    /// @notice Only a recycler's input stream has a recycled split.
    /// @param facilityId The facility.
    /// @param facilityType Its type.
    error RegistryNotRecycler(uint32 facilityId, FacilityType facilityType);
    /// @notice The shielding key is already another participant's, now or before a rotation: a key
    /// names one owner for good, so a note shielded to it can be spent by no one else.
    /// @param key The key asked for.
    /// @param holder The participant it belongs to.
    error RegistryShieldingKeyTaken(uint256 key, address holder);

    /// @notice Emitted when the consortium admin registers a participant and grants its role.
    /// @param account The participant's address.
    /// @param role The role granted.
    /// @param legalNameHash keccak256 of the participant's legal name.
    /// @param identifier The participant's public identifier (LEI or GLN).
    /// @param identifierKind Which kind of identifier `identifier` is.
    /// @param country ISO 3166-1 alpha-2 country code.
    /// @param encryptionPublicKey The secp256k1 public key (33 or 65 bytes) others encrypt lot openings to.
    /// @param shieldingKey The participant's shielding key, which its membership leaf carries.
    event ParticipantRegistered(
        address indexed account,
        bytes32 indexed role,
        bytes32 legalNameHash,
        bytes32 identifier,
        IdentifierKind identifierKind,
        bytes2 country,
        bytes encryptionPublicKey,
        uint256 shieldingKey
    );
    /// @notice Emitted when a participant rotates the key others encrypt lot openings to.
    /// @param account The participant.
    /// @param oldKey The key it replaces.
    /// @param newKey The key from now on.
    event EncryptionKeyRotated(address indexed account, bytes oldKey, bytes newKey);
    /// @notice Emitted when a participant rotates its shielding key (its membership leaf is replaced
    /// in the same transaction).
    /// @param account The participant.
    /// @param oldKey The key it replaces (still reserved to the participant).
    /// @param newKey The key from now on.
    event ShieldingKeyRotated(address indexed account, uint256 oldKey, uint256 newKey);
    /// @notice Emitted when a participant registers a facility.
    /// @param facilityId The new facility's id (they run from 1).
    /// @param operator The participant who operates it.
    /// @param facilityType What kind of site it is.
    /// @param siteId The operator's identifier of the site, unique per operator.
    /// @param country ISO 3166-1 alpha-2 country code.
    /// @param locationCommitment Commitment to the site's location (zero when none is given).
    event FacilityRegistered(
        uint32 indexed facilityId,
        address indexed operator,
        FacilityType indexed facilityType,
        bytes32 siteId,
        bytes2 country,
        bytes32 locationCommitment
    );
    /// @notice Emitted when an auditor records the risk flags of a facility (GBA child-labour and
    /// human-rights rulebooks); the new flags enter every lot created there from now on.
    /// @param facilityId The facility.
    /// @param auditor The auditor who recorded the finding.
    /// @param oldFlags The facility's risk flags before.
    /// @param newFlags Its risk flags now (an artisanal site always keeps the artisanal flag).
    /// @param evidenceHash Hash of the audit evidence.
    event RiskFindingRecorded(
        uint32 indexed facilityId, address indexed auditor, uint8 oldFlags, uint8 newFlags, bytes32 evidenceHash
    );
    /// @notice Emitted when an auditor records the risk flags of an operator, which every site it
    /// operates inherits (a finding at one of its sites also raises them).
    /// @param operator The operator.
    /// @param auditor The auditor who recorded the finding.
    /// @param oldFlags The operator's risk flags before.
    /// @param newFlags Its risk flags now (never the artisanal flag, a property of a site's type).
    /// @param evidenceHash Hash of the audit evidence.
    event OperatorRiskFindingRecorded(
        address indexed operator, address indexed auditor, uint8 oldFlags, uint8 newFlags, bytes32 evidenceHash
    );
    /// @notice Emitted when an auditor activates a facility: from now on lots may be created there.
    /// @param facilityId The facility.
    /// @param auditor The auditor who activated it.
    /// @param facilityType The type the auditor found.
    /// @param country The country the auditor found, ISO 3166-1 alpha-2.
    /// @param riskFlags The site's own risk findings (its operator's come on top).
    /// @param maxYieldLossBps The maximum yield loss its process may declare, basis points.
    /// @param floorGramsPerKg The floor of declared emissions (see `Facility`).
    /// @param evidenceHash Hash of the activation audit.
    event FacilityActivated(
        uint32 indexed facilityId,
        address indexed auditor,
        FacilityType facilityType,
        bytes2 country,
        uint8 riskFlags,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        bytes32 evidenceHash
    );
    /// @notice Emitted when an auditor sets a facility's process parameters.
    /// @param facilityId The facility.
    /// @param auditor The auditor who set them.
    /// @param oldMaxYieldLossBps The maximum yield loss before, basis points.
    /// @param newMaxYieldLossBps The maximum yield loss now, basis points.
    /// @param oldCo2eFloorGramsPerKg The emissions floor before (see `Facility`).
    /// @param newCo2eFloorGramsPerKg The emissions floor now.
    event ProcessParametersSet(
        uint32 indexed facilityId,
        address indexed auditor,
        uint16 oldMaxYieldLossBps,
        uint16 newMaxYieldLossBps,
        uint32 oldCo2eFloorGramsPerKg,
        uint32 newCo2eFloorGramsPerKg
    );
    /// @notice Emitted when an auditor certifies the pre-consumer share of a recycler's input stream.
    /// @param facilityId The recycler.
    /// @param auditor The auditor who set it.
    /// @param oldBps The pre-consumer share before, basis points.
    /// @param newBps The pre-consumer share now, basis points (the rest is post-consumer).
    event RecycledInputSplitSet(uint32 indexed facilityId, address indexed auditor, uint16 oldBps, uint16 newBps);
    /// @notice Emitted when an auditor certifies a facility.
    /// @param certificationId The new certification's id (they run from 1).
    /// @param facilityId The facility certified.
    /// @param scheme The scheme it is certified under.
    /// @param auditor The auditor who certified it.
    /// @param validFrom Start of the validity window, Unix seconds.
    /// @param validUntil End of the validity window (exclusive), Unix seconds.
    /// @param evidenceHash Hash of the audit report.
    event CertificationIssued(
        uint256 indexed certificationId,
        uint32 indexed facilityId,
        Scheme indexed scheme,
        address auditor,
        uint64 validFrom,
        uint64 validUntil,
        bytes32 evidenceHash
    );
    /// @notice Emitted when an auditor suspends or revokes a certification.
    /// @param certificationId The certification.
    /// @param facilityId The facility it certified.
    /// @param auditor The auditor who ended it.
    /// @param oldStatus Its status before (always Active).
    /// @param newStatus Its status now: Suspended or Revoked.
    /// @param reasonHash Hash of the reason.
    event CertificationStatusChanged(
        uint256 indexed certificationId,
        uint32 indexed facilityId,
        address indexed auditor,
        CertificationStatus oldStatus,
        CertificationStatus newStatus,
        bytes32 reasonHash
    );
    /// @notice Emitted when the admin sets the rulebook floor of declared origin emissions.
    /// @param facilityType The origin facility type the floor applies to.
    /// @param oldGramsPerKg The floor before, grams CO2e per kg of contained metal.
    /// @param newGramsPerKg The floor now, grams CO2e per kg of contained metal.
    event Co2eFloorSet(FacilityType indexed facilityType, uint32 oldGramsPerKg, uint32 newGramsPerKg);

    /// @notice Registers `account` as a participant holding `role`.
    /// @dev Requirements:
    /// - the caller holds DEFAULT_ADMIN_ROLE;
    /// - `account` is not registered yet; `role` is a participant role; country and name hash are set;
    /// - `encryptionPublicKey` is a valid secp256k1 point, compressed or uncompressed
    ///   (`RegistryInvalidEncryptionKey`);
    /// - `shieldingKey` is not zero and below the BN254 scalar field (`RegistryInvalidShieldingKey`)
    ///   and was never another participant's (`RegistryShieldingKeyTaken`).
    function registerParticipant(
        address account,
        bytes32 role,
        bytes32 legalNameHash,
        bytes32 identifier,
        IdentifierKind identifierKind,
        bytes2 country,
        bytes calldata encryptionPublicKey,
        uint256 shieldingKey
    ) external;

    /// @notice Replaces the caller's public encryption key. The membership leaf does not carry it,
    /// so no leaf changes.
    /// @dev Requirements: the caller is registered and still holds its role; the key is a valid
    /// secp256k1 point, 33 bytes compressed or 65 bytes uncompressed (`RegistryInvalidEncryptionKey`).
    function rotateEncryptionKey(bytes calldata newKey) external;

    /// @notice Replaces the caller's shielding key and its membership leaf; the old key stays
    /// reserved to the caller (no one else may register it).
    /// @dev Requirements:
    /// - the caller is registered and still holds its role (`RegistryNotRegistered`);
    /// - `newKey` is not zero and below the BN254 scalar field (`RegistryInvalidShieldingKey`) and was
    ///   never another participant's (`RegistryShieldingKeyTaken`);
    /// - `siblings` are those of the caller's participant leaf.
    function rotateShieldingKey(uint256 newKey, uint256[] calldata siblings) external;

    /// @notice Revokes a registered participant's role and removes its membership leaf, so it can no
    /// longer act nor prove it is a member.
    /// @dev Requirements: the caller holds DEFAULT_ADMIN_ROLE; `account` is registered and holds its
    /// role; `siblings` are those of its participant leaf.
    function revokeParticipant(address account, uint256[] calldata siblings) external;

    /// @notice Registers a facility operated by the caller and returns its id. The facility is
    /// inactive until an auditor activates it (`activateFacility`).
    /// @dev Requirements: the caller is registered and its role may operate `facilityType`; the
    /// caller has no facility with the same `siteId`.
    function registerFacility(FacilityType facilityType, bytes32 siteId, bytes2 country, bytes32 locationCommitment)
        external
        returns (uint32 facilityId);

    /// @notice Activates a registered facility after an audit, setting what the auditor found: its
    /// type, country, risk findings and process parameters. Lots are minted or transformed only at
    /// active facilities. The findings attach to the operator as well (`operatorRiskFlags`).
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the facility exists and is not active; its
    /// operator still holds its role, which may operate `facilityType`; `country` is set; flags use
    /// bits 0..3; the yield loss is at most 10,000; `evidenceHash` is not zero.
    function activateFacility(
        uint32 facilityId,
        FacilityType facilityType,
        bytes2 country,
        uint8 riskFlags,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        bytes32 evidenceHash,
        uint256[] calldata operatorSiblings
    ) external;

    /// @notice Records the risk flags an audit found at a facility. They also attach to its
    /// operator, so every other site of the operator inherits them until an auditor clears them
    /// there (`recordOperatorRiskFinding`).
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the facility exists; flags use bits 0..3;
    /// clearing a flag needs a non-zero `evidenceHash`. An artisanal site always carries the
    /// artisanal flag.
    function recordRiskFinding(
        uint32 facilityId,
        uint8 riskFlags,
        bytes32 evidenceHash,
        uint256[] calldata siblings,
        uint256[] calldata operatorSiblings
    ) external;

    /// @notice Sets the risk flags of an operator, which every site it operates inherits.
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the operator is registered; flags use bits
    /// 0..3 but not the artisanal bit; clearing a flag needs a non-zero `evidenceHash`.
    function recordOperatorRiskFinding(
        address operator,
        uint8 riskFlags,
        bytes32 evidenceHash,
        uint256[] calldata siblings
    ) external;

    /// @notice Sets the maximum yield loss (basis points) a facility's transformations may declare
    /// and its floor of declared emissions (see `Facility`).
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the facility exists; the yield loss is at
    /// most 10,000.
    function setProcessParameters(
        uint32 facilityId,
        uint16 maxYieldLossBps,
        uint32 floorGramsPerKg,
        uint256[] calldata siblings
    ) external;

    /// @notice Sets the share of a recycler's input stream that is pre-consumer (production scrap),
    /// as the auditor certified it; the rest is post-consumer. Each origin mint there splits its
    /// recycled grams of every metal by it (pre = floor(grams * bps / 10000)).
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the facility exists (`RegistryUnknownFacility`)
    /// and is a recycler (`RegistryNotRecycler`); `preConsumerBps` is at most 10,000
    /// (`RegistryInvalidValue`); `siblings` are those of its facility leaf (empty while inactive).
    function setRecycledInputSplit(uint32 facilityId, uint16 preConsumerBps, uint256[] calldata siblings) external;

    /// @notice Certifies a facility under a scheme for a validity window and returns the certification id.
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the facility exists; the scheme covers the
    /// metal of its type (`RegistrySchemeDoesNotCover`); `validFrom` is zero
    /// (the window starts at the recording block) or no earlier than the recording block
    /// (`RegistryBackdatedCertification`), so what `isCertified` answers for a past time never
    /// changes; validFrom < validUntil.
    function certify(uint32 facilityId, Scheme scheme, uint64 validFrom, uint64 validUntil, bytes32 evidenceHash)
        external
        returns (uint256 certificationId);

    /// @notice Suspends an active certification from now on.
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the certification is active.
    function suspendCertification(uint256 certificationId, bytes32 reasonHash, uint256[] calldata siblings) external;

    /// @notice Revokes an active certification from now on.
    /// @dev Requirements: the caller holds AUDITOR_ROLE; the certification is active.
    function revokeCertification(uint256 certificationId, bytes32 reasonHash, uint256[] calldata siblings) external;

    /// @notice Sets the minimum grams of CO2e per kg of contained metal an origin lot of this type
    /// must declare. The ledger reads the floors of the six origin types (IndustrialMine,
    /// ArtisanalSite, Recycler, BrineOperation, HardRockMine, NickelMine) for every mint.
    /// @dev Requirements: the caller holds DEFAULT_ADMIN_ROLE.
    function setCo2eFloor(FacilityType facilityType, uint32 gramsPerKg) external;

    /// @notice Whether `facilityId` was validly certified under `scheme` at `timestamp`.
    function isCertified(uint32 facilityId, Scheme scheme, uint64 timestamp) external view returns (bool);

    /// @notice The schemes under which `facilityId` was validly certified at `timestamp`, one bit per Scheme.
    function certifiedSchemes(uint32 facilityId, uint64 timestamp) external view returns (uint8 schemeMask);

    /// @notice The identity record of `account` (registered false when unknown).
    function participant(address account) external view returns (Participant memory);

    /// @notice Whether `account` is a registered participant.
    function isParticipant(address account) external view returns (bool);

    /// @notice The participant `key` names: the one that registered it, whether as its current key
    /// or one it rotated away from (keys are never reassigned); zero for a key no one registered.
    function participantForShieldingKey(uint256 key) external view returns (address);

    /// @notice The facility record (registered false when unknown).
    function facility(uint32 facilityId) external view returns (Facility memory);

    /// @notice The risk flags an auditor attached to `operator`, inherited by all its sites.
    function operatorRiskFlags(address operator) external view returns (uint8);

    /// @notice The number of facilities registered so far (ids run from 1).
    function facilityCount() external view returns (uint32);

    /// @notice A certification record.
    function certification(uint256 certificationId) external view returns (Certification memory);

    /// @notice The certification ids ever issued to a facility, oldest first.
    function facilityCertifications(uint32 facilityId) external view returns (uint256[] memory);

    /// @notice The rulebook floor of origin emissions for a facility type, grams CO2e per kg of
    /// contained metal.
    function co2eFloorGramsPerKg(FacilityType facilityType) external view returns (uint32);

    /// @notice The encryption keys of every current auditor, whose view keys receive lot openings.
    function auditorKeys() external view returns (address[] memory auditors, bytes[] memory keys);
}

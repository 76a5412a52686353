pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "checks.circom";
include "merkle.circom";

// The registry's membership leaves (contracts/interfaces/IMembershipRoots.sol holds the layouts).

// Proves that a participant with this account, role, operator risk flags and shielding key is in
// the participants tree whose root is output. Leaf: Poseidon(2)(account | roleIndex << 160 |
// riskFlags << 168, shieldingKey). Account and role are range-checked, or one leaf would open to
// several (account, role) pairs: account + 2^160 with role r - 1 packs like account with role r, and
// role r + 256 with flags f - 1 like role r with flags f. Once both are, the flags are the leaf's own
// (the packed value minus them, divided by 2^168), below 2^8 as the registry wrote them.
template ParticipantMembership(depth) {
    signal input account;            // private: the participant's address as an integer
    signal input roleIndex;          // private: Roles.index of its role
    signal input riskFlags;          // private: its operator risk flags
    signal input shieldingKey;       // private
    signal input pathLength;         // private
    signal input pathIndex;          // private
    signal input siblings[depth];    // private
    signal output root;

    component accountRange = RangeCheck(160);
    accountRange.in <== account;
    component roleRange = RangeCheck(8);
    roleRange.in <== roleIndex;

    component leaf = Poseidon(2);
    leaf.inputs <== [account + roleIndex * (1 << 160) + riskFlags * (1 << 168), shieldingKey];

    component path = LeanIMTRoot(depth);
    path.leaf <== leaf.out;
    path.length <== pathLength;
    path.pathIndex <== pathIndex;
    path.siblings <== siblings;
    root <== path.root;
}

// Proves that an activated facility with these fields, operated by `operator`, is in the facilities
// tree whose root is output. Leaf: Poseidon(2)(operator, facilityId | facilityType << 32 |
// riskFlags << 40 | maxYieldLossBps << 48 | co2eFloorGramsPerKg << 64 | country << 96). Every packed
// field below the top one is range-checked but the type, so the packed value opens one way: the
// country is the top field and then the leaf's own, and a type read as type + 256 * d (its flags
// f - d, range-checked) is no type a caller accepts when the callers accept only small type numbers
// (they compare it with their own constants). The operator is the whole left input: the caller ties
// it to a participant. flagBits are the site's flags, bit by bit.
template FacilityMembership(depth) {
    signal input operator;             // private: the operator's address as an integer
    signal input facilityId;           // private
    signal input facilityType;         // private: IRegistry.FacilityType's index
    signal input riskFlags;            // private: the site's own audited flags
    signal input maxYieldLossBps;      // private
    signal input co2eFloorGramsPerKg;  // private
    signal input country;              // private: the ISO 3166 code's two bytes
    signal input pathLength;           // private
    signal input pathIndex;            // private
    signal input siblings[depth];      // private
    signal output root;
    signal output flagBits[8];

    component idRange = RangeCheck(32);
    idRange.in <== facilityId;
    component flagsRange = RangeCheck(8);
    flagsRange.in <== riskFlags;
    flagBits <== flagsRange.bits;
    component lossRange = RangeCheck(16);
    lossRange.in <== maxYieldLossBps;
    component floorRange = RangeCheck(32);
    floorRange.in <== co2eFloorGramsPerKg;

    component leaf = Poseidon(2);
    leaf.inputs <== [operator, facilityId + facilityType * (1 << 32) + riskFlags * (1 << 40)
                     + maxYieldLossBps * (1 << 48) + co2eFloorGramsPerKg * (1 << 64) + country * (1 << 96)];

    component path = LeanIMTRoot(depth);
    path.leaf <== leaf.out;
    path.length <== pathLength;
    path.pathIndex <== pathIndex;
    path.siblings <== siblings;
    root <== path.root;
}

// Proves that a certification of `facilityId` valid over [validFrom, end) is in the certifications
// tree whose root is output. Leaf: Poseidon(2)(certificationId | facilityId << 64 | scheme << 96,
// validFrom | end << 64), where end is the registry's validUntil or the moment of a suspension or
// revocation. The caller range-checks facilityId (32 bits); certificationId and validFrom are
// checked here, so both packed values open one way, and end, the top field, is then the leaf's own
// (below 2^64 as the registry wrote it).
template CertificationMembership(depth) {
    signal input certificationId;     // private
    signal input facilityId;          // private: range-checked by the caller
    signal input scheme;              // private
    signal input validFrom;           // private: seconds
    signal input end;                 // private: seconds
    signal input pathLength;          // private
    signal input pathIndex;           // private
    signal input siblings[depth];     // private
    signal output root;

    component idRange = RangeCheck(64);
    idRange.in <== certificationId;
    component fromRange = RangeCheck(64);
    fromRange.in <== validFrom;

    component leaf = Poseidon(2);
    leaf.inputs <== [certificationId + facilityId * (1 << 64) + scheme * (1 << 96), validFrom + end * (1 << 64)];

    component path = LeanIMTRoot(depth);
    path.leaf <== leaf.out;
    path.length <== pathLength;
    path.pathIndex <== pathIndex;
    path.siblings <== siblings;
    root <== path.root;
}

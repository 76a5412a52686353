pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "checks.circom";
include "merkle.circom";

// The registry's membership leaves (contracts/interfaces/IMembershipRoots.sol holds the layouts).

// A packed leaf opens one way only if EVERY field is range-checked, the top one included: 2^k is
// invertible modulo p, so with the top field left free a prover reads any real leaf with lower
// fields of its choice and a top field of (packed - lower) / 2^k mod p, and the hash is the same.
// (Before issue 15 the top fields were left free on the reasoning that they were "the leaf's own";
// that let a custody, transform or pack-claim prover claim any account and role, and a transform
// prover any facility fields: tests/circuits/test_packed_leaves.py builds those forgeries.) With
// every field checked, the packed value is below 2^176 (participants) or 2^128 (facilities), far
// below p, and packing is injective over the integers.

// Proves that a participant with this account, role, operator risk flags and shielding key is in
// the participants tree whose root is output. Leaf: Poseidon(2)(account | roleIndex << 160 |
// riskFlags << 168, shieldingKey), each field range-checked (160, 8 and 8 bits). flagBits are the
// operator's flags, bit by bit.
template ParticipantMembership(depth) {
    signal input account;            // private: the participant's address as an integer
    signal input roleIndex;          // private: Roles.index of its role
    signal input riskFlags;          // private: its operator risk flags
    signal input shieldingKey;       // private
    signal input pathLength;         // private
    signal input pathIndex;          // private
    signal input siblings[depth];    // private
    signal output root;
    signal output flagBits[8];

    component accountRange = RangeCheck(160);
    accountRange.in <== account;
    component roleRange = RangeCheck(8);
    roleRange.in <== roleIndex;
    component flagsRange = RangeCheck(8);
    flagsRange.in <== riskFlags;
    flagBits <== flagsRange.bits;

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
// riskFlags << 40 | maxYieldLossBps << 48 | co2eFloorGramsPerKg << 64 | country << 96 |
// recycledPreConsumerBps << 112). Every packed field is range-checked here but the type, which the
// callers pin to one of their small constants (a one-hot over the types they accept): a type read as
// anything else matches none, and a small type leaves the packing injective. The operator is the
// whole left input: the caller ties it to a participant. flagBits are the site's flags, bit by bit.
template FacilityMembership(depth) {
    signal input operator;             // private: the operator's address as an integer
    signal input facilityId;           // private
    signal input facilityType;         // private: IRegistry.FacilityType's index
    signal input riskFlags;            // private: the site's own audited flags
    signal input maxYieldLossBps;      // private
    signal input co2eFloorGramsPerKg;  // private
    signal input country;              // private: the ISO 3166 code's two bytes
    signal input recycledPreConsumerBps;   // private: a recycler's audited pre-consumer input share
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
    component countryRange = RangeCheck(16);
    countryRange.in <== country;
    component splitRange = RangeCheck(16);
    splitRange.in <== recycledPreConsumerBps;

    component leaf = Poseidon(2);
    leaf.inputs <== [operator, facilityId + facilityType * (1 << 32) + riskFlags * (1 << 40)
                     + maxYieldLossBps * (1 << 48) + co2eFloorGramsPerKg * (1 << 64) + country * (1 << 96)
                     + recycledPreConsumerBps * (1 << 112)];

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
// revocation. The caller range-checks facilityId (32 bits); certificationId, scheme, validFrom and
// end are checked here (64, 8, 64 and 64 bits), so both packed values open one way.
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
    component schemeRange = RangeCheck(8);
    schemeRange.in <== scheme;
    component fromRange = RangeCheck(64);
    fromRange.in <== validFrom;
    component endRange = RangeCheck(64);
    endRange.in <== end;

    component leaf = Poseidon(2);
    leaf.inputs <== [certificationId + facilityId * (1 << 64) + scheme * (1 << 96), validFrom + end * (1 << 64)];

    component path = LeanIMTRoot(depth);
    path.leaf <== leaf.out;
    path.length <== pathLength;
    path.pathIndex <== pathIndex;
    path.siblings <== siblings;
    root <== path.root;
}

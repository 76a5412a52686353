pragma circom 2.1.9;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "checks.circom";
include "notes.circom";
include "registry.circom";
include "arithmetic.circom";

// The origin types, in the order of their rulebook floors in the typeFloors signal
// (IRegistry.FacilityType indices): industrial mine, artisanal site, recycler, brine operation,
// hard-rock mine, nickel mine.
function ORIGIN_TYPES() { return 6; }
function ORIGIN_TYPE(slot) {
    var types[6] = [0, 1, 7, 8, 9, 10];
    return types[slot];
}
// The kinds an origin type mints (model.facilities.ORIGIN_KINDS), two per type with the last
// repeated: a cobalt mine or artisanal site ore or hydroxide, a recycler black mass, a brine
// operation brine concentrate, a hard-rock mine spodumene concentrate, a nickel mine ore or an
// intermediate (MHP or matte).
function ORIGIN_KIND(slot, n) {
    var kinds[6][2] = [[0, 1], [0, 1], [10, 10], [12, 12], [13, 13], [16, 17]];
    return kinds[slot][n];
}
function RECYCLER_SLOT() { return 2; }

// The mint tag's domain, "batterytrace.mint.v1" read as a big-endian integer.
function MINT_DOMAIN() {
    return 561654412457762803650627228145051546965821519409;
}

// Proves that a new active note is an origin lot its minter may create, without saying who minted
// it, where, or how much:
//   - the minter knows the secret of a shielding key in the participants tree, and operates (same
//     account) an activated facility in the facilities tree of an origin type (ORIGIN_TYPE), and
//     the note's kind is one that type mints (ORIGIN_KIND) and holds only metals its kind may hold
//     (KindHoldsMetals: a brine operation's lot holds lithium only, a recycler's black mass any);
//   - certified grams are all of every metal if a certification of that facility, valid at
//     proofTime, is in the certifications tree, else none (the registry certifies a site only under
//     a scheme that covers its metal);
//   - at a recycler every gram is recycled, split as the auditor certified the site's input stream:
//     pre-consumer floor(grams * recycledPreConsumerBps / 10000), post-consumer the rest, per metal;
//     elsewhere none is;
//   - the note carries the site's flags OR its operator's (taint follows the lot), holds some metal,
//     and declares at least the higher of the type's rulebook CO2e floor and the site's audited floor
//     per kg of contained metal (the sum of its metals);
//   - its tag is Poseidon(secret, facilityId, externalId), and mintTag = Poseidon(MINT_DOMAIN, tag)
//     is public: the contract refuses a mint tag twice, so the same ERP id mints once, and nobody
//     without the secret links the tag to the minter or the id.
//
// Public signals, in this order: outputCommitment, mintTag, participantsRoot, facilitiesRoot,
// certificationsRoot, proofTime, typeFloors (the six origin types' rulebook floors, grams CO2e per
// kg of metal, 32 bits each: ORIGIN_TYPE(i)'s at bit 32 * i), context.
template OriginProof(metals, registryDepth) {
    assert(metals >= 1);
    signal input outputCommitment;       // public: the new note, appended to the tree
    signal input mintTag;                // public: Poseidon(MINT_DOMAIN, tag), refused twice
    signal input participantsRoot;       // public: a registry root the contract knows
    signal input facilitiesRoot;         // public
    signal input certificationsRoot;     // public
    signal input proofTime;              // public: seconds; the contract keeps it near block time
    signal input typeFloors;             // public: the rulebook floors per origin type, packed
    signal input context;                // public: binds the proof to chain, contract and the call

    signal input secret;                 // private: the minter's shielding secret
    signal input account;                // private: the minter's participants leaf
    signal input roleIndex;              // private
    signal input operatorFlags;          // private
    signal input participantPathLength;  // private
    signal input participantPathIndex;   // private
    signal input participantSiblings[registryDepth];   // private
    signal input facilityId;             // private: the facility's leaf
    signal input facilityType;           // private
    signal input siteFlags;              // private
    signal input maxYieldLossBps;        // private
    signal input siteFloor;              // private
    signal input country;                // private
    signal input recycledPreConsumerBps; // private
    signal input facilityPathLength;     // private
    signal input facilityPathIndex;      // private
    signal input facilitySiblings[registryDepth];      // private
    signal input certified;              // private: 1 if the lot's origin is certified, else 0
    signal input certificationId;        // private: the certification's leaf (zeros when uncertified)
    signal input scheme;                 // private
    signal input validFrom;              // private
    signal input end;                    // private
    signal input certificationPathLength;   // private
    signal input certificationPathIndex;    // private
    signal input certificationSiblings[registryDepth];   // private
    signal input grams[metals];          // private: the note's values
    signal input certifiedGrams[metals];       // private
    signal input preConsumerGrams[metals];     // private
    signal input postConsumerGrams[metals];    // private
    signal input totalGrams;             // private
    signal input co2eGrams;              // private
    signal input riskFlags;              // private
    signal input kind;                   // private
    signal input externalId;             // private: the ERP's id for the lot, as a field element
    signal input blinding;               // private

    // The minter and its site.
    component key = ShieldingKey();
    key.secret <== secret;
    component minter = ParticipantMembership(registryDepth);
    minter.account <== account;
    minter.roleIndex <== roleIndex;
    minter.riskFlags <== operatorFlags;
    minter.shieldingKey <== key.key;
    minter.pathLength <== participantPathLength;
    minter.pathIndex <== participantPathIndex;
    minter.siblings <== participantSiblings;
    minter.root === participantsRoot;
    component site = FacilityMembership(registryDepth);
    site.operator <== account;
    site.facilityId <== facilityId;
    site.facilityType <== facilityType;
    site.riskFlags <== siteFlags;
    site.maxYieldLossBps <== maxYieldLossBps;
    site.co2eFloorGramsPerKg <== siteFloor;
    site.country <== country;
    site.recycledPreConsumerBps <== recycledPreConsumerBps;
    site.pathLength <== facilityPathLength;
    site.pathIndex <== facilityPathIndex;
    site.siblings <== facilitySiblings;
    site.root === facilitiesRoot;

    // An origin type, one-hot (this is the type's range check, see FacilityMembership), and a kind
    // it mints.
    component isType[ORIGIN_TYPES()];
    var typeCount = 0;
    var kindA = 0;
    var kindB = 0;
    for (var t = 0; t < ORIGIN_TYPES(); t++) {
        isType[t] = IsZero();
        isType[t].in <== facilityType - ORIGIN_TYPE(t);
        typeCount += isType[t].out;
        kindA += isType[t].out * ORIGIN_KIND(t, 0);
        kindB += isType[t].out * ORIGIN_KIND(t, 1);
    }
    typeCount === 1;
    (kind - kindA) * (kind - kindB) === 0;
    signal isRecycler <== isType[RECYCLER_SLOT()].out;

    // The certification, when certified: of this facility, valid at proofTime.
    component certifiedIsBit = AssertBit();
    certifiedIsBit.in <== certified;
    component certification = CertificationMembership(registryDepth);
    certification.certificationId <== certificationId;
    certification.facilityId <== facilityId;
    certification.scheme <== scheme;
    certification.validFrom <== validFrom;
    certification.end <== end;
    certification.pathLength <== certificationPathLength;
    certification.pathIndex <== certificationPathIndex;
    certification.siblings <== certificationSiblings;
    certified * (certification.root - certificationsRoot) === 0;
    // proofTime needs no range check of its own: validFrom <= proofTime < end (end < 2^64 from the
    // leaf), or proofTime < 2^64 when uncertified, bounds it; both sides of each comparison are
    // below 2^65.
    component validFromPassed = AssertLessEqBounded(65);
    validFromPassed.a <== certified * validFrom;
    validFromPassed.b <== proofTime;
    component notEnded = AssertLessThanBounded(65);   // end < 2^64 and the bound below 2^65
    notEnded.a <== proofTime;
    notEnded.b <== certified * end + (1 - certified) * (1 << 64);

    // The values: some metal, each within 64 bits, the metals within the lot's total, of metals its
    // kind may hold, certified and recycled as the site is (those shares are then within the
    // metal's grams by construction).
    component values = NoteValuesHash(metals);
    values.grams <== grams;
    values.certifiedGrams <== certifiedGrams;
    values.preConsumerGrams <== preConsumerGrams;
    values.postConsumerGrams <== postConsumerGrams;
    values.totalGrams <== totalGrams;
    values.co2eGrams <== co2eGrams;
    values.riskFlags <== riskFlags;
    component holds = KindHoldsMetals(metals);
    holds.kind <== kind;
    holds.grams <== grams;
    component splitIsBps = AssertBps();
    splitIsBps.bps <== recycledPreConsumerBps;
    component gramsRange[metals];
    component preConsumerSplit[metals];
    component preConsumerRange[metals];
    signal split[metals];
    var metalsTotal = 0;
    for (var m = 0; m < metals; m++) {
        gramsRange[m] = RangeCheck(64);
        gramsRange[m].in <== grams[m];
        metalsTotal += grams[m];
        certifiedGrams[m] === certified * grams[m];
        // The recycler's split: split = floor(grams * bps / 10000) <= grams, since bps <= 10000;
        // split is range-checked because FloorProportion pins it only among values that do not wrap.
        split[m] <-- grams[m] * recycledPreConsumerBps \ 10000;
        preConsumerSplit[m] = FloorProportion(14);
        preConsumerSplit[m].share <== split[m];
        preConsumerSplit[m].amount <== grams[m];
        preConsumerSplit[m].part <== recycledPreConsumerBps;
        preConsumerSplit[m].whole <== 10000;
        preConsumerRange[m] = RangeCheck(64);
        preConsumerRange[m].in <== split[m];
        preConsumerGrams[m] === isRecycler * split[m];
        postConsumerGrams[m] === isRecycler * (grams[m] - split[m]);
    }
    component totalRange = RangeCheck(64);
    totalRange.in <== totalGrams;
    component metalsWithinTotal = AssertLessEqBounded(66);   // at most 3 metals of 64 bits
    metalsWithinTotal.a <== metalsTotal;
    metalsWithinTotal.b <== totalGrams;
    component co2eRange = RangeCheck(64);
    co2eRange.in <== co2eGrams;
    component someMetal = AssertNonZero();
    someMetal.in <== metalsTotal;

    // Flags: the site's OR its operator's, bit by bit (the result is one byte by construction).
    signal both[8];
    var merged = 0;
    for (var bit = 0; bit < 8; bit++) {
        both[bit] <== site.flagBits[bit] * minter.flagBits[bit];
        merged += (site.flagBits[bit] + minter.flagBits[bit] - both[bit]) * (1 << bit);
    }
    riskFlags === merged;

    // CO2e at or above both floors per kg of metal: the type's floor is its 32 bits of typeFloors
    // (the decomposition pins typeFloors below 2^192 and each floor below 2^32). co2e * 1000 < 2^74
    // and metal * floor < 2^66 * 2^32, both below 2^98.
    component floorBits = Num2Bits(32 * ORIGIN_TYPES());
    floorBits.in <== typeFloors;
    signal floorOfSlot[ORIGIN_TYPES()];
    var floorOfType = 0;
    for (var t = 0; t < ORIGIN_TYPES(); t++) {
        var floor = 0;
        for (var bit = 0; bit < 32; bit++) {
            floor += floorBits.out[32 * t + bit] * (1 << bit);
        }
        floorOfSlot[t] <== isType[t].out * floor;
        floorOfType += floorOfSlot[t];
    }
    component aboveTypeFloor = AssertLessEqBounded(98);
    aboveTypeFloor.a <== metalsTotal * floorOfType;
    aboveTypeFloor.b <== co2eGrams * 1000;
    component aboveSiteFloor = AssertLessEqBounded(98);
    aboveSiteFloor.a <== metalsTotal * siteFloor;
    aboveSiteFloor.b <== co2eGrams * 1000;

    // The tag and the mint tag.
    component tag = Poseidon(3);
    tag.inputs <== [secret, facilityId, externalId];
    component tagOfMint = Poseidon(2);
    tagOfMint.inputs <== [MINT_DOMAIN(), tag.out];
    tagOfMint.out === mintTag;

    // The note: active, the minter's.
    component created = NoteCommitment();
    created.valuesHash <== values.valuesHash;
    created.kind <== kind;
    created.owner <== key.key;
    created.state <== NOTE_ACTIVE();
    created.counterparty <== 0;
    created.tag <== tag.out;
    created.blinding <== blinding;
    created.commitment === outputCommitment;

    signal contextSquare;
    contextSquare <== context * context;
}

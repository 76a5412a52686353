pragma circom 2.1.9;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";
include "checks.circom";
include "notes.circom";
include "registry.circom";

// IRegistry.FacilityType and MaterialKind indices (model/lots.py) an origin mint uses.
function INDUSTRIAL_MINE() { return 0; }
function ARTISANAL_SITE() { return 1; }
function RECYCLER() { return 7; }
function BLACK_MASS() { return 10; }

// The mint tag's domain, "batterytrace.mint.v1" read as a big-endian integer.
function MINT_DOMAIN() {
    return 561654412457762803650627228145051546965821519409;
}

// Proves that a new active note is an origin lot its minter may create, without saying who minted
// it, where, or how much:
//   - the minter knows the secret of a shielding key in the participants tree, and operates (same
//     account) an activated facility in the facilities tree of an origin type: industrial mine,
//     artisanal site (cobalt ore or hydroxide) or recycler (black mass);
//   - certified grams are all of the cobalt if a certification of that facility, valid at proofTime,
//     is in the certifications tree, else none; a recycler's cobalt is post-consumer recycled;
//   - the note carries the site's flags OR its operator's (taint follows the lot), holds some
//     cobalt, and declares at least the higher of the type's rulebook CO2e floor and the site's
//     audited floor per kg of cobalt;
//   - its tag is Poseidon(secret, facilityId, externalId), and mintTag = Poseidon(MINT_DOMAIN, tag)
//     is public: the contract refuses a mint tag twice, so the same ERP id mints once, and nobody
//     without the secret links the tag to the minter or the id.
//
// Public signals, in this order: outputCommitment, mintTag, participantsRoot, facilitiesRoot,
// certificationsRoot, proofTime, industrialMineFloor, artisanalSiteFloor, recyclerFloor, context.
template OriginProof(metals, registryDepth) {
    assert(metals >= 1);
    signal input outputCommitment;       // public: the new note, appended to the tree
    signal input mintTag;                // public: Poseidon(MINT_DOMAIN, tag), refused twice
    signal input participantsRoot;       // public: a registry root the contract knows
    signal input facilitiesRoot;         // public
    signal input certificationsRoot;     // public
    signal input proofTime;              // public: seconds; the contract keeps it near block time
    signal input industrialMineFloor;    // public: the rulebook floors per type, grams CO2e per kg cobalt
    signal input artisanalSiteFloor;     // public
    signal input recyclerFloor;          // public
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
    site.pathLength <== facilityPathLength;
    site.pathIndex <== facilityPathIndex;
    site.siblings <== facilitySiblings;
    site.root === facilitiesRoot;

    // An origin type, and the kinds it mints.
    component isIndustrial = IsZero();
    isIndustrial.in <== facilityType - INDUSTRIAL_MINE();
    component isArtisanal = IsZero();
    isArtisanal.in <== facilityType - ARTISANAL_SITE();
    component isRecycler = IsZero();
    isRecycler.in <== facilityType - RECYCLER();
    isIndustrial.out + isArtisanal.out + isRecycler.out === 1;
    signal mineKind <== (1 - isRecycler.out) * kind;
    mineKind * (kind - 1) === 0;                        // a mine: cobalt ore (0) or hydroxide (1)
    isRecycler.out * (kind - BLACK_MASS()) === 0;       // a recycler: black mass

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

    // The values: some cobalt, within 64 bits and the lot's total, certified and recycled as the
    // site is (those shares are then within the metal's grams by construction).
    component values = NoteValuesHash(metals);
    values.grams <== grams;
    values.certifiedGrams <== certifiedGrams;
    values.preConsumerGrams <== preConsumerGrams;
    values.postConsumerGrams <== postConsumerGrams;
    values.totalGrams <== totalGrams;
    values.co2eGrams <== co2eGrams;
    values.riskFlags <== riskFlags;
    component gramsRange[metals];
    var metalsTotal = 0;
    for (var m = 0; m < metals; m++) {
        gramsRange[m] = RangeCheck(64);
        gramsRange[m].in <== grams[m];
        metalsTotal += grams[m];
        certifiedGrams[m] === certified * grams[m];
        preConsumerGrams[m] === 0;
        postConsumerGrams[m] === isRecycler.out * grams[m];
    }
    component totalRange = RangeCheck(64);
    totalRange.in <== totalGrams;
    component metalsWithinTotal = AssertLessEqBounded(66);   // at most 3 metals of 64 bits
    metalsWithinTotal.a <== metalsTotal;
    metalsWithinTotal.b <== totalGrams;
    component co2eRange = RangeCheck(64);
    co2eRange.in <== co2eGrams;
    component someCobalt = AssertNonZero();
    someCobalt.in <== grams[0];

    // Flags: the site's OR its operator's, bit by bit (the result is one byte by construction).
    component operatorBits = Num2Bits(8);
    operatorBits.in <== operatorFlags;
    signal both[8];
    var merged = 0;
    for (var bit = 0; bit < 8; bit++) {
        both[bit] <== site.flagBits[bit] * operatorBits.out[bit];
        merged += (site.flagBits[bit] + operatorBits.out[bit] - both[bit]) * (1 << bit);
    }
    riskFlags === merged;

    // CO2e at or above both floors: co2e * 1000 < 2^74 and grams * floor < 2^96, both below 2^97.
    signal industrialFloor <== isIndustrial.out * industrialMineFloor;
    signal artisanalFloor <== isArtisanal.out * artisanalSiteFloor;
    signal floorOfType <== industrialFloor + artisanalFloor + isRecycler.out * recyclerFloor;
    component typeFloorRange = RangeCheck(32);
    typeFloorRange.in <== floorOfType;
    component aboveTypeFloor = AssertLessEqBounded(97);
    aboveTypeFloor.a <== grams[0] * floorOfType;
    aboveTypeFloor.b <== co2eGrams * 1000;
    component aboveSiteFloor = AssertLessEqBounded(97);
    aboveSiteFloor.a <== grams[0] * siteFloor;
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

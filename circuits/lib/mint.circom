pragma circom 2.1.9;

include "checks.circom";
include "commitment.circom";

// Proves that a freshly minted lot's commitment opens to values that agree with what the chain knows
// about the minting facility: certified grams are either all of the cobalt (certified facility) or
// none, recycled grams likewise (recycler or not), the lot carries exactly the facility's audited risk
// flags, the lot holds some cobalt, and its declared CO2e is at least the rulebook floor per kg of
// cobalt, so nobody declares a clean figure from nothing. The values themselves stay private.
//
// Public signals, in this order (the order of the array the contract passes): commitment, certified,
// recycledOrigin, riskFlags, co2eFloorGramsPerKg, context. There are no outputs.
template MintProof() {
    signal input commitment;            // public: the lot commitment stored on chain
    signal input certified;             // public: 1 if the origin facility is certified, else 0
    signal input recycledOrigin;        // public: 1 if the origin facility is a recycler, else 0
    signal input riskFlags;             // public: the origin facility's audited risk flags
    signal input co2eFloorGramsPerKg;   // public: rulebook minimum CO2e grams per kg of cobalt
    signal input context;               // public: binds the proof to chain, contract and lot id

    signal input cobaltGrams;           // private
    signal input totalGrams;            // private
    signal input certifiedCobaltGrams;  // private
    signal input recycledCobaltGrams;   // private
    signal input co2eGrams;             // private
    signal input lotRiskFlags;          // private: the flags inside the commitment
    signal input blinding;              // private

    // A named component, not an anonymous one: circom numbers wires by walking subcomponents in name
    // order, and an anonymous component is named after its template (capitalised, so before every
    // named one), which would renumber the wires the committed keys were built on.
    component lot = LotCommitment();
    lot.cobaltGrams <== cobaltGrams;
    lot.totalGrams <== totalGrams;
    lot.certifiedCobaltGrams <== certifiedCobaltGrams;
    lot.recycledCobaltGrams <== recycledCobaltGrams;
    lot.co2eGrams <== co2eGrams;
    lot.riskFlags <== lotRiskFlags;
    lot.blinding <== blinding;
    lot.commitment === commitment;

    component certifiedIsBit = AssertBit();
    certifiedIsBit.in <== certified;
    component recycledOriginIsBit = AssertBit();
    recycledOriginIsBit.in <== recycledOrigin;
    certifiedCobaltGrams === certified * cobaltGrams;
    recycledCobaltGrams === recycledOrigin * cobaltGrams;

    // The lot's flags are range-checked by LotCommitment, so the public flags are too.
    lotRiskFlags === riskFlags;

    // cobaltGrams is range-checked, so non-zero means >= 1.
    component someCobalt = AssertNonZero();
    someCobalt.in <== cobaltGrams;

    // co2eGrams * 1000 < 2^74 and cobaltGrams * floor < 2^96: both below 2^97.
    component floorRange = RangeCheck(32);
    floorRange.in <== co2eFloorGramsPerKg;
    component aboveFloor = AssertLessEqBounded(97);
    aboveFloor.a <== cobaltGrams * co2eFloorGramsPerKg;
    aboveFloor.b <== co2eGrams * 1000;

    // context enters no other constraint; squaring it keeps it bound to the proof (as in Semaphore).
    signal contextSquare;
    contextSquare <== context * context;
}

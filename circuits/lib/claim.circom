pragma circom 2.1.9;

include "checks.circom";
include "commitment.circom";

// Proves facts about a battery pack's lot without opening it: the committed lot holds exactly the
// declared cobalt (100% of the pack's cobalt traced), at least the minimum certified and recycled
// shares, at most the maximum CO2e per kg of cobalt and per kWh of pack capacity, and none of the
// forbidden risk flags.
//
// Public signals, in this order: packCommitment, cobaltGrams, minCertifiedBps, minRecycledBps,
// maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh, capacityWh, forbiddenRiskFlags, context. No outputs.
template ClaimProof() {
    signal input packCommitment;           // public: the pack lot's commitment on chain
    signal input cobaltGrams;              // public: cobalt the passport declares
    signal input minCertifiedBps;          // public: minimum certified share, basis points
    signal input minRecycledBps;           // public: minimum recycled share, basis points
    signal input maxCo2eGramsPerKgCobalt;  // public: CO2e bound per kg of cobalt
    signal input maxCo2eGramsPerKwh;       // public: CO2e bound per kWh of capacity
    signal input capacityWh;               // public: the pack's capacity
    signal input forbiddenRiskFlags;       // public: flags the lot must not carry
    signal input context;                  // public: binds the proof to chain, contract and passport

    signal input packCobaltGrams;          // private
    signal input packTotalGrams;           // private
    signal input packCertifiedCobaltGrams; // private
    signal input packRecycledCobaltGrams;  // private
    signal input packCo2eGrams;            // private
    signal input packRiskFlags;            // private
    signal input packBlinding;             // private

    // A named component, not an anonymous one: circom numbers wires by walking subcomponents in name
    // order, and an anonymous component is named after its template (capitalised, so before every
    // named one), which would renumber the wires the committed keys were built on.
    component pack = LotCommitment();
    pack.cobaltGrams <== packCobaltGrams;
    pack.totalGrams <== packTotalGrams;
    pack.certifiedCobaltGrams <== packCertifiedCobaltGrams;
    pack.recycledCobaltGrams <== packRecycledCobaltGrams;
    pack.co2eGrams <== packCo2eGrams;
    pack.riskFlags <== packRiskFlags;
    pack.blinding <== packBlinding;
    pack.commitment === packCommitment;

    // Range-checked by LotCommitment through packCobaltGrams.
    packCobaltGrams === cobaltGrams;

    // Named for the same reason as pack: these names sort where the inline checks they replace did.
    component minCertifiedIsBps = AssertBps();
    minCertifiedIsBps.bps <== minCertifiedBps;
    component minRecycledIsBps = AssertBps();
    minRecycledIsBps.bps <== minRecycledBps;
    component maxPerKgRange = RangeCheck(64);
    maxPerKgRange.in <== maxCo2eGramsPerKgCobalt;
    component maxPerKwhRange = RangeCheck(64);
    maxPerKwhRange.in <== maxCo2eGramsPerKwh;
    component capacityRange = RangeCheck(64);
    capacityRange.in <== capacityWh;

    // Shares: both sides below 2^64 * 2^14 = 2^78.
    component certifiedShare = AssertLessEqBounded(79);
    certifiedShare.a <== minCertifiedBps * packCobaltGrams;
    certifiedShare.b <== packCertifiedCobaltGrams * 10000;
    component recycledShare = AssertLessEqBounded(79);
    recycledShare.a <== minRecycledBps * packCobaltGrams;
    recycledShare.b <== packRecycledCobaltGrams * 10000;

    // CO2e bounds: co2e * 1000 < 2^74, products of two 64-bit numbers < 2^128.
    component perKgBound = AssertLessEqBounded(129);
    perKgBound.a <== packCo2eGrams * 1000;
    perKgBound.b <== maxCo2eGramsPerKgCobalt * packCobaltGrams;
    component perKwhBound = AssertLessEqBounded(129);
    perKwhBound.a <== packCo2eGrams * 1000;
    perKwhBound.b <== maxCo2eGramsPerKwh * capacityWh;

    // riskFlags AND forbiddenRiskFlags == 0: each bit product is 0 or 1, their sum cannot wrap.
    component flagBits = RangeCheck(8);
    flagBits.in <== packRiskFlags;
    component forbiddenBits = RangeCheck(8);
    forbiddenBits.in <== forbiddenRiskFlags;
    signal bothSet[8];
    var bothSetCount = 0;
    for (var bit = 0; bit < 8; bit++) {
        bothSet[bit] <== flagBits.bits[bit] * forbiddenBits.bits[bit];
        bothSetCount += bothSet[bit];
    }
    bothSetCount === 0;

    signal contextSquare;
    contextSquare <== context * context;
}

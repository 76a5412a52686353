pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "checks.circom";

// Proves that `commitment` is the Poseidon hash of a well-formed lot opening and outputs it.
// A lot is committed as
//   Poseidon(cobaltGrams, totalGrams, certifiedCobaltGrams, recycledCobaltGrams, co2eGrams,
//            riskFlags, blinding)
// in exactly this order (circomlib Poseidon, 7 inputs). Well-formed means: the five masses are
// 64-bit unsigned grams, riskFlags is one byte (bit 0 child labour, bit 1 human rights, bit 2 artisanal
// site, bit 3 conflict-affected area), certified <= cobalt, recycled <= cobalt and cobalt <= total.
// The blinding is any field element; it hides low-entropy values from a brute-force search.
template LotCommitment() {
    signal input cobaltGrams;           // private
    signal input totalGrams;            // private
    signal input certifiedCobaltGrams;  // private
    signal input recycledCobaltGrams;   // private
    signal input co2eGrams;             // private
    signal input riskFlags;             // private
    signal input blinding;              // private
    signal output commitment;           // the lot's public commitment (a public input of the caller)

    component cobaltRange = RangeCheck(64);
    cobaltRange.in <== cobaltGrams;
    component totalRange = RangeCheck(64);
    totalRange.in <== totalGrams;
    component certifiedRange = RangeCheck(64);
    certifiedRange.in <== certifiedCobaltGrams;
    component recycledRange = RangeCheck(64);
    recycledRange.in <== recycledCobaltGrams;
    component co2eRange = RangeCheck(64);
    co2eRange.in <== co2eGrams;
    component flagsRange = RangeCheck(8);
    flagsRange.in <== riskFlags;

    component certifiedWithinCobalt = AssertLessEqBounded(64);
    certifiedWithinCobalt.a <== certifiedCobaltGrams;
    certifiedWithinCobalt.b <== cobaltGrams;
    component recycledWithinCobalt = AssertLessEqBounded(64);
    recycledWithinCobalt.a <== recycledCobaltGrams;
    recycledWithinCobalt.b <== cobaltGrams;
    component cobaltWithinTotal = AssertLessEqBounded(64);
    cobaltWithinTotal.a <== cobaltGrams;
    cobaltWithinTotal.b <== totalGrams;

    component hash = Poseidon(7);
    hash.inputs <== [cobaltGrams, totalGrams, certifiedCobaltGrams, recycledCobaltGrams, co2eGrams,
                     riskFlags, blinding];
    commitment <== hash.out;
}

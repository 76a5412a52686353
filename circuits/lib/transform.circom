pragma circom 2.1.9;

include "circomlib/circuits/comparators.circom";
include "checks.circom";
include "commitment.circom";

// Proves that a processing job (split, merge, refine) turned the input lots into the output lots
// honestly, all values private, only commitments public:
//   - slot i is used iff its commitment is non-zero; a used slot's opening hashes to its commitment,
//     an unused slot's opening is all zeros; at least one input and one output are used; used input
//     commitments are pairwise distinct (no lot counted twice), and so are used output commitments;
//     every used output holds some cobalt;
//   - cobalt is never created: cobaltOut <= cobaltIn, and the loss is at most maxYieldLossBps of
//     cobaltIn: (cobaltIn - cobaltOut) * 10000 <= maxYieldLossBps * cobaltIn;
//   - certified and recycled grams follow the cobalt and are never created: each output gets exactly
//     floor(certifiedIn * cobalt_j / cobaltIn) (and the same for recycled);
//   - CO2e is never lost: each output carries exactly
//     ceil((co2eIn + processCo2eGrams) * cobalt_j / cobaltOut);
//   - the process's own emissions are at least the facility's audited floor per kg of material
//     processed (the inputs' total mass): processCo2eGrams * 1000 >= processCo2eFloorGramsPerKg *
//     totalIn, so nobody declares a process that emitted nothing;
//   - each used output carries the bitwise OR of the used inputs' risk flags (taint is never washed).
//
// Overflow bound: masses are < 2^64 (LotCommitment), so a sum over at most 4 slots is < 2^66 and
// co2eIn + processCo2eGrams < 2^67. Every product below is at most a 67-bit sum times a 64-bit mass,
// or a 66-bit sum times 10000 < 2^14 or a 32-bit floor, i.e. < 2^131 plus a remainder < 2^66: far
// below the BN254 modulus (about 2^253.6), so each field equation holds over the integers.
//
// Public signals, in this order: inputCommitments[nInputs], outputCommitments[nOutputs],
// maxYieldLossBps, processCo2eGrams, processCo2eFloorGramsPerKg, context. No outputs.
template TransformProof(nInputs, nOutputs) {
    assert(nInputs >= 1 && nInputs <= 4);   // keeps sums of 64-bit masses below 2^66
    assert(nOutputs >= 1 && nOutputs <= 4);

    signal input inputCommitments[nInputs];    // public: input lot commitments, 0 for an unused slot
    signal input outputCommitments[nOutputs];  // public: output lot commitments, 0 for an unused slot
    signal input maxYieldLossBps;              // public: rulebook bound on cobalt lost, basis points
    signal input processCo2eGrams;             // public: CO2e the process itself emitted
    signal input processCo2eFloorGramsPerKg;   // public: audited floor of processCo2eGrams, grams per kg processed
    signal input context;                      // public: binds the proof to chain, contract, job id

    signal input inputCobaltGrams[nInputs];             // private
    signal input inputTotalGrams[nInputs];              // private
    signal input inputCertifiedCobaltGrams[nInputs];    // private
    signal input inputRecycledCobaltGrams[nInputs];     // private
    signal input inputCo2eGrams[nInputs];               // private
    signal input inputRiskFlags[nInputs];               // private
    signal input inputBlinding[nInputs];                // private
    signal input outputCobaltGrams[nOutputs];           // private
    signal input outputTotalGrams[nOutputs];            // private
    signal input outputCertifiedCobaltGrams[nOutputs];  // private
    signal input outputRecycledCobaltGrams[nOutputs];   // private
    signal input outputCo2eGrams[nOutputs];             // private
    signal input outputRiskFlags[nOutputs];             // private
    signal input outputBlinding[nOutputs];              // private

    // Openings: used slots hash to their commitment, unused slots are zero.
    component inputSlot[nInputs];
    signal inputUsed[nInputs];
    for (var i = 0; i < nInputs; i++) {
        inputSlot[i] = OpenedSlot();
        inputSlot[i].commitment <== inputCommitments[i];
        inputSlot[i].values <== [inputCobaltGrams[i], inputTotalGrams[i], inputCertifiedCobaltGrams[i],
                                 inputRecycledCobaltGrams[i], inputCo2eGrams[i], inputRiskFlags[i],
                                 inputBlinding[i]];
        inputUsed[i] <== inputSlot[i].used;
    }
    component outputSlot[nOutputs];
    signal outputUsed[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        outputSlot[j] = OpenedSlot();
        outputSlot[j].commitment <== outputCommitments[j];
        outputSlot[j].values <== [outputCobaltGrams[j], outputTotalGrams[j],
                                  outputCertifiedCobaltGrams[j], outputRecycledCobaltGrams[j],
                                  outputCo2eGrams[j], outputRiskFlags[j], outputBlinding[j]];
        outputUsed[j] <== outputSlot[j].used;
    }

    component someInput = AssertNonZero();
    someInput.in <== SumOf(nInputs)(inputUsed);
    component someOutput = AssertNonZero();
    someOutput.in <== SumOf(nOutputs)(outputUsed);

    component distinctInputs = AssertDistinctWhenUsed(nInputs);
    distinctInputs.commitments <== inputCommitments;
    distinctInputs.used <== inputUsed;
    component distinctOutputs = AssertDistinctWhenUsed(nOutputs);
    distinctOutputs.commitments <== outputCommitments;
    distinctOutputs.used <== outputUsed;

    // An unused output's cobalt is zero already; a used one must hold some.
    component outputHoldsCobalt[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        outputHoldsCobalt[j] = AssertNonZeroIf();
        outputHoldsCobalt[j].in <== outputCobaltGrams[j];
        outputHoldsCobalt[j].enabled <== outputUsed[j];
    }

    // Unused slots are zero, so plain sums are sums over used slots.
    signal cobaltIn <== SumOf(nInputs)(inputCobaltGrams);
    signal cobaltOut <== SumOf(nOutputs)(outputCobaltGrams);
    signal certifiedIn <== SumOf(nInputs)(inputCertifiedCobaltGrams);
    signal recycledIn <== SumOf(nInputs)(inputRecycledCobaltGrams);
    signal co2eIn <== SumOf(nInputs)(inputCo2eGrams);
    signal totalIn <== SumOf(nInputs)(inputTotalGrams);   // the material processed

    // Mass balance.
    component noCobaltCreated = AssertLessEqBounded(66);
    noCobaltCreated.a <== cobaltOut;
    noCobaltCreated.b <== cobaltIn;
    // Named, unlike the sums above: an anonymous AssertBps would sort before them and renumber wires.
    component lossIsBps = AssertBps();
    lossIsBps.bps <== maxYieldLossBps;
    component lossWithinBound = AssertLessEqBounded(81);   // both sides < 2^80
    lossWithinBound.a <== (cobaltIn - cobaltOut) * 10000;
    lossWithinBound.b <== maxYieldLossBps * cobaltIn;

    // Process emissions: 64 bits, and at least the audited floor per kg processed. The floor comes
    // from the registry as a uint32 but is range-checked here all the same, so that the comparison is
    // sound for every public input: floor * totalIn < 2^32 * 2^66 = 2^98 and processCo2eGrams * 1000
    // < 2^74, both below 2^98, so a shortfall cannot wrap around the field into a small difference.
    component processRange = RangeCheck(64);
    processRange.in <== processCo2eGrams;
    component processFloorRange = RangeCheck(32);
    processFloorRange.in <== processCo2eFloorGramsPerKg;
    component processAboveFloor = AssertLessEqBounded(98);
    processAboveFloor.a <== processCo2eFloorGramsPerKg * totalIn;
    processAboveFloor.b <== processCo2eGrams * 1000;

    // Shares and CO2e, per output slot (an unused slot has cobalt 0 and all shares 0, which the
    // equations accept with a zero remainder).
    signal co2eToAllocate <== co2eIn + processCo2eGrams;
    component certifiedShare[nOutputs];
    component recycledShare[nOutputs];
    component co2eShare[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        certifiedShare[j] = FloorProportion(66);
        certifiedShare[j].amount <== certifiedIn;
        certifiedShare[j].part <== outputCobaltGrams[j];
        certifiedShare[j].whole <== cobaltIn;
        certifiedShare[j].share <== outputCertifiedCobaltGrams[j];

        recycledShare[j] = FloorProportion(66);
        recycledShare[j].amount <== recycledIn;
        recycledShare[j].part <== outputCobaltGrams[j];
        recycledShare[j].whole <== cobaltIn;
        recycledShare[j].share <== outputRecycledCobaltGrams[j];

        co2eShare[j] = CeilProportion(66);
        co2eShare[j].amount <== co2eToAllocate;
        co2eShare[j].part <== outputCobaltGrams[j];
        co2eShare[j].whole <== cobaltOut;
        co2eShare[j].share <== outputCo2eGrams[j];
    }

    // Risk flags: OR over the inputs (unused inputs have flags 0), repeated on every used output.
    component inputFlagBits[nInputs];
    for (var i = 0; i < nInputs; i++) {
        inputFlagBits[i] = RangeCheck(8);
        inputFlagBits[i].in <== inputRiskFlags[i];
    }
    signal noneSet[8][nInputs];   // noneSet[b][i]: bit b is clear on inputs 0..i
    var mergedFlags = 0;
    for (var bit = 0; bit < 8; bit++) {
        noneSet[bit][0] <== 1 - inputFlagBits[0].bits[bit];
        for (var i = 1; i < nInputs; i++) {
            noneSet[bit][i] <== noneSet[bit][i - 1] * (1 - inputFlagBits[i].bits[bit]);
        }
        mergedFlags += (1 - noneSet[bit][nInputs - 1]) * (1 << bit);
    }
    for (var j = 0; j < nOutputs; j++) {
        (outputRiskFlags[j] - mergedFlags) * outputUsed[j] === 0;
    }

    signal contextSquare;
    contextSquare <== context * context;
}

// Proves that a transform slot is well formed: `used` is 1 iff commitment != 0; a used slot's values
// are a well-formed lot opening (LotCommitment) hashing to the commitment; an unused slot's values are
// all zero.
template OpenedSlot() {
    signal input commitment;   // public (of the caller)
    signal input values[7];    // private: the opening, in LotCommitment's order
    signal output used;        // 1 iff the slot is used

    // Held in vars, not new signals: circom refuses an anonymous component inside ===, and each extra
    // signal would add a label to the committed R1CS. IsZero sorts before LotCommitment, the order
    // circom gave the named components these replace, so the wires keep their numbers.
    var isEmpty = IsZero()(commitment);
    used <== 1 - isEmpty;

    var opened = LotCommitment()(values[0], values[1], values[2], values[3], values[4], values[5],
                                 values[6]);
    (opened - commitment) * used === 0;
    for (var k = 0; k < 7; k++) {
        values[k] * isEmpty === 0;
    }
}

// Proves that every used commitment differs from every other commitment (an unused one is 0 and a
// used one is not, so they differ anyway). One constraint per pair.
template AssertDistinctWhenUsed(n) {
    assert(n >= 1);
    signal input commitments[n];   // public (of the caller)
    signal input used[n];          // 1 iff commitments[i] != 0

    component differs[n * (n - 1) \ 2];
    var pair = 0;
    for (var i = 0; i < n; i++) {
        for (var k = i + 1; k < n; k++) {
            differs[pair] = AssertNonZeroIf();
            differs[pair].in <== commitments[i] - commitments[k];
            differs[pair].enabled <== used[i];
            pair++;
        }
    }
}

// Outputs the sum of n values (linear, no constraints of its own).
template SumOf(n) {
    assert(n >= 1);
    signal input in[n];
    signal output out;

    var total = 0;
    for (var i = 0; i < n; i++) {
        total += in[i];
    }
    out <== total;
}

// Proves share == floor(amount * part / whole) for whole < 2^n: share * whole + remainder ==
// amount * part with 0 <= remainder < whole. The caller keeps both products far below the modulus.
template FloorProportion(n) {
    assert(n > 0 && n <= 252);
    signal input amount;   // private
    signal input part;     // private
    signal input whole;    // private, < 2^n
    signal input share;    // private

    signal product <== amount * part;
    signal remainder;
    remainder <-- product % whole;
    component remainderRange = RangeCheck(n);
    remainderRange.in <== remainder;
    component remainderBelowWhole = AssertLessThanBounded(n);
    remainderBelowWhole.a <== remainder;
    remainderBelowWhole.b <== whole;
    share * whole + remainder === product;
}

// Proves share == ceil(amount * part / whole) for whole < 2^n: share * whole ==
// amount * part + remainder with 0 <= remainder < whole.
template CeilProportion(n) {
    assert(n > 0 && n <= 252);
    signal input amount;   // private
    signal input part;     // private
    signal input whole;    // private, < 2^n
    signal input share;    // private

    signal product <== amount * part;
    signal remainder;
    remainder <-- (whole - product % whole) % whole;
    component remainderRange = RangeCheck(n);
    remainderRange.in <== remainder;
    component remainderBelowWhole = AssertLessThanBounded(n);
    remainderBelowWhole.a <== remainder;
    remainderBelowWhole.b <== whole;
    share * whole === product + remainder;
}

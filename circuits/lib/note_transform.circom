pragma circom 2.1.9;

include "circomlib/circuits/comparators.circom";
include "checks.circom";
include "merkle.circom";
include "notes.circom";
include "registry.circom";
include "arithmetic.circom";

// IRegistry.FacilityType's transforming types: refinery, precursor, cathode, cell and pack plants,
// recycler, lithium refinery, nickel refinery; every type but the extraction sites (0, 1, 8, 9, 10),
// which only mint.
function TRANSFORMING_TYPES() { return 8; }
function TRANSFORMING_TYPE(slot) {
    var types[8] = [2, 3, 4, 5, 6, 7, 11, 12];
    return types[slot];
}

// model.facilities.makes_kind(facilityType) as MaterialKind indices (model/lots.py), four per
// transforming type (in TRANSFORMING_TYPE's order) with the last repeated where a type makes fewer:
// refinery crude and refined cobalt sulfate and cobalt metal, precursor plant precursor, cathode
// plant cathode, cell plant cell, pack plant module and pack, recycler black mass, recycled cobalt
// sulfate, lithium carbonate and nickel sulfate, lithium refinery lithium carbonate and hydroxide,
// nickel refinery nickel intermediate and sulfate.
function MADE_KIND(slot, n) {
    var kinds[8][4] = [[2, 3, 4, 4], [5, 5, 5, 5], [6, 6, 6, 6], [7, 7, 7, 7], [8, 9, 9, 9],
                       [10, 11, 14, 18], [14, 15, 15, 15], [17, 18, 18, 18]];
    return kinds[slot][n];
}

// MaterialKind's index (model/lots.py) of a battery pack: no transform spends one. A pack note stays
// unspent when its passport is issued (pack_batch.circom binds it by its tag), so a pack spent here
// would let its material, split, merged or renamed, back a second passport.
function TRANSFORM_PACK() { return 9; }

// Proves a processing job (split, merge, refine) on the shielded ledger: the actor spends up to
// nInputs of its own active notes and creates up to nOutputs active notes of its own, at an
// activated facility it operates, by the conservation, yield-loss and CO2e rules below.
// Nobody learns who acted, where, on which notes or how much.
//
//   what                  proven
//   the actor             knows `secret` of a shielding key in the participants tree, and operates (same
//                         account) a facility in the facilities tree of a transforming type
//                         (TRANSFORMING_TYPE)
//   input slot i          used iff nullifiers[i] != 0; a used input is an active note (counterparty 0)
//                         owned by the actor's key, in the note tree, and nullifiers[i] is its
//                         nullifier, of any kind but a battery pack (TRANSFORM_PACK); an unused
//                         slot's values are zeros; used nullifiers differ
//   output slot j         used iff outputCommitments[j] != 0; a used output is the commitment of an
//                         active note (counterparty 0) owned by the actor's key, tag and blinding
//                         free; an unused slot's values are zeros; used commitments differ
//   slots                 at least one output is used (the CO2e shares divide by the outputs' metal,
//                         which only used outputs hold), so at least one input (a used output
//                         holds metal, and no metal is created): no check of its own for either
//   kinds                 each used output's kind is one the facility's type makes (model.facilities.makes_kind)
//                         or the kind of a used input (a split or merge), and holds only metals
//                         its kind may hold (KindHoldsMetals: a cobalt sulfate no lithium)
//   grams, per metal m    no metal created: gramsOut[m] <= gramsIn[m]; the loss at most the site's
//                         maxYieldLossBps of the input: (gramsIn - gramsOut) * 10000 <= bps * gramsIn
//   shares, per metal m   certified, pre- and post-consumer grams follow the metal, never created:
//                         output j gets exactly floor(xIn[m] * grams_j[m] / gramsIn[m]); a metal no
//                         input holds no output holds, its shares 0 (the divisor is 1 then, not 0)
//   a used output         grams and total 64-bit; the metals at most its total; some metal in it
//   process CO2e          private, 64-bit, at least the site's co2eFloorGramsPerKg per kg processed
//                         (the inputs' total mass): processCo2eGrams * 1000 >= floor * totalIn
//   CO2e                  never lost, allocated by metal: output j carries exactly
//                         ceil((co2eIn + processCo2eGrams) * metal_j / metalOut), metal_j the sum
//                         of its metals' grams and metalOut the outputs'. Metal, not mass: the
//                         metals are conserved (no output gains metal but another loses it), while
//                         an output's total mass is the prover's word, so allocating by mass would
//                         let a by-product of inflated mass carry the job's CO2e away from the lot
//                         that is shipped
//   risk flags            each used output carries the bitwise OR of the used inputs' (taint is
//                         never washed); the site's and operator's flags are not added, as in the
//                         transparent transform
//
// The inputs' values are those of notes in the tree, which the circuit that created each note
// proved well formed (notes.circom): 64-bit grams, certified <= grams, pre + post <= grams, flags
// one byte. Every value of an output is so too: grams and total are range-checked here, the shares
// are range-checked to 64 bits (FloorProportion and CeilProportion pin a share only among values
// that do not wrap the field: for another remainder r < whole, (product - r + t * p) / whole with
// 0 < t < whole, a number far above 2^64, satisfies share * whole + r == product too), a floor share
// is then at most the metal's grams because xIn[m] <= gramsIn[m], and the pre- and post-consumer
// shares sum to at most floor((pre + post) * grams_j / gramsIn) <= grams_j.
//
// Overflow bound: every note value is below 2^64, so a sum over at most 4 slots is below 2^66 and
// co2eIn + processCo2eGrams below 2^67. Each product below is at most such a 67-bit sum times a
// 66-bit part (the proportions' products, < 2^133; an output's metals are at most 3 x 2^64), a 64-bit
// share times a whole of at most 68 bits (the outputs' metal, < 2^132), a
// 66-bit sum times 10000 < 2^14 or the site's 16-bit bps (< 2^82) or its 32-bit floor (< 2^98), or
// 1000 times a 64-bit CO2e (< 2^74): far below the BN254 modulus (about 2^253.6), so each field
// equation holds over the integers and each bounded comparison compares integers.
//
// Public signals, in this order: noteRoot, nullifiers[nInputs], outputCommitments[nOutputs],
// participantsRoot, facilitiesRoot, context. No outputs.
template NoteTransformProof(nInputs, nOutputs, metals, noteDepth, registryDepth) {
    assert(nInputs >= 1 && nInputs <= 4);     // keeps sums of 64-bit values below 2^66
    assert(nOutputs >= 1 && nOutputs <= 4);
    assert(metals >= 1 && metals <= 3);       // NoteValuesHash's limit; the metals' sum below 2^66

    signal input noteRoot;                       // public: a root of the note tree the contract knows
    signal input nullifiers[nInputs];            // public: the spent notes' nullifiers, 0 for an unused slot
    signal input outputCommitments[nOutputs];    // public: the created notes, 0 for an unused slot
    signal input participantsRoot;               // public: a root of the registry's participants tree
    signal input facilitiesRoot;                 // public: a root of the registry's facilities tree
    signal input context;                        // public: binds the proof to chain, contract and the call

    signal input secret;                         // private: the actor's shielding secret
    signal input account;                        // private: the actor's participants leaf
    signal input roleIndex;                      // private
    signal input operatorFlags;                  // private
    signal input participantPathLength;          // private
    signal input participantPathIndex;           // private
    signal input participantSiblings[registryDepth];   // private
    signal input facilityId;                     // private: the facility's leaf
    signal input facilityType;                   // private
    signal input siteFlags;                      // private
    signal input maxYieldLossBps;                // private
    signal input siteFloor;                      // private: co2eFloorGramsPerKg of the site
    signal input country;                        // private
    signal input recycledPreConsumerBps;         // private: the leaf's; a transform does not use it
    signal input facilityPathLength;             // private
    signal input facilityPathIndex;              // private
    signal input facilitySiblings[registryDepth];      // private

    signal input inputGrams[nInputs][metals];              // private: the spent notes' openings
    signal input inputCertifiedGrams[nInputs][metals];     // private
    signal input inputPreConsumerGrams[nInputs][metals];   // private
    signal input inputPostConsumerGrams[nInputs][metals];  // private
    signal input inputTotalGrams[nInputs];       // private
    signal input inputCo2eGrams[nInputs];        // private
    signal input inputRiskFlags[nInputs];        // private
    signal input inputKind[nInputs];             // private
    signal input inputTag[nInputs];              // private
    signal input inputBlinding[nInputs];         // private
    signal input inputPathLength[nInputs];       // private: each spent note's LeanIMT proof
    signal input inputPathIndex[nInputs];        // private
    signal input inputSiblings[nInputs][noteDepth];        // private

    signal input outputGrams[nOutputs][metals];            // private: the created notes' openings
    signal input outputCertifiedGrams[nOutputs][metals];   // private
    signal input outputPreConsumerGrams[nOutputs][metals]; // private
    signal input outputPostConsumerGrams[nOutputs][metals];   // private
    signal input outputTotalGrams[nOutputs];     // private
    signal input outputCo2eGrams[nOutputs];      // private
    signal input outputRiskFlags[nOutputs];      // private
    signal input outputKind[nOutputs];           // private
    signal input outputTag[nOutputs];            // private
    signal input outputBlinding[nOutputs];       // private

    signal input processCo2eGrams;               // private: CO2e the process itself emitted

    // The actor and its site.
    component key = ShieldingKey();
    key.secret <== secret;
    component actor = ParticipantMembership(registryDepth);
    actor.account <== account;
    actor.roleIndex <== roleIndex;
    actor.riskFlags <== operatorFlags;
    actor.shieldingKey <== key.key;
    actor.pathLength <== participantPathLength;
    actor.pathIndex <== participantPathIndex;
    actor.siblings <== participantSiblings;
    actor.root === participantsRoot;
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

    // A transforming type, one-hot: exactly one of the small constants (this is the type's range
    // check, see FacilityMembership).
    component isType[TRANSFORMING_TYPES()];
    var typeCount = 0;
    for (var t = 0; t < TRANSFORMING_TYPES(); t++) {
        isType[t] = IsZero();
        isType[t].in <== facilityType - TRANSFORMING_TYPE(t);
        typeCount += isType[t].out;
    }
    typeCount === 1;

    // The spent notes: the actor's, active, in the tree, their nullifiers public.
    component inputEmpty[nInputs];
    signal inputUsed[nInputs];
    component inputValues[nInputs];
    component spent[nInputs];
    component spentPath[nInputs];
    component spentNullifier[nInputs];
    component inputIsPack[nInputs];
    for (var i = 0; i < nInputs; i++) {
        inputEmpty[i] = IsZero();
        inputEmpty[i].in <== nullifiers[i];
        inputUsed[i] <== 1 - inputEmpty[i].out;

        inputValues[i] = NoteValuesHash(metals);
        inputValues[i].grams <== inputGrams[i];
        inputValues[i].certifiedGrams <== inputCertifiedGrams[i];
        inputValues[i].preConsumerGrams <== inputPreConsumerGrams[i];
        inputValues[i].postConsumerGrams <== inputPostConsumerGrams[i];
        inputValues[i].totalGrams <== inputTotalGrams[i];
        inputValues[i].co2eGrams <== inputCo2eGrams[i];
        inputValues[i].riskFlags <== inputRiskFlags[i];
        spent[i] = NoteCommitment();
        spent[i].valuesHash <== inputValues[i].valuesHash;
        spent[i].kind <== inputKind[i];
        spent[i].owner <== key.key;
        spent[i].state <== NOTE_ACTIVE();
        spent[i].counterparty <== 0;
        spent[i].tag <== inputTag[i];
        spent[i].blinding <== inputBlinding[i];

        spentPath[i] = LeanIMTRoot(noteDepth);
        spentPath[i].leaf <== spent[i].commitment;
        spentPath[i].length <== inputPathLength[i];
        spentPath[i].pathIndex <== inputPathIndex[i];
        spentPath[i].siblings <== inputSiblings[i];
        inputUsed[i] * (spentPath[i].root - noteRoot) === 0;
        spentNullifier[i] = NoteNullifier();
        spentNullifier[i].commitment <== spent[i].commitment;
        spentNullifier[i].blinding <== inputBlinding[i];
        inputUsed[i] * (spentNullifier[i].nullifier - nullifiers[i]) === 0;
        inputIsPack[i] = IsZero();
        inputIsPack[i].in <== inputKind[i] - TRANSFORM_PACK();
        inputUsed[i] * inputIsPack[i].out === 0;

        // An unused slot's values are zeros, so that the sums below are sums over the used slots. Its
        // kind, tag and blinding enter nothing but the unused slot's own hashes and are left free.
        var values[4 * metals + 3];
        for (var m = 0; m < metals; m++) {
            values[4 * m] = inputGrams[i][m];
            values[4 * m + 1] = inputCertifiedGrams[i][m];
            values[4 * m + 2] = inputPreConsumerGrams[i][m];
            values[4 * m + 3] = inputPostConsumerGrams[i][m];
        }
        values[4 * metals] = inputTotalGrams[i];
        values[4 * metals + 1] = inputCo2eGrams[i];
        values[4 * metals + 2] = inputRiskFlags[i];
        for (var k = 0; k < 4 * metals + 3; k++) {
            values[k] * inputEmpty[i].out === 0;
        }
    }

    // The created notes: the actor's, active.
    component outputEmpty[nOutputs];
    signal outputUsed[nOutputs];
    component outputValues[nOutputs];
    component created[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        outputEmpty[j] = IsZero();
        outputEmpty[j].in <== outputCommitments[j];
        outputUsed[j] <== 1 - outputEmpty[j].out;

        outputValues[j] = NoteValuesHash(metals);
        outputValues[j].grams <== outputGrams[j];
        outputValues[j].certifiedGrams <== outputCertifiedGrams[j];
        outputValues[j].preConsumerGrams <== outputPreConsumerGrams[j];
        outputValues[j].postConsumerGrams <== outputPostConsumerGrams[j];
        outputValues[j].totalGrams <== outputTotalGrams[j];
        outputValues[j].co2eGrams <== outputCo2eGrams[j];
        outputValues[j].riskFlags <== outputRiskFlags[j];
        created[j] = NoteCommitment();
        created[j].valuesHash <== outputValues[j].valuesHash;
        created[j].kind <== outputKind[j];
        created[j].owner <== key.key;
        created[j].state <== NOTE_ACTIVE();
        created[j].counterparty <== 0;
        created[j].tag <== outputTag[j];
        created[j].blinding <== outputBlinding[j];
        outputUsed[j] * (created[j].commitment - outputCommitments[j]) === 0;

        // An unused slot has no mass, so no metal and no CO2e; the rest of its values are zeros by
        // the rules below (its metals within its total of 0, shares of no grams, flags times used),
        // and its kind, tag and blinding enter nothing.
        outputTotalGrams[j] * outputEmpty[j].out === 0;
    }

    component distinctInputs = AssertDistinctWhenUsed(nInputs);
    distinctInputs.commitments <== nullifiers;
    distinctInputs.used <== inputUsed;
    component distinctOutputs = AssertDistinctWhenUsed(nOutputs);
    distinctOutputs.commitments <== outputCommitments;
    distinctOutputs.used <== outputUsed;

    // Kinds: (k - made0)(k - made1)(k - made2)(k - made3) is 0 iff the type makes k; each used
    // input's factor is k - its kind, an unused input's 1 (its kind 0 is no kind the output may take
    // from it).
    signal madeMiss[nOutputs][3];
    signal inputMiss[nOutputs][nInputs];
    signal kindMiss[nOutputs][nInputs];
    component holds[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        var made[4];
        for (var n = 0; n < 4; n++) {
            made[n] = 0;
            for (var t = 0; t < TRANSFORMING_TYPES(); t++) {
                made[n] += isType[t].out * MADE_KIND(t, n);
            }
        }
        madeMiss[j][0] <== (outputKind[j] - made[0]) * (outputKind[j] - made[1]);
        madeMiss[j][1] <== madeMiss[j][0] * (outputKind[j] - made[2]);
        madeMiss[j][2] <== madeMiss[j][1] * (outputKind[j] - made[3]);
        for (var i = 0; i < nInputs; i++) {
            inputMiss[j][i] <== inputUsed[i] * (outputKind[j] - inputKind[i] - 1) + 1;
            kindMiss[j][i] <== (i == 0 ? madeMiss[j][2] : kindMiss[j][i - 1]) * inputMiss[j][i];
        }
        kindMiss[j][nInputs - 1] * outputUsed[j] === 0;
        // An unused output holds no metal, so this holds for it whatever its kind.
        holds[j] = KindHoldsMetals(metals);
        holds[j].kind <== outputKind[j];
        holds[j].grams <== outputGrams[j];
    }

    // A created note's free values: 64-bit grams and total, the metals at most the total, some metal.
    component gramsRange[nOutputs][metals];
    component totalRange[nOutputs];
    component metalsWithinTotal[nOutputs];
    component holdsMaterial[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        var metalsTotal = 0;
        for (var m = 0; m < metals; m++) {
            gramsRange[j][m] = RangeCheck(64);
            gramsRange[j][m].in <== outputGrams[j][m];
            metalsTotal += outputGrams[j][m];
        }
        totalRange[j] = RangeCheck(64);
        totalRange[j].in <== outputTotalGrams[j];
        metalsWithinTotal[j] = AssertLessEqBounded(66);   // at most 3 metals of 64 bits
        metalsWithinTotal[j].a <== metalsTotal;
        metalsWithinTotal[j].b <== outputTotalGrams[j];
        holdsMaterial[j] = AssertNonZeroIf();
        holdsMaterial[j].in <== metalsTotal;
        holdsMaterial[j].enabled <== outputUsed[j];
    }

    // Per metal: the mass balance and the shares. Unused slots are zero, so plain sums are sums over
    // used slots.
    component noMetalCreated[metals];
    component lossWithinBound[metals];
    component metalAbsent[metals];
    component certifiedShare[nOutputs][metals];
    component preConsumerShare[nOutputs][metals];
    component postConsumerShare[nOutputs][metals];
    component certifiedRange[nOutputs][metals];
    component preConsumerRange[nOutputs][metals];
    component postConsumerRange[nOutputs][metals];
    for (var m = 0; m < metals; m++) {
        var gramsIn = 0;
        var certifiedIn = 0;
        var preConsumerIn = 0;
        var postConsumerIn = 0;
        for (var i = 0; i < nInputs; i++) {
            gramsIn += inputGrams[i][m];
            certifiedIn += inputCertifiedGrams[i][m];
            preConsumerIn += inputPreConsumerGrams[i][m];
            postConsumerIn += inputPostConsumerGrams[i][m];
        }
        var gramsOut = 0;
        for (var j = 0; j < nOutputs; j++) {
            gramsOut += outputGrams[j][m];
        }
        noMetalCreated[m] = AssertLessEqBounded(66);
        noMetalCreated[m].a <== gramsOut;
        noMetalCreated[m].b <== gramsIn;
        lossWithinBound[m] = AssertLessEqBounded(82);   // both sides < 2^82
        lossWithinBound[m].a <== (gramsIn - gramsOut) * 10000;
        lossWithinBound[m].b <== maxYieldLossBps * gramsIn;

        // The shares' divisor: the metal's input grams, or 1 where no input holds the metal (then no
        // output holds it either, and every share is floor(0 / 1) = 0).
        metalAbsent[m] = IsZero();
        metalAbsent[m].in <== gramsIn;
        for (var j = 0; j < nOutputs; j++) {
            certifiedShare[j][m] = FloorProportion(66);
            certifiedShare[j][m].amount <== certifiedIn;
            certifiedShare[j][m].part <== outputGrams[j][m];
            certifiedShare[j][m].whole <== gramsIn + metalAbsent[m].out;
            certifiedShare[j][m].share <== outputCertifiedGrams[j][m];
            certifiedRange[j][m] = RangeCheck(64);
            certifiedRange[j][m].in <== outputCertifiedGrams[j][m];

            preConsumerShare[j][m] = FloorProportion(66);
            preConsumerShare[j][m].amount <== preConsumerIn;
            preConsumerShare[j][m].part <== outputGrams[j][m];
            preConsumerShare[j][m].whole <== gramsIn + metalAbsent[m].out;
            preConsumerShare[j][m].share <== outputPreConsumerGrams[j][m];
            preConsumerRange[j][m] = RangeCheck(64);
            preConsumerRange[j][m].in <== outputPreConsumerGrams[j][m];

            postConsumerShare[j][m] = FloorProportion(66);
            postConsumerShare[j][m].amount <== postConsumerIn;
            postConsumerShare[j][m].part <== outputGrams[j][m];
            postConsumerShare[j][m].whole <== gramsIn + metalAbsent[m].out;
            postConsumerShare[j][m].share <== outputPostConsumerGrams[j][m];
            postConsumerRange[j][m] = RangeCheck(64);
            postConsumerRange[j][m].in <== outputPostConsumerGrams[j][m];
        }
    }

    // Process emissions: 64 bits, and at least the site's floor per kg processed.
    var co2eIn = 0;
    var totalIn = 0;
    for (var i = 0; i < nInputs; i++) {
        co2eIn += inputCo2eGrams[i];
        totalIn += inputTotalGrams[i];
    }
    // The CO2e key: each output's metal, and the outputs' (at most 4 x 3 x 2^64 < 2^68).
    var outputMetal[nOutputs];
    var metalOut = 0;
    for (var j = 0; j < nOutputs; j++) {
        outputMetal[j] = 0;
        for (var m = 0; m < metals; m++) {
            outputMetal[j] += outputGrams[j][m];
        }
        metalOut += outputMetal[j];
    }
    component processRange = RangeCheck(64);
    processRange.in <== processCo2eGrams;
    component processAboveFloor = AssertLessEqBounded(98);
    processAboveFloor.a <== siteFloor * totalIn;
    processAboveFloor.b <== processCo2eGrams * 1000;

    // CO2e by metal: metalOut >= 1, since a used output holds some metal.
    component co2eShare[nOutputs];
    component co2eRange[nOutputs];
    for (var j = 0; j < nOutputs; j++) {
        co2eShare[j] = CeilProportion(68);
        co2eShare[j].amount <== co2eIn + processCo2eGrams;
        co2eShare[j].part <== outputMetal[j];
        co2eShare[j].whole <== metalOut;
        co2eShare[j].share <== outputCo2eGrams[j];
        co2eRange[j] = RangeCheck(64);
        co2eRange[j].in <== outputCo2eGrams[j];
    }

    // Risk flags: OR over the inputs (unused inputs have flags 0), on every used output.
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
        outputRiskFlags[j] === outputUsed[j] * mergedFlags;
    }

    // context enters no other constraint; squaring it keeps it bound to the proof (as in Semaphore).
    signal contextSquare;
    contextSquare <== context * context;
}

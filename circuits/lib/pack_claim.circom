pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "checks.circom";
include "merkle.circom";
include "notes.circom";
include "registry.circom";

// MaterialKind's index, model/lots.py of a battery pack.
function PACK() { return 9; }

// Proves a battery passport's claims from a pack note on the shielded ledger, spending the note
// (its nullifier is public, not its leaf), so one pack backs one passport and nobody learns which
// note it was:
//   - the note is in the tree, active, of kind Pack, and owned by the issuer: the actor knows the
//     secret of the note's owner key, and that key is in the issuer's participants-tree leaf, whose
//     account is public (the passport names its economic operator; the contract checks its role);
//   - per metal (cobalt, lithium, nickel), the passport declares exactly the note's grams (100% of
//     the content traced), and at least the minimum shares certified, pre-consumer and post-consumer
//     recycled, in basis points of those grams; each metal's claim is one public signal,
//     metalClaims[m] = grams | minCertifiedBps << 64 | minPreConsumerBps << 80 | minPostConsumerBps << 96,
//     decomposed here (112 bits), so the verifier pays one public input per metal, not four;
//   - the note's CO2e is at most the bound per kg of cobalt (metal 0) and per kWh of capacity;
//   - the note carries none of the forbidden risk flags.
// These are the rules of the transparent claim (claim.circom), with recycled content split into pre-
// and post-consumer as the notes carry it.
//
// The note's values need no range checks: the operation that created the note proved them 64-bit
// grams (flags one byte), certified <= grams and pre + post <= grams (notes.circom). The public
// bounds are range-checked here, so no product or difference below can wrap around the field.
//
// Public signals, in this order: noteRoot, nullifier, participantsRoot, issuer, metalClaims[metals],
// maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh, capacityWh, forbiddenRiskFlags, context. No outputs.
template PackClaimProof(metals, noteDepth, registryDepth) {
    assert(metals >= 1);
    signal input noteRoot;                       // public: a root of the note tree the contract knows
    signal input nullifier;                      // public: the spent pack note's nullifier
    signal input participantsRoot;               // public: a root of the registry's participants tree
    signal input issuer;                         // public: the passport's economic operator (an address)
    signal input metalClaims[metals];            // public: per metal, the declared grams and minimum shares
    signal input maxCo2eGramsPerKgCobalt;        // public: CO2e bound per kg of cobalt
    signal input maxCo2eGramsPerKwh;             // public: CO2e bound per kWh of capacity
    signal input capacityWh;                     // public: the pack's capacity
    signal input forbiddenRiskFlags;             // public: flags the note must not carry
    signal input context;                        // public: binds the proof to chain, contract and passport

    signal input grams[metals];                  // private: the note's values
    signal input certifiedGrams[metals];         // private
    signal input preConsumerGrams[metals];       // private
    signal input postConsumerGrams[metals];      // private
    signal input totalGrams;                     // private
    signal input co2eGrams;                      // private
    signal input riskFlags;                      // private
    signal input tag;                            // private: the rest of the note's opening
    signal input blinding;                       // private
    signal input notePathLength;                 // private: the note's LeanIMT proof
    signal input notePathIndex;                  // private
    signal input noteSiblings[noteDepth];        // private

    signal input secret;                         // private: the issuer's shielding secret
    signal input roleIndex;                      // private: the issuer's participants-tree leaf
    signal input operatorFlags;                  // private
    signal input participantPathLength;          // private
    signal input participantPathIndex;           // private
    signal input participantSiblings[registryDepth];   // private

    // The issuer: a registered participant with the public account, holding the key whose secret
    // it knows.
    component key = ShieldingKey();
    key.secret <== secret;
    component member = ParticipantMembership(registryDepth);
    member.account <== issuer;
    member.roleIndex <== roleIndex;
    member.riskFlags <== operatorFlags;
    member.shieldingKey <== key.key;
    member.pathLength <== participantPathLength;
    member.pathIndex <== participantPathIndex;
    member.siblings <== participantSiblings;
    member.root === participantsRoot;

    // The spent note: an active pack the issuer owns (an active note has no counterparty), in the
    // tree, and its nullifier.
    component values = NoteValuesHash(metals);
    values.grams <== grams;
    values.certifiedGrams <== certifiedGrams;
    values.preConsumerGrams <== preConsumerGrams;
    values.postConsumerGrams <== postConsumerGrams;
    values.totalGrams <== totalGrams;
    values.co2eGrams <== co2eGrams;
    values.riskFlags <== riskFlags;
    component spent = NoteCommitment();
    spent.valuesHash <== values.valuesHash;
    spent.kind <== PACK();
    spent.owner <== key.key;
    spent.state <== NOTE_ACTIVE();
    spent.counterparty <== 0;
    spent.tag <== tag;
    spent.blinding <== blinding;
    component notePath = LeanIMTRoot(noteDepth);
    notePath.leaf <== spent.commitment;
    notePath.length <== notePathLength;
    notePath.pathIndex <== notePathIndex;
    notePath.siblings <== noteSiblings;
    notePath.root === noteRoot;
    component spentNullifier = NoteNullifier();
    spentNullifier.commitment <== spent.commitment;
    spentNullifier.blinding <== blinding;
    spentNullifier.nullifier === nullifier;

    // Per metal: the claim's fields (the decomposition pins each: grams 64 bits, each bound 16 bits
    // and then basis points), the declared grams are the note's, and each share meets its minimum.
    // Both sides of a share bound are below 2^64 * 2^14 = 2^78.
    component claimBits[metals];
    signal minCertifiedBps[metals];
    signal minPreConsumerBps[metals];
    signal minPostConsumerBps[metals];
    component certifiedIsBps[metals];
    component preConsumerIsBps[metals];
    component postConsumerIsBps[metals];
    component certifiedShare[metals];
    component preConsumerShare[metals];
    component postConsumerShare[metals];
    for (var m = 0; m < metals; m++) {
        claimBits[m] = Num2Bits(112);
        claimBits[m].in <== metalClaims[m];
        var declared = 0;
        var certifiedBound = 0;
        var preConsumerBound = 0;
        var postConsumerBound = 0;
        for (var bit = 0; bit < 64; bit++) {
            declared += claimBits[m].out[bit] * (1 << bit);
        }
        for (var bit = 0; bit < 16; bit++) {
            certifiedBound += claimBits[m].out[64 + bit] * (1 << bit);
            preConsumerBound += claimBits[m].out[80 + bit] * (1 << bit);
            postConsumerBound += claimBits[m].out[96 + bit] * (1 << bit);
        }
        declared === grams[m];
        minCertifiedBps[m] <== certifiedBound;
        minPreConsumerBps[m] <== preConsumerBound;
        minPostConsumerBps[m] <== postConsumerBound;
        certifiedIsBps[m] = AssertBps();
        certifiedIsBps[m].bps <== minCertifiedBps[m];
        preConsumerIsBps[m] = AssertBps();
        preConsumerIsBps[m].bps <== minPreConsumerBps[m];
        postConsumerIsBps[m] = AssertBps();
        postConsumerIsBps[m].bps <== minPostConsumerBps[m];
        certifiedShare[m] = AssertLessEqBounded(79);
        certifiedShare[m].a <== minCertifiedBps[m] * grams[m];
        certifiedShare[m].b <== certifiedGrams[m] * 10000;
        preConsumerShare[m] = AssertLessEqBounded(79);
        preConsumerShare[m].a <== minPreConsumerBps[m] * grams[m];
        preConsumerShare[m].b <== preConsumerGrams[m] * 10000;
        postConsumerShare[m] = AssertLessEqBounded(79);
        postConsumerShare[m].a <== minPostConsumerBps[m] * grams[m];
        postConsumerShare[m].b <== postConsumerGrams[m] * 10000;
    }

    // CO2e bounds: co2e * 1000 < 2^74, products of two 64-bit numbers < 2^128.
    component maxPerKgRange = RangeCheck(64);
    maxPerKgRange.in <== maxCo2eGramsPerKgCobalt;
    component maxPerKwhRange = RangeCheck(64);
    maxPerKwhRange.in <== maxCo2eGramsPerKwh;
    component capacityRange = RangeCheck(64);
    capacityRange.in <== capacityWh;
    component perKgBound = AssertLessEqBounded(129);
    perKgBound.a <== co2eGrams * 1000;
    perKgBound.b <== maxCo2eGramsPerKgCobalt * grams[0];
    component perKwhBound = AssertLessEqBounded(129);
    perKwhBound.a <== co2eGrams * 1000;
    perKwhBound.b <== maxCo2eGramsPerKwh * capacityWh;

    // riskFlags AND forbiddenRiskFlags == 0: each bit product is 0 or 1, their sum cannot wrap. The
    // note's flags are decomposed for their bits (that they are one byte the note's creation proved).
    component flagBits = RangeCheck(8);
    flagBits.in <== riskFlags;
    component forbiddenBits = RangeCheck(8);
    forbiddenBits.in <== forbiddenRiskFlags;
    signal bothSet[8];
    var bothSetCount = 0;
    for (var bit = 0; bit < 8; bit++) {
        bothSet[bit] <== flagBits.bits[bit] * forbiddenBits.bits[bit];
        bothSetCount += bothSet[bit];
    }
    bothSetCount === 0;

    // context enters no other constraint; squaring it keeps it bound to the proof (as in Semaphore).
    signal contextSquare;
    contextSquare <== context * context;
}

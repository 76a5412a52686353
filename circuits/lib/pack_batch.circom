pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "checks.circom";
include "merkle.circom";
include "notes.circom";
include "registry.circom";

// MaterialKind's index (model/lots.py) of a battery pack, as in pack_claim.circom.
function BATCH_PACK() { return 9; }
// Bits of a pack slot: the passport id (96 bits), then 24 bits of grams per metal; the slots are laid
// end to end in public words of 252 bits (below the field's modulus), three slots in two words.
function PASSPORT_KEY_BITS() { return 96; }
function PACK_GRAMS_BITS() { return 24; }
function SLOT_WORD_BITS() { return 252; }
function SLOT_WORDS(batch, metals) {
    var bits = batch * (PASSPORT_KEY_BITS() + PACK_GRAMS_BITS() * metals);
    return (bits + SLOT_WORD_BITS() - 1) \ SLOT_WORD_BITS();
}

// Proves the claims of a batch of up to `batch` battery passports, one pack note per passport, in one
// proof (one pairing on chain).
//
// A pack note backs only the passport of its own battery: its tag is the passport id (the top 96
// bits of keccak256 of the battery id's canonical form, BatteryIds), which the batch's public slots
// carry; a passport id is issued once, so no pack backs two passports and no nullifier is revealed
// (the pack note stays unspent, and a pack is no transform's input: note_transform.circom).
//
// Public signals, in this order:
//   noteRoot          a root of the note tree the contract knows
//   participantsRoot  a root of the registry's participants tree
//   issuer            the passports' economic operator (an address): it owns every pack note
//   claims            the batch's claims, every pack meeting them: per metal m (cobalt, lithium,
//                     nickel) minCertifiedBps << 48m | minPreConsumerBps << 48m + 16 |
//                     minPostConsumerBps << 48m + 32; then, from bit 48 * metals (144),
//                     forbiddenRiskFlags (8 bits), maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh and
//                     capacityWh (32 bits each), a bound of 0 per kg of cobalt claiming nothing per
//                     kg (a pack without cobalt): 248 bits
//   context           binds chain, contract and the batch's calldata (documents, tiers)
//   packs[words]      the slots end to end, slot i at bits 168 i to 168 i + 167 of the words read
//                     as one number (word k its bits 252 k to 252 k + 251), each slot id |
//                     grams[0] << 96 | grams[1] << 120 | grams[2] << 144: the passport id and the
//                     exact grams of each metal its pack note holds; 0 for an unused slot (an id of
//                     0 is no battery's but with probability 2^-96); the bits past the last slot 0
//
// Per used slot: the note is in the tree, an active PACK of the issuer's shielding key with the slot's
// passport id as its tag; its grams are the slot's; per metal its certified, pre- and post-consumer shares are
// at least the batch's; its CO2e is at most the bounds per kg of cobalt and per kWh of capacity; it
// carries none of the forbidden flags. Values need no range checks (the note's creation proved them:
// 64-bit grams, certified <= grams, pre + post <= grams, one byte of flags); the public fields are
// decomposed, which range-checks them.
template PackBatchClaimProof(batch, metals, noteDepth, registryDepth) {
    assert(batch >= 1 && metals >= 1 && metals <= 3);
    signal input noteRoot;
    signal input participantsRoot;
    signal input issuer;
    signal input claims;
    signal input context;
    var words = SLOT_WORDS(batch, metals);
    var slotBits = PASSPORT_KEY_BITS() + PACK_GRAMS_BITS() * metals;
    signal input packs[words];

    signal input grams[batch][metals];               // private: each pack note's values
    signal input certifiedGrams[batch][metals];      // private
    signal input preConsumerGrams[batch][metals];    // private
    signal input postConsumerGrams[batch][metals];   // private
    signal input totalGrams[batch];                  // private
    signal input co2eGrams[batch];                   // private
    signal input riskFlags[batch];                   // private
    signal input blinding[batch];                    // private
    signal input notePathLength[batch];              // private
    signal input notePathIndex[batch];               // private
    signal input noteSiblings[batch][noteDepth];     // private

    signal input secret;                             // private: the issuer's shielding secret
    signal input roleIndex;                          // private: the issuer's participants-tree leaf
    signal input operatorFlags;                      // private
    signal input participantPathLength;              // private
    signal input participantPathIndex;               // private
    signal input participantSiblings[registryDepth]; // private

    // The issuer, once for the batch: a registered participant with the public account, holding the
    // key whose secret it knows.
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

    // The batch's claims, decomposed once: the minimum shares (each then basis points), the flags
    // and the bounds.
    var flagsAt = 48 * metals;
    var boundsAt = flagsAt + 8;
    component claimBits = Num2Bits(boundsAt + 96);
    claimBits.in <== claims;
    signal minShare[metals][3];
    component shareIsBps[metals][3];
    for (var m = 0; m < metals; m++) {
        for (var s = 0; s < 3; s++) {
            var share = 0;
            for (var bit = 0; bit < 16; bit++) {
                share += claimBits.out[48 * m + 16 * s + bit] * (1 << bit);
            }
            minShare[m][s] <== share;
            shareIsBps[m][s] = AssertBps();
            shareIsBps[m][s].bps <== minShare[m][s];
        }
    }
    var perKg = 0;
    var perKwh = 0;
    var capacity = 0;
    for (var bit = 0; bit < 32; bit++) {
        perKg += claimBits.out[boundsAt + bit] * (1 << bit);
        perKwh += claimBits.out[boundsAt + 32 + bit] * (1 << bit);
        capacity += claimBits.out[boundsAt + 64 + bit] * (1 << bit);
    }
    signal maxPerKg <== perKg;
    signal maxPerKwh <== perKwh;
    signal capacityWh <== capacity;
    signal perKwhCap <== maxPerKwh * capacityWh;   // < 2^64
    // A bound of 0 per kg of cobalt claims nothing per kg: a pack with no cobalt (LFP) could meet no
    // other, and its CO2e is then bounded per kWh alone.
    component noPerKgClaim = IsZero();
    noPerKgClaim.in <== maxPerKg;
    signal perKgClaimed <== 1 - noPerKgClaim.out;

    // The words' bits, end to end: each word decomposed (which range-checks it to 252 bits), the
    // bits past the last slot zero.
    component wordBits[words];
    signal stream[words * SLOT_WORD_BITS()];
    for (var k = 0; k < words; k++) {
        wordBits[k] = Num2Bits(SLOT_WORD_BITS());
        wordBits[k].in <== packs[k];
        for (var bit = 0; bit < SLOT_WORD_BITS(); bit++) {
            stream[k * SLOT_WORD_BITS() + bit] <== wordBits[k].out[bit];
        }
    }
    for (var bit = batch * slotBits; bit < words * SLOT_WORD_BITS(); bit++) {
        stream[bit] === 0;
    }

    component unused[batch];
    component values[batch];
    component note[batch];
    component path[batch];
    component certified[batch][metals];
    component preConsumer[batch][metals];
    component postConsumer[batch][metals];
    component perKgBound[batch];
    component perKwhBound[batch];
    component flagBits[batch];
    signal used[batch];
    signal slotValue[batch];
    signal passportKey[batch];
    signal perKgCap[batch];
    signal perKgCo2e[batch];
    signal bothSet[batch][8];
    for (var i = 0; i < batch; i++) {
        // The slot: its passport id and its grams per metal; an all-zero slot is unused.
        var value = 0;
        var slotKey = 0;
        for (var bit = 0; bit < slotBits; bit++) {
            value += stream[i * slotBits + bit] * (1 << bit);
        }
        for (var bit = 0; bit < PASSPORT_KEY_BITS(); bit++) {
            slotKey += stream[i * slotBits + bit] * (1 << bit);
        }
        slotValue[i] <== value;
        unused[i] = IsZero();
        unused[i].in <== slotValue[i];
        used[i] <== 1 - unused[i].out;
        passportKey[i] <== slotKey;
        for (var m = 0; m < metals; m++) {
            var declared = 0;
            for (var bit = 0; bit < PACK_GRAMS_BITS(); bit++) {
                declared += stream[i * slotBits + PASSPORT_KEY_BITS() + PACK_GRAMS_BITS() * m + bit] * (1 << bit);
            }
            // An unused slot declares 0 grams: its note's grams must be 0 too (the prover's zeros).
            declared === grams[i][m];
        }

        // The pack note: an active PACK the issuer owns, tagged with the passport id, in the tree
        // (checked for a used slot only: an unused slot's note is no note).
        values[i] = NoteValuesHash(metals);
        values[i].grams <== grams[i];
        values[i].certifiedGrams <== certifiedGrams[i];
        values[i].preConsumerGrams <== preConsumerGrams[i];
        values[i].postConsumerGrams <== postConsumerGrams[i];
        values[i].totalGrams <== totalGrams[i];
        values[i].co2eGrams <== co2eGrams[i];
        values[i].riskFlags <== riskFlags[i];
        note[i] = NoteCommitment();
        note[i].valuesHash <== values[i].valuesHash;
        note[i].kind <== BATCH_PACK();
        note[i].owner <== key.key;
        note[i].state <== NOTE_ACTIVE();
        note[i].counterparty <== 0;
        note[i].tag <== passportKey[i];
        note[i].blinding <== blinding[i];
        path[i] = LeanIMTRoot(noteDepth);
        path[i].leaf <== note[i].commitment;
        path[i].length <== notePathLength[i];
        path[i].pathIndex <== notePathIndex[i];
        path[i].siblings <== noteSiblings[i];
        (path[i].root - noteRoot) * used[i] === 0;

        // Each share at least the batch's: minBps * grams <= part * 10000, both below 2^55 (grams
        // below 2^24, parts below 2^64 but at most the grams, basis points below 2^14). An unused slot's zeros meet every bound.
        for (var m = 0; m < metals; m++) {
            certified[i][m] = AssertLessEqBounded(55);
            certified[i][m].a <== minShare[m][0] * grams[i][m];
            certified[i][m].b <== certifiedGrams[i][m] * 10000;
            preConsumer[i][m] = AssertLessEqBounded(55);
            preConsumer[i][m].a <== minShare[m][1] * grams[i][m];
            preConsumer[i][m].b <== preConsumerGrams[i][m] * 10000;
            postConsumer[i][m] = AssertLessEqBounded(55);
            postConsumer[i][m].a <== minShare[m][2] * grams[i][m];
            postConsumer[i][m].b <== postConsumerGrams[i][m] * 10000;
        }
        // CO2e: co2e * 1000 (below 2^74) at most the bound per kg of cobalt times the cobalt (below
        // 2^56), where one is claimed, and the bound per kWh times the capacity (below 2^64).
        perKgCap[i] <== maxPerKg * grams[i][0];
        perKgCo2e[i] <== co2eGrams[i] * perKgClaimed;
        perKgBound[i] = AssertLessEqBounded(129);
        perKgBound[i].a <== perKgCo2e[i] * 1000;
        perKgBound[i].b <== perKgCap[i];
        perKwhBound[i] = AssertLessEqBounded(129);
        perKwhBound[i].a <== co2eGrams[i] * 1000;
        perKwhBound[i].b <== perKwhCap;
        // No forbidden flag: riskFlags AND forbiddenRiskFlags == 0, bit by bit.
        flagBits[i] = RangeCheck(8);
        flagBits[i].in <== riskFlags[i];
        var bothSetCount = 0;
        for (var bit = 0; bit < 8; bit++) {
            bothSet[i][bit] <== flagBits[i].bits[bit] * claimBits.out[flagsAt + bit];
            bothSetCount += bothSet[i][bit];
        }
        bothSetCount === 0;
    }

    // context enters no other constraint; squaring it keeps it bound to the proof (as in Semaphore).
    signal contextSquare;
    contextSquare <== context * context;
}

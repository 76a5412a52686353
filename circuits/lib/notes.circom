pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "checks.circom";

// A note is a lot on the shielded ledger: only its commitment is public (a leaf of the note tree),
// and spending it reveals its nullifier, never which leaf it is.
//
//   commitment  = Poseidon(7)(valuesHash, kind, owner, state, counterparty, tag, blinding)
//   valuesHash  = Poseidon(4 * metals + 3)(grams[0], certifiedGrams[0], preConsumerGrams[0],
//                   postConsumerGrams[0], ..., the same for each metal ..., totalGrams, co2eGrams,
//                   riskFlags)
//   nullifier   = Poseidon(2)(commitment, blinding)
//   shielding key = Poseidon(2)(SHIELDING_DOMAIN, secret)
//
// - Values, per metal (metal 0 is cobalt; the metals are a parameter): contained grams, grams from
//   certified origins, pre- and post-consumer recycled grams; then the lot's total grams, its
//   embodied CO2e in grams and its risk flags (bit 0 child labour, 1 human rights, 2 artisanal site,
//   3 conflict-affected area). Every note's values are 64-bit grams (flags one byte), certified <=
//   grams and pre + post <= grams per metal, the metals at most the total: the operation creating a
//   note proves it (origin.circom, transform). Custody operations move valuesHash unopened.
// - kind: the material kind (MaterialKind's index, model/lots.py), which also says which metals the
//   note may hold (KIND_HOLDING below; every operation creating a note proves it). tag: the physical lot's tag (seal or bag id
//   digest, and the mint's idempotency key), kept through custody.
// - owner: the shielding key that may spend the note. state: 0 active, 1 offered (owner is the
//   receiver, counterparty the sender, who may cancel), 2 disputed (the same two, until an auditor
//   resolves it). counterparty is 0 for an active note.
// - blinding: random; it hides low-entropy values and is the nullifier's secret, known to whoever
//   knows the opening (sender and receiver of an offer, and the auditors).

// The shielding-key domain, "batterytrace.shielding.v1" read as a big-endian integer: keeps a key
// from being any other Poseidon(2) output of the protocol (tree nodes, nullifiers).
function SHIELDING_DOMAIN() {
    return 617545557289007673089206618821154403121066370089136071538225;
}

// The material kinds that may hold each metal (model.lots.KIND_METALS), twelve per metal with the last
// repeated: cobalt every cobalt kind, pCAM, CAM, cells, modules, packs and black mass (0-11); lithium
// CAM to pack, black mass and the lithium kinds (6-10, 12-15); nickel pCAM to pack, black mass and the
// nickel kinds (5-10, 16-18). Metal 0 is cobalt, 1 lithium, 2 nickel.
function KIND_HOLDING(metal, n) {
    var kinds[3][12] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
                        [6, 7, 8, 9, 10, 12, 13, 14, 15, 15, 15, 15],
                        [5, 6, 7, 8, 9, 10, 16, 17, 18, 18, 18, 18]];
    return kinds[metal][n];
}

function NOTE_ACTIVE() { return 0; }
function NOTE_OFFERED() { return 1; }
function NOTE_DISPUTED() { return 2; }

// Outputs the hash of a note's value vector. Checks nothing: each operation that creates a note
// constrains its values (range checks where a value is free, the rules of the operation where it is
// determined), and only what the operation leaves free needs a range check there.
template NoteValuesHash(metals) {
    assert(metals >= 1 && metals <= 3);   // 4 * 3 + 3 = 15 inputs: one Poseidon; a fourth metal needs two
    signal input grams[metals];               // private
    signal input certifiedGrams[metals];      // private
    signal input preConsumerGrams[metals];    // private
    signal input postConsumerGrams[metals];   // private
    signal input totalGrams;                  // private
    signal input co2eGrams;                   // private
    signal input riskFlags;                   // private
    signal output valuesHash;

    component hash = Poseidon(4 * metals + 3);
    for (var m = 0; m < metals; m++) {
        hash.inputs[4 * m] <== grams[m];
        hash.inputs[4 * m + 1] <== certifiedGrams[m];
        hash.inputs[4 * m + 2] <== preConsumerGrams[m];
        hash.inputs[4 * m + 3] <== postConsumerGrams[m];
    }
    hash.inputs[4 * metals] <== totalGrams;
    hash.inputs[4 * metals + 1] <== co2eGrams;
    hash.inputs[4 * metals + 2] <== riskFlags;
    valuesHash <== hash.out;
}

// Proves that a note of `kind` holds only metals its kind may hold: for each metal, grams * the
// product of (kind - k) over the kinds holding it is 0, and the product is 0 only for those kinds.
// 12 constraints per metal. The caller has constrained kind to a small number (an origin type's or a
// facility type's kinds, or an input's).
template KindHoldsMetals(metals) {
    assert(metals >= 1 && metals <= 3);
    signal input kind;              // private
    signal input grams[metals];     // private
    signal miss[metals][12];
    for (var m = 0; m < metals; m++) {
        miss[m][0] <== kind - KIND_HOLDING(m, 0);
        for (var n = 1; n < 12; n++) {
            miss[m][n] <== miss[m][n - 1] * (kind - KIND_HOLDING(m, n));
        }
        grams[m] * miss[m][11] === 0;
    }
}

// Outputs a note's commitment (its leaf). Checks nothing: a created note's fields are constrained by
// the operation that creates it, and a spent note's by the operation that created it earlier.
template NoteCommitment() {
    signal input valuesHash;     // private
    signal input kind;           // private
    signal input owner;          // private: a shielding key
    signal input state;          // private: NOTE_ACTIVE, NOTE_OFFERED or NOTE_DISPUTED
    signal input counterparty;   // private: a shielding key, or 0
    signal input tag;            // private
    signal input blinding;       // private
    signal output commitment;

    component hash = Poseidon(7);
    hash.inputs <== [valuesHash, kind, owner, state, counterparty, tag, blinding];
    commitment <== hash.out;
}

// Outputs a note's nullifier: deterministic per note, and unknown to anyone without its opening.
template NoteNullifier() {
    signal input commitment;   // private
    signal input blinding;     // private
    signal output nullifier;

    component hash = Poseidon(2);
    hash.inputs <== [commitment, blinding];
    nullifier <== hash.out;
}

// Outputs the shielding key of `secret`: knowing the secret is what spending a note needs.
template ShieldingKey() {
    signal input secret;   // private
    signal output key;

    component hash = Poseidon(2);
    hash.inputs <== [SHIELDING_DOMAIN(), secret];
    key <== hash.out;
}

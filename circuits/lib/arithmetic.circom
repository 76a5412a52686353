pragma circom 2.1.9;

include "checks.circom";

// Arithmetic the note transform builds on: distinct used commitments, sums, and shares rounded
// down or up, each pinned by its remainder.

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

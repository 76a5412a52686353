pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";

// Helpers shared by the batterytrace circuits. Comparisons here are cheaper than circomlib's LessThan
// because their callers have already range-checked both operands: a difference of two values below
// 2^n is itself below 2^n exactly when it did not wrap around the field, so one Num2Bits(n) of the
// difference decides the comparison. n is kept at or below 252 so that 2^n is far below the BN254
// scalar field modulus p (about 2^253.6) and a wrapped difference (p minus something < 2^n) can never
// pass for a small one.

// Proves that `in` is below 2^n (in: private or public per caller) and exposes its bits.
template RangeCheck(n) {
    assert(n > 0 && n <= 252);
    signal input in;
    signal output bits[n];

    component toBits = Num2Bits(n);
    toBits.in <== in;
    bits <== toBits.out;
}

// Proves a <= b, given that the caller has proved a < 2^n and b < 2^n.
template AssertLessEqBounded(n) {
    assert(n > 0 && n <= 252);
    signal input a;
    signal input b;

    component difference = Num2Bits(n);
    difference.in <== b - a;
}

// Proves a < b, given that the caller has proved a < 2^n and b < 2^n.
template AssertLessThanBounded(n) {
    assert(n > 0 && n <= 252);
    signal input a;
    signal input b;

    component difference = Num2Bits(n);
    difference.in <== b - a - 1;
}

// Proves that `in` is not zero whenever `enabled` is 1 (enabled must be a bit; when it is 0 nothing is
// proved about `in`). One constraint: in * inverse == enabled.
template AssertNonZeroIf() {
    signal input in;
    signal input enabled;

    signal inverse;
    inverse <-- in != 0 ? 1 / in : 0;
    in * inverse === enabled;
}

// Proves that `in` is not zero.
template AssertNonZero() {
    signal input in;

    component check = AssertNonZeroIf();
    check.in <== in;
    check.enabled <== 1;
}

// Proves that `in` is 0 or 1.
template AssertBit() {
    signal input in;

    in * (in - 1) === 0;
}

// Proves that `bps` is a basis-points value, an integer from 0 to 10000 (bps: private or public per
// caller). Once bps < 2^14 is proved, 10000 - bps fits in 14 bits exactly when it did not wrap around
// the field, that is when bps <= 10000.
// The signal layout (a headroom signal of its own, its bits before those of bps, since circom orders
// anonymous subcomponents by template name) is that of the inline checks the committed keys were
// built on. AssertLessEqBounded(14)(bps, 10000) would keep the constraints but shift the R1CS labels.
template AssertBps() {
    signal input bps;

    signal headroom <== 10000 - bps;
    _ <== Num2Bits(14)(headroom);
    _ <== RangeCheck(14)(bps);
}

// Proves that `in` is not zero whenever `enabled` is 1, and nothing when it is 0, where `in` may be
// anything (AssertNonZeroIf's witness needs `in` to be 0 then). enabled must be a bit.
template AssertNonZeroWhen() {
    signal input in;
    signal input enabled;

    signal inverse;
    inverse <-- in != 0 && enabled != 0 ? 1 / in : 0;
    in * inverse === enabled;
}

pragma circom 2.1.9;

include "circomlib/circuits/escalarmulany.circom";

// A test helper (compiled --O0): circomlib's EscalarMulAny(251) alone, as ViewKeyAgreement instantiates it,
// to compute its signals for a view key the whole circuit refuses (an attacker's consistent part).
component main = EscalarMulAny(251);

pragma circom 2.1.9;

include "../../../circuits/lib/encryption.circom";

// A test helper (compiled --O0): circomlib's EscalarMulFix(251, Base8) alone, as ViewKeyAgreement
// instantiates it, to compute its signals for bits the whole circuit refuses (an attacker's part).
component main = EscalarMulFix(251, babyJubBase8());

pragma circom 2.1.9;

include "../../../circuits/lib/encryption.circom";

// A test helper (compiled --O0): the keystream of encryption_7 alone, to compute its signals for a
// shared point the whole circuit would not derive (an attacker's consistent part).
component main = ViewKeyKeystream(7);

pragma circom 2.1.9;

include "lib/pack_batch.circom";

// Fifteen passports per proof (the most whose circuit fits a 2^17 phase 1, about an hour and a half on
// two cores; sixteen need 2^18), their 15 slots in 10 public words, three metals, the note tree's 24 levels and the registry's 16. The
// public signals are listed in the order of the array the passport contract passes its verifier.
component main {public [noteRoot, participantsRoot, issuer, claims, context, packs]} = PackBatchClaimProof(15, 3, 24, 16);

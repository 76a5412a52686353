pragma circom 2.1.9;

include "lib/pack_batch.circom";

// Fifteen passports per proof (issue 16, step 3, not yet wired to a contract: the most whose circuit
// fits a 2^17 phase 1, about an hour on two cores; sixteen need 2^18), three metals, the note
// tree's 24 levels and the registry's 16. The public signals are listed in the order of the array the
// passport contract will pass its verifier.
component main {public [noteRoot, participantsRoot, issuer, claims, bounds, context, packs]} = PackBatchClaimProof(15, 3, 24, 16);

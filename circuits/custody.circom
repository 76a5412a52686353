pragma circom 2.1.9;

include "lib/custody.circom";

// Note tree: LeanIMT proofs of up to 24 levels (16.7 million notes per tree; the ledger starts a new
// tree when one is full and keeps the full trees' roots). Registry trees: up to 16 levels.
component main {public [noteRoot, nullifier, outputCommitment, participantsRoot, operation, context]} = CustodyProof(24, 16);

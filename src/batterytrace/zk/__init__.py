"""The zero-knowledge layer: field, Poseidon, commitments, envelopes, proofs, prover, verifier, circuit
inputs; and the shielded ledger's notes, shielding keys, custody, origin, note transform and batch claim
rules, Baby Jubjub view keys and the Poseidon keystream cipher."""

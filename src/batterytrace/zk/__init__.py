"""The zero-knowledge layer: field, Poseidon, commitments, envelopes, proofs, prover, verifier, circuit
inputs; and the shielded ledger's notes, shielding keys, custody and origin rules, Baby Jubjub view keys
and the Poseidon keystream cipher."""

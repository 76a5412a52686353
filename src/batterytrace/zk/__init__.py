"""The zero-knowledge layer: field, Poseidon, commitments, envelopes, proofs, prover, verifier, circuit inputs."""

pragma circom 2.1.9;

include "lib/transform.circom";

// 4 inputs x 4 outputs covers the common jobs in one proof (split 1->4, merge 4->1, refine 1->1,
// anything in between, with unused slots left at commitment 0); larger jobs chain several transforms
// through intermediate lots. It keeps the circuit near 9,000 constraints, so the whole ceremony fits a
// 2^14 Powers-of-Tau: 8 slots already cost 8 Poseidon(7) hashes and 8 range-checked openings, and
// 8 x 8 would need 2^15 with a phase 1 several times slower.
component main {public [inputCommitments, outputCommitments, maxYieldLossBps, processCo2eGrams, processCo2eFloorGramsPerKg, context]} = TransformProof(4, 4);

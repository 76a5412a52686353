pragma circom 2.1.9;

include "lib/claim.circom";

// The public signals are listed in the order of the array ClaimVerifier receives from the contract.
component main {public [packCommitment, cobaltGrams, minCertifiedBps, minRecycledBps, maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh, capacityWh, forbiddenRiskFlags, context]} = ClaimProof();

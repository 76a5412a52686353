pragma circom 2.1.9;

include "lib/mint.circom";

// The public signals are listed in the order of the array MintVerifier receives from the contract.
component main {public [commitment, certified, recycledOrigin, riskFlags, co2eFloorGramsPerKg, context]} = MintProof();

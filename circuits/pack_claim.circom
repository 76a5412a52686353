pragma circom 2.1.9;

include "lib/pack_claim.circom";

// Three metals (cobalt, lithium, nickel), the note tree's 24 levels and the registry's 16, as CustodyProof(24, 16). The
// public signals are listed in the order of the array the passport contract passes its verifier.
component main {public [noteRoot, nullifier, participantsRoot, issuer, metalClaims, maxCo2eGramsPerKgCobalt, maxCo2eGramsPerKwh, capacityWh, forbiddenRiskFlags, context]} = PackClaimProof(3, 24, 16);

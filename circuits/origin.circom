pragma circom 2.1.9;

include "lib/origin.circom";

// Three metals (cobalt, lithium, nickel); registry trees of up to 16 levels, as the custody circuit.
component main {public [outputCommitment, mintTag, participantsRoot, facilitiesRoot, certificationsRoot, proofTime, typeFloors, context]} = OriginProof(3, 16);

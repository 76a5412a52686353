pragma circom 2.1.9;

include "lib/origin.circom";

// One metal (cobalt) for now; registry trees of up to 16 levels, as the custody circuit.
component main {public [outputCommitment, mintTag, participantsRoot, facilitiesRoot, certificationsRoot, proofTime, industrialMineFloor, artisanalSiteFloor, recyclerFloor, context]} = OriginProof(1, 16);

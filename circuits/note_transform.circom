pragma circom 2.1.9;

include "lib/note_transform.circom";

// 4 inputs x 4 outputs, as the transparent transform (split 1->4, merge 4->1, refine 1->1, unused
// slots at 0); three metals (cobalt, lithium, nickel); note tree and registry trees of the custody
// and origin circuits' depths. Four 24-level note paths and three metals make it 51,110
// constraints: a 2^16 Powers of Tau.
component main {public [noteRoot, nullifiers, outputCommitments, participantsRoot, facilitiesRoot, context]} = NoteTransformProof(4, 4, 3, 24, 16);

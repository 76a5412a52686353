pragma circom 2.1.9;

include "../../../circuits/lib/note_transform.circom";

// A test main for NoteTransformProof with two metals, two slots a side and shallow trees: a metal no
// input holds (the second, here) must be refused in outputs and must not divide by zero.
component main {public [noteRoot, nullifiers, outputCommitments, participantsRoot, facilitiesRoot, context]} = NoteTransformProof(2, 2, 2, 4, 4);

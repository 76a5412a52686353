pragma circom 2.1.9;

include "circomlib/circuits/comparators.circom";
include "checks.circom";
include "merkle.circom";
include "notes.circom";
include "registry.circom";

// Proves one custody step on the shielded ledger: one note in the tree is spent (its nullifier is
// public, not its leaf) and one note with the same values, kind and tag is created, by a registered
// participant who may take this step. Nobody learns who acted, on which lot, or with whom.
//
// operation (public)      spends a note          actor (its shielding key)   creates a note
//   1 offer               active                 the owner                   offered: owner the receiver, counterparty the sender
//   2 cancel              offered                the counterparty (sender)   active, owned by the sender
//   3 accept              offered                the owner (receiver)        active, owned by the receiver
//   4 dispute             offered                the owner (receiver)        disputed: the same owner and counterparty
//   5 deliver (resolve)   disputed               an auditor, neither party   active, owned by the receiver
//   6 return (resolve)    disputed               an auditor, neither party   active, owned by the sender
//
// The actor proves its shielding key's secret and a participants-tree leaf holding that key, so a
// revoked participant (its leaf removed) moves nothing; an auditor's leaf must carry the auditor
// role (Roles.index 1). An offer's receiver is any key but the sender's: the receiver proves its own
// membership when it accepts or disputes, and until then the sender may cancel.
//
// Public signals, in this order: noteRoot, nullifier, outputCommitment, participantsRoot, operation,
// context. No outputs.
template CustodyProof(noteDepth, registryDepth) {
    signal input noteRoot;               // public: a root of the note tree the contract knows
    signal input nullifier;              // public: the spent note's nullifier
    signal input outputCommitment;       // public: the created note, appended to the tree
    signal input participantsRoot;       // public: a root of the registry's participants tree
    signal input operation;              // public: 1..6, the table above
    signal input context;                // public: binds the proof to chain, contract and the call

    signal input valuesHash;             // private: the spent note's opening, and the new note's values
    signal input kind;                   // private
    signal input owner;                  // private
    signal input state;                  // private
    signal input counterparty;           // private
    signal input tag;                    // private
    signal input blinding;               // private
    signal input notePathLength;         // private: the spent note's LeanIMT proof
    signal input notePathIndex;          // private
    signal input noteSiblings[noteDepth];   // private

    signal input receiver;               // private: an offer's receiver (ignored by other operations)
    signal input outputBlinding;         // private

    signal input actorSecret;            // private
    signal input actorAccount;           // private: the actor's participants-tree leaf
    signal input actorRoleIndex;         // private
    signal input actorRiskFlags;         // private
    signal input actorPathLength;        // private
    signal input actorPathIndex;         // private
    signal input actorSiblings[registryDepth];   // private

    // The operation, one-hot: at most one bit is 1. An operation outside 1..6 (all bits 0) would need
    // the actor's key to be 0, which no secret gives (see the actor's check below).
    component isOperation[6];
    for (var k = 0; k < 6; k++) {
        isOperation[k] = IsZero();
        isOperation[k].in <== operation - (k + 1);
    }
    var isOffer = isOperation[0].out;
    var isCancel = isOperation[1].out;
    var isAccept = isOperation[2].out;
    var isDispute = isOperation[3].out;
    var isDeliver = isOperation[4].out;
    var isReturn = isOperation[5].out;
    var isResolve = isDeliver + isReturn;

    // The spent note: in the tree, and its nullifier.
    component spent = NoteCommitment();
    spent.valuesHash <== valuesHash;
    spent.kind <== kind;
    spent.owner <== owner;
    spent.state <== state;
    spent.counterparty <== counterparty;
    spent.tag <== tag;
    spent.blinding <== blinding;
    component notePath = LeanIMTRoot(noteDepth);
    notePath.leaf <== spent.commitment;
    notePath.length <== notePathLength;
    notePath.pathIndex <== notePathIndex;
    notePath.siblings <== noteSiblings;
    notePath.root === noteRoot;
    component spentNullifier = NoteNullifier();
    spentNullifier.commitment <== spent.commitment;
    spentNullifier.blinding <== blinding;
    spentNullifier.nullifier === nullifier;

    // The state each operation spends (linear in the one-hot bits).
    state === (isCancel + isAccept + isDispute) * NOTE_OFFERED() + isResolve * NOTE_DISPUTED();

    // The actor: a registered participant holding the key whose secret it knows.
    component actorKey = ShieldingKey();
    actorKey.secret <== actorSecret;
    component actor = ParticipantMembership(registryDepth);
    actor.account <== actorAccount;
    actor.roleIndex <== actorRoleIndex;
    actor.riskFlags <== actorRiskFlags;
    actor.shieldingKey <== actorKey.key;
    actor.pathLength <== actorPathLength;
    actor.pathIndex <== actorPathIndex;
    actor.siblings <== actorSiblings;
    actor.root === participantsRoot;

    // Offer, accept and dispute are the owner's; cancel is the counterparty's (the sender's).
    signal ownerActs <== (isOffer + isAccept + isDispute) * owner;
    signal senderActs <== isCancel * counterparty;
    (1 - isResolve) * (actorKey.key - ownerActs - senderActs) === 0;
    // A resolution is an auditor's who is neither party.
    isResolve * (actorRoleIndex - 1) === 0;
    component auditorIsNotOwner = AssertNonZeroWhen();
    auditorIsNotOwner.in <== actorKey.key - owner;
    auditorIsNotOwner.enabled <== isResolve;
    component auditorIsNotSender = AssertNonZeroWhen();
    auditorIsNotSender.in <== actorKey.key - counterparty;
    auditorIsNotSender.enabled <== isResolve;
    // Nobody offers a lot to itself.
    component receiverIsNotSender = AssertNonZeroWhen();
    receiverIsNotSender.in <== receiver - owner;
    receiverIsNotSender.enabled <== isOffer;

    // The created note: the same values, kind and tag; the new custody fields.
    signal newOwnerIsReceiver <== isOffer * receiver;
    signal newOwnerIsSender <== (isCancel + isReturn) * counterparty;
    signal newOwnerIsOwner <== (isAccept + isDispute + isDeliver) * owner;
    signal offeredBy <== isOffer * owner;
    signal disputedWith <== isDispute * counterparty;
    component created = NoteCommitment();
    created.valuesHash <== valuesHash;
    created.kind <== kind;
    created.owner <== newOwnerIsReceiver + newOwnerIsSender + newOwnerIsOwner;
    created.state <== isOffer * NOTE_OFFERED() + isDispute * NOTE_DISPUTED();
    created.counterparty <== offeredBy + disputedWith;
    created.tag <== tag;
    created.blinding <== outputBlinding;
    created.commitment === outputCommitment;

    // context enters no other constraint; squaring it keeps it bound to the proof (as in Semaphore).
    signal contextSquare;
    contextSquare <== context * context;
}

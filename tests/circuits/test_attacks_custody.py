"""CustodyProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the custody circuit, its own and those of the
templates it uses (notes, merkle, registry, checks, circomlib's IsZero, Num2Bits and Poseidon): each
satisfies every other constraint of the sources and violates this one, and the committed R1CS must
reject it. The public roots, nullifier and output commitment follow the forged witness (ties), so
each attack shows what the one constraint stops, not that a root would be unknown on chain; the
contract's own checks (known roots, unused nullifiers) are tested against the contract."""

from __future__ import annotations

import pytest

from batterytrace.zk.custody import CustodyOperation

from .attacker import Attack, AttackLab, constraint_labels, plus, poseidon_attacks
from .note_attacks import lean_imt_attacks, participant_attacks
from .notes import MINE, OUTSIDER, REFINERY, custody_scenario

CUSTODY = "lib/custody.circom CustodyProof: "
NOTES = "lib/notes.circom "
CHECKS = "lib/checks.circom "

TIES = {"main.noteRoot": "main.notePath.root", "main.nullifier": "main.spentNullifier.nullifier",
        "main.outputCommitment": "main.created.commitment", "main.participantsRoot": "main.actor.root"}


def untied(public: str) -> dict[str, str]:
    return {name: source for name, source in TIES.items() if name != public}


def same(name: str):
    """The honest value of `name`: pins a signal the attacker keeps while changing its source."""
    return lambda honest: honest(name)


def acting_as(party) -> dict[str, int]:
    """The actor's inputs replaced by another party's (its participants leaf follows: the root is tied)."""
    p = party.participant
    return {"main.actorSecret": party.secret, "main.actorAccount": p.account, "main.actorRoleIndex": p.role_index,
            "main.actorRiskFlags": p.risk_flags}


ATTACKS = [
    # CustodyProof: the operation, the spent note, the actor, the created note.
    Attack("an offer is proved while the contract records an accept",
           CUSTODY + "isOperation[k].in <== operation - (k + 1);", "offer",
           {"main.operation": 3, "main.isOperation[0].in": 0, "main.isOperation[2].in": 1}),
    Attack("an active note is accepted (it was never offered)",
           CUSTODY + "state === (isCancel + isAccept + isDispute) * NOTE_OFFERED() + isResolve * NOTE_DISPUTED();",
           "accept", {"main.state": 0}),
    Attack("the sender accepts its own offer",
           CUSTODY + "(1 - isResolve) * (actorKey.key - ownerActs - senderActs) === 0;", "accept",
           acting_as(MINE), culprits=("main.actorKey.key",)),
    Attack("someone else accepts the offer, the owner's term taken as its key",
           CUSTODY + "signal ownerActs <== (isOffer + isAccept + isDispute) * owner;", "accept",
           {**acting_as(OUTSIDER), "main.ownerActs": OUTSIDER.key}),
    Attack("someone else cancels the offer, the sender's term taken as its key",
           CUSTODY + "signal senderActs <== isCancel * counterparty;", "cancel",
           {**acting_as(OUTSIDER), "main.senderActs": OUTSIDER.key}),
    Attack("a processor resolves a dispute",
           CUSTODY + "isResolve * (actorRoleIndex - 1) === 0;", "deliver", {"main.actorRoleIndex": 3}),
    Attack("the receiver, also an auditor, resolves its own dispute",
           CHECKS + "AssertNonZeroWhen: in * inverse === enabled;", "deliver", acting_as(REFINERY) | {
               "main.actorRoleIndex": 1}, culprits=("main.auditorIsNotOwner.in",)),
    Attack("the receiver resolves its own dispute, the check fed another key",
           CUSTODY + "auditorIsNotOwner.in <== actorKey.key - owner;", "deliver",
           acting_as(REFINERY) | {"main.actorRoleIndex": 1, "main.auditorIsNotOwner.in": 1}),
    Attack("the receiver resolves its own dispute, the check disabled",
           CUSTODY + "auditorIsNotOwner.enabled <== isResolve;", "deliver",
           acting_as(REFINERY) | {"main.actorRoleIndex": 1, "main.auditorIsNotOwner.enabled": 0}),
    Attack("the sender resolves its own dispute, the check fed another key",
           CUSTODY + "auditorIsNotSender.in <== actorKey.key - counterparty;", "return",
           acting_as(MINE) | {"main.actorRoleIndex": 1, "main.auditorIsNotSender.in": 1}),
    Attack("the sender resolves its own dispute, the check disabled",
           CUSTODY + "auditorIsNotSender.enabled <== isResolve;", "return",
           acting_as(MINE) | {"main.actorRoleIndex": 1, "main.auditorIsNotSender.enabled": 0}),
    Attack("a lot offered to its own owner, the check fed another key",
           CUSTODY + "receiverIsNotSender.in <== receiver - owner;", "offer",
           {"main.receiver": MINE.key, "main.receiverIsNotSender.in": 1}),
    Attack("a lot offered to its own owner, the check disabled",
           CUSTODY + "receiverIsNotSender.enabled <== isOffer;", "offer",
           {"main.receiver": MINE.key, "main.receiverIsNotSender.enabled": 0}),
    Attack("the actor's membership is checked for another account",
           CUSTODY + "actor.account <== actorAccount;", "accept", {"main.actor.account": plus("main.actorAccount", 1)}),
    Attack("the actor's membership is checked for another role",
           CUSTODY + "actor.roleIndex <== actorRoleIndex;", "deliver", {"main.actor.roleIndex": 3}),
    Attack("the actor's membership is checked with other flags",
           CUSTODY + "actor.riskFlags <== actorRiskFlags;", "accept", {"main.actor.riskFlags": 1}),
    Attack("the actor's membership is checked for another key than the one it proves",
           CUSTODY + "actor.shieldingKey <== actorKey.key;", "accept", {"main.actor.shieldingKey": OUTSIDER.key}),
    Attack("the actor's path length is not the one given",
           CUSTODY + "actor.pathLength <== actorPathLength;", "accept",
           {"main.actor.pathLength": plus("main.actorPathLength", 1)}),
    Attack("the actor's path index is not the one given",
           CUSTODY + "actor.pathIndex <== actorPathIndex;", "accept",
           {"main.actor.pathIndex": plus("main.actorPathIndex", 1)}),
    Attack("the actor's siblings are not the ones given",
           CUSTODY + "actor.siblings <== actorSiblings;", "accept",
           {"main.actor.siblings[0]": plus("main.actorSiblings[0]", 1)}),
    Attack("the actor's key is derived from another secret than the one given",
           CUSTODY + "actorKey.secret <== actorSecret;", "accept",
           {"main.actorSecret": plus("main.actorSecret", 1), "main.actorKey.secret": same("main.actorSecret")}),
    Attack("the actor is in a participants tree the contract does not know",
           CUSTODY + "actor.root === participantsRoot;", "accept",
           {"main.participantsRoot": plus("main.participantsRoot", 1)}, ties=untied("main.participantsRoot")),
    Attack("the spent note is hashed with other values",
           CUSTODY + "spent.valuesHash <== valuesHash;", "accept", {"main.spent.valuesHash": plus("main.valuesHash", 1)}),
    Attack("the spent note is hashed with another kind",
           CUSTODY + "spent.kind <== kind;", "accept", {"main.spent.kind": plus("main.kind", 1)}),
    Attack("the spent note is hashed with another owner",
           CUSTODY + "spent.owner <== owner;", "accept", {"main.spent.owner": OUTSIDER.key}),
    Attack("the spent note is hashed with another state",
           CUSTODY + "spent.state <== state;", "accept", {"main.spent.state": 0}),
    Attack("the spent note is hashed with another counterparty",
           CUSTODY + "spent.counterparty <== counterparty;", "accept", {"main.spent.counterparty": OUTSIDER.key}),
    Attack("the spent note is hashed with another tag",
           CUSTODY + "spent.tag <== tag;", "accept", {"main.spent.tag": plus("main.tag", 1)}),
    Attack("the spent note is hashed with another blinding",
           CUSTODY + "spent.blinding <== blinding;", "accept", {"main.spent.blinding": plus("main.blinding", 1)}),
    Attack("the tree holds another leaf than the spent note",
           CUSTODY + "notePath.leaf <== spent.commitment;", "accept",
           {"main.notePath.leaf": plus("main.spent.commitment", 1)}),
    Attack("the note's path length is not the one given",
           CUSTODY + "notePath.length <== notePathLength;", "accept",
           {"main.notePath.length": plus("main.notePathLength", 1)}),
    Attack("the note's path index is not the one given",
           CUSTODY + "notePath.pathIndex <== notePathIndex;", "accept",
           {"main.notePath.pathIndex": plus("main.notePathIndex", 1)}),
    Attack("the note's siblings are not the ones given",
           CUSTODY + "notePath.siblings <== noteSiblings;", "accept",
           {"main.notePath.siblings[0]": plus("main.noteSiblings[0]", 1)}),
    Attack("the note is in a tree the contract does not know (or not in the tree at all)",
           CUSTODY + "notePath.root === noteRoot;", "accept", {"main.noteRoot": plus("main.noteRoot", 1)},
           ties=untied("main.noteRoot")),
    Attack("a fresh nullifier for the note, from another commitment",
           CUSTODY + "spentNullifier.commitment <== spent.commitment;", "accept",
           {"main.spentNullifier.commitment": plus("main.spent.commitment", 1)}),
    Attack("a fresh nullifier for the note, from another blinding",
           CUSTODY + "spentNullifier.blinding <== blinding;", "accept",
           {"main.spentNullifier.blinding": plus("main.blinding", 1)}),
    Attack("the public nullifier is not the note's (it could be spent again)",
           CUSTODY + "spentNullifier.nullifier === nullifier;", "accept", {"main.nullifier": plus("main.nullifier", 1)},
           ties=untied("main.nullifier")),
    Attack("an offer goes to someone other than the receiver proved",
           CUSTODY + "signal newOwnerIsReceiver <== isOffer * receiver;", "offer",
           {"main.newOwnerIsReceiver": OUTSIDER.key}),
    Attack("a cancelled offer returns to someone other than the sender",
           CUSTODY + "signal newOwnerIsSender <== (isCancel + isReturn) * counterparty;", "cancel",
           {"main.newOwnerIsSender": OUTSIDER.key}),
    Attack("an accepted lot goes to someone other than the receiver",
           CUSTODY + "signal newOwnerIsOwner <== (isAccept + isDispute + isDeliver) * owner;", "accept",
           {"main.newOwnerIsOwner": OUTSIDER.key}),
    Attack("an offer names another sender to cancel it",
           CUSTODY + "signal offeredBy <== isOffer * owner;", "offer", {"main.offeredBy": OUTSIDER.key}),
    Attack("a dispute names another sender",
           CUSTODY + "signal disputedWith <== isDispute * counterparty;", "dispute",
           {"main.disputedWith": OUTSIDER.key}),
    Attack("the created note carries other values",
           CUSTODY + "created.valuesHash <== valuesHash;", "accept",
           {"main.created.valuesHash": plus("main.valuesHash", 1)}),
    Attack("the created note is of another kind",
           CUSTODY + "created.kind <== kind;", "accept", {"main.created.kind": 4}),
    Attack("the created note is owned by someone else",
           CUSTODY + "created.owner <== newOwnerIsReceiver + newOwnerIsSender + newOwnerIsOwner;", "accept",
           {"main.created.owner": OUTSIDER.key}),
    Attack("an accepted lot stays offered",
           CUSTODY + "created.state <== isOffer * NOTE_OFFERED() + isDispute * NOTE_DISPUTED();", "accept",
           {"main.created.state": 1}),
    Attack("an accepted lot keeps a counterparty who may cancel it",
           CUSTODY + "created.counterparty <== offeredBy + disputedWith;", "accept",
           {"main.created.counterparty": MINE.key}),
    Attack("the created note carries another tag",
           CUSTODY + "created.tag <== tag;", "accept", {"main.created.tag": plus("main.tag", 1)}),
    Attack("the created note's blinding is not the one given",
           CUSTODY + "created.blinding <== outputBlinding;", "accept",
           {"main.created.blinding": plus("main.outputBlinding", 1)}),
    Attack("the public output is not the created note",
           CUSTODY + "created.commitment === outputCommitment;", "accept",
           {"main.outputCommitment": plus("main.outputCommitment", 1)}, ties=untied("main.outputCommitment")),
    Attack("context is no longer squared (it binds the proof to chain, contract and call)",
           CUSTODY + "contextSquare <== context * context;", "accept",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    # NoteCommitment, NoteNullifier, ShieldingKey.
    Attack("the spent note's commitment is not its hash",
           NOTES + "NoteCommitment: commitment <== hash.out;", "accept",
           {"main.spent.commitment": plus("main.spent.commitment", 1)}),
    Attack("the spent note's hash is of another opening",
           NOTES + "NoteCommitment: hash.inputs <== [valuesHash, kind, owner, state, counterparty, tag, blinding];",
           "accept", {"main.spent.hash.inputs[0]": plus("main.valuesHash", 1)}),
    Attack("the nullifier hashes another pair",
           NOTES + "NoteNullifier: hash.inputs <== [commitment, blinding];", "accept",
           {"main.spentNullifier.hash.inputs[1]": plus("main.blinding", 1)}),
    Attack("the nullifier is not its hash",
           NOTES + "NoteNullifier: nullifier <== hash.out;", "accept",
           {"main.spentNullifier.nullifier": plus("main.spentNullifier.nullifier", 1)}),
    Attack("an auditor's key without the shielding domain",
           NOTES + "ShieldingKey: hash.inputs <== [SHIELDING_DOMAIN(), secret];", "deliver",
           {"main.actorKey.hash.inputs[0]": 0}),
    Attack("an auditor's key is not its hash",
           NOTES + "ShieldingKey: key <== hash.out;", "deliver", {"main.actorKey.key": plus("main.actorKey.key", 1)}),
    *lean_imt_attacks("main.notePath", "main.notePathLength", "main.notePathIndex", "accept"),
    *participant_attacks("main.actor", "main.actorAccount", "main.actorRoleIndex", "main.actorRiskFlags",
                         "main.actorPathLength", "main.actorPathIndex", "main.actorSiblings[0]", "offer"),
    *poseidon_attacks("main.created.hash", "accept"),
]

SCENARIOS = {operation.name.lower(): custody_scenario(operation) for operation in CustodyOperation}


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("custody", SCENARIOS, {name: TIES for name in SCENARIOS}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("custody"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)


"""Custody steps on the shielded ledger: the rules of circuits/lib/custody.circom and its inputs.

One custody proof spends one note and creates its successor (same values, kind and tag): offer,
cancel, accept, dispute, and the auditor's two resolutions. ``custody_successor`` is the Python home
of the circuit's transition table, so a step the circuit refuses is refused here first, with the
reason; ``custody_inputs`` lays out the witness.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from batterytrace.exceptions import ProofError
from batterytrace.zk.merkle import MembershipProof
from batterytrace.zk.notes import Note, NoteState

#: CustodyProof(24, 16) in circuits/custody.circom (OriginProof(1, 16) shares the registry depth).
NOTE_TREE_DEPTH = 24
REGISTRY_TREE_DEPTH = 16
#: Roles.index(AUDITOR) in contracts/Roles.sol.
AUDITOR_ROLE_INDEX = 1


class CustodyOperation(IntEnum):
    """The custody circuit's public ``operation``."""

    OFFER = 1
    CANCEL = 2
    ACCEPT = 3
    DISPUTE = 4
    DELIVER = 5  # an auditor resolves a dispute for the receiver
    RETURN = 6  # an auditor resolves a dispute for the sender


_SPENDS = {
    CustodyOperation.OFFER: NoteState.ACTIVE,
    CustodyOperation.CANCEL: NoteState.OFFERED,
    CustodyOperation.ACCEPT: NoteState.OFFERED,
    CustodyOperation.DISPUTE: NoteState.OFFERED,
    CustodyOperation.DELIVER: NoteState.DISPUTED,
    CustodyOperation.RETURN: NoteState.DISPUTED,
}


@dataclass(frozen=True)
class Participant:
    """The actor's participants-tree leaf: account, role index, operator risk flags, shielding key."""

    account: int
    role_index: int
    risk_flags: int
    shielding_key: int


def custody_successor(
    note: Note, operation: CustodyOperation, actor: Participant, *, receiver: int = 0, blinding: int | None = None
) -> Note:
    """The note ``operation`` creates from ``note`` when ``actor`` takes it; ProofError (with the
    reason) for a step the custody circuit refuses."""
    operation = CustodyOperation(operation)
    if note.state != _SPENDS[operation]:
        raise ProofError(f"{operation.name.lower()} spends a {_SPENDS[operation].name.lower()} note, "
                         f"this one is {note.state.name.lower()}")
    key = actor.shielding_key
    if operation in (CustodyOperation.DELIVER, CustodyOperation.RETURN):
        if actor.role_index != AUDITOR_ROLE_INDEX:
            raise ProofError("only an auditor resolves a dispute")
        if key in (note.owner, note.counterparty):
            raise ProofError("an auditor who is a party to the dispute cannot resolve it")
    elif key != (note.counterparty if operation == CustodyOperation.CANCEL else note.owner):
        holder = "sender" if operation == CustodyOperation.CANCEL else "owner"
        raise ProofError(f"only the note's {holder} may {operation.name.lower()} it")
    if operation == CustodyOperation.OFFER:
        if receiver in (0, note.owner):
            raise ProofError("an offer goes to another participant's shielding key")
        return note.moved(owner=receiver, state=NoteState.OFFERED, counterparty=note.owner, blinding=blinding)
    if operation == CustodyOperation.DISPUTE:
        return note.moved(owner=note.owner, state=NoteState.DISPUTED, counterparty=note.counterparty,
                          blinding=blinding)
    new_owner = note.counterparty if operation in (CustodyOperation.CANCEL, CustodyOperation.RETURN) else note.owner
    return note.moved(owner=new_owner, state=NoteState.ACTIVE, blinding=blinding)


def padded_path(proof: MembershipProof, depth: int) -> tuple[int, int, list[int]]:
    """A LeanIMT proof as LeanIMTRoot(depth) takes it: length, path index, siblings padded with 0."""
    if len(proof.siblings) > depth:
        raise ProofError(f"the tree is deeper ({len(proof.siblings)} levels) than the circuit's {depth}")
    return len(proof.siblings), proof.path_index, list(proof.siblings) + [0] * (depth - len(proof.siblings))


def custody_inputs(
    note: Note,
    note_proof: MembershipProof,
    successor: Note,
    operation: CustodyOperation,
    actor: Participant,
    actor_secret: int,
    actor_proof: MembershipProof,
    context: int,
) -> dict[str, Any]:
    """The custody circuit's inputs, public signals first (circuits/manifest.json's order)."""
    if note_proof.leaf != note.commitment:
        raise ProofError("the note proof is for another leaf than the note's commitment")
    note_length, note_index, note_siblings = padded_path(note_proof, NOTE_TREE_DEPTH)
    actor_length, actor_index, actor_siblings = padded_path(actor_proof, REGISTRY_TREE_DEPTH)
    return {
        "noteRoot": note_proof.root,
        "nullifier": note.nullifier,
        "outputCommitment": successor.commitment,
        "participantsRoot": actor_proof.root,
        "operation": int(operation),
        "context": context,
        "valuesHash": note.values.values_hash,
        "kind": note.kind,
        "owner": note.owner,
        "state": int(note.state),
        "counterparty": note.counterparty,
        "tag": note.tag,
        "blinding": note.blinding,
        "notePathLength": note_length,
        "notePathIndex": note_index,
        "noteSiblings": note_siblings,
        "receiver": successor.owner if operation == CustodyOperation.OFFER else 0,
        "outputBlinding": successor.blinding,
        "actorSecret": actor_secret,
        "actorAccount": actor.account,
        "actorRoleIndex": actor.role_index,
        "actorRiskFlags": actor.risk_flags,
        "actorPathLength": actor_length,
        "actorPathIndex": actor_index,
        "actorSiblings": actor_siblings,
    }

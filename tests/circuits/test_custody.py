"""CustodyProof: one note spent, its successor created, by a participant who may take the step.

Honest witnesses come from ``batterytrace.zk.custody`` (the SDK's twin of the circuit's table) and
must be accepted with the public signals in the contract's order; the refusals here go through the
witness generator with honest-looking inputs a careless or dishonest caller would send. The attacks
on each constraint, with witnesses written by hand, are in test_attacks_custody.py."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import ProofError
from batterytrace.zk.custody import AUDITOR_ROLE_INDEX, CustodyOperation, custody_successor
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues

from .lots import FIELD_MODULUS
from .notes import AUDITOR, BAG, CONTEXT, MINE, NONE, OUTSIDER, REFINERY, Ledger, note, party

STEPS = [
    # operation, spent note, actor, receiver, expected successor (owner, state, counterparty)
    (CustodyOperation.OFFER, note(), MINE, REFINERY, (REFINERY, NoteState.OFFERED, MINE)),
    (CustodyOperation.CANCEL, note(NoteState.OFFERED, REFINERY, MINE), MINE, None, (MINE, NoteState.ACTIVE, None)),
    (CustodyOperation.ACCEPT, note(NoteState.OFFERED, REFINERY, MINE), REFINERY, None,
     (REFINERY, NoteState.ACTIVE, None)),
    (CustodyOperation.DISPUTE, note(NoteState.OFFERED, REFINERY, MINE), REFINERY, None,
     (REFINERY, NoteState.DISPUTED, MINE)),
    (CustodyOperation.DELIVER, note(NoteState.DISPUTED, REFINERY, MINE), AUDITOR, None,
     (REFINERY, NoteState.ACTIVE, None)),
    (CustodyOperation.RETURN, note(NoteState.DISPUTED, REFINERY, MINE), AUDITOR, None, (MINE, NoteState.ACTIVE, None)),
]


@pytest.mark.parametrize(("operation", "spent", "actor", "receiver", "expected"), STEPS,
                         ids=[step[0].name.lower() for step in STEPS])
def test_each_step_is_accepted_with_public_signals_in_contract_order(evaluate, operation, spent, actor, receiver,
                                                                     expected):
    ledger = Ledger([spent])
    inputs = ledger.inputs(spent, operation, actor, receiver=receiver)
    owner, state, counterparty = expected
    successor = Note(BAG, kind=1, owner=owner.key, tag=0xBA6, state=state,
                     counterparty=counterparty.key if counterparty else 0, blinding=0xB1)
    [evaluation] = evaluate("custody", [inputs])
    assert evaluation.accepted, evaluation.error
    assert evaluation.public_signals == [ledger.notes.root, spent.nullifier, successor.commitment,
                                         ledger.participants.root, int(operation), CONTEXT]


def test_a_note_at_any_depth_and_a_one_leaf_tree_are_accepted(evaluate):
    spent = note()
    alone = Ledger([])
    alone.notes = LeanIMT([spent.commitment])
    deep = Ledger([])
    deep.notes = LeanIMT(list(range(1, 1030)) + [spent.commitment])
    results = evaluate("custody", [ledger.inputs(spent, CustodyOperation.OFFER, MINE, receiver=REFINERY)
                                   for ledger in (alone, deep)])
    assert [r.accepted for r in results] == [True, True]


def refused(evaluate, *inputs: dict[str, object]) -> list[str]:
    return [evaluation.stage for evaluation in evaluate("custody", list(inputs))]


def test_the_twin_refuses_what_the_circuit_refuses():
    with pytest.raises(ProofError, match="spends a offered note"):
        custody_successor(note(), CustodyOperation.ACCEPT, MINE.participant)
    with pytest.raises(ProofError, match="only the note's owner"):
        custody_successor(note(), CustodyOperation.OFFER, REFINERY.participant, receiver=MINE.key)
    with pytest.raises(ProofError, match="only an auditor"):
        custody_successor(note(NoteState.DISPUTED, REFINERY, MINE), CustodyOperation.DELIVER, MINE.participant)
    with pytest.raises(ProofError, match="party to the dispute"):
        auditor_as_party = party(333, AUDITOR.participant.account, AUDITOR_ROLE_INDEX)
        custody_successor(note(NoteState.DISPUTED, auditor_as_party, MINE), CustodyOperation.RETURN,
                          auditor_as_party.participant)
    with pytest.raises(ProofError, match="another participant"):
        custody_successor(note(), CustodyOperation.OFFER, MINE.participant, receiver=MINE.key)


def test_someone_elses_note_a_foreign_tree_a_wrong_state_and_an_unregistered_actor_are_refused(evaluate):
    offered = note(NoteState.OFFERED, REFINERY, MINE)
    ledger = Ledger([note(), offered])
    honest_accept = ledger.inputs(offered, CustodyOperation.ACCEPT, REFINERY)
    # The sender accepts its own offer: its key is not the owner's.
    stolen = ledger.inputs(offered, CustodyOperation.ACCEPT, MINE,
                           successor=offered.moved(owner=REFINERY.key, state=NoteState.ACTIVE, blinding=0xB1))
    # A note that is not in the tree (another tree's root).
    other = Ledger([offered.moved(owner=REFINERY.key, state=NoteState.OFFERED, counterparty=MINE.key, blinding=5)])
    foreign_root = {**honest_accept, "noteRoot": other.notes.root}
    # Accepting an active note (the state the proof claims is not the note's).
    wrong_state = {**honest_accept, "operation": int(CustodyOperation.CANCEL)}
    # An actor outside the participants tree, proving against the real root.
    outsider_ledger = Ledger([offered], registered=(MINE, REFINERY, AUDITOR))
    outsider = outsider_ledger.inputs(offered, CustodyOperation.ACCEPT, OUTSIDER,
                                      successor=offered.moved(owner=REFINERY.key, state=NoteState.ACTIVE))
    # A nullifier that is not the note's (a fresh one would let it be spent twice).
    fresh_nullifier = {**honest_accept, "nullifier": (offered.nullifier + 1) % FIELD_MODULUS}
    # An operation outside 1..6.
    no_operation = {**honest_accept, "operation": 7}
    stages = refused(evaluate, stolen, foreign_root, wrong_state, outsider, fresh_nullifier, no_operation)
    assert "accepted" not in stages, stages


def test_an_auditor_role_is_needed_and_an_auditor_who_is_a_party_cannot_resolve(evaluate):
    disputed = note(NoteState.DISPUTED, REFINERY, MINE)
    ledger = Ledger([disputed])
    by_miner = ledger.inputs(disputed, CustodyOperation.DELIVER, MINE,
                             successor=disputed.moved(owner=REFINERY.key, state=NoteState.ACTIVE))
    auditing_refinery = party(222, REFINERY.participant.account, AUDITOR_ROLE_INDEX)
    ledger_with_party = Ledger([disputed], registered=(MINE, auditing_refinery, AUDITOR))
    by_party = ledger_with_party.inputs(disputed, CustodyOperation.RETURN, auditing_refinery,
                                        successor=disputed.moved(owner=MINE.key, state=NoteState.ACTIVE))
    assert "accepted" not in refused(evaluate, by_miner, by_party)


def test_the_successor_keeps_values_kind_and_tag(evaluate):
    spent = note()
    ledger = Ledger([spent])
    honest = custody_successor(spent, CustodyOperation.OFFER, MINE.participant, receiver=REFINERY.key, blinding=0xB1)
    lighter = Note(NoteValues((MetalValues(600_000, 600_000, 0, 0), NONE, NONE), 2_000_000, 3_500_000, 4), kind=1,
                   owner=REFINERY.key, tag=0xBA6, state=NoteState.OFFERED, counterparty=MINE.key, blinding=0xB1)
    other_kind = Note(BAG, kind=4, owner=REFINERY.key, tag=0xBA6, state=NoteState.OFFERED, counterparty=MINE.key,
                      blinding=0xB1)
    other_tag = Note(BAG, kind=1, owner=REFINERY.key, tag=0xBA7, state=NoteState.OFFERED, counterparty=MINE.key,
                     blinding=0xB1)
    inputs = [ledger.inputs(spent, CustodyOperation.OFFER, MINE, receiver=REFINERY, successor=n)
              for n in (honest, lighter, other_kind, other_tag)]
    for forged in inputs[1:]:
        forged["receiver"] = REFINERY.key
    assert [r.accepted for r in evaluate("custody", inputs)] == [True, False, False, False]


def test_a_proof_from_the_committed_key_verifies_and_binds_every_public_signal():
    from batterytrace.zk.prover import Prover
    from batterytrace.zk.verifier import verify_offchain

    spent, actor, receiver = note(), MINE, REFINERY
    ledger = Ledger([spent])
    inputs = ledger.inputs(spent, CustodyOperation.OFFER, actor, receiver=receiver)
    with Prover() as prover:
        proof = prover.prove("custody", inputs)
    signals = list(proof.public_signals)
    assert signals == [inputs[name] for name in ("noteRoot", "nullifier", "outputCommitment", "participantsRoot",
                                                 "operation", "context")]
    assert verify_offchain("custody", proof, signals)
    for index in range(len(signals)):
        altered = signals.copy()
        altered[index] = (altered[index] + 1) % FIELD_MODULUS
        assert not verify_offchain("custody", proof.__class__(proof.a, proof.b, proof.c, tuple(altered)), altered)

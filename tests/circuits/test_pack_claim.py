"""PackClaimProof: a passport's claims proven from one pack note of its issuer, which the proof spends.

Honest witnesses come from ``batterytrace.zk.pack_claim`` (the SDK's twin of the circuit's rules) and
must be accepted with the public signals in the passport contract's order. Each refusal is shown
twice: the twin raises ProofError naming the claim, and the circuit, given what a careless or
dishonest prover would send past the twin, refuses it too (through the witness generator). The
attacks on each constraint, with witnesses written by hand, are in test_attacks_pack_claim.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.exceptions import ProofError
from batterytrace.zk.custody import Participant
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.notes import MetalValues, NoteState
from batterytrace.zk.pack_claim import PackClaims, check_pack_claims, pack_claim_inputs

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, FIELD_MODULUS, TWO_64
from .notes import CONTEXT, OUTSIDER, participant_leaf
from .pack_notes import CAPACITY_WH, CLAIMS, MODULE, OEM, PACK_MAKER, PACK_VALUES, PassportLedger, pack_note


def test_an_honest_claim_is_accepted_with_public_signals_in_contract_order(evaluate):
    pack = pack_note()
    ledger = PassportLedger([pack_note(OEM), pack])
    [evaluation] = evaluate("pack_claim", [ledger.claim_inputs(pack)])
    assert evaluation.accepted, evaluation.error
    assert evaluation.public_signals == [
        ledger.notes.root, pack.nullifier, ledger.participants.root, PACK_MAKER.participant.account,
        8_000, 4_000, 1_000, 1_500, 7_500, 800, CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA, CONTEXT]


def test_the_tightest_claims_are_the_packs_own_figures():
    assert PackClaims.tightest(pack_note(), CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA) == CLAIMS
    assert CLAIMS.public_signals() == [8_000, 4_000, 1_000, 1_500, 7_500, 800, CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA]


def test_a_pack_alone_in_its_tree_and_weaker_claims_are_accepted(evaluate):
    pack = pack_note()
    alone = PassportLedger([])
    alone.notes = LeanIMT([pack.commitment])
    weaker = replace(CLAIMS, min_certified_bps=(0,), min_pre_consumer_bps=(0,), min_post_consumer_bps=(0,),
                     max_co2e_grams_per_kg_cobalt=TWO_64 - 1, max_co2e_grams_per_kwh=TWO_64 - 1, forbidden_risk_flags=0)
    results = evaluate("pack_claim", [alone.claim_inputs(pack), PassportLedger([pack]).claim_inputs(pack, claims=weaker)])
    assert [r.accepted for r in results] == [True, True], [r.error for r in results]


# Claims one step past the pack's figures, each with the twin's words for it.
PAST_A_BOUND = {
    "declared grams above the note's": (replace(CLAIMS, declared_grams=(8_001,)), "declares 8001 g of cobalt"),
    "declared grams below the note's": (replace(CLAIMS, declared_grams=(7_999,)), "declares 7999 g of cobalt"),
    "certified share below its bound": (replace(CLAIMS, min_certified_bps=(4_001,)), "certified share of cobalt"),
    "pre-consumer share below its bound": (replace(CLAIMS, min_pre_consumer_bps=(1_001,)), "pre-consumer recycled share"),
    "post-consumer share below its bound": (replace(CLAIMS, min_post_consumer_bps=(1_501,)),
                                            "post-consumer recycled share"),
    "CO2e above the bound per kg of cobalt": (replace(CLAIMS, max_co2e_grams_per_kg_cobalt=7_499), "per kg of cobalt"),
    "CO2e above the bound per kWh": (replace(CLAIMS, max_co2e_grams_per_kwh=799), "per kWh"),
    "CO2e above the bound per kWh of a smaller pack": (replace(CLAIMS, capacity_wh=74_999), "per kWh"),
    "a forbidden flag": (replace(CLAIMS, forbidden_risk_flags=ARTISANAL_SITE), "forbidden risk flags 0x04"),
    "a share bound above 100%": (replace(CLAIMS, min_certified_bps=(10_001,)), "basis points"),
    "a capacity of 2^64 Wh": (replace(CLAIMS, capacity_wh=TWO_64), "capacity_wh must be"),
    "a bound per kg of 2^64 g": (replace(CLAIMS, max_co2e_grams_per_kg_cobalt=TWO_64), "max_co2e_grams_per_kg_cobalt"),
    "forbidden flags above one byte": (replace(CLAIMS, forbidden_risk_flags=1 << 8), "one byte"),
}


@pytest.mark.parametrize(("claims", "reason"), PAST_A_BOUND.values(), ids=PAST_A_BOUND)
def test_the_twin_refuses_a_claim_past_the_packs_figures(claims, reason):
    with pytest.raises(ProofError, match=reason):
        check_pack_claims(pack_note(), claims)


def test_the_circuit_refuses_every_claim_past_the_packs_figures(evaluate):
    pack = pack_note()
    ledger = PassportLedger([pack])
    stages = [r.stage for r in evaluate("pack_claim", [ledger.forged_inputs(pack, claims=claims)
                                                       for claims, _ in PAST_A_BOUND.values()])]
    assert "accepted" not in stages, dict(zip(PAST_A_BOUND, stages))


def test_a_share_bound_wrapping_around_the_field_is_refused(evaluate):
    # -1 bps makes minimum * grams the field's -8000: AssertBps stops it before the share bound.
    pack = pack_note()
    [evaluation] = evaluate("pack_claim", [PassportLedger([pack]).forged_inputs(
        pack, minCertifiedBps=[FIELD_MODULUS - 1])])
    assert not evaluation.accepted


def test_the_twin_refuses_a_note_the_issuer_may_not_spend():
    ledger = PassportLedger([pack_note(OEM)])
    with pytest.raises(ProofError, match="pack note \\(material kind 9\\), this one is of kind 8"):
        check_pack_claims(pack_note(kind=MODULE), CLAIMS)
    with pytest.raises(ProofError, match="active note, this one is offered"):
        check_pack_claims(pack_note(state=NoteState.OFFERED, counterparty=OEM), CLAIMS)
    with pytest.raises(ProofError, match="owned by another shielding key"):
        ledger.claim_inputs(pack_note(OEM), PACK_MAKER)
    with pytest.raises(ProofError, match="not the issuer's shielding secret"):
        impostor = Participant(OEM.participant.account, OEM.participant.role_index, 0, PACK_MAKER.key)
        pack = pack_note(OEM)
        pack_claim_inputs(pack, ledger.notes.proof(pack.commitment), CLAIMS, impostor, OEM.secret,
                          ledger.participants.proof(participant_leaf(OEM.participant)), CONTEXT)
    with pytest.raises(ProofError, match="another leaf"):
        pack = pack_note()
        pack_claim_inputs(pack, ledger.notes.proof(pack_note(OEM).commitment), CLAIMS, PACK_MAKER.participant,
                          PACK_MAKER.secret, ledger.issuer_proof(PACK_MAKER), CONTEXT)


def test_the_circuit_refuses_a_note_the_issuer_may_not_spend(evaluate):
    pack, module = pack_note(), pack_note(kind=MODULE)
    offered = pack_note(state=NoteState.OFFERED, counterparty=OEM)
    theirs = pack_note(OEM)
    ledger = PassportLedger([module, offered, theirs])
    honest = PassportLedger([pack]).claim_inputs(pack)
    cases = {
        "a non-pack note": ledger.forged_inputs(module),
        "an offered note": ledger.forged_inputs(offered),
        "someone else's note": ledger.forged_inputs(theirs),
        # A pack of the issuer's that is not in the tree (the ledger above does not hold it).
        "a note not in the tree": {**honest, "noteRoot": ledger.notes.root},
        "a passport issued in another participant's name": {**honest, "issuer": OEM.participant.account},
        "an unregistered issuer": PassportLedger([pack_note(OUTSIDER)]).claim_inputs(pack_note(OUTSIDER), OUTSIDER),
        "a fresh nullifier": {**honest, "nullifier": (pack.nullifier + 1) % FIELD_MODULUS},
        # A pack with the same values but one more gram of cobalt than the note in the tree.
        "other values than the note's": {**honest, "grams": [8_001], "declaredGrams": [8_001]},
    }
    stages = [r.stage for r in evaluate("pack_claim", list(cases.values()))]
    assert "accepted" not in stages, dict(zip(cases, stages))


def test_a_pack_with_a_forbidden_flag_is_refused_by_both(evaluate):
    tainted = pack_note(values=replace(PACK_VALUES, risk_flags=ARTISANAL_SITE | CHILD_LABOUR))
    with pytest.raises(ProofError, match="forbidden risk flags 0x01"):
        check_pack_claims(tainted, CLAIMS)
    [evaluation] = evaluate("pack_claim", [PassportLedger([tainted]).forged_inputs(tainted)])
    assert not evaluation.accepted


def test_a_pack_without_enough_certified_cobalt_is_refused_by_both(evaluate):
    less = pack_note(values=replace(PACK_VALUES, metals=(MetalValues(8_000, 3_199, 800, 1_200),)))
    with pytest.raises(ProofError, match="3199 g of 8000 g, below the claimed 4000 bps"):
        check_pack_claims(less, CLAIMS)
    [evaluation] = evaluate("pack_claim", [PassportLedger([less]).forged_inputs(less)])
    assert not evaluation.accepted

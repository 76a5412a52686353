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
from batterytrace.zk.notes import METALS, MetalValues, NoteState
from batterytrace.zk.pack_claim import PackClaims, check_pack_claims, pack_claim_inputs

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, FIELD_MODULUS, TWO_64
from .notes import CONTEXT, OUTSIDER, participant_leaf
from .pack_notes import CAPACITY_WH, CLAIMS, MODULE, OEM, PACK_MAKER, PACK_VALUES, PassportLedger, pack_note


def test_an_honest_claim_is_accepted_with_public_signals_in_contract_order(evaluate):
    pack = pack_note()
    ledger = PassportLedger([pack_note(OEM), pack])
    [evaluation] = evaluate("pack_claim", [ledger.claim_inputs(pack)])
    assert evaluation.accepted, evaluation.error
    # Per metal one signal: grams | certified << 64 | pre-consumer << 80 | post-consumer << 96.
    metal_claims = [8_000 | 4_000 << 64 | 1_000 << 80 | 1_500 << 96, 7_000 | 5_000 << 64 | 600 << 80 | 800 << 96,
                    40_000 | 7_500 << 64 | 500 << 80 | 1_000 << 96]
    assert evaluation.public_signals == [
        ledger.notes.root, pack.nullifier, ledger.participants.root, PACK_MAKER.participant.account,
        *metal_claims, 7_500, 800, CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA, CONTEXT]


def test_the_tightest_claims_are_the_packs_own_figures():
    assert PackClaims.tightest(pack_note(), CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA) == CLAIMS
    assert CLAIMS.public_signals() == [*CLAIMS.metal_claims, 7_500, 800, CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA]


def test_a_pack_alone_in_its_tree_and_weaker_claims_are_accepted(evaluate):
    pack = pack_note()
    alone = PassportLedger([])
    alone.notes = LeanIMT([pack.commitment])
    weaker = replace(CLAIMS, min_certified_bps=(0,) * 3, min_pre_consumer_bps=(0,) * 3, min_post_consumer_bps=(0,) * 3,
                     max_co2e_grams_per_kg_cobalt=TWO_64 - 1, max_co2e_grams_per_kwh=TWO_64 - 1, forbidden_risk_flags=0)
    results = evaluate("pack_claim", [alone.claim_inputs(pack), PassportLedger([pack]).claim_inputs(pack, claims=weaker)])
    assert [r.accepted for r in results] == [True, True], [r.error for r in results]


def per_metal(field: str, metal: int, value: int) -> PackClaims:
    """CLAIMS with `field` (a per-metal tuple) of `metal` replaced by `value`."""
    values = list(getattr(CLAIMS, field))
    values[metal] = value
    return replace(CLAIMS, **{field: tuple(values)})


# Claims one step past the pack's figures, each with the twin's words for it (per metal below).
PAST_A_BOUND = {
    "declared grams above the note's": (per_metal("declared_grams", 0, 8_001), "declares 8001 g of cobalt"),
    "declared grams below the note's": (per_metal("declared_grams", 0, 7_999), "declares 7999 g of cobalt"),
    "certified share below its bound": (per_metal("min_certified_bps", 0, 4_001), "certified share of cobalt"),
    "pre-consumer share below its bound": (per_metal("min_pre_consumer_bps", 0, 1_001), "pre-consumer recycled share"),
    "post-consumer share below its bound": (per_metal("min_post_consumer_bps", 0, 1_501),
                                            "post-consumer recycled share"),
    "CO2e above the bound per kg of cobalt": (replace(CLAIMS, max_co2e_grams_per_kg_cobalt=7_499), "per kg of cobalt"),
    "CO2e above the bound per kWh": (replace(CLAIMS, max_co2e_grams_per_kwh=799), "per kWh"),
    "CO2e above the bound per kWh of a smaller pack": (replace(CLAIMS, capacity_wh=74_999), "per kWh"),
    "a forbidden flag": (replace(CLAIMS, forbidden_risk_flags=ARTISANAL_SITE), "forbidden risk flags 0x04"),
    "a share bound above 100%": (per_metal("min_certified_bps", 0, 10_001), "basis points"),
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


def test_a_packed_claim_wrapping_around_the_field_or_past_its_112_bits_is_refused(evaluate):
    # A claim of -1 (the field's p - 1) or with bit 112 set decomposes into no 112 bits.
    pack = pack_note()
    ledger = PassportLedger([pack])
    results = evaluate("pack_claim", [
        ledger.forged_inputs(pack, metalClaims=[FIELD_MODULUS - 1, *CLAIMS.metal_claims[1:]]),
        ledger.forged_inputs(pack, metalClaims=[CLAIMS.metal_claims[0] + (1 << 112), *CLAIMS.metal_claims[1:]]),
    ])
    assert [r.accepted for r in results] == [False, False], [r.stage for r in results]


def refusing_template(error: str) -> str:
    """The template whose check failed, past the Num2Bits a comparison or range check fails in."""
    chain = [frame.split("_")[0] for frame in error.split("Error in template ")[1:]]
    return next(template for template in chain if template != "Num2Bits")


#: Per metal (cobalt, lithium, nickel), the pack's grams and its shares in bps (certified, pre-, post-consumer).
PACK_FIGURES = {metal: (CLAIMS.declared_grams[m], CLAIMS.min_certified_bps[m], CLAIMS.min_pre_consumer_bps[m],
                        CLAIMS.min_post_consumer_bps[m]) for m, metal in enumerate(METALS)}


@pytest.mark.parametrize("metal", METALS)
def test_a_claim_past_the_packs_figures_for_each_metal_is_refused_by_both(evaluate, metal):
    m = METALS.index(metal)
    grams, certified, pre, post = PACK_FIGURES[metal]
    # Each with the twin's words and the circuit's template that refuses it.
    cases = [
        (per_metal("declared_grams", m, grams + 1), f"declares {grams + 1} g of {metal}", "PackClaimProof"),
        (per_metal("declared_grams", m, grams - 1), f"declares {grams - 1} g of {metal}", "PackClaimProof"),
        (per_metal("min_certified_bps", m, certified + 1), f"certified share of {metal}", "AssertLessEqBounded"),
        (per_metal("min_pre_consumer_bps", m, pre + 1), f"pre-consumer recycled share of {metal}", "AssertLessEqBounded"),
        (per_metal("min_post_consumer_bps", m, post + 1), f"post-consumer recycled share of {metal}",
         "AssertLessEqBounded"),
        # Bounds above 100%, each still within its 16-bit field of the packed claim.
        (per_metal("min_certified_bps", m, 10_001), f"min_certified_bps of {metal} must be basis points", "AssertBps"),
        (per_metal("min_pre_consumer_bps", m, 10_001), f"min_pre_consumer_bps of {metal} must be basis points",
         "AssertBps"),
        (per_metal("min_post_consumer_bps", m, 65_535), f"min_post_consumer_bps of {metal} must be basis points",
         "AssertBps"),
    ]
    for claims, reason, _template in cases:
        with pytest.raises(ProofError, match=reason):
            check_pack_claims(pack_note(), claims)
    pack = pack_note()
    ledger = PassportLedger([pack])
    results = evaluate("pack_claim", [ledger.forged_inputs(pack, claims=claims) for claims, _, _ in cases])
    assert all(not r.accepted for r in results), [r.stage for r in results]
    assert [refusing_template(r.error) for r in results] == [template for _, _, template in cases]
    # The same claims one step back, at the pack's figures, pass.
    [honest] = evaluate("pack_claim", [ledger.forged_inputs(pack, claims=CLAIMS)])
    assert honest.accepted, honest.error


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
        "other values than the note's": {**honest, "grams": [8_001, 7_000, 40_000],
                                         "metalClaims": [CLAIMS.metal_claims[0] + 1, *CLAIMS.metal_claims[1:]]},
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
    less = pack_note(values=replace(PACK_VALUES, metals=(MetalValues(8_000, 3_199, 800, 1_200), *PACK_VALUES.metals[1:])))
    with pytest.raises(ProofError, match="3199 g of 8000 g, below the claimed 4000 bps"):
        check_pack_claims(less, CLAIMS)
    [evaluation] = evaluate("pack_claim", [PassportLedger([less]).forged_inputs(less)])
    assert not evaluation.accepted

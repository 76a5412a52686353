"""PackBatchClaimProof (circuits/pack_batch.circom): fifteen passports' claims in one proof, each pack
note tagged with its passport's key. Every refusal is a witness built by hand, past any twin, and
refused by the circuit's constraints (witness generation or the r1cs check)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.exceptions import ProofError
from batterytrace.zk.notes import MetalValues
from batterytrace.zk.pack_batch import BatchClaims, MetalShares, check_batch, pack_batch_inputs
from batterytrace.zk.pack_batch import slot_signal as sdk_slot_signal
from batterytrace.zk.pack_batch import slot_words as sdk_slot_words

from .lots import ARTISANAL_SITE, CHILD_LABOUR
from .notes import CONTEXT, OUTSIDER
from .pack_batch_notes import (
    FORBIDDEN,
    KEYS,
    OEM_PACK,
    PER_KG,
    PER_KWH,
    SHARES,
    SLOTS,
    batch_inputs,
    batch_pack,
    batch_scenario,
    bounds_signal,
    claims_signal,
    slot_signal,
    slot_words,
)
from .pack_notes import CAPACITY_WH, MODULE, PACK_MAKER, PassportLedger


def test_an_honest_batch_is_accepted_with_public_signals_in_contract_order(evaluate):
    ledger, packs = batch_scenario()
    [evaluation] = evaluate("pack_batch", [batch_inputs(ledger, packs)])
    assert evaluation.accepted, evaluation.error
    assert evaluation.public_signals == [ledger.notes.root, ledger.participants.root, PACK_MAKER.participant.account,
                                         claims_signal() | bounds_signal(), CONTEXT,
                                         *slot_words([slot_signal(note) for note in packs])]
    # Each used slot: the passport id in the low 96 bits, then each metal's grams in 24 bits; three
    # slots fill two words, the second straddling them.
    assert slot_signal(packs[0]) == KEYS[0] | 8_000 << 96 | 7_000 << 120 | 40_000 << 144
    words = evaluation.public_signals[5:]
    assert words[0] == slot_signal(packs[0]) | (slot_signal(packs[1]) & (2**84 - 1)) << 168
    assert words[1] == slot_signal(packs[1]) >> 84 | slot_signal(packs[2]) << 84 and words[2:] == [0] * 8


def test_a_full_batch_and_a_batch_of_one_are_accepted(evaluate):
    packs = [batch_pack(key) for key in range(1, SLOTS + 1)]
    full = PassportLedger(packs)
    one = PassportLedger(packs[:1])
    results = evaluate("pack_batch", [batch_inputs(full, packs), batch_inputs(one, packs[:1])])
    assert [r.accepted for r in results] == [True, True], [r.error for r in results]


def _refused(evaluate, inputs: list[dict]) -> None:
    results = evaluate("pack_batch", inputs)
    assert not [r for r in results if r.accepted], [(index, r.stage) for index, r in enumerate(results)]


def test_a_slot_must_state_the_notes_exact_grams_and_its_own_key(evaluate):
    ledger, packs = batch_scenario()
    slots = [slot_signal(note) for note in packs]
    more_cobalt, other_key, swapped = list(slots), list(slots), list(slots)
    more_cobalt[0] += 1 << 96                      # one gram of cobalt more than the note holds
    other_key[1] = slots[1] - KEYS[1] + KEYS[0]    # the second pack claimed for the first passport's id
    swapped[0], swapped[1] = slots[1], slots[0]     # ids and grams swapped between two slots
    honest = batch_inputs(ledger, packs)
    wide_word = list(honest["packs"])
    wide_word[0] += 1 << 252                        # a word past its 252 bits (another field element)
    _refused(evaluate, [*(batch_inputs(ledger, packs, slots=slots_) for slots_ in (more_cobalt, other_key, swapped)),
                        {**honest, "packs": wide_word}])


def test_only_the_issuers_active_packs_in_the_tree_back_a_batch(evaluate):
    ledger, packs = batch_scenario()
    module = batch_pack(KEYS[0], kind=MODULE)
    with_module = PassportLedger([module, *packs[1:]])
    outside = batch_pack(0x7777)                    # a pack note that is no leaf of the tree
    _refused(evaluate, [
        batch_inputs(ledger, [OEM_PACK, *packs[1:]]),  # the OEM's pack in the pack maker's batch
        batch_inputs(with_module, [module, *packs[1:]]),
        batch_inputs(ledger, packs, slots=[slot_signal(outside), *(slot_signal(note) for note in packs[1:])]),
        batch_inputs(ledger, packs, issuer=OUTSIDER),  # an issuer not in the participants tree
    ])


def test_every_pack_meets_the_batchs_shares_co2e_and_flags(evaluate):
    ledger, packs = batch_scenario()
    higher = [list(metal) for metal in SHARES]
    higher[2][1] += 1                               # nickel's pre-consumer share one bps above every pack's
    over_bps = [list(metal) for metal in SHARES]
    over_bps[0][0] = 10_001
    _refused(evaluate, [
        batch_inputs(ledger, packs, claims=claims_signal(tuple(map(tuple, higher)))),
        batch_inputs(ledger, packs, claims=claims_signal(tuple(map(tuple, over_bps)))),
        batch_inputs(ledger, packs, bounds=bounds_signal(per_kg=7_499)),     # CO2e per kg of cobalt
        batch_inputs(ledger, packs, bounds=bounds_signal(per_kwh=100)),      # CO2e per kWh
        batch_inputs(ledger, packs, claims=claims_signal(forbidden=FORBIDDEN | ARTISANAL_SITE)),
    ])
    flagged = [batch_pack(key, risk_flags=CHILD_LABOUR) for key in KEYS]
    _refused(evaluate, [batch_inputs(PassportLedger(flagged), flagged)])


def test_an_unused_slot_holds_nothing(evaluate):
    ledger, packs = batch_scenario()
    honest = batch_inputs(ledger, packs)
    grams = [list(row) for row in honest["grams"]]
    grams[5][0] = 1                                 # grams in a slot whose public signal is 0
    co2e = list(honest["co2eGrams"])
    co2e[5] = 1
    _refused(evaluate, [{**honest, "grams": grams}, {**honest, "co2eGrams": co2e}])


def test_the_tag_is_the_passport_id_not_a_field_element_above_96_bits(evaluate):
    ledger, packs = batch_scenario()
    big = [replace(packs[0], tag=KEYS[0] + (1 << 96)), *packs[1:]]
    wide = PassportLedger(big)
    # Whatever the slot says, its id is below 2^96 and so never this note's tag.
    rest = [slot_signal(note) for note in big[1:]]
    _refused(evaluate, [batch_inputs(wide, big), batch_inputs(wide, big, slots=[KEYS[0] | 8_000 << 96, *rest])])


def test_a_pack_without_cobalt_is_bounded_per_kwh_alone(evaluate):
    """An LFP pack holds no cobalt: no bound per kg of cobalt could hold, so a bound of 0 claims none."""
    lfp = replace(batch_pack(KEYS[0]), values=replace(batch_pack(KEYS[0]).values, metals=(
        MetalValues(0, 0, 0, 0), *batch_pack(KEYS[0]).values.metals[1:]), co2e_grams=60_000))
    ledger = PassportLedger([lfp])
    no_cobalt = ((0, 0, 0), *SHARES[1:])
    results = evaluate("pack_batch", [batch_inputs(ledger, [lfp], claims=claims_signal(no_cobalt), bounds=bounds_signal(per_kg=0)),
                                      batch_inputs(ledger, [lfp], claims=claims_signal(no_cobalt)),
                                      batch_inputs(ledger, [lfp], claims=claims_signal(no_cobalt),
                                                   bounds=bounds_signal(per_kg=0, per_kwh=799))])
    assert [r.accepted for r in results] == [True, False, False], [r.stage for r in results]


def test_the_sdks_layout_is_the_hand_layout(evaluate):
    """zk/pack_batch.py (the SDK's twin) lays out the same inputs as pack_batch_notes.py, and refuses
    what the circuit refuses before proving."""
    ledger, packs = batch_scenario()
    claims = BatchClaims(tuple(MetalShares(*metal) for metal in SHARES), PER_KG, PER_KWH, CAPACITY_WH, FORBIDDEN)
    proofs = [ledger.notes.proof(note.commitment) for note in packs]

    def twin(notes=packs, ids=KEYS, claims=claims, note_proofs=proofs):
        return pack_batch_inputs(notes, note_proofs, list(ids), claims, PACK_MAKER.participant, PACK_MAKER.secret,
                                 ledger.issuer_proof(PACK_MAKER), CONTEXT)

    laid_out = twin()
    assert laid_out == batch_inputs(ledger, packs)
    assert laid_out["packs"] == sdk_slot_words([sdk_slot_signal(key, [m.grams for m in note.values.metals])
                                                 for key, note in zip(KEYS, packs, strict=True)])
    [evaluation] = evaluate("pack_batch", [laid_out])
    assert evaluation.accepted, evaluation.error
    stronger = replace(claims, metals=(MetalShares(4_001, 1_000, 1_500), *claims.metals[1:]))
    for wrong, reason in ((dict(ids=(KEYS[1], KEYS[0], KEYS[2])), "tagged for passport"),
                          (dict(ids=(KEYS[0], KEYS[0], KEYS[2])), "a passport appears twice"),
                          (dict(claims=stronger), "certified share of cobalt"),
                          (dict(claims=replace(claims, max_co2e_grams_per_kwh=100)), "per kWh"),
                          (dict(notes=[OEM_PACK, *packs[1:]], ids=(OEM_PACK.tag, *KEYS[1:]),
                                note_proofs=[ledger.notes.proof(OEM_PACK.commitment), *proofs[1:]]), "owned by another")):
        with pytest.raises(ProofError, match=reason):
            twin(**wrong)
    heavy = replace(packs[0], values=replace(packs[0].values, metals=(MetalValues(1 << 24, 0, 0, 0), *packs[0].values.metals[1:]),
                                              total_grams=1 << 26))
    with pytest.raises(ProofError, match="do not fit a passport slot's 24 bits"):
        check_batch([heavy], [KEYS[0]], replace(claims, metals=(MetalShares(), *claims.metals[1:])))

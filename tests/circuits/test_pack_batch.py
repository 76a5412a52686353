"""PackBatchClaimProof (circuits/pack_batch.circom): fifteen passports' claims in one proof, each pack
note tagged with its passport's key. Every refusal is a witness built by hand, past any twin, and
refused by the circuit's constraints (witness generation or the r1cs check)."""

from __future__ import annotations

from dataclasses import replace

from .lots import ARTISANAL_SITE, CHILD_LABOUR
from .notes import CONTEXT, OUTSIDER
from .pack_batch_notes import (
    FORBIDDEN,
    KEYS,
    OEM_PACK,
    SHARES,
    SLOTS,
    batch_inputs,
    batch_pack,
    batch_scenario,
    bounds_signal,
    claims_signal,
    slot_signal,
)
from .pack_notes import MODULE, PACK_MAKER, PassportLedger


def test_an_honest_batch_is_accepted_with_public_signals_in_contract_order(evaluate):
    ledger, packs = batch_scenario()
    [evaluation] = evaluate("pack_batch", [batch_inputs(ledger, packs)])
    assert evaluation.accepted, evaluation.error
    assert evaluation.public_signals == [ledger.notes.root, ledger.participants.root, PACK_MAKER.participant.account,
                                         claims_signal(), bounds_signal(), CONTEXT,
                                         *[slot_signal(note) for note in packs], *[0] * (SLOTS - len(packs))]
    # Each used slot: the key in the low 128 bits, then each metal's grams in 40 bits.
    assert slot_signal(packs[0]) == KEYS[0] | 8_000 << 128 | 7_000 << 168 | 40_000 << 208


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
    honest = batch_inputs(ledger, packs)
    slots = list(honest["packs"])
    more_cobalt, other_key, swapped = list(slots), list(slots), list(slots)
    more_cobalt[0] += 1 << 128                     # one gram of cobalt more than the note holds
    other_key[1] = slots[1] - KEYS[1] + KEYS[0]    # the second pack claimed for the first passport's key
    swapped[0], swapped[1] = slots[1], slots[0]     # keys and grams swapped between two slots
    _refused(evaluate, [{**honest, "packs": slots_} for slots_ in (more_cobalt, other_key, swapped)])


def test_only_the_issuers_active_packs_in_the_tree_back_a_batch(evaluate):
    ledger, packs = batch_scenario()
    module = batch_pack(KEYS[0], kind=MODULE)
    with_module = PassportLedger([module, *packs[1:]])
    outside = batch_pack(0x7777)                    # a pack note that is no leaf of the tree
    _refused(evaluate, [
        batch_inputs(ledger, [OEM_PACK, *packs[1:]]),  # the OEM's pack in the pack maker's batch
        batch_inputs(with_module, [module, *packs[1:]]),
        {**batch_inputs(ledger, packs), "packs": [slot_signal(outside), *batch_inputs(ledger, packs)["packs"][1:]]},
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


def test_the_tag_is_the_key_not_a_field_element_above_128_bits(evaluate):
    ledger, packs = batch_scenario()
    big = [replace(packs[0], tag=KEYS[0] + (1 << 128)), *packs[1:]]
    wide = PassportLedger(big)
    # Whatever the slot says, its key is below 2^128 and so never this note's tag.
    _refused(evaluate, [batch_inputs(wide, big), batch_inputs(wide, big, slots=[KEYS[0], *batch_inputs(wide, big)["packs"][1:]])])

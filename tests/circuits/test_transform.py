"""TransformProof(4, 4): a processing job conserves cobalt within the allowed loss, splits certified
and recycled grams in proportion (rounded down), never loses CO2e (rounded up), declares process
emissions of at least the facility's floor per kg of material processed, and carries every input's
risk flags onto every output."""

from __future__ import annotations

import pytest

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, EMPTY_LOT, FIELD_MODULUS, Lot

SLOTS = 4
CONTEXT = 0xBA77
MAX_LOSS_BPS = 500

ORE = Lot(cobalt_grams=10_000, total_grams=200_000, certified_cobalt_grams=7_001,
          recycled_cobalt_grams=2_000, co2e_grams=50_000, risk_flags=ARTISANAL_SITE, blinding=11)
SCRAP_A = Lot(cobalt_grams=3_000, total_grams=9_000, certified_cobalt_grams=0,
              recycled_cobalt_grams=3_000, co2e_grams=1_000, risk_flags=0, blinding=21)
SCRAP_B = Lot(cobalt_grams=5_000, total_grams=5_000, certified_cobalt_grams=5_000,
              recycled_cobalt_grams=0, co2e_grams=20_000, risk_flags=CHILD_LABOUR, blinding=22)
SCRAP_C = Lot(cobalt_grams=2_000, total_grams=2_500, certified_cobalt_grams=1_000,
              recycled_cobalt_grams=1_000, co2e_grams=333, risk_flags=CONFLICT_AREA, blinding=23)


def honest_outputs(inputs: list[Lot], output_cobalt: list[int], process_co2e: int) -> list[Lot]:
    """The outputs the rulebook demands: floor shares of certified/recycled, ceil share of CO2e."""
    cobalt_in = sum(lot.cobalt_grams for lot in inputs)
    cobalt_out = sum(output_cobalt)
    certified_in = sum(lot.certified_cobalt_grams for lot in inputs)
    recycled_in = sum(lot.recycled_cobalt_grams for lot in inputs)
    co2e = sum(lot.co2e_grams for lot in inputs) + process_co2e
    flags = 0
    for lot in inputs:
        flags |= lot.risk_flags
    return [
        Lot(cobalt_grams=cobalt, total_grams=cobalt * 2,
            certified_cobalt_grams=certified_in * cobalt // cobalt_in,
            recycled_cobalt_grams=recycled_in * cobalt // cobalt_in,
            co2e_grams=-(-co2e * cobalt // cobalt_out), risk_flags=flags, blinding=1000 + index)
        for index, cobalt in enumerate(output_cobalt)
    ]


@pytest.fixture
def transform(commit, evaluate):
    """Evaluates one transform witness. `input_commitments`/`output_commitments` override the
    commitments computed from the openings (None: an unused slot's 0, or the opening's hash)."""

    def run(inputs: list[Lot | None], outputs: list[Lot | None], *, max_loss_bps: int = MAX_LOSS_BPS,
            process_co2e: int = 0, process_floor: int = 0, input_commitments: list[int] | None = None,
            openings_in: list[Lot | None] | None = None):
        inputs = inputs + [None] * (SLOTS - len(inputs))
        outputs = outputs + [None] * (SLOTS - len(outputs))
        commitments = commit(*inputs, *outputs)
        inputs_public = input_commitments or commitments[:SLOTS]
        opened_inputs = [lot or EMPTY_LOT for lot in (openings_in or inputs)]
        opened_outputs = [lot or EMPTY_LOT for lot in outputs]
        fields = ["cobalt_grams", "total_grams", "certified_cobalt_grams", "recycled_cobalt_grams",
                  "co2e_grams", "risk_flags", "blinding"]
        names = ["CobaltGrams", "TotalGrams", "CertifiedCobaltGrams", "RecycledCobaltGrams",
                 "Co2eGrams", "RiskFlags", "Blinding"]
        witness_input: dict[str, object] = {
            "inputCommitments": inputs_public,
            "outputCommitments": commitments[SLOTS:],
            "maxYieldLossBps": max_loss_bps,
            "processCo2eGrams": process_co2e,
            "processCo2eFloorGramsPerKg": process_floor,
            "context": CONTEXT,
        }
        for field, name in zip(fields, names):
            witness_input["input" + name] = [getattr(lot, field) for lot in opened_inputs]
            witness_input["output" + name] = [getattr(lot, field) for lot in opened_outputs]
        [evaluation] = evaluate("transform", [witness_input])
        return inputs_public + commitments[SLOTS:], evaluation

    return run


def test_split_one_into_three_is_accepted_with_exact_shares(transform):
    outputs = honest_outputs([ORE], [3_333, 3_333, 3_334], process_co2e=1_000)
    assert [(o.certified_cobalt_grams, o.recycled_cobalt_grams, o.co2e_grams) for o in outputs] == [
        (2_333, 666, 16_999), (2_333, 666, 16_999), (2_334, 666, 17_004)]
    commitments, evaluation = transform([ORE], outputs, process_co2e=1_000, process_floor=3)
    assert evaluation.accepted
    assert evaluation.public_signals == commitments + [MAX_LOSS_BPS, 1_000, 3, CONTEXT]


def test_merge_three_into_one_is_accepted_with_exact_sums(transform):
    [merged] = honest_outputs([SCRAP_A, SCRAP_B, SCRAP_C], [10_000], process_co2e=667)
    assert merged == Lot(10_000, 20_000, 6_000, 4_000, 22_000,
                         CHILD_LABOUR | CONFLICT_AREA, 1000)
    _, evaluation = transform([SCRAP_A, SCRAP_B, SCRAP_C], [merged], process_co2e=667)
    assert evaluation.accepted


def test_refine_with_loss_at_the_maximum_is_accepted(transform):
    [refined] = honest_outputs([ORE], [9_500], process_co2e=0)
    assert (refined.certified_cobalt_grams, refined.recycled_cobalt_grams, refined.co2e_grams) == (
        6_650, 1_900, 50_000)
    _, evaluation = transform([ORE], [refined])
    assert evaluation.accepted


def test_loss_one_gram_above_the_maximum_fails(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [9_499], process_co2e=0))
    assert not evaluation.accepted


def test_maximum_loss_above_10000_bps_fails(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [1_000], process_co2e=0),
                              max_loss_bps=10_001)
    assert not evaluation.accepted


def test_created_cobalt_fails(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [5_000, 5_001], process_co2e=0))
    assert not evaluation.accepted


def test_input_commitment_that_does_not_match_its_opening_fails(transform, commit):
    (other,) = commit(ORE.but(co2e_grams=1))
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=0),
                              input_commitments=[other, 0, 0, 0])
    assert not evaluation.accepted


def test_inflated_certified_share_fails(transform):
    outputs = honest_outputs([ORE], [3_333, 3_333, 3_334], process_co2e=0)
    outputs[2] = outputs[2].but(certified_cobalt_grams=outputs[2].certified_cobalt_grams + 1)
    _, evaluation = transform([ORE], outputs)
    assert not evaluation.accepted


def test_inflated_recycled_share_fails(transform):
    outputs = honest_outputs([ORE], [3_333, 3_333, 3_334], process_co2e=0)
    outputs[0] = outputs[0].but(recycled_cobalt_grams=outputs[0].recycled_cobalt_grams + 1)
    _, evaluation = transform([ORE], outputs)
    assert not evaluation.accepted


def test_co2e_rounded_down_fails(transform):
    outputs = honest_outputs([ORE], [3_333, 3_333, 3_334], process_co2e=1_000)
    outputs[0] = outputs[0].but(co2e_grams=outputs[0].co2e_grams - 1)
    _, evaluation = transform([ORE], outputs, process_co2e=1_000)
    assert not evaluation.accepted


def test_process_co2e_left_out_fails(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=0),
                              process_co2e=1)
    assert not evaluation.accepted


def test_dropped_risk_flag_fails(transform):
    [merged] = honest_outputs([SCRAP_A, SCRAP_B, SCRAP_C], [10_000], process_co2e=0)
    _, evaluation = transform([SCRAP_A, SCRAP_B, SCRAP_C], [merged.but(risk_flags=CHILD_LABOUR)])
    assert not evaluation.accepted


def test_same_input_used_twice_fails(transform):
    _, evaluation = transform([ORE, ORE], honest_outputs([ORE, ORE], [20_000], process_co2e=0))
    assert not evaluation.accepted


def test_unused_slot_with_non_zero_values_fails(transform):
    phantom = Lot(cobalt_grams=5_000, total_grams=5_000, certified_cobalt_grams=5_000)
    outputs = honest_outputs([ORE, phantom], [15_000], process_co2e=0)
    _, evaluation = transform([ORE], outputs, openings_in=[ORE, None, None, phantom])
    assert not evaluation.accepted


def test_no_input_fails(transform):
    _, evaluation = transform([], [Lot(1, 1)])
    assert not evaluation.accepted


def test_used_output_without_cobalt_fails(transform):
    outputs = honest_outputs([ORE], [10_000], process_co2e=0) + [Lot(0, 0, blinding=5)]
    _, evaluation = transform([ORE], outputs)
    assert not evaluation.accepted


# The floor of process emissions is per kg of material processed: the inputs' total mass (ORE is
# 10 kg of cobalt in 200 kg of ore), not their cobalt.
def test_process_co2e_exactly_at_the_floor_is_accepted(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=1_000),
                              process_co2e=1_000, process_floor=5)
    assert evaluation.accepted


def test_process_co2e_one_gram_below_the_floor_fails(transform):
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=999),
                              process_co2e=999, process_floor=5)
    assert not evaluation.accepted


def test_the_floor_counts_the_total_mass_processed_not_the_cobalt(transform):
    # 50 g would clear 5 g/kg of the 10 kg of cobalt, not of the 200 kg of ore.
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=50),
                              process_co2e=50, process_floor=5)
    assert not evaluation.accepted


def test_the_floor_counts_every_input(transform):
    # 9 + 5 + 2.5 kg of scrap at 40 g/kg: 660 g.
    scrap = [SCRAP_A, SCRAP_B, SCRAP_C]
    _, at_floor = transform(scrap, honest_outputs(scrap, [10_000], process_co2e=660),
                            process_co2e=660, process_floor=40)
    _, below = transform(scrap, honest_outputs(scrap, [10_000], process_co2e=659),
                         process_co2e=659, process_floor=40)
    assert at_floor.accepted and not below.accepted


def test_floor_at_2_pow_32_fails(transform):
    # Declared emissions that would clear it, so only the floor's range check refuses.
    process_co2e = (1 << 32) * 200
    _, evaluation = transform([ORE], honest_outputs([ORE], [10_000], process_co2e=process_co2e),
                              process_co2e=process_co2e, process_floor=1 << 32)
    assert not evaluation.accepted


def test_negative_process_co2e_fails_without_a_floor(transform):
    outputs = honest_outputs([ORE], [10_000], process_co2e=-1_000)
    _, evaluation = transform([ORE], outputs, process_co2e=FIELD_MODULUS - 1_000)
    assert not evaluation.accepted

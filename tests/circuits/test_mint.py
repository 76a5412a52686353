"""MintProof: a new lot's commitment agrees with its origin facility's certification, recycling and
risk flags, holds cobalt, and declares at least the rulebook's CO2e floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lots import ARTISANAL_SITE, FIELD_MODULUS, ROOT, TWO_64, Lot

CONTEXT = 0xC0FFEE
FLOOR_GRAMS_PER_KG = 5_000
# 1,000 kg of cobalt at the floor of 5 kg CO2e per kg: 5,000,000 g.
CERTIFIED_LOT = Lot(
    cobalt_grams=1_000_000, total_grams=4_000_000, certified_cobalt_grams=1_000_000,
    recycled_cobalt_grams=0, co2e_grams=6_500_000, risk_flags=ARTISANAL_SITE,
    blinding=987654321987654321987654321,
)


@pytest.fixture
def mint(commit, evaluate):
    """Evaluates one mint witness: the opening `lot` against `lot_for_commitment`'s commitment."""

    def run(lot: Lot, *, certified: int = 1, recycled_origin: int = 0, risk_flags: int = ARTISANAL_SITE,
            floor: int = FLOOR_GRAMS_PER_KG, lot_for_commitment: Lot | None = None,
            commitment_offset: int = 0):
        (commitment,) = commit(lot_for_commitment or lot)
        [evaluation] = evaluate("mint", [{
            "commitment": commitment + commitment_offset,
            "certified": certified,
            "recycledOrigin": recycled_origin,
            "riskFlags": risk_flags,
            "co2eFloorGramsPerKg": floor,
            "context": CONTEXT,
            "cobaltGrams": lot.cobalt_grams,
            "totalGrams": lot.total_grams,
            "certifiedCobaltGrams": lot.certified_cobalt_grams,
            "recycledCobaltGrams": lot.recycled_cobalt_grams,
            "co2eGrams": lot.co2e_grams,
            "lotRiskFlags": lot.risk_flags,
            "blinding": lot.blinding,
        }])
        return commitment, evaluation

    return run


def test_honest_certified_lot_is_accepted_with_public_signals_in_contract_order(mint):
    commitment, evaluation = mint(CERTIFIED_LOT)
    assert evaluation.accepted
    assert evaluation.public_signals == [commitment, 1, 0, ARTISANAL_SITE, FLOOR_GRAMS_PER_KG, CONTEXT]


def test_honest_recycled_uncertified_lot_is_accepted(mint):
    lot = CERTIFIED_LOT.but(certified_cobalt_grams=0, recycled_cobalt_grams=1_000_000, risk_flags=0)
    _, evaluation = mint(lot, certified=0, recycled_origin=1, risk_flags=0)
    assert evaluation.accepted


def test_certified_grams_without_certification_fail(mint):
    _, evaluation = mint(CERTIFIED_LOT, certified=0)
    assert not evaluation.accepted


def test_partly_certified_lot_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(certified_cobalt_grams=999_999))
    assert not evaluation.accepted


def test_recycled_grams_from_a_non_recycler_fail(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(recycled_cobalt_grams=1_000_000), recycled_origin=0)
    assert not evaluation.accepted


def test_certified_flag_that_is_not_a_bit_fails(mint):
    # certified = 1/2 in the field would otherwise let a facility certify half of a lot.
    half = (FIELD_MODULUS + 1) // 2
    _, evaluation = mint(CERTIFIED_LOT.but(certified_cobalt_grams=500_000), certified=half)
    assert not evaluation.accepted


def test_total_grams_at_2_pow_64_fail(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(total_grams=TWO_64))
    assert not evaluation.accepted


def test_total_grams_just_below_2_pow_64_are_accepted(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(total_grams=TWO_64 - 1))
    assert evaluation.accepted


def test_dropped_risk_flag_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(risk_flags=0))
    assert not evaluation.accepted


def test_zero_cobalt_fails(mint):
    lot = CERTIFIED_LOT.but(cobalt_grams=0, certified_cobalt_grams=0)
    _, evaluation = mint(lot)
    assert not evaluation.accepted


def test_co2e_exactly_at_the_floor_is_accepted(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(co2e_grams=5_000_000))
    assert evaluation.accepted


def test_co2e_one_gram_below_the_floor_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(co2e_grams=4_999_999))
    assert not evaluation.accepted


def test_floor_at_2_pow_32_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT, floor=1 << 32)
    assert not evaluation.accepted


def test_certified_above_cobalt_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT.but(certified_cobalt_grams=1_000_001))
    assert not evaluation.accepted


def test_opening_of_another_lot_fails(mint):
    _, evaluation = mint(CERTIFIED_LOT, lot_for_commitment=CERTIFIED_LOT.but(co2e_grams=6_500_001))
    assert not evaluation.accepted


def test_public_input_above_the_modulus_is_reduced_before_the_circuit_sees_it(mint):
    # The witness calculator reduces every input modulo the field, so commitment + p proves the same
    # statement as commitment. The circuit cannot tell them apart; the on-chain verifier must reject
    # any public signal >= p, which the snarkjs verifier does (next test).
    commitment, evaluation = mint(CERTIFIED_LOT, commitment_offset=FIELD_MODULUS)
    assert evaluation.accepted
    assert evaluation.public_signals[0] == commitment


def test_generated_verifier_rejects_public_signals_at_or_above_the_modulus():
    verifier = Path(ROOT / "contracts" / "verifiers" / "MintVerifier.sol").read_text()
    assert f"uint256 constant r    = {FIELD_MODULUS};" in verifier
    assert "if iszero(lt(v, r))" in verifier
    for index in range(6):
        assert f"checkField(calldataload(add(_pubSignals, {index * 32})))" in verifier

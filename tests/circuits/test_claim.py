"""ClaimProof: a passport's bounds hold for the pack's committed lot, without opening it."""

from __future__ import annotations

import pytest

from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, Lot

CONTEXT = 0x9A55
# 8 kg of cobalt, 40% certified, 25% recycled, 60 kg CO2e: 7.5 kg CO2e per kg of cobalt and, for a
# 75 kWh pack, 800 g per kWh.
PACK = Lot(cobalt_grams=8_000, total_grams=450_000, certified_cobalt_grams=3_200,
           recycled_cobalt_grams=2_000, co2e_grams=60_000, risk_flags=ARTISANAL_SITE, blinding=77)
BOUNDS = {
    "minCertifiedBps": 4_000,
    "minRecycledBps": 2_500,
    "maxCo2eGramsPerKgCobalt": 7_500,
    "maxCo2eGramsPerKwh": 800,
    "capacityWh": 75_000,
    "forbiddenRiskFlags": CHILD_LABOUR | CONFLICT_AREA,
}


@pytest.fixture
def claim(commit, evaluate):
    """Evaluates one claim witness for `pack` with BOUNDS overridden by `changes`."""

    def run(pack: Lot = PACK, *, declared_cobalt: int | None = None, **changes: int):
        (commitment,) = commit(pack)
        public = {"packCommitment": commitment,
                  "cobaltGrams": pack.cobalt_grams if declared_cobalt is None else declared_cobalt,
                  **BOUNDS, **changes, "context": CONTEXT}
        [evaluation] = evaluate("claim", [{
            **public,
            "packCobaltGrams": pack.cobalt_grams,
            "packTotalGrams": pack.total_grams,
            "packCertifiedCobaltGrams": pack.certified_cobalt_grams,
            "packRecycledCobaltGrams": pack.recycled_cobalt_grams,
            "packCo2eGrams": pack.co2e_grams,
            "packRiskFlags": pack.risk_flags,
            "packBlinding": pack.blinding,
        }])
        return list(public.values()), evaluation

    return run


def test_pack_exactly_at_every_bound_is_accepted_with_public_signals_in_contract_order(claim):
    public, evaluation = claim()
    assert evaluation.accepted
    assert evaluation.public_signals == public
    assert len(public) == 9


def test_certified_share_below_the_minimum_fails(claim):
    _, evaluation = claim(minCertifiedBps=4_001)
    assert not evaluation.accepted


def test_recycled_share_below_the_minimum_fails(claim):
    _, evaluation = claim(minRecycledBps=2_501)
    assert not evaluation.accepted


def test_minimum_share_above_10000_bps_fails(claim):
    _, evaluation = claim(PACK.but(certified_cobalt_grams=8_000), minCertifiedBps=10_001)
    assert not evaluation.accepted


def test_co2e_above_the_bound_per_kg_of_cobalt_fails(claim):
    _, evaluation = claim(maxCo2eGramsPerKgCobalt=7_499)
    assert not evaluation.accepted


def test_co2e_above_the_bound_per_kwh_fails(claim):
    _, evaluation = claim(maxCo2eGramsPerKwh=799)
    assert not evaluation.accepted


def test_forbidden_flag_set_fails(claim):
    _, evaluation = claim(forbiddenRiskFlags=ARTISANAL_SITE)
    assert not evaluation.accepted


def test_cobalt_differing_from_the_declared_fails(claim):
    _, evaluation = claim(declared_cobalt=8_001)
    assert not evaluation.accepted


def test_capacity_at_2_pow_64_fails(claim):
    _, evaluation = claim(capacityWh=1 << 64)
    assert not evaluation.accepted


def test_forbidden_flags_above_one_byte_fail(claim):
    _, evaluation = claim(forbiddenRiskFlags=1 << 8)
    assert not evaluation.accepted

"""Lot openings and their commitments."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from batterytrace.exceptions import OpeningError
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening
from batterytrace.zk.field import SNARK_SCALAR_FIELD, field_element_from_bytes
from batterytrace.zk.poseidon import poseidon

U64 = 2**64


def _opening(**overrides) -> Opening:
    values = dict(
        cobalt_grams=200_000,
        total_grams=1_000_000,
        certified_cobalt_grams=150_000,
        recycled_cobalt_grams=20_000,
        co2e_grams=3_000_000,
        risk_flags=RiskFlag.ARTISANAL,
        blinding=123456789,
    )
    values.update(overrides)
    return Opening(**values)


@st.composite
def openings(draw) -> Opening:
    total = draw(st.integers(0, U64 - 1))
    cobalt = draw(st.integers(0, total))
    return Opening(
        cobalt_grams=cobalt,
        total_grams=total,
        certified_cobalt_grams=draw(st.integers(0, cobalt)),
        recycled_cobalt_grams=draw(st.integers(0, cobalt)),
        co2e_grams=draw(st.integers(0, U64 - 1)),
        risk_flags=RiskFlag(draw(st.integers(0, 15))),
        blinding=draw(st.integers(0, SNARK_SCALAR_FIELD - 1)),
    )


def test_commitment_hashes_values_in_circuit_order():
    opening = _opening()
    expected = poseidon([200_000, 1_000_000, 150_000, 20_000, 3_000_000, 4, 123456789])
    assert opening.commitment == expected


def test_risk_flag_values_match_the_circuits():
    assert [flag.value for flag in (RiskFlag.CHILD_LABOUR, RiskFlag.HUMAN_RIGHTS, RiskFlag.ARTISANAL, RiskFlag.CONFLICT_AREA)] == [1, 2, 4, 8]


def test_blinding_changes_commitment():
    assert _opening(blinding=1).commitment != _opening(blinding=2).commitment


def test_new_draws_a_fresh_blinding():
    first = Opening.new(cobalt_grams=1, total_grams=1)
    second = Opening.new(cobalt_grams=1, total_grams=1)
    assert first.blinding != second.blinding
    assert 0 <= first.blinding < SNARK_SCALAR_FIELD


def test_repr_hides_blinding():
    assert "123456789" not in repr(_opening())


def test_plain_int_flags_become_risk_flag():
    assert _opening(risk_flags=5).risk_flags == RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL
    assert type(_opening(risk_flags=RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL).risk_flags) is int  # the circuit's byte


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (dict(certified_cobalt_grams=200_001), "certified_cobalt_grams 200001 exceeds cobalt_grams 200000"),
        (dict(recycled_cobalt_grams=200_001), "recycled_cobalt_grams 200001 exceeds cobalt_grams 200000"),
        (dict(total_grams=199_999), "cobalt_grams 200000 exceeds total_grams 199999"),
        (dict(co2e_grams=U64), "co2e_grams = 18446744073709551616 is outside"),
        (dict(co2e_grams=-1), "co2e_grams = -1 is outside"),
        (dict(risk_flags=256), "risk_flags = 256 is outside"),
        (dict(blinding=SNARK_SCALAR_FIELD), "blinding"),
        (dict(cobalt_grams=1.5), "cobalt_grams must be an int"),
    ],
)
def test_invalid_values_raise_opening_error(overrides, message):
    with pytest.raises(OpeningError, match=message):
        _opening(**overrides)


def test_json_is_stable_with_decimal_strings():
    text = _opening().to_json()
    assert text == (
        '{"blinding":"123456789","certified_cobalt_grams":"150000","co2e_grams":"3000000",'
        '"cobalt_grams":"200000","recycled_cobalt_grams":"20000","risk_flags":"4","total_grams":"1000000","version":1}'
    )


@given(openings())
def test_json_round_trip(opening):
    assert Opening.from_json(opening.to_json()) == opening


@given(openings())
def test_bytes_round_trip_has_fixed_width(opening):
    data = opening.to_bytes()
    assert len(data) == 73
    assert Opening.from_bytes(data) == opening


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"version":2}', _opening().to_json().replace('"4"', "4"), _opening().to_json().replace('"4"', '"-4"')],
)
def test_malformed_json_raises_opening_error(text):
    with pytest.raises(OpeningError):
        Opening.from_json(text)


def test_field_element_from_bytes_is_keccak_shifted_right_8():
    data = b"battery passport 42"
    assert field_element_from_bytes(data) == int.from_bytes(keccak(data), "big") >> 8
    assert field_element_from_bytes(data) < 2**248 < SNARK_SCALAR_FIELD

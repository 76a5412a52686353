"""Poseidon against circomlibjs, computed by circomlibjs in this very test run."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batterytrace.exceptions import FieldRangeError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon

P = SNARK_SCALAR_FIELD
_EDGE_VALUES = [0, 1, 2, 2**64 - 1, 2**64, 2**128, 2**253, P - 2, P - 1]


def _vector_inputs() -> list[list[int]]:
    rng = random.Random(20261122)
    cases = []
    for width in range(1, 17):
        cases.append([P - 1] * width)
        cases.append([0] * width)
        for _ in range(12):
            cases.append([rng.choice(_EDGE_VALUES) if rng.random() < 0.3 else rng.randrange(P) for _ in range(width)])
    return cases


@pytest.fixture(scope="module")
def circomlib_vectors(run_node) -> list[tuple[list[int], int]]:
    inputs = _vector_inputs()
    hashes = run_node("circomlib_poseidon.js", [[str(v) for v in case] for case in inputs])
    return list(zip(inputs, (int(h) for h in hashes)))


def test_matches_circomlibjs_for_widths_1_to_16(circomlib_vectors):
    mismatches = [(inputs, expected) for inputs, expected in circomlib_vectors if poseidon(inputs) != expected]
    assert len(circomlib_vectors) == 16 * 14
    assert mismatches == []


def test_known_vector_of_two_inputs():
    # The value circomlib's own tests and many Solidity libraries quote for Poseidon([1, 2]).
    assert poseidon([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.mark.parametrize("bad", [P, P + 1, 2**256, -1])
def test_value_outside_field_raises_field_range_error(bad):
    with pytest.raises(FieldRangeError, match="outside the field"):
        poseidon([1, bad])


@pytest.mark.parametrize("bad", [1.0, "1", True, None])
def test_non_int_raises_field_range_error(bad):
    with pytest.raises(FieldRangeError, match="not int"):
        poseidon([bad])


@pytest.mark.parametrize("count", [0, 17])
def test_input_count_outside_1_to_16_raises_field_range_error(count):
    with pytest.raises(FieldRangeError, match="1 to 16 inputs"):
        poseidon([1] * count)


def test_output_is_a_field_element():
    assert 0 <= poseidon([P - 1] * 16) < P


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=P)), st.integers(0, 15), st.integers(1, 16))
def test_any_out_of_field_value_raises_field_range_error(bad, position, width):
    inputs = [0] * width
    inputs[position % width] = bad
    with pytest.raises(FieldRangeError):
        poseidon(inputs)

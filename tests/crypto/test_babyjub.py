"""Baby Jubjub (batterytrace.zk.babyjub) against circomlibjs 0.1.7, computed by circomlibjs in this run."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.exceptions import FieldRangeError, InputError, InvalidCurvePointError
from batterytrace.zk import babyjub
from batterytrace.zk.babyjub import (
    BASE8,
    CURVE_ORDER,
    GENERATOR,
    IDENTITY,
    SUBGROUP_ORDER,
    A,
    D,
    Point,
    ViewKeys,
    add,
    in_subgroup,
    is_on_curve,
    multiply,
    negate,
    public_key,
    require_key,
    shared_point,
)
from batterytrace.zk.field import SNARK_SCALAR_FIELD

P = SNARK_SCALAR_FIELD
HELPER = "../circuits/encryption_circomlibjs.js"
RNG = random.Random(20260418)
# multiply(GENERATOR, l) has order 8; its multiples are the points of order dividing 8.
TORSION = [multiply(multiply(GENERATOR, SUBGROUP_ORDER), i) for i in range(8)]
SECRETS = st.integers(min_value=1, max_value=SUBGROUP_ORDER - 1)


def as_point(pair: list[str]) -> Point:
    return Point(int(pair[0]), int(pair[1]))


def wire(point: Point) -> list[str]:
    return [str(point.x), str(point.y)]


@pytest.fixture(scope="module")
def circomlibjs(run_node):
    return lambda requests: run_node(HELPER, requests)


def sample_points() -> list[Point]:
    """Points of every kind: in the subgroup, of full order 8 l, small order, mixed."""
    points = [BASE8, GENERATOR, IDENTITY, *TORSION[1:]]
    points += [multiply(BASE8, RNG.randrange(1, SUBGROUP_ORDER)) for _ in range(4)]
    points += [multiply(GENERATOR, RNG.randrange(1, CURVE_ORDER)) for _ in range(4)]
    return points


def test_constants_are_circomlibjs(circomlibjs):
    (constants,) = circomlibjs([{"op": "constants"}])
    assert as_point(constants["base8"]) == BASE8
    assert as_point(constants["generator"]) == GENERATOR
    assert int(constants["subOrder"]) == SUBGROUP_ORDER
    assert int(constants["order"]) == CURVE_ORDER
    assert (int(constants["a"]), int(constants["d"])) == (A, D)
    assert multiply(GENERATOR, 8) == BASE8
    assert SUBGROUP_ORDER < 2**251


def test_multiply_agrees_with_circomlibjs(circomlibjs):
    edges = [0, 1, 2, 7, 8, SUBGROUP_ORDER - 1, SUBGROUP_ORDER, SUBGROUP_ORDER + 1, 2**251 - 1, CURVE_ORDER - 1, P - 1]
    points = sample_points()
    cases = [(point, RNG.randrange(2**253)) for point in points for _ in range(2)]
    cases += [(point, scalar) for point in (BASE8, GENERATOR, TORSION[1], points[-1]) for scalar in edges]
    answers = circomlibjs([{"op": "mul", "point": wire(point), "scalar": str(scalar)} for point, scalar in cases])
    mismatches = [(point, scalar) for (point, scalar), answer in zip(cases, answers) if multiply(point, scalar) != as_point(answer)]
    assert mismatches == []


def test_add_agrees_with_circomlibjs(circomlibjs):
    points = sample_points()
    cases = [(left, right) for left in points for right in points[::3]]
    cases += [(point, point) for point in points] + [(point, negate(point)) for point in points]
    answers = circomlibjs([{"op": "add", "a": wire(left), "b": wire(right)} for left, right in cases])
    assert [add(left, right) for left, right in cases] == [as_point(answer) for answer in answers]
    assert all(add(point, negate(point)) == IDENTITY for point in points)


def test_curve_and_subgroup_checks_agree_with_circomlibjs(circomlibjs):
    subgroup = [BASE8, IDENTITY, multiply(BASE8, RNG.randrange(1, SUBGROUP_ORDER))]
    outside = [GENERATOR, *TORSION[1:], add(BASE8, TORSION[4]), add(subgroup[2], TORSION[1])]
    off_curve = [Point(BASE8.x, BASE8.y + 1), Point(0, 0), Point(1, 1)]
    points = subgroup + outside + off_curve
    answers = circomlibjs([{"op": op, "point": wire(point)} for point in points for op in ("inCurve", "inSubgroup")])
    assert answers == [answer for point in points for answer in (is_on_curve(point), in_subgroup(point))]
    assert [in_subgroup(point) for point in points] == [True] * 3 + [False] * (len(outside) + 3)
    assert all(is_on_curve(point) for point in subgroup + outside)


@settings(max_examples=25, deadline=None)
@given(SECRETS, SECRETS)
def test_ecdh_is_symmetric(first, second):
    assert shared_point(first, public_key(second)) == shared_point(second, public_key(first))
    assert ViewKeys.from_secret(first).shared_point(public_key(second)) == multiply(BASE8, first * second % SUBGROUP_ORDER)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**253), st.integers(min_value=0, max_value=2**253))
def test_scalars_add_and_multiply_as_integers_mod_l(first, second):
    assert multiply(BASE8, first + second) == add(multiply(BASE8, first), multiply(BASE8, second))
    assert multiply(multiply(BASE8, first), second) == multiply(BASE8, first * second % SUBGROUP_ORDER)
    assert multiply(BASE8, first) == multiply(BASE8, first % SUBGROUP_ORDER)
    assert multiply(BASE8, -first) == negate(multiply(BASE8, first))


@settings(max_examples=25, deadline=None)
@given(SECRETS)
def test_public_keys_are_keys(secret):
    key = public_key(secret)
    assert require_key(key) == key
    assert in_subgroup(key) and key != IDENTITY


def test_view_keys_are_derived_from_bytes_as_keccak_mod_l():
    keys = ViewKeys.derive(b"auditors' seed")
    assert keys == ViewKeys.derive(bytearray(b"auditors' seed"))
    assert keys.secret == int.from_bytes(babyjub.keccak(b"auditors' seed"), "big") % SUBGROUP_ORDER
    assert keys.public_key == multiply(BASE8, keys.secret)
    assert ViewKeys.derive(b"another seed") != keys
    assert str(keys.secret) not in repr(keys)


def test_a_seed_deriving_the_secret_zero_is_refused(monkeypatch):
    monkeypatch.setattr(babyjub, "keccak", lambda data: SUBGROUP_ORDER.to_bytes(32, "big"))
    with pytest.raises(FieldRangeError, match="secret 0"):
        ViewKeys.derive(b"unlucky")


@pytest.mark.parametrize("secret", [0, SUBGROUP_ORDER, SUBGROUP_ORDER + 1, -1, True, 1.0])
def test_a_secret_outside_1_to_l_is_refused(secret):
    with pytest.raises(FieldRangeError):
        ViewKeys.from_secret(secret)


def test_a_seed_that_is_not_bytes_is_refused():
    with pytest.raises(FieldRangeError):
        ViewKeys.derive("a string")


def test_view_keys_whose_halves_do_not_match_are_refused():
    with pytest.raises(InvalidCurvePointError, match="not the public key"):
        ViewKeys(5, multiply(BASE8, 6))


@pytest.mark.parametrize(("point", "problem"), [
    (Point(BASE8.x, BASE8.y + 1), "not on Baby Jubjub"),
    (GENERATOR, "outside the subgroup"),
    (add(BASE8, TORSION[4]), "outside the subgroup"),
    (TORSION[2], "outside the subgroup"),
    (IDENTITY, "the identity"),
])
def test_a_point_that_is_no_key_is_refused(point, problem):
    with pytest.raises(InvalidCurvePointError, match=problem) as raised:
        require_key(point)
    assert isinstance(raised.value, InputError) and isinstance(raised.value, ValueError)
    assert (raised.value.x, raised.value.y) == (point.x, point.y)
    with pytest.raises(InvalidCurvePointError):
        shared_point(5, point)


@pytest.mark.parametrize("coordinates", [(P, 1), (-1, 1), (0, 2**256), (1.0, 1), ("1", 1)])
def test_a_coordinate_outside_the_field_is_refused(coordinates):
    with pytest.raises(FieldRangeError):
        Point(*coordinates)

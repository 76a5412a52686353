"""Poseidon hash over the BN254 scalar field, identical to circomlib's ``Poseidon(n)``.

This is the reference (unoptimised) permutation of circomlibjs ``poseidon_reference.js``: width
``t = n + 1``, 8 full rounds, the partial-round counts of the Poseidon paper, x^5 S-box, and the
round constants and MDS matrices circomlibjs ships (extracted once into
``data/poseidon_constants.json`` by ``data/extract_poseidon_constants.js``). circomlib's circuit uses
an optimised but equivalent schedule, so the outputs agree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Sequence

from batterytrace.exceptions import FieldRangeError
from batterytrace.zk.field import SNARK_SCALAR_FIELD

MAX_INPUTS = 16

_FULL_ROUNDS = 8


@lru_cache(maxsize=1)
def _constants() -> dict:
    text = resources.files("batterytrace").joinpath("data/poseidon_constants.json").read_text()
    constants = json.loads(text)
    if int(constants["field"]) != SNARK_SCALAR_FIELD:
        raise RuntimeError("poseidon_constants.json is for another field")
    return constants


@lru_cache(maxsize=MAX_INPUTS)
def _parameters(width: int) -> tuple[int, tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Partial-round count, per-round constants and MDS matrix for a state of ``width`` elements."""
    constants = _constants()
    partial_rounds = constants["n_rounds_p"][width - 2]
    flat = [int(c) for c in constants["C"][width - 2]]
    round_constants = tuple(
        tuple(flat[r * width : (r + 1) * width]) for r in range(_FULL_ROUNDS + partial_rounds)
    )
    matrix = tuple(tuple(int(m) for m in row) for row in constants["M"][width - 2])
    return partial_rounds, round_constants, matrix


def poseidon(inputs: Sequence[int]) -> int:
    """Hash 1 to 16 field elements; the result equals circomlib ``Poseidon(len(inputs))``.

    Raises FieldRangeError for a value that is not an int in [0, p) (never reduced silently) and
    for an input count outside 1..16.
    """
    return poseidon_ex(inputs)[0]


def poseidon_ex(inputs: Sequence[int], initial_state: int = 0, outputs: int = 1) -> list[int]:
    """The first ``outputs`` elements of the Poseidon state after the permutation of
    ``[initial_state, *inputs]``: circomlib ``PoseidonEx(len(inputs), outputs)`` with its
    ``initialState``, and circomlibjs ``poseidon(inputs, initState, nOut)``.

    ``poseidon_ex(inputs)[0] == poseidon(inputs)``. Raises FieldRangeError for a value (inputs or
    initial state) that is not an int in [0, p), for 1..16 inputs not given, and for an output count
    outside 1..len(inputs) + 1.
    """
    count = len(inputs)
    if not 1 <= count <= MAX_INPUTS:
        raise FieldRangeError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {count}")
    if type(outputs) is not int or not 1 <= outputs <= count + 1:
        raise FieldRangeError(f"a state of {count + 1} elements has 1 to {count + 1} outputs, not {outputs!r}")
    for index, value in enumerate([initial_state, *inputs]):
        name = "initial state" if index == 0 else f"input {index - 1}"
        if type(value) is not int:
            raise FieldRangeError(f"{name} is {type(value).__name__}, not int: {value!r}")
        if not 0 <= value < SNARK_SCALAR_FIELD:
            raise FieldRangeError(f"{name} = {value} is outside the field [0, p)")

    p = SNARK_SCALAR_FIELD
    width = count + 1
    partial_rounds, round_constants, matrix = _parameters(width)
    first_partial = _FULL_ROUNDS // 2
    last_partial = first_partial + partial_rounds
    state = [initial_state, *inputs]
    for round_index, constants in enumerate(round_constants):
        state = [(a + c) % p for a, c in zip(state, constants)]
        if first_partial <= round_index < last_partial:
            state[0] = pow(state[0], 5, p)
        else:
            state = [pow(a, 5, p) for a in state]
        state = [sum(m * a for m, a in zip(row, state)) % p for row in matrix]
    return state[:outputs]


def partial_rounds(width: int) -> int:
    """The number of partial rounds of the Poseidon permutation of ``width`` (2..17) elements."""
    if type(width) is not int or not 2 <= width <= MAX_INPUTS + 1:
        raise FieldRangeError(f"Poseidon's width is 2 to {MAX_INPUTS + 1}, not {width!r}")
    return _parameters(width)[0]

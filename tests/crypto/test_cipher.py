"""The view-key cipher (batterytrace.zk.cipher) and the Poseidon sponge it draws its keystream from.

The circuit's own outputs are held to this twin in tests/circuits/test_encryption.py; here the twin is
held to its written construction, to circomlibjs's PoseidonEx and to round trips.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.exceptions import FieldRangeError, InvalidCurvePointError
from batterytrace.zk import babyjub
from batterytrace.zk.babyjub import BASE8, GENERATOR, IDENTITY, SUBGROUP_ORDER, Point, ViewKeys
from batterytrace.zk.cipher import (
    KEYSTREAM_DOMAIN,
    ViewKeyCiphertext,
    decrypt,
    encrypt,
    keystream,
    keystream_width,
)
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import partial_rounds, poseidon, poseidon_ex

P = SNARK_SCALAR_FIELD
HELPER = "../circuits/encryption_circomlibjs.js"
RNG = random.Random(20260419)
VIEW_KEYS = ViewKeys.derive(b"batterytrace tests: cipher view key")
FIELD_ELEMENTS = st.integers(min_value=0, max_value=P - 1)


@pytest.fixture(scope="module")
def circomlibjs(run_node):
    return lambda requests: run_node(HELPER, requests)


def test_poseidon_ex_agrees_with_circomlibjs_for_every_width(circomlibjs):
    cases = []
    for count in range(1, 17):
        for outputs in sorted({1, 2, count + 1}):
            inputs = [RNG.randrange(P) for _ in range(count)]
            cases.append((inputs, RNG.choice([0, 1, P - 1, RNG.randrange(P)]), outputs))
    answers = circomlibjs([{"op": "poseidonEx", "inputs": [str(v) for v in inputs], "initState": str(state),
                            "nOut": outputs} for inputs, state, outputs in cases])
    assert [poseidon_ex(*case) for case in cases] == [[int(v) for v in answer] for answer in answers]
    assert all(poseidon_ex(inputs)[0] == poseidon(inputs) for inputs, _state, _outputs in cases)


@pytest.mark.parametrize(("inputs", "state", "outputs"), [
    ([1, 2], 0, 0), ([1, 2], 0, 4), ([], 0, 1), ([1] * 17, 0, 1), ([1, 2], P, 1), ([1, 2], -1, 1), ([P], 0, 1),
    ([1, 2], 0, True),
])
def test_poseidon_ex_refuses_what_the_template_cannot_take(inputs, state, outputs):
    with pytest.raises(FieldRangeError):
        poseidon_ex(inputs, state, outputs)


def test_partial_rounds_are_circomlibs():
    assert [partial_rounds(width) for width in range(2, 18)] == [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]
    with pytest.raises(FieldRangeError):
        partial_rounds(18)


def test_the_keystream_is_poseidon_in_counter_mode_as_written():
    shared = babyjub.multiply(BASE8, 424242)
    assert KEYSTREAM_DOMAIN == int.from_bytes(b"batterytrace.view-key", "big")
    for length in (1, 7, 13, 21, 40):
        width = keystream_width(length)
        blocks = -(-length // (width - 1))
        written = []
        for block in range(blocks):
            state = poseidon_ex([shared.x, shared.y] + [0] * (width - 3), KEYSTREAM_DOMAIN * 2**32 + block, width)
            written += state[1:]  # the rate; state[0], the capacity, stays secret
        assert keystream(shared, length) == tuple(written[:length])


def test_the_width_needs_the_fewest_s_boxes():
    def s_boxes(length: int, width: int) -> int:
        return -(-length // (width - 1)) * (7 * width + 2 + partial_rounds(width))

    for length in range(1, 100):
        chosen = keystream_width(length)
        assert s_boxes(length, chosen) == min(s_boxes(length, width) for width in range(3, 18))
    assert [keystream_width(n) for n in (1, 2, 7, 13, 16, 21)] == [3, 3, 8, 15, 17, 12]


def test_a_known_ciphertext():
    # Pins the construction: a change to the keystream shows here and in the circuit test alike.
    ciphertext = encrypt([1, 2, 3], ViewKeys.from_secret(7).public_key, 11)
    assert ciphertext.ephemeral_public_key == babyjub.multiply(BASE8, 11)
    assert ciphertext.elements == (
        10094939436752301034511053826574492914855043398871917713215844289349151244352,
        7379875809534562504354161724206203206660104204436274008515222398387276690318,
        5534072275274646246426640714419915734463769587700464707072153722045796755693,
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(FIELD_ELEMENTS, min_size=1, max_size=40), st.integers(1, SUBGROUP_ORDER - 1),
       st.integers(1, SUBGROUP_ORDER - 1))
def test_decrypt_inverts_encrypt(plaintext, view_secret, ephemeral_secret):
    keys = ViewKeys.from_secret(view_secret)
    ciphertext = encrypt(plaintext, keys.public_key, ephemeral_secret)
    assert decrypt(ciphertext, keys) == tuple(plaintext)
    assert ciphertext.public_signals() == [*babyjub.multiply(BASE8, ephemeral_secret).as_list(), *ciphertext.elements]


def test_each_encryption_draws_a_fresh_ephemeral_key():
    plaintext = [5] * 7
    first, second = encrypt(plaintext, VIEW_KEYS.public_key), encrypt(plaintext, VIEW_KEYS.public_key)
    assert first.ephemeral_public_key != second.ephemeral_public_key
    assert first.elements != second.elements
    assert babyjub.require_key(first.ephemeral_public_key) == first.ephemeral_public_key
    assert decrypt(first, VIEW_KEYS) == decrypt(second, VIEW_KEYS) == tuple(plaintext)


def test_another_key_decrypts_to_noise_not_to_an_error():
    ciphertext = encrypt([1, 2, 3], VIEW_KEYS.public_key)
    assert decrypt(ciphertext, ViewKeys.derive(b"someone else")) != (1, 2, 3)


def test_an_identity_ephemeral_key_the_circuit_accepts_still_decrypts():
    # An ephemeral secret that is a multiple of l gives E = S = (0, 1) in the circuit.
    plaintext = (9, 8, 7)
    elements = tuple((m + k) % P for m, k in zip(plaintext, keystream(IDENTITY, 3)))
    assert decrypt(ViewKeyCiphertext(IDENTITY, elements), VIEW_KEYS) == plaintext


@pytest.mark.parametrize("ephemeral", [GENERATOR, Point(BASE8.x, BASE8.y + 1)])
def test_an_ephemeral_key_outside_the_subgroup_is_refused(ephemeral):
    with pytest.raises(InvalidCurvePointError):
        decrypt(ViewKeyCiphertext(ephemeral, (1,)), VIEW_KEYS)


@pytest.mark.parametrize("plaintext", [[], [P], [-1], [1.0], [True]])
def test_a_plaintext_that_is_not_field_elements_is_refused(plaintext):
    with pytest.raises(FieldRangeError):
        encrypt(plaintext, VIEW_KEYS.public_key)


@pytest.mark.parametrize("secret", [0, SUBGROUP_ORDER, 2**251, -5])
def test_an_ephemeral_secret_outside_1_to_l_is_refused(secret):
    with pytest.raises(FieldRangeError):
        encrypt([1], VIEW_KEYS.public_key, secret)


@pytest.mark.parametrize("view_key", [GENERATOR, IDENTITY, Point(1, 1)])
def test_a_view_key_that_is_no_key_is_refused(view_key):
    with pytest.raises(InvalidCurvePointError):
        encrypt([1], view_key)


def test_a_ciphertext_is_frozen_and_holds_field_elements():
    ciphertext = encrypt([1], VIEW_KEYS.public_key)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ciphertext.elements = (2,)
    with pytest.raises(FieldRangeError):
        ViewKeyCiphertext(ciphertext.ephemeral_public_key, (P,))
    with pytest.raises(FieldRangeError):
        ViewKeyCiphertext(ciphertext.ephemeral_public_key, ())

"""Encryption of field elements for the auditors' view key, exactly as ``circuits/lib/encryption.circom``.

The note circuits prove, with ``ViewKeyCiphertext(n)``, that a public ciphertext decrypts under the
view key to the note's private opening; this module is that template's Python twin:

1. ECDH on Baby Jubjub (``zk.babyjub``): a fresh ephemeral secret k in [1, l) gives the published
   ephemeral key E = k * Base8 and the shared point S = k * V for the view key V; its holder, of
   secret v, finds S = v * E.
2. Keystream: Poseidon in counter mode. With the width t = ``keystream_width(n)`` and the rate
   r = t - 1, block j is the permutation of width t of
   ``[KEYSTREAM_DOMAIN * 2^32 + j, S.x, S.y, 0, ..., 0]`` (circomlib ``PoseidonEx(t - 1, t)``,
   ``zk.poseidon.poseidon_ex``), and its elements 1..t-1 are keystream elements j*r .. j*r + r - 1;
   element 0 (the capacity) stays secret.
3. ciphertext[i] = plaintext[i] + keystream[i] mod p.

The ciphertext carries no tag: inside a proof its integrity is the proof's (it is a public input),
and outside one a wrong key decrypts to noise rather than failing. A reader checks a decrypted
opening against its commitment.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from batterytrace.exceptions import FieldRangeError, InvalidCurvePointError
from batterytrace.zk.babyjub import (
    BASE8,
    SUBGROUP_ORDER,
    Point,
    ViewKeys,
    in_subgroup,
    is_on_curve,
    multiply,
    require_key,
    require_secret,
)
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import MAX_INPUTS, partial_rounds, poseidon_ex

#: The keystream's domain tag, ``viewKeyKeystreamDomain()`` in the circuit; the capacity of block j
#: is KEYSTREAM_DOMAIN * 2^32 + j, never 0 as in the project's Poseidon hashes.
KEYSTREAM_DOMAIN = int.from_bytes(b"batterytrace.view-key", "big")
_BLOCK_INDEX_BITS = 32
_FULL_ROUNDS = 8
_NARROWEST, _WIDEST = 3, MAX_INPUTS + 1


def keystream_width(length: int) -> int:
    """The Poseidon width the circuit uses for ``length`` elements (``viewKeyKeystreamWidth``): the
    width t in 3..17 whose ceil(length / (t - 1)) permutations need the fewest S-boxes on
    non-constant values (7 t + partial rounds + 2 each), the narrower on a tie."""
    _require_length(length)
    best_width, best_cost = 0, 0
    for width in range(_NARROWEST, _WIDEST + 1):
        blocks = -(-length // (width - 1))
        cost = blocks * ((_FULL_ROUNDS - 1) * width + partial_rounds(width) + 2)
        if best_width == 0 or cost < best_cost:
            best_width, best_cost = width, cost
    return best_width


def keystream(shared: Point, length: int) -> tuple[int, ...]:
    """The first ``length`` keystream elements for the shared point ``shared``."""
    width = keystream_width(length)
    rate = width - 1
    elements: list[int] = []
    for block in range(-(-length // rate)):
        inputs = [shared.x, shared.y] + [0] * (width - 3)
        state = poseidon_ex(inputs, KEYSTREAM_DOMAIN << _BLOCK_INDEX_BITS | block, width)
        elements.extend(state[1:])
    return tuple(elements[:length])


@dataclass(frozen=True)
class ViewKeyCiphertext:
    """What a note publishes for the auditors: the ephemeral key E and the encrypted elements, the
    ``ephemeralPublicKey`` and ``ciphertext`` outputs of the circuit."""

    ephemeral_public_key: Point
    elements: tuple[int, ...]

    def __post_init__(self) -> None:
        _require_length(len(self.elements))
        _require_field_elements(self.elements, "ciphertext")

    def public_signals(self) -> list[int]:
        """[E.x, E.y, c_0, ..., c_{n-1}], the order of the circuit's outputs."""
        return [*self.ephemeral_public_key.as_list(), *self.elements]


def encrypt(plaintext: Sequence[int], view_public_key: Point,
            ephemeral_secret: int | None = None) -> ViewKeyCiphertext:
    """Encrypts field elements for ``view_public_key`` (in Base8's subgroup, not the identity).

    ``ephemeral_secret`` (in [1, l)) is drawn afresh when omitted; pass one only to reproduce a
    ciphertext (the circuit's witness): reusing it for another plaintext reuses the keystream.
    Raises FieldRangeError for an element outside [0, p) or a bad secret, InvalidCurvePointError for
    a bad key.
    """
    _require_length(len(plaintext))
    _require_field_elements(plaintext, "plaintext")
    require_key(view_public_key)
    secret = secrets.randbelow(SUBGROUP_ORDER - 1) + 1 if ephemeral_secret is None else require_secret(ephemeral_secret)
    stream = keystream(multiply(view_public_key, secret), len(plaintext))
    elements = tuple((value + key) % SNARK_SCALAR_FIELD for value, key in zip(plaintext, stream))
    return ViewKeyCiphertext(multiply(BASE8, secret), elements)


def decrypt(ciphertext: ViewKeyCiphertext, view_keys: ViewKeys) -> tuple[int, ...]:
    """The plaintext, recovered through the shared point view secret * E.

    E may be the identity (an ephemeral secret that is a multiple of l, which the circuit accepts:
    such a ciphertext still decrypts, though anyone can read it). Raises InvalidCurvePointError when
    E is off the curve or outside Base8's subgroup, which no proof's E can be.
    """
    ephemeral = ciphertext.ephemeral_public_key
    if not is_on_curve(ephemeral) or not in_subgroup(ephemeral):
        raise InvalidCurvePointError(ephemeral.x, ephemeral.y, "no ephemeral key: outside the subgroup generated by Base8")
    shared = multiply(ephemeral, view_keys.secret)
    stream = keystream(shared, len(ciphertext.elements))
    return tuple((value - key) % SNARK_SCALAR_FIELD for value, key in zip(ciphertext.elements, stream))


def _require_length(length: int) -> None:
    if type(length) is not int or length < 1:
        raise FieldRangeError(f"a view-key ciphertext holds at least one element, not {length!r}")


def _require_field_elements(values: Sequence[int], what: str) -> None:
    for index, value in enumerate(values):
        if type(value) is not int:
            raise FieldRangeError(f"{what} element {index} is {type(value).__name__}, not int: {value!r}")
        if not 0 <= value < SNARK_SCALAR_FIELD:
            raise FieldRangeError(f"{what} element {index} = {value} is outside the field [0, p)")

"""Off-chain Groth16 verification over BN254 with py_ecc, for snarkjs verification keys and proofs.

``verify`` checks e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1 with four Miller
loops and a single final exponentiation of their product.

Failure policy: ``verify`` returns False for every proof an attacker could send that does not verify
(tampered points, coordinates outside the base field, points off the curve or outside the G2
subgroup, public signals >= the scalar field modulus). It raises ProofError only for caller
mistakes: a malformed verification key, or a proof whose number of public signals differs from the
key's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128 import (
    Z1,
    add,
    b,
    b2,
    curve_order,
    field_modulus,
    final_exponentiate,
    is_inf,
    is_on_curve,
    multiply,
    neg,
    pairing,
)

from batterytrace.exceptions import ProofError
from batterytrace.zk.proof import Groth16Proof

G1Point = tuple  # (FQ, FQ, FQ) projective
G2Point = tuple  # (FQ2, FQ2, FQ2) projective


class _InvalidPoint(ValueError):
    pass


def _g1(x: int, y: int) -> G1Point:
    if not (0 <= x < field_modulus and 0 <= y < field_modulus):
        raise _InvalidPoint("G1 coordinate outside the base field")
    point = (FQ(x), FQ(y), FQ.one())
    if not is_on_curve(point, b):
        raise _InvalidPoint("G1 point not on the curve")
    # G1 of BN254 has cofactor 1: every curve point is in the group.
    return point


def _g2(x: tuple[int, int], y: tuple[int, int]) -> G2Point:
    if not all(0 <= v < field_modulus for v in (*x, *y)):
        raise _InvalidPoint("G2 coordinate outside the base field")
    point = (FQ2(list(x)), FQ2(list(y)), FQ2.one())
    if not is_on_curve(point, b2):
        raise _InvalidPoint("G2 point not on the twist curve")
    # The twist has a large cofactor; a point outside the r-torsion would void soundness.
    if not is_inf(multiply(point, curve_order)):
        raise _InvalidPoint("G2 point not in the prime-order subgroup")
    return point


@dataclass(frozen=True)
class VerificationKey:
    """A snarkjs Groth16 verification key (``snarkjs zkey export verificationkey``) as curve points."""

    alpha: G1Point
    beta: G2Point
    gamma: G2Point
    delta: G2Point
    ic: tuple[G1Point, ...]

    @property
    def public_signal_count(self) -> int:
        return len(self.ic) - 1

    @classmethod
    def from_snarkjs(cls, document: Mapping[str, Any]) -> VerificationKey:
        """Parse a snarkjs vkey object; ProofError if it is not a valid bn128 Groth16 key."""
        try:
            if document.get("protocol") != "groth16" or document.get("curve") != "bn128":
                raise ProofError(f"not a bn128 Groth16 key: {document.get('protocol')}/{document.get('curve')}")

            def g1(raw: Any, *, infinity_allowed: bool = False) -> G1Point:
                # snarkjs writes the point at infinity as (0, 1, 0); an IC point can be it.
                if infinity_allowed and [str(v) for v in raw] == ["0", "1", "0"]:
                    return Z1
                if [str(v) for v in raw[2:]] != ["1"]:
                    raise ProofError(f"G1 point is not affine: {raw!r}")
                return _g1(int(raw[0]), int(raw[1]))

            def g2(raw: Any) -> G2Point:
                if [[str(v) for v in row] for row in raw[2:]] != [["1", "0"]]:
                    raise ProofError(f"G2 point is not affine: {raw!r}")
                return _g2((int(raw[0][0]), int(raw[0][1])), (int(raw[1][0]), int(raw[1][1])))

            key = cls(
                alpha=g1(document["vk_alpha_1"]),
                beta=g2(document["vk_beta_2"]),
                gamma=g2(document["vk_gamma_2"]),
                delta=g2(document["vk_delta_2"]),
                ic=tuple(g1(point, infinity_allowed=True) for point in document["IC"]),
            )
            if "nPublic" in document and int(document["nPublic"]) != key.public_signal_count:
                raise ProofError(f"nPublic {document['nPublic']} disagrees with {len(key.ic)} IC points")
            return key
        except (_InvalidPoint, AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            if isinstance(error, ProofError):
                raise
            raise ProofError(f"malformed verification key: {error}") from error


def load_verification_key(path: str | os.PathLike[str]) -> VerificationKey:
    """Read a snarkjs ``*.vkey.json`` file."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise ProofError(f"cannot read verification key {path}: {error}") from error
    return VerificationKey.from_snarkjs(document)


def verify(vkey: VerificationKey | Mapping[str, Any], proof: Groth16Proof) -> bool:
    """True if ``proof`` verifies under ``vkey`` (a VerificationKey or a snarkjs vkey dict).

    False for any invalid proof; ProofError for a malformed key or a public-signal count that does
    not match the key (see the module docstring).
    """
    key = vkey if isinstance(vkey, VerificationKey) else VerificationKey.from_snarkjs(vkey)
    if len(proof.public_signals) != key.public_signal_count:
        raise ProofError(
            f"proof has {len(proof.public_signals)} public signals, the key expects {key.public_signal_count}"
        )
    if not all(0 <= s < curve_order for s in proof.public_signals):
        return False
    try:
        a = _g1(*proof.a)
        b_point = _g2(proof.b[0], proof.b[1])
        c = _g1(*proof.c)
    except _InvalidPoint:
        return False

    vk_x = key.ic[0]
    for signal, point in zip(proof.public_signals, key.ic[1:]):
        if signal:
            vk_x = add(vk_x, multiply(point, signal))

    product = FQ12.one()
    for g2_point, g1_point in ((b_point, neg(a)), (key.beta, key.alpha), (key.gamma, vk_x), (key.delta, c)):
        product = product * pairing(g2_point, g1_point, final_exponentiate=False)
    return final_exponentiate(product) == FQ12.one()


@lru_cache(maxsize=None)
def verification_key(circuit: str) -> VerificationKey:
    """The committed verification key of a circuit."""
    path = resources.files("batterytrace").joinpath("keys", f"{circuit}.vkey.json")
    return load_verification_key(str(path))


def verify_offchain(circuit: str, proof: Groth16Proof, expected_public_signals: Sequence[int]) -> bool:
    """Re-verify a proof with py-ecc against the committed key and the public signals the chain used."""
    if tuple(int(value) for value in expected_public_signals) != tuple(proof.public_signals):
        return False
    return verify(verification_key(circuit), proof)

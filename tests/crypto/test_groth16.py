"""Off-chain Groth16 verification with py_ecc, checked against snarkjs on the same proofs."""

from __future__ import annotations

import dataclasses

import pytest
from py_ecc.optimized_bn128 import G1, add, field_modulus, multiply, normalize

from batterytrace.exceptions import ProofError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.proof import Groth16Proof
from batterytrace.zk.verifier import VerificationKey, load_verification_key, verify


def _negated_a(proof: Groth16Proof) -> Groth16Proof:
    return dataclasses.replace(proof, a=(proof.a[0], field_modulus - proof.a[1]))


def _shifted_c(proof: Groth16Proof) -> Groth16Proof:
    # Still a valid curve point, just the wrong one.
    point = normalize(add((*(type(G1[0])(v) for v in proof.c), G1[2].one()), G1))
    return dataclasses.replace(proof, c=(int(point[0]), int(point[1])))


def _swapped_b(proof: Groth16Proof) -> Groth16Proof:
    return dataclasses.replace(proof, b=((proof.b[0][1], proof.b[0][0]), proof.b[1]))


def _flipped_signal(proof: Groth16Proof) -> Groth16Proof:
    return dataclasses.replace(proof, public_signals=(proof.public_signals[0] + 1, *proof.public_signals[1:]))


def _signal_plus_modulus(proof: Groth16Proof) -> Groth16Proof:
    # Congruent to the honest signal: a verifier that reduces would accept it.
    return dataclasses.replace(proof, public_signals=(proof.public_signals[0] + SNARK_SCALAR_FIELD, *proof.public_signals[1:]))


def _off_curve_a(proof: Groth16Proof) -> Groth16Proof:
    return dataclasses.replace(proof, a=(1, 3))


def _coordinate_plus_modulus(proof: Groth16Proof) -> Groth16Proof:
    return dataclasses.replace(proof, a=(proof.a[0] + field_modulus, proof.a[1]))


TAMPERINGS = [_flipped_signal, _negated_a, _shifted_c, _swapped_b, _signal_plus_modulus]


def test_honest_proof_verifies(tiny_vkey, tiny_proof):
    assert verify(tiny_vkey, tiny_proof) is True


def test_honest_proof_verifies_with_loaded_key(tiny_keys_dir, tiny_proof):
    key = load_verification_key(tiny_keys_dir / "tiny.vkey.json")
    assert key.public_signal_count == 2
    assert verify(key, tiny_proof) is True


@pytest.mark.parametrize("tamper", TAMPERINGS + [_off_curve_a, _coordinate_plus_modulus], ids=lambda f: f.__name__)
def test_tampered_proof_is_rejected(tiny_vkey, tiny_proof, tamper):
    assert verify(tiny_vkey, tamper(tiny_proof)) is False


def test_verdicts_agree_with_snarkjs(tiny_vkey, tiny_proof, snarkjs_node):
    proofs = [tiny_proof] + [tamper(tiny_proof) for tamper in TAMPERINGS]
    snarkjs_verdicts = snarkjs_node(tiny_vkey, [proof.to_snarkjs() for proof in proofs])["verified"]
    key = VerificationKey.from_snarkjs(tiny_vkey)
    assert [verify(key, proof) for proof in proofs] == snarkjs_verdicts == [True] + [False] * len(TAMPERINGS)


def test_wrong_public_signal_count_raises_proof_error(tiny_vkey, tiny_proof):
    with pytest.raises(ProofError, match="proof has 1 public signals, the key expects 2"):
        verify(tiny_vkey, dataclasses.replace(tiny_proof, public_signals=(24,)))


def test_malformed_key_raises_proof_error(tiny_vkey, tiny_proof):
    broken = dict(tiny_vkey, vk_alpha_1=["1", "3", "1"])
    with pytest.raises(ProofError, match="malformed verification key"):
        verify(broken, tiny_proof)


def test_key_for_another_curve_raises_proof_error(tiny_vkey):
    with pytest.raises(ProofError, match="not a bn128 Groth16 key"):
        VerificationKey.from_snarkjs(dict(tiny_vkey, curve="bls12381"))


def _fq2_sqrt(a):
    """A square root in F_p^2 (p = 3 mod 4), Adj and Rodriguez-Henriquez algorithm 9, or None."""
    from py_ecc.fields import optimized_bn128_FQ2 as FQ2

    a1 = a ** ((field_modulus - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    if alpha == FQ2([-1, 0]):
        return FQ2([0, 1]) * x0
    root = (FQ2.one() + alpha) ** ((field_modulus - 1) // 2) * x0
    return root if root * root == a else None


def test_g2_point_outside_subgroup_is_rejected(tiny_vkey, tiny_proof):
    from py_ecc.fields import optimized_bn128_FQ2 as FQ2
    from py_ecc.optimized_bn128 import b2, curve_order, is_inf, is_on_curve

    for k in range(1, 100):
        x = FQ2([k, 1])
        y = _fq2_sqrt(x**3 + b2)
        if y is not None and not is_inf(multiply((x, y, FQ2.one()), curve_order)):
            break
    else:
        raise AssertionError("no twist point outside the subgroup found")
    assert is_on_curve((x, y, FQ2.one()), b2)
    from batterytrace.zk.verifier import _g2, _InvalidPoint

    with pytest.raises(_InvalidPoint, match="not in the prime-order subgroup"):
        _g2((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    forged = dataclasses.replace(tiny_proof, b=((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))))
    assert verify(tiny_vkey, forged) is False

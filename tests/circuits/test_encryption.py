"""ViewKeyCiphertext(n) (circuits/lib/encryption.circom) against its Python twin, and the witnesses an
attacker builds by hand against its R1CS.

Honest inputs go through the circuit's own generator (`wtns calculate`, `wtns check`): the outputs are
exactly batterytrace.zk.cipher's ciphertext, and the view secret decrypts them. Cheating witnesses are
written by the test (tests/circuits/encryption_support.py) and checked against the compiled R1CS by
the project's reader and by snarkjs `wtns check` on a .wtns file; each keeps every part consistent
with the attacker's choice, and the constraints it breaks all lie in the part that should stop it.
"""

from __future__ import annotations

import random

import pytest

from batterytrace.zk import babyjub
from batterytrace.zk.babyjub import BASE8, GENERATOR, IDENTITY, SUBGROUP_ORDER, Point, ViewKeys
from batterytrace.zk.cipher import ViewKeyCiphertext, decrypt, encrypt, keystream, keystream_width
from batterytrace.zk.poseidon import partial_rounds

from .encryption_support import FIELD_MODULUS, SECRET_BITS, Build, Forgery, Witness, forge_consistently, point_signals

P = FIELD_MODULUS
VIEW_KEYS = ViewKeys.derive(b"batterytrace tests: the auditors' view key")
OTHER_KEYS = ViewKeys.derive(b"batterytrace tests: a key the prover controls")
RNG = random.Random(20260417)
#: ViewKeyAgreement: Num2Bits(251), the subgroup check (21) and AssertNonZero (1), EscalarMulFix(251)
#: and EscalarMulAny(251); the ciphertext sums cost nothing once circom folds them into the keystream.
AGREEMENT_CONSTRAINTS = 3074
CONSTRAINTS = {7: 3440, 13: 3575, 21: 3950}
# The 8 points of order dividing 8: multiples of the generator's l-th multiple (it has order 8).
TORSION = [babyjub.multiply(babyjub.multiply(GENERATOR, SUBGROUP_ORDER), i) for i in range(8)]
INVERSE_OF_EIGHT = pow(8, -1, SUBGROUP_ORDER)


def circuit_input(secret: int, plaintext: list[int], view_key: Point = VIEW_KEYS.public_key) -> dict[str, object]:
    return {"ephemeralSecret": secret, "plaintext": list(plaintext), "viewPublicKey": view_key.as_list()}


def random_plaintext(n: int) -> list[int]:
    return [RNG.randrange(P) for _ in range(n)]


def expected(secret: int, plaintext: list[int], view_key: Point = VIEW_KEYS.public_key) -> ViewKeyCiphertext:
    """The ciphertext the circuit must output for any 251-bit secret, canonical or not."""
    stream = keystream(babyjub.multiply(view_key, secret), len(plaintext))
    return ViewKeyCiphertext(babyjub.multiply(BASE8, secret),
                             tuple((m + k) % P for m, k in zip(plaintext, stream)))


@pytest.fixture(scope="module")
def target() -> Build:
    return Build("encryption_7")


# -- sizes ----------------------------------------------------------------------------------------

def test_constraint_counts_are_the_agreement_plus_the_keystream_permutations():
    for n, count in CONSTRAINTS.items():
        width = keystream_width(n)
        blocks = -(-n // (width - 1))
        # 3 constraints per S-box on a non-constant value: 7 full rounds of `width`, 2 in the first
        # (S.x, S.y), and the partial rounds.
        assert len(Build(f"encryption_{n}").r1cs.constraints) == count
        assert count == AGREEMENT_CONSTRAINTS + 3 * blocks * (7 * width + 2 + partial_rounds(width))


def test_keystream_widths_are_the_circuits_choice():
    (outcome,) = Build("encryption_widths").evaluate([{}])
    assert outcome.accepted
    assert outcome.public_signals == [keystream_width(n) for n in range(1, 65)]
    assert [keystream_width(n) for n in (7, 13, 21)] == [8, 15, 12]


# -- honest inputs through the generator ----------------------------------------------------------

@pytest.mark.parametrize("n", sorted(CONSTRAINTS))
def test_outputs_are_the_python_ciphertext_and_decrypt_with_the_view_secret(n):
    cases = [(RNG.randrange(1, SUBGROUP_ORDER), random_plaintext(n)),
             (1, [0] * n),
             (SUBGROUP_ORDER - 1, [P - 1] * n)]
    outcomes = Build(f"encryption_{n}").evaluate([circuit_input(secret, plaintext) for secret, plaintext in cases])
    for (secret, plaintext), outcome in zip(cases, outcomes):
        assert outcome.accepted, outcome.error
        ciphertext = encrypt(plaintext, VIEW_KEYS.public_key, secret)
        assert outcome.public_signals == ciphertext.public_signals() + VIEW_KEYS.public_key.as_list()
        assert decrypt(ciphertext, VIEW_KEYS) == tuple(plaintext)


def test_a_secret_at_or_above_l_still_decrypts_under_the_view_key(target):
    # Both products take the same 251 bits, so k stands for k mod l; 0 and l give E = S = (0, 1), a
    # ciphertext anyone can read, but still the view key's.
    plaintext = random_plaintext(7)
    secrets = [0, SUBGROUP_ORDER, SUBGROUP_ORDER + 1, 2**SECRET_BITS - 1]
    outcomes = target.evaluate([circuit_input(secret, plaintext) for secret in secrets])
    for secret, outcome in zip(secrets, outcomes):
        assert outcome.accepted, outcome.error
        ciphertext = expected(secret, plaintext)
        assert outcome.public_signals[:9] == ciphertext.public_signals()
        assert decrypt(ciphertext, VIEW_KEYS) == tuple(plaintext)
    assert expected(0, plaintext).ephemeral_public_key == IDENTITY


def test_the_generator_refuses_a_secret_of_more_than_251_bits_and_a_view_key_that_is_no_key(target):
    plaintext = random_plaintext(7)
    view_key = VIEW_KEYS.public_key
    inputs = [circuit_input(2**SECRET_BITS, plaintext), circuit_input(P - 1, plaintext)] + [
        circuit_input(12345, plaintext, key) for key in (
            Point(view_key.x, (view_key.y + 1) % P),  # off the curve
            GENERATOR,                                # on the curve, of order 8 l
            babyjub.add(view_key, TORSION[4]),        # the key plus the point of order 2
            IDENTITY, TORSION[4])]                    # x = 0
    outcomes = target.evaluate(inputs)
    assert all(not outcome.accepted for outcome in outcomes), [o.stage for o in outcomes]


# -- witnesses built by hand ----------------------------------------------------------------------

SECRET = RNG.randrange(1, SUBGROUP_ORDER)
OTHER_SECRET = RNG.randrange(1, SUBGROUP_ORDER)
PLAINTEXT = random_plaintext(7)


@pytest.fixture(scope="module")
def honest(target) -> Witness:
    return target.witnesses([circuit_input(SECRET, PLAINTEXT)])[0]


def honest_forgery(**changes: object) -> Forgery:
    view_key = changes.get("view_key", VIEW_KEYS.public_key)
    values = {"bits": Forgery.bits_of(SECRET), "view_key": view_key,
              "eighth": babyjub.multiply(view_key, INVERSE_OF_EIGHT), "plaintext": tuple(PLAINTEXT)}
    values.update(changes)
    return Forgery(**values)


def assert_rejected_by(target: Build, witnesses: list[Witness], *parts: str) -> None:
    """Each witness breaks the R1CS (by both checks), and every constraint it breaks involves a signal
    of one of `parts` (prefixes of signal names): that is what stops it."""
    for witness in witnesses:
        violations = target.violations(witness)
        assert violations, "the R1CS accepts a cheating witness"
        stray = [v for v in violations if not any(name.startswith(parts) for name in v.signals)]
        assert stray == [], f"constraints outside {parts} fail too: {stray[:2]}"
    assert target.snarkjs_accepts(witnesses) == [False] * len(witnesses)


def test_the_honest_witness_and_its_consistent_rebuild_satisfy_the_r1cs(target, honest):
    # The controls: the checks accept what they should, and the forgery builder, given the honest
    # choices, rebuilds a witness the R1CS accepts, so the rejections below are the choices' doing.
    (rebuilt,) = forge_consistently(target, honest, [honest_forgery()])
    # A private plaintext element and its ciphertext element moved together: still an encryption
    # (the note circuits bind the plaintext to the note's commitment).
    consistent = target.forge(honest, {"main.plaintext[3]": honest["main.plaintext[3]"] + 5,
                                       "main.ciphertext[3]": honest["main.ciphertext[3]"] + 5})
    for witness in (honest, rebuilt, consistent):
        assert target.violations(witness) == []
    assert target.wires(rebuilt) == target.wires(honest)
    assert target.snarkjs_accepts([honest, rebuilt, consistent]) == [True, True, True]


@pytest.mark.parametrize("index", range(7))
def test_a_ciphertext_element_changed_alone_breaks_the_r1cs(target, honest, index):
    name = f"main.ciphertext[{index}]"
    forged = target.forge(honest, {name: honest[name] + 1})
    assert_rejected_by(target, [forged], name)


def test_an_ephemeral_key_that_is_not_the_secrets_product_breaks_the_r1cs(target, honest):
    other = target.witnesses([circuit_input(OTHER_SECRET, PLAINTEXT)])[0]
    other_key = babyjub.multiply(BASE8, OTHER_SECRET)
    # The published key alone, and the whole fixed-base product of another secret on the secret's bits.
    alone = target.forge(honest, point_signals("main.ephemeralPublicKey", other_key))
    product = target.forge(honest, {name: value for name, value in other.items()
                                    if name.startswith("main.agreement.ephemeral.") and ".e[" not in name},
                           point_signals("main.ephemeralPublicKey", other_key))
    assert_rejected_by(target, [alone, product], "main.ephemeralPublicKey", "main.agreement.ephemeral.")


def test_a_keystream_from_another_shared_point_breaks_the_r1cs(target, honest):
    # E is the secret's, but the shared point (and so the keystream and ciphertext) another secret's:
    # the view secret would find k * V, not the point that encrypted.
    other = target.witnesses([circuit_input(OTHER_SECRET, PLAINTEXT)])[0]
    spliced = {name: value for name, value in other.items()
               if name.startswith(("main.agreement.shared.", "main.agreement.sharedKey", "main.keystream.",
                                   "main.ciphertext")) and ".e[" not in name}
    assert_rejected_by(target, [target.forge(honest, spliced)], "main.agreement.shared.")


def test_a_ciphertext_for_another_view_key_breaks_the_r1cs(target, honest):
    # Encrypted for a key the prover controls, presented for the auditors' key.
    other = target.witnesses([circuit_input(SECRET, PLAINTEXT, OTHER_KEYS.public_key)])[0]
    claimed = target.forge(other, point_signals("main.viewPublicKey", VIEW_KEYS.public_key),
                           {name: value for name, value in honest.items()
                            if name.startswith(("main.agreement.viewKeyInSubgroup.", "main.agreement.viewKeyNotIdentity."))})
    assert_rejected_by(target, [claimed], "main.agreement.shared.")


def test_an_off_curve_view_key_breaks_only_the_subgroup_check(target, honest):
    view_key = VIEW_KEYS.public_key
    off_curve = Point(view_key.x, (view_key.y + 1) % P)
    forgeries = [honest_forgery(view_key=off_curve),  # the generator's hint, computed off the curve
                 honest_forgery(view_key=off_curve, eighth=babyjub.multiply(view_key, INVERSE_OF_EIGHT))]
    assert_rejected_by(target, forge_consistently(target, honest, forgeries), "main.agreement.viewKeyInSubgroup.")


def test_a_view_key_outside_the_subgroup_breaks_only_the_subgroup_check(target, honest):
    # V + T for each point T of order 2, 4 or 8: on the curve, but no W on the curve has 8 W = V + T
    # (8 W is always in the subgroup). The attacker tries the generator's hint for each, and, for a T
    # of order 8, each of the 8 points W with 8 W = V.
    honest_eighth = babyjub.multiply(VIEW_KEYS.public_key, INVERSE_OF_EIGHT)
    outside = [babyjub.add(VIEW_KEYS.public_key, torsion) for torsion in TORSION[1:]]
    assert all(babyjub.is_on_curve(key) and not babyjub.in_subgroup(key) for key in outside)
    forgeries = [honest_forgery(view_key=key) for key in outside]
    forgeries += [honest_forgery(view_key=outside[0], eighth=babyjub.add(honest_eighth, root)) for root in TORSION]
    assert_rejected_by(target, forge_consistently(target, honest, forgeries), "main.agreement.viewKeyInSubgroup.")


def test_the_identity_as_view_key_breaks_only_the_non_identity_check(target, honest):
    # (0, 1) passes the subgroup check (8 (0, 1) = (0, 1)) and makes the shared point (0, 1), public;
    # no inverse of x = 0 exists.
    forgeries = [honest_forgery(view_key=IDENTITY, eighth=IDENTITY, inverse=inverse) for inverse in (None, 1, 7)]
    assert_rejected_by(target, forge_consistently(target, honest, forgeries), "main.agreement.viewKeyNotIdentity.")


def test_secret_bits_that_are_not_bits_break_only_their_range_check(target, honest):
    # The same integer as a secret with bits 1, 2 = 0, 1, but written with bit 1 = 2 and bit 2 = 0
    # (2 * 2 = 1 * 4): the products then leave the scalar multiples, and only the bits' booleanity
    # stops them.
    secret = (SECRET & ~0b110) | 0b100
    bits = list(Forgery.bits_of(secret))
    bits[1], bits[2] = 2, 0
    assert sum(bit << index for index, bit in enumerate(bits)) == secret
    (base,) = target.witnesses([circuit_input(secret, PLAINTEXT)])
    (forged,) = forge_consistently(target, base, [honest_forgery(bits=tuple(bits))])
    bit_names = {f"main.agreement.{part}[{index}]" for index in range(SECRET_BITS)
                 for part in ("secretBits.out", "ephemeral.e", "shared.e")}
    violations = target.violations(forged)
    assert violations
    assert all(set(v.signals) <= bit_names | {"main.ephemeralSecret", "main.agreement.secretBits.in",
                                               "main.agreement.ephemeralSecret"} for v in violations), violations[:2]
    assert target.snarkjs_accepts([forged]) == [False]


def test_a_secret_that_its_bits_do_not_represent_breaks_the_r1cs(target, honest):
    forged = target.forge(honest, {"main.ephemeralSecret": honest["main.ephemeralSecret"] + 1})
    assert_rejected_by(target, [forged], "main.ephemeralSecret")

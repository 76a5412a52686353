"""A Groth16 proof and its public signals, in the forms snarkjs, Solidity and JSON use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProofError


@dataclass(frozen=True)
class Groth16Proof:
    """A Groth16 proof over BN254 with its public signals, as snarkjs produces them.

    ``a`` and ``c`` are affine G1 points (x, y); ``b`` is an affine G2 point in snarkjs's ``pi_b``
    layout, ((x.c0, x.c1), (y.c0, y.c1)).
    """

    a: tuple[int, int]
    b: tuple[tuple[int, int], tuple[int, int]]
    c: tuple[int, int]
    public_signals: tuple[int, ...]

    def __post_init__(self) -> None:
        def ints(value: Any, length: int, name: str) -> tuple:
            if not isinstance(value, Sequence) or len(value) != length:
                raise ProofError(f"{name} must have {length} elements, got {value!r}")
            return tuple(value)

        def check_int(value: Any, name: str) -> None:
            if type(value) is not int:
                raise ProofError(f"{name} must be an int, got {value!r}")

        a = ints(self.a, 2, "a")
        c = ints(self.c, 2, "c")
        b = tuple(ints(row, 2, f"b[{i}]") for i, row in enumerate(ints(self.b, 2, "b")))
        if not isinstance(self.public_signals, Iterable):
            raise ProofError(f"public_signals must be a sequence, got {self.public_signals!r}")
        signals = tuple(self.public_signals)
        for name, values in (("a", a), ("c", c), ("b[0]", b[0]), ("b[1]", b[1]), ("public_signals", signals)):
            for index, value in enumerate(values):
                check_int(value, f"{name}[{index}]")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "public_signals", signals)

    @classmethod
    def from_snarkjs(cls, proof: Mapping[str, Any], public_signals: Sequence[Any]) -> Groth16Proof:
        """Build from snarkjs's ``proof.json`` object (projective, z = 1) and ``public.json`` list."""
        try:
            if proof.get("protocol", "groth16") != "groth16" or proof.get("curve", "bn128") != "bn128":
                raise ProofError(f"not a bn128 Groth16 proof: {proof.get('protocol')}/{proof.get('curve')}")
            pi_a, pi_b, pi_c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
            if [str(v) for v in pi_a[2:]] != ["1"] or [str(v) for v in pi_c[2:]] != ["1"]:
                raise ProofError("pi_a and pi_c must be affine (z = 1)")
            if [[str(v) for v in row] for row in pi_b[2:]] != [["1", "0"]]:
                raise ProofError("pi_b must be affine (z = 1)")
            return cls(
                a=(int(pi_a[0]), int(pi_a[1])),
                b=((int(pi_b[0][0]), int(pi_b[0][1])), (int(pi_b[1][0]), int(pi_b[1][1]))),
                c=(int(pi_c[0]), int(pi_c[1])),
                public_signals=tuple(int(s) for s in public_signals),
            )
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            if isinstance(error, ProofError):
                raise
            raise ProofError(f"malformed snarkjs proof: {error!r}") from error

    def to_snarkjs(self) -> tuple[dict[str, Any], list[str]]:
        """The (proof, publicSignals) pair in snarkjs's JSON layout, for ``snarkjs groth16 verify``."""
        proof = {
            "pi_a": [str(self.a[0]), str(self.a[1]), "1"],
            "pi_b": [[str(v) for v in self.b[0]], [str(v) for v in self.b[1]], ["1", "0"]],
            "pi_c": [str(self.c[0]), str(self.c[1]), "1"],
            "protocol": "groth16",
            "curve": "bn128",
        }
        return proof, [str(s) for s in self.public_signals]

    def to_json(self) -> str:
        """``{"proof": ..., "publicSignals": [...]}`` in snarkjs's layout (ints as decimal strings)."""
        proof, public_signals = self.to_snarkjs()
        return json.dumps({"proof": proof, "publicSignals": public_signals}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Groth16Proof:
        """Parse ``to_json`` output."""
        try:
            document = json.loads(text)
            return cls.from_snarkjs(document["proof"], document["publicSignals"])
        except (AttributeError, ValueError, KeyError, TypeError) as error:
            if isinstance(error, ProofError):
                raise
            raise ProofError(f"malformed proof JSON: {error!r}") from error

    def solidity_args(self) -> tuple[list[int], list[list[int]], list[int], list[int]]:
        """(pA, pB, pC, pubSignals) for the snarkjs-generated ``verifyProof``.

        The EVM pairing precompile takes G2 coordinates as (c1, c0), so each pair of ``b`` is swapped,
        exactly as snarkjs's ``exportSolidityCallData`` does.
        """
        return (
            [self.a[0], self.a[1]],
            [[self.b[0][1], self.b[0][0]], [self.b[1][1], self.b[1][0]]],
            [self.c[0], self.c[1]],
            list(self.public_signals),
        )

    def solidity_proof(self) -> tuple[list[int], list[list[int]], list[int]]:
        """(pA, pB, pC) as the contracts' ``Groth16Proof`` struct takes them (``solidity_args``'s first three)."""
        a, b, c, _signals = self.solidity_args()
        return (a, b, c)



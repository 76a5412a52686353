"""Helpers of the hardening tests: Groth16 proof malleation, calldata structs re-encoded, and the
fuzzing budget (``BATTERYTRACE_FUZZ_EXAMPLES``, larger under ``make audit``)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

#: Hypothesis examples per fuzz test: small by default so `make test` stays fast.
FUZZ_EXAMPLES = int(os.environ.get("BATTERYTRACE_FUZZ_EXAMPLES", "60"))


FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_EXAMPLES <= 60,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


#: The BN254 base field: proof points' coordinates live here.
BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583


def plain(value):
    """Structs decoded from calldata (dicts, lists) as web3 encodes them again (tuples, lists)."""
    if isinstance(value, dict):
        return tuple(plain(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def negated(a: list[int], b: list[list[int]], c: list[int]) -> tuple[list[int], list[list[int]], list[int]]:
    """The proof (-A, -B, C): e(-A, -B) = e(A, B), so it verifies whenever (A, B, C) does."""
    return ([a[0], (BASE_FIELD - a[1]) % BASE_FIELD], [list(b[0]), [(BASE_FIELD - y) % BASE_FIELD for y in b[1]]], list(c))


def proof_parts(proof: Any) -> tuple[list[int], list[list[int]], list[int]]:
    """(a, b, c) of a Groth16Proof struct decoded from calldata (a dict or a tuple)."""
    if isinstance(proof, dict):
        return list(proof["a"]), [list(row) for row in proof["b"]], list(proof["c"])
    return list(proof[0]), [list(row) for row in proof[1]], list(proof[2])

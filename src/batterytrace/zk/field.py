"""The BN254 scalar field the circuits compute in, and how bytes enter it."""

from __future__ import annotations

from eth_hash.auto import keccak


def field_element_from_bytes(data: bytes) -> int:
    """Map arbitrary bytes into the field as ``uint256(keccak256(data)) >> 8`` (Semaphore style)."""
    return int.from_bytes(keccak(bytes(data)), "big") >> 8


#: The BN254 (alt_bn128) scalar field modulus, the field circom and snarkjs work in.
SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617

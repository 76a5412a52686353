"""The context a proof is bound to: one field element per (chain, contract, operation, call).

Every circuit takes a public ``context`` and the shielded ledger recomputes it,
``uint256(keccak256(abi.encode(block.chainid, address(this), operation, ...call))) >> 8``
(``ProofGate._fieldHash``), so a proof made for one chain, contract, operation or call is refused
for any other. The ledger's operation names are ``bytes32`` text constants, left-aligned. The SDK
reads the origin, custody and transform contexts from the ledger (they hash the sealed openings of
the call) and computes the pack context here, to re-verify a passport without trusting a node.
"""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

#: The shielded ledger's operation names, as its ``bytes32`` constants hold them (text, left-aligned).
LEDGER_PACK = "batterytrace.pack"


def pack_context(chain_id: int, ledger: str, passport_contract: str, binding: bytes) -> int:
    """``ShieldedLedger.packContext(passportContract, binding)``."""
    encoded = abi_encode(["uint256", "address", "bytes32", "address", "bytes32"],
                         [chain_id, to_checksum_address(ledger), LEDGER_PACK.encode().ljust(32, b"\0"),
                          to_checksum_address(passport_contract), binding])
    return int.from_bytes(keccak(encoded), "big") >> 8

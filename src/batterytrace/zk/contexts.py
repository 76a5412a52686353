"""The context a proof is bound to: one field element per (chain, contract, operation, call).

Every circuit takes a public ``context`` and the shielded ledger recomputes it,
``uint256(keccak256(abi.encode(block.chainid, address(this), operation, ...call))) >> 8``
(``ProofGate._fieldHash``), so a proof made for one chain, contract, operation or call is refused
for any other. The ledger's operation names are ``bytes32`` text constants, left-aligned. The SDK
reads the origin, custody and transform contexts from the ledger (they hash the sealed openings of
the call) and computes a passport batch's context here (the passport contract binds chain, itself,
the issuer and the batch's records the same way), to re-verify a passport without trusting a node.
"""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

#: PassportEntry's ABI tuple, as ``BatteryPassport._chain`` encodes an entry's record.
_RECORD_TYPES = ["bytes32", "uint256", "uint24[3]", "bytes32", "bytes32", "bytes32"]


def records_hash(records: list[tuple[int, tuple[int, int, int], bytes, bytes, bytes]]) -> bytes:
    """``BatteryPassport.recordsHash``: keccak256 chained over the batch's passports in order, each
    ``(passportId, grams per metal, documentHash, legitimateInterestCommitment, authoritiesCommitment)``."""
    digest = bytes(32)
    for passport_id, grams, document_hash, legitimate_interest, authorities in records:
        digest = keccak(abi_encode(_RECORD_TYPES, [digest, passport_id, list(grams), document_hash, legitimate_interest,
                                                   authorities]))
    return digest


def batch_context(chain_id: int, passport_contract: str, issuer: str, records: bytes) -> int:
    """The context of a batch's proof as ``BatteryPassport.issueBatch`` computes it:
    ``uint256(keccak256(abi.encode(chainid, passport contract, issuer, recordsHash))) >> 8``."""
    encoded = abi_encode(["uint256", "address", "address", "bytes32"],
                         [chain_id, to_checksum_address(passport_contract), to_checksum_address(issuer), records])
    return int.from_bytes(keccak(encoded), "big") >> 8

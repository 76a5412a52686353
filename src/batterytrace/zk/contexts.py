"""The context each proof is bound to: one field element per (chain, contract, operation, call).

Every circuit takes a public ``context`` and every contract recomputes it the same way,
``uint256(keccak256(abi.encode(block.chainid, address(this), keccak256(operation), ...call))) >> 8``
(``ProofGate._fieldHash``), so a proof made for one chain, contract, operation or call is refused
for any other. The SDK computes it here rather than trusting a node to.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

MINT = "batterytrace.mint"
TRANSFORM = "batterytrace.transform"
CLAIM = "batterytrace.claim"


def proof_context(chain_id: int, contract: str, operation: str, types: Sequence[str], values: Sequence[object]) -> int:
    """The context of ``operation`` at ``contract`` on ``chain_id`` for a call's ``values``."""
    encoded = abi_encode(
        ["uint256", "address", "bytes32", *types],
        [chain_id, to_checksum_address(contract), keccak(text=operation), *values],
    )
    return int.from_bytes(keccak(encoded), "big") >> 8


def mint_context(chain_id: int, lots_contract: str, lot_id: int) -> int:
    """``BatteryLots.mintContext(lotId)``."""
    return proof_context(chain_id, lots_contract, MINT, ["uint256"], [lot_id])


def transform_context(chain_id: int, lots_contract: str, input_lot_ids: Sequence[int], output_lot_ids: Sequence[int],
                      facility_id: int) -> int:
    """``BatteryLots.transformContext(inputLotIds, outputLotIds, facilityId)``."""
    return proof_context(chain_id, lots_contract, TRANSFORM, ["uint256[]", "uint256[]", "uint32"],
                         [list(input_lot_ids), list(output_lot_ids), facility_id])


def claim_context(chain_id: int, passport_contract: str, passport_id: int, pack_lot_id: int) -> int:
    """``BatteryPassport.claimContext(passportId, packLotId)``."""
    return proof_context(chain_id, passport_contract, CLAIM, ["uint256", "uint256"], [passport_id, pack_lot_id])


#: The shielded ledger's operation names, as its ``bytes32`` constants hold them (text, left-aligned).
LEDGER_PACK = "batterytrace.pack"


def pack_context(chain_id: int, ledger: str, passport_contract: str, binding: bytes) -> int:
    """``ShieldedLedger.packContext(passportContract, binding)``."""
    encoded = abi_encode(["uint256", "address", "bytes32", "address", "bytes32"],
                         [chain_id, to_checksum_address(ledger), LEDGER_PACK.encode().ljust(32, b"\0"),
                          to_checksum_address(passport_contract), binding])
    return int.from_bytes(keccak(encoded), "big") >> 8

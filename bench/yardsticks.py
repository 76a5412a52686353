"""The benchmarks' yardstick contracts (bench/contracts), compiled and deployed on demand.

They are not shipped with the SDK: they are compiled here from bench/contracts with the compiler and
settings of the shipped build (``batterytrace.evm.artifacts``), so a yardstick and the contracts it
is compared with come out of the same solc, optimizer and EVM version.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from batterytrace.evm.artifacts import Artifact, compile_all
from batterytrace.evm.chain import Chain
from batterytrace.evm.signers import Signer

BENCH_CONTRACTS_FOLDER = "bench/contracts"
YARDSTICKS = ("ReferenceERC721",)


@cache
def yardstick_artifacts() -> dict[str, Artifact]:
    """Compile bench/contracts once per process."""
    return compile_all(folder=BENCH_CONTRACTS_FOLDER, names=YARDSTICKS).artifacts


def deploy_yardstick(chain: Chain, signer: Signer, name: str, *arguments: Any) -> Any:
    """Deploy a yardstick contract and return a web3 contract object at its address."""
    artifact = yardstick_artifacts()[name]
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = chain.transact(signer, factory.constructor(*arguments), f"deploy {name}")
    assert receipt.contract_address is not None
    return chain.w3.eth.contract(address=receipt.contract_address, abi=artifact.abi)

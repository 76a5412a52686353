"""Gas of the shielded ledger's operations next to their floor (issue 14's definition).

One origin mint at the sandbox's certified mine, then an offer to the refinery and its accept, each
relayed by an account that is neither party (tests/helpers/shielded.py builds and proves them). The
floor of a transaction is what it cannot avoid: 21,000 base; its calldata (16 gas a non-zero byte, 4
a zero byte); the Groth16 pairing check (45,000 + 34,000 x 4 pairings) and 6,150 per public input;
20,000 per new storage slot it must set (the nullifier, the mint tag); and the note tree's Poseidon
hashes, counted from the transaction's call trace (every call into PoseidonT3, with its gas). Run:
``python -m bench.shielded_gas``.
"""

from __future__ import annotations

import warnings

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.prover import Prover
from tests.helpers.sandbox import build_world
from tests.helpers.shielded import Ledger, compiled_ledger, deploy_ledger, mint, step

PAIRING_FLOOR = 45_000 + 34_000 * 4
PER_PUBLIC_INPUT = 6_150
NEW_SLOT = 20_000
PUBLIC_INPUTS = {"mintOrigin": 10, "custody": 6}


def _calls(frame: dict):
    yield frame
    for child in frame.get("calls", []):
        yield from _calls(child)


def poseidon_gas(chain: Chain, transaction_hash: str, poseidon: str) -> tuple[int, int]:
    """(calls into PoseidonT3, the gas they used) in one transaction's call trace."""
    trace = chain.w3.provider.make_request("debug_traceTransaction", [transaction_hash, {"tracer": "callTracer"}])
    calls = [frame for frame in _calls(trace["result"]) if frame.get("to", "").lower() == poseidon.lower()]
    return len(calls), sum(int(frame["gasUsed"], 16) for frame in calls)


def calldata_gas(chain: Chain, transaction_hash: str) -> int:
    data = bytes(chain.w3.eth.get_transaction(transaction_hash)["input"])
    return sum(16 if byte else 4 for byte in data)


def measure() -> list[dict[str, object]]:
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalNode() as node, Prover() as prover:
            chain = Chain(node.url)
            world = build_world(chain, prover)
            contract, address = deploy_ledger(world, compiled_ledger())
            ledger = Ledger(world, contract, address, world.stranger.signer, LeanIMT())
            note, minted = mint(ledger)
            offered, call = step(ledger, note, CustodyOperation.OFFER, world.miner, receiver=world.refiner)
            offer = ledger.send(call, "offer")
            ledger.notes.insert(offered.commitment)
            _accepted, call = step(ledger, offered, CustodyOperation.ACCEPT, world.refiner, evidence=b"w" * 32)
            accept = ledger.send(call, "accept")
            for name, function, receipt in (("origin mint", "mintOrigin", minted), ("offer", "custody", offer),
                                            ("accept", "custody", accept)):
                hashes, hash_gas = poseidon_gas(chain, receipt.transaction_hash, world.deployment.poseidon_t3)
                floor = (21_000 + calldata_gas(chain, receipt.transaction_hash) + PAIRING_FLOOR
                         + PER_PUBLIC_INPUT * PUBLIC_INPUTS[function] + NEW_SLOT + hash_gas)
                rows.append({"operation": name, "gas": receipt.gas_used, "floor": floor, "poseidon_calls": hashes,
                             "poseidon_gas": hash_gas, "ratio": receipt.gas_used / floor})
    return rows


if __name__ == "__main__":
    print("| operation | gas | floor | PoseidonT3 calls (gas) | gas / floor |")
    print("|---|---:|---:|---:|---:|")
    for row in measure():
        print(f"| {row['operation']} | {row['gas']:,} | {row['floor']:,} | {row['poseidon_calls']} "
              f"({row['poseidon_gas']:,}) | {row['ratio']:.3f} |")

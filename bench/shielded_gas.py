"""Gas of the shielded ledger's operations next to their floor (issue 14's definition).

Every operation through the SDK's shielded family (sdk/shielded.py) and a real relayer, so each is
relayed by an account that is neither party: an origin mint at the sandbox's certified mine, an
offer to the refinery and its accept, a 4 -> 4 refining job, a 1 -> 1 pack assembly and the pack
note's redemption for a passport. The
floor of a transaction is what it cannot avoid: 21,000 base; its calldata (16 gas a non-zero byte, 4
a zero byte); the Groth16 pairing check (45,000 + 34,000 x 4 pairings) and 6,150 per public input;
20,000 per new storage slot it must set (each nullifier, the mint tag); and the note tree's Poseidon
hashes, counted from the transaction's call trace (every call into PoseidonT3, with its gas). Run:
``python -m bench.shielded_gas``.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.model.lots import MaterialKind
from batterytrace.model.registry import Role
from batterytrace.sdk.relayer import LocalRelayer, RelayerClient
from batterytrace.sdk.shielded import ShieldedLedgerOperations, ShieldedOutput
from batterytrace.zk.pack_claim import PackClaims
from batterytrace.zk.prover import Prover
from tests.helpers.relayer import relayer_settings
from tests.helpers.sandbox import build_world

PAIRING_FLOOR = 45_000 + 34_000 * 4
PER_PUBLIC_INPUT = 6_150
NEW_SLOT = 20_000
PUBLIC_INPUTS = {"mintOrigin": 10, "custody": 6, "transform": 12, "redeemPack": 13}


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


def _bags(parties, world, count: int) -> list:
    miner, refiner = parties["miner"], parties["refiner"]
    site = world.facilities["miner"].facility_id
    bags = [miner.mint_origin(site, f"BENCH-{n}", MaterialKind.COBALT_HYDROXIDE, 700_000, 2_000_000, 700 * 6_000)
            for n in range(count)]
    for bag in bags:
        miner.offer(bag.tag, world.refiner.address)
        refiner.accept(bag.tag, 2_000_000)
    return bags


def measure() -> list[dict[str, object]]:
    """Every shielded operation once through the SDK and a real relayer: an origin mint, an offer
    and its accept (the first of four bags), a 4 -> 4 refining job, a 1 -> 1 pack assembly and the
    pack note's redemption for a passport."""
    rows = []
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as work:
        warnings.simplefilter("ignore")
        with LocalNode() as node, Prover() as prover:
            chain = Chain(node.url)
            world = build_world(chain, prover)
            with LocalRelayer(relayer_settings(node.url, world.deployment, Path(work)), Path(work)) as relayer:
                client = RelayerClient(relayer.url)
                parties = {name: ShieldedLedgerOperations(getattr(world, name), client)
                           for name in ("miner", "refiner", "pack_maker")}
                bags = _bags(parties, world, 4)
                refinery = world.facilities["refiner"].facility_id
                outputs = [ShieldedOutput(f"SULF-{n}", MaterialKind.CRUDE_COBALT_SULFATE, 680_000, 3_000_000)
                           for n in range(4)]
                sulfates = parties["refiner"].transform(refinery, [bag.tag for bag in bags], outputs, 40_000_000)
                parties["refiner"].offer(sulfates[0].tag, world.pack_maker.address)
                parties["pack_maker"].accept(sulfates[0].tag, 3_000_000)
                plant = world.facilities["pack_maker"].facility_id
                [made] = parties["pack_maker"].transform(
                    plant, [sulfates[0].tag], [ShieldedOutput("PACK-0", MaterialKind.PACK, 670_000, 450_000_000)],
                    9_000_000)
                passport_contract = world.stranger
                world.admin.send(world.admin.registry.functions.grantRole(Role.PASSPORT_CONTRACT.role_id,
                                                                          passport_contract.address), "grant")
                binding = b"bench passport".ljust(32, b"\0")
                redemption = parties["pack_maker"].pack_redemption(
                    made.tag, PackClaims.tightest(made.note, capacity_wh=75_000), passport_contract.address, binding)
                ledger = parties["pack_maker"].contract
                redeemed = chain.transact(passport_contract.signer, ledger.functions.redeemPack(
                    redemption.request, redemption.proof, binding), "redeemPack")
                auditor = ShieldedLedgerOperations(world.auditor, client)
                auditor.sync()
                notes = {stored.note.commitment: stored for stored in auditor.store.notes()}
                first = notes[bags[0].note.commitment]
                offered = next(stored for stored in auditor.store.notes_with_tag(bags[0].tag)
                               if stored.note.state.name == "OFFERED")
                accepted = [stored for stored in auditor.store.notes_with_tag(bags[0].tag)][-1]
                operations = (
                    ("origin mint", "mintOrigin", first.transaction, 1),
                    ("offer", "custody", offered.transaction, 1),
                    ("accept", "custody", accepted.transaction, 1),
                    ("transform 4 -> 4", "transform", sulfates[0].transaction, 4),
                    ("transform 1 -> 1", "transform", made.transaction, 1),
                    ("pack redemption", "redeemPack", redeemed.transaction_hash, 1),
                )
                for name, function, transaction, slots in operations:
                    gas_used = chain.w3.eth.get_transaction_receipt(transaction)["gasUsed"]
                    hashes, hash_gas = poseidon_gas(chain, transaction, world.deployment.poseidon_t3)
                    floor = (21_000 + calldata_gas(chain, transaction) + PAIRING_FLOOR
                             + PER_PUBLIC_INPUT * PUBLIC_INPUTS[function] + NEW_SLOT * slots + hash_gas)
                    rows.append({"operation": name, "gas": gas_used, "floor": floor, "poseidon_calls": hashes,
                                 "poseidon_gas": hash_gas, "ratio": gas_used / floor})
    return rows


if __name__ == "__main__":
    print("| operation | gas | floor | PoseidonT3 calls (gas) | gas / floor |")
    print("|---|---:|---:|---:|---:|")
    for row in measure():
        print(f"| {row['operation']} | {row['gas']:,} | {row['floor']:,} | {row['poseidon_calls']} "
              f"({row['poseidon_gas']:,}) | {row['ratio']:.3f} |")

"""Gas per operation on a local anvil, each next to its floor (bench/gas_meter.py) and, where one
compares, a plain OpenZeppelin ERC-721 measured in the same run (``ReferenceERC721`` in
bench/contracts, compiled by bench/yardsticks.py).

Every material operation goes through the world's clients' ERP methods (sdk/ledger.py) and a real
relayer, as a partner's ERP sends it: an origin mint at the certified mine, its offer to the
refinery and accept, then at the refinery a chain of transforms of every shape the circuit's 4 x 4
slots allow that the scale model needs (1 -> 2, 2 -> 1, 1 -> 4, 4 -> 4, 4 -> 1, 1 -> 1), each
taking the previous one's outputs, so the series costs one mint; the result offered to the pack
maker and the offer cancelled, offered again and disputed (weighed out of tolerance), the dispute
resolved by the auditor; at the pack maker the lot split into one pack per battery, each made under
its battery id (``split_into_packs``), and passports issued from them with ``issue_passports``
(``BatteryPassport.issueBatch``, one transaction and one batch proof each) in batches of 1, 2, 4, 8 and
15 after an unmeasured batch of one, one handed over. The registry's writes are measured too.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from eth_utils import keccak
from gas_meter import (
    BATCH_SLOTS,
    PASSPORT_BATCHES,
    PASSPORT_TARGET_GAS,
    TARGET_RATIO,
    GasRun,
    Meter,
    note_tree_hashes,
    note_tree_slots,
    passport_batch_floor,
    public_inputs,
)
from web3.logs import DISCARD
from yardsticks import deploy_yardstick

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, Role, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.passports import PassportRequest, hand_over_passport, issue_passports
from batterytrace.sdk.relayer import LocalRelayer, RelayedTransaction, RelayerClient
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.prover import Prover
from batterytrace.zk.shielding import ShieldingKeys
from tests.helpers.flows import battery_id as battery_id_for
from tests.helpers.relayer import relayer_settings
from tests.helpers.sandbox import World, build_world, register, signer

CAPACITY_WH = 75_000
#: A small certified bag, so the pack lots at the end of the chain hold a pack's cobalt.
BAG = {"kind": MaterialKind.COBALT_HYDROXIDE, "cobalt_grams": 22_000, "total_grams": 60_000, "co2e_grams": 220_000}
PROCESS_CO2E_GRAMS = 1_000
ERC721_MINT = "ERC-721 mint (OpenZeppelin)"
ERC721_TRANSFER = "ERC-721 transferFrom (OpenZeppelin)"
LEDGER_TARGET = f"<= {TARGET_RATIO}x floor"
PASSPORT_TARGET = f"<= {PASSPORT_TARGET_GAS:,} gas per passport at a batch of {BATCH_SLOTS}"
#: A pack's mass (the pack maker adds what is not cobalt) and the cobalt its splits lose, basis points.
PACK_TOTAL_GRAMS = 450_000
SPLIT_LOSS_BPS = 20
#: The gas table's sections, in order (rows keep the order they ran in within each).
GROUPS = ("reference", "registry", "ledger", "transform", "passport")


@dataclass
class ProofRecord:
    circuit: str
    inputs: dict[str, Any]
    seconds: float
    label: str = ""


class RecordingProver(Prover):
    """The SDK's long-lived worker, remembering each request's inputs, wall time and label (the
    operation it was made for)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records: list[ProofRecord] = []
        self.label = ""

    def prove(self, circuit: str, inputs: Any):  # type: ignore[override]
        started = time.perf_counter()
        proof = super().prove(circuit, inputs)
        self.records.append(ProofRecord(circuit, dict(inputs), time.perf_counter() - started, self.label))
        return proof

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


class RecordingRelayer(RelayerClient):
    """A relayer client remembering every transaction it had relayed, so a measurement finds the
    one an ERP call sent."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.sent: list[RelayedTransaction] = []

    def submit(self, to: str, calldata: bytes | str) -> RelayedTransaction:
        relayed = super().submit(to, calldata)
        self.sent.append(relayed)
        return relayed


@dataclass
class BenchWorld:
    node: LocalNode
    prover: RecordingProver
    world: World
    relayer: RecordingRelayer


@contextmanager
def bench_world() -> Iterator[BenchWorld]:
    """A fresh anvil with the sandbox's world on it, a prover worker, and a relayer every client
    submits through."""
    with tempfile.TemporaryDirectory(prefix="batterytrace-bench-") as directory, LocalNode() as node, \
            RecordingProver() as prover:
        work = Path(directory)
        world = build_world(Chain(node.url), prover)
        with LocalRelayer(relayer_settings(node.url, world.deployment, work), work) as running:
            relayer = RecordingRelayer(running.url)
            for client in world.clients.values():
                client.relayer = relayer
            yield BenchWorld(node, prover, world, relayer)


def measure_gas(bench: BenchWorld) -> GasRun:
    """Run every operation once on ``bench``'s fresh world and record its gas and floor."""
    deployment = bench.world.deployment
    verifiers = {deployment.origin_verifier, deployment.custody_verifier, deployment.note_transform_verifier,
                 deployment.pack_batch_verifier}
    meter = Meter(bench.world.chain, verifiers, deployment.poseidon_t3)
    _yardsticks(meter, bench.world)
    _registry(meter, bench.world, bench.prover)
    metal = LedgerSteps(meter, bench).run()
    _passports(meter, bench, metal)
    bench.prover.label = ""
    meter.run.rows.sort(key=lambda row: GROUPS.index(row.group))
    return meter.run


def _yardsticks(meter: Meter, world: World) -> None:
    """A plain OpenZeppelin ERC-721's mint and transferFrom, warmed up first so both measured calls
    update an existing balance."""
    chain = world.chain
    holder, other = signer(2), signer(4)
    reference = deploy_yardstick(chain, signer(0), "ReferenceERC721")
    chain.transact(signer(0), reference.functions.mint(holder.address, 1), "reference warm-up")
    chain.transact(signer(0), reference.functions.mint(other.address, 2), "reference warm-up")
    minted = chain.transact(signer(0), reference.functions.mint(holder.address, 3), "reference mint")
    meter.record(ERC721_MINT, "reference", minted.transaction_hash, new_slots=1)
    moved = chain.transact(holder, reference.functions.transferFrom(holder.address, other.address, 3), "reference transfer")
    meter.record(ERC721_TRANSFER, "reference", moved.transaction_hash)


def _registry(meter: Meter, world: World, prover: Prover) -> None:
    """The registry's writes, on a newcomer and its new refinery."""
    chain, admin = world.chain, world.admin
    newcomer = BatteryTrace(chain, world.deployment, signer(12), None, prover)
    meter.record("register participant", "registry",
                 register(admin, newcomer, "newcomer", Role.PROCESSOR, 12).transaction_hash, new_slots=15)
    before = chain.w3.eth.block_number
    facility = newcomer.register_facility(FacilityType.REFINERY, "NEW-REF", "FI", location="61.1N 22.1E")
    meter.record("register facility", "registry", _only_transaction(world, before + 1), new_slots=4)
    before = chain.w3.eth.block_number
    world.auditor.activate_facility(facility.facility_id, "refinery audit", max_yield_loss_bps=300)
    meter.record("activate facility", "registry", _only_transaction(world, before + 1), new_slots=4)
    now = datetime.fromtimestamp(chain.latest_timestamp(), tz=timezone.utc)
    before = chain.w3.eth.block_number
    world.auditor.certify(facility.facility_id, Scheme.RMAP, None, now + timedelta(days=365), "rmap.pdf")
    meter.record("certify", "registry", _only_transaction(world, before + 1), new_slots=9)
    rotated_key = public_key_from_private_key(signer(40).private_key)
    meter.record("rotate encryption key", "registry", newcomer.rotate_encryption_key(rotated_key).transaction_hash)
    # Changes of an existing membership leaf: each rehashes the leaf's path (siblings from the SDK's trees).
    rotated = ShieldingKeys.from_secret(int.from_bytes(keccak(text="bench shielding rotation"), "big") % SNARK_SCALAR_FIELD)
    meter.record("rotate shielding key", "registry", newcomer.rotate_shielding_key(rotated).transaction_hash, new_slots=3)
    finding = world.auditor.record_risk_finding(facility.facility_id, RiskFlag.HUMAN_RIGHTS, "grievance audit")
    meter.record("record risk finding", "registry", finding.transaction_hash, new_slots=5)
    parameters = world.auditor.set_process_parameters(facility.facility_id, 350, 100)
    meter.record("set process parameters", "registry", parameters.transaction_hash, new_slots=2)
    meter.record("revoke participant", "registry", admin.revoke_participant(newcomer.address).transaction_hash, new_slots=1)
    # A second 7-digit GS1 company prefix for the OEM.
    prefix = admin.assign_company_prefix(world.oem.address, "4001234")
    meter.record("assign company prefix", "registry", prefix.transaction_hash, new_slots=2)


def _only_transaction(world: World, block_number: int) -> str:
    """The hash of the single transaction anvil mined in ``block_number`` (SDK calls that return a
    record instead of the receipt)."""
    (transaction_hash,) = world.chain.w3.eth.get_block(block_number)["transactions"]
    return "0x" + bytes(transaction_hash).hex()


class LedgerSteps:
    """The shielded ledger's operations, each one ERP call whose one relayed transaction is measured."""

    def __init__(self, meter: Meter, bench: BenchWorld) -> None:
        self.meter, self.world, self.prover, self.relayer = meter, bench.world, bench.prover, bench.relayer
        self.inputs = public_inputs()
        self.ledger = self.world.chain.contract("ShieldedLedger", self.world.deployment.ledger)
        self.jobs = 0

    def relayed(self, operation: str, circuit: str, action: Callable[[], Any], *, group: str = "ledger",
                nullifiers: int = 1, mint_tags: int = 0, reference: str = "") -> Any:
        """Run ``action`` (one ERP call) and record the one transaction it had the relayer send. The
        new slots: the nullifiers it spends, the mint tag, and the note tree's for the indices its notes took."""
        self.prover.label = operation
        before = len(self.relayer.sent)
        result = action()
        sent = self.relayer.sent[before:]
        if len(sent) != 1:
            raise RuntimeError(f"{operation}: expected one relayed transaction, got {len(sent)}")
        transaction = sent[0].transaction_hash
        indices = self._inserted(transaction)
        self.meter.record(operation, group, transaction, proofs=1, public_inputs=self.inputs[circuit],
                          new_slots=nullifiers + mint_tags + note_tree_slots(indices),
                          expected_poseidon_calls=note_tree_hashes(indices), target=LEDGER_TARGET,
                          target_ratio=TARGET_RATIO, reference=reference)
        self.prover.label = "setup"
        return result

    def _inserted(self, transaction: str) -> list[int]:
        """The note tree indices the transaction's NoteCreated events report (every note in epoch 0)."""
        receipt = self.world.chain.w3.eth.get_transaction_receipt(transaction)
        created = self.ledger.events.NoteCreated().process_receipt(receipt, errors=DISCARD)
        if any(int(entry["args"]["epoch"]) != 0 for entry in created):
            raise RuntimeError("a note landed past the note tree's first epoch, which note_tree_slots counts alone")
        return [int(entry["args"]["index"]) for entry in created]

    def transform(self, operation: str | None, client: BatteryTrace, facility: str, inputs: Sequence[int],
                  outputs: Sequence[tuple[MaterialKind, int, int]]) -> list[int]:
        """A transform at ``client``'s ``facility`` of ``inputs`` into ``outputs`` ((kind, cobalt, total)
        each), measured as ``operation`` (None: a set-up step)."""
        self.jobs += 1
        plans = [OutputPlan(f"JOB{self.jobs}-{number}", kind, cobalt, total)
                 for number, (kind, cobalt, total) in enumerate(outputs)]
        facility_id = self.world.facilities[facility].facility_id

        def job():
            return client.transform(list(inputs), plans, facility_id, PROCESS_CO2E_GRAMS)

        if operation is None:
            return list(job().output_lot_ids)
        return list(self.relayed(operation, "note_transform", job, group="transform", nullifiers=len(inputs)).output_lot_ids)

    def run(self) -> int:
        """Every ledger operation once; the lot of cobalt metal the pack maker holds at the end."""
        world = self.world
        miner, refiner, pack_maker = world.miner, world.refiner, world.pack_maker
        mine = world.facilities["miner"].facility_id
        bag = self.relayed("origin mint", "origin", lambda: miner.mint_origin(mine, "BENCH-BAG", **BAG),
                           nullifiers=0, mint_tags=1, reference=ERC721_MINT).lot_id
        self.relayed("offer", "custody", lambda: miner.offer(bag, refiner.address), reference=ERC721_TRANSFER)
        self.relayed("accept", "custody", lambda: refiner.accept(bag, BAG["total_grams"]), reference=ERC721_TRANSFER)
        crude, refined = MaterialKind.CRUDE_COBALT_SULFATE, MaterialKind.REFINED_COBALT_SULFATE
        halves = self.transform("transform 1 -> 2 (split)", refiner, "refiner", [bag], [(crude, 10_950, 30_000)] * 2)
        merged = self.transform("transform 2 -> 1 (merge)", refiner, "refiner", halves, [(refined, 21_850, 58_000)])
        quarters = self.transform("transform 1 -> 4 (split)", refiner, "refiner", merged, [(refined, 5_450, 14_000)] * 4)
        refined_again = self.transform("transform 4 -> 4", refiner, "refiner", quarters, [(refined, 5_440, 14_000)] * 4)
        lot = self.transform("transform 4 -> 1 (merge)", refiner, "refiner", refined_again, [(refined, 21_700, 55_000)])
        (lot,) = self.transform("transform 1 -> 1", refiner, "refiner", lot, [(MaterialKind.COBALT_METAL, 21_650, 22_000)])
        # To the pack maker: an offer taken back, offered again, weighed far below its mass, delivered by the auditor.
        refiner.offer(lot, pack_maker.address)
        self.relayed("cancel offer", "custody", lambda: refiner.cancel_offer(lot))
        refiner.offer(lot, pack_maker.address)
        weighed = self.relayed("dispute (weighing out of tolerance)", "custody", lambda: pack_maker.accept(lot, 15_000))
        if weighed.accepted:
            raise RuntimeError("the weighing out of tolerance was accepted")
        self.relayed("resolve dispute", "custody",
                     lambda: world.auditor.resolve_dispute(lot, DisputeOutcome.DELIVER_TO_RECEIVER, "re-weighed"))
        return lot


def split_outputs(packs: int, waiting: int) -> tuple[int, int]:
    """(metal lots, packs) of the next 1 -> 4 split when ``packs`` packs are still to be made and
    ``waiting`` other metal lots wait to be split: the fewest metal lots that leave enough lots to make
    every pack (four from each), so no metal is left over when the count allows."""
    metal = max(0, min(4, -(-(packs - 4 - 4 * waiting) // 3)))
    return metal, min(4 - metal, packs)


def split_into_packs(world: World, lot: int, serials: Sequence[str]) -> dict[str, int]:
    """The pack maker's metal ``lot`` split into one pack per serial by 1 -> 4 splits at its plant
    (set-up, not measured), each pack made under its battery id (``battery_id_for``), so its lot id is
    the passport id; the pack lot ids by serial."""
    maker = world.pack_maker
    facility = world.facilities["pack_maker"].facility_id
    waiting = [(lot, maker.note(lot).values.metals[0].grams)]
    remaining, packs, job = list(serials), {}, 0
    while remaining:
        source, cobalt = waiting.pop(0)
        metal, count = split_outputs(len(remaining), len(waiting))
        share = (cobalt - cobalt * SPLIT_LOSS_BPS // 10_000) // (metal + count)
        job += 1
        plans = [OutputPlan(f"PACK-SPLIT-{job}-{n}", MaterialKind.COBALT_METAL, share, share + share // 100)
                 for n in range(metal)]
        plans += [OutputPlan(battery_id_for(serial, issuer="pack_maker"), MaterialKind.PACK, share, PACK_TOTAL_GRAMS)
                  for serial in remaining[:count]]
        outputs = list(maker.transform([source], plans, facility, PROCESS_CO2E_GRAMS).output_lot_ids)
        waiting += [(output, share) for output in outputs[:metal]]
        packs.update(zip(remaining[:count], outputs[metal:], strict=True))
        remaining = remaining[count:]
    return packs


def _pack_request(serial: str) -> PassportRequest:
    """A passport request for the pack maker's battery ``serial``: a GS1 Digital Link under its
    company prefix, backed by the pack made under that id."""
    battery_id = battery_id_for(serial, issuer="pack_maker")
    return PassportRequest(
        battery_id=battery_id, document_hash=keccak(text=battery_id), capacity_wh=CAPACITY_WH,
        legitimate_interest_commitment=keccak(text=f"li:{battery_id}"), authorities_commitment=keccak(text=f"au:{battery_id}"),
    )


def _passports(meter: Meter, bench: BenchWorld, metal: int) -> None:
    """Packs for every passport; a batch of one, not measured (the batch counter and the issuer's
    passport balance exist from then on, as for any issuer after its first batch); then one batch of
    each size in ``PASSPORT_BATCHES`` (gas per passport = the transaction's gas / its passports); a
    passport handed over."""
    world, maker = bench.world, bench.world.pack_maker
    batches = {size: [f"BENCH-{size}-{number}" for number in range(size)] for size in PASSPORT_BATCHES}
    bench.prover.label = "setup"
    split_into_packs(world, metal, ["BENCH-FIRST"] + [serial for serials in batches.values() for serial in serials])
    (first,) = issue_passports(maker, [_pack_request("BENCH-FIRST")])
    inputs = public_inputs()["pack_batch"]
    last = first
    for size, serials in batches.items():
        operation, full = f"passport issue x{size}", size == BATCH_SLOTS
        bench.prover.label = operation
        issued = issue_passports(maker, [_pack_request(serial) for serial in serials])
        if len({item.receipt.transaction_hash for item in issued}) != 1:
            raise RuntimeError(f"{operation}: expected one transaction, got {len({i.receipt.transaction_hash for i in issued})}")
        meter.record(operation, "passport", issued[0].receipt.transaction_hash, proofs=1, public_inputs=inputs,
                     new_slots=size + 1, per_item=size, constant_floor=passport_batch_floor(size, inputs),
                     target=PASSPORT_TARGET if full else "", item_target=PASSPORT_TARGET_GAS if full else None,
                     reference=ERC721_MINT)
        last = issued[0]
    bench.prover.label = "setup"
    hand_over_passport(maker, first.passport_id, world.oem.address)  # the OEM's first passport: its balance slot
    moved = hand_over_passport(maker, last.passport_id, world.oem.address)
    meter.record("passport hand-over (ERC-721 transferFrom)", "passport", moved.transaction_hash, reference=ERC721_TRANSFER)

"""Wall-clock measurements: proving (the long-lived worker against snarkjs's CLI, on the inputs the
gas run proved; for the passport batch circuit its batch of fifteen), how proving grows with the
transform's shape and the passport batch's size, the throughput of relayed ledger operations, the
demo end to end. Every figure is a median of repetitions taken in the same run as the figure it is
compared with; only ratios are meaningful on a shared machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gas_bench import BAG, BenchWorld, ProofRecord, RecordingProver
from gas_meter import BATCH_SLOTS
from yardsticks import deploy_yardstick

from batterytrace.zk.prover import Prover
from bench.baselines import snarkjs_cli_fullprove
from tests.helpers.sandbox import signer

ROOT = Path(__file__).resolve().parent.parent
#: The shielded ledger's circuits, in the order an origin lot meets them.
CIRCUITS = ("origin", "custody", "note_transform", "pack_batch")
#: The gas run's proof whose inputs each circuit is timed on, by its label (else the circuit's first):
#: the passport batch circuit on a full batch.
TIMED_LABELS = {"pack_batch": f"passport issue x{BATCH_SLOTS}"}


def manifest_constraints() -> dict[str, int]:
    manifest = json.loads((ROOT / "circuits" / "manifest.json").read_text())
    return {name: int(spec["constraints"]) for name, spec in manifest["circuits"].items()}


@dataclass
class ProvingResult:
    circuit: str
    constraints: int
    worker_seconds: list[float]
    cli_seconds: list[float]

    @property
    def worker_median(self) -> float:
        return statistics.median(self.worker_seconds)

    @property
    def cli_median(self) -> float:
        return statistics.median(self.cli_seconds)

    @property
    def speedup(self) -> float:
        return self.cli_median / self.worker_median

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "worker_median": self.worker_median, "cli_median": self.cli_median, "speedup": self.speedup}


def _vm(pid: int, key: str) -> int | None:
    """A /proc/<pid>/status memory figure in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _inputs(records: list[ProofRecord], circuit: str) -> dict[str, Any]:
    label = TIMED_LABELS.get(circuit)
    return next(record.inputs for record in records
                if record.circuit == circuit and (label is None or record.label == label))


def bench_proving(prover: RecordingProver, records: list[ProofRecord], worker_reps: int,
                  cli_reps: int) -> tuple[list[ProvingResult], dict[str, Any]]:
    """Worker vs CLI on the same inputs, warm (the worker has proved the circuit once), interleaved so
    machine noise hits both alike."""
    constraints = manifest_constraints()
    results = []
    for circuit in CIRCUITS:
        inputs = _inputs(records, circuit)
        wasm, zkey = prover.circuit_files(circuit)
        Prover.prove(prover, circuit, inputs)  # the worker has read this circuit's files: warm
        worker, cli = [], []
        for rep in range(max(worker_reps, cli_reps)):
            if rep < worker_reps:
                started = time.perf_counter()
                Prover.prove(prover, circuit, inputs)
                worker.append(time.perf_counter() - started)
            if rep < cli_reps:
                started = time.perf_counter()
                snarkjs_cli_fullprove(wasm, zkey, inputs)
                cli.append(time.perf_counter() - started)
        results.append(ProvingResult(circuit, constraints[circuit], worker, cli))
    pid = prover.pid
    memory = {
        "worker_pid": pid,
        "worker_vmhwm_kib": _vm(pid, "VmHWM") if pid else None,
        "worker_vmrss_kib": _vm(pid, "VmRSS") if pid else None,
        "cli_note_transform_peak_kib": cli_peak_kib("note_transform", _inputs(records, "note_transform")),
    }
    return results, memory


def cli_peak_kib(circuit: str, inputs: dict[str, Any]) -> int:
    """Peak RSS of one CLI proof: a fresh Python whose only children are the CLI's processes
    reports ru_maxrss of its reaped children (the largest of them, KiB on Linux)."""
    script = (
        "import json, resource, sys\n"
        "sys.path.insert(0, sys.argv[3])\n"
        "from batterytrace.zk.prover import Prover\n"
        "from bench.baselines import snarkjs_cli_fullprove\n"
        "wasm, zkey = Prover().circuit_files(sys.argv[1])\n"
        "snarkjs_cli_fullprove(wasm, zkey, json.load(open(sys.argv[2])))\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
        json.dump(inputs, handle)
        handle.flush()
        output = subprocess.run([sys.executable, "-c", script, circuit, handle.name, str(ROOT)], capture_output=True, text=True, check=True)
    return int(output.stdout.strip().splitlines()[-1])


def _median_seconds(reps: int, work) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_growth(prover: RecordingProver, records: list[ProofRecord], reps: int) -> dict[str, Any]:
    """Proving time by transform shape (the gas run's transforms, each proved again) and for each
    passport batch the gas run issued (its one batch proof proved again), warm."""
    shapes = {record.label: record.inputs for record in records
              if record.circuit == "note_transform" and record.label.startswith("transform")}
    transform = {label: _median_seconds(reps, lambda inputs=inputs: Prover.prove(prover, "note_transform", inputs))
                 for label, inputs in shapes.items()}
    batches = {int(record.label.rsplit("x", 1)[1]): record.inputs for record in records
               if record.circuit == "pack_batch" and record.label.startswith("passport issue x")}
    Prover.prove(prover, "pack_batch", next(iter(batches.values())))  # warm, whatever ran before
    proving = {size: _median_seconds(reps, lambda inputs=inputs: Prover.prove(prover, "pack_batch", inputs))
               for size, inputs in sorted(batches.items())}
    return {"transform_seconds_by_shape": transform, "pack_batch_seconds_by_batch": proving}


@dataclass
class ThroughputResult:
    """``lots`` offers and their cancels through the ERP methods and the relayer, next to the worker's
    proving of them (recorded as they ran) and to as many plain ERC-721 transfers, send-and-wait, on
    the same anvil."""

    lots: int
    relayed_seconds: float
    proving_seconds: float
    plain_seconds: float

    @property
    def operations(self) -> int:
        return 2 * self.lots

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "operations": self.operations,
                "relayed_ops_per_second": self.operations / self.relayed_seconds,
                "proving_ops_per_second": self.operations / self.proving_seconds,
                "plain_ops_per_second": self.operations / self.plain_seconds,
                "proving_share": self.proving_seconds / self.relayed_seconds}


def bench_throughput(bench: BenchWorld, lots: int) -> ThroughputResult:
    world, prover = bench.world, bench.prover
    miner, refiner = world.miner, world.refiner
    mine = world.facilities["miner"].facility_id
    prover.label = "setup"
    lot_ids = [miner.mint_origin(mine, f"THROUGHPUT-{number}", **BAG).lot_id for number in range(lots)]
    first = len(prover.records)
    prover.label = "throughput"
    started = time.perf_counter()
    for lot_id in lot_ids:
        miner.offer(lot_id, refiner.address)
    for lot_id in lot_ids:
        miner.cancel_offer(lot_id)
    relayed = time.perf_counter() - started
    proving = sum(record.seconds for record in prover.records[first:])
    prover.label = ""

    chain, holder, other = world.chain, signer(2), signer(4)
    reference = deploy_yardstick(chain, signer(0), "ReferenceERC721")
    tokens = range(1_000, 1_000 + 2 * lots)
    chain.wait_all([chain.transact(signer(0), reference.functions.mint(holder.address, token), "mint", wait=False)
                    for token in tokens])
    started = time.perf_counter()
    for token in tokens:
        chain.transact(holder, reference.functions.transferFrom(holder.address, other.address, token), "transfer")
    plain = time.perf_counter() - started
    return ThroughputResult(lots, relayed, proving, plain)


def bench_demo() -> dict[str, Any]:
    from batterytrace.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="batterytrace-bench-demo-") as directory:
        started = time.perf_counter()
        summary = run_demo(Path(directory), progress=False)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "summary": repr(summary)[:300]}

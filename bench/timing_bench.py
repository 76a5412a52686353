"""Wall-clock measurements: proving (long-lived worker vs the snarkjs CLI), SDK throughput
(pipelined vs send-and-wait), the demo end to end. Every figure is a median of repetitions taken
in the same run as the figure it is compared with; only ratios are meaningful on a shared machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gas_bench import ProofRecord, RecordingProver, _mint

from batterytrace.zk.prover import Prover
from bench.baselines import snarkjs_cli_fullprove
from tests.helpers.sandbox import World

ROOT = Path(__file__).resolve().parent.parent


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


def _vm(pid: int, key: str) -> int | None:
    """A /proc/<pid>/status memory figure in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def bench_proving(prover: RecordingProver, records: list[ProofRecord], worker_reps: int, cli_reps: int) -> tuple[list[ProvingResult], dict[str, Any]]:
    """Worker vs CLI on the same inputs, interleaved so machine noise hits both alike."""
    constraints = manifest_constraints()
    results = []
    for circuit in ("mint", "transform", "claim"):
        inputs = next(record.inputs for record in records if record.circuit == circuit)
        wasm, zkey = prover.circuit_files(circuit)
        prover.prove(circuit, inputs)  # the worker has read this circuit's files: warm
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
    transform_inputs = next(record.inputs for record in records if record.circuit == "transform")
    memory = {
        "worker_pid": pid,
        "worker_vmhwm_kib": _vm(pid, "VmHWM") if pid else None,
        "worker_vmrss_kib": _vm(pid, "VmRSS") if pid else None,
        "cli_transform_peak_kib": cli_peak_kib("transform", transform_inputs),
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


def bench_growth(prover: RecordingProver, records: list[ProofRecord], reps: int) -> dict[str, Any]:
    """Proving time against transform inputs (1..4) and passports per batch (1, 2, 4, 8)."""
    transform = {}
    for n in range(1, 5):
        inputs = next(record.inputs for record in records if record.label == f"transform-{n}")
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            Prover.prove(prover, "transform", inputs)
            times.append(time.perf_counter() - started)
        transform[n] = statistics.median(times)
    claims = [record.inputs for record in records if record.circuit == "claim"]
    batches = {}
    for size in (1, 2, 4, 8):
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            for inputs in claims[:size]:
                Prover.prove(prover, "claim", inputs)
            times.append(time.perf_counter() - started)
        batches[size] = statistics.median(times)
    return {"transform_seconds_by_inputs": transform, "claim_seconds_by_batch": batches}


@dataclass
class ThroughputResult:
    lots: int
    sequential_seconds: float
    pipelined_seconds: float
    sequential_offer_seconds: float
    pipelined_offer_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def operations(self) -> int:
        return 2 * self.lots

    @property
    def ratio(self) -> float:
        return self.sequential_seconds / self.pipelined_seconds

    @property
    def offer_ratio(self) -> float:
        return self.sequential_offer_seconds / self.pipelined_offer_seconds


def bench_throughput(world: World, lots: int, tag: str = "TP") -> ThroughputResult:
    """``lots`` offers then cancels, first one send-and-wait per operation, then pipelined,
    on the same lots (the cancels return them to ACTIVE, so both rounds start alike)."""
    miner, refiner = world.miner, world.refiner
    pendings = [_mint(world, "miner", f"{tag}-{index}", wait=False) for index in range(lots)]
    lot_ids = [pending.lot_id for pending in pendings]
    # mint_origin(wait=False) returns no pending handle: wait until each lot exists.
    for lot_id in lot_ids:
        _wait_lot(world, lot_id)

    started = time.perf_counter()
    for lot_id in lot_ids:
        miner.offer(lot_id, refiner.address)
    offers_done = time.perf_counter()
    for lot_id in lot_ids:
        miner.cancel_offer(lot_id)
    sequential = time.perf_counter() - started
    sequential_offers = offers_done - started

    started = time.perf_counter()
    sent = [miner.offer(lot_id, refiner.address, wait=False) for lot_id in lot_ids]
    world.chain.wait_all(sent)
    offers_done = time.perf_counter()
    world.chain.wait_all([miner.cancel_offer(lot_id, wait=False) for lot_id in lot_ids])
    pipelined = time.perf_counter() - started
    pipelined_offers = offers_done - started
    return ThroughputResult(lots, sequential, pipelined, sequential_offers, pipelined_offers, [])


def _wait_lot(world: World, lot_id: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not world.miner.lot_exists(lot_id):
        if time.monotonic() > deadline:
            raise TimeoutError(f"lot {lot_id:#x} was not mined")
        time.sleep(0.05)


def bench_demo() -> dict[str, Any]:
    from batterytrace.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="batterytrace-bench-demo-") as directory:
        started = time.perf_counter()
        summary = run_demo(Path(directory), progress=False)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "summary": repr(summary)[:300]}

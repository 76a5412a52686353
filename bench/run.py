"""batterytrace benchmarks: gas, proving, throughput, the demo, growth and a scale model.

    python bench/run.py            # everything; writes docs/BENCHMARKS.md, docs/bench/*, bench/results.json,
                                   # bench/gas_baseline.json (about 10 minutes on 2 cores)
    python bench/run.py --quick    # the gas table only, compared with bench/gas_baseline.json:
                                   # exits 1 when an operation's gas grew by more than 2 %

Timings are medians of repetitions and only their ratios (taken in the same run) mean anything on a
shared machine; gas is deterministic up to the proof's and envelope's zero bytes (checked below).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))  # the shared sandbox lives in tests/helpers, the baselines in bench/

import gas_bench  # noqa: E402
import report  # noqa: E402
import scale_model  # noqa: E402
import shielded_gas  # noqa: E402
import shielded_proving  # noqa: E402
import timing_bench  # noqa: E402

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from tests.helpers.sandbox import build_world

BASELINE = BENCH / "gas_baseline.json"
RESULTS = BENCH / "results.json"
TOLERANCE = 0.02


def gas_once(keep: bool = False) -> tuple[gas_bench.GasRun, Any]:
    """One gas measurement on a fresh anvil. With ``keep``, the node, prover and world stay up
    and are returned for the timing benchmarks (the caller closes them)."""
    node = LocalNode()
    node.start()
    prover = gas_bench.RecordingProver()
    try:
        world = build_world(Chain(node.url), prover)
        run = gas_bench.measure_gas(world, prover)
    except BaseException:
        prover.close()
        node.stop()
        raise
    if keep:
        return run, (node, prover, world)
    prover.close()
    node.stop()
    return run, None


def compare(rows: list[dict[str, Any]], baseline: dict[str, Any], tolerance: float = TOLERANCE) -> list[str]:
    """Regressions of more than ``tolerance`` against the baseline, as messages (empty: none)."""
    measured = {row["operation"]: row["gas_used"] for row in rows}
    problems = []
    for operation, expected in baseline["gas_used"].items():
        if operation not in measured:
            problems.append(f"{operation}: not measured")
        elif measured[operation] > expected * (1 + tolerance):
            problems.append(f"{operation}: {measured[operation]:,} gas vs baseline {expected:,} (+{measured[operation] / expected - 1:.2%})")
    for operation in measured.keys() - baseline["gas_used"].keys():
        problems.append(f"{operation}: measured but not in the baseline (run `make bench` to regenerate it)")
    return problems


def quick(baseline_path: Path = BASELINE) -> int:
    run, _ = gas_once()
    rows = [row.as_dict() for row in run.rows]
    with tempfile.NamedTemporaryFile("w", suffix="-gas.md", prefix="batterytrace-", delete=False) as handle:
        handle.write(report.gas_table(rows))
        table_path = handle.name
    print(report.gas_table(rows))
    print(f"gas table written to {table_path}")
    baseline = json.loads(baseline_path.read_text())
    problems = compare(rows, baseline)
    for problem in problems:
        print(f"REGRESSION {problem}", file=sys.stderr)
    if not problems:
        print(f"no operation's gas grew by more than {TOLERANCE:.0%} against {baseline_path.relative_to(ROOT)}")
    return 1 if problems else 0


def full(gas_reps: int, worker_reps: int, cli_reps: int, growth_reps: int, lots: int, skip_demo: bool) -> int:
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}
    runs = []
    print("gas: measuring (fresh anvil each repetition)", flush=True)
    run, kept = gas_once(keep=True)
    runs.append(run)
    node, prover, world = kept
    try:
        for _ in range(gas_reps - 1):
            runs.append(gas_once()[0])
        results["gas"] = merge_gas_runs(runs)
        results["trace_support"] = runs[0].trace_support.strip() or "callTracer and prestateTracer (diffMode) both answered"
        records = list(prover.records)
        print("proving: worker vs snarkjs CLI", flush=True)
        proving, memory = timing_bench.bench_proving(prover, records, worker_reps, cli_reps)
        results["proving"] = [
            {"circuit": p.circuit, "constraints": p.constraints, "worker_median": p.worker_median, "cli_median": p.cli_median,
             "speedup": p.speedup, "worker_seconds": p.worker_seconds, "cli_seconds": p.cli_seconds}
            for p in proving
        ]
        results["memory"] = memory
        print("growth: proving time by inputs and batch", flush=True)
        results["growth"] = timing_bench.bench_growth(prover, records, growth_reps)
        print(f"throughput: {lots} lots, send-and-wait vs pipelined", flush=True)
        throughput = timing_bench.bench_throughput(world, lots)
        results["throughput"] = {
            "lots": throughput.lots, "operations": throughput.operations,
            "sequential_seconds": throughput.sequential_seconds, "pipelined_seconds": throughput.pipelined_seconds,
            "ratio": throughput.ratio, "offer_ratio": throughput.offer_ratio,
            "sequential_offer_seconds": throughput.sequential_offer_seconds,
            "pipelined_offer_seconds": throughput.pipelined_offer_seconds, "notes": throughput.notes,
        }
    finally:
        prover.close()
        node.stop()
    if not skip_demo:
        print("demo: end to end, warm", flush=True)
        results["demo"] = timing_bench.bench_demo()
    print("shielded ledger: gas against its floor, proving worker vs CLI", flush=True)
    results["shielded"] = {"gas": shielded_gas.measure(), "proving": shielded_proving.main(3)}
    unit, passports, proving_seconds = scale_model.unit_costs_from_results(results)
    results["scale"] = scale_model.model(unit, passports, proving_seconds)
    results["total_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    BASELINE.write_text(json.dumps({
        "note": "max gas over the full run's repetitions; bench/run.py --quick fails on +2% or more",
        "gas_used": {row["operation"]: row["gas_used"] for row in results["gas"]},
    }, indent=2) + "\n")
    write_docs(results)
    return 0


def write_docs(results: dict[str, Any]) -> None:
    """docs/BENCHMARKS.md and docs/bench/* from a run's results."""
    docs = ROOT / "docs"
    plots = report.growth_plot(results, docs / "bench") + scale_model.plot(results["scale"], docs / "bench")
    (docs / "BENCHMARKS.md").write_text(report.render(results, plots, ROOT))
    print(f"wrote docs/BENCHMARKS.md, {', '.join(str(p.relative_to(ROOT)) for p in plots)} ({results['total_seconds']:.0f} s run)")


def merge_gas_runs(runs: list[gas_bench.GasRun]) -> list[dict[str, Any]]:
    """Rows of the first run with gas_used the max over runs, and the spread kept."""
    rows = []
    for row in runs[0].rows:
        values = [run.row(row.operation).gas_used for run in runs]
        row.gas_used = max(values)
        data = row.as_dict()
        data["gas_runs"] = values
        data["spread"] = (max(values) - min(values)) / max(values)
        rows.append(data)
    return rows


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="gas table only, compared with bench/gas_baseline.json")
    parser.add_argument("--gas-reps", type=int, default=3, help="fresh-anvil gas repetitions (variation check)")
    parser.add_argument("--worker-reps", type=int, default=7)
    parser.add_argument("--cli-reps", type=int, default=4)
    parser.add_argument("--growth-reps", type=int, default=3)
    parser.add_argument("--lots", type=int, default=40, help="lots in the throughput batch")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--report-only", action="store_true", help="re-render docs from bench/results.json, measure nothing")
    arguments = parser.parse_args()
    if arguments.report_only:
        results = json.loads(RESULTS.read_text())
        unit, passports, proving_seconds = scale_model.unit_costs_from_results(results)
        results["scale"] = scale_model.model(unit, passports, proving_seconds)
        write_docs(results)
        return 0
    if arguments.quick:
        return quick()
    return full(arguments.gas_reps, arguments.worker_reps, arguments.cli_reps, arguments.growth_reps, arguments.lots, arguments.skip_demo)


if __name__ == "__main__":
    sys.exit(main())

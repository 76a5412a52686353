"""batterytrace benchmarks: gas, proving, throughput, the demo, growth and a scale model.

    python bench/run.py            # everything; writes docs/BENCHMARKS.md, docs/bench/*, bench/results.json,
                                   # bench/gas_baseline.json (the maximum over --gas-reps fresh-anvil runs)
    python bench/run.py --quick    # the gas table only, compared with bench/gas_baseline.json:
                                   # exits 1 when an operation's gas grew by more than 2 %, or when a
                                   # passport of a full batch costs more than 60,000 gas (``gate``)
    python bench/run.py --quick --update-baseline   # the gas table written as the new baseline
    python bench/run.py --gas-reps 1 --worker-reps 1 --cli-reps 1 --growth-reps 1 --lots 1 --skip-demo --no-docs
                                   # every measurement once, into bench/results.json only (a check that it runs)

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

import gas_bench
import metals_growth
import report
import resolver_load
import scale_model
import timing_bench
from gas_meter import BATCH_SLOTS, PASSPORT_TARGET_GAS, GasRun

BASELINE = BENCH / "gas_baseline.json"
RESULTS = BENCH / "results.json"
TOLERANCE = 0.02
#: The row the passport gate holds to PASSPORT_TARGET_GAS per passport: a full batch.
PASSPORT_GATE = f"passport issue x{BATCH_SLOTS}"


def gas_once() -> GasRun:
    """One gas measurement on a fresh anvil, world, prover and relayer (all stopped after)."""
    with gas_bench.bench_world() as bench:
        return gas_bench.measure_gas(bench)


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
        problems.append(f"{operation}: measured but not in the baseline (`python bench/run.py --quick --update-baseline` "
                        "or `make bench` regenerates it)")
    return problems


def gate(rows: list[dict[str, Any]]) -> list[str]:
    """Absolute targets on gas, as messages (empty: all met): the full passport batch must be measured
    and cost at most PASSPORT_TARGET_GAS per passport (its transaction's gas over its passports, exact),
    and so must every row that states a gas-per-item target. Gas only: nothing here is timed."""
    problems = []
    if not any(row["operation"] == PASSPORT_GATE for row in rows):
        problems.append(f"{PASSPORT_GATE}: not measured (the passport gate needs the full batch)")
    for row in rows:
        limit = PASSPORT_TARGET_GAS if row["operation"] == PASSPORT_GATE else row.get("item_target")
        if limit is not None and row["gas_used"] > limit * row["per_item"]:
            problems.append(f"{row['operation']}: {row['gas_used'] / row['per_item']:,.0f} gas per item "
                            f"({row['gas_used']:,} for {row['per_item']}) over the target {limit:,}")
    return problems


def quick(baseline_path: Path = BASELINE, update: bool = False) -> int:
    """The gas table, compared with the baseline (``update``: written as the new baseline instead) and
    held to the absolute targets (``gate``, also with ``update``)."""
    rows = [row.as_dict() for row in gas_once().rows]
    with tempfile.NamedTemporaryFile("w", suffix="-gas.md", prefix="batterytrace-", delete=False) as handle:
        handle.write(report.gas_table(rows))
        table_path = handle.name
    print(report.gas_table(rows))
    print(f"gas table written to {table_path}")
    baseline = json.loads(baseline_path.read_text()) if baseline_path.exists() or not update else {"gas_used": {}}
    problems = compare(rows, baseline)
    missed = gate(rows)
    for problem in missed:
        print(f"TARGET MISSED {problem}", file=sys.stderr)
    if not missed:
        full = next(row for row in rows if row["operation"] == PASSPORT_GATE)
        print(f"{PASSPORT_GATE}: {full['gas_used'] / full['per_item']:,.0f} gas per passport, "
              f"at most {PASSPORT_TARGET_GAS:,}: met")
    if update:
        for problem in problems:
            print(f"against the old baseline: {problem}")
        write_baseline(rows, baseline_path, "one `bench/run.py --quick --update-baseline` run")
        print(f"wrote {baseline_path.relative_to(ROOT)}")
        return 1 if missed else 0
    for problem in problems:
        print(f"REGRESSION {problem}", file=sys.stderr)
    if not problems:
        print(f"no operation's gas grew by more than {TOLERANCE:.0%} against {baseline_path.relative_to(ROOT)}")
    return 1 if problems or missed else 0


def write_baseline(rows: list[dict[str, Any]], path: Path, source: str) -> None:
    path.write_text(json.dumps({
        "note": f"gas per operation from {source}; bench/run.py --quick fails on +2% or more",
        "gas_used": {row["operation"]: row["gas_used"] for row in rows},
    }, indent=2) + "\n")


def full(arguments: argparse.Namespace) -> int:
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "repetitions": {
        "gas": arguments.gas_reps, "worker": arguments.worker_reps, "cli": arguments.cli_reps,
        "growth": arguments.growth_reps, "throughput_lots": arguments.lots}}
    print("gas: measuring (fresh anvil each repetition)", flush=True)
    with gas_bench.bench_world() as bench:
        runs = [gas_bench.measure_gas(bench)]
        records = list(bench.prover.records)
        print("proving: worker vs snarkjs CLI", flush=True)
        proving, memory = timing_bench.bench_proving(bench.prover, records, arguments.worker_reps, arguments.cli_reps)
        results["proving"] = [result.as_dict() for result in proving]
        results["memory"] = memory
        print("growth: proving time by transform shape and passport batch", flush=True)
        results["growth"] = timing_bench.bench_growth(bench.prover, records, arguments.growth_reps)
        print(f"throughput: {arguments.lots} lots offered and taken back through the relayer", flush=True)
        results["throughput"] = timing_bench.bench_throughput(bench, arguments.lots).as_dict()
        print(f"resolver: {arguments.load_seconds:.0f} s of load on the public tier, and as long reading the chain", flush=True)
        results["resolver"] = resolver_load.measure(bench, arguments.load_seconds)
    print("metals: constraints, proving and verify gas of each circuit for 1, 2 and 3 metals", flush=True)
    try:
        results["metals"] = metals_growth.measure(arguments.growth_reps)
    except Exception as error:  # noqa: BLE001 - the rest of the run's figures are still worth writing
        results["metals"] = {"error": f"{type(error).__name__}: {str(error)[:500]}"}
        print(f"metals: not measured: {results['metals']['error']}", file=sys.stderr, flush=True)
    for _ in range(arguments.gas_reps - 1):
        runs.append(gas_once())
    results["gas"] = merge_gas_runs(runs)
    results["trace_support"] = runs[0].trace_support.strip() or "callTracer and prestateTracer (diffMode) both answered"
    if not arguments.skip_demo:
        print("demo: end to end, warm", flush=True)
        results["demo"] = timing_bench.bench_demo()
    results["scale"] = scale_model.model(*scale_model.unit_costs_from_results(results))
    results["total_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    write_baseline(results["gas"], BASELINE, f"the maximum over {arguments.gas_reps} run(s) of `bench/run.py`")
    if arguments.no_docs:
        print(f"wrote {RESULTS.relative_to(ROOT)} and {BASELINE.relative_to(ROOT)} ({results['total_seconds']:.0f} s run)")
    else:
        write_docs(results)
    return 0


def write_docs(results: dict[str, Any]) -> None:
    """docs/BENCHMARKS.md and docs/bench/* from a run's results."""
    docs = ROOT / "docs"
    plots = report.growth_plot(results, docs / "bench") + scale_model.plot(results["scale"], docs / "bench")
    plots += metals_growth.plot(results.get("metals"), docs / "bench")
    (docs / "BENCHMARKS.md").write_text(report.render(results, plots, ROOT))
    print(f"wrote docs/BENCHMARKS.md, {', '.join(str(p.relative_to(ROOT)) for p in plots)} ({results['total_seconds']:.0f} s run)")


def merge_gas_runs(runs: list[GasRun]) -> list[dict[str, Any]]:
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
    parser.add_argument("--update-baseline", action="store_true",
                        help="with --quick: write the measured gas to bench/gas_baseline.json instead of comparing")
    parser.add_argument("--gas-reps", type=int, default=3, help="fresh-anvil gas repetitions (variation check)")
    parser.add_argument("--worker-reps", type=int, default=7)
    parser.add_argument("--cli-reps", type=int, default=4)
    parser.add_argument("--growth-reps", type=int, default=3)
    parser.add_argument("--lots", type=int, default=6, help="lots offered and taken back in the throughput run")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="seconds of resolver load, and as many reading the chain (at most 60)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="write bench/results.json and the baseline, not docs/")
    parser.add_argument("--report-only", action="store_true", help="re-render docs from bench/results.json, measure nothing")
    arguments = parser.parse_args()
    if arguments.report_only:
        results = json.loads(RESULTS.read_text())
        if "pack_batch_seconds_by_batch" not in results.get("growth", {}):
            print(f"{RESULTS.relative_to(ROOT)} is from before batch issuance (no pack_batch figures): run "
                  "`python bench/run.py` to measure them", file=sys.stderr)
            return 2
        results["scale"] = scale_model.model(*scale_model.unit_costs_from_results(results))
        write_docs(results)
        return 0
    if arguments.quick:
        return quick(update=arguments.update_baseline)
    return full(arguments)


if __name__ == "__main__":
    sys.exit(main())

"""The gas table of docs/BENCHMARKS.md cannot regress: every operation is re-measured on a fresh
anvil and compared with bench/gas_baseline.json (written by `make bench`), 2 % tolerance.

Gas is deterministic up to the zero bytes of proofs and envelopes (a few dozen gas); nothing here
measures time.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _bench_run():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("batterytrace_bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_operation_costs_more_than_two_percent_above_the_committed_baseline():
    bench_run = _bench_run()
    baseline = json.loads((BENCH / "gas_baseline.json").read_text())
    run = bench_run.gas_once()
    problems = bench_run.compare([row.as_dict() for row in run.rows], baseline)
    assert problems == []


def test_the_comparison_flags_a_regression_and_a_missing_operation():
    bench_run = _bench_run()
    baseline = {"gas_used": {"origin mint": 100_000, "accept": 50_000}}
    rows = [{"operation": "origin mint", "gas_used": 102_001}]
    problems = bench_run.compare(rows, baseline)
    assert len(problems) == 2
    assert problems[0].startswith("origin mint: 102,001 gas")
    assert problems[1] == "accept: not measured"


def test_the_comparison_accepts_gas_within_tolerance():
    bench_run = _bench_run()
    baseline = {"gas_used": {"origin mint": 100_000}}
    assert bench_run.compare([{"operation": "origin mint", "gas_used": 101_999}], baseline) == []

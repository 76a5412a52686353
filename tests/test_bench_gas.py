"""The gas table of docs/BENCHMARKS.md cannot regress: every operation is re-measured on a fresh
anvil and compared with bench/gas_baseline.json (written by `make bench`), 2 % tolerance; and a
passport of a full batch (15, one proof) costs at most 60,000 gas (bench/run.py's ``gate``).

Gas is deterministic up to the zero bytes of proofs and envelopes (a few dozen gas); nothing here
measures time.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _bench_run():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("batterytrace_bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_operation_costs_more_than_two_percent_above_the_committed_baseline_and_a_full_batch_meets_60k():
    bench_run = _bench_run()
    baseline = json.loads((BENCH / "gas_baseline.json").read_text())
    rows = [row.as_dict() for row in bench_run.gas_once().rows]
    assert bench_run.compare(rows, baseline) == []
    assert bench_run.gate(rows) == []
    full = next(row for row in rows if row["operation"] == "passport issue x15")
    assert full["per_item"] == 15 and full["gas_used"] <= 60_000 * 15


def _batch(size: int, gas: int) -> dict:
    return {"operation": f"passport issue x{size}", "gas_used": gas, "per_item": size, "item_target": None}


def test_the_gate_holds_the_full_batch_to_60k_gas_per_passport_exactly():
    bench_run = _bench_run()
    assert bench_run.gate([_batch(15, 900_000)]) == []
    (problem,) = bench_run.gate([_batch(15, 900_001)])
    assert problem.startswith("passport issue x15: 60,000 gas per item (900,001 for 15) over the target 60,000")


def test_the_gate_needs_the_full_batch_and_leaves_smaller_batches_to_the_baseline():
    bench_run = _bench_run()
    assert bench_run.gate([_batch(1, 400_000)]) == ["passport issue x15: not measured (the passport gate needs the full batch)"]
    assert bench_run.gate([_batch(1, 400_000), _batch(15, 899_000)]) == []


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


@pytest.mark.parametrize("packs", [1, 4, 5, 16, 17, 30, 31])
def test_the_pack_makers_splits_make_every_pack_with_the_fewest_splits_and_leave_no_metal(packs):
    split_outputs = _bench_run().gas_bench.split_outputs
    waiting, remaining, splits = 1, packs, 0
    while remaining:
        waiting -= 1
        metal, made = split_outputs(remaining, waiting)
        assert 1 <= metal + made <= 4
        waiting, remaining, splits = waiting + metal, remaining - made, splits + 1
    assert waiting == 0
    assert splits == max(1, -(-(packs - 1) // 3))

"""Proving times of the shielded ledger's circuits, worker against snarkjs's CLI.

The same honest inputs (the circuit tests' scenarios: an offer, a certified origin mint, a 4 -> 1
merge, a pack claim) are proved by the SDK's long-lived worker (``batterytrace.zk.prover.Prover``,
circuit files already read) and by ``snarkjs groth16 fullprove`` in a fresh process, interleaved; medians are reported with their ratio,
so a busy machine slows both sides alike. Run: ``python -m bench.shielded_proving [rounds]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.prover import DEFAULT_KEYS_DIR, Prover
from bench.baselines import snarkjs_cli_fullprove
from tests.circuits.notes import CERTIFICATION, MINE, MINE_SITE, Registry, custody_scenario, mined
from tests.circuits.pack_notes import pack_scenario
from tests.circuits.transform_notes import job_scenario


#: The transform job proved: a 4 -> 1 merge (a proof's cost is the circuit's, whichever slots are used).
FULL_JOB = "merge"


def scenarios() -> dict[str, dict[str, object]]:
    return {
        "custody": custody_scenario(CustodyOperation.OFFER),
        "origin": Registry().inputs(mined(), MINE, MINE_SITE, certification=CERTIFICATION),
        "note_transform": job_scenario(FULL_JOB),
        "pack_claim": pack_scenario(),
    }


def main(rounds: int = 5) -> dict[str, dict[str, float]]:
    manifest = json.loads((DEFAULT_KEYS_DIR.parent.parent.parent / "circuits" / "manifest.json").read_text())
    results: dict[str, dict[str, float]] = {}
    with Prover() as prover:
        for circuit, inputs in scenarios().items():
            prover.prove(circuit, inputs)  # warm: files read, curve built
            worker, cli = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                prover.prove(circuit, inputs)
                worker.append(time.perf_counter() - started)
                started = time.perf_counter()
                snarkjs_cli_fullprove(DEFAULT_KEYS_DIR / f"{circuit}.wasm", DEFAULT_KEYS_DIR / f"{circuit}.zkey", inputs)
                cli.append(time.perf_counter() - started)
            results[circuit] = {"constraints": manifest["circuits"][circuit]["constraints"],
                                "worker_s": statistics.median(worker), "cli_s": statistics.median(cli),
                                "cli_over_worker": statistics.median(cli) / statistics.median(worker)}
    return results


if __name__ == "__main__":
    table = main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print("| circuit | constraints | worker median (s) | CLI median (s) | CLI / worker |")
    print("|---|---:|---:|---:|---:|")
    for circuit, row in table.items():
        print(f"| {circuit} | {row['constraints']:,} | {row['worker_s']:.3f} | {row['cli_s']:.3f} | "
              f"{row['cli_over_worker']:.1f}x |")

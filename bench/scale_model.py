"""A year of the real cobalt market on batterytrace, from the unit costs measured by bench/run.py.

Run alone (``python bench/scale_model.py``) it reads the last run's ``bench/results.json``;
bench/run.py calls :func:`model` with the figures it has just measured. Every input figure carries
its source (``../shared/data/REFERENCE.md``) or says "assumption".
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batterytrace.zk.pack_batch import BATCH_SLOTS

SECONDS_PER_YEAR = 365 * 24 * 3600
MAINNET_GAS_PER_SECOND = 60_000_000 / 12  # 60M gas per 12 s block (limit); the target is half
BASE_GAS_PER_SECOND = 25_000_000  # Base target, 25 Mgas/s

# (value, source) pairs; "assumption" where no publication gives the figure.
INPUTS: dict[str, tuple[float, str]] = {
    "cobalt_mined_kg": (290e6, "USGS Mineral Commodity Summaries 2025 (290 kt Co, 2024)"),
    "bag_product_kg": (2_000, "2 t hydroxide bags (DESIGN.md; brief)"),
    "hydroxide_cobalt_share": (0.35, "Fastmarkets MB-CO-0021 / LCI dataset DRC->China (about 35% typical)"),
    "spot_lot_cobalt_kg": (50_000, "Fastmarkets spot lot specification (>= 50 t Co contained)"),
    "metal_lot_cobalt_kg": (1_000, "MMTA cobalt metal norms (1 t lots)"),
    "evs_sold": (17e6, "IEA Global EV Outlook 2025 (> 17 million, 2024)"),
    "cobalt_per_ev_kg": (2.9, "Adamas Intelligence (average per EV sold, 2023)"),
    "lfp_share": (0.29, "IEA GEVO 2023; Adamas (27-31% of GWh, midpoint): LFP packs carry no cobalt"),
    "fan_in": (4, "circuit limit: note_transform.circom is 4 inputs x 4 outputs"),
    "handovers_per_bag": (1, "assumption: mine -> refinery (a trader in between would add one each)"),
}
ASSUMPTIONS = [
    "Every tonne of mined cobalt is traced from its 2 t bag (assumption: full coverage, no mass-balance shortcuts).",
    ("Bags are merged into 50 t spot lots with 4-input merges, the spot lot handed to a refinery and split into 1 t lots "
    "with 1->4 splits (assumption about where the lot sizes change; the sizes are the cited ones)."),
    "Each 1 t lot is handed over once (refinery -> cathode maker); cobalt outside EV batteries stops there (assumption).",
    ("The EV share of cobalt (EVs sold x 2.9 kg) goes through two 1:1 transforms (cathode, cells) and two handovers, then "
    "the pack maker splits each 1 t lot into pack lots with 1->4 splits (assumption)."),
    ("One passport per cobalt-bearing EV pack: EVs sold x (1 - LFP share) (assumption: LFP packs get passports "
    "without cobalt claims, outside this count)."),
    "Gas per operation is the benchmark's measured figure; a handover is offer + accept (two custody proofs).",
    (f"Proving: passports in full batches of {BATCH_SLOTS}, one pack_batch proof each, timed on a full batch (the "
     "proof has that many slots, used or not); the gas scenarios below vary the batch size."),
    ("The gas was measured on the note tree's first few dozen leaves. An insert hashes popcount(index) times "
    "(NoteTree.insert), about 12 times on average over an epoch of 2^24 notes, against a few in the bench, and after "
    "the tree's first 64 changes its root-history slot is overwritten rather than created: the model does not adjust "
    "for either."),
    "Proving core-hours = measured worker proof wall time x 2 cores (snarkjs uses every core of this 2-core machine).",
]


@dataclass(frozen=True)
class Counts:
    mints: float
    handovers: float
    merges: float
    splits: float
    one_to_one: float
    passports: float


def counts() -> Counts:
    value = {key: figure for key, (figure, _source) in INPUTS.items()}
    fan_in = int(value["fan_in"])
    bag_cobalt = value["bag_product_kg"] * value["hydroxide_cobalt_share"]
    bags = value["cobalt_mined_kg"] / bag_cobalt
    spot_lots = value["cobalt_mined_kg"] / value["spot_lot_cobalt_kg"]
    bags_per_spot = value["spot_lot_cobalt_kg"] / bag_cobalt
    merges = spot_lots * math.ceil((bags_per_spot - 1) / (fan_in - 1))
    metal_lots = value["cobalt_mined_kg"] / value["metal_lot_cobalt_kg"]
    metal_per_spot = value["spot_lot_cobalt_kg"] / value["metal_lot_cobalt_kg"]
    refinery_splits = spot_lots * math.ceil((metal_per_spot - 1) / (fan_in - 1))
    ev_cobalt = value["evs_sold"] * value["cobalt_per_ev_kg"]
    ev_metal_lots = ev_cobalt / value["metal_lot_cobalt_kg"]
    packs = value["evs_sold"] * (1 - value["lfp_share"])
    packs_per_lot = packs / ev_metal_lots
    pack_splits = ev_metal_lots * math.ceil((packs_per_lot - 1) / (fan_in - 1))
    handovers = bags * value["handovers_per_bag"] + spot_lots + metal_lots + 2 * ev_metal_lots
    return Counts(mints=bags, handovers=handovers, merges=merges, splits=refinery_splits + pack_splits,
                  one_to_one=2 * ev_metal_lots, passports=packs)


def model(unit_gas: dict[str, float], passport_gas_by_batch: dict[int, float], proof_seconds: dict[str, float]) -> dict[str, Any]:
    """Yearly totals. ``unit_gas`` keys: mint, offer, accept, merge (4->1), split (1->4), transform_1to1;
    ``passport_gas_by_batch``: gas per passport at each measured batch size; ``proof_seconds``: worker
    wall time per proof of each circuit (origin, custody, note_transform, pack_batch: a full batch)."""
    c = counts()
    rows = [
        ("origin mints (2 t bags)", c.mints, unit_gas["mint"]),
        ("handovers (offer + accept)", c.handovers, unit_gas["offer"] + unit_gas["accept"]),
        ("merges 4 -> 1 (bags -> 50 t spot lots)", c.merges, unit_gas["merge"]),
        ("splits 1 -> 4 (-> 1 t lots, -> pack lots)", c.splits, unit_gas["split"]),
        ("1:1 transforms (cathode, cells)", c.one_to_one, unit_gas["transform_1to1"]),
    ]
    base_gas = sum(count * gas for _name, count, gas in rows)
    proofs = {"origin": c.mints, "custody": 2 * c.handovers, "note_transform": c.merges + c.splits + c.one_to_one,
              "pack_batch": math.ceil(c.passports / BATCH_SLOTS)}
    core_hours = {circuit: count * proof_seconds[circuit] * 2 / 3600 for circuit, count in proofs.items()}
    scenarios = []
    for batch, per_passport in sorted(passport_gas_by_batch.items()):
        total = base_gas + c.passports * per_passport
        rate = total / SECONDS_PER_YEAR
        scenarios.append({
            "passport_batch": batch,
            "gas_per_passport": per_passport,
            "total_gas_per_year": total,
            "gas_per_second": rate,
            "share_of_mainnet_limit": rate / MAINNET_GAS_PER_SECOND,
            "share_of_mainnet_target": rate / (MAINNET_GAS_PER_SECOND / 2),
            "share_of_base_target": rate / BASE_GAS_PER_SECOND,
            "passport_share_of_gas": c.passports * per_passport / total,
        })
    # What the 60,000-gas passport target would give, for comparison.
    target_total = base_gas + c.passports * 60_000
    return {
        "inputs": {key: {"value": figure, "source": source} for key, (figure, source) in INPUTS.items()},
        "assumptions": ASSUMPTIONS,
        "counts": c.__dict__,
        "rows": [{"operation": name, "per_year": count, "gas_each": gas, "gas_per_year": count * gas} for name, count, gas in rows],
        "passports_per_year": c.passports,
        "scenarios": scenarios,
        "with_60k_passports_gas_per_second": target_total / SECONDS_PER_YEAR,
        "proofs_per_year": proofs,
        "proving_core_hours": core_hours,
        "proving_cores_busy_all_year": sum(core_hours.values()) / (365 * 24),
    }


def plot(result: dict[str, Any], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    best = result["scenarios"][-1]
    names = [row["operation"] for row in result["rows"]] + [f"passports (batch of {best['passport_batch']})"]
    values = [row["gas_per_year"] / SECONDS_PER_YEAR / 1e6 for row in result["rows"]]
    values.append(result["passports_per_year"] * best["gas_per_passport"] / SECONDS_PER_YEAR / 1e6)
    left.barh(names, values, color="#3b7dd8")
    left.set_xlabel("Mgas/s averaged over the year")
    left.set_title("A year of cobalt: gas by operation")
    left.invert_yaxis()
    batches = [str(s["passport_batch"]) for s in result["scenarios"]]
    rates = [s["gas_per_second"] / 1e6 for s in result["scenarios"]]
    right.bar(batches, rates, color="#d8803b", label="batterytrace, whole market")
    right.axhline(MAINNET_GAS_PER_SECOND / 1e6, color="black", linestyle="--", label="Ethereum mainnet limit (5 Mgas/s)")
    right.axhline(MAINNET_GAS_PER_SECOND / 2e6, color="grey", linestyle=":", label="mainnet target (2.5 Mgas/s)")
    right.set_xlabel("passports per issueBatch")
    right.set_ylabel("Mgas/s")
    right.set_title(f"Base target is {BASE_GAS_PER_SECOND / 1e6:.0f} Mgas/s (off the scale)")
    right.legend(fontsize=8, loc="center right")
    figure.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "scale_model.png", out_dir / "scale_model.svg"]
    for path in paths:
        figure.savefig(path, dpi=110, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(figure)
    return paths


def unit_costs_from_results(results: dict[str, Any]) -> tuple[dict[str, float], dict[int, float], dict[str, float]]:
    gas = {row["operation"]: row for row in results["gas"]}
    unit = {
        "mint": gas["origin mint"]["gas_used"],
        "offer": gas["offer"]["gas_used"],
        "accept": gas["accept"]["gas_used"],
        "merge": gas["transform 4 -> 1 (merge)"]["gas_used"],
        "split": gas["transform 1 -> 4 (split)"]["gas_used"],
        "transform_1to1": gas["transform 1 -> 1"]["gas_used"],
    }
    passports = {row["per_item"]: row["gas_per_item"] for row in results["gas"]
                 if row["operation"].startswith("passport issue x")}
    proving = {row["circuit"]: row["worker_median"] for row in results["proving"]}
    return unit, passports, proving


def main() -> None:
    path = Path(__file__).resolve().parent / "results.json"
    results = json.loads(path.read_text())
    result = model(*unit_costs_from_results(results))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

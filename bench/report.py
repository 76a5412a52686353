"""docs/BENCHMARKS.md and the growth plot, from the figures bench/run.py measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gas_bench import NEW_SLOT, PER_PUBLIC_INPUT, PROOF_FLOOR, STORAGE_SLOTS, TX_BASE

SECONDS_PER_YEAR = 365 * 24 * 3600


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def verdict(row: dict[str, Any]) -> str:
    if not row["target"]:
        return ""
    ratio_ok = row["ratio"] <= 1.03
    if row["per_item"] > 1 or row["operation"].startswith("passport issueBatch"):
        per_ok = row["gas_per_item"] <= 60_000
        return f"floor {_ok(ratio_ok)}; 60k {_ok(per_ok)} ({row['gas_per_item'] / 60_000:.1f}x)"
    return _ok(ratio_ok)


def gas_table(rows: list[dict[str, Any]]) -> str:
    by_name = {row["operation"]: row for row in rows}
    lines = [
        "| operation | gas | gas per passport | ERC-721 yardstick | floor | measured / floor | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        reference = by_name.get(row["reference"]) if row["reference"] else None
        yardstick = f"{row['gas_per_item'] / reference['gas_used']:.1f}x {reference['operation'].split(' (')[0]}" if reference else ""
        per_item = f"{row['gas_per_item']:,}" if row["group"] == "passport" else ""
        lines.append(
            f"| {row['operation']} | {row['gas_used']:,} | {per_item} | {yardstick} | {row['floor']:,} | {row['ratio']:.3f} | "
            f"{row['target']} | {verdict(row)} |"
        )
    return "\n".join(lines) + "\n"


def breakdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| operation | gas | base | calldata | verifier call(s) | of which precompile floor | events (logs) | new slots x 20,000 | rest |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if not row["proofs"]:
            continue
        precompile = row["proofs"] * (PROOF_FLOOR + row["public_inputs"] * PER_PUBLIC_INPUT)
        verifier = row["verifier_gas"] or 0
        storage = row["new_slots"] * NEW_SLOT
        rest = row["gas_used"] - TX_BASE - row["calldata_gas"] - verifier - row["log_gas"] - storage
        lines.append(
            f"| {row['operation']} | {row['gas_used']:,} | {TX_BASE:,} | {row['calldata_gas']:,} | {verifier:,} | {precompile:,} | "
            f"{row['log_gas']:,} | {storage:,} | {rest:,} |"
        )
    return "\n".join(lines) + "\n"


def growth_plot(results: dict[str, Any], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gas = {row["operation"]: row for row in results["gas"]}
    growth = results["growth"]
    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    inputs = [1, 2, 3, 4]
    transform_gas = [gas[f"transform {n} in -> {n} out"]["gas_used"] / 1e3 for n in inputs]
    transform_floor = [gas[f"transform {n} in -> {n} out"]["floor"] / 1e3 for n in inputs]
    axes[0][0].plot(inputs, transform_gas, "o-", label="measured")
    axes[0][0].plot(inputs, transform_floor, "s--", label="EIP-1108 + calldata + new slots floor")
    axes[0][0].set(title="Transform gas (n inputs -> n outputs)", xlabel="input lots", ylabel="kgas", xticks=inputs)
    axes[0][0].set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    times = growth["transform_seconds_by_inputs"]
    axes[0][1].plot(inputs, [times[str(n)] if str(n) in times else times[n] for n in inputs], "o-", color="#d8803b")
    axes[0][1].set(title="Transform proving time (worker, median)", xlabel="input lots", ylabel="seconds", xticks=inputs)
    axes[0][1].set_ylim(bottom=0)
    batches = [1, 2, 4, 8]
    per_passport = [gas[f"passport issueBatch x{b}"]["gas_per_item"] / 1e3 for b in batches]
    floor_per = [gas[f"passport issueBatch x{b}"]["floor"] / b / 1e3 for b in batches]
    axes[1][0].plot(batches, per_passport, "o-", label="measured, per passport")
    axes[1][0].plot(batches, floor_per, "s--", label="floor, per passport")
    axes[1][0].axhline(60, color="red", linestyle=":", label="target 60 kgas")
    axes[1][0].set(title="Passport gas per passport (issueBatch)", xlabel="passports per batch", ylabel="kgas", xticks=batches)
    axes[1][0].set_ylim(bottom=0)
    axes[1][0].legend(fontsize=8)
    claim = growth["claim_seconds_by_batch"]
    axes[1][1].plot(batches, [claim[str(b)] if str(b) in claim else claim[b] for b in batches], "o-", color="#d8803b")
    axes[1][1].set(title="Claim proving time per batch (worker, median)", xlabel="passports per batch", ylabel="seconds",
                   xticks=batches)
    axes[1][1].set_ylim(bottom=0)
    figure.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "growth.png", out_dir / "growth.svg"]
    for path in paths:
        figure.savefig(path, dpi=110, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(figure)
    return paths


def _get(mapping: dict[Any, Any], key: int) -> Any:
    return mapping[str(key)] if str(key) in mapping else mapping[key]


def render(results: dict[str, Any], plots: list[Path], root: Path) -> str:
    rows = results["gas"]
    gas = {row["operation"]: row for row in rows}
    machine = results["machine"]
    out: list[str] = []
    w = out.append
    w("# Benchmarks\n")
    w(f"Generated by `make bench` (`python bench/run.py`) on {machine['date']}: {machine['cpus']} cores ({machine['cpu']}), "
      f"Python {machine['python']}, shared and noisy, so every time below is a median and is only reported next to the figure "
      "it is compared with, measured in the same run; gas is deterministic. Raw figures: `bench/results.json`. "
      f"The whole run took {results['total_seconds']:.0f} s.\n")
    w("`python bench/run.py --quick` (CI: `tests/test_bench_gas.py`) re-measures the gas table and fails when an operation "
      "costs more than 2 % above `bench/gas_baseline.json` (the maximum over this run's repetitions).\n")

    # -- gas -------------------------------------------------------------------------------------
    w("## 1. Gas per operation\n")
    w("Local anvil, contracts deployed with `batterytrace.sdk.deployment.deploy`, participants registered as in "
      "`tests/conftest.py`, every operation sent through the SDK. The yardstick is a plain OpenZeppelin ERC-721 "
      "(`ReferenceERC721`) mint and `transferFrom` measured in the same run (both update an existing balance, as the lot "
      "operations do). **Floor** = 21,000 base + calldata of the actual transaction input (16 gas per non-zero byte, 4 per "
      "zero byte) + for each Groth16 proof the EIP-1108 pairing check 45,000 + 34,000 x 4 = 181,000 and 6,150 per public "
      "input (mint 6, transform 12, claim 9: `circuits/manifest.json`) + 20,000 per storage slot the operation must create. "
      "For operations without a proof the floor is base + calldata + new slots, shown for context; the targets apply to "
      "proof-consuming operations.\n")
    w(gas_table(rows))
    spreads = [row["spread"] for row in rows]
    w(f"\nGas varies only with the zero bytes of proofs and envelopes: over {len(rows[0]['gas_runs'])} runs on fresh "
      f"anvils the largest spread of any operation was {max(spreads):.3%} (well under the 2 % CI tolerance); the table "
      "shows each operation's maximum.\n")
    handover = gas["offer (envelope: receiver + 2 auditors)"]["gas_used"] + gas["accept"]["gas_used"]
    transfer = gas["ERC-721 transferFrom (OpenZeppelin)"]["gas_used"]
    w(f"A whole handover (offer + accept) costs {handover:,} gas, {handover / transfer:.1f}x a plain `transferFrom`: two "
      "transactions, the encrypted opening envelope (calldata and event data) and the status events.\n")
    tree_rows = [name for name in ("register participant", "activate facility", "certify", "rotate shielding key",
                                   "record risk finding", "set process parameters", "revoke participant") if name in gas]
    if tree_rows:
        figures = ", ".join(f"{name} {gas[name]['gas_used']:,}" for name in tree_rows)
        w("### Registry writes and the membership trees\n")
        w(f"Every registry write that inserts or replaces a membership leaf (zk-kit LeanIMT over PoseidonT3, each hash "
          f"about 22,000 gas, in the linked `RegistryTrees`): {figures} gas. An insert hashes the new leaf and the levels "
          "where it is a right child, and writes the leaf's index, the record's leaf and a root-history slot; a replacement "
          "rehashes the whole path twice (old root checked, new root computed: zk-kit's `_update`), so it costs about twice "
          "an insert, and a risk finding replaces two leaves (the site's and its operator's). The anchor the issue names, "
          "Semaphore v4's `addMember` at 118k-157k gas (its published figure, not measured here), is a bare insert; ours "
          "comes inside `register participant`, `activate facility` and `certify` with the record itself. The first 32 "
          "changes of each tree create their root-history slot (20,000 each); later ones overwrite one.\n")
    w("### Where the gas goes (proof-consuming operations)\n")
    w("From the receipts and anvil's `debug_traceTransaction` (callTracer: gas of the calls into the verifier contracts). "
      "*Events* is 375 + 375 per topic + 8 per data byte for each log in the receipt (memory expansion not included). "
      "*Rest* is everything else: cold account and slot accesses (2,600 / 2,100), the updates of existing slots, the "
      "registry and lots calls, hashing the context, ABI decoding and memory.\n")
    w(breakdown_table(rows))
    verifier_overhead = [
        (row["operation"], (row["verifier_gas"] or 0) / (row["proofs"] * (PROOF_FLOOR + row["public_inputs"] * PER_PUBLIC_INPUT)))
        for row in rows if row["proofs"] and row["verifier_gas"]
    ]
    worst = max(verifier_overhead, key=lambda item: item[1])
    w(f"\nThe snarkjs verifier itself spends up to {worst[1]:.2f}x its precompile floor ({worst[0]}): the call, "
      "field checks of every input, and the ECMUL/ECADD precompile calls' own overhead (call, memory, staticcall "
      "warm/cold). Main cost drivers, biggest first: the pairing check (181,000 per proof), storage for the new lot or "
      "passport (20,000 per slot; a passport writes 14), the per-input ECMUL (6,150 each: transform's 12 inputs are "
      "73,800 even for a 1-in/1-out transform, because the circuit is a fixed 4 x 4), then calldata and events carrying the "
      "encrypted openings (an envelope for self + 2 auditors is 402 bytes, once in calldata and once in the event).\n")
    w("### How the new storage slots are counted\n")
    w("Read from the contract code (zero -> non-zero writes only; updates of existing slots and writes of zero are not "
      "counted) and cross-checked against anvil's `prestateTracer` in diff mode (slots zero before and non-zero after): "
      f"{_trace_check(rows)}. Trace support: {results['trace_support']}.\n")
    for name, text in STORAGE_SLOTS.items():
        w(f"- **{name}**: {text}")
    w("")

    # -- proving ---------------------------------------------------------------------------------
    w("## 2. Proving\n")
    w("Same inputs (recorded from the gas run), worker and CLI interleaved, medians of "
      f"{len(results['proving'][0]['worker_seconds'])} worker and {len(results['proving'][0]['cli_seconds'])} CLI proofs. "
      "Worker: the SDK's long-lived `batterytrace.zk.prover.Prover` (witness + proof, circuit files already read). CLI: "
      "`snarkjs groth16 fullprove` in a fresh process per proof (`bench/baselines.py: snarkjs_cli_fullprove`). Target: >= 2x.\n")
    w("| circuit | constraints | worker median (s) | CLI median (s) | CLI / worker | target >= 2x |")
    w("|---|---:|---:|---:|---:|---|")
    for p in results["proving"]:
        w(f"| {p['circuit']} | {p['constraints']:,} | {p['worker_median']:.3f} | {p['cli_median']:.3f} | {p['speedup']:.1f}x | "
          f"{_ok(p['speedup'] >= 2)} |")
    memory = results["memory"]
    w(f"\nPeak memory of the worker process (VmHWM of node, pid {memory['worker_pid']}, after all proofs): "
      f"{(memory['worker_vmhwm_kib'] or 0) / 1024:.0f} MiB (resident now {(memory['worker_vmrss_kib'] or 0) / 1024:.0f} MiB). "
      f"One CLI transform proof, for comparison (ru_maxrss of the largest process it started, measured from a fresh "
      f"Python): {memory['cli_transform_peak_kib'] / 1024:.0f} MiB.\n")

    # -- throughput ------------------------------------------------------------------------------
    t = results["throughput"]
    w("## 3. Throughput (SDK against anvil)\n")
    w(f"The same {t['lots']} lots, offered to the refinery and the offers cancelled ({t['operations']} transactions), first "
      "one send-and-wait per operation (`client.offer(...)`, `client.cancel_offer(...)`), then pipelined "
      "(`client.offer(..., wait=False)` for all, `chain.wait_all`, then the cancels the same way). Anvil mines each "
      "transaction on arrival.\n")
    w("| mode | lot operations / s (relative) |")
    w("|---|---:|")
    w("| send and wait | 1.00 |")
    w(f"| pipelined | {t['ratio']:.2f} |")
    w(f"\nPipelined / send-and-wait: **{t['ratio']:.2f}x** for offers + cancels, {t['offer_ratio']:.2f}x for the offers alone "
      f"(absolute on this machine: {t['operations'] / t['sequential_seconds']:.1f} vs {t['operations'] / t['pipelined_seconds']:.1f} "
      "operations per second). Each offer still makes its reads before sending (lot record, receiver registration, keys "
      "for the envelope) and an `eth_estimateGas`, which pipelining does not remove. "
      + " ".join(t["notes"]) + ".\n")

    # -- demo ------------------------------------------------------------------------------------
    w("## 4. The demo end to end\n")
    if "demo" in results:
        seconds = results["demo"]["seconds"]
        how = results["demo"].get("how", "`batterytrace.demo.run_demo(out_dir, progress=False)`, run once warm after the "
                                  "benchmarks above (its own anvil and prover worker)")
        w(f"{how}: **{seconds:.1f} s** wall on {machine['cpus']} cores; target at most 90 s: {_ok(seconds <= 90)}.\n")
        if "why" in results["demo"]:
            w(results["demo"]["why"] + "\n")
    else:
        w("Skipped in this run (`--skip-demo`).\n")

    # -- growth ----------------------------------------------------------------------------------
    g = results["growth"]
    w("## 5. How cost grows\n")
    w("![growth](bench/growth.png)\n")
    w("([SVG](bench/growth.svg))\n")
    w("| input lots (n in -> n out) | gas | gas / floor | proving (s, relative to n = 1) |")
    w("|---:|---:|---:|---:|")
    first = _get(g["transform_seconds_by_inputs"], 1)
    for n in range(1, 5):
        row = gas[f"transform {n} in -> {n} out"]
        w(f"| {n} | {row['gas_used']:,} | {row['ratio']:.3f} | {_get(g['transform_seconds_by_inputs'], n) / first:.2f} |")
    w("\nProving time does not depend on n beyond machine noise: the transform circuit is a fixed 4 x 4 (unused slots are "
      "zero), so a 1-in/1-out transform pays for four. Gas grows with n through storage (each output writes its record, owner and parent list) and "
      "calldata/events (an envelope per output).\n")
    w("| passports per batch | gas per passport | vs batch of 1 | claim proving for the batch (s, relative to 1) |")
    w("|---:|---:|---:|---:|")
    one = gas["passport issueBatch x1"]["gas_per_item"]
    claim_one = _get(g["claim_seconds_by_batch"], 1)
    for size in (1, 2, 4, 8):
        row = gas[f"passport issueBatch x{size}"]
        w(f"| {size} | {row['gas_per_item']:,} | {row['gas_per_item'] / one:.3f} | {_get(g['claim_seconds_by_batch'], size) / claim_one:.2f} |")
    w("\nBatching saves only the 21,000 base and the shared call overhead: every passport still pays a full pairing "
      "check and its own storage, so the per-passport cost is nearly flat and proving grows linearly.\n")

    # -- scale -----------------------------------------------------------------------------------
    s = results["scale"]
    w("## 6. Scale model: a year of the cobalt market\n")
    w("`bench/scale_model.py` (run alone it reads `bench/results.json`). Inputs and sources "
      "(`../shared/data/REFERENCE.md`):\n")
    w("| input | value | source |")
    w("|---|---:|---|")
    for key, item in s["inputs"].items():
        w(f"| {key} | {item['value']:,.4g} | {item['source']} |")
    w("\nAssumptions:\n")
    for text in s["assumptions"]:
        w(f"- {text}")
    w("\n| operation | per year | gas each | gas per year | Mgas/s averaged |")
    w("|---|---:|---:|---:|---:|")
    for row in s["rows"]:
        w(f"| {row['operation']} | {row['per_year']:,.0f} | {row['gas_each']:,.0f} | {row['gas_per_year']:.3e} | "
          f"{row['gas_per_year'] / SECONDS_PER_YEAR / 1e6:.3f} |")
    w(f"| passports (one per cobalt-bearing EV pack) | {s['passports_per_year']:,.0f} | see below | | |")
    w("\n| passports per issueBatch | gas per passport | total gas per year | Mgas/s | share of mainnet limit (5 Mgas/s) | "
      "share of mainnet target (2.5) | share of Base target (25 Mgas/s) | passports' share of the gas |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for sc in s["scenarios"]:
        w(f"| {sc['passport_batch']} | {sc['gas_per_passport']:,.0f} | {sc['total_gas_per_year']:.3e} | {sc['gas_per_second'] / 1e6:.3f} | "
          f"{sc['share_of_mainnet_limit']:.1%} | {sc['share_of_mainnet_target']:.1%} | {sc['share_of_base_target']:.1%} | "
          f"{sc['passport_share_of_gas']:.0%} |")
    best = s["scenarios"][-1]
    w(f"\nWith the passport target met (60,000 gas each) the whole market would need "
      f"{s['with_60k_passports_gas_per_second'] / 1e6:.3f} Mgas/s.\n")
    w("| proofs per year | count | core-hours (measured worker time x 2 cores) |")
    w("|---|---:|---:|")
    for circuit, count in s["proofs_per_year"].items():
        w(f"| {circuit} | {count:,.0f} | {s['proving_core_hours'][circuit]:,.0f} |")
    w(f"\nProving the whole year takes about {sum(s['proving_core_hours'].values()):,.0f} core-hours, "
      f"{s['proving_cores_busy_all_year']:.1f} cores busy all year, spread over thousands of participants: not the constraint.\n")
    w("![scale model](bench/scale_model.png)\n")
    w("([SVG](bench/scale_model.svg))\n")
    worst = s["scenarios"][0]
    w(f"**What fits.** The whole market needs {worst['gas_per_second'] / 1e6:.2f} Mgas/s with single passports and "
      f"{best['gas_per_second'] / 1e6:.2f} Mgas/s with batches of 8, averaged over the year. On Ethereum mainnet that is "
      f"{best['share_of_mainnet_limit']:.0%} of the whole chain's capacity ({best['share_of_mainnet_target']:.0%} of its "
      "gas target) for one application: it fits only in theory, not at mainnet prices or with headroom for peaks. On a "
      f"typical L2 it is {best['share_of_base_target']:.1%} of Base's target: any measured batch size fits, with room for "
      "a tenfold peak. The passport batch size barely matters, because the per-passport cost falls only "
      f"{1 - best['gas_per_passport'] / worst['gas_per_passport']:.0%} from 1 to 8; what would move the total is the "
      "per-passport cost itself (the claim proofs aggregated into one pairing product, leaner storage) and the fan-in of "
      "transforms: splits of 1 t lots into pack lots are the largest item after passports, and a wider circuit means "
      "fewer of them.\n")

    if "shielded" in results:
        w(shielded_section(results["shielded"]))

    # -- misses ----------------------------------------------------------------------------------
    w("## What misses its target\n")
    for line in misses(results):
        w(f"- {line}")
    w("")
    return "\n".join(out) + "\n"


def shielded_section(shielded: dict[str, Any]) -> str:
    """Section 7: the shielded ledger's operations (issue 14, in progress) and its circuits' proving."""
    out = ["## 7. The shielded ledger (issue 14, in progress)\n",
           "`bench/shielded_gas.py`: every operation through the SDK's shielded family and a real relayer (so each is "
           "sent by a third account) on the deployment's `ShieldedLedger`: an origin mint at the sandbox's certified mine, "
           "an offer to the refinery and its accept, a 4 -> 4 refining job, a 1 -> 1 pack assembly and the pack note's "
           "redemption for a passport. Floor: 21,000 + calldata + the pairing check (45,000 + 34,000 x 4) + 6,150 per "
           "public input + 20,000 per new slot (each nullifier, or the mint tag) + the note tree's PoseidonT3 calls, "
           "counted with their gas from the call trace. Target: at most 1.15x. The transparent ledger's figures for "
           "comparison (section 1): mint 397k, offer + accept 125k, 4 -> 4 transform 1.30M.\n",
           "| operation | gas | floor | PoseidonT3 calls (gas) | gas / floor |", "|---|---:|---:|---:|---:|"]
    for row in shielded["gas"]:
        out.append(f"| {row['operation']} | {row['gas']:,} | {row['floor']:,} | {row['poseidon_calls']} "
                   f"({row['poseidon_gas']:,}) | {row['ratio']:.3f} |")
    out += ["", "`bench/shielded_proving.py`: the circuit tests' honest scenarios (an offer, a certified origin mint, a "
            "4 -> 1 merge, a pack claim; a proof costs the circuit's constraints whichever slots are used), "
            "the SDK's worker and `snarkjs groth16 fullprove` interleaved, medians.\n",
            "| circuit | constraints | worker median (s) | CLI median (s) | CLI / worker |", "|---|---:|---:|---:|---:|"]
    for circuit, row in shielded["proving"].items():
        out.append(f"| {circuit} | {row['constraints']:,} | {row['worker_s']:.3f} | {row['cli_s']:.3f} | "
                   f"{row['cli_over_worker']:.1f}x |")
    return "\n".join(out) + "\n"


def _trace_check(rows: list[dict[str, Any]]) -> str:
    mismatches = [f"{row['operation']} (code {row['new_slots']}, trace {row['traced_new_slots']})" for row in rows
                  if row["traced_new_slots"] is not None and row["traced_new_slots"] != row["new_slots"]]
    if any(row["traced_new_slots"] is None for row in rows):
        return "the trace was not available for every operation"
    return "every operation matches" if not mismatches else "mismatches: " + "; ".join(mismatches)


def misses(results: dict[str, Any]) -> list[str]:
    lines = []
    for row in results["gas"]:
        if row["target"] and row["ratio"] > 1.03:
            lines.append(f"{row['operation']}: {row['ratio']:.3f}x its floor (target 1.03x), {row['gas_used'] - row['floor']:,} gas above it.")
    batches = [row for row in results["gas"] if row["operation"].startswith("passport issueBatch") and row["gas_per_item"] > 60_000]
    if batches:
        figures = ", ".join(f"x{row['per_item']}: {row['gas_per_item']:,} ({row['gas_per_item'] / 60_000:.1f}x)" for row in batches)
        lines.append(f"batched passports, gas per passport against the 60,000 target: {figures}. The target is below the "
                     "floor of one Groth16 pairing check (181,000) plus the passport's own storage (14 new slots, 280,000), "
                     "so no batch of separately verified proofs writing this record can meet it; it needs the claim proofs "
                     "aggregated (one pairing product per batch) and far less storage per passport (e.g. a hash of the record "
                     "instead of its fields).")
    for p in results["proving"]:
        if p["speedup"] < 2:
            lines.append(f"proving {p['circuit']}: worker only {p['speedup']:.1f}x faster than the CLI (target 2x).")
    for row in results.get("shielded", {}).get("gas", []):
        if row["ratio"] > 1.15:
            lines.append(f"shielded {row['operation']}: {row['ratio']:.3f}x its floor (target 1.15x), "
                         f"{row['gas'] - row['floor']:,} gas above it.")
    for circuit, row in results.get("shielded", {}).get("proving", {}).items():
        if row["cli_over_worker"] < 2:
            lines.append(f"proving {circuit}: worker only {row['cli_over_worker']:.1f}x faster than the CLI (target 2x).")
        if circuit == "note_transform" and row["worker_s"] > 5:
            lines.append(f"proving a 4 x 4 note transform: {row['worker_s']:.1f} s on the worker (target at most 5 s).")
    if "demo" in results and results["demo"]["seconds"] > 90:
        lines.append(f"demo: {results['demo']['seconds']:.0f} s (target at most 90 s).")
    return lines or ["nothing"]

"""How the shielded ledger's circuits grow with the metals a note carries (issue 15): origin, the 4 x 4
note transform and the 15-slot pack batch, each compiled for 1, 2 and 3 metals, with per variant

- constraints: the variant's main (the project's main with the metals parameter changed) compiled
  as the keys are (circom --O2) into circuits/build/metals/<circuit>-<metals>/, read with
  ``snarkjs r1cs info``;
- proving time: warm (the worker has proved the variant once), the median of ``reps`` proofs by the
  SDK's worker (``batterytrace.zk.prover.Prover``, as bench/timing_bench.py times it), on inputs
  from bench/metals_inputs.py;
- verify gas: the gas of one transaction calling ``verifyProof`` of the variant's exported snarkjs
  verifier, compiled with the project's solc and settings, on a local anvil, with a real proof.

The zkeys are TIMING KEYS: ``snarkjs groth16 setup`` on the project's phase 1 file (the smallest
circuits/build/ptau/pot<N>_final.ptau that fits the variant) with no phase 2 contribution, so
whoever ran the setup can forge proofs; they time proving and price verification, and nobody should
use them for anything else. Without a phase 1 file that fits every variant only the constraints are
measured. Every figure is reported next to the same circuit's 1-metal figure of the same run.

    python bench/metals_growth.py [--reps 3]     # prints the table
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import metals_inputs

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "circuits" / "build" / "metals"
PTAU_DIR = ROOT / "circuits" / "build" / "ptau"
CIRCUITS = ("origin", "note_transform", "pack_batch")
METALS = (1, 2, 3)
#: Where the metals parameter sits among each main's template arguments (circuits/manifest.json).
METALS_PARAMETER = {"origin": 0, "note_transform": 2, "pack_batch": 1}
TIMING_KEYS = ("timing keys: `snarkjs groth16 setup` on the phase 1 file with no phase 2 contribution (whoever ran "
               "the setup can forge proofs); they time proving and price verification and are no keys anyone should use")
VERIFY_GAS_LIMIT = 2_000_000
_MAIN = re.compile(r"(component\s+main\s*\{[^}]*\}\s*=\s*\w+)\(([^)]*)\)\s*;")


def _run(command: list[str], what: str, timeout: int = 1200) -> str:
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0:
        raise RuntimeError(f"{what} failed: {(completed.stderr or completed.stdout).strip()[-1500:]}")
    return completed.stdout


def _npx(*arguments: str) -> list[str]:
    return ["npx", "--no-install", *arguments]


def name_of(circuit: str, metals: int) -> str:
    return f"{circuit}_m{metals}"


def variant_main(circuit: str, metals: int) -> str:
    """The project's main (circuits/<circuit>.circom) with ``metals`` as its metals parameter."""
    if circuit not in METALS_PARAMETER:
        raise ValueError(f"no variant of circuit {circuit!r} (one of {CIRCUITS})")
    source = (ROOT / "circuits" / f"{circuit}.circom").read_text()
    match = _MAIN.search(source)
    place = METALS_PARAMETER[circuit]
    parameters = [value.strip() for value in match.group(2).split(",")] if match else []
    if len(parameters) <= place or parameters[place] != "3":
        raise RuntimeError(f"circuits/{circuit}.circom no longer has a 3-metal main with the metals as parameter {place}")
    parameters[place] = str(metals)
    includes = re.findall(r'^include\s+"lib/[^"]+";', source, re.MULTILINE)
    return "\n".join([
        "pragma circom 2.1.9;", "",
        f"// Written by bench/metals_growth.py from circuits/{circuit}.circom: {metals} metal(s). Not a shipped circuit.",
        *(line.replace('"lib/', '"../../../lib/') for line in includes), "",
        f"{match.group(1)}({', '.join(parameters)});", ""])


def compile_variant(circuit: str, metals: int) -> tuple[Path, Path]:
    """The variant's (r1cs, wasm), compiled with --O2 unless a build newer than its sources exists."""
    directory = BUILD / f"{circuit}-{metals}"
    name = name_of(circuit, metals)
    main, r1cs = directory / f"{name}.circom", directory / f"{name}.r1cs"
    wasm = directory / f"{name}_js" / f"{name}.wasm"
    text = variant_main(circuit, metals)
    newest = max(path.stat().st_mtime for path in (ROOT / "circuits" / "lib").glob("*.circom"))
    if main.is_file() and main.read_text() == text and wasm.is_file() and r1cs.is_file() \
            and r1cs.stat().st_mtime >= newest:
        return r1cs, wasm
    directory.mkdir(parents=True, exist_ok=True)
    main.write_text(text)
    r1cs.unlink(missing_ok=True)
    _run(_npx("circom2", str(main.relative_to(ROOT)), "--O2", "--r1cs", "--wasm", "-l", "node_modules",
              "-o", str(directory.relative_to(ROOT))), f"compiling {name}")
    return r1cs, wasm


def r1cs_info(r1cs: Path) -> dict[str, int]:
    """Constraints and public inputs, as ``snarkjs r1cs info`` prints them."""
    output = _run(_npx("snarkjs", "r1cs", "info", str(r1cs)), f"snarkjs r1cs info {r1cs.name}")
    figures = dict(re.findall(r"# of (Constraints|Public Inputs|Outputs|Wires): (\d+)", output))
    if "Constraints" not in figures:
        raise RuntimeError(f"snarkjs r1cs info {r1cs.name} printed no constraint count: {output[-300:]}")
    return {"constraints": int(figures["Constraints"]),
            "public_inputs": int(figures.get("Public Inputs", 0)) + int(figures.get("Outputs", 0))}


def ptau_for(constraints: int, public_inputs: int) -> Path | None:
    """The smallest final phase 1 file (circuits/build/ptau/pot<N>_final.ptau) whose 2^N holds the
    circuit (snarkjs: constraints + public inputs + 1), None when there is none."""
    power = (constraints + public_inputs).bit_length()
    found = sorted((int(match.group(1)), path) for path in PTAU_DIR.glob("pot*_final.ptau")
                   if (match := re.fullmatch(r"pot(\d+)_final\.ptau", path.name)))
    return next((path for size, path in found if size >= power), None)


def timing_zkey(r1cs: Path, ptau: Path) -> Path:
    """A timing key for ``r1cs`` on ``ptau`` (see TIMING_KEYS), made again only when the r1cs is newer."""
    zkey = r1cs.with_name(r1cs.stem + "_timing.zkey")
    if zkey.is_file() and zkey.stat().st_mtime >= r1cs.stat().st_mtime:
        return zkey
    partial = zkey.with_suffix(".partial")
    _run(_npx("snarkjs", "groth16", "setup", str(r1cs), str(ptau), str(partial)), f"timing setup of {r1cs.stem}")
    partial.replace(zkey)
    return zkey


def _keys_folder(variants: dict[tuple[str, int], dict[str, Any]]) -> Path:
    """One folder of <name>.wasm / <name>.zkey links for all variants: one worker proves them all."""
    folder = BUILD / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    for (circuit, metals), variant in variants.items():
        for suffix in ("wasm", "zkey"):
            link = folder / f"{name_of(circuit, metals)}.{suffix}"
            link.unlink(missing_ok=True)
            link.symlink_to(variant[suffix].resolve())
    return folder


def prove_all(variants: dict[tuple[str, int], dict[str, Any]], reps: int) -> dict[tuple[str, int], Any]:
    """Per variant ``reps`` warm proofs by one worker (times into the variant), a circuit's variants
    interleaved so machine noise hits each alike; the last proof of each returned."""
    from batterytrace.zk.prover import Prover

    proofs = {}
    with Prover(_keys_folder(variants)) as prover:
        for circuit in CIRCUITS:
            keys = [key for key in variants if key[0] == circuit]
            for key in keys:
                prover.prove(name_of(*key), variants[key]["inputs"])  # the worker has read its files: warm
                variants[key]["prove_seconds"] = []
            for _ in range(reps):
                for key in keys:
                    started = time.perf_counter()
                    proofs[key] = prover.prove(name_of(*key), variants[key]["inputs"])
                    variants[key]["prove_seconds"].append(time.perf_counter() - started)
            for key in keys:
                print(f"  {name_of(*key)}: proved in {statistics.median(variants[key]['prove_seconds']):.2f} s "
                      f"(median of {reps})", flush=True)
    return proofs


def verifier_gas(variants: dict[tuple[str, int], dict[str, Any]], proofs: dict[tuple[str, int], Any]) -> None:
    """Each variant's snarkjs verifier, compiled by the project's solc (one run for all), deployed on
    a fresh anvil; the gas of one ``verifyProof`` transaction with its real proof into the variant."""
    from batterytrace.evm.artifacts import SOLC_SETTINGS, compile_standard_input
    from batterytrace.evm.chain import Chain
    from batterytrace.evm.node import DEFAULT_MNEMONIC, LocalNode
    from batterytrace.evm.signers import LocalSigner

    sources, contracts = {}, {}
    for key, variant in variants.items():
        solidity = variant["zkey"].with_name(f"{name_of(*key)}_verifier.sol")
        _run(_npx("snarkjs", "zkey", "export", "solidityverifier", str(variant["zkey"]), str(solidity)),
             f"exporting the verifier of {name_of(*key)}")
        contracts[key] = "Verifier_" + name_of(*key)
        text = solidity.read_text()
        if "contract Groth16Verifier" not in text:
            raise RuntimeError(f"{solidity.name}: snarkjs exported no contract Groth16Verifier")
        sources[f"bench/metals/{solidity.name}"] = {"content": text.replace("contract Groth16Verifier",
                                                                            f"contract {contracts[key]}")}
    standard = {"language": "Solidity", "sources": sources, "settings": copy.deepcopy(SOLC_SETTINGS)}
    artifacts = compile_standard_input(standard, tuple(contracts.values())).artifacts
    signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, 0)
    with LocalNode() as node:
        chain = Chain(node.url)
        for key, variant in variants.items():
            artifact = artifacts[contracts[key]]
            address, _ = chain.deploy_artifact(signer, artifact)
            verifier = chain.w3.eth.contract(address=address, abi=artifact.abi)
            call = verifier.functions.verifyProof(*proofs[key].solidity_args())
            if chain.call(call, f"verifyProof {name_of(*key)}") is not True:
                raise RuntimeError(f"the verifier of {name_of(*key)} refused its own proof")
            variant["gas"], variant["calldata_gas"] = _verify_transaction(chain, signer, call, name_of(*key))


def _verify_transaction(chain: Any, signer: Any, call: Any, name: str) -> tuple[int, int]:
    """(gas used, calldata gas) of one verifyProof transaction, its answer checked true in the trace.
    The gas limit is fixed, not estimated: verifyProof returns false rather than reverting when the
    pairing precompile runs out of gas, so an estimate settles below the pairing's cost."""
    transaction = call.build_transaction({
        "from": signer.address, "nonce": chain.w3.eth.get_transaction_count(signer.address, "pending"),
        "gas": VERIFY_GAS_LIMIT, "gasPrice": chain.w3.eth.gas_price, "chainId": chain.chain_id})
    sent = chain.w3.eth.send_raw_transaction(signer.sign_transaction(transaction))
    receipt = chain.w3.eth.wait_for_transaction_receipt(sent, timeout=120)
    trace = chain.w3.provider.make_request("debug_traceTransaction", [sent.to_0x_hex(), {"tracer": "callTracer"}])
    output = (trace.get("result") or {}).get("output") or "0x"
    if receipt["status"] != 1 or int(output, 16) != 1:
        raise RuntimeError(f"the verifyProof transaction of {name} did not answer true (output {output})")
    data = bytes(chain.w3.eth.get_transaction(sent)["input"])
    return int(receipt["gasUsed"]), sum(16 if byte else 4 for byte in data)


def measure(reps: int = 3) -> dict[str, Any]:
    """Every variant's figures (JSON-ready): compile, constraints, then, with the phase 1 file,
    timing keys, proving times and verify gas."""
    started = time.perf_counter()
    metals_inputs.check_against_twins()
    variants: dict[tuple[str, int], dict[str, Any]] = {}
    for circuit in CIRCUITS:
        for metals in METALS:
            r1cs, wasm = compile_variant(circuit, metals)
            variants[(circuit, metals)] = {"r1cs": r1cs, "wasm": wasm, **r1cs_info(r1cs),
                                           "inputs": metals_inputs.inputs(circuit, metals)}
            print(f"  {name_of(circuit, metals)}: {variants[(circuit, metals)]['constraints']:,} constraints", flush=True)
    skipped = None
    phase1 = {key: ptau_for(v["constraints"], v["public_inputs"]) for key, v in variants.items()}
    unfit = [name_of(*key) for key, ptau in phase1.items() if ptau is None]
    if not unfit:
        for key, variant in variants.items():
            variant["zkey"] = timing_zkey(variant["r1cs"], phase1[key])
        verifier_gas(variants, prove_all(variants, reps))
    else:
        skipped = (f"no phase 1 file in {os.path.relpath(PTAU_DIR, ROOT)} holds {', '.join(unfit)} (scripts/ceremony.sh "
                   "makes one): proving time and verify gas not measured, constraints only")
        print(f"metals growth: {skipped}", flush=True)
    rows = [{"circuit": circuit, "metals": metals, "constraints": v["constraints"], "public_inputs": v["public_inputs"],
             "prove_seconds": v.get("prove_seconds"),
             "prove_median": statistics.median(v["prove_seconds"]) if "prove_seconds" in v else None,
             "gas": v.get("gas"), "calldata_gas": v.get("calldata_gas")}
            for (circuit, metals), v in variants.items()]
    return {"rows": rows, "reps": reps, "skipped": skipped, "keys": TIMING_KEYS,
            "twin_check": "bench/metals_inputs.py gives the SDK twins' inputs at 3 metals",
            "seconds": time.perf_counter() - started}


# -- rendering -----------------------------------------------------------------------------------------

def _ratio(value: float | None, anchor: float | None) -> str:
    return f"{value / anchor:.2f}x" if value is not None and anchor else ""


def table(results: dict[str, Any]) -> str:
    """The figures, each with its ratio to the same circuit's 1-metal variant."""
    anchors = {row["circuit"]: row for row in results["rows"] if row["metals"] == 1}
    lines = [f"| circuit | metals | constraints | vs 1 metal | public inputs | proving (s, median of {results['reps']}) "
             "| vs 1 metal | verifyProof tx gas | vs 1 metal |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in results["rows"]:
        anchor = anchors[row["circuit"]]
        seconds = f"{row['prove_median']:.3f}" if row["prove_median"] is not None else "not measured"
        gas = f"{row['gas']:,}" if row["gas"] is not None else "not measured"
        lines.append(f"| {row['circuit']} | {row['metals']} | {row['constraints']:,} | "
                     f"{_ratio(row['constraints'], anchor['constraints'])} | {row['public_inputs']} | {seconds} | "
                     f"{_ratio(row['prove_median'], anchor['prove_median'])} | {gas} | "
                     f"{_ratio(row['gas'], anchor['gas'])} |")
    return "\n".join(lines) + "\n"


def section(results: dict[str, Any] | None) -> list[str]:
    """BENCHMARKS.md's part on the metals (nothing for a results file from before it)."""
    if not results:
        return []
    out = ["### With the metals a note carries (1, 2, 3)\n"]
    if "error" in results:
        return out + [f"Not measured in this run: {results['error']}\n"]
    out.append("`bench/metals_growth.py`: origin, the 4 x 4 note transform and the 15-slot pack batch, each compiled for 1, 2 and 3 "
               "metals (the shipped mains with the metals parameter changed, `--O2`, under `circuits/build/metals/`); "
               "the same jobs whatever the metals (a certified recycler's mint of black mass, a recycler's 4 -> 4 job on "
               "black mass, a pack maker's full batch of fifteen passports), inputs from `bench/metals_inputs.py`, which at 3 metals gives exactly "
               "the SDK twins' inputs (checked in the run). Proving: the SDK's worker, warm, median of "
               f"{results['reps']}. Gas: one transaction calling `verifyProof` of the variant's exported snarkjs "
               "verifier (project solc and settings) with a real proof, 21,000 base and calldata included; it varies "
               "only with the proof's zero bytes. The zkeys are " + results["keys"] + ".\n")
    if results.get("skipped"):
        out.append(f"Skipped: {results['skipped']}.\n")
    out.append(table(results))
    if not results.get("skipped"):
        out += ["\n![metals growth](bench/metals_growth.png)\n", "([SVG](bench/metals_growth.svg))\n"]
    inputs = {(row["circuit"], row["metals"]): row["public_inputs"] for row in results["rows"]}
    circuits = dict.fromkeys(circuit for circuit, _ in inputs)
    grows = [f"{circuit} {' -> '.join(str(inputs[(circuit, metals)]) for metals in METALS)}" for circuit in circuits
             if len({inputs[(circuit, metals)] for metals in METALS}) > 1]
    out.append("A metal adds a fixed block per note it touches: its four values in the values hash (Poseidon widens by "
               "four inputs), its range checks and kind check, and per circuit its own rules (origin: the certified "
               "share and the recycler's split; transform: conservation, the yield-loss bound and three floor "
               "proportions per output; pack batch: per slot the bits of its grams in the slots' decomposition and three "
               "share bounds, and 48 bits of the batch's claims). Verify gas grows only with the public inputs (6,150 "
               "gas of ECMUL and ECADD each, plus calldata): "
               + (f"with the metals only these change, for 1, 2, 3 metals: {'; '.join(grows)} (the pack batch's slots, "
                  "each a passport id and its grams per metal, fill more public words)" if grows
                  else "no circuit's change with the metals") + ".\n")
    return out


def plot(results: dict[str, Any] | None, out_dir: Path) -> list[Path]:
    """Constraints, proving time and verify gas against the metals, one line per circuit."""
    if not results or "rows" not in results or results.get("skipped"):
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(13, 4))
    panels = (("constraints", 1e3, "constraints (thousands)"), ("prove_median", 1, "proving, worker median (s)"),
              ("gas", 1e3, "verifyProof transaction (kgas)"))
    for axis, (field, scale, label) in zip(axes, panels):
        for circuit in CIRCUITS:
            rows = [row for row in results["rows"] if row["circuit"] == circuit]
            axis.plot([row["metals"] for row in rows], [row[field] / scale for row in rows], "o-", label=circuit)
        axis.set(title=label, xlabel="metals per note", xticks=list(METALS))
        axis.set_ylim(0, max(row[field] for row in results["rows"]) / scale * 1.15)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "metals_growth.png", out_dir / "metals_growth.svg"]
    for path in paths:
        figure.savefig(path, dpi=110, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(figure)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3, help="timed proofs per variant (after one warm-up)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--plot", type=Path, help="also draw metals_growth.png/.svg into this folder")
    arguments = parser.parse_args()
    if arguments.reps < 1:
        parser.error("--reps must be at least 1")
    results = measure(arguments.reps)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    if arguments.plot:
        plot(results, arguments.plot)
    print(table(results))
    print(f"({results['seconds']:.0f} s; {results['twin_check']}; {results['keys']})")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

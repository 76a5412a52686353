#!/usr/bin/env python3
"""Deletes each constraint of the circuits in turn and reports which test catches it.

For every constraint statement of every template the circuits of tests/circuits/attacker.py's
CIRCUITS instantiate (their own sources and circomlib's Num2Bits, IsZero and Poseidon; tests/circuits/
constraint_statements.py says what a deletion is), and for every circuit that instantiates it, this:

  1. copies the circuit sources (circuits/*.circom, circuits/lib/*.circom, circomlib's circuits) to a
     scratch folder under circuits/build/mutants/ and deletes that one constraint there;
  2. compiles the mutant as the ceremony does (--O2, plus the substitution record);
  3. runs that circuit's attacker tests (tests/circuits/test_attacks_<circuit>.py) with
     BATTERYTRACE_CIRCUIT_BUILD pointing at the mutant, and records which tests fail because the
     mutant accepts an attacker's witness (AttackAccepted).

A mutation survives when no test catches it; the script exits 1 if any survives (or a mutant does
not compile, or a test breaks for another reason), 0 when every deletion is caught. Before the
mutants, it checks the controls: the unmutated sources, and each file with anonymous components
spelled with named ones (as the mutants of anonymous bindings are), must compile to the committed
R1CS constraints and pass every attacker test.

    python scripts/mutate_constraints.py                       # everything (make mutate)
    python scripts/mutate_constraints.py --circuit custody     # one circuit
    python scripts/mutate_constraints.py --match FloorProportion --match CeilProportion
    python scripts/mutate_constraints.py --generator-tests     # also run test_<circuit>.py, the tests
                                                               # through the honest witness generator
Writes the table to circuits/build/mutants/report.md (and .json); --report moves it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.circuits import attacker
from tests.circuits.circom_outline import Outline
from tests.circuits.constraint_statements import Mutation, anonymous_calls, anonymous_rewrite, apply, mutations, statements

MUTANTS = ROOT / "circuits" / "build" / "mutants"
CIRCOMLIB = ROOT / "node_modules" / "circomlib" / "circuits"


@dataclass
class Outcome:
    mutation: str
    label: str
    circuit: str
    status: str = "pending"         # caught | survived | r1cs unchanged | compile error | broken
    caught_by: list[str] = field(default_factory=list)
    other_failures: list[str] = field(default_factory=list)
    generator_caught_by: list[str] | None = None
    seconds: float = 0.0


def mirror(destination: Path, replaced: Path | None = None, text: str | None = None) -> Path:
    """A copy of the sources circom reads, with `replaced` given the content `text`; returns the
    copy's library folder (for -l)."""
    circuits = destination / "circuits"
    (circuits / "lib").mkdir(parents=True)
    for path in [*(ROOT / "circuits").glob("*.circom"), *(ROOT / "circuits" / "lib").glob("*.circom")]:
        shutil.copy(path, circuits / path.relative_to(ROOT / "circuits"))
    library = destination / "node_modules"
    shutil.copytree(CIRCOMLIB, library / "circomlib" / "circuits")
    if replaced is not None:
        mirror_path(destination, replaced).write_text(text)
    return library


def mirror_matches(destination: Path, replaced: Path | None, text: str | None) -> bool:
    """Whether a mirror holds the sources as they are now, with `replaced` holding `text`."""
    originals = [*(ROOT / "circuits").glob("*.circom"), *(ROOT / "circuits" / "lib").glob("*.circom"),
                 *CIRCOMLIB.rglob("*.circom")]
    for original in originals:
        copy = mirror_path(destination, original)
        expected = text if replaced is not None and original.resolve() == replaced.resolve() else original.read_text()
        if not copy.exists() or copy.read_text() != expected:
            return False
    return True


def mirror_path(destination: Path, original: Path) -> Path:
    """Where the copy of a source file lies in a mirror."""
    original = original.resolve()
    if CIRCOMLIB in original.parents:
        return destination / "node_modules" / "circomlib" / "circuits" / original.relative_to(CIRCOMLIB)
    return destination / "circuits" / original.relative_to(ROOT / "circuits")


def compile_mutant(source_root: Path, library: Path, build: Path, circuit: str,
                   generator: bool) -> None:
    flags = attacker.TARGET_FLAGS + (("--wasm",) if generator else ())
    attacker.circom(source_root / "circuits" / f"{circuit}.circom", build / circuit, flags, library)


def run_tests(builds: list[Path], test_files: list[str], results: Path) -> tuple[dict[str, dict], str]:
    """Runs the test files once against every build in `builds`; returns, per build folder, what
    tests/circuits/attacker.py recorded ({"accepted": attack names, "honest_rejected": scenarios}),
    and pytest's tail (for failures the harness did not record)."""
    environment = {**os.environ, attacker.TARGET_ENVIRONMENT: os.pathsep.join(map(str, builds)),
                   "BATTERYTRACE_ATTACK_RESULTS": str(results)}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *test_files], check=False,
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=7200)
    recorded: dict[str, dict] = {}
    for report in results.glob("*.json"):
        data = json.loads(report.read_text())
        if data["build_errors"]:
            raise RuntimeError(f"attacks that do not build: {data['build_errors']}")
        for folder, verdict in data["targets"].items():
            recorded[str(Path(folder).parent)] = verdict
    return recorded, completed.stdout[-3000:]


def run_generator_tests(build: Path, circuit: str) -> list[str]:
    """The honest-generator tests of test_<circuit>.py that fail against one mutant (with wasm)."""
    environment = {**os.environ, attacker.TARGET_ENVIRONMENT: str(build)}
    junit = build / f"generator-{circuit}.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"tests/circuits/test_{circuit}.py", f"--junitxml={junit}"], check=False,
                   cwd=ROOT, env=environment, capture_output=True, text=True, timeout=1800)
    failed = []
    if junit.exists():
        for case in ElementTree.parse(junit).getroot().iter("testcase"):
            if case.findall("failure") or case.findall("error"):
                failed.append(case.get("name", ""))
    return failed


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def constraint_section(path: Path) -> bytes:
    """The constraints of an .r1cs (section 2), which a wire renumbering would change but a
    different order of labels would not."""
    data = path.read_bytes()
    (count,) = struct.unpack_from("<I", data, 8)
    offset = 12
    for _ in range(count):
        kind, size = struct.unpack_from("<IQ", data, offset)
        if kind == 2:
            return data[offset + 12:offset + 12 + size]
        offset += 12 + size
    raise ValueError(f"{path}: no constraint section")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--circuit", action="append", choices=attacker.CIRCUITS)
    parser.add_argument("--match", action="append", default=[],
                        help="only mutations whose description or label contains this text")
    parser.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--generator-tests", action="store_true",
                        help="also run test_<circuit>.py (cheating witnesses through the honest "
                             "generator) against each mutant")
    parser.add_argument("--report", type=Path, default=MUTANTS / "report.md")
    parser.add_argument("--keep", action="store_true", help="keep the mutants' folders")
    parser.add_argument("--run-folder", type=Path,
                        help="work in this folder, reusing the mutants a kept earlier run compiled there "
                             "(for the same sources and options)")
    arguments = parser.parse_args()
    circuits = arguments.circuit or list(attacker.CIRCUITS)
    started = time.time()

    attacker.builds()
    committed = {circuit: digest(attacker.committed_target_directory(circuit) / f"{circuit}.r1cs")
                 for circuit in circuits}
    run = arguments.run_folder or MUTANTS / time.strftime("run-%Y%m%d-%H%M%S")
    run.mkdir(parents=True, exist_ok=True)

    outlines = {c: Outline(ROOT / "circuits" / f"{c}.circom", [ROOT / "node_modules"]) for c in circuits}
    jobs: list[tuple[Mutation, str]] = []
    anonymous_files: dict[Path, set[str]] = {}
    for circuit in circuits:
        used = attacker.used_templates(circuit)
        for path in outlines[circuit].files:
            for statement in statements(path, used):
                if anonymous_calls(statement.text):
                    anonymous_files.setdefault(statement.file, set()).add(circuit)
                for mutation in mutations(statement, outlines[circuit]):
                    text = mutation.key(ROOT) + " " + mutation.label
                    if all(fragment in text for fragment in arguments.match):
                        jobs.append((mutation, circuit))
    print(f"{len(jobs)} mutations (mutation x circuit) to run with {arguments.jobs} jobs", flush=True)

    test_file = {c: f"tests/circuits/test_attacks_{c}.py" for c in circuits}

    # Controls: the sources as they are, and each file of anonymous calls spelled with named ones.
    # They must compile to the committed constraints and pass every test; otherwise a mutant's
    # failures would say nothing about its one deleted constraint.
    controls: list[tuple[str, Path | None, str]] = [(c, None, "") for c in circuits]
    for path, users in sorted(anonymous_files.items()):
        for circuit in sorted(users):
            controls.append((circuit, path, anonymous_rewrite(path, outlines[circuit])))

    def prepare(folder: Path, circuit: str, path: Path | None, text: str | None,
                generator: bool = False) -> Path:
        if ((folder / "build" / circuit / f"{circuit}_substitutions.json").exists()
                and mirror_matches(folder / "src", path, text if path else None)):
            return folder / "build"  # compiled by an earlier run from these very sources
        if (folder / "src").exists():
            shutil.rmtree(folder)
        library = mirror(folder / "src", path, text)
        compile_mutant(folder / "src", library, folder / "build", circuit, generator)
        return folder / "build"

    # 1. Controls, compiled: their constraints must be the committed ones.
    control_builds: dict[str, list[Path]] = {c: [] for c in circuits}
    problems = []

    def build_control(index: int, circuit: str, path: Path | None, text: str) -> None:
        build = prepare(run / f"control-{index}", circuit, path, text if path else None)
        r1cs = build / circuit / f"{circuit}.r1cs"
        original = attacker.committed_target_directory(circuit) / f"{circuit}.r1cs"
        if constraint_section(r1cs) != constraint_section(original):
            problems.append(f"control {circuit} {path}: the constraints differ from the committed R1CS")
        control_builds[circuit].append(build)

    with ThreadPoolExecutor(arguments.jobs) as pool:
        list(pool.map(lambda item: build_control(item[0], *item[1]), enumerate(controls)))

    # 2. Mutants, compiled.
    outcomes = [Outcome(mutation.key(ROOT), mutation.label, circuit) for mutation, circuit in jobs]
    mutant_builds: dict[int, Path] = {}

    def build_mutant(index: int) -> None:
        mutation, circuit = jobs[index]
        outcome = outcomes[index]
        began = time.time()
        try:
            build = prepare(run / f"{index:04d}-{circuit}", circuit, mutation.statement.file,
                            apply(mutation, outlines[circuit]), arguments.generator_tests)
        except RuntimeError as error:
            outcome.status = "compile error"
            outcome.other_failures = [str(error)[-800:]]
            return
        finally:
            outcome.seconds = time.time() - began
        if digest(build / circuit / f"{circuit}.r1cs") == committed[circuit]:
            outcome.status = "r1cs unchanged"
        else:
            mutant_builds[index] = build

    with ThreadPoolExecutor(arguments.jobs) as pool:
        list(pool.map(build_mutant, range(len(jobs))))
    compiled_at = time.time()
    print(f"compiled {len(controls)} controls and {len(jobs)} mutants in {compiled_at - started:.0f}s",
          flush=True)

    # 3. One test session per circuit, against its controls and all its mutants.
    for circuit in circuits:
        indices = [i for i in mutant_builds if jobs[i][1] == circuit]
        builds = control_builds[circuit] + [mutant_builds[i] for i in indices]
        results = run / f"results-{circuit}"
        began = time.time()
        recorded, tail = run_tests(builds, [test_file[circuit]], results)
        for build in control_builds[circuit]:
            verdict = recorded.get(str(build))
            if verdict is None or verdict["accepted"] or verdict["honest_rejected"] or verdict.get("error"):
                problems.append(f"control {build}: {verdict or tail}")
        for index in indices:
            outcome = outcomes[index]
            verdict = recorded.get(str(mutant_builds[index]))
            if verdict is None or verdict.get("error"):
                outcome.status = "broken"
                outcome.other_failures = [verdict["error"] if verdict else tail[-500:]]
                continue
            outcome.caught_by = [f"test_attacker_witness_is_rejected_by_the_committed_r1cs[{name}]"
                                 for name in verdict["accepted"]]
            if verdict["honest_rejected"]:
                outcome.other_failures = [f"honest witness rejected: {verdict['honest_rejected']}"]
            outcome.status = ("caught" if outcome.caught_by and not verdict["honest_rejected"]
                              else "broken" if verdict["honest_rejected"] else "survived")
            if arguments.generator_tests:
                outcome.generator_caught_by = run_generator_tests(mutant_builds[index], circuit)
        print(f"{circuit}: tested {len(indices)} mutants in {time.time() - began:.0f}s", flush=True)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if not arguments.keep:
        shutil.rmtree(run, ignore_errors=True)

    elapsed = time.time() - started
    failed = [o for o in outcomes if o.status != "caught"]
    lines = [
        "# Constraint mutation report",
        "",
        (f"{len(outcomes)} mutations (one deleted constraint statement x one circuit that instantiates "
         f"it); {len(outcomes) - len(failed)} caught, {len(failed)} not; {elapsed:.0f} s with "
         f"{arguments.jobs} jobs."),
        "",
        "| # | circuit | deleted | caught by (tests/circuits/test_attacks_<circuit>.py) |"
        + (" honest-generator tests failing |" if arguments.generator_tests else ""),
        "|---|---|---|---|" + ("---|" if arguments.generator_tests else ""),
    ]
    for number, outcome in enumerate(outcomes, 1):
        caught = "; ".join(test.split("::")[-1] for test in outcome.caught_by) or f"**{outcome.status}**"
        if outcome.other_failures:
            caught += f" (also failing otherwise: {'; '.join(outcome.other_failures)[:300]})"
        row = f"| {number} | {outcome.circuit} | {outcome.mutation.replace('|', '/')} | {caught.replace('|', '/')} |"
        if arguments.generator_tests:
            row += f" {'; '.join(t.split('::')[-1] for t in outcome.generator_caught_by or []) or 'none'} |"
        lines.append(row)
    arguments.report.parent.mkdir(parents=True, exist_ok=True)
    arguments.report.write_text("\n".join(lines) + "\n")
    arguments.report.with_suffix(".json").write_text(
        json.dumps([outcome.__dict__ for outcome in outcomes], indent=1))
    print(f"\n{len(outcomes) - len(failed)}/{len(outcomes)} caught in {elapsed:.0f}s; "
          f"report: {arguments.report}")
    for outcome in failed:
        print(f"NOT CAUGHT ({outcome.status}): {outcome.circuit} {outcome.mutation} "
              f"{outcome.other_failures[:1]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

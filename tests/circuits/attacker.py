"""Attacker-chosen witnesses, checked against the committed R1CS.

The cheating cases of test_origin.py and its siblings go through the honest witness generator, whose
`assert`s and `<--` hints stop a cheating value before the R1CS ever sees it; a constraint deleted
from the sources leaves them green. Here the attacker writes the witness:

  1. the honest generator computes every signal for an honest input (a build without simplification,
     --O0, where every signal is a wire: the *reference*);
  2. the attack overwrites chosen signals, public, private or internal (a remainder, a bit of a
     decomposition, an IsZero inverse) with values the honest generator never produces;
  3. everything computed from those signals is recomputed the way an attacker would, to keep every
     other constraint satisfied: each signal by the constraint that defines it (its `<==`), each hint
     (`<--`) by the generator's own formula, and a public commitment by the hash of the forged opening
     when the attack re-commits it (a *tie*);
  4. the witness is checked against the reference, where every source constraint is its own R1CS
     constraint: it must violate some constraint and only constraints that involve the signals the
     attack says it breaks, so it shows that *this* constraint, and no other, stops it;
  5. and against the *target*, the R1CS proofs are made for (--O2, byte-identical to the ceremony's,
     see test_attack_harness.py), which must reject it.

Deleting the broken constraint from the sources makes the target accept the witness (scripts/
mutate_constraints.py shows it for every constraint). BATTERYTRACE_CIRCUIT_BUILD=<dir> points the
target at another build (<dir>/<circuit>/<circuit>.r1cs, .sym and _substitutions.json), which is how
that script runs these tests against a mutant; the reference stays the one of the sources as they are.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .circom_outline import Outline, Template
from .r1cs import FIELD_MODULUS, CompiledCircuit, R1CSFile, Violation, canonical_names, evaluate, read_r1cs, read_sym

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CIRCUITS = ("custody", "origin", "note_transform")
TARGET_ENVIRONMENT = "BATTERYTRACE_CIRCUIT_BUILD"
CACHE = ROOT / "circuits" / "build" / "attacks"

# The ceremony's flags (scripts/ceremony.sh), plus the record of what --O2 substituted away, which
# does not change the .r1cs (test_attack_harness.py checks the hash).
TARGET_FLAGS = ("--O2", "--r1cs", "--sym", "--simplification_substitution")
REFERENCE_FLAGS = ("--O0", "--r1cs", "--wasm", "--sym")
P = FIELD_MODULUS


class AttackBuildError(Exception):
    """The attack itself is wrong (an impossible value, a constraint it breaks that it does not name);
    not a finding about the circuit."""


class AttackAccepted(AssertionError):
    """The target R1CS accepts an attacker's witness: a constraint that should stop it is missing."""


def circom(source: Path, output: Path, flags: tuple[str, ...], library: Path | None = None) -> None:
    """Compiles one circuit file with circom2 (the npm build, which wants paths relative to the
    working directory; it runs in the repository root)."""
    output.mkdir(parents=True, exist_ok=True)
    library = library or ROOT / "node_modules"
    command = ["npx", "--no-install", "circom2", os.path.relpath(source, ROOT), *flags,
               "-l", os.path.relpath(library, ROOT), "-o", os.path.relpath(output, ROOT)]
    completed = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError(f"circom failed on {source}:\n{completed.stdout[-3000:]}{completed.stderr[-2000:]}")


def _sources_digest() -> str:
    digest = hashlib.sha256()
    files: set[Path] = set()
    for circuit in CIRCUITS:
        files.update(Outline(ROOT / "circuits" / f"{circuit}.circom", [ROOT / "node_modules"]).files)
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(" ".join(TARGET_FLAGS + REFERENCE_FLAGS).encode())
    return digest.hexdigest()[:16]


@functools.cache
def builds() -> Path:
    """circuits/build/attacks/<digest of the sources>/{reference,target}/<circuit>/, compiled once
    per version of the sources (about 30 s on two cores), reused afterwards."""
    directory = CACHE / _sources_digest()
    if (directory / "complete").exists():
        return directory
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=CACHE))
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            compiles = [pool.submit(circom, ROOT / "circuits" / f"{circuit}.circom", staging / kind / circuit, flags)
                        for circuit in CIRCUITS
                        for kind, flags in (("reference", REFERENCE_FLAGS), ("target", TARGET_FLAGS))]
            for compiled in compiles:
                compiled.result()
        (staging / "complete").write_text("")
        try:
            staging.rename(directory)
        except OSError:  # another session finished the same build first
            shutil.rmtree(staging, ignore_errors=True)
        _prune(keep=directory)
        return directory
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _prune(keep: Path, newest: int = 3) -> None:
    """Keeps the few newest builds: other sessions may still read an older one."""
    done = sorted((path for path in CACHE.iterdir() if (path / "complete").exists() and path != keep),
                  key=lambda path: path.stat().st_mtime, reverse=True)
    for old in done[newest - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def committed_target_directory(circuit: str) -> Path:
    return builds() / "target" / circuit


def target_directories(circuit: str) -> list[Path]:
    """The builds the attacks are checked against: the committed one, or those that
    BATTERYTRACE_CIRCUIT_BUILD lists (several, separated by os.pathsep, when a mutation run checks
    many mutants in one session)."""
    override = os.environ.get(TARGET_ENVIRONMENT)
    if override:
        return [Path(folder) / circuit for folder in override.split(os.pathsep) if folder]
    return [committed_target_directory(circuit)]


def is_mutant_run() -> bool:
    return bool(os.environ.get(TARGET_ENVIRONMENT))


# --- the reference: every signal a wire, each defined by one constraint or one hint -----------------

def _inverse_or_zero(value: int) -> int:
    return pow(value, P - 2, P) if value % P else 0


def _bit(index: int, width: int) -> Callable[[int], int]:
    def bit(value: int) -> int:
        if value >= 1 << width:
            raise AttackBuildError(
                f"{_signed(value)} has no {width}-bit decomposition: the attack must choose the bits")
        return (value >> index) & 1
    return bit


def _floor_remainder(product: int, whole: int) -> int:
    if whole == 0:
        raise AttackBuildError("a remainder modulo 0")
    return product % whole


def _ceil_remainder(product: int, whole: int) -> int:
    if whole == 0:
        raise AttackBuildError("a remainder modulo 0")
    return (whole - product % whole) % whole


@dataclass(frozen=True)
class Hint:
    """How the honest generator computes a `<--` signal: a formula over other signals."""

    inputs: tuple[int, ...]
    formula: Callable[..., int]


class Reference:
    """The circuit compiled without simplification, from the sources as they are."""

    def __init__(self, directory: Path, circuit: str) -> None:
        self.circuit = circuit
        self.directory = Path(directory)
        self.r1cs: R1CSFile = read_r1cs(self.directory / f"{circuit}.r1cs")
        rows = read_sym(self.directory / f"{circuit}.sym")
        canonical = canonical_names(name for _label, _wire, name in rows)
        self.names = ["1"] * self.r1cs.wires
        for _label, wire, name in rows:
            if wire < 0:
                raise ValueError(f"{name} is substituted in a --O0 build")
            self.names[wire] = canonical[name]
        self.index = {name: wire for wire, name in enumerate(self.names)}
        self.outline = Outline(ROOT / "circuits" / f"{circuit}.circom", [ROOT / "node_modules"])
        self._templates: dict[str, Template] = {}
        self.constraints_of: list[list[int]] = [[] for _ in range(self.r1cs.wires)]
        for number, (a, b, c) in enumerate(self.r1cs.constraints):
            for wire in dict.fromkeys(wire for wire, _ in (*a, *b, *c)):
                self.constraints_of[wire].append(number)
        self.definitions: dict[int, tuple[int, int] | Hint] = {}
        self.dependencies: dict[int, tuple[int, ...]] = {}
        for wire in range(self.r1cs.inputs + 1, self.r1cs.wires):
            self._define(wire)
        self.dependents: list[list[int]] = [[] for _ in range(self.r1cs.wires)]
        for wire, dependencies in self.dependencies.items():
            for dependency in dependencies:
                self.dependents[dependency].append(wire)
        self._topological(set(self.dependencies), self.dependencies)  # refuses a cycle

    def _template_of(self, component: str) -> Template:
        if component not in self._templates:
            self._templates[component] = self.outline.template_of(component)
        return self._templates[component]

    @staticmethod
    def _component(name: str) -> str:
        return name.rsplit(".", 1)[0]

    def _define(self, wire: int) -> None:
        """Finds how the generator computes a signal. A `<--` signal: by its formula (`_hint`).
        Otherwise by the constraint its `<==` compiled to, which holds the signal alone on the C side
        (never in A or B): circom lists a component's constraints in statement order, a parent's
        before its children's, so that is the first such constraint mentioning the signal, except
        that for an output or intermediate signal of X the parent's uses come first and are skipped
        (they mention signals outside X and its children). test_attacks_*.py check the result
        recomputes the generator's witness exactly."""
        name = self.names[wire]
        component, signal = name.rsplit(".", 1)
        base = signal.split("[")[0]
        template = self._template_of(component)
        if base in template.hints:
            hint = self._hint(template.name, component, signal)
            self.definitions[wire] = hint
            self.dependencies[wire] = hint.inputs
            return
        kind = template.kind(base)
        for number in self.constraints_of[wire]:
            a, b, c = self.r1cs.constraints[number]
            if any(w == wire for w, _ in a) or any(w == wire for w, _ in b):
                continue
            coefficient = next((k for w, k in c if w == wire), 0)
            if coefficient == 0:
                continue
            others = {w for w, _ in (*a, *b, *c) if w not in (wire, 0)}
            if kind != "input" and any(
                    component not in (self._component(self.names[w]), self._component(self._component(self.names[w])))
                    for w in others):
                continue  # the parent's use of an output, not its definition
            inverse = coefficient if coefficient in (1, P - 1) else pow(coefficient, P - 2, P)
            self.definitions[wire] = (number, inverse)
            self.dependencies[wire] = tuple(sorted(others))
            return
        raise ValueError(f"{self.circuit}: no constraint defines {name}")

    def _hint(self, template: str, component: str, signal: str) -> Hint:
        def wire(local: str) -> int:
            return self.index[f"{component}.{local}"]
        if template == "Num2Bits" and signal.startswith("out["):
            width = 0
            while f"{component}.out[{width}]" in self.index:
                width += 1
            return Hint((wire("in"),), _bit(int(signal[4:-1]), width))
        if (template, signal) == ("IsZero", "inv"):
            return Hint((wire("in"),), _inverse_or_zero)
        if (template, signal) == ("AssertNonZeroWhen", "inverse"):
            return Hint((wire("in"), wire("enabled")),
                        lambda value, enabled: _inverse_or_zero(value) * enabled)
        if (template, signal) == ("AssertNonZeroIf", "inverse"):
            # The generator writes 1/in; an attacker who cleared `enabled` needs 0 (the same
            # value whenever the generator's witness holds).
            return Hint((wire("in"), wire("enabled")),
                        lambda value, enabled: _inverse_or_zero(value) * enabled)
        if (template, signal) == ("FloorProportion", "remainder"):
            return Hint((wire("product"), wire("whole")), _floor_remainder)
        if (template, signal) == ("CeilProportion", "remainder"):
            return Hint((wire("product"), wire("whole")), _ceil_remainder)
        if template == "OriginProof" and signal.startswith("split["):
            # A recycler's pre-consumer grams: grams[m] * recycledPreConsumerBps \ 10000.
            return Hint((wire(f"grams{signal[5:]}"), wire("recycledPreConsumerBps")),
                        lambda grams, bps: grams * bps // 10000)
        raise ValueError(f"no formula for the hint {template}.{signal}: add one to attacker.py")

    def _topological(self, members: set[int], dependencies: Mapping[int, tuple[int, ...]]) -> list[int]:
        order: list[int] = []
        state: dict[int, int] = {}
        for start in sorted(members):
            if start in state:
                continue
            stack = [(start, iter(dependencies.get(start, ())))]
            state[start] = 1
            while stack:
                node, pending = stack[-1]
                for dependency in pending:
                    if dependency in members:
                        seen = state.get(dependency)
                        if seen == 1:
                            raise ValueError(f"{self.circuit}: a cycle through {self.names[dependency]}")
                        if seen is None:
                            state[dependency] = 1
                            stack.append((dependency, iter(dependencies.get(dependency, ()))))
                            break
                else:
                    stack.pop()
                    state[node] = 2
                    order.append(node)
        return order

    def compute(self, wire: int, values: list[int]) -> int:
        definition = self.definitions[wire]
        if isinstance(definition, Hint):
            return definition.formula(*(values[w] for w in definition.inputs)) % P
        number, inverse = definition
        a, b, c = self.r1cs.constraints[number]
        rest = sum(k * values[w] for w, k in c if w != wire)
        return (evaluate(a, values) * evaluate(b, values) - rest) * inverse % P

    def recompute(self, values: list[int], fixed: Mapping[int, int], ties: Mapping[int, int],
                  everything: bool = False) -> list[int]:
        """`values` with `fixed` overwritten and everything computed from them (and every tie
        target from its source) computed again, in the order the generator would; with
        `everything`, every signal not fixed (for values that start from nothing)."""
        values = list(values)
        values[0] = 1
        for wire, value in fixed.items():
            values[wire] = value % P
        ties = {t: s for t, s in ties.items() if t not in fixed}
        tie_sources: dict[int, list[int]] = {}
        for tied, source in ties.items():
            tie_sources.setdefault(source, []).append(tied)
        cone: set[int] = set((*self.dependencies, *ties) if everything else ())
        cone.difference_update(fixed)
        frontier = [] if everything else list(fixed)
        while frontier:
            wire = frontier.pop()
            for next_wire in (*self.dependents[wire], *tie_sources.get(wire, ())):
                if next_wire not in cone and next_wire not in fixed:
                    cone.add(next_wire)
                    frontier.append(next_wire)
        dependencies = {wire: ((ties[wire],) if wire in ties else self.dependencies[wire])
                        for wire in cone}
        for wire in self._topological(cone, dependencies):
            values[wire] = values[ties[wire]] if wire in ties else self.compute(wire, values)
        return values

    def violations(self, values: list[int], wires: set[int] | None = None) -> list[Violation]:
        """The constraints `values` violates; only those that mention `wires` when given."""
        numbers = (range(len(self.r1cs.constraints)) if wires is None
                   else sorted({n for wire in wires for n in self.constraints_of[wire]}))
        found = []
        for number in numbers:
            a, b, c = self.r1cs.constraints[number]
            left = evaluate(a, values) * evaluate(b, values) % P
            right = evaluate(c, values)
            if left != right:
                involved = tuple(dict.fromkeys(self.names[w] for w, _ in (*a, *b, *c) if w))
                found.append(Violation(number, involved, f"A*B = {_signed(left)}, C = {_signed(right)}"))
        return found


@functools.cache
def reference(circuit: str) -> Reference:
    return Reference(builds() / "reference" / circuit, circuit)


def used_templates(circuit: str) -> set[str]:
    """The templates a circuit instantiates (every component of its signals, and main)."""
    found = reference(circuit)
    return {found.outline.main} | {found._template_of(name.rsplit(".", 1)[0]).name
                                   for name in found.names[1:]}


def constraint_labels(circuit: str) -> set[str]:
    """The label of every constraint deletion scripts/mutate_constraints.py makes in `circuit`: what
    the attacks of test_attacks_<circuit>.py must name, one attack at least each."""
    from .constraint_statements import mutations, statements
    found = reference(circuit)
    used = used_templates(circuit)
    return {mutation.label for path in found.outline.files for statement in statements(path, used)
            for mutation in mutations(statement, found.outline)}


def node(script: str, payload: object) -> object:
    completed = subprocess.run(["node", str(HERE / script)], input=json.dumps(payload),
                               capture_output=True, text=True, cwd=ROOT, check=False, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def _as_json(value: object) -> object:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value % P)
    if isinstance(value, (list, tuple)):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    return value


# --- attacks ---------------------------------------------------------------------------------------

Value = int | Callable[["Honest"], int]


@dataclass(frozen=True)
class Attack:
    """A witness the honest generator never writes.

    name:      the test id, saying what the attacker gets;
    breaks:    the constraint statement it violates, `file: template: statement`;
    scenario:  the honest input it starts from;
    changes:   signal -> value (or a function of the honest witness) the attacker writes, or one
               function of the honest witness returning that mapping;
    culprits:  signals of which every violated reference constraint must involve one: the attack
               breaks those constraints and no others (default: the changed signals);
    ties:      public signal -> signal it is recomputed from (default: the scenario's ties, e.g. a
               created note's commitment from the hash of its, possibly forged, values).
    """

    name: str
    breaks: str
    scenario: str
    changes: Mapping[str, Value] | Callable[[Honest], Mapping[str, int]]
    culprits: tuple[str, ...] = ()
    ties: Mapping[str, str] | None = None

    def __str__(self) -> str:
        return self.name


class Honest:
    """Read access, by signal name, to an honest witness (for attack values computed from it)."""

    def __init__(self, reference: Reference, values: list[int]) -> None:
        self._reference = reference
        self._values = values

    def __call__(self, name: str) -> int:
        return self._values[self._reference.index[name]]


class AttackLab:
    """One circuit's reference, honest witnesses, attacks, and their verdicts on the target(s).

    Every attack is built once; then each target is read in turn and every attack checked against
    it, only where the attack differs from its honest witness (which the target must accept: the
    rest of the witness is the honest one, so the rest of the constraints hold). With
    BATTERYTRACE_ATTACK_RESULTS=<dir>, the verdicts are also written to <dir>/<circuit>.json."""

    def __init__(self, circuit: str, scenarios: Mapping[str, Mapping[str, object]],
                 ties: Mapping[str, Mapping[str, str]], attacks: list[Attack]) -> None:
        self.circuit = circuit
        self.ties = ties
        self.attacks = {attack.name: attack for attack in attacks}
        if len(self.attacks) != len(attacks):
            raise ValueError(f"{circuit}: two attacks share a name")
        self.reference = reference(circuit)
        scenarios = {name: self._with_commitments(inputs, ties.get(name, {}))
                     for name, inputs in scenarios.items()}
        self.scenarios = scenarios
        wasm = self.reference.directory / f"{circuit}_js" / f"{circuit}.wasm"
        names = list(scenarios)
        results = node("full_witness.js", {"wasm": str(wasm),
                                           "inputs": [_as_json(scenarios[n]) for n in names]})
        self.honest: dict[str, list[int]] = {}
        for name, result in zip(names, results):
            if isinstance(result, dict):
                raise AttackBuildError(f"scenario {name} is not honest: {result['error']}")
            self.honest[name] = [int(value) for value in result]
            broken = self.reference.violations(self.honest[name])
            if broken:
                raise AttackBuildError(f"scenario {name}: the generator's witness fails {broken[0]}")
        self._verdicts: dict[str, list[tuple[Path, list[Violation]]] | Exception] | None = None
        self._honest_rejected: list[tuple[Path, str, Violation]] = []
        self._target_errors: dict[str, str] = {}

    def _with_commitments(self, inputs: Mapping[str, object],
                          ties: Mapping[str, str]) -> dict[str, object]:
        """The inputs with every tied public input left as None (a commitment) filled with what its
        tie computes from the other inputs: Poseidon, as the circuit's own constraints compute it."""
        roots: dict[int, int] = {}
        open_slots: list[tuple[int, list[object] | dict[str, object], object]] = []
        inputs = json.loads(json.dumps(inputs))  # a deep copy

        def walk(name: str, value: object, holder: object, key: object) -> None:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    walk(f"{name}[{index}]", item, value, index)
                return
            wire = self.wire(name)
            if value is None:
                open_slots.append((wire, holder, key))  # type: ignore[arg-type]
                value = 0
            roots[wire] = int(value)

        for key, value in inputs.items():
            walk(f"main.{key}", value, inputs, key)
        if not open_slots:
            return inputs
        tie_wires = {self.wire(t): self.wire(s) for t, s in ties.items()}
        fixed = {wire: value for wire, value in roots.items() if wire not in tie_wires}
        values = self.reference.recompute([0] * self.reference.r1cs.wires, fixed, tie_wires,
                                          everything=True)
        for wire, holder, key in open_slots:
            if wire not in tie_wires:
                raise AttackBuildError(f"{self.reference.names[wire]} is None but tied to nothing")
            holder[key] = values[wire]  # type: ignore[index]
        return inputs

    def wire(self, name: str) -> int:
        try:
            return self.reference.index[name]
        except KeyError:
            raise AttackBuildError(f"{self.circuit} has no signal {name}") from None

    def changes(self, attack: Attack) -> Mapping[str, Value]:
        if callable(attack.changes):
            return attack.changes(Honest(self.reference, self.honest[attack.scenario]))
        return attack.changes

    def witness(self, attack: Attack) -> list[int]:
        honest = self.honest[attack.scenario]
        view = Honest(self.reference, honest)
        fixed = {self.wire(name): (value(view) if callable(value) else value)
                 for name, value in self.changes(attack).items()}
        ties = attack.ties if attack.ties is not None else self.ties.get(attack.scenario, {})
        return self.reference.recompute(
            honest, fixed, {self.wire(t): self.wire(s) for t, s in ties.items()})

    def signals(self, values: list[int]) -> dict[str, int]:
        return dict(zip(self.reference.names, values))

    def build(self, attack: Attack) -> tuple[dict[str, int], list[Violation]]:
        """The attack's witness, as its differences from the honest one, after checking that in
        the sources it violates some constraint and only constraints involving its culprits."""
        values = self.witness(attack)
        honest = self.honest[attack.scenario]
        changed = {wire for wire, (new, old) in enumerate(zip(values, honest)) if new != old}
        culprits = set(attack.culprits or self.changes(attack))
        unknown = culprits - set(self.reference.index)
        if unknown:
            raise AttackBuildError(f"{attack.name}: no signals {sorted(unknown)}")
        violated = self.reference.violations(values, changed)
        if not violated:
            raise AttackBuildError(f"{attack.name}: the witness satisfies every constraint of the sources")
        stray = [v for v in violated if not culprits & set(v.signals)]
        if stray:
            raise AttackBuildError(
                f"{attack.name}: breaks constraints beyond {sorted(culprits)}:\n  "
                + "\n  ".join(map(str, stray[:5])))
        return {self.reference.names[wire]: values[wire] for wire in changed}, violated

    def verdicts(self) -> dict[str, list[tuple[Path, list[Violation]]] | Exception]:
        if self._verdicts is not None:
            return self._verdicts
        built: dict[str, tuple[dict[str, int], list[Violation]] | Exception] = {}
        for name, attack in self.attacks.items():
            try:
                built[name] = self.build(attack)
            except Exception as error:  # noqa: BLE001 - reported by the attack's own test
                built[name] = error
        verdicts: dict[str, list[tuple[Path, list[Violation]]] | Exception] = {
            name: (result if isinstance(result, Exception) else []) for name, result in built.items()}
        honest_signals = {scenario: self.signals(values) for scenario, values in self.honest.items()}
        for directory in target_directories(self.circuit):
            try:
                self._check_target(directory, built, honest_signals, verdicts)
            except Exception as error:  # noqa: BLE001 - one unreadable mutant must not stop the others
                self._target_errors[str(directory)] = f"{type(error).__name__}: {error}"
        self._verdicts = verdicts
        self._record(built)
        return verdicts

    def _check_target(self, directory: Path, built: Mapping[str, object],
                      honest_signals: Mapping[str, dict[str, int]],
                      verdicts: dict[str, list[tuple[Path, list[Violation]]] | Exception]) -> None:
        compiled = CompiledCircuit(directory, self.circuit)
        accepts_honest = {}
        for scenario, signals in honest_signals.items():
            rejected = compiled.check(signals)
            accepts_honest[scenario] = not rejected
            self._honest_rejected.extend((directory, scenario, v) for v in rejected[:1])
        for name, result in built.items():
            if isinstance(result, Exception):
                continue
            changes, _ = result  # type: ignore[misc]
            scenario = self.attacks[name].scenario
            if accepts_honest[scenario]:
                found = compiled.check_changes(honest_signals[scenario], changes, first=True)
            else:
                found = compiled.check({**honest_signals[scenario], **changes})
            verdicts[name].append((directory, found))  # type: ignore[union-attr]

    def _record(self, built: Mapping[str, object]) -> None:
        folder = os.environ.get("BATTERYTRACE_ATTACK_RESULTS")
        if not folder:
            return
        targets: dict[str, dict[str, object]] = {
            str(directory): {"accepted": [], "honest_rejected": [],
                             "error": self._target_errors.get(str(directory))}
            for directory in target_directories(self.circuit)}
        for name, verdict in self._verdicts.items():  # type: ignore[union-attr]
            if isinstance(verdict, Exception):
                continue
            for directory, found in verdict:
                if not found:
                    targets[str(directory)]["accepted"].append(name)
        for directory, scenario, _violation in self._honest_rejected:
            targets[str(directory)]["honest_rejected"].append(scenario)
        report = {"circuit": self.circuit, "targets": targets,
                  "build_errors": {name: str(result) for name, result in built.items()
                                   if isinstance(result, Exception)}}
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{self.circuit}.json").write_text(json.dumps(report, indent=1))

    def assert_reproduces_the_generator(self) -> None:
        """Recomputing every signal from the inputs, by the defining constraints and the hint
        formulas, gives the generator's witness: the harness computes what the generator would."""
        for scenario, values in self.honest.items():
            roots = {wire: values[wire] for wire in range(1, self.reference.r1cs.inputs + 1)}
            again = self.reference.recompute([0] * len(values), roots, {}, everything=True)
            differing = [self.reference.names[w] for w, (a, b) in enumerate(zip(again, values)) if a != b]
            assert not differing, f"{scenario}: the harness computes other values for {differing[:5]}"

    def assert_names(self, labels: set[str]) -> None:
        """Every constraint deletion of the circuit (`labels`) is named by an attack, and every
        attack names one."""
        named = {attack.breaks for attack in self.attacks.values()}
        missing, stale = sorted(labels - named), sorted(named - labels)
        assert not missing, "constraint statements without an attack:\n  " + "\n  ".join(missing)
        assert not stale, "attacks naming no constraint statement:\n  " + "\n  ".join(stale)

    def assert_honest_accepted(self) -> None:
        self.verdicts()
        assert not self._target_errors, f"unreadable targets: {self._target_errors}"
        assert not self._honest_rejected, "\n".join(
            f"{directory}: honest {scenario} rejected: {violation}"
            for directory, scenario, violation in self._honest_rejected[:5])

    def assert_rejected(self, attack: Attack) -> None:
        """The attack breaks in the sources exactly the constraints it names, and every target
        rejects it."""
        verdict = self.verdicts()[attack.name]
        if isinstance(verdict, Exception):
            raise verdict
        accepted = [directory for directory, found in verdict if not found]
        if accepted:
            _, violated = self.build(attack)
            raise AttackAccepted(
                f"ATTACK ACCEPTED by {', '.join(map(str, accepted[:3]))}"
                f"{' and others' if len(accepted) > 3 else ''}: {attack.name} "
                f"(breaks {attack.breaks}); in the sources it violates:\n  "
                + "\n  ".join(map(str, violated[:5])))


def _signed(value: int) -> str:
    value %= P
    if value > P // 2 and P - value < 1 << 80:
        return f"-{P - value}"
    return str(value) if value < 1 << 80 else hex(value)


def plus(name: str, delta: int) -> Callable[[Honest], int]:
    """The honest value of `name`, moved by delta (mod p, so -1 is p - 1)."""
    return lambda honest: honest(name) + delta


# --- attacks every circuit needs, on the notes it hashes --------------------------------------------

POSEIDON = "circomlib/circuits/poseidon.circom "
# Each constraint statement of circomlib's Poseidon(7), with one signal it constrains (relative to
# the Poseidon component): the attack gives that signal another value and recomputes the rest of the
# permutation from it, so the commitment is no longer the Poseidon hash of the note.
POSEIDON_SIGNALS = {
    "Sigma: in2 <== in*in;": "pEx.sigmaF[0][0].in2",
    "Sigma: in4 <== in2*in2;": "pEx.sigmaF[0][0].in4",
    "Sigma: out <== in4*in;": "pEx.sigmaP[0].out",
    "Ark: out[i] <== in[i] + C[i + r];": "pEx.ark[0].out[0]",
    "Mix: out[i] <== lc;": "pEx.mix[0].out[1]",
    "MixLast: out <== lc;": "pEx.mixLast[0].out",
    "MixS: out[0] <== lc;": "pEx.mixS[0].out[0]",
    "MixS: out[i] <== in[i] + in[0] * S[(t*2-1)*r + t + i -1];": "pEx.mixS[0].out[1]",
    "PoseidonEx: ark[0].in[j] <== inputs[j-1];": "pEx.ark[0].in[1]",
    "PoseidonEx: ark[0].in[j] <== initialState;": "pEx.ark[0].in[0]",
    "PoseidonEx: sigmaF[r][j].in <== ark[0].out[j];": "pEx.sigmaF[0][0].in",
    "PoseidonEx: sigmaF[r][j].in <== mix[r-1].out[j];": "pEx.sigmaF[1][0].in",
    "PoseidonEx: ark[r+1].in[j] <== sigmaF[r][j].out;": "pEx.ark[1].in[0]",
    "PoseidonEx: mix[r].in[j] <== ark[r+1].out[j];": "pEx.mix[0].in[0]",
    "PoseidonEx: sigmaF[nRoundsF\\2-1][j].in <== mix[nRoundsF\\2-2].out[j];": "pEx.sigmaF[3][0].in",
    "PoseidonEx: ark[nRoundsF\\2].in[j] <== sigmaF[nRoundsF\\2-1][j].out;": "pEx.ark[4].in[0]",
    "PoseidonEx: mix[nRoundsF\\2-1].in[j] <== ark[nRoundsF\\2].out[j];": "pEx.mix[3].in[0]",
    "PoseidonEx: sigmaP[r].in <== mix[nRoundsF\\2-1].out[0];": "pEx.sigmaP[0].in",
    "PoseidonEx: sigmaP[r].in <== mixS[r-1].out[0];": "pEx.sigmaP[1].in",
    "PoseidonEx: mixS[r].in[j] <== sigmaP[r].out + C[(nRoundsF\\2+1)*t + r];": "pEx.mixS[0].in[0]",
    "PoseidonEx: mixS[r].in[j] <== mix[nRoundsF\\2-1].out[j];": "pEx.mixS[0].in[1]",
    "PoseidonEx: mixS[r].in[j] <== mixS[r-1].out[j];": "pEx.mixS[1].in[1]",
    "PoseidonEx: sigmaF[nRoundsF\\2 + r][j].in <== mixS[nRoundsP-1].out[j];": "pEx.sigmaF[4][0].in",
    "PoseidonEx: sigmaF[nRoundsF\\2 + r][j].in <== mix[nRoundsF\\2+r-1].out[j];": "pEx.sigmaF[5][0].in",
    "PoseidonEx: ark[nRoundsF\\2 + r + 1].in[j] <== sigmaF[nRoundsF\\2 + r][j].out;": "pEx.ark[5].in[0]",
    "PoseidonEx: mix[nRoundsF\\2 + r].in[j] <== ark[nRoundsF\\2 + r + 1].out[j];": "pEx.mix[4].in[0]",
    "PoseidonEx: sigmaF[nRoundsF-1][j].in <== mix[nRoundsF-2].out[j];": "pEx.sigmaF[7][0].in",
    "PoseidonEx: mixLast[i].in[j] <== sigmaF[nRoundsF-1][j].out;": "pEx.mixLast[0].in[0]",
    "PoseidonEx: out[i] <== mixLast[i].out;": "pEx.out[0]",
    "Poseidon: pEx.initialState <== 0;": "pEx.initialState",
    "Poseidon: pEx.inputs[i] <== inputs[i];": "pEx.inputs[0]",
    "Poseidon: out <== pEx.out[0];": "out",
}


def poseidon_attacks(hash_component: str, scenario: str) -> list[Attack]:
    """One attack per constraint statement of Poseidon(7), inside the commitment hash of one note."""
    return [Attack(f"{hash_component}: {signal} is not what the permutation computes",
                   POSEIDON + statement, scenario,
                   {f"{hash_component}.{signal}": plus(f"{hash_component}.{signal}", 1)})
            for statement, signal in POSEIDON_SIGNALS.items()]

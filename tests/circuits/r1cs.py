"""The compiled constraint systems, read in Python, and the check of an arbitrary witness against them.

A witness here is an assignment of every *signal* (every label of the .sym file) of a circuit, chosen
by the test. circom --O2 keeps only some signals as wires of the R1CS; it substitutes the others
away through the linear constraints that defined them, and records each substitution when asked
(--simplification_substitution). `CompiledCircuit.check` therefore checks two things, which together
are exactly what the compiled circuit lets a prover do:

  - every R1CS constraint A.w * B.w = C.w (mod p), over the wires taken from the assignment;
  - every substituted signal equals what its substitution makes of the wires: a prover has no wire
    for it, so a value the assignment claims for it and that differs is a value no proof can carry.

Linear combinations are sparse lists of (wire, coefficient) with plain Python ints; the parse is
cached per path, so a session reads each file once.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617

LinearCombination = tuple[tuple[int, int], ...]
Constraint = tuple[LinearCombination, LinearCombination, LinearCombination]

# circom names an anonymous component after its template, the line and the character offset of the
# call: `Num2Bits_80_2637`. A comment edited above the call renames it, so tests never spell it.
ANONYMOUS_COMPONENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*?)_(\d+)_(\d+)$")


def evaluate(combination: LinearCombination, values: Sequence[int]) -> int:
    """A linear combination of wires at the given wire values, reduced mod p."""
    return sum([coefficient * values[wire] for wire, coefficient in combination]) % FIELD_MODULUS


@dataclass(frozen=True)
class R1CSFile:
    """The parts of an iden3 .r1cs file the checks need."""

    prime: int
    wires: int
    public_outputs: int
    public_inputs: int
    private_inputs: int
    labels: int
    constraints: tuple[Constraint, ...]

    @property
    def inputs(self) -> int:
        """Wires 1..inputs are main's outputs, then its public and private inputs."""
        return self.public_outputs + self.public_inputs + self.private_inputs


def read_r1cs(path: Path) -> R1CSFile:
    data = Path(path).read_bytes()
    if data[:4] != b"r1cs":
        raise ValueError(f"{path} is not an r1cs file")
    (section_count,) = struct.unpack_from("<I", data, 8)
    sections: dict[int, int] = {}
    offset = 12
    for _ in range(section_count):
        kind, size = struct.unpack_from("<IQ", data, offset)
        sections[kind] = offset + 12
        offset += 12 + size
    header = sections[1]
    (field_size,) = struct.unpack_from("<I", data, header)
    prime = int.from_bytes(data[header + 4:header + 4 + field_size], "little")
    wires, outputs, public, private, labels, count = struct.unpack_from(
        "<IIIIQI", data, header + 4 + field_size)
    cursor = sections[2]
    term = struct.Struct("<I")
    from_bytes = int.from_bytes
    constraints = []
    for _ in range(count):
        combinations = []
        for _ in range(3):
            (terms,) = term.unpack_from(data, cursor)
            cursor += 4
            combination = []
            for _ in range(terms):
                (wire,) = term.unpack_from(data, cursor)
                combination.append((wire, from_bytes(data[cursor + 4:cursor + 4 + field_size], "little")))
                cursor += 4 + field_size
            combinations.append(tuple(combination))
        constraints.append(tuple(combinations))
    return R1CSFile(prime, wires, outputs, public, private, labels, tuple(constraints))


def read_sym(path: Path) -> tuple[tuple[int, int, str], ...]:
    """(label id, wire id or -1 when substituted away, signal name) for every signal."""
    rows = []
    for line in Path(path).read_text().splitlines():
        label, wire, _component, name = line.split(",", 3)
        rows.append((int(label), int(wire), name))
    return tuple(rows)


def canonical_names(names: Iterable[str]) -> dict[str, str]:
    """Maps each signal name to one in which every anonymous component `T_line_offset` reads `T#k`,
    the k-th anonymous T under the same parent in source order: stable when comments move code."""
    names = list(names)
    anonymous: dict[tuple[str, str], set[tuple[int, int, str]]] = {}
    for name in names:
        parts = name.split(".")
        for depth in range(1, len(parts) - 1):
            match = ANONYMOUS_COMPONENT.match(parts[depth])
            if match:
                parent = ".".join(parts[:depth])
                anonymous.setdefault((parent, match.group(1)), set()).add(
                    (int(match.group(2)), int(match.group(3)), parts[depth]))
    renames: dict[tuple[str, str], str] = {}
    for (parent, template), calls in anonymous.items():
        for index, (_line, _offset, spelled) in enumerate(sorted(calls)):
            renames[(parent, spelled)] = f"{template}#{index}"
    if not renames:
        return {name: name for name in names}
    result = {}
    for name in names:
        parts = name.split(".")
        for depth in range(1, len(parts) - 1):
            renamed = renames.get((".".join(parts[:depth]), parts[depth]))
            if renamed is not None:
                parts[depth] = renamed
        result[name] = ".".join(parts)
    return result


@dataclass(frozen=True)
class Violation:
    """One way a witness fails: an R1CS constraint (index >= 0), or a substituted signal (-1)."""

    constraint: int
    signals: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        where = f"constraint {self.constraint}" if self.constraint >= 0 else "substituted signal"
        shown = ", ".join(self.signals[:6]) + (", ..." if len(self.signals) > 6 else "")
        return f"{where} [{shown}]: {self.detail}"


class CompiledCircuit:
    """A circuit as compiled for its proofs (--O2): its R1CS, its signal map and its substitutions."""

    def __init__(self, directory: Path, circuit: str) -> None:
        self.directory = Path(directory)
        self.circuit = circuit
        self.r1cs_path = self.directory / f"{circuit}.r1cs"
        self.r1cs = read_r1cs(self.r1cs_path)
        rows = read_sym(self.directory / f"{circuit}.sym")
        canonical = canonical_names(name for _label, _wire, name in rows)
        self.label_names = {label: canonical[name] for label, _wire, name in rows}
        self.label_wires = {label: wire for label, wire, _name in rows}
        self.wire_names = {wire: canonical[name] for _label, wire, name in rows if wire >= 0}
        self.wire_names[0] = "1"
        substitutions = json.loads(
            (self.directory / f"{circuit}_substitutions.json").read_text())
        self.substitutions = {
            int(label): tuple((int(other), int(coefficient)) for other, coefficient in terms.items())
            for label, terms in substitutions.items()
        }
        # A signal no constraint mentions is dropped without a substitution, and so is, in effect, a
        # substituted signal whose substitution names a dropped one: no value of either matters.
        dropped = {label for label, wire in self.label_wires.items()
                   if wire < 0 and label not in self.substitutions}
        grown = True
        while grown:
            grown = False
            for label, terms in self.substitutions.items():
                if label not in dropped and any(other in dropped for other, _ in terms):
                    dropped.add(label)
                    grown = True
        for label in dropped:
            self.substitutions.pop(label, None)
        self.unconstrained = {self.label_names[label] for label in dropped}
        self.label_index = {name: label for label, name in self.label_names.items()}
        self._base_key: int | None = None
        self._base_wires: list[int] = []
        self.constraints_of: dict[int, list[int]] = {}
        for number, (a, b, c) in enumerate(self.r1cs.constraints):
            for wire in {wire for wire, _ in (*a, *b, *c)}:
                self.constraints_of.setdefault(wire, []).append(number)
        # Substitutions may name other substituted signals: they are evaluated in an order where
        # those come first, and, per signal, the substituted signals that name it are known.
        self.named_by: dict[int, list[int]] = {}
        for label, terms in self.substitutions.items():
            for other, _ in terms:
                self.named_by.setdefault(other, []).append(label)
        self.substitution_order: list[int] = []
        state: set[int] = set()
        for first in self.substitutions:
            if first in state:
                continue
            state.add(first)
            stack = [(first, iter(self.substitutions[first]))]
            while stack:
                label, pending = stack[-1]
                for other, _ in pending:
                    if other in self.substitutions and other not in state:
                        state.add(other)
                        stack.append((other, iter(self.substitutions[other])))
                        break
                else:
                    stack.pop()
                    self.substitution_order.append(label)
        self.substitution_rank = {label: rank for rank, label in enumerate(self.substitution_order)}

    @property
    def names(self) -> set[str]:
        return set(self.label_names.values())

    def _wires(self, signals: Mapping[str, int]) -> list[int]:
        wires = [0] * self.r1cs.wires
        wires[0] = 1
        missing = []
        for label, wire in self.label_wires.items():
            if wire >= 0:
                name = self.label_names[label]
                if name not in signals:
                    missing.append(name)
                else:
                    wires[wire] = signals[name] % FIELD_MODULUS
        if missing:
            raise KeyError(f"the witness gives no value to {len(missing)} signals: {missing[:5]}")
        return wires

    def check(self, signals: Mapping[str, int]) -> list[Violation]:
        """Every way the assignment `signals` (canonical name -> value, every signal of this circuit)
        fails the compiled circuit; empty when a prover could prove exactly this assignment."""
        wires = self._wires(signals)
        return (self._substitution_violations(signals, signals, wires, self.substitution_order, {})
                + self._constraint_violations(wires, range(len(self.r1cs.constraints))))

    def check_changes(self, base: Mapping[str, int], changes: Mapping[str, int],
                      first: bool = False) -> list[Violation]:
        """`check` of `base` with `changes` applied, for a `base` this circuit accepts: only what the
        changes reach can fail, so only that is evaluated (and only up to the first failure, with
        `first`)."""
        key = id(base)
        if self._base_key != key:
            self._base_key, self._base_wires = key, self._wires(base)
        wires = list(self._base_wires)
        changed_wires = set()
        reached = set()
        frontier = []
        for name, value in changes.items():
            label = self.label_index.get(name)
            if label is None:
                continue  # a signal the mutant no longer has
            wire = self.label_wires[label]
            if wire >= 0:
                value %= FIELD_MODULUS
                if value != wires[wire]:
                    wires[wire] = value
                    changed_wires.add(wire)
                    frontier.append(label)
            elif label in self.substitutions:
                reached.add(label)
        while frontier:
            for named in self.named_by.get(frontier.pop(), ()):
                if named not in reached:
                    reached.add(named)
                    frontier.append(named)
        order = sorted(reached, key=self.substitution_rank.__getitem__)
        found = self._substitution_violations(changes, base, wires, order, base, first)
        if found and first:
            return found
        numbers = sorted({number for wire in changed_wires for number in self.constraints_of.get(wire, ())})
        return found + self._constraint_violations(wires, numbers, first)

    def _substitution_violations(self, signals: Mapping[str, int], fallback: Mapping[str, int],
                                 wires: list[int], order: Iterable[int],
                                 unchanged: Mapping[str, int], first: bool = False) -> list[Violation]:
        """Each substituted signal of `order` whose claimed value (in `signals`, else in `fallback`)
        differs from what its substitution makes of the wires and of the substituted signals it
        names (those outside `order` keep their value in `unchanged`)."""
        forced: dict[int, int] = {}
        violations = []
        names = self.label_names
        for label in order:
            total = 0
            for other, coefficient in self.substitutions[label]:
                if other == 0:
                    total += coefficient
                    continue
                wire = self.label_wires[other]
                if wire >= 0:
                    total += coefficient * wires[wire]
                elif other in forced:
                    total += coefficient * forced[other]
                else:
                    total += coefficient * unchanged[names[other]]
            total %= FIELD_MODULUS
            forced[label] = total
            name = names[label]
            claimed = (signals[name] if name in signals else fallback[name]) % FIELD_MODULUS
            if total != claimed:
                terms = tuple(names.get(other, "1") for other, _ in self.substitutions[label])
                violations.append(Violation(-1, (name, *terms), (
                    f"{name} has no wire of its own: the circuit makes it {_short(total)}, "
                    f"the witness claims {_short(claimed)}")))
                if first:
                    break
        return violations

    def _constraint_violations(self, wires: list[int], numbers: Iterable[int],
                               first: bool = False) -> list[Violation]:
        violations = []
        for number in numbers:
            a, b, c = self.r1cs.constraints[number]
            left = evaluate(a, wires) * evaluate(b, wires) % FIELD_MODULUS
            right = evaluate(c, wires)
            if left != right:
                involved = tuple(dict.fromkeys(
                    self.wire_names.get(wire, f"wire {wire}") for wire, _ in (*a, *b, *c) if wire))
                violations.append(Violation(number, involved,
                                            f"A*B = {_short(left)}, C = {_short(right)}"))
                if first:
                    break
        return violations


def _short(value: int) -> str:
    """A field element as a small signed integer when it is one (p - 3 reads -3)."""
    if value > FIELD_MODULUS // 2:
        return f"-{FIELD_MODULUS - value}" if FIELD_MODULUS - value < 1 << 80 else hex(value)
    return str(value) if value < 1 << 80 else hex(value)

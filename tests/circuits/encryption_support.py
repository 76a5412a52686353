"""Builds and witnesses for the view-key encryption tests (circuits/lib/encryption.circom).

The template is a library piece, not a shipped circuit: its test mains (tests/circuits/mains/) are
compiled here, into circuits/build/encryption/<digest of the sources>/, once per version of the
sources. The targets are built as proofs would be (--O2); three helpers without simplification (--O0,
every signal a wire) compute, for values the whole circuit's generator refuses, the parts an attacker
needs to keep consistent: EscalarMulFix, EscalarMulAny and the keystream.

A forged witness is an assignment of signal names to values (`Witness`); it is checked against a
target's R1CS twice, by the project's reader (tests/circuits/r1cs.py) and by snarkjs `wtns check` on a
.wtns file written here, never by the witness generator (whose asserts would stop it first).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from batterytrace.zk import babyjub

from .r1cs import FIELD_MODULUS, evaluate, read_r1cs, read_sym

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MAINS = HERE / "mains"
CACHE = ROOT / "circuits" / "build" / "encryption"
TARGET_FLAGS = ("--O2", "--r1cs", "--wasm", "--sym")
HELPER_FLAGS = ("--O0", "--r1cs", "--wasm", "--sym")
#: main file stem -> flags; the targets are ViewKeyCiphertext(n) for n = 7, 13, 21.
BUILDS = {
    "encryption_7": TARGET_FLAGS,
    "encryption_13": TARGET_FLAGS,
    "encryption_21": TARGET_FLAGS,
    "encryption_widths": TARGET_FLAGS,
    "encryption_mul_fix": HELPER_FLAGS,
    "encryption_mul_any": HELPER_FLAGS,
    "encryption_keystream_7": HELPER_FLAGS,
}
_INCLUDE = re.compile(r'include\s+"([^"]+)"\s*;')


def _sources(main: Path) -> list[Path]:
    """The main file and every file it includes, transitively (relative to the including file, then
    to node_modules, as circom resolves them)."""
    found: list[Path] = []
    pending = [main.resolve()]
    while pending:
        path = pending.pop()
        if path in found:
            continue
        found.append(path)
        for name in _INCLUDE.findall(path.read_text()):
            for candidate in (path.parent / name, ROOT / "node_modules" / name):
                if candidate.exists():
                    pending.append(candidate.resolve())
                    break
            else:
                raise FileNotFoundError(f"{path} includes {name}, found nowhere")
    return found


def _digest() -> str:
    digest = hashlib.sha256()
    for stem, flags in sorted(BUILDS.items()):
        digest.update(stem.encode() + b"\0" + " ".join(flags).encode() + b"\0")
        for path in sorted(_sources(MAINS / f"{stem}.circom")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _compile(stem: str, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    # circom2 (npm, under WASI) wants paths relative to the working directory.
    command = ["npx", "--no-install", "circom2", os.path.relpath(MAINS / f"{stem}.circom", ROOT), *BUILDS[stem],
               "-l", "node_modules", "-o", os.path.relpath(output, ROOT)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"circom failed on {stem}:\n{completed.stdout[-3000:]}{completed.stderr[-2000:]}")


@cache
def build_directory() -> Path:
    """circuits/build/encryption/<digest>/<main>/, compiled once per version of the sources."""
    directory = CACHE / _digest()
    if (directory / "complete").exists():
        return directory
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=CACHE))
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for job in [pool.submit(_compile, stem, staging / stem) for stem in BUILDS]:
                job.result()
        (staging / "complete").write_text("")
        try:
            staging.rename(directory)
        except OSError:  # another run finished the same build first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in CACHE.iterdir():
        if old != directory and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return directory


def node(script: str, payload: object) -> object:
    completed = subprocess.run(["node", str(HERE / script)], input=json.dumps(payload), capture_output=True,
                               text=True, cwd=ROOT, env=dict(os.environ, NODE_PATH=str(ROOT / "node_modules")),
                               timeout=300, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def as_json(value: object) -> object:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    return value


Witness = dict[str, int]


@dataclass(frozen=True)
class Outcome:
    """What the witness generator and snarkjs made of one input."""

    stage: str  # "accepted", or where it stopped: "calculate" (an assert) or "check" (the R1CS)
    error: str | None
    public_signals: list[int] | None

    @property
    def accepted(self) -> bool:
        return self.stage == "accepted"


@dataclass(frozen=True)
class Violation:
    constraint: int
    signals: tuple[str, ...]


class Build:
    """One compiled main: its R1CS, its wires by signal name, its witness generator."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.directory = build_directory() / stem
        self.r1cs_path = self.directory / f"{stem}.r1cs"
        self.wasm = self.directory / f"{stem}_js" / f"{stem}.wasm"

    @cached_property
    def r1cs(self):
        return read_r1cs(self.r1cs_path)

    @cached_property
    def names_of_wire(self) -> dict[int, tuple[str, ...]]:
        """The signal names each wire carries (wire 0 is the constant 1; a signal circom substituted
        away has no wire and no entry)."""
        names: dict[int, list[str]] = {0: ["1"]}
        for _label, wire, name in read_sym(self.directory / f"{self.stem}.sym"):
            if wire >= 0:
                names.setdefault(wire, []).append(name)
        return {wire: tuple(group) for wire, group in names.items()}

    def wire(self, name: str) -> int:
        return next(wire for wire, names in self.names_of_wire.items() if name in names)

    def evaluate(self, inputs: list[dict[str, object]]) -> list[Outcome]:
        """`wtns calculate` then `wtns check` for each input (tests/circuits/witness.js)."""
        results = node("witness.js", {"wasm": str(self.wasm), "r1cs": str(self.r1cs_path), "inputs": as_json(inputs)})
        return [Outcome(r["stage"], r["error"],
                        [int(s) for s in r["publicSignals"]] if r["publicSignals"] is not None else None)
                for r in results]

    def witnesses(self, inputs: list[dict[str, object]]) -> list[Witness]:
        """The generator's witness of each (honest) input, by signal name."""
        results = node("full_witness.js", {"wasm": str(self.wasm), "inputs": as_json(inputs)})
        witnesses = []
        for result in results:
            refused = result.get("error") if isinstance(result, dict) else None
            if refused is not None:
                raise RuntimeError(f"{self.stem} refuses an input meant to be honest: {refused}")
            witnesses.append({name: int(result[wire]) for wire, names in self.names_of_wire.items() for name in names})
        return witnesses

    def wires(self, witness: Witness) -> list[int]:
        """The witness as the prover hands it over: one value per wire. Names of one wire must agree."""
        wires = [1] * self.r1cs.wires
        for wire in range(1, self.r1cs.wires):
            values = {witness[name] % FIELD_MODULUS for name in self.names_of_wire[wire] if name in witness}
            if len(values) != 1:
                raise KeyError(f"wire {wire} {self.names_of_wire[wire]} gets {len(values)} values from the witness")
            wires[wire] = values.pop()
        return wires

    def forge(self, base: Witness, *layers: Witness) -> Witness:
        """`base` with the layers' values written over it, later layers winning; a value given for one
        name of a wire goes to all its names (a layer that gives two names of one wire two values is
        an error in the attack, not a finding)."""
        forged = dict(base)
        for layer in layers:
            forged.update(layer)
            for names in self.names_of_wire.values():
                given = {layer[name] % FIELD_MODULUS for name in names if name in layer}
                if len(given) > 1:
                    raise ValueError(f"a layer gives the names {names} of one wire different values")
                if given:
                    value = given.pop()
                    forged.update(dict.fromkeys(names, value))
        return forged

    def violations(self, witness: Witness) -> list[Violation]:
        """Every R1CS constraint the witness breaks, with the signals each one involves."""
        wires = self.wires(witness)
        found = []
        for number, (a, b, c) in enumerate(self.r1cs.constraints):
            if evaluate(a, wires) * evaluate(b, wires) % FIELD_MODULUS != evaluate(c, wires):
                involved = {name for wire, _ in (*a, *b, *c) if wire for name in self.names_of_wire[wire]}
                found.append(Violation(number, tuple(sorted(involved))))
        return found

    def snarkjs_accepts(self, witnesses: list[Witness]) -> list[bool]:
        """snarkjs `wtns check` of each witness, written to a .wtns file as a prover would."""
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for index, witness in enumerate(witnesses):
                path = Path(folder) / f"forged_{index}.wtns"
                write_wtns(path, self.wires(witness))
                paths.append(str(path))
            return node("encryption_wtns_check.js", {"r1cs": str(self.r1cs_path), "witnesses": paths})


def write_wtns(path: Path, wires: list[int]) -> None:
    """An iden3 .wtns file (version 2): a header section (field size, prime, count), then the values."""
    n8 = 32
    header = struct.pack("<I", n8) + FIELD_MODULUS.to_bytes(n8, "little") + struct.pack("<I", len(wires))
    body = b"".join((value % FIELD_MODULUS).to_bytes(n8, "little") for value in wires)
    path.write_bytes(b"wtns" + struct.pack("<II", 2, 2)
                     + struct.pack("<IQ", 1, len(header)) + header + struct.pack("<IQ", 2, len(body)) + body)


def relabel(witness: Witness, old_prefix: str, new_prefix: str) -> Witness:
    """The signals under `old_prefix`, renamed under `new_prefix` (a helper's part as the target's)."""
    return {new_prefix + name[len(old_prefix):]: value for name, value in witness.items() if name.startswith(old_prefix)}


def under(witness: Witness, prefix: str) -> Witness:
    return {name: value for name, value in witness.items() if name.startswith(prefix)}


def point_signals(prefix: str, point: babyjub.Point) -> Witness:
    return {f"{prefix}[0]": point.x, f"{prefix}[1]": point.y}


def baby_add_signals(prefix: str, left: babyjub.Point, right: babyjub.Point) -> Witness:
    """Every signal of circomlib's BabyAdd at `prefix` for the given points."""
    p, a = FIELD_MODULUS, babyjub.A
    beta = left.x * right.y % p
    gamma = left.y * right.x % p
    delta = (-a * left.x + left.y) * (right.x + right.y) % p
    tau = beta * gamma % p
    total = babyjub.add(left, right)
    return {f"{prefix}.x1": left.x, f"{prefix}.y1": left.y, f"{prefix}.x2": right.x, f"{prefix}.y2": right.y,
            f"{prefix}.beta": beta, f"{prefix}.gamma": gamma, f"{prefix}.delta": delta, f"{prefix}.tau": tau,
            f"{prefix}.xout": total.x, f"{prefix}.yout": total.y}


def subgroup_check_signals(prefix: str, point: babyjub.Point, eighth: babyjub.Point) -> Witness:
    """Every signal of BabyJubSubgroupCheck at `prefix`, for `point` and the hint W = `eighth`,
    chosen by the attacker (the honest generator takes (8^-1 mod l) * point)."""
    p = FIELD_MODULUS
    signals = {**point_signals(f"{prefix}.point", point), **point_signals(f"{prefix}.eighth", eighth),
               f"{prefix}.onCurve.x": eighth.x, f"{prefix}.onCurve.y": eighth.y,
               f"{prefix}.onCurve.x2": eighth.x * eighth.x % p, f"{prefix}.onCurve.y2": eighth.y * eighth.y % p}
    current = eighth
    for index in range(3):
        doubling = f"{prefix}.doublings[{index}]"
        signals.update(baby_add_signals(f"{doubling}.adder", current, current))
        current = babyjub.add(current, current)
        signals.update({f"{doubling}.x": signals[f"{doubling}.adder.x1"], f"{doubling}.y": signals[f"{doubling}.adder.y1"],
                        f"{doubling}.xout": current.x, f"{doubling}.yout": current.y})
    return signals


def non_zero_signals(prefix: str, value: int) -> Witness:
    """AssertNonZero at `prefix` (checks.circom) for `value`, the inverse as its hint computes it."""
    inverse = pow(value, -1, FIELD_MODULUS) if value % FIELD_MODULUS else 0
    return {f"{prefix}.in": value, f"{prefix}.check.in": value, f"{prefix}.check.enabled": 1,
            f"{prefix}.check.inverse": inverse}


SECRET_BITS = 251


@dataclass(frozen=True)
class Forgery:
    """An attacker's choice for ViewKeyCiphertext(n): the values on the secret's bit wires (0 or 1
    when honest), the view key, the subgroup check's hint W, AssertNonZero's hint (None: what the
    generator computes), the plaintext. `forge_consistently` computes every other signal to match."""

    bits: tuple[int, ...]
    view_key: babyjub.Point
    eighth: babyjub.Point
    plaintext: tuple[int, ...]
    inverse: int | None = None

    @staticmethod
    def bits_of(secret: int) -> tuple[int, ...]:
        return tuple(secret >> index & 1 for index in range(SECRET_BITS))


def forge_consistently(target: Build, base: Witness, forgeries: list[Forgery]) -> list[Witness]:
    """For each forgery, the full assignment of `target` (encryption_<n>) that an attacker would hand
    over: each part computed from the chosen values by that part's own formulas (the helpers'
    generators for the scalar multiplications and the keystream, Python for the subgroup check, the
    AssertNonZero and the sums), so that only constraints the choice itself breaks can fail.
    `base` (an honest witness of the target) supplies nothing but a starting point to write over."""
    n = len(forgeries[0].plaintext)
    fixed = Build("encryption_mul_fix").witnesses([{"e": list(f.bits)} for f in forgeries])
    variable = Build("encryption_mul_any").witnesses(
        [{"e": list(f.bits), "p": f.view_key.as_list()} for f in forgeries])
    shared = [babyjub.Point(w["main.out[0]"], w["main.out[1]"]) for w in variable]
    streams = Build(f"encryption_keystream_{n}").witnesses([{"sharedKey": s.as_list()} for s in shared])
    forged = []
    for forgery, fixed_part, variable_part, stream_part, shared_key in zip(forgeries, fixed, variable, streams, shared):
        ephemeral = babyjub.Point(fixed_part["main.out[0]"], fixed_part["main.out[1]"])
        secret = sum(bit << index for index, bit in enumerate(forgery.bits)) % FIELD_MODULUS
        ciphertext = [(m + stream_part[f"main.keystream[{i}]"]) % FIELD_MODULUS for i, m in enumerate(forgery.plaintext)]
        nonzero = non_zero_signals("main.agreement.viewKeyNotIdentity", forgery.view_key.x)
        if forgery.inverse is not None:
            nonzero["main.agreement.viewKeyNotIdentity.check.inverse"] = forgery.inverse
        top = {"main.ephemeralSecret": secret, "main.agreement.ephemeralSecret": secret,
               "main.agreement.secretBits.in": secret,
               **{f"main.agreement.secretBits.out[{i}]": bit for i, bit in enumerate(forgery.bits)},
               **{f"main.plaintext[{i}]": m for i, m in enumerate(forgery.plaintext)},
               **{f"main.ciphertext[{i}]": c for i, c in enumerate(ciphertext)},
               **point_signals("main.viewPublicKey", forgery.view_key),
               **point_signals("main.agreement.viewPublicKey", forgery.view_key),
               **point_signals("main.ephemeralPublicKey", ephemeral),
               **point_signals("main.agreement.ephemeralPublicKey", ephemeral),
               **point_signals("main.agreement.sharedKey", shared_key)}
        forged.append(target.forge(
            base,
            relabel(fixed_part, "main.", "main.agreement.ephemeral."),
            relabel(variable_part, "main.", "main.agreement.shared."),
            relabel(stream_part, "main.", "main.keystream."),
            subgroup_check_signals("main.agreement.viewKeyInSubgroup", forgery.view_key, forgery.eighth),
            nonzero,
            top))
    return forged

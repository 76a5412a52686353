"""Groth16 proving through a long-lived Node worker running snarkjs.

Starting node and building snarkjs's curve costs more than proving a small circuit, so one worker
(``js/prover_worker.js``) is started on first use and kept: it reads each circuit's wasm and zkey
once and answers newline-delimited JSON requests. ``snarkjs_cli_fullprove`` runs the snarkjs CLI
instead, one process per proof, for comparison.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from batterytrace.exceptions import FieldRangeError, ProofError, ProverError
from batterytrace.poseidon import SNARK_SCALAR_FIELD
from batterytrace.toolchain import node_modules as locate_node_modules

_PACKAGE_DIR = Path(__file__).resolve().parent
WORKER_SCRIPT = _PACKAGE_DIR / "js" / "prover_worker.js"
DEFAULT_KEYS_DIR = _PACKAGE_DIR / "keys"

#: A proof that takes longer than this shows a progress spinner when ``progress`` is on.
_PROGRESS_AFTER_SECONDS = 1.0


@dataclass(frozen=True)
class Groth16Proof:
    """A Groth16 proof over BN254 with its public signals, as snarkjs produces them.

    ``a`` and ``c`` are affine G1 points (x, y); ``b`` is an affine G2 point in snarkjs's ``pi_b``
    layout, ((x.c0, x.c1), (y.c0, y.c1)).
    """

    a: tuple[int, int]
    b: tuple[tuple[int, int], tuple[int, int]]
    c: tuple[int, int]
    public_signals: tuple[int, ...]

    def __post_init__(self) -> None:
        def ints(value: Any, length: int, name: str) -> tuple:
            if not isinstance(value, Sequence) or len(value) != length:
                raise ProofError(f"{name} must have {length} elements, got {value!r}")
            return tuple(value)

        def check_int(value: Any, name: str) -> None:
            if type(value) is not int:
                raise ProofError(f"{name} must be an int, got {value!r}")

        a = ints(self.a, 2, "a")
        c = ints(self.c, 2, "c")
        b = tuple(ints(row, 2, f"b[{i}]") for i, row in enumerate(ints(self.b, 2, "b")))
        if not isinstance(self.public_signals, Iterable):
            raise ProofError(f"public_signals must be a sequence, got {self.public_signals!r}")
        signals = tuple(self.public_signals)
        for name, values in (("a", a), ("c", c), ("b[0]", b[0]), ("b[1]", b[1]), ("public_signals", signals)):
            for index, value in enumerate(values):
                check_int(value, f"{name}[{index}]")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "public_signals", signals)

    @classmethod
    def from_snarkjs(cls, proof: Mapping[str, Any], public_signals: Sequence[Any]) -> Groth16Proof:
        """Build from snarkjs's ``proof.json`` object (projective, z = 1) and ``public.json`` list."""
        try:
            if proof.get("protocol", "groth16") != "groth16" or proof.get("curve", "bn128") != "bn128":
                raise ProofError(f"not a bn128 Groth16 proof: {proof.get('protocol')}/{proof.get('curve')}")
            pi_a, pi_b, pi_c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
            if [str(v) for v in pi_a[2:]] != ["1"] or [str(v) for v in pi_c[2:]] != ["1"]:
                raise ProofError("pi_a and pi_c must be affine (z = 1)")
            if [[str(v) for v in row] for row in pi_b[2:]] != [["1", "0"]]:
                raise ProofError("pi_b must be affine (z = 1)")
            return cls(
                a=(int(pi_a[0]), int(pi_a[1])),
                b=((int(pi_b[0][0]), int(pi_b[0][1])), (int(pi_b[1][0]), int(pi_b[1][1]))),
                c=(int(pi_c[0]), int(pi_c[1])),
                public_signals=tuple(int(s) for s in public_signals),
            )
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            if isinstance(error, ProofError):
                raise
            raise ProofError(f"malformed snarkjs proof: {error!r}") from error

    def to_snarkjs(self) -> tuple[dict[str, Any], list[str]]:
        """The (proof, publicSignals) pair in snarkjs's JSON layout, for ``snarkjs groth16 verify``."""
        proof = {
            "pi_a": [str(self.a[0]), str(self.a[1]), "1"],
            "pi_b": [[str(v) for v in self.b[0]], [str(v) for v in self.b[1]], ["1", "0"]],
            "pi_c": [str(self.c[0]), str(self.c[1]), "1"],
            "protocol": "groth16",
            "curve": "bn128",
        }
        return proof, [str(s) for s in self.public_signals]

    def to_json(self) -> str:
        """``{"proof": ..., "publicSignals": [...]}`` in snarkjs's layout (ints as decimal strings)."""
        proof, public_signals = self.to_snarkjs()
        return json.dumps({"proof": proof, "publicSignals": public_signals}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Groth16Proof:
        """Parse ``to_json`` output."""
        try:
            document = json.loads(text)
            return cls.from_snarkjs(document["proof"], document["publicSignals"])
        except (AttributeError, ValueError, KeyError, TypeError) as error:
            if isinstance(error, ProofError):
                raise
            raise ProofError(f"malformed proof JSON: {error!r}") from error

    def solidity_args(self) -> tuple[list[int], list[list[int]], list[int], list[int]]:
        """(pA, pB, pC, pubSignals) for the snarkjs-generated ``verifyProof``.

        The EVM pairing precompile takes G2 coordinates as (c1, c0), so each pair of ``b`` is swapped,
        exactly as snarkjs's ``exportSolidityCallData`` does.
        """
        return (
            [self.a[0], self.a[1]],
            [[self.b[0][1], self.b[0][0]], [self.b[1][1], self.b[1][0]]],
            [self.c[0], self.c[1]],
            list(self.public_signals),
        )


def _stringify_inputs(value: Any, path: str) -> Any:
    """Circuit inputs as snarkjs expects them: decimal strings, nested lists kept."""
    if isinstance(value, bool):
        raise FieldRangeError(f"input {path} is a bool, not a field element")
    if isinstance(value, int):
        if not 0 <= value < SNARK_SCALAR_FIELD:
            raise FieldRangeError(f"input {path} = {value} is outside the field [0, p)")
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return [_stringify_inputs(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise FieldRangeError(f"input {path} must be an int or a list of ints, got {type(value).__name__}")


def _explain_witness_error(circuit: str, message: str) -> str:
    if "Assert Failed" in message or "Error in template" in message:
        return f"the inputs violate the constraints of circuit {circuit!r}: {message}"
    if "Signal not found" in message or "Not enough values" in message or "Too many values" in message or "Not all inputs" in message:
        return f"the inputs do not match the signals of circuit {circuit!r}: {message}"
    return f"proving {circuit!r} failed: {message}"


class Prover:
    """Proves circuits ``<keys_dir>/<name>.wasm`` + ``<name>.zkey`` with one reused Node worker.

    Thread-safe: concurrent ``prove`` calls are serialised (snarkjs already uses every core).
    A worker that died is restarted on the next call. Use as a context manager, or call ``close``.
    """

    def __init__(
        self,
        keys_dir: str | os.PathLike[str] | None = None,
        *,
        node_modules: str | os.PathLike[str] | None = None,
        node: str = "node",
        progress: bool = False,
        timeout_seconds: float = 600.0,
    ) -> None:
        self.keys_dir = Path(keys_dir) if keys_dir is not None else DEFAULT_KEYS_DIR
        self._node_modules = Path(node_modules) if node_modules is not None else None
        self._node = node
        self.progress = progress
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._responses: queue.Queue[str | None] = queue.Queue()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._ids = itertools.count(1)

    def __enter__(self) -> Prover:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def circuit_files(self, circuit: str) -> tuple[Path, Path]:
        """The (wasm, zkey) paths of a circuit; ProverError if either is missing."""
        if not circuit or "/" in circuit or "\\" in circuit or circuit.startswith("."):
            raise ProverError(f"invalid circuit name {circuit!r}")
        wasm = self.keys_dir / f"{circuit}.wasm"
        zkey = self.keys_dir / f"{circuit}.zkey"
        for path in (wasm, zkey):
            if not path.is_file():
                raise ProverError(f"circuit {circuit!r} has no {path.name} in {self.keys_dir}")
        return wasm.resolve(), zkey.resolve()

    def prove(self, circuit: str, inputs: Mapping[str, Any]) -> Groth16Proof:
        """Compute the witness for ``inputs`` and a Groth16 proof of circuit ``circuit``.

        Raises FieldRangeError for an input outside the field, ProverError when the inputs violate
        the circuit's constraints or the worker fails.
        """
        wasm, zkey = self.circuit_files(circuit)
        request_inputs = {str(name): _stringify_inputs(value, str(name)) for name, value in inputs.items()}
        with self._lock:
            self._ensure_started()
            request_id = next(self._ids)
            self._send({"id": request_id, "wasm": str(wasm), "zkey": str(zkey), "input": request_inputs})
            response = self._receive(request_id, f"Proving {circuit}")
        if "error" in response:
            raise ProverError(_explain_witness_error(circuit, str(response["error"])))
        return Groth16Proof.from_snarkjs(response["proof"], response["publicSignals"])

    def close(self) -> None:
        """Stop the worker; a later ``prove`` starts a new one."""
        with self._lock:
            self._stop()

    # The worker process.

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._stop()
        modules = self._node_modules or locate_node_modules()
        node = shutil.which(self._node)
        if node is None:
            raise ProverError(f"node executable {self._node!r} not found on PATH")
        environment = dict(os.environ)
        environment["NODE_PATH"] = os.pathsep.join(
            p for p in (str(modules), environment.get("NODE_PATH", "")) if p
        )
        self._responses = queue.Queue()
        self._stderr_tail.clear()
        self._process = subprocess.Popen(
            [node, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=environment,
            bufsize=1,
        )
        threading.Thread(
            target=self._pump, args=(self._process.stdout, self._responses), daemon=True
        ).start()
        threading.Thread(
            target=self._drain_stderr, args=(self._process.stderr, self._stderr_tail), daemon=True
        ).start()

    @staticmethod
    def _pump(stream: Any, responses: queue.Queue[str | None]) -> None:
        for line in stream:
            responses.put(line)
        responses.put(None)

    @staticmethod
    def _drain_stderr(stream: Any, tail: collections.deque[str]) -> None:
        for line in stream:
            tail.append(line.rstrip("\n"))

    def _send(self, request: dict[str, Any]) -> None:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            self._stop()
            raise ProverError(f"prover worker died: {error}; {self._worker_log()}") from error

    def _receive(self, request_id: int, description: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_seconds
        status = None
        try:
            while True:
                wait = min(max(deadline - time.monotonic(), 0.0), _PROGRESS_AFTER_SECONDS)
                try:
                    line = self._responses.get(timeout=wait)
                except queue.Empty:
                    if time.monotonic() >= deadline:
                        self._stop()
                        raise ProverError(f"prover worker gave no answer in {self.timeout_seconds} s") from None
                    if self.progress and status is None:
                        status = self._start_progress(description)
                    continue
                if line is None:
                    self._stop()
                    raise ProverError(f"prover worker exited; {self._worker_log()}")
                try:
                    response = json.loads(line)
                except ValueError:
                    self._stderr_tail.append(line.rstrip("\n"))
                    continue
                if response.get("id") == request_id:
                    return response
                if response.get("id") is None and "error" in response:
                    self._stop()
                    raise ProverError(f"prover worker failed: {response['error']}")
        finally:
            if status is not None:
                status.stop()

    @staticmethod
    def _start_progress(description: str) -> Any:
        from rich.console import Console

        status = Console(stderr=True).status(f"{description}…")
        status.start()
        return status

    def _worker_log(self) -> str:
        lines = list(self._stderr_tail)[-10:]
        return "worker stderr: " + (" | ".join(lines) if lines else "(empty)")

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def snarkjs_cli_fullprove(
    wasm: str | os.PathLike[str],
    zkey: str | os.PathLike[str],
    inputs: Mapping[str, Any],
    *,
    node_modules: str | os.PathLike[str] | None = None,
) -> Groth16Proof:
    """Prove with ``npx snarkjs groth16 fullprove`` in a fresh process (a baseline for the worker)."""
    modules = Path(node_modules) if node_modules is not None else locate_node_modules()
    npx = shutil.which("npx")
    if npx is None:
        raise ProverError("npx not found on PATH")
    request_inputs = {str(name): _stringify_inputs(value, str(name)) for name, value in inputs.items()}
    with tempfile.TemporaryDirectory(prefix="batterytrace-fullprove-") as directory:
        work = Path(directory)
        (work / "input.json").write_text(json.dumps(request_inputs))
        command = [
            npx, "--no", "snarkjs", "groth16", "fullprove",
            str(work / "input.json"), str(Path(wasm).resolve()), str(Path(zkey).resolve()),
            str(work / "proof.json"), str(work / "public.json"),
        ]
        result = subprocess.run(command, cwd=modules.parent, capture_output=True, text=True)
        if result.returncode != 0 or not (work / "proof.json").is_file():
            output = (result.stderr + "\n" + result.stdout).splitlines()
            message = "\n".join(line for line in output if line.strip() and not line.startswith("npm warn"))[-2000:]
            raise ProverError(_explain_witness_error(Path(wasm).stem, message))
        proof = json.loads((work / "proof.json").read_text())
        public_signals = json.loads((work / "public.json").read_text())
    return Groth16Proof.from_snarkjs(proof, public_signals)

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
import threading
import time
from pathlib import Path
from typing import Any, Mapping

from batterytrace.evm.toolchain import node_modules as locate_node_modules
from batterytrace.exceptions import FieldRangeError, ProverError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.proof import Groth16Proof

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
WORKER_SCRIPT = _PACKAGE_DIR / "js" / "prover_worker.js"
DEFAULT_KEYS_DIR = _PACKAGE_DIR / "keys"

#: A proof that takes longer than this shows a progress spinner when ``progress`` is on.
_PROGRESS_AFTER_SECONDS = 1.0






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

"""The project's HTTP services (the relayer, the resolver) as child processes the tooling starts
and stops, as :class:`~batterytrace.evm.node.LocalNode` runs anvil: by module name, so neither the
SDK nor the demo imports a service.

:class:`LocalService` runs one on a port and waits until it answers; :func:`start_background`,
:func:`background_service` and :func:`stop_background` keep one running past this process (the
CLI's ``relayer start`` and ``resolver start``), recorded in ``<state dir>/<name>.json``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from batterytrace.evm.node import free_port
from batterytrace.exceptions import BatteryTraceError, ToolchainError

if TYPE_CHECKING:
    from typing_extensions import Self


@dataclass(frozen=True)
class ServiceInfo:
    """A running service started by the tooling: its URL, process and files."""

    url: str
    pid: int
    port: int
    log_path: str
    output_path: str


class LocalService:
    """A service module (``python -m <module> --settings FILE --host H --port P``) as a child process
    on a port; a context manager that always stops it. ``work_dir`` holds its settings file and its
    own output; ``environment`` adds variables (a secret) to the child's; ``probe(url)`` raises a
    :class:`BatteryTraceError` until the service answers."""

    def __init__(self, name: str, module: str, settings: dict[str, Any], work_dir: Path, probe: Callable[[str], object], *,
                 log_path: str, port: int | None = None, host: str = "127.0.0.1", environment: dict[str, str] | None = None,
                 startup_timeout_seconds: float = 60.0, stop_timeout_seconds: float = 10.0) -> None:
        self.name, self.module, self.settings, self.work_dir = name, module, settings, Path(work_dir)
        self.probe, self.log_path = probe, log_path
        self.port, self.host = port or free_port(), host
        self.environment = dict(environment or {})
        self.startup_timeout_seconds, self.stop_timeout_seconds = startup_timeout_seconds, stop_timeout_seconds
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}" if self.host in ("127.0.0.1", "0.0.0.0") else f"http://{self.host}:{self.port}"

    @property
    def output_path(self) -> Path:
        return self.work_dir / f"{self.name}.out"

    def start(self) -> ServiceInfo:
        """Start the service and wait until it answers."""
        if self._process is not None:
            raise ToolchainError(f"the {self.name} is already running")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        settings_path = self.work_dir / f"{self.name}-settings.json"
        settings_path.write_text(json.dumps(self.settings, indent=2) + "\n")
        command = [sys.executable, "-m", self.module, "--settings", str(settings_path), "--host", self.host, "--port", str(self.port)]
        with self.output_path.open("ab") as output:
            self._process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **self.environment}
            )
        deadline = time.monotonic() + self.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise ToolchainError(f"the {self.name} exited at start: {_last_line(self.output_path)}")
            try:
                self.probe(self.url)
                return ServiceInfo(self.url, self._process.pid, self.port, self.log_path, str(self.output_path))
            except BatteryTraceError:
                time.sleep(0.1)
        self.stop()
        raise ToolchainError(f"the {self.name} did not answer on {self.url} within {self.startup_timeout_seconds:.0f} s")

    def stop(self) -> None:
        """Stop the service, letting a request in flight finish within ``stop_timeout_seconds``."""
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def kill(self) -> None:
        """Kill the service at once, as a crash would: a request in flight gets no answer."""
        process, self._process = self._process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)

    def detach(self) -> None:
        """Let the running service outlive this object (it runs in its own session already)."""
        self._process = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None) -> None:
        self.stop()


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()] if path.exists() else []
    return lines[-1].strip() if lines else "no message"


def start_background(state_dir: Path, service: LocalService) -> ServiceInfo:
    """Start ``service`` so that it outlives this process, recorded in ``state_dir``; the one of its
    name running already when it answers."""
    existing = background_service(state_dir, service.name)
    if existing is not None:
        try:
            service.probe(existing.url)
            return existing
        except BatteryTraceError:
            pass
    info = service.start()
    service.detach()
    (state_dir / f"{service.name}.json").write_text(json.dumps(asdict(info)))
    return info


def background_service(state_dir: Path, name: str) -> ServiceInfo | None:
    """The service :func:`start_background` started, if its record is there (it may have died)."""
    path = state_dir / f"{name}.json"
    return ServiceInfo(**json.loads(path.read_text())) if path.exists() else None


def stop_background(state_dir: Path, name: str, wait_seconds: float = 65.0) -> ServiceInfo | None:
    """Stop the service :func:`start_background` started; None when none was recorded."""
    info = background_service(state_dir, name)
    if info is None:
        return None
    try:
        os.kill(info.pid, signal.SIGTERM)
        for _ in range(int(wait_seconds * 10)):  # a request in flight finishes within its timeout
            _reap(info.pid)
            os.kill(info.pid, 0)
            time.sleep(0.1)
        os.kill(info.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    (state_dir / f"{name}.json").unlink()
    return info


def _reap(pid: int) -> None:
    """Collect ``pid``'s exit status if this process started it (else it would linger as a zombie
    that still answers signal 0); a service another process started is reaped by init."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass

"""A local anvil node that the tooling starts and stops itself."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import requests

from batterytrace.evm.toolchain import tool_binary
from batterytrace.exceptions import ChainError, ToolchainError

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
DEFAULT_CHAIN_ID = 31337


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rpc_ready(url: str, timeout_seconds: float = 1.0) -> bool:
    """Whether a JSON-RPC node answers ``eth_chainId`` at ``url``."""
    try:
        response = requests.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=timeout_seconds
        )
        return response.ok and "result" in response.json()
    except (requests.RequestException, ValueError):
        return False


@dataclass(frozen=True)
class NodeInfo:
    """A running node started by the tooling."""

    url: str
    pid: int
    chain_id: int
    state_path: str | None


class LocalNode:
    """An anvil process on a free loopback port; a context manager that always stops it.

    ``state_path`` makes anvil load its state at start and dump it at exit, so a restarted node
    resumes the same chain.
    """

    def __init__(
        self,
        port: int | None = None,
        chain_id: int = DEFAULT_CHAIN_ID,
        accounts: int = 20,
        state_path: Path | None = None,
        block_time: float | None = None,
        startup_timeout_seconds: float = 30.0,
    ) -> None:
        self.port = port or free_port()
        self.chain_id = chain_id
        self.accounts = accounts
        self.state_path = state_path
        self.block_time = block_time
        self.startup_timeout_seconds = startup_timeout_seconds
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NodeInfo:
        """Start anvil and wait until it answers."""
        if self._process is not None:
            raise ToolchainError("the node is already running")
        command = [
            tool_binary("anvil"),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--accounts", str(self.accounts),
            "--mnemonic", DEFAULT_MNEMONIC,
            "--gas-limit", "60000000",
            "--silent",
        ]
        if self.block_time:
            command += ["--block-time", str(self.block_time)]
        if self.state_path is not None:
            command += ["--state", str(self.state_path)]
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary from node_modules
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + self.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                message = (self._process.stderr.read() if self._process.stderr else b"").decode(errors="replace")
                self._process = None
                raise ToolchainError(f"anvil exited at start: {message.strip() or 'no message'}")
            if rpc_ready(self.url, 0.5):
                return NodeInfo(self.url, self._process.pid, self.chain_id, str(self.state_path) if self.state_path else None)
            time.sleep(0.05)
        self.stop()
        raise ChainError(f"anvil did not answer on {self.url} within {self.startup_timeout_seconds:.0f} s")

    def stop(self) -> None:
        """Stop anvil (it dumps its state first when started with a state path)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()

    def kill(self) -> None:
        """Kill anvil at once, as a crash would: nothing is dumped."""
        process, self._process = self._process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)
            if process.stderr:
                process.stderr.close()

    def detach(self) -> None:
        """Let the running anvil outlive this object (it runs in its own session already)."""
        self._process = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> LocalNode:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def start_background(state_dir: Path, port: int | None = None, chain_id: int = DEFAULT_CHAIN_ID) -> NodeInfo:
    """Start an anvil that outlives this process (``batterytrace node start``), state kept in ``state_dir``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    info_path = state_dir / "node.json"
    if info_path.exists():
        existing = NodeInfo(**json.loads(info_path.read_text()))
        if rpc_ready(existing.url):
            return existing
    node = LocalNode(port=port, chain_id=chain_id, state_path=state_dir / "anvil-state.json")
    info = node.start()
    node.detach()
    info_path.write_text(json.dumps(info.__dict__))
    return info


def stop_background(state_dir: Path) -> NodeInfo | None:
    """Stop the node started by :func:`start_background`; None when none was running."""
    info_path = state_dir / "node.json"
    if not info_path.exists():
        return None
    info = NodeInfo(**json.loads(info_path.read_text()))
    try:
        os.kill(info.pid, signal.SIGINT)
        for _ in range(150):
            os.kill(info.pid, 0)
            time.sleep(0.1)
    except ProcessLookupError:
        pass
    info_path.unlink()
    return info

"""Where the project's tools live: the repository, node_modules, the solc wrapper, anvil."""

from __future__ import annotations

import os
import platform
import shutil
from functools import lru_cache
from pathlib import Path

from batterytrace.exceptions import ToolchainError

SOLC_VERSION = "0.8.37"


@lru_cache(maxsize=None)
def project_root() -> Path:
    """The repository root: ``BATTERYTRACE_ROOT``, else the first parent with ape-config.yaml."""
    configured = os.environ.get("BATTERYTRACE_ROOT")
    if configured:
        return Path(configured).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if (candidate / "ape-config.yaml").is_file() and (candidate / "contracts").is_dir():
                return candidate
    raise ToolchainError(
        "cannot find the batterytrace repository (no ape-config.yaml above the working directory); "
        "set BATTERYTRACE_ROOT"
    )


@lru_cache(maxsize=None)
def node_modules() -> Path:
    """The node_modules folder holding snarkjs, circomlibjs, anvil and solc:
    ``BATTERYTRACE_NODE_MODULES``, else the nearest one above the working directory or the package."""
    configured = os.environ.get("BATTERYTRACE_NODE_MODULES")
    if configured:
        path = Path(configured).expanduser().resolve()
        if not (path / "snarkjs").is_dir():
            raise ToolchainError(f"BATTERYTRACE_NODE_MODULES={configured} has no snarkjs")
        return path
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            if (directory / "node_modules" / "snarkjs").is_dir():
                return directory / "node_modules"
    raise ToolchainError("node_modules with snarkjs not found: run `make setup` (or set BATTERYTRACE_NODE_MODULES)")


def node_binary() -> str:
    """The Node.js executable."""
    found = shutil.which("node")
    if not found:
        raise ToolchainError("node is not installed (Node 20 is required)")
    return found


def solc_binary() -> Path:
    """The solc-compatible wrapper installed by ``make setup`` where py-solc-x looks."""
    folder = Path(os.environ.get("SOLCX_BINARY_PATH", Path.home() / ".solcx"))
    binary = folder / f"solc-v{SOLC_VERSION}"
    if not binary.is_file():
        raise ToolchainError(f"{binary} not found: run `make setup` to install the solc {SOLC_VERSION} wrapper")
    return binary


def _npm_platform() -> str:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), platform.system().lower())
    machine = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{system}-{machine}"


def tool_binary(name: str) -> str:
    """A native tool shipped inside an npm package (anvil, cast), else one on PATH.

    The native binary itself, not the Node.js shim in node_modules/.bin: a signal sent to the shim
    would not reach the process that serves the port.
    """
    try:
        modules = node_modules()
        native = modules / "@foundry-rs" / f"{name}-{_npm_platform()}" / "bin" / name
        if native.is_file():
            return str(native)
        local = modules / ".bin" / name
        if local.exists():
            return str(local)
    except ToolchainError:
        pass
    found = shutil.which(name)
    if not found:
        raise ToolchainError(f"{name} not found: run `make setup` (npm package @foundry-rs/{name})")
    return found

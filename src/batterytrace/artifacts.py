"""Compiled contracts: built from contracts/ with the project's solc, shipped as package data.

The SDK deploys and calls contracts from the ABIs and bytecode in ``batterytrace/abi/``, so an
installed package needs no compiler. ``python -m batterytrace.artifacts build`` recompiles them with
the same compiler and settings as ``ape compile`` (ape-config.yaml), and a test checks the committed
artifacts match a fresh build.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from batterytrace.exceptions import ConfigurationError, ToolchainError
from batterytrace.toolchain import project_root, solc_binary

SOLC_SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
    "remappings": ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"],
}
# The contracts the SDK deploys, plus a plain OpenZeppelin ERC-721 the benchmarks compare against.
SHIPPED_CONTRACTS = (
    "Registry",
    "BatteryLots",
    "BatteryPassport",
    "MintVerifier",
    "TransformVerifier",
    "ClaimVerifier",
    "ReferenceERC721",
)


@dataclass(frozen=True)
class Artifact:
    """ABI and creation bytecode of one contract."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str


def compile_contracts(root: Path | None = None) -> dict[str, Artifact]:
    """Compile every Solidity file under ``contracts/`` and return the shipped contracts."""
    import solcx  # imported here: reading shipped artifacts must not need the compiler

    root = root or project_root()
    sources = {
        path.relative_to(root).as_posix(): {"content": path.read_text()}
        for path in sorted((root / "contracts").rglob("*.sol"))
        # ape keeps copies of dependencies under contracts/.cache; they are not our sources.
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    }
    if not sources:
        raise ConfigurationError(f"no Solidity sources under {root / 'contracts'}")
    try:
        output = solcx.compile_standard(
            {"language": "Solidity", "sources": sources, "settings": SOLC_SETTINGS},
            solc_binary=solc_binary(),
            base_path=str(root),
            allow_paths=str(root),
        )
    except solcx.exceptions.SolcError as error:
        raise ToolchainError(f"compilation failed:\n{_compiler_messages(error)}") from None
    artifacts: dict[str, Artifact] = {}
    for contracts in output["contracts"].values():
        for name, contract in contracts.items():
            if name in SHIPPED_CONTRACTS:
                artifacts[name] = Artifact(
                    name=name,
                    abi=contract["abi"],
                    bytecode="0x" + contract["evm"]["bytecode"]["object"],
                    deployed_bytecode="0x" + contract["evm"]["deployedBytecode"]["object"],
                )
    missing = set(SHIPPED_CONTRACTS) - set(artifacts)
    if missing:
        raise ConfigurationError(f"contracts missing from the build: {sorted(missing)}")
    return artifacts


def _compiler_messages(error: Exception) -> str:
    try:
        output = json.loads(getattr(error, "stdout_data", "") or "{}")
    except json.JSONDecodeError:
        return str(error)[:2000]
    messages = [item["formattedMessage"] for item in output.get("errors", []) if item.get("severity") == "error"]
    return "\n".join(messages) or str(error)[:2000]


def artifact_json(artifact: Artifact) -> str:
    """The committed file's exact text for an artifact."""
    return json.dumps(
        {"contractName": artifact.name, "abi": artifact.abi, "bytecode": artifact.bytecode,
         "deployedBytecode": artifact.deployed_bytecode},
        indent=1,
        sort_keys=True,
    ) + "\n"


def build(root: Path | None = None) -> list[Path]:
    """Recompile and write the shipped artifacts into the package."""
    root = root or project_root()
    target = root / "src" / "batterytrace" / "abi"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, artifact in sorted(compile_contracts(root).items()):
        path = target / f"{name}.json"
        path.write_text(artifact_json(artifact))
        written.append(path)
    return written


@lru_cache(maxsize=None)
def load(name: str) -> Artifact:
    """Read a shipped artifact."""
    try:
        text = resources.files("batterytrace").joinpath("abi", f"{name}.json").read_text()
    except FileNotFoundError as error:
        raise ConfigurationError(
            f"no compiled artifact for {name}: run `make artifacts` (python -m batterytrace.artifacts build)"
        ) from error
    data = json.loads(text)
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"],
                    deployed_bytecode=data["deployedBytecode"])


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m batterytrace.artifacts build")
    for written_path in build():
        print(written_path)

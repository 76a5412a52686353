"""Compiled contracts: built from contracts/ with the project's solc, shipped as package data.

The SDK deploys and calls contracts from the ABIs and bytecode in ``batterytrace/abi/``, so an
installed package needs no compiler. ``python -m batterytrace.evm.artifacts build`` recompiles them with
the same compiler and settings as ``ape compile`` (ape-config.yaml), and a test checks the committed
artifacts match a fresh build.

The build also writes what block explorers verify against (Sourcify, Blockscout, Etherscan), in
``batterytrace/abi/verify/``:

- ``standard-input.json``: the exact standard-JSON input the build gives solc. It is
  self-contained: every source unit, OpenZeppelin's included, is in ``sources`` with its content,
  so it compiles without the repository (Etherscan and Blockscout "Standard JSON input"; Sourcify's
  ``stdJsonInput``, with ``contractIdentifier`` ``contracts/ShieldedLedger.sol:ShieldedLedger`` etc.).
- ``<Name>.metadata.json``: the compiler's metadata of each shipped contract, byte for byte as solc
  wrote it, so its IPFS hash is the one at the end of the contract's bytecode (Sourcify's
  metadata-based verification).

Libraries with public functions (poseidon-solidity's ``PoseidonT3``, which zk-kit's LeanIMT calls)
are deployed once and linked: an artifact keeps solc's link references, :func:`link_bytecode` writes
the libraries' addresses into the placeholders, and :func:`require_linked` refuses any bytecode that
still holds one, so none is ever sent.

The compiler is solc 0.8.37 (``metadata.json``'s ``compiler.version`` names the exact build).
"""

from __future__ import annotations

import copy
import json
import posixpath
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from batterytrace.evm.toolchain import project_root, solc_binary
from batterytrace.exceptions import ConfigurationError, ToolchainError, UnlinkedLibraryError

SOLC_SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    # metadata and immutableReferences are extra outputs: requesting them changes no bytecode.
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.immutableReferences",
                "evm.deployedBytecode.linkReferences",
                "metadata",
            ]
        }
    },
    # The npm packages the contracts import, in node_modules (ape-config.yaml names the same ones).
    "remappings": [
        "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",
        "@zk-kit/lean-imt.sol/=node_modules/@zk-kit/lean-imt.sol/",
        "poseidon-solidity/=node_modules/poseidon-solidity/",
    ],
}
#: The folder, relative to the repository, whose Solidity files the shipped build compiles.
CONTRACTS_FOLDER = "contracts"
#: The contracts the SDK deploys, libraries to link included. (The benchmarks' yardstick ERC-721
#: lives in bench/contracts, the tests' harnesses in tests/contracts.)
SHIPPED_CONTRACTS = (
    "Registry",
    "BatteryPassport",
    "ShieldedLedger",
    "OriginVerifier",
    "CustodyVerifier",
    "NoteTransformVerifier",
    "PackBatchVerifier",
    "PoseidonT3",
    "RegistryTrees",
)
#: Where the build writes the block-explorer verification files, inside the package's abi folder.
VERIFY_FOLDER = "verify"
STANDARD_INPUT_FILE = "standard-input.json"

_IMPORT = re.compile(r"""^\s*import\s+(?:[^;"']*?\bfrom\s+)?["']([^"']+)["'][^;]*;""", re.MULTILINE)
#: How solc marks where a library's address goes: ``__$`` + 34 hex digits of the keccak-256 of the
#: library's fully qualified name + ``$__``, 40 characters, the width of an address in hex.
_PLACEHOLDER_START = "__$"

#: solc's link references: source unit -> library name -> the places (byte offset and length) of its address.
LinkReferences = Mapping[str, Mapping[str, list[dict[str, int]]]]


@dataclass(frozen=True)
class Artifact:
    """ABI and creation bytecode of one contract, with the places where libraries' addresses go
    (solc's ``linkReferences``, of the creation and of the runtime code; empty when none)."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    link_references: LinkReferences = field(default_factory=dict)
    deployed_link_references: LinkReferences = field(default_factory=dict)

    @property
    def libraries(self) -> tuple[str, ...]:
        """The names of the libraries to link before deploying (``PoseidonT3``), sorted."""
        return tuple(sorted({library for libraries in self.link_references.values() for library in libraries}))

    def linked(self, addresses: Mapping[str, str]) -> str:
        """The creation bytecode with each library's address in place (see :func:`link_bytecode`)."""
        return link_bytecode(self.name, self.bytecode, self.link_references, addresses)

    def linked_runtime(self, addresses: Mapping[str, str]) -> str:
        """The runtime bytecode with each library's address in place: the code a deployment that
        linked those addresses holds on chain (up to immutables)."""
        return link_bytecode(self.name, self.deployed_bytecode, self.deployed_link_references, addresses)


def link_bytecode(contract: str, bytecode: str, references: LinkReferences, addresses: Mapping[str, str]) -> str:
    """``bytecode`` with every library placeholder replaced by the library's address.

    ``addresses`` maps a library's name (``PoseidonT3``) or fully qualified name
    (``node_modules/poseidon-solidity/PoseidonT3.sol:PoseidonT3``) to its 20-byte hex address. A
    library it lacks raises UnlinkedLibraryError; so does any placeholder left over.
    """
    code = bytearray(bytecode.removeprefix("0x"), "ascii")
    missing = []
    for unit, libraries in sorted(references.items()):
        for library, places in sorted(libraries.items()):
            address = addresses.get(f"{unit}:{library}", addresses.get(library))
            if address is None:
                missing.append(f"{unit}:{library}")
                continue
            digits = address.lower().removeprefix("0x")
            if len(digits) != 40 or any(digit not in "0123456789abcdef" for digit in digits):
                raise ConfigurationError(f"{contract}: the address of library {library} is not 20 bytes of hex: {address!r}")
            for place in places:
                start, length = 2 * place["start"], 2 * place["length"]
                if length != 40 or code[start:start + 3] != _PLACEHOLDER_START.encode():
                    raise ConfigurationError(f"{contract}: no placeholder of {library} at byte {place['start']}")
                code[start:start + length] = digits.encode()
    if missing:
        raise UnlinkedLibraryError(contract, tuple(missing))
    linked = "0x" + code.decode("ascii")
    require_linked(contract, linked)
    return linked


def require_linked(contract: str, bytecode: str) -> None:
    """Raise UnlinkedLibraryError if ``bytecode`` still holds a library placeholder: the EVM would
    run the placeholder's bytes as code, and the hex is not even valid."""
    position = bytecode.find(_PLACEHOLDER_START)
    if position >= 0:
        placeholder = bytecode[position:position + 40]
        raise UnlinkedLibraryError(contract, (placeholder,))


@dataclass(frozen=True)
class Compilation:
    """One solc run: its standard-JSON input, and per wanted contract the artifact, the compiler's
    metadata (the exact string) and the source unit that defines it."""

    standard_input: dict[str, Any]
    artifacts: dict[str, Artifact]
    metadata: dict[str, str]
    source_units: dict[str, str]
    immutable_references: dict[str, dict[str, list[dict[str, int]]]]


def standard_input(root: Path | None = None, folder: str = CONTRACTS_FOLDER) -> dict[str, Any]:
    """The standard-JSON input of every Solidity file under ``folder``, with every source unit
    they import (resolved as solc resolves them: relative paths against the importing unit,
    others through the remappings) included with its content."""
    root = root or project_root()
    own = sorted(
        path.relative_to(root).as_posix()
        for path in (root / folder).rglob("*.sol")
        # ape keeps copies of dependencies under contracts/.cache; they are not our sources.
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    )
    if not own:
        raise ConfigurationError(f"no Solidity sources under {root / folder}")
    contents: dict[str, str] = {}
    pending = list(own)
    while pending:
        unit = pending.pop()
        if unit in contents:
            continue
        path = root / unit
        if not path.is_file():
            raise ConfigurationError(f"source unit {unit} not found under {root}")
        contents[unit] = path.read_text(encoding="utf-8")
        pending.extend(_resolve_import(unit, imported) for imported in _IMPORT.findall(contents[unit]))
    return {
        "language": "Solidity",
        "sources": {unit: {"content": contents[unit]} for unit in sorted(contents)},
        # A copy: a caller that changes its input's settings must not change every later build's.
        "settings": copy.deepcopy(SOLC_SETTINGS),
    }


def _resolve_import(importer: str, imported: str) -> str:
    if imported.startswith(("./", "../")):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), imported))
    for remapping in SOLC_SETTINGS["remappings"]:
        prefix, target = remapping.split("=", 1)
        if imported.startswith(prefix):
            return target + imported[len(prefix):]
    return imported


def compile_standard_input(source: dict[str, Any], names: tuple[str, ...] = SHIPPED_CONTRACTS) -> Compilation:
    """Compile a self-contained standard-JSON input and return the contracts named ``names``.

    No base path is given to the compiler: an input that lacks a source it imports fails here
    rather than being completed from the disk.
    """
    import solcx  # imported here: reading shipped artifacts must not need the compiler

    try:
        output = solcx.compile_standard(source, solc_binary=solc_binary())
    except solcx.exceptions.SolcError as error:
        raise ToolchainError(f"compilation failed:\n{_compiler_messages(error)}") from None
    loaded_from_disk = set(output.get("sources", {})) - set(source["sources"])
    if loaded_from_disk:
        raise ConfigurationError(f"the standard-JSON input is not self-contained: {sorted(loaded_from_disk)}")
    artifacts: dict[str, Artifact] = {}
    metadata: dict[str, str] = {}
    units: dict[str, str] = {}
    immutables: dict[str, dict[str, list[dict[str, int]]]] = {}
    for unit, contracts in output["contracts"].items():
        for name, contract in contracts.items():
            if name not in names:
                continue
            if name in artifacts:
                raise ConfigurationError(f"two contracts named {name}: {units[name]} and {unit}")
            artifacts[name] = Artifact(
                name=name,
                abi=contract["abi"],
                bytecode="0x" + contract["evm"]["bytecode"]["object"],
                deployed_bytecode="0x" + contract["evm"]["deployedBytecode"]["object"],
                link_references=contract["evm"]["bytecode"].get("linkReferences", {}),
                deployed_link_references=contract["evm"]["deployedBytecode"].get("linkReferences", {}),
            )
            metadata[name] = contract["metadata"]
            units[name] = unit
            immutables[name] = contract["evm"]["deployedBytecode"].get("immutableReferences", {})
    missing = set(names) - set(artifacts)
    if missing:
        raise ConfigurationError(f"contracts missing from the build: {sorted(missing)}")
    return Compilation(source, artifacts, metadata, units, immutables)


def compile_all(
    root: Path | None = None, folder: str = CONTRACTS_FOLDER, names: tuple[str, ...] = SHIPPED_CONTRACTS
) -> Compilation:
    """Compile every Solidity file under ``folder`` with the project's compiler and settings."""
    return compile_standard_input(standard_input(root, folder), names)


def compile_contracts(root: Path | None = None) -> dict[str, Artifact]:
    """Compile every Solidity file under ``contracts/`` and return the shipped contracts."""
    return compile_all(root).artifacts


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
         "deployedBytecode": artifact.deployed_bytecode, "linkReferences": artifact.link_references,
         "deployedLinkReferences": artifact.deployed_link_references},
        indent=1,
        sort_keys=True,
    ) + "\n"


def standard_input_json(source: dict[str, Any]) -> str:
    """The committed file's exact text for a standard-JSON input (compact: it is mostly source text)."""
    return json.dumps(source, sort_keys=True, separators=(",", ":")) + "\n"


def build(root: Path | None = None) -> list[Path]:
    """Recompile and write the shipped artifacts and the verification files into the package."""
    root = root or project_root()
    target = root / "src" / "batterytrace" / "abi"
    verify = target / VERIFY_FOLDER
    verify.mkdir(parents=True, exist_ok=True)
    compilation = compile_all(root)
    written = []
    for name, artifact in sorted(compilation.artifacts.items()):
        path = target / f"{name}.json"
        path.write_text(artifact_json(artifact), encoding="utf-8")
        written.append(path)
    path = verify / STANDARD_INPUT_FILE
    path.write_text(standard_input_json(compilation.standard_input), encoding="utf-8")
    written.append(path)
    for name, metadata in sorted(compilation.metadata.items()):
        path = verify / f"{name}.metadata.json"
        path.write_text(metadata, encoding="utf-8")  # verbatim: its IPFS hash is the one in the bytecode
        written.append(path)
    expected = {f"{name}.json" for name in SHIPPED_CONTRACTS}
    expected_verify = {STANDARD_INPUT_FILE} | {f"{name}.metadata.json" for name in SHIPPED_CONTRACTS}
    for folder, keep in ((target, expected), (verify, expected_verify)):
        for stale in sorted(folder.glob("*.json")):
            if stale.name not in keep:  # a contract no longer shipped
                stale.unlink()
    return written


@cache
def load(name: str) -> Artifact:
    """Read a shipped artifact."""
    try:
        text = resources.files("batterytrace").joinpath("abi", f"{name}.json").read_text()
    except FileNotFoundError as error:
        raise ConfigurationError(
            f"no compiled artifact for {name}: run `make artifacts` (python -m batterytrace.evm.artifacts build)"
        ) from error
    data = json.loads(text)
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"],
                    deployed_bytecode=data["deployedBytecode"], link_references=data.get("linkReferences", {}),
                    deployed_link_references=data.get("deployedLinkReferences", {}))


def load_standard_input() -> dict[str, Any]:
    """Read the shipped standard-JSON input the artifacts were compiled from."""
    return json.loads(_verify_file(STANDARD_INPUT_FILE))


def load_metadata(name: str) -> str:
    """Read a shipped contract's compiler metadata, exactly as solc wrote it."""
    return _verify_file(f"{name}.metadata.json")


def _verify_file(filename: str) -> str:
    try:
        return resources.files("batterytrace").joinpath("abi", VERIFY_FOLDER, filename).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigurationError(
            f"no verification file {filename}: run `make artifacts` (python -m batterytrace.evm.artifacts build)"
        ) from error


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m batterytrace.evm.artifacts build")
    for written_path in build():
        print(written_path)

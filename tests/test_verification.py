"""Block explorers can verify every deployed contract from the files the build writes.

Sourcify, Blockscout and Etherscan recompile a contract from its standard-JSON input (or from its
metadata and sources) and compare the result with the code at the address. These tests do the same:
they recompile from ``batterytrace/abi/verify/standard-input.json`` alone, in an empty folder, and
compare with the shipped artifacts and with the code a deployment put on a real anvil. The code on
chain differs from the compiled runtime code only where the constructor wrote immutables (solc's
``immutableReferences``), and its CBOR tail commits to the shipped metadata file by IPFS hash.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from eth_utils import keccak, to_checksum_address

from batterytrace.evm.artifacts import (
    SHIPPED_CONTRACTS,
    Compilation,
    compile_standard_input,
    load,
    load_metadata,
    load_standard_input,
)
from batterytrace.evm.toolchain import SOLC_VERSION
from tests.helpers.sandbox import World

# Which Deployment attribute holds each shipped contract's address.
DEPLOYED_AT = {
    "Registry": "registry",
    "BatteryPassport": "passport",
    "ShieldedLedger": "ledger",
    "OriginVerifier": "origin_verifier",
    "CustodyVerifier": "custody_verifier",
    "NoteTransformVerifier": "note_transform_verifier",
    "PackBatchVerifier": "pack_batch_verifier",
    "PoseidonT3": "poseidon_t3",
    "RegistryTrees": "registry_trees",
}
#: The linked libraries: solc leaves their runtime code's first PUSH20 zero and the EVM writes the
#: library's own address there at deployment (the guard against calls other than DELEGATECALL).
LIBRARIES = {"PoseidonT3", "RegistryTrees"}
_ZERO_ADDRESS = "0x" + "00" * 20
# What the constructors store in immutables: (contract, Deployment attributes of the addresses).
IMMUTABLE_ADDRESSES = {
    "BatteryPassport": {"registry", "ledger", "pack_batch_verifier"},
    "ShieldedLedger": {"registry", "origin_verifier", "custody_verifier", "note_transform_verifier"},
}


@pytest.fixture(scope="module")
def recompiled(tmp_path_factory: pytest.TempPathFactory) -> Compilation:
    """The shipped contracts compiled from the shipped standard-JSON input, from an empty folder so
    the compiler can read no source from the repository."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("verify"))
        return compile_standard_input(load_standard_input(), SHIPPED_CONTRACTS)


def cbor_tail(code: bytes) -> dict[str, bytes]:
    """The CBOR map solc appends to runtime code (its length is in the last two bytes): text keys,
    byte-string values."""
    length = int.from_bytes(code[-2:], "big")
    data = code[-2 - length:-2]
    position = 0

    def head(expected_major: int) -> int:
        nonlocal position
        byte = data[position]
        major, info = byte >> 5, byte & 0x1F
        assert major == expected_major and info <= 24, f"unexpected CBOR item {byte:#x}"
        position += 1
        if info == 24:
            info, position = data[position], position + 1
        return info

    def string(major: int) -> bytes:
        nonlocal position
        size = head(major)
        position += size
        return data[position - size:position]

    entries = {}
    for _ in range(head(5)):
        key = string(3).decode()
        entries[key] = string(2)
    assert position == len(data), "trailing bytes after the CBOR map"
    return entries


def ipfs_hash(content: bytes) -> bytes:
    """The IPFS (CIDv0) multihash of a file of under 256 KiB, as solc computes it for metadata: a
    single UnixFS file block in a dag-pb node, sha2-256."""

    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
            value >>= 7
            if not value:
                return bytes(out)

    assert len(content) < 256 * 1024
    unixfs = b"\x08\x02" + (b"\x12" + varint(len(content)) + content if content else b"") + b"\x18" + varint(len(content))
    node = b"\x0a" + varint(len(unixfs)) + unixfs
    return b"\x12\x20" + hashlib.sha256(node).digest()


def masked(code: bytes, references: dict[str, list[dict[str, int]]]) -> tuple[bytes, dict[str, set[bytes]]]:
    """``code`` with every immutable's bytes zeroed (as in compiled runtime code), and the values found
    there, by the immutable's AST id."""
    out, values = bytearray(code), {}
    for ast_id, places in references.items():
        for place in places:
            start, length = place["start"], place["length"]
            values.setdefault(ast_id, set()).add(bytes(out[start:start + length]))
            out[start:start + length] = bytes(length)
    return bytes(out), values


def test_every_shipped_contract_is_deployed_and_the_verifiers_are_the_four_circuits():
    """What ships is what a deployment holds: the registry and its library, the ledger with a verifier
    per circuit of circuits/manifest.json but the batch claim's, and the passport with that one."""
    assert set(DEPLOYED_AT) == set(SHIPPED_CONTRACTS)
    manifest = json.loads((Path(__file__).resolve().parents[1] / "circuits" / "manifest.json").read_text())
    circuits = set(manifest["circuits"])
    verifiers = {name for name in SHIPPED_CONTRACTS if name.endswith("Verifier")}
    assert circuits == {"origin", "custody", "note_transform", "pack_batch"}
    assert verifiers == {"".join(part.title() for part in circuit.split("_")) + "Verifier" for circuit in circuits}


def test_the_standard_input_is_self_contained_and_names_the_build_settings():
    source = load_standard_input()
    assert set(source) == {"language", "sources", "settings"}
    assert source["language"] == "Solidity"
    assert all(set(entry) == {"content"} for entry in source["sources"].values())
    assert all("metadata" in outputs["*"] for outputs in source["settings"]["outputSelection"].values())
    assert not any(unit.startswith(("bench/", "tests/")) for unit in source["sources"])


@pytest.mark.parametrize("name", SHIPPED_CONTRACTS)
def test_the_metadata_lists_sources_the_input_holds_with_the_same_hash(name):
    metadata = json.loads(load_metadata(name))
    source = load_standard_input()
    assert metadata["language"] == "Solidity"
    assert metadata["compiler"]["version"].startswith(f"{SOLC_VERSION}+commit.")
    assert list(metadata["settings"]["compilationTarget"].values()) == [name]
    for setting in ("optimizer", "evmVersion"):
        assert metadata["settings"][setting] == source["settings"][setting]
    assert [remapping.lstrip(":") for remapping in metadata["settings"]["remappings"]] == source["settings"]["remappings"]
    for unit, entry in metadata["sources"].items():
        assert unit in source["sources"], f"{name}'s metadata needs {unit}"
        content = source["sources"][unit]["content"].encode()
        assert entry["keccak256"] == "0x" + keccak(content).hex()


@pytest.mark.parametrize("name", SHIPPED_CONTRACTS)
def test_recompiling_the_standard_input_gives_the_shipped_bytecode_and_metadata(recompiled, name):
    shipped = load(name)
    assert recompiled.artifacts[name].bytecode == shipped.bytecode
    assert recompiled.artifacts[name].deployed_bytecode == shipped.deployed_bytecode
    assert recompiled.artifacts[name].abi == shipped.abi
    assert recompiled.metadata[name] == load_metadata(name)
    # What Etherscan calls the contract name and Sourcify the contractIdentifier: `<unit>:<name>`.
    assert json.loads(load_metadata(name))["settings"]["compilationTarget"] == {recompiled.source_units[name]: name}


@pytest.mark.parametrize("name", SHIPPED_CONTRACTS)
def test_the_bytecode_commits_to_the_shipped_metadata_file(name):
    artifact = load(name)
    # A contract that links libraries holds placeholders until deployed: link zeros (the tail is after them).
    runtime = artifact.linked_runtime(dict.fromkeys(artifact.libraries, _ZERO_ADDRESS))
    tail = cbor_tail(bytes.fromhex(runtime[2:]))
    assert tail["ipfs"] == ipfs_hash(load_metadata(name).encode())
    assert tail["solc"] == bytes(int(part) for part in SOLC_VERSION.split("."))


@pytest.mark.parametrize("name", SHIPPED_CONTRACTS)
def test_the_code_on_chain_is_the_recompiled_runtime_code_up_to_immutables(session_world: World, recompiled, name):
    deployment = session_world.deployment
    on_chain = bytes(session_world.chain.w3.eth.get_code(to_checksum_address(getattr(deployment, DEPLOYED_AT[name]))))
    compiled = bytes.fromhex(recompiled.artifacts[name].linked_runtime(deployment.libraries)[2:])
    references = recompiled.immutable_references[name]
    assert bool(references) == (name in IMMUTABLE_ADDRESSES)

    code, values = masked(on_chain, references)
    if name in LIBRARIES:
        assert code[0] == 0x73 and code[1:21] == bytes.fromhex(getattr(deployment, DEPLOYED_AT[name])[2:])
        code = code[:1] + bytes(20) + code[21:]
    assert len(on_chain) == len(compiled)
    if code != compiled:
        tail = 2 + int.from_bytes(compiled[-2:], "big")
        where = "only in the CBOR metadata tail" if code[:-tail] == compiled[:-tail] else "in the code itself"
        pytest.fail(f"{name} on chain differs from the recompiled runtime code {where}")

    if name in IMMUTABLE_ADDRESSES:
        assert all(len(found) == 1 for found in values.values()), "an immutable holds two values"
        stored = {to_checksum_address(next(iter(found))[-20:]) for found in values.values()}
        expected = {to_checksum_address(getattr(deployment, attribute)) for attribute in IMMUTABLE_ADDRESSES[name]}
        assert stored == expected

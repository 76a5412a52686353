"""Shared fixtures: a real anvil, the deployed contracts, role-named participants, one prover and
one relayer.

The chain is set up once per session (deploy, register, certify) and every test runs between an
``evm_snapshot`` and an ``evm_revert``, so tests are independent and the set-up is paid once. Every
participant's material operations go through the session's relayer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.sdk.relayer import LocalRelayer, RelayerClient
from batterytrace.zk.prover import Prover
from tests.helpers.flows import deliver, mint_at
from tests.helpers.relayer import relayer_settings
from tests.helpers.sandbox import World, build_world


@pytest.fixture(scope="session")
def anvil() -> Iterator[LocalNode]:
    with LocalNode() as node:
        yield node


@pytest.fixture(scope="session")
def chain(anvil: LocalNode) -> Chain:
    return Chain(anvil.url)


@pytest.fixture(scope="session")
def prover() -> Iterator[Prover]:
    with Prover() as shared:
        yield shared


@pytest.fixture(scope="session")
def session_relayer(chain: Chain, prover: Prover, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, LocalRelayer]]:
    """The session's world and a relayer over its shielded ledger (tests' snapshots and reverts move
    the relayer account's nonce back with the chain, which it reads for every transaction)."""
    world = build_world(chain, prover)
    work_dir = tmp_path_factory.mktemp("relayer")
    with LocalRelayer(relayer_settings(chain.rpc_url, world.deployment, work_dir), work_dir) as running:
        client = RelayerClient(running.url)
        for participant in world.clients.values():
            participant.relayer = client
        yield world, running


@pytest.fixture(scope="session")
def session_world(session_relayer: tuple[World, LocalRelayer]) -> World:
    return session_relayer[0]


@contextmanager
def isolated(world: World) -> Iterator[World]:
    """``world`` between an ``evm_snapshot`` and an ``evm_revert``, every client with a fresh note
    store; the chain and the stores are as before afterwards."""
    chain = world.chain
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
    stores = {name: client.notes for name, client in world.clients.items()}
    for client in world.clients.values():
        client.notes = None
    try:
        yield world
    finally:
        chain.w3.provider.make_request("evm_revert", [snapshot])
        for name, client in world.clients.items():
            client.notes = stores[name]


@pytest.fixture
def world(session_world: World) -> Iterator[World]:
    """The session's deployed world, reverted to its set-up state after the test."""
    with isolated(session_world) as isolated_world:
        yield isolated_world


@pytest.fixture
def refinery_stock(world):
    """Two certified mine bags and one flagged artisanal bag, held by the refinery."""
    bags = [
        mint_at(world, "miner", "TFM-T-1"),
        mint_at(world, "miner", "TFM-T-2", cobalt_grams=650_000, total_grams=1_900_000, co2e_grams=6_000_000),
        mint_at(world, "artisanal_miner", "ASM-T-1", cobalt_grams=60_000, total_grams=200_000, co2e_grams=300_000),
    ]
    for bag in bags:
        deliver(world, bag.lot_id, "miner" if bag.lot_id != bags[2].lot_id else "artisanal_miner", "refiner")
    return bags


@pytest.fixture(scope="session")
def relayer(session_relayer: tuple[World, LocalRelayer]) -> LocalRelayer:
    """The session's relayer (every world client already submits through it)."""
    return session_relayer[1]

"""Shared fixtures: a real anvil, the deployed contracts, role-named participants, one prover.

The chain is set up once per session (deploy, register, certify) and every test runs between an
``evm_snapshot`` and an ``evm_revert``, so tests are independent and the set-up is paid once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from batterytrace.chain import Chain
from batterytrace.node import LocalNode
from batterytrace.prover import Prover
from batterytrace.sandbox import World, build_world
from batterytrace.store import OpeningStore


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
def session_world(chain: Chain, prover: Prover) -> World:
    return build_world(chain, prover)


@contextmanager
def isolated(world: World) -> Iterator[World]:
    """``world`` between an ``evm_snapshot`` and an ``evm_revert``, every client with a fresh opening
    store; the chain and the stores are as before afterwards."""
    chain = world.chain
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
    stores = {name: client.store for name, client in world.clients.items()}
    for client in world.clients.values():
        client.store = OpeningStore(":memory:")
    try:
        yield world
    finally:
        chain.w3.provider.make_request("evm_revert", [snapshot])
        for name, client in world.clients.items():
            client.store = stores[name]


@pytest.fixture
def world(session_world: World) -> Iterator[World]:
    """The session's deployed world, reverted to its set-up state after the test."""
    with isolated(session_world) as isolated_world:
        yield isolated_world

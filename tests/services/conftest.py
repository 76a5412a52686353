"""Fixtures of the relayer's tests: a real relayer process (uvicorn) on a free port in front of the
session's anvil and the sandbox's deployed ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batterytrace.sdk.relayer import LocalRelayer
from tests.helpers.relayer import relayer_settings


@pytest.fixture(scope="module")
def relayer(session_world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRelayer]:
    """One relayer for a module's tests (it keeps no state of its own between requests)."""
    work_dir = tmp_path_factory.mktemp("relayer")
    with LocalRelayer(relayer_settings(session_world.chain.rpc_url, session_world.deployment, work_dir), work_dir) as running:
        yield running

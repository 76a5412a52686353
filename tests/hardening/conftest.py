"""Fixtures of the hardening tests (their helpers live in tests/helpers/hardening.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers.relayer import ledger_of
from tests.helpers.shielded import Ledger


@pytest.fixture
def ledger_now(world) -> Callable[[], Ledger]:
    """``ledger_now()``: the world's shielded ledger with its note tree as the chain holds it at that
    moment, for custody steps built and proven by hand (tests/helpers/shielded.py's ``step``) and
    sent when the test chooses."""

    def build() -> Ledger:
        ledger = ledger_of(world)
        for log in ledger.contract.events.NoteCreated().get_logs(from_block=world.deployment.block_number):
            ledger.notes.insert(log["args"]["commitment"])
        return ledger

    return build

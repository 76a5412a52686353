"""The resolver load test's short version: the public tier stays correct under load, and no
restricted tier leaks while participants sign in concurrently (bench/resolver_load.py; no timing
is asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "bench"))

import resolver_load  # noqa: E402


def test_under_load_every_public_answer_is_right_and_no_tier_leaks(served):
    expected = {served.path(serial): served.documents[serial]["passportIdentifier"] for serial in ("RES-1", "RES-2")}
    readers = {"recycler": resolver_load.Reader(served.signers["recycler"], frozenset({"legitimateInterest"})),
               "authority": resolver_load.Reader(served.signers["authority"], frozenset({"authorities"})),
               "miner": resolver_load.Reader(served.signers["miner"], frozenset())}
    result = resolver_load.public_tier_load(served.url, expected, seconds=3, concurrency=4, readers=readers,
                                            tier_path=served.path("RES-1"))
    assert result["requests"] > 0 and result["wrong"] == 0
    restricted = result["restricted"]
    assert restricted["sign_ins"] >= len(readers) and restricted["wrong"] == 0 and restricted["leaks"] == 0

"""Fixtures of the passport tests: ``issueFromNotes`` calls built by hand, as an attacker (or an SDK
that skips its checks) would send them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from batterytrace.model.passports import passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.pack_claim import PackClaims
from tests.helpers.flows import CAPACITY_WH

#: What the SDK forbids by default: child labour, human rights, conflict area.
FLAGS = int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA)

#: (requests, proofs) of an ``issueFromNotes`` call.
IssueArguments = tuple[list[tuple], list[tuple]]


@pytest.fixture
def issue_arguments(world) -> Callable[..., IssueArguments]:
    """``issue_arguments(who, pack, battery, claims=None, bound_to=None)``: the ``issueFromNotes``
    arguments the SDK would send for ``battery`` from ``who``'s pack lot ``pack``, with an honest
    pack-claim proof of ``claims`` (the tightest by default) bound to the passport of ``battery``, or
    of the battery ``bound_to`` when given. Nothing is sent."""

    def build(who: str, pack: int, battery: str, claims: PackClaims | None = None,
              bound_to: str | None = None) -> IssueArguments:
        ledger = world.clients[who].shielded
        claims = claims or PackClaims.tightest(ledger.lot(pack).note, CAPACITY_WH, FLAGS)
        passport_id = passport_id_for(bound_to or battery)
        redemption = ledger.pack_redemption(pack, claims, world.deployment.passport, passport_id.to_bytes(32, "big"))
        request = (battery, "https://passports.example/by-hand", b"\x11" * 32, bytes(32), bytes(32), redemption.request)
        return [request], [redemption.proof]

    return build

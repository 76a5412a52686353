"""Fixtures of the passport tests: ``issueBatch`` calls built by hand, as an attacker (or an SDK that
skips its checks) would send them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from batterytrace.model.passports import passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.contexts import batch_context, records_hash
from batterytrace.zk.pack_batch import BatchClaims
from tests.helpers.flows import CAPACITY_WH, battery_id

#: What the SDK forbids by default: child labour, human rights, conflict area.
FLAGS = int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA)

#: (request, entries, proof) of an ``issueBatch`` call.
BatchArguments = tuple[tuple, list[tuple], tuple]


def entry_of(battery: str, grams, document_hash: bytes = b"\x11" * 32) -> tuple:
    return (battery, list(grams), document_hash, bytes(32), bytes(32))


@pytest.fixture
def batch_arguments(world) -> Callable[..., BatchArguments]:
    """``batch_arguments(who, serials, claims=None, issuer="pack_maker", batteries=None)``: the
    ``issueBatch`` arguments the SDK would send from ``who`` for the batteries ``serials`` (under
    ``issuer``'s prefix; or the battery ids ``batteries``), with an honest batch proof of ``claims`` (the tightest by default) over ``who``'s packs
    made under those ids. Nothing is sent."""

    def build(who: str, serials: list[str] = (), claims: BatchClaims | None = None, issuer: str = "pack_maker",
              batteries: list[str] | None = None) -> BatchArguments:
        client = world.clients[who]
        ledger = client.shielded
        batteries = batteries or [battery_id(serial, issuer) for serial in serials]
        ids = [passport_id_for(battery) for battery in batteries]
        notes = [ledger.lot(passport_id).note for passport_id in ids]
        claims = claims or BatchClaims.tightest(notes, CAPACITY_WH, FLAGS)
        entries = [entry_of(battery, [metal.grams for metal in note.values.metals]) for battery, note in zip(batteries, notes)]
        records = records_hash([(passport_id, tuple(entry[1]), *entry[2:]) for passport_id, entry in zip(ids, entries)])
        context = batch_context(world.chain.chain_id, world.deployment.passport, client.address, records)
        note_root, participants_root, proof = ledger.pack_batch_proof(ids, claims, context)
        return (note_root, participants_root, claims.as_abi()), entries, proof.solidity_proof()

    return build

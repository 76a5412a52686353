"""A passport batch's records hash and context as the SDK computes them equal the passport contract's
(its ``recordsHash``, and the context its verifier is handed, tests/ledger/test_ledger_signals.py),
and the context differs by chain, contract, issuer and records."""

from __future__ import annotations

from batterytrace.model.passports import passport_id_for
from batterytrace.zk.contexts import batch_context, records_hash
from tests.helpers.flows import battery_id

ENTRIES = [(battery_id("CTX-1"), [5_250, 1_100, 42_000], b"\x11" * 32, b"\xa1" * 32, bytes(32)),
           (battery_id("CTX-2"), [2**24 - 1, 0, 1], b"\x12" * 32, bytes(32), b"\xb2" * 32)]


def _records(entries):
    return records_hash([(passport_id_for(entry[0]), tuple(entry[1]), *entry[2:]) for entry in entries])


def test_the_records_hash_matches_the_passport_contract(world):
    passport = world.chain.contract("BatteryPassport", world.deployment.passport)
    for entries in (ENTRIES, ENTRIES[:1], ENTRIES[::-1], []):
        assert world.chain.call(passport.functions.recordsHash(entries)) == _records(entries)


def test_batch_contexts_differ_by_chain_contract_issuer_and_records(world):
    chain_id, passport, issuer = world.chain.chain_id, world.deployment.passport, world.pack_maker.address
    records = _records(ENTRIES)
    base = batch_context(chain_id, passport, issuer, records)
    assert base < 2**248
    assert base != batch_context(chain_id + 1, passport, issuer, records)
    assert base != batch_context(chain_id, world.deployment.ledger, issuer, records)
    assert base != batch_context(chain_id, passport, world.oem.address, records)
    assert base != batch_context(chain_id, passport, issuer, _records(ENTRIES[::-1]))

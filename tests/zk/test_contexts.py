"""The pack context the SDK computes equals the one the shielded ledger recomputes, and differs by
chain, ledger, passport contract and binding."""

from __future__ import annotations

from batterytrace.zk.contexts import pack_context


def test_pack_context_matches_the_ledger(world):
    ledger = world.chain.contract("ShieldedLedger", world.deployment.ledger)
    for passport_contract, binding in ((world.deployment.passport, bytes(32)), (world.deployment.registry, b"\xff" * 32)):
        expected = world.chain.call(ledger.functions.packContext(passport_contract, binding))
        assert pack_context(world.chain.chain_id, world.deployment.ledger, passport_contract, binding) == expected


def test_pack_contexts_differ_by_chain_contract_and_binding(world):
    chain_id, ledger, passport = world.chain.chain_id, world.deployment.ledger, world.deployment.passport
    base = pack_context(chain_id, ledger, passport, bytes(32))
    assert base != pack_context(chain_id + 1, ledger, passport, bytes(32))
    assert base != pack_context(chain_id, passport, passport, bytes(32))
    assert base != pack_context(chain_id, ledger, ledger, bytes(32))
    assert base != pack_context(chain_id, ledger, passport, b"\x01".rjust(32, b"\0"))

"""The proof contexts the SDK computes equal the ones the contracts recompute, for every circuit."""

from __future__ import annotations

from batterytrace.zk.contexts import claim_context, mint_context, transform_context


def test_mint_context_matches_the_lots_contract(world):
    lots = world.miner.lots
    for lot_id in (0, 1, 2**255 + 17):
        assert mint_context(world.chain.chain_id, world.deployment.lots, lot_id) == lots.functions.mintContext(lot_id).call()


def test_transform_context_matches_the_lots_contract(world):
    lots = world.refiner.lots
    for inputs, outputs, facility in (([1], [2], 3), ([1, 2, 3, 4], [5, 6], 2**32 - 1), ([], [], 0)):
        expected = lots.functions.transformContext(inputs, outputs, facility).call()
        assert transform_context(world.chain.chain_id, world.deployment.lots, inputs, outputs, facility) == expected


def test_claim_context_matches_the_passport_contract(world):
    passports = world.pack_maker.passports
    for passport_id, pack in ((1, 2), (2**256 - 1, 0)):
        expected = passports.functions.claimContext(passport_id, pack).call()
        assert claim_context(world.chain.chain_id, world.deployment.passport, passport_id, pack) == expected


def test_contexts_differ_by_operation_chain_and_contract(world):
    chain_id, lots = world.chain.chain_id, world.deployment.lots
    assert mint_context(chain_id, lots, 1) != mint_context(chain_id + 1, lots, 1)
    assert mint_context(chain_id, lots, 1) != mint_context(chain_id, world.deployment.passport, 1)
    assert mint_context(chain_id, lots, 1) != claim_context(chain_id, lots, 1, 0)

"""A transform whose relaying failed can be run again under the same output ids, and a transform that
landed, run again, returns its outputs.

Output tags are derived from the job (``output_tag``: the actor's secret, the site, the ERP's output
id), so ``BatteryTrace.transform`` finds a landed job's outputs in the note store before proving;
a job that never landed proves afresh, its inputs still unspent.
"""

from __future__ import annotations

import pytest

from batterytrace.exceptions import ChainError, ProofError
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from tests.helpers.flows import deliver, mint_at


@pytest.fixture
def bag(world) -> int:
    bag = mint_at(world, "miner", "RETRY-BAG").lot_id
    deliver(world, bag, "miner", "refiner")
    return bag


def test_a_transform_whose_relaying_failed_can_be_retried_and_a_landed_one_is_not_run_twice(world, bag, monkeypatch):
    plans = [OutputPlan("RETRY-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 700_000, 1_000_000)]
    facility = world.facilities["refiner"].facility_id

    def relayer_unreachable(to, calldata):
        raise ChainError("no relayer answers at http://127.0.0.1:1: ConnectError")

    with monkeypatch.context() as patch:
        patch.setattr(world.refiner.relayer, "submit", relayer_unreachable)
        with pytest.raises(ChainError):
            world.refiner.transform([bag], plans, facility)
    assert world.refiner.lot(bag).status is LotStatus.ACTIVE
    result = world.refiner.transform([bag], plans, facility)
    assert world.refiner.lot(result.output_lot_ids[0]).status is LotStatus.ACTIVE
    assert world.refiner.lot(bag).status is LotStatus.CONSUMED
    block = world.chain.w3.eth.block_number
    assert world.refiner.transform([bag], plans, facility) == result
    assert world.chain.w3.eth.block_number == block


def test_two_outputs_with_one_external_id_are_refused_before_proving(world, bag):
    twice = [OutputPlan("DUP-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 350_000, 1_000_000)] * 2
    block = world.chain.w3.eth.block_number
    with pytest.raises(ProofError, match="the same output id twice"):
        world.refiner.transform([bag], twice, world.facilities["refiner"].facility_id)
    assert world.chain.w3.eth.block_number == block
    assert world.refiner.lot(bag).status is LotStatus.ACTIVE

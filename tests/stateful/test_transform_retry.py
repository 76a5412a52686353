"""A transformation whose sending failed can be sent again under the same output ids.

``BatteryTrace.transform`` keeps the outputs' openings before it proves and sends (so a crash after
the send cannot lose them); a retry after a failed send reuses them instead of being refused.
"""

from __future__ import annotations

import pytest

from batterytrace.exceptions import ChainError, LotStateError
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from tests.helpers.flows import deliver, mint_at


def test_a_transform_whose_send_failed_can_be_retried(world, monkeypatch):
    bag = mint_at(world, "miner", "RETRY-BAG")
    deliver(world, bag.lot_id, "miner", "refiner")
    plans = [OutputPlan("RETRY-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 700_000, 1_000_000)]
    facility = world.facilities["refiner"].facility_id

    def node_refuses(function, description):
        raise ChainError(f"{description}: the node refused the transaction: connection reset")

    with monkeypatch.context() as patch:
        patch.setattr(world.refiner, "send", node_refuses)
        with pytest.raises(ChainError):
            world.refiner.transform([bag.lot_id], plans, facility)
    result = world.refiner.transform([bag.lot_id], plans, facility)
    assert world.refiner.lot(result.output_lot_ids[0]).status is LotStatus.ACTIVE


def test_two_outputs_with_one_external_id_are_refused_before_anything_is_stored(world):
    bag = mint_at(world, "miner", "DUP-BAG")
    deliver(world, bag.lot_id, "miner", "refiner")
    twice = [OutputPlan("DUP-OUT", MaterialKind.CRUDE_COBALT_SULFATE, 350_000, 1_000_000)] * 2
    with pytest.raises(LotStateError):
        world.refiner.transform([bag.lot_id], twice, world.facilities["refiner"].facility_id)
    assert world.refiner.store.get(world.chain.chain_id, world.deployment.lots, lot_id_for(world.refiner.address, "DUP-OUT")) is None

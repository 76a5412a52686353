"""Audit finding 6 (issue 13): a processor could declare no process emissions at all. The auditor
sets a floor of process CO2e per kg of material processed at each site, in the site's leaf of the
registry's facilities tree, and the note transform circuit proves the declaration reaches it.

The SDK refuses a declaration below the floor before proving (the circuit's twin,
zk/note_transform.py). The attacks skip that check: the refinery's own twin ignores the floor, and
the circuit has no witness; or the refinery proves the job before the auditor raised the floor and
relays it after, and the ledger no longer knows the facilities root it was proven against."""

from __future__ import annotations

from dataclasses import replace

import pytest

import batterytrace.sdk.shielded as shielded_module
from batterytrace.exceptions import ProcessCo2eBelowFloorError, ProverError, RevertedError, UnknownLotError
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from tests.conftest import isolated
from tests.helpers.flows import refinery, refinery_stocked

# The bag: 700 kg of cobalt in 2 t of hydroxide. At the auditor's 250 g CO2e per kg processed,
# refining it emits 500 kg CO2e at least.
FLOOR_GRAMS_PER_KG = 250
PROCESSED_GRAMS = 2_000_000
AT_THE_FLOOR = 500_000


def crude(external_id: str) -> list[OutputPlan]:
    return [OutputPlan(external_id, MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)]


@pytest.fixture(scope="module")
def stocked(session_world):
    """A mine's bag the refinery took in, made once for the module."""
    with refinery_stocked(session_world, "FLOOR-BAG") as bag:
        yield bag


@pytest.fixture
def bag(stocked, world):
    return stocked


def raise_the_floor(world) -> int:
    site = refinery(world)
    loss = world.refiner.facility(site).max_yield_loss_bps
    world.auditor.set_process_parameters(site, loss, co2e_floor_grams_per_kg=FLOOR_GRAMS_PER_KG)
    assert world.refiner.facility(site).co2e_floor_grams_per_kg == FLOOR_GRAMS_PER_KG
    return site


def test_the_sdk_refuses_process_co2e_below_the_floor_per_kg_processed_before_proving(world, bag):
    site = raise_the_floor(world)
    before = world.chain.w3.eth.block_number
    with pytest.raises(ProcessCo2eBelowFloorError, match=f"for {PROCESSED_GRAMS} g of material processed is below the "
                                                         f"facility's audited floor of {FLOOR_GRAMS_PER_KG} g per kg"):
        world.refiner.transform([bag.lot_id], crude("CRUDE-LOW"), site, process_co2e_grams=AT_THE_FLOOR - 1)
    # 175 kg would clear 250 g/kg of the 700 kg of cobalt, not of the 2 t of hydroxide refined.
    with pytest.raises(ProcessCo2eBelowFloorError, match="below the facility's audited floor"):
        world.refiner.transform([bag.lot_id], crude("CRUDE-COBALT-ONLY"), site, process_co2e_grams=175_000)
    assert world.chain.w3.eth.block_number == before
    assert world.refiner.lot(bag.lot_id).status is LotStatus.ACTIVE


def test_the_circuit_has_no_witness_below_the_sites_floor(world, bag, monkeypatch):
    site = raise_the_floor(world)
    honest_twin = shielded_module.transform_notes

    def floor_ignored(inputs, actor, site, outputs, process_co2e_grams):
        return honest_twin(inputs, actor, replace(site, co2e_floor_grams_per_kg=0), outputs, process_co2e_grams)

    monkeypatch.setattr(shielded_module, "transform_notes", floor_ignored)
    with pytest.raises(ProverError):
        world.refiner.transform([bag.lot_id], crude("CRUDE-LOW"), site, process_co2e_grams=AT_THE_FLOOR - 1)
    assert world.refiner.lot(bag.lot_id).status is LotStatus.ACTIVE


def test_a_job_proven_before_the_floor_was_raised_is_refused_after(world, bag):
    site = refinery(world)
    with isolated(world):  # the job lands under no floor; then the chain goes back to before it
        [crude_lot] = world.refiner.transform([bag.lot_id], crude("CRUDE-ZERO"), site, process_co2e_grams=0).output_lot_ids
        landed = world.refiner.shielded.lot(crude_lot).transaction
        calldata = world.chain.w3.eth.get_transaction(landed)["input"]
    raise_the_floor(world)
    with pytest.raises(RevertedError) as refused:
        world.refiner.relayer.submit(world.deployment.ledger, bytes(calldata))
    assert refused.value.error_name == "LedgerUnknownRoot"
    assert world.refiner.lot(bag.lot_id).status is LotStatus.ACTIVE
    with pytest.raises(UnknownLotError):
        world.refiner.lot(crude_lot)


def test_the_sdk_transforms_at_the_floor_and_carries_the_process_co2e(world, bag):
    site = raise_the_floor(world)
    result = world.refiner.transform([bag.lot_id], crude("CRUDE-OK"), site, process_co2e_grams=AT_THE_FLOOR)
    assert result.notes[0].values.co2e_grams == 7_000_000 + AT_THE_FLOOR
    assert world.refiner.lot(result.output_lot_ids[0]).note == result.notes[0]
    assert world.refiner.lot(bag.lot_id).status is LotStatus.CONSUMED

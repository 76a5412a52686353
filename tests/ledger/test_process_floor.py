"""Audit finding 6 (issue 13): a processor could declare no process emissions at all. The auditor
now sets a floor of process CO2e per kg of material processed at each site, and the transform
circuit proves the declaration reaches it, against the floor the contract reads from the registry.

The SDK refuses a declaration below the floor before proving. The attacks skip the SDK: the
refinery builds the witness itself, and either proves it for the site's real floor (the circuit has
no witness) or for a floor of its choosing, sent straight to the contract (the public signal is not
the registry's, so the verifier refuses)."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import ProcessCo2eBelowFloorError, ProofInvalidError, ProverError
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import CustodyModel, LotStatus, MaterialKind, OutputPlan
from batterytrace.model.transformation import allocate_outputs
from batterytrace.zk.inputs import transform_inputs
from tests.helpers.flows import refinery

# The first bag of refinery_stock: 700 kg of cobalt in 2 t of hydroxide. At the auditor's 250 g CO2e
# per kg processed, refining it emits 500 kg CO2e at least.
FLOOR_GRAMS_PER_KG = 250
PROCESSED_GRAMS = 2_000_000
AT_THE_FLOOR = 500_000


def crude(external_id: str) -> OutputPlan:
    return OutputPlan(external_id, MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)


@pytest.fixture
def floored_refinery(world) -> int:
    site = refinery(world)
    loss = world.refiner.facility(site).max_yield_loss_bps
    world.auditor.set_process_parameters(site, loss, co2e_floor_grams_per_kg=FLOOR_GRAMS_PER_KG)
    assert world.refiner.facility(site).co2e_floor_grams_per_kg == FLOOR_GRAMS_PER_KG
    return site


def hand_made_transform(world, lot_id: int, external_id: str, process_co2e_grams: int, proven_floor: int):
    """The refinery's own transform of ``lot_id``, its arithmetic done without the SDK's floor check,
    proven for ``proven_floor``; returns the contract call and the output's lot id."""
    client, site = world.refiner, refinery(world)
    loss = client.facility(site).max_yield_loss_bps
    opening = client.opening(lot_id)
    plan = crude(external_id)
    [output] = allocate_outputs([opening], [plan], process_co2e_grams, loss)
    output_id = lot_id_for(client.address, external_id)
    context = client.lots.functions.transformContext([lot_id], [output_id], site).call()
    proof = client.prover.prove("transform", transform_inputs(
        [opening], [output], loss, process_co2e_grams, context, process_co2e_floor_grams_per_kg=proven_floor))
    a, b, c, _signals = proof.solidity_args()
    spec = (bytes32_text(external_id), int(plan.kind), int(CustodyModel.SEGREGATED), bytes(32), output.commitment, b"")
    return client.lots.functions.transform(([lot_id], [spec], site, process_co2e_grams), (a, b, c)), output_id


def test_the_sdk_refuses_process_co2e_below_the_floor_before_proving(world, refinery_stock, floored_refinery):
    bag = refinery_stock[0]
    with pytest.raises(ProcessCo2eBelowFloorError, match="below the facility's audited floor") as refused:
        world.refiner.transform([bag.lot_id], [crude("CRUDE-LOW")], floored_refinery, process_co2e_grams=AT_THE_FLOOR - 1)
    error = refused.value
    assert (error.process_co2e_grams, error.processed_grams, error.floor_grams_per_kg) == (
        AT_THE_FLOOR - 1, PROCESSED_GRAMS, FLOOR_GRAMS_PER_KG)
    assert isinstance(error, ValueError) and error.revert is None
    assert world.refiner.lot(bag.lot_id).status is LotStatus.ACTIVE


def test_the_floor_is_per_kg_processed_not_per_kg_of_cobalt(world, refinery_stock, floored_refinery):
    # 175 kg would clear 250 g/kg of the 700 kg of cobalt, not of the 2 t of hydroxide refined.
    with pytest.raises(ProcessCo2eBelowFloorError):
        world.refiner.transform([refinery_stock[0].lot_id], [crude("CRUDE-COBALT-ONLY")], floored_refinery,
                                process_co2e_grams=175_000)


def test_the_circuit_has_no_witness_below_the_sites_floor(world, refinery_stock, floored_refinery):
    with pytest.raises(ProverError):
        hand_made_transform(world, refinery_stock[0].lot_id, "CRUDE-LOW", AT_THE_FLOOR - 1, FLOOR_GRAMS_PER_KG)


def test_a_proof_for_a_lower_floor_is_refused_on_chain(world, refinery_stock, floored_refinery):
    function, output_id = hand_made_transform(world, refinery_stock[0].lot_id, "CRUDE-ZERO", 0, proven_floor=0)
    with pytest.raises(ProofInvalidError) as refused:
        world.refiner.send(function, "transform proven for no floor")
    assert refused.value.error_name == "ProofInvalid"
    assert not world.refiner.lot_exists(output_id)
    assert world.refiner.lot(refinery_stock[0].lot_id).status is LotStatus.ACTIVE


def test_a_hand_made_proof_at_the_floor_is_accepted(world, refinery_stock, floored_refinery):
    """The control of the two attacks above: the same hand-made request, at the floor, goes through."""
    function, output_id = hand_made_transform(world, refinery_stock[0].lot_id, "CRUDE-FLOOR", AT_THE_FLOOR,
                                              FLOOR_GRAMS_PER_KG)
    world.refiner.send(function, "transform at the floor")
    assert world.refiner.lot(output_id).status is LotStatus.ACTIVE


def test_the_sdk_transforms_at_the_floor_and_carries_the_process_co2e(world, refinery_stock, floored_refinery):
    bag = refinery_stock[0]
    result = world.refiner.transform([bag.lot_id], [crude("CRUDE-OK")], floored_refinery, process_co2e_grams=AT_THE_FLOOR)
    assert result.openings[0].co2e_grams == 7_000_000 + AT_THE_FLOOR
    assert world.refiner.lot(bag.lot_id).status is LotStatus.CONSUMED

"""Proven transformations on chain: mass balance, proportional certified and recycled cobalt,
CO2e carried, inputs consumed, replays and non-custodians refused."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import LotStateError, NotCustodianError, OpeningError, ProofError, RevertedError
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.risk import RiskFlag
from batterytrace.model.transformation import allocate_outputs
from batterytrace.zk.commitment import Opening
from batterytrace.zk.inputs import transform_inputs
from tests.helpers.flows import refinery


def test_merge_conserves_cobalt_within_the_yield_loss_and_records_parents(world, refinery_stock):
    certified = refinery_stock[:2]
    result = world.refiner.transform(
        [bag.lot_id for bag in certified],
        [OutputPlan("CRUDE-1", MaterialKind.CRUDE_COBALT_SULFATE, 1_330_000, 6_342_000)],
        refinery(world), process_co2e_grams=1_000_000,
    )
    (output_id,) = result.output_lot_ids
    output = world.refiner.lot(output_id)
    assert set(output.parent_ids) == {bag.lot_id for bag in certified}
    assert output.commitment == result.openings[0].commitment
    assert result.openings[0].certified_cobalt_grams == 1_330_000
    assert result.openings[0].co2e_grams == 7_000_000 + 6_000_000 + 1_000_000
    for bag in certified:
        assert world.refiner.lot(bag.lot_id).status is LotStatus.CONSUMED


def test_split_shares_certified_cobalt_and_co2e_in_proportion(world, refinery_stock):
    bag = refinery_stock[0]
    result = world.refiner.transform(
        [bag.lot_id],
        [OutputPlan("SPLIT-A", MaterialKind.CRUDE_COBALT_SULFATE, 400_000, 1_907_000),
         OutputPlan("SPLIT-B", MaterialKind.CRUDE_COBALT_SULFATE, 299_000, 1_426_000)],
        refinery(world), process_co2e_grams=0,
    )
    a, b = result.openings
    assert a.certified_cobalt_grams + b.certified_cobalt_grams <= 700_000
    assert a.co2e_grams + b.co2e_grams >= 7_000_000
    assert a.co2e_grams == -(-7_000_000 * 400_000 // 699_000)


def test_flags_of_any_input_reach_every_output(world, refinery_stock):
    result = world.refiner.transform(
        [refinery_stock[1].lot_id, refinery_stock[2].lot_id],
        [OutputPlan("MIXED-1", MaterialKind.CRUDE_COBALT_SULFATE, 700_000, 3_338_000)],
        refinery(world),
    )
    assert result.openings[0].risk_flags == RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL
    assert result.openings[0].certified_cobalt_grams == 650_000 * 700_000 // 710_000


def test_creating_cobalt_is_refused_before_proving(world, refinery_stock):
    with pytest.raises(OpeningError, match="cannot be created"):
        world.refiner.transform([refinery_stock[0].lot_id],
                                [OutputPlan("MORE", MaterialKind.CRUDE_COBALT_SULFATE, 800_000, 3_000_000)], refinery(world))


def test_losing_more_than_the_audited_yield_loss_is_refused(world, refinery_stock):
    with pytest.raises(OpeningError, match="maximum yield loss"):
        world.refiner.transform([refinery_stock[0].lot_id],
                                [OutputPlan("LOSSY", MaterialKind.CRUDE_COBALT_SULFATE, 600_000, 3_000_000)], refinery(world))


def test_a_non_custodian_cannot_transform(world, refinery_stock):
    with pytest.raises(NotCustodianError, match="held by"):
        world.cathode_maker.transform([refinery_stock[0].lot_id],
                                      [OutputPlan("STOLEN", MaterialKind.CATHODE, 690_000, 11_000_000)],
                                      world.facilities["cathode_maker"].facility_id)


def test_the_contract_refuses_a_transform_of_lots_the_caller_does_not_hold(world, refinery_stock):
    """A forged request straight to the contract, with a proof the cathode maker cannot make honestly."""
    bag = refinery_stock[0]
    lots = world.cathode_maker.lots
    output_id = lot_id_for(world.cathode_maker.address, "STOLEN")
    request = ([bag.lot_id], [(b"STOLEN".ljust(32, b"\0"), int(MaterialKind.CATHODE), 1, bytes(32), 1, b"")],
               world.facilities["cathode_maker"].facility_id, 0)
    proof = ([1, 2], [[3, 4], [5, 6]], [7, 8])
    with pytest.raises(RevertedError, match="LotsNotCustodian"):
        world.chain.transact(world.cathode_maker.signer, lots.functions.transform(request, proof), "forged transform")
    assert not world.cathode_maker.lot_exists(output_id)


def test_a_replayed_transform_proof_is_refused(world, refinery_stock):
    bag = refinery_stock[0]
    world.refiner.transform([bag.lot_id], [OutputPlan("ONCE", MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)], refinery(world))
    with pytest.raises(LotStateError, match="CONSUMED"):
        world.refiner.transform([bag.lot_id], [OutputPlan("TWICE", MaterialKind.CRUDE_COBALT_SULFATE, 699_000, 3_333_000)], refinery(world))


def test_a_proof_with_inflated_certified_cobalt_is_rejected_on_chain(world, refinery_stock):
    """The refinery proves a transform whose output claims certified cobalt its inputs lack:
    the honest circuit cannot prove it, so the cheat is an output commitment that differs from
    the proven one, which the verifier refuses."""
    artisanal = refinery_stock[2]
    client = world.refiner
    plan = OutputPlan("WASHED", MaterialKind.CRUDE_COBALT_SULFATE, 59_000, 281_000)
    opening_in = client.opening(artisanal.lot_id)
    honest = allocate_outputs([opening_in], [plan], 0, 500)[0]
    washed = Opening.new(cobalt_grams=honest.cobalt_grams, total_grams=honest.total_grams,
                              certified_cobalt_grams=honest.cobalt_grams, co2e_grams=honest.co2e_grams,
                              risk_flags=RiskFlag.NONE)
    output_id = lot_id_for(client.address, plan.external_id)
    context = client.lots.functions.transformContext([artisanal.lot_id], [output_id], refinery(world)).call()
    proof = client.prover.prove("transform", transform_inputs([opening_in], [honest], 500, 0, context))
    a, b, c, _ = proof.solidity_args()
    request = ([artisanal.lot_id], [(b"WASHED".ljust(32, b"\0"), int(plan.kind), 1, bytes(32), washed.commitment, b"")],
               refinery(world), 0)
    with pytest.raises(ProofError, match="ProofInvalid"):
        client.send(client.lots.functions.transform(request, (a, b, c)), "washed transform")

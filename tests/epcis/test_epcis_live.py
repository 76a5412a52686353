"""EPCIS against the live chain: the SDK's own events export, and a partner's document applies."""

from __future__ import annotations

import copy

from batterytrace.epcis import (
    ImportResolver,
    apply_plan,
    export_block_range,
    export_lot_history,
    plan_import,
    validate_epcis,
)
from batterytrace.model.lots import MaterialKind
from tests.helpers.flows import PARTNER_MINT


def test_minted_offered_and_accepted_lot_exports_its_history(world):
    bag = world.miner.mint_origin(world.facilities["miner"].facility_id, "EPCIS-BAG-1", MaterialKind.COBALT_HYDROXIDE,
                                  cobalt_grams=700_000, total_grams=2_000_000, co2e_grams=12_000_000)
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=2_000_100)
    doc = export_lot_history(world.refiner, bag.lot_id, include_confidential=True)
    validate_epcis(doc)
    steps = [(event["type"], event["bizStep"]) for event in doc["epcisBody"]["eventList"]]
    assert steps == [("ObjectEvent", "commissioning"), ("ObjectEvent", "shipping"), ("ObjectEvent", "receiving")]
    assert doc["epcisBody"]["eventList"][0]["quantityList"][0]["quantity"] == 2000.0


def test_partner_commissioning_document_mints_once(world):
    doc = copy.deepcopy(PARTNER_MINT)
    doc["epcisBody"]["eventList"][0]["bt:co2eKg"] = 12_000
    resolver = ImportResolver.for_client(world.miner, facility_glns={"5412345000013": world.facilities["miner"].facility_id})
    plan = plan_import(doc, resolver)
    start = world.chain.w3.eth.block_number + 1
    (minted,) = apply_plan(world.miner, plan)
    (again,) = apply_plan(world.miner, plan)
    assert (minted.created, again.created, again.lot_id) == (True, False, minted.lot_id)
    assert world.miner.opening(minted.lot_id).total_grams == 2_000_500
    exported = export_block_range(world.miner, start, world.chain.w3.eth.block_number)
    assert [event["bt:externalId"] for event in exported["epcisBody"]["eventList"]] == ["HYD-2026-0042"]

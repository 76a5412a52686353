"""Transforms and pack notes on the shielded ledger, through the world's clients and the session's
relayer (the custody steps and the origin mints are tests/ledger/test_custody.py and test_lots.py).
The pack maker turns a mine's bag into a pack (a note transform) made under its battery's id, so that
the pack's lot id is that battery's passport id; no transform spends a pack. A recycler's transform
outputs are new lots even where its ERP reuses a bag's id."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import LotStateError, ProofError
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.passports import passport_id_for
from tests.conftest import isolated
from tests.helpers.flows import battery_id, deliver, mint_at

BATTERY = battery_id("SDK-0001")


@pytest.fixture(scope="module")
def made(session_world):
    """A mine's bag made into a pack at the pack maker's plant, once for the module."""
    with isolated(session_world) as world:
        bag = mint_at(world, "miner", "TFM-2026-PACK")
        deliver(world, bag.lot_id, "miner", "pack_maker")
        plant = world.facilities["pack_maker"].facility_id
        yield world.pack_maker.transform([bag.lot_id], [OutputPlan(BATTERY, MaterialKind.PACK, 690_000, 450_000_000)], plant,
                                         process_co2e_grams=9_000_000)


@pytest.fixture
def pack(made, world):
    """The module's pack, in this test's snapshot of the chain: (its lot id, its note)."""
    return made.output_lot_ids[0], made.notes[0]


def test_a_transform_makes_a_pack_of_the_bags_certified_cobalt_and_all_its_co2e(world, pack):
    lot_id, note = pack
    values = note.values
    assert note.kind == int(MaterialKind.PACK) and (values.metals[0].grams, values.total_grams) == (690_000, 450_000_000)
    # Certified grams follow the cobalt, rounded down; CO2e is the bag's and the process's, all kept.
    assert values.metals[0].certified_grams == 700_000 * 690_000 // 700_000
    assert values.co2e_grams == 7_000_000 + 9_000_000
    lot = world.pack_maker.lot(lot_id)
    assert (lot.note, lot.kind, lot.custodian) == (note, MaterialKind.PACK, world.pack_maker.address)
    [node, bag] = world.auditor.genealogy(lot_id)
    assert node.parent_ids == (bag.lot_id,) and bag.status is LotStatus.CONSUMED


def test_a_pack_is_made_under_its_batterys_id_and_no_transform_spends_it(world, pack):
    lot_id, _note = pack
    assert lot_id == passport_id_for(BATTERY) == passport_id_for(BATTERY.replace("id.batterytrace.example", "other.example"))
    plant = world.facilities["pack_maker"].facility_id
    bag = mint_at(world, "miner", "TFM-2026-PACK-2")
    deliver(world, bag.lot_id, "miner", "pack_maker")
    # "pack-0002" is neither a Digital Link nor an ISO/IEC 15459 id (which starts with an upper-case letter).
    with pytest.raises(ProofError, match="a pack's output id is the id of its battery .* got 'pack-0002'"):
        world.pack_maker.transform([bag.lot_id], [OutputPlan("pack-0002", MaterialKind.PACK, 690_000, 450_000_000)], plant,
                                   process_co2e_grams=9_000_000)
    # Split, the pack's material could back a second passport: the twin refuses it here, the circuit
    # (its constraint TRANSFORM_PACK, tests/circuits/test_attacks_note_transform.py) for any prover.
    with pytest.raises(ProofError, match="input 1 is a battery pack: no transform spends one"):
        world.pack_maker.transform([lot_id], [OutputPlan(battery_id("SDK-0002"), MaterialKind.PACK, 345_000, 225_000_000),
                                              OutputPlan(battery_id("SDK-0003"), MaterialKind.PACK, 345_000, 225_000_000)],
                                   plant, process_co2e_grams=9_000_000)
    assert lot_id in [lot.lot_id for lot in world.pack_maker.lots_held()]


def test_a_recyclers_output_ids_are_apart_from_its_origin_ids_and_a_job_reusing_some_is_refused(world):
    """A recycler both mints and transforms, and its ERP may give a job's output the id of a bag it
    minted: the output is a new lot (its tag is of another domain), not the bag returned."""
    recycler = world.recycler
    site = world.facilities["recycler"].facility_id
    bag = recycler.mint_origin(site, "BM-0001", MaterialKind.BLACK_MASS, cobalt_grams=200_000, total_grams=2_500_000,
                               co2e_grams=200 * 1_500)
    [sulfate] = recycler.transform([bag.lot_id], [OutputPlan("BM-0001", MaterialKind.RECYCLED_COBALT_SULFATE, 194_000, 930_000)],
                                   site, process_co2e_grams=400_000).output_lot_ids
    assert sulfate != bag.lot_id and recycler.lot(sulfate).kind is MaterialKind.RECYCLED_COBALT_SULFATE
    assert recycler.lot(bag.lot_id).status is LotStatus.CONSUMED
    with pytest.raises(LotStateError, match="BM-0001 .* earlier job"):
        recycler.transform([sulfate], [OutputPlan("BM-0001", MaterialKind.RECYCLED_COBALT_SULFATE, 90_000, 400_000),
                                       OutputPlan("BM-0002", MaterialKind.RECYCLED_COBALT_SULFATE, 90_000, 400_000)],
                           site, process_co2e_grams=400_000)

"""Transforms and pack notes on the shielded ledger, through the world's clients and the session's
relayer (the custody steps and the origin mints are tests/ledger/test_custody.py and test_lots.py).
The pack maker turns a mine's bag into a pack (a note transform) and the pack note backs one
passport, redeemed by the passport contract alone, for the passport its proof is bound to and the
claims it proved. A recycler's transform outputs are new lots even where its ERP reuses a bag's id."""

from __future__ import annotations

import pytest
from web3.logs import DISCARD

from batterytrace.exceptions import LotStateError, RevertedError
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.registry import Role
from batterytrace.zk.pack_claim import PackClaims
from tests.conftest import isolated
from tests.helpers.flows import deliver, mint_at


@pytest.fixture(scope="module")
def made(session_world):
    """A mine's bag made into a pack at the pack maker's plant, once for the module."""
    with isolated(session_world) as world:
        bag = mint_at(world, "miner", "TFM-2026-PACK")
        deliver(world, bag.lot_id, "miner", "pack_maker")
        plant = world.facilities["pack_maker"].facility_id
        yield world.pack_maker.transform([bag.lot_id], [OutputPlan("PACK-0001", MaterialKind.PACK, 690_000, 450_000_000)], plant,
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


def test_a_pack_note_backs_one_passport_for_the_passport_contract_alone(world, pack):
    lot_id, note = pack
    ledger = world.pack_maker.shielded
    passport_contract = world.stranger  # stands in for the passport contract: it holds the role
    admin = world.admin
    admin.send(admin.registry.functions.grantRole(Role.PASSPORT_CONTRACT.role_id, passport_contract.address),
               "grant the passport contract role")
    binding = b"passport 0001".ljust(32, b"\0")
    claims = PackClaims.tightest(note, capacity_wh=75_000)
    redemption = ledger.pack_redemption(lot_id, claims, passport_contract.address, binding)
    call = ledger.contract.functions.redeemPack(redemption.request, redemption.proof, binding)
    with pytest.raises(RevertedError, match="LedgerNotPassportContract"):
        world.chain.transact(world.refiner.signer, call, "redeem as a participant")
    other = ledger.contract.functions.redeemPack(redemption.request, redemption.proof, b"passport 0002".ljust(32, b"\0"))
    with pytest.raises(RevertedError, match="ProofInvalid"):
        world.chain.transact(passport_contract.signer, other, "redeem for another passport")
    stronger = list(redemption.request)
    stronger[4] = [(690_000, 10_000, 1, 0), *redemption.request[4][1:]]  # a claim the proof did not prove
    with pytest.raises(RevertedError, match="ProofInvalid"):
        world.chain.transact(passport_contract.signer, ledger.contract.functions.redeemPack(tuple(stronger), redemption.proof,
                                                                                            binding), "a stronger claim")
    receipt = world.chain.transact(passport_contract.signer, call, "redeem the pack")
    [redeemed] = ledger.contract.events.PackRedeemed().process_receipt({"logs": list(receipt.logs)}, errors=DISCARD)
    assert redeemed["args"]["nullifier"] == note.nullifier and redeemed["args"]["binding"] == binding
    with pytest.raises(RevertedError, match="LedgerNullifierSpent"):
        world.chain.transact(passport_contract.signer, call, "redeem the pack again")
    assert world.pack_maker.lots_held() == []


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

"""The shielded ledger through the SDK (sdk/shielded.py) and a real relayer: the ERP's calls take
lots and quantities; the mine mints, offers to the refinery, the refinery disputes a short weighing,
an auditor returns it, the mine offers again and the refinery accepts; the same ERP id twice gives
the same lot; each party's store holds what its keys open; the SDK refuses before proving what the
circuit or the contract would; no transaction comes from a participant. The pack maker turns a bag
into a pack (a note transform) and the pack note backs one passport, redeemed by the passport
contract alone, for the passport its proof is bound to and the claims it proved."""

from __future__ import annotations


import pytest

from web3.logs import DISCARD

from batterytrace.exceptions import LotStateError, NotCustodianError, RevertedError, UnknownLotError, UnknownParticipantError
from batterytrace.model.lots import MaterialKind
from batterytrace.model.registry import Role
from batterytrace.sdk.relayer import RelayerClient
from batterytrace.sdk.shielded import ShieldedLedgerOperations, ShieldedOutput
from batterytrace.zk.notes import NoteState
from batterytrace.zk.pack_claim import PackClaims
from tests.helpers.relayer import RELAYER_ADDRESS


@pytest.fixture
def parties(world, relayer):
    client = RelayerClient(relayer.url)
    return {name: ShieldedLedgerOperations(getattr(world, name), client)
            for name in ("miner", "refiner", "pack_maker", "auditor", "stranger", "recycler")}


def mint(parties, world, external_id: str = "TFM-2026-0001", total_grams: int = 2_000_000):
    site = world.facilities["miner"].facility_id
    return parties["miner"].mint_origin(site, external_id, MaterialKind.COBALT_HYDROXIDE, cobalt_grams=700_000,
                                        total_grams=total_grams, co2e_grams=700 * 6_000)


def test_mint_offer_dispute_return_offer_accept_through_the_relayer(parties, world):
    miner, refiner, auditor = parties["miner"], parties["refiner"], parties["auditor"]
    lot = mint(parties, world)
    assert lot.note.values.metals[0].certified_grams == 700_000  # the mine's IRMA certification
    assert mint(parties, world) == lot  # the same ERP id: the same lot, nothing sent
    offered = miner.offer(lot.tag, world.refiner.address)
    assert offered.note.state == NoteState.OFFERED and offered.note.owner == world.refiner.shielding_public_key
    disputed = refiner.accept(lot.tag, measured_total_grams=1_900_000, evidence="weighbridge-0001.pdf")
    assert disputed.note.state == NoteState.DISPUTED
    returned = auditor.resolve_dispute(lot.tag, deliver=False, evidence="audit-0001.pdf")
    assert returned.note.state == NoteState.ACTIVE and returned.note.owner == world.miner.shielding_public_key
    miner.offer(lot.tag, world.refiner.address)
    accepted = refiner.accept(lot.tag, measured_total_grams=2_000_000)
    assert accepted.note.owner == world.refiner.shielding_public_key and accepted.note.values == lot.note.values
    assert [held.tag for held in refiner.lots()] == [lot.tag] and miner.lots() == []
    assert parties["stranger"].lots() == [] and parties["stranger"].store.notes() == []
    # The auditor's view key saw every note of the lot: mint, offer, dispute, return, offer, accept.
    auditor.sync()
    seen = auditor.store.notes_with_tag(lot.tag)
    assert [(stored.note.state.name, stored.spent) for stored in seen] == [
        ("ACTIVE", True), ("OFFERED", True), ("DISPUTED", True), ("ACTIVE", True), ("OFFERED", True), ("ACTIVE", False)]
    senders = {world.chain.w3.eth.get_transaction(stored.transaction)["from"]
               for stored in auditor.store.notes_with_tag(lot.tag)}
    assert senders == {RELAYER_ADDRESS}


def test_the_sdk_refuses_before_proving(parties, world):
    miner, refiner = parties["miner"], parties["refiner"]
    lot = mint(parties, world, "TFM-2026-0002")
    with pytest.raises(UnknownParticipantError):
        miner.offer(lot.tag, world.miner.address)
    with pytest.raises(UnknownLotError):
        refiner.offer(lot.tag, world.miner.address)  # the refiner's keys do not see the lot
    with pytest.raises(LotStateError, match="ACTIVE, not OFFERED"):
        miner.cancel_offer(lot.tag)
    miner.offer(lot.tag, world.refiner.address)
    with pytest.raises(NotCustodianError):
        miner.accept(lot.tag, 2_000_000)  # the sender cannot take its own offer
    for measured, tolerance in ((-1, 50), (2_000_000, 10_001), (2_000_000, -1)):
        with pytest.raises(ValueError, match="tolerance 0..10000"):
            refiner.accept(lot.tag, measured, tolerance_bps=tolerance)
    cancelled = miner.cancel_offer(lot.tag)
    assert cancelled.note.state == NoteState.ACTIVE and cancelled.note.owner == world.miner.shielding_public_key
    with pytest.raises(UnknownLotError):
        refiner.accept(lot.tag, 2_000_000)  # the cancelled offer is spent; the refiner sees no current note


def pack(parties, world):
    """A mine's bag handed to the pack maker and made into a pack at its plant."""
    miner, maker = parties["miner"], parties["pack_maker"]
    bag = mint(parties, world, "TFM-2026-PACK")
    miner.offer(bag.tag, world.pack_maker.address)
    maker.accept(bag.tag, measured_total_grams=2_000_000)
    plant = world.facilities["pack_maker"].facility_id
    [made] = maker.transform(plant, [bag.tag], [ShieldedOutput("PACK-0001", MaterialKind.PACK, 690_000, 450_000_000)],
                             process_co2e_grams=9_000_000)
    return made


def test_a_transform_makes_a_pack_and_running_it_again_returns_it(parties, world):
    made = pack(parties, world)
    values = made.note.values
    assert made.note.kind == int(MaterialKind.PACK) and values.metals[0].grams == 690_000
    # Certified grams follow the cobalt, rounded down; CO2e is the bag's and the process's, all kept.
    assert values.metals[0].certified_grams == 700_000 * 690_000 // 700_000
    assert values.co2e_grams == 700 * 6_000 + 9_000_000
    plant = world.facilities["pack_maker"].facility_id
    again = parties["pack_maker"].transform(plant, [made.tag], [ShieldedOutput("PACK-0001", MaterialKind.PACK, 690_000,
                                                                               450_000_000)], 9_000_000)
    assert again == [made]


def test_a_pack_note_backs_one_passport_for_the_passport_contract_alone(parties, world):
    made = pack(parties, world)
    maker = parties["pack_maker"]
    ledger = maker.contract
    passport_contract = world.stranger  # stands in for the passport contract: it holds the role
    admin = world.admin
    admin.send(admin.registry.functions.grantRole(Role.PASSPORT_CONTRACT.role_id, passport_contract.address),
               "grant the passport contract role")
    binding = b"passport 0001".ljust(32, b"\0")
    claims = PackClaims.tightest(made.note, capacity_wh=75_000)
    redemption = maker.pack_redemption(made.tag, claims, passport_contract.address, binding)
    call = ledger.functions.redeemPack(redemption.request, redemption.proof, binding)
    with pytest.raises(RevertedError, match="LedgerNotPassportContract"):
        world.chain.transact(world.refiner.signer, call, "redeem as a participant")
    other = ledger.functions.redeemPack(redemption.request, redemption.proof, b"passport 0002".ljust(32, b"\0"))
    with pytest.raises(RevertedError, match="ProofInvalid"):
        world.chain.transact(passport_contract.signer, other, "redeem for another passport")
    stronger = list(redemption.request)
    stronger[4] = [(690_000, 10_000, 1, 0)]  # a claim the proof did not prove
    with pytest.raises(RevertedError, match="ProofInvalid"):
        world.chain.transact(passport_contract.signer, ledger.functions.redeemPack(tuple(stronger), redemption.proof,
                                                                                   binding), "a stronger claim")
    receipt = world.chain.transact(passport_contract.signer, call, "redeem the pack")
    [redeemed] = ledger.events.PackRedeemed().process_receipt({"logs": list(receipt.logs)}, errors=DISCARD)
    assert redeemed["args"]["nullifier"] == made.note.nullifier and redeemed["args"]["binding"] == binding
    with pytest.raises(RevertedError, match="LedgerNullifierSpent"):
        world.chain.transact(passport_contract.signer, call, "redeem the pack again")
    assert maker.lots() == []


def test_a_recyclers_output_ids_are_apart_from_its_origin_ids_and_a_job_reusing_some_is_refused(parties, world):
    """A recycler both mints and transforms, and its ERP may give a job's output the id of a bag it
    minted: the output is a new lot (its tag is of another domain), not the bag returned."""
    recycler = parties["recycler"]
    site = world.facilities["recycler"].facility_id
    bag = recycler.mint_origin(site, "BM-0001", MaterialKind.BLACK_MASS, cobalt_grams=200_000, total_grams=2_500_000,
                               co2e_grams=200 * 1_500)
    [sulfate] = recycler.transform(site, [bag.tag], [ShieldedOutput("BM-0001", MaterialKind.RECYCLED_COBALT_SULFATE,
                                                                    194_000, 930_000)], process_co2e_grams=400_000)
    assert sulfate.tag != bag.tag and sulfate.note.kind == int(MaterialKind.RECYCLED_COBALT_SULFATE)
    assert recycler.store.notes_with_tag(bag.tag)[-1].spent
    with pytest.raises(LotStateError, match="BM-0001 .* earlier job"):
        recycler.transform(site, [sulfate.tag], [ShieldedOutput("BM-0001", MaterialKind.RECYCLED_COBALT_SULFATE, 90_000, 400_000),
                                                 ShieldedOutput("BM-0002", MaterialKind.RECYCLED_COBALT_SULFATE, 90_000, 400_000)],
                           process_co2e_grams=400_000)

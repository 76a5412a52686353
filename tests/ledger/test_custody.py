"""Two-step custody through the ERP's calls (sdk/ledger.py): offer, weigh, accept or dispute, an
auditor's resolution, cancel. Each party sees the lot as the notes sealed for it say; no
transaction comes from a participant. One bag is minted for the module; every test starts from it."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import (
    LotStateError,
    MissingRoleError,
    NotCustodianError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.model.lots import DisputeOutcome, LotStatus
from batterytrace.sdk.note_history import NoteOperation
from tests.conftest import isolated
from tests.helpers.flows import mint_at
from tests.helpers.relayer import RELAYER_ADDRESS


@pytest.fixture(scope="module")
def minted(session_world):
    with isolated(session_world) as world:
        yield mint_at(world, "miner", "TFM-CUSTODY-1")


@pytest.fixture
def bag(minted, world):
    """The module's bag, held by the mine, in this test's snapshot of the chain."""
    return minted


def test_an_offer_puts_the_lot_in_transit_to_one_receiver(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    for party in ("miner", "refiner"):
        lot = world.clients[party].lot(bag.lot_id)
        assert (lot.status, lot.custodian, lot.pending_receiver) == (LotStatus.IN_TRANSIT, world.miner.address, world.refiner.address)
    # The sender still holds what it offered until the receiver takes it in; nobody else sees it.
    assert [lot.lot_id for lot in world.miner.lots_held()] == [bag.lot_id] and world.refiner.lots_held() == []
    with pytest.raises(UnknownLotError):
        world.cathode_maker.lot(bag.lot_id)


def test_an_accept_within_tolerance_hands_the_lot_over(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    result = world.refiner.accept(bag.lot_id, measured_total_grams=2_000_500, tolerance_bps=50)
    assert (result.accepted, result.measured_total_grams, result.committed_total_grams, result.deviation_bps) == (
        True, 2_000_500, 2_000_000, 2)
    lot = world.refiner.lot(bag.lot_id)
    assert (lot.status, lot.custodian, lot.pending_receiver) == (LotStatus.ACTIVE, world.refiner.address, None)
    assert world.refiner.note(bag.lot_id).values == bag.note.values
    assert world.miner.lots_held() == [] and [lot.lot_id for lot in world.refiner.lots_held()] == [bag.lot_id]


def test_a_weighing_outside_tolerance_opens_a_dispute_only_an_auditor_resolves(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    result = world.refiner.accept(bag.lot_id, measured_total_grams=1_900_000, tolerance_bps=50)
    assert (result.accepted, result.deviation_bps) == (False, 500)
    for party in ("miner", "refiner", "auditor"):  # the disputed note is sealed for both parties
        lot = world.clients[party].lot(bag.lot_id)
        assert (lot.status, lot.custodian) == (LotStatus.DISPUTED, world.miner.address), party
    with pytest.raises(MissingRoleError, match="AUDITOR_ROLE"):
        world.miner.resolve_dispute(bag.lot_id, DisputeOutcome.RETURN_TO_SENDER)


@pytest.mark.parametrize("outcome, holder", [(DisputeOutcome.DELIVER_TO_RECEIVER, "refiner"),
                                             (DisputeOutcome.RETURN_TO_SENDER, "miner")])
def test_an_auditor_resolves_a_dispute_and_sees_the_whole_history(world, bag, outcome, holder):
    world.miner.offer(bag.lot_id, world.refiner.address)
    with pytest.raises(LotStateError, match="weighs what it should"):
        world.refiner.dispute(bag.lot_id, 2_000_000)
    assert not world.refiner.dispute(bag.lot_id, 1_999_999, "weighbridge-0001.pdf").accepted  # tolerance 0
    world.auditor.resolve_dispute(bag.lot_id, outcome, "re-weighing certificate")
    lot = world.auditor.lot(bag.lot_id)
    assert (lot.status, lot.custodian, lot.pending_receiver) == (LotStatus.ACTIVE, world.clients[holder].address, None)
    assert world.clients[holder].lot(bag.lot_id).note == lot.note
    resolution = NoteOperation.DELIVER if outcome is DisputeOutcome.DELIVER_TO_RECEIVER else NoteOperation.RETURN
    history = world.auditor.history(bag.lot_id)
    assert [step.operation for step in history] == [NoteOperation.MINT, NoteOperation.OFFER, NoteOperation.DISPUTE, resolution]
    assert {world.chain.w3.eth.get_transaction(step.transaction_hash)["from"] for step in history} == {RELAYER_ADDRESS}


def test_the_sender_can_cancel_an_offer_the_receiver_has_not_taken(world, bag):
    with pytest.raises(LotStateError, match="ACTIVE, not OFFERED"):
        world.miner.cancel_offer(bag.lot_id)
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.miner.cancel_offer(bag.lot_id)
    lot = world.miner.lot(bag.lot_id)
    assert (lot.status, lot.custodian, lot.pending_receiver) == (LotStatus.ACTIVE, world.miner.address, None)
    with pytest.raises(UnknownLotError):  # the offered note is spent: the refiner sees no current note
        world.refiner.accept(bag.lot_id, measured_total_grams=2_000_000)


def test_only_the_holder_offers_to_a_registered_participant_and_only_the_receiver_accepts(world, bag):
    before = world.chain.w3.eth.block_number
    with pytest.raises(UnknownLotError):  # the refiner's keys open no note of the bag
        world.refiner.offer(bag.lot_id, world.cathode_maker.address)
    for receiver in (world.stranger.address, world.miner.address):
        with pytest.raises(UnknownParticipantError):
            world.miner.offer(bag.lot_id, receiver)
    assert world.chain.w3.eth.block_number == before
    world.miner.offer(bag.lot_id, world.refiner.address)
    with pytest.raises(UnknownLotError):
        world.cathode_maker.accept(bag.lot_id, measured_total_grams=2_000_000)
    with pytest.raises(NotCustodianError):  # the sender sees its offer, but cannot take it in
        world.miner.accept(bag.lot_id, measured_total_grams=2_000_000)
    for measured, tolerance in ((-1, 50), (2_000_000, 10_001), (2_000_000, -1)):
        with pytest.raises(ValueError, match="tolerance 0..10000"):
            world.refiner.accept(bag.lot_id, measured, tolerance_bps=tolerance)
    with pytest.raises(ValueError, match="an integer number of grams"):
        world.refiner.accept(bag.lot_id, 2_000_000.0)

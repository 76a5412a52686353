"""Two-step custody: offer, weigh, accept or dispute, auditor resolution; no transfer skips it."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import (
    DecryptionError,
    LotStateError,
    MissingRoleError,
    NotCustodianError,
    NotPendingReceiverError,
    RevertedError,
    UnknownParticipantError,
)
from batterytrace.model.lots import DisputeOutcome, LotStatus
from tests.helpers.flows import mint_at


@pytest.fixture
def bag(world):
    return mint_at(world, "miner", "TFM-CUSTODY-1")


def test_offer_puts_the_lot_in_transit_to_one_receiver(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    lot = world.refiner.lot(bag.lot_id)
    assert lot.status is LotStatus.IN_TRANSIT
    assert lot.pending_receiver == world.refiner.address
    assert lot.custodian == world.miner.address


def test_accept_within_tolerance_moves_the_token_and_hands_over_the_opening(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    result = world.refiner.accept(bag.lot_id, measured_total_grams=2_000_500, tolerance_bps=50)
    assert result.accepted
    assert result.deviation_bps == 2
    lot = world.refiner.lot(bag.lot_id)
    assert lot.custodian == world.refiner.address
    assert lot.status is LotStatus.ACTIVE
    assert world.refiner.opening(bag.lot_id) == bag.opening


def test_weight_outside_tolerance_opens_a_dispute(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    result = world.refiner.accept(bag.lot_id, measured_total_grams=1_900_000, tolerance_bps=50)
    assert not result.accepted
    lot = world.refiner.lot(bag.lot_id)
    assert lot.status is LotStatus.DISPUTED
    assert lot.custodian == world.miner.address


@pytest.mark.parametrize("outcome, holder", [(DisputeOutcome.DELIVER_TO_RECEIVER, "refiner"), (DisputeOutcome.RETURN_TO_SENDER, "miner")])
def test_an_auditor_resolves_a_dispute(world, bag, outcome, holder):
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    world.auditor.resolve_dispute(bag.lot_id, outcome, "re-weighing certificate")
    lot = world.auditor.lot(bag.lot_id)
    assert lot.status is LotStatus.ACTIVE
    assert lot.custodian == world.clients[holder].address
    assert lot.pending_receiver is None


def test_an_auditor_opens_a_disputed_lot_with_its_view_key(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    assert world.auditor.audit_opening(bag.lot_id) == bag.opening


def test_a_stranger_cannot_open_the_handed_over_opening(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    with pytest.raises(DecryptionError):
        world.cathode_maker.audit_opening(bag.lot_id)


def test_only_auditors_resolve_disputes(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    with pytest.raises(MissingRoleError, match="AUDITOR_ROLE"):
        world.miner.resolve_dispute(bag.lot_id, DisputeOutcome.RETURN_TO_SENDER)


def test_the_custodian_can_cancel_an_offer(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.miner.cancel_offer(bag.lot_id)
    lot = world.miner.lot(bag.lot_id)
    assert lot.status is LotStatus.ACTIVE
    assert lot.pending_receiver is None
    with pytest.raises(LotStateError, match="is ACTIVE, not IN_TRANSIT"):
        world.refiner.accept(bag.lot_id, measured_total_grams=2_000_000)


def test_only_the_pending_receiver_accepts(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    with pytest.raises(NotPendingReceiverError, match="not in transit to"):
        world.cathode_maker.accept(bag.lot_id, measured_total_grams=2_000_000)


def test_the_contract_refuses_an_accept_from_anyone_but_the_receiver(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    with pytest.raises(RevertedError, match="LotsNotPendingReceiver"):
        world.chain.transact(world.cathode_maker.signer, world.cathode_maker.lots.functions.accept(bag.lot_id, True, bytes(32)), "accept")


def test_only_the_custodian_offers(world, bag):
    with pytest.raises(NotCustodianError, match="held by"):
        world.refiner.offer(bag.lot_id, world.cathode_maker.address)


def test_a_lot_cannot_be_offered_to_an_unregistered_address(world, bag):
    with pytest.raises(UnknownParticipantError):
        world.miner.offer(bag.lot_id, world.stranger.address)


def test_the_contract_refuses_an_offer_to_an_unregistered_address(world, bag):
    with pytest.raises(RevertedError, match="LotsInvalidReceiver"):
        world.chain.transact(world.miner.signer, world.miner.lots.functions.offer(bag.lot_id, world.stranger.address, b""), "offer")


@pytest.mark.parametrize("function", ["transferFrom", "safeTransferFrom"])
def test_plain_erc721_transfers_cannot_skip_the_handover(world, bag, function):
    transfer = getattr(world.miner.lots.functions, function)(world.miner.address, world.refiner.address, bag.lot_id)
    with pytest.raises(RevertedError, match="LotsDirectTransferDisabled"):
        world.chain.transact(world.miner.signer, transfer, function)


def test_history_from_events_tells_the_lots_whole_life(world, bag):
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=1_000_000)
    world.auditor.resolve_dispute(bag.lot_id, DisputeOutcome.DELIVER_TO_RECEIVER)
    names = [event.name for event in world.stranger.history(bag.lot_id)]
    assert names == [
        "Transfer", "LotCreated", "LotStatusChanged", "LotOffered", "LotStatusChanged", "LotDisputed",
        "LotStatusChanged", "Transfer", "LotDisputeResolved",
    ]


def test_lots_held_lists_what_an_account_holds_now(world, bag):
    other = mint_at(world, "miner", "TFM-CUSTODY-2")
    world.miner.offer(bag.lot_id, world.refiner.address)
    world.refiner.accept(bag.lot_id, measured_total_grams=2_000_000)
    assert [lot.lot_id for lot in world.miner.lots_held()] == [other.lot_id]
    assert [lot.lot_id for lot in world.refiner.lots_held()] == [bag.lot_id]

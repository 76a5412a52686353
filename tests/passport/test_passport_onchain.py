"""Passports on chain: issued against a proven claim, bound to one pack lot, re-verifiable by
anyone with py-ecc, status changed only by the battery's holder. (Battery-id ownership is in
test_battery_ids.py; hand-over and authorities' corrections in test_status_lifecycle.py.)"""

from __future__ import annotations

import pytest

from batterytrace.exceptions import (
    InvalidStatusChangeError,
    LotStateError,
    MissingRoleError,
    NotPassportHolderError,
    PassportError,
    ProofError,
    ProverError,
    RevertedError,
)
from batterytrace.model.lots import LotStatus
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import (
    get_passport,
    hand_over_passport,
    issue_passports,
    set_status,
    status_history,
    verify_passport,
)
from batterytrace.zk.inputs import ClaimBounds
from tests.helpers.flows import CAPACITY_WH, battery_id, build_pack, request_for


def test_issuing_a_passport_locks_the_pack_and_records_the_proven_claims(world):
    pack = build_pack(world, "PACK-1")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-0001")])
    record = get_passport(world.stranger, issued.passport_id)
    assert record.pack_lot_id == pack
    assert record.status is PassportStatus.ORIGINAL
    assert record.bounds.cobalt_grams == 5_250
    assert record.bounds.min_certified_bps == 10_000
    assert record.economic_operator == world.pack_maker.address
    assert world.stranger.lot(pack).status is LotStatus.CONSUMED


def test_anyone_reverifies_the_claim_proof_from_the_chain_with_py_ecc(world):
    pack = build_pack(world, "PACK-V")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-v")])
    verification = verify_passport(world.stranger, issued.passport_id)
    assert verification.verified
    assert verification.pack_commitment == world.stranger.lot(pack).commitment


def test_the_same_pack_cannot_back_a_second_battery(world):
    pack = build_pack(world, "PACK-2")
    issue_passports(world.pack_maker, [request_for(pack, "battery-0002")])
    with pytest.raises(LotStateError, match="CONSUMED"):
        issue_passports(world.pack_maker, [request_for(pack, "battery-0003")])


def test_one_battery_has_one_passport(world):
    first, second = build_pack(world, "PACK-3"), build_pack(world, "PACK-4")
    issue_passports(world.pack_maker, [request_for(first, "battery-0004")])
    with pytest.raises(PassportError, match="already has passport"):
        issue_passports(world.pack_maker, [request_for(second, "battery-0004")])


def test_a_batch_issues_many_passports_in_one_transaction(world):
    packs = [build_pack(world, f"PACK-B{index}") for index in range(3)]
    issued = issue_passports(world.pack_maker, [request_for(pack, f"battery-b{index}") for index, pack in enumerate(packs)])
    assert len({item.receipt.transaction_hash for item in issued}) == 1
    assert [item.passport_id for item in issued] == [passport_id_for(battery_id(f"battery-b{index}")) for index in range(3)]


def test_a_claim_the_pack_does_not_meet_cannot_be_proven(world):
    pack = build_pack(world, "PACK-5")
    too_strong = ClaimBounds(5_250, 10_000, 1_000, 20_000, 2_000, CAPACITY_WH, 3)
    with pytest.raises(ProverError, match="violate the constraints"):
        issue_passports(world.pack_maker, [request_for(pack, "battery-0005", bounds=too_strong)])


def test_a_pack_with_a_forbidden_flag_gets_no_passport(world):
    pack = build_pack(world, "PACK-ASM", who="artisanal_miner")
    with pytest.raises(ProofError, match="forbid"):
        issue_passports(world.pack_maker, [request_for(pack, "battery-asm")])


def test_claims_must_forbid_child_labour_and_human_rights(world):
    pack = build_pack(world, "PACK-6")
    with pytest.raises(PassportError, match="child-labour"):
        issue_passports(world.pack_maker, [request_for(pack, "battery-0006", forbidden_risk_flags=RiskFlag.CONFLICT_AREA)])


def test_a_proof_for_another_passport_is_rejected_on_chain(world):
    pack = build_pack(world, "PACK-7")
    client = world.pack_maker
    opening = client.opening(pack)
    bounds = ClaimBounds.tightest(opening, CAPACITY_WH, 3)
    from batterytrace.zk.contexts import claim_context
    from batterytrace.zk.inputs import claim_inputs

    wrong_context = claim_context(client.chain.chain_id, client.deployment.passport, passport_id_for(battery_id("another-battery")), pack)
    proof = client.prover.prove("claim", claim_inputs(opening, bounds, wrong_context))
    a, b, c, _ = proof.solidity_args()
    request = (pack, battery_id("battery-0007"), "https://passports.example/7", bytes(32), bytes(32), bytes(32), bounds.as_tuple())
    with pytest.raises(ProofError, match="ProofInvalid"):
        client.send(client.passports.functions.issue(request, (a, b, c)), "issue with another passport's proof")


def test_only_pack_makers_and_oems_issue(world):
    pack = build_pack(world, "PACK-8")
    with pytest.raises(MissingRoleError):
        issue_passports(world.refiner, [request_for(pack, "battery-0008")])


def test_status_history_records_each_change_by_the_holder(world):
    pack = build_pack(world, "PACK-9")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-0009")])
    set_status(world.pack_maker, issued.passport_id, PassportStatus.REPURPOSED, "second-life storage")
    hand_over_passport(world.pack_maker, issued.passport_id, world.recycler.address)
    set_status(world.recycler, issued.passport_id, PassportStatus.WASTE, "received for recycling")
    history = status_history(world.stranger, issued.passport_id)
    assert [change.status for change in history] == [PassportStatus.ORIGINAL, PassportStatus.REPURPOSED, PassportStatus.WASTE]
    assert history[-1].by == world.recycler.address


def test_waste_is_final(world):
    pack = build_pack(world, "PACK-10")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-0010")])
    set_status(world.pack_maker, issued.passport_id, PassportStatus.WASTE)
    with pytest.raises(InvalidStatusChangeError, match="cannot go from WASTE to REUSED"):
        set_status(world.pack_maker, issued.passport_id, PassportStatus.REUSED)
    with pytest.raises(InvalidStatusChangeError, match="PassportInvalidStatusChange"):
        world.pack_maker.send(world.pack_maker.passports.functions.setStatus(issued.passport_id, int(PassportStatus.REUSED), bytes(32)),
                              "status out of waste")


def test_a_stranger_cannot_change_the_status(world):
    pack = build_pack(world, "PACK-11")
    (issued,) = issue_passports(world.pack_maker, [request_for(pack, "battery-0011")])
    with pytest.raises(NotPassportHolderError, match="is held by"):
        set_status(world.cell_maker, issued.passport_id, PassportStatus.REUSED)
    with pytest.raises(RevertedError, match="PassportNotHolder"):
        world.chain.transact(world.cell_maker.signer, world.cell_maker.passports.functions.setStatus(issued.passport_id, 3, bytes(32)), "status")


def test_a_share_above_100_percent_is_refused_before_the_proof(world):
    pack = build_pack(world, "PACK-12")
    client = world.pack_maker
    bounds = (5_250, 20_000, 0, 20_000, 2_000, CAPACITY_WH, 3)
    request = (pack, battery_id("battery-0012"), "https://passports.example/12", bytes(32), bytes(32), bytes(32), bounds)
    with pytest.raises(RevertedError, match="PassportClaimsBelowPolicy"):
        client.chain.transact(client.signer, client.passports.functions.issue(request, ([0, 0], [[0, 0], [0, 0]], [0, 0])), "issue")

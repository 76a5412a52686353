"""Issue 13, finding 3: a battery's status follows who holds it.

Any recycler could declare any passport Waste (final), scrapping batteries it never saw. Now the
holder of the passport token changes the status; the holder hands the battery on by transferring
the token, to registered participants only; a recycler declares Waste for a battery handed to it;
an authority corrects any status with evidence, Waste included. Each refusal is sent by hand to the
contract (the SDK's pre-check never runs) and must revert with its error; the SDK's typed error is
checked apart.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_utils import keccak

from batterytrace.exceptions import (
    InvalidPassportReceiverError,
    InvalidStatusChangeError,
    MissingCorrectionEvidenceError,
    MissingRoleError,
    NotPassportHolderError,
    RevertedError,
)
from batterytrace.model.facilities import may_operate
from batterytrace.model.identifiers import bytes32_text
from batterytrace.model.passports import PassportStatus
from batterytrace.model.registry import FacilityType, Role
from batterytrace.sdk.passports import (
    correct_status,
    get_passport,
    hand_over_passport,
    issue_passports,
    set_status,
    status_history,
)
from tests.conftest import isolated
from tests.helpers.flows import build_pack, request_for

EVIDENCE = keccak(text="market surveillance decision 2026-17")


@pytest.fixture(scope="module")
def passport_id(session_world) -> Iterator[int]:
    """One passport issued by the pack maker, for the module (each test reverts what it does)."""
    with isolated(session_world) as world:
        build_pack(world, "LIFE-0001")
        (issued,) = issue_passports(world.pack_maker, [request_for("LIFE-0001")])
        yield issued.passport_id


def by_hand(world, who: str, function, description: str = "by hand") -> RevertedError:
    """Send ``function`` from ``who`` straight to the chain (no SDK pre-check) and return its revert."""
    with pytest.raises(RevertedError) as raised:
        world.chain.transact(world.clients[who].signer, function, description)
    return raised.value


def test_a_recycler_that_does_not_hold_the_battery_cannot_scrap_it(world, passport_id):
    passports = world.recycler.passports.functions
    revert = by_hand(world, "recycler", passports.setStatus(passport_id, int(PassportStatus.WASTE), EVIDENCE), "scrap")
    assert revert.error_name == "PassportNotHolder"
    assert revert.arguments["holder"].lower() == world.pack_maker.address.lower()
    with pytest.raises(NotPassportHolderError, match="is held by") as refused:
        set_status(world.recycler, passport_id, PassportStatus.WASTE, "received for recycling")
    assert refused.value.revert is None and refused.value.holder == world.pack_maker.address
    assert get_passport(world.stranger, passport_id).status is PassportStatus.ORIGINAL


def test_a_recycler_the_battery_was_handed_to_declares_it_waste(world, passport_id):
    receipt = hand_over_passport(world.pack_maker, passport_id, world.recycler.address)
    (transfer,) = world.pack_maker.events(receipt, world.pack_maker.passports, "Transfer")
    assert (transfer["args"]["from"], transfer["args"]["to"]) == (world.pack_maker.address, world.recycler.address)
    record = get_passport(world.stranger, passport_id)
    assert record.holder == world.recycler.address and record.economic_operator == world.pack_maker.address
    set_status(world.recycler, passport_id, PassportStatus.WASTE, "received for recycling")
    assert status_history(world.stranger, passport_id)[-1].by == world.recycler.address
    # The former holder has no say any more.
    passports = world.pack_maker.passports.functions
    revert = by_hand(world, "pack_maker", passports.setStatus(passport_id, int(PassportStatus.REUSED), EVIDENCE))
    assert revert.error_name == "PassportNotHolder"


def test_the_holder_hands_the_battery_on_and_the_new_holder_changes_its_status(world, passport_id):
    hand_over_passport(world.pack_maker, passport_id, world.oem.address)
    set_status(world.oem, passport_id, PassportStatus.REPURPOSED, "second-life storage")
    with pytest.raises(NotPassportHolderError):
        set_status(world.pack_maker, passport_id, PassportStatus.REUSED)
    with pytest.raises(NotPassportHolderError):
        hand_over_passport(world.pack_maker, passport_id, world.recycler.address)
    history = status_history(world.stranger, passport_id)
    assert [(change.status, change.by) for change in history] == [(PassportStatus.ORIGINAL, world.pack_maker.address),
                                                                  (PassportStatus.REPURPOSED, world.oem.address)]


def test_waste_is_final_for_the_holder(world, passport_id):
    set_status(world.pack_maker, passport_id, PassportStatus.WASTE, "end of life")
    with pytest.raises(InvalidStatusChangeError, match="cannot go from WASTE to REUSED") as refused:
        set_status(world.pack_maker, passport_id, PassportStatus.REUSED)
    assert refused.value.revert is None
    passports = world.pack_maker.passports.functions
    revert = by_hand(world, "pack_maker", passports.setStatus(passport_id, int(PassportStatus.REUSED), EVIDENCE), "out of waste")
    assert revert.error_name == "PassportInvalidStatusChange"
    assert get_passport(world.stranger, passport_id).status is PassportStatus.WASTE


@pytest.mark.parametrize("receiver", ["stranger", "admin"])
def test_a_non_participant_cannot_receive_a_passport(world, passport_id, receiver):
    passports = world.pack_maker.passports.functions
    holder, to = world.pack_maker.address, world.clients[receiver].address
    for function in (passports.transferFrom(holder, to, passport_id), passports.safeTransferFrom(holder, to, passport_id)):
        revert = by_hand(world, "pack_maker", function, "hand over to a non-participant")
        assert revert.error_name == "PassportInvalidReceiver"
        assert revert.arguments["receiver"].lower() == to.lower()
    with pytest.raises(InvalidPassportReceiverError, match="not a registered participant") as refused:
        hand_over_passport(world.pack_maker, passport_id, to)
    assert refused.value.revert is None
    assert get_passport(world.stranger, passport_id).holder == holder


def test_a_participant_whose_role_was_revoked_cannot_receive_a_passport(world, passport_id):
    world.admin.revoke_participant(world.recycler.address)
    passports = world.pack_maker.passports.functions
    revert = by_hand(world, "pack_maker", passports.transferFrom(world.pack_maker.address, world.recycler.address, passport_id))
    assert revert.error_name == "PassportInvalidReceiver"


def test_an_approved_operator_hands_over_only_to_participants(world, passport_id):
    passports = world.pack_maker.passports.functions
    world.pack_maker.send(passports.approve(world.oem.address, passport_id), "approve the OEM")
    revert = by_hand(world, "oem", passports.transferFrom(world.pack_maker.address, world.stranger.address, passport_id))
    assert revert.error_name == "PassportInvalidReceiver"
    world.oem.send(passports.transferFrom(world.pack_maker.address, world.recycler.address, passport_id), "hand over for the holder")
    assert get_passport(world.stranger, passport_id).holder == world.recycler.address


def test_a_caller_who_may_not_move_the_passport_learns_only_that(world, passport_id):
    passports = world.stranger.passports.functions
    revert = by_hand(world, "stranger", passports.transferFrom(world.pack_maker.address, world.stranger.address, passport_id))
    assert revert.error_name == "ERC721InsufficientApproval"


def test_an_authority_corrects_waste_back_with_evidence(world, passport_id):
    set_status(world.pack_maker, passport_id, PassportStatus.WASTE, "declared waste by mistake")
    receipt = correct_status(world.authority, passport_id, PassportStatus.REUSED, "market surveillance decision 2026-17")
    (event,) = world.authority.events(receipt, world.authority.passports, "PassportStatusChanged")
    args = event["args"]
    assert (args["by"], PassportStatus(args["oldStatus"]), PassportStatus(args["newStatus"])) == (
        world.authority.address, PassportStatus.WASTE, PassportStatus.REUSED)
    assert bytes(args["evidenceHash"]) == EVIDENCE
    last = status_history(world.stranger, passport_id)[-1]
    assert (last.status, last.by, last.evidence_hash) == (PassportStatus.REUSED, world.authority.address, EVIDENCE)
    # The holder's lifecycle resumes from the corrected status.
    set_status(world.pack_maker, passport_id, PassportStatus.REPURPOSED, "second life")
    # An authority may also correct back to Original, and never to None or to the same status.
    correct_status(world.authority, passport_id, PassportStatus.ORIGINAL, "repurposing record void")
    passports = world.authority.passports.functions
    for status in (PassportStatus.NONE, PassportStatus.ORIGINAL):
        revert = by_hand(world, "authority", passports.correctStatus(passport_id, int(status), EVIDENCE))
        assert revert.error_name == "PassportInvalidStatusChange"
        with pytest.raises(InvalidStatusChangeError, match="cannot go from ORIGINAL"):
            correct_status(world.authority, passport_id, status, "decision")


def test_an_authoritys_correction_needs_evidence(world, passport_id):
    passports = world.authority.passports.functions
    revert = by_hand(world, "authority", passports.correctStatus(passport_id, int(PassportStatus.WASTE), bytes(32)))
    assert revert.error_name == "PassportEvidenceRequired"
    with pytest.raises(MissingCorrectionEvidenceError):
        correct_status(world.authority, passport_id, PassportStatus.WASTE, "")


@pytest.mark.parametrize("who", ["pack_maker", "recycler", "auditor", "admin", "stranger"])
def test_only_an_authority_corrects_a_status(world, passport_id, who):
    passports = world.clients[who].passports.functions
    revert = by_hand(world, who, passports.correctStatus(passport_id, int(PassportStatus.WASTE), EVIDENCE))
    assert revert.error_name == "PassportUnauthorized"
    with pytest.raises(MissingRoleError, match="AUTHORITY_ROLE"):
        correct_status(world.clients[who], passport_id, PassportStatus.WASTE, "decision")


def test_an_authority_whose_role_was_revoked_corrects_nothing(world, passport_id):
    world.admin.revoke_participant(world.authority.address)
    passports = world.authority.passports.functions
    revert = by_hand(world, "authority", passports.correctStatus(passport_id, int(PassportStatus.WASTE), EVIDENCE))
    assert revert.error_name == "PassportUnauthorized"


def test_an_account_granted_the_authority_role_without_registration_corrects_nothing(world, passport_id):
    registry = world.admin.registry.functions
    world.chain.transact(world.admin.signer, registry.grantRole(Role.AUTHORITY.role_id, world.stranger.address), "grant")
    passports = world.stranger.passports.functions
    revert = by_hand(world, "stranger", passports.correctStatus(passport_id, int(PassportStatus.WASTE), EVIDENCE))
    assert revert.error_name == "PassportUnauthorized"


def test_the_authority_role_operates_no_facility(world):
    assert not any(may_operate(Role.AUTHORITY, facility_type) for facility_type in FacilityType)
    registry = world.authority.registry.functions
    for facility_type in FacilityType:
        revert = by_hand(world, "authority", registry.registerFacility(int(facility_type), bytes32_text(f"AUTH-{facility_type.name}"),
                                                                        b"BE", bytes(32)))
        assert revert.error_name == "RegistryFacilityTypeNotAllowed"

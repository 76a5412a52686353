"""Passports on chain: issued from a pack note of the shielded ledger (``issueFromNotes``), which the
ledger redeems with a pack-claim proof bound to the passport contract and the passport id; the
passport records the note's nullifier and the proven claims, never a lot id, the pack's note or
who supplied its cobalt; anyone re-verifies the proof with py-ecc. The SDK refuses before proving
what the contract or the circuit would; the contract's own refusals are checked with calls built by
hand from valid ones (``issue_arguments``), so the contract or the ledger's proof check refuses
them, not the SDK. (Battery-id ownership is in test_battery_ids.py; statuses, hand-over and
authorities' corrections in test_status_lifecycle.py.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from batterytrace.exceptions import MissingRoleError, PassportError, ProofError, RevertedError, UnknownLotError
from batterytrace.model.lots import LotStatus
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passports import get_passport, issue_passports, note_claim_bounds, verify_passport
from batterytrace.zk.pack_claim import PackClaims
from tests.conftest import isolated
from tests.helpers.flows import CAPACITY_WH, battery_id, build_pack, request_for
from tests.passport.conftest import FLAGS


@dataclass(frozen=True)
class Packs:
    """Pack lots the pack maker holds: two from the certified mine, one from the flagged artisanal site."""

    first: int
    second: int
    flagged: int


@pytest.fixture(scope="module")
def packs(session_world) -> Iterator[Packs]:
    """The module's packs (each test reverts what it does with them)."""
    with isolated(session_world) as world:
        yield Packs(build_pack(world, "PACK-ON-1"), build_pack(world, "PACK-ON-2"),
                    build_pack(world, "PACK-ON-ASM", who="artisanal_miner"))


def send(world, who: str, arguments) -> None:
    world.chain.transact(world.clients[who].signer, world.clients[who].passports.functions.issueFromNotes(*arguments),
                         "issue from notes by hand")


def words(*blobs: bytes) -> str:
    return "".join(bytes(blob).hex() for blob in blobs)


def test_a_pack_note_backs_one_passport_that_names_only_its_nullifier(world, packs):
    maker = world.pack_maker
    note = maker.note(packs.first)
    (issued,) = issue_passports(maker, [request_for(packs.first, "battery-0001")])
    record = get_passport(world.stranger, issued.passport_id)
    assert record.pack_nullifier == note.nullifier
    assert (record.status, record.economic_operator, record.holder) == (PassportStatus.ORIGINAL, maker.address, maker.address)
    assert record.bounds == issued.bounds == note_claim_bounds(PackClaims.tightest(note, CAPACITY_WH, FLAGS))
    assert (record.bounds.cobalt_grams, record.bounds.min_certified_bps) == (5_250, 10_000)
    # The ledger spent the note, for this passport contract and this passport alone.
    assert world.chain.call(maker.shielded.contract.functions.isSpent(note.nullifier))
    redeemed = maker.history(packs.first)[-1]
    assert (redeemed.operation, redeemed.passport_contract, redeemed.binding) == (
        NoteOperation.REDEEM, world.deployment.passport, issued.passport_id.to_bytes(32, "big"))
    assert maker.lot(packs.first).status is LotStatus.CONSUMED
    # Neither the call nor its events name the pack's lot id, its note's commitment or the mine.
    sent = world.chain.w3.eth.get_transaction(issued.receipt.transaction_hash)["input"]
    seen = words(sent, *(log["data"] for log in issued.receipt.logs), *(topic for log in issued.receipt.logs for topic in log["topics"]))
    for hidden in (f"{packs.first:064x}", f"{note.commitment:064x}", world.miner.address.lower()[2:]):
        assert hidden not in seen
    verification = verify_passport(world.stranger, issued.passport_id)
    assert verification.verified and (verification.pack_nullifier, verification.bounds) == (note.nullifier, record.bounds)
    # One battery, one passport; one pack, one passport (its note is spent: the SDK sees no lot).
    with pytest.raises(PassportError, match="already has passport"):
        issue_passports(maker, [request_for(packs.second, "battery-0001")])
    with pytest.raises(UnknownLotError):
        issue_passports(maker, [request_for(packs.first, "battery-0002")])


def test_a_batch_issues_many_passports_in_one_transaction(world, packs):
    notes = [world.pack_maker.note(pack) for pack in (packs.first, packs.second)]
    issued = issue_passports(world.pack_maker, [request_for(packs.first, "battery-b0"), request_for(packs.second, "battery-b1")])
    assert len({item.receipt.transaction_hash for item in issued}) == 1
    assert [item.passport_id for item in issued] == [passport_id_for(battery_id(f"battery-b{index}")) for index in range(2)]
    assert [get_passport(world.stranger, item.passport_id).pack_nullifier for item in issued] == [note.nullifier for note in notes]
    assert all(verify_passport(world.stranger, item.passport_id).verified for item in issued)


def test_the_sdk_refuses_before_proving_what_the_contract_or_the_circuit_would(world, packs):
    maker = world.pack_maker
    block = world.chain.w3.eth.block_number
    with pytest.raises(PassportError, match="same battery or the same pack"):
        issue_passports(maker, [request_for(packs.first, "battery-0003"), request_for(packs.first, "battery-0004")])
    with pytest.raises(PassportError, match="child-labour"):
        issue_passports(maker, [request_for(packs.first, "battery-0003", forbidden_risk_flags=RiskFlag.CONFLICT_AREA)])
    with pytest.raises(MissingRoleError):
        issue_passports(world.refiner, [request_for(packs.first, "battery-0003")])
    with pytest.raises(UnknownLotError):  # the pack maker's keys see no lot with this id
        issue_passports(maker, [request_for(packs.first + 1, "battery-0003")])
    tightest = PackClaims.tightest(maker.note(packs.first), CAPACITY_WH, FLAGS)
    stronger = dataclasses.replace(tightest, min_post_consumer_bps=(1_000,) + tightest.min_post_consumer_bps[1:])
    with pytest.raises(ProofError, match="below the claimed 1000 bps"):
        issue_passports(maker, [request_for(packs.first, "battery-0003", claims=stronger)])
    # The artisanal site's child-labour finding travelled into its pack: no passport forbids it.
    with pytest.raises(ProofError, match="forbidden risk flags"):
        issue_passports(maker, [request_for(packs.flagged, "battery-0003")])
    assert world.chain.w3.eth.block_number == block


def test_the_contract_refuses_hand_built_issues(world, packs, issue_arguments):
    claims = PackClaims.tightest(world.pack_maker.note(packs.first), CAPACITY_WH, FLAGS)
    # A proof bound to another passport: the ledger's context differs, so the proof fails.
    with pytest.raises(RevertedError, match="ProofInvalid"):
        send(world, "pack_maker", issue_arguments("pack_maker", packs.first, battery_id("battery-0005"), claims,
                                                  bound_to=battery_id("battery-0006")))
    items, proofs = issue_arguments("pack_maker", packs.first, battery_id("battery-0005"), claims)
    request, pack = items[0][:5], items[0][5]

    def with_pack(**changes) -> list[tuple]:
        fields = dict(zip(("metals", "maxCo2e", "maxKwh", "capacity", "flags"), pack[4:]))
        fields.update(changes)
        return [(*request, (*pack[:4], *fields.values()))]

    # A stronger claim than the one proven: it forbids one more flag.
    with pytest.raises(RevertedError, match="ProofInvalid"):
        send(world, "pack_maker", (with_pack(flags=FLAGS | int(RiskFlag.ARTISANAL)), proofs))
    # Claims below the policy, refused before the ledger sees them: child labour not forbidden, and
    # shares above 100% (certified, or pre- and post-consumer recycled together).
    (grams, certified, pre, post), *others = pack[4]
    nickel = others[1]
    for below in (with_pack(flags=int(RiskFlag.CONFLICT_AREA)),
                  with_pack(metals=[(grams, 10_001, pre, post), *others]),
                  with_pack(metals=[(grams, certified, 6_000, 5_000), *others]),
                  # the policy holds per metal: nickel's shares above 100% together
                  with_pack(metals=[(grams, certified, pre, post), others[0], (nickel[0], nickel[1], 5_001, 5_000)])):
        with pytest.raises(RevertedError, match="PassportClaimsBelowPolicy"):
            send(world, "pack_maker", (below, proofs))
    # The request names the pack maker as the issuer; the OEM sends it, under its own prefix.
    stolen = [(battery_id("battery-0005", "oem"), *items[0][1:])]
    with pytest.raises(RevertedError, match=r"PassportUnauthorized\(account=" + world.oem.address.lower()):
        send(world, "oem", (stolen, proofs))
    # The honest call goes through once; the same note for another battery is spent.
    send(world, "pack_maker", (items, proofs))
    again = [(battery_id("battery-0007"), *items[0][1:])]
    with pytest.raises(RevertedError, match="LedgerNullifierSpent"):
        send(world, "pack_maker", (again, proofs))

"""Passports on chain, a batch at a time: one proof (circuits/pack_batch.circom) that each battery's
pack note, made under the battery's id and held by the issuer, meets the batch's claims; the pack
note is not spent and no nullifier is revealed, and the chain names no lot upstream of the pack, no
note commitment and no supplier. Anyone re-verifies the proof with py-ecc. The SDK refuses before
proving what the contract or the circuit would; the contract's own refusals are checked with calls
built by hand from valid ones (``batch_arguments``), so the contract or the proof check refuses
them, not the SDK. (Battery-id ownership is in test_battery_ids.py; statuses, hand-over and
authorities' corrections in test_status_lifecycle.py.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from batterytrace.exceptions import MissingRoleError, PassportError, ProofError, RevertedError
from batterytrace.model.lots import LotStatus
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passport_batches import passport_bounds
from batterytrace.sdk.passports import get_passport, issue_passports, verify_passport
from batterytrace.zk.pack_batch import BatchClaims, MetalShares
from tests.conftest import isolated
from tests.helpers.flows import CAPACITY_WH, battery_id, build_pack, request_for
from tests.passport.conftest import FLAGS, entry_of

SERIALS = ("ON-1", "ON-2", "ON-3")


@dataclass(frozen=True)
class Packs:
    """Pack lots the pack maker holds, each made under its battery's id: three from the certified
    mine (their lot ids), one from the flagged artisanal site."""

    certified: tuple[int, ...]
    flagged: int


@pytest.fixture(scope="module")
def packs(session_world) -> Iterator[Packs]:
    """The module's packs (each test reverts what it does with them)."""
    with isolated(session_world) as world:
        certified = tuple(build_pack(world, serial) for serial in SERIALS)
        flagged = build_pack(world, "ON-ASM", who="artisanal_miner")
        yield Packs(certified, flagged)


def send(world, who: str, arguments) -> None:
    world.chain.transact(world.clients[who].signer, world.clients[who].passports.functions.issueBatch(*arguments),
                         "issue a batch by hand")


def words(*blobs: bytes) -> str:
    return "".join(bytes(blob).hex() for blob in blobs)


def test_a_pack_backs_its_batterys_passport_and_the_chain_names_nothing_upstream(world, packs):
    maker = world.pack_maker
    pack = packs.certified[0]
    note = maker.note(pack)
    assert pack == passport_id_for(battery_id("ON-1"))
    (issued,) = issue_passports(maker, [request_for("ON-1")])
    record = get_passport(world.stranger, issued.passport_id)
    assert (record.status, record.economic_operator, record.holder, record.batch) == (
        PassportStatus.ORIGINAL, maker.address, maker.address, issued.batch)
    claims = BatchClaims.tightest([note], CAPACITY_WH, FLAGS)
    assert record.bounds == issued.bounds == passport_bounds(tuple(m.grams for m in note.values.metals), claims)
    assert (record.bounds.cobalt_grams, record.bounds.min_certified_bps) == (5_250, 10_000)
    # The pack note stays unspent where it is: the passport is bound to it by its tag, not by a nullifier.
    assert maker.lot(pack).status is LotStatus.ACTIVE
    assert not world.chain.call(maker.shielded.contract.functions.isSpent(note.nullifier))
    # Neither the call nor its events name the pack's note, its nullifier, the bag it came from or the mine.
    bag = world.auditor.genealogy(pack)[-1].lot_id
    sent = world.chain.w3.eth.get_transaction(issued.receipt.transaction_hash)["input"]
    seen = words(sent, *(log["data"] for log in issued.receipt.logs), *(topic for log in issued.receipt.logs for topic in log["topics"]))
    for hidden in (f"{note.commitment:064x}", f"{note.nullifier:064x}", f"{bag:064x}", world.miner.address.lower()[2:]):
        assert hidden not in seen
    verification = verify_passport(world.stranger, issued.passport_id)
    assert verification.verified and (verification.batch, verification.bounds) == (issued.batch, record.bounds)
    # One battery, one passport; a pack backs only its own battery's.
    with pytest.raises(PassportError, match="already has passport"):
        issue_passports(maker, [request_for("ON-1")])
    with pytest.raises(PassportError, match="a pack lot backs the passport of the battery id it was made under"):
        issue_passports(maker, [request_for("ON-NO-PACK")])


def test_a_batch_issues_many_passports_with_one_proof_in_one_transaction(world, packs):
    issued = issue_passports(world.pack_maker, [request_for(serial) for serial in SERIALS])
    assert len({item.receipt.transaction_hash for item in issued}) == 1 and len({item.batch for item in issued}) == 1
    assert [item.passport_id for item in issued] == [passport_id_for(battery_id(serial)) for serial in SERIALS]
    assert [get_passport(world.stranger, item.passport_id).battery_id for item in issued] == [battery_id(s) for s in SERIALS]
    assert all(verify_passport(world.stranger, item.passport_id).verified for item in issued)
    # The batch's claims are the least every pack supports; each passport keeps its own pack's grams.
    assert len({item.bounds.metals[0].min_certified_bps for item in issued}) == 1


def test_requests_of_different_capacities_make_different_batches(world, packs):
    issued = issue_passports(world.pack_maker, [request_for("ON-1"), request_for("ON-2", capacity_wh=60_000)])
    assert len({item.batch for item in issued}) == 2
    assert [item.bounds.capacity_wh for item in issued] == [CAPACITY_WH, 60_000]


def test_the_sdk_refuses_before_proving_what_the_contract_or_the_circuit_would(world, packs):
    maker = world.pack_maker
    block = world.chain.w3.eth.block_number
    with pytest.raises(PassportError, match="same battery twice"):
        issue_passports(maker, [request_for("ON-1"), request_for("ON-1")])
    with pytest.raises(PassportError, match="child-labour"):
        issue_passports(maker, [request_for("ON-1", forbidden_risk_flags=RiskFlag.CONFLICT_AREA)])
    with pytest.raises(MissingRoleError):
        issue_passports(world.refiner, [request_for("ON-1")])
    tightest = BatchClaims.tightest([maker.note(packs.certified[0])], CAPACITY_WH, FLAGS)
    stronger = dataclasses.replace(tightest, metals=(MetalShares(10_000, 0, 1_000), *tightest.metals[1:]))
    with pytest.raises(ProofError, match="below the claimed 1000 bps"):
        issue_passports(maker, [request_for("ON-1", claims=stronger)])
    # The artisanal site's child-labour finding travelled into its pack: no passport forbids it.
    with pytest.raises(ProofError, match="forbidden risk flags"):
        issue_passports(maker, [request_for("ON-ASM")])
    assert world.chain.w3.eth.block_number == block


def test_the_contract_refuses_hand_built_batches(world, packs, batch_arguments):
    request, entries, proof = batch_arguments("pack_maker", ["ON-1", "ON-2"])
    note_root, participants_root, claims = request
    shares, per_kg, per_kwh, capacity, flags = claims
    # What the proof did not prove: a stronger claim, one more flag forbidden, a gram more, another
    # document (the context binds the records), the batteries in another order, one left out.
    stronger = [(shares[0][0], shares[0][1] + 1, shares[0][2]), *shares[1:]]
    changed = {
        "stronger": ((note_root, participants_root, (stronger, per_kg, per_kwh, capacity, flags)), entries),
        "flag": ((note_root, participants_root, (shares, per_kg, per_kwh, capacity, flags | int(RiskFlag.ARTISANAL))), entries),
        "gram": (request, [entry_of(entries[0][0], [entries[0][1][0] + 1, *entries[0][1][1:]]), entries[1]]),
        "document": (request, [entry_of(entries[0][0], entries[0][1], b"\x22" * 32), entries[1]]),
        "order": (request, entries[::-1]),
        "fewer": (request, entries[:1]),
    }
    for name, (changed_request, changed_entries) in changed.items():
        with pytest.raises(RevertedError, match="PassportInvalidProof"):
            send(world, "pack_maker", (changed_request, changed_entries, proof))
    # Claims below the policy, refused before the proof is checked: child labour not forbidden, and
    # shares above 100% (certified, or pre- and post-consumer recycled together), per metal.
    nickel = shares[2]
    for below in ((shares, per_kg, per_kwh, capacity, int(RiskFlag.CONFLICT_AREA)),
                  ([(10_001, *shares[0][1:]), *shares[1:]], per_kg, per_kwh, capacity, flags),
                  ([shares[0], shares[1], (nickel[0], 5_001, 5_000)], per_kg, per_kwh, capacity, flags)):
        with pytest.raises(RevertedError, match="PassportClaimsBelowPolicy"):
            send(world, "pack_maker", ((note_root, participants_root, below), entries, proof))
    # The proof names the pack maker as the issuer: the OEM cannot send it, under its own prefix or the maker's.
    with pytest.raises(RevertedError, match="PassportBatteryIdNotOwned"):
        send(world, "oem", (request, entries, proof))
    # The honest call goes through once; the same batch again finds its passports issued.
    send(world, "pack_maker", (request, entries, proof))
    with pytest.raises(RevertedError, match="PassportAlreadyIssued"):
        send(world, "pack_maker", (request, entries, proof))

"""The registry's membership roots (issue 13): each tree, recomputed in Python from the registry's
records alone, has the root the registry holds on chain, after every kind of change; a revoked
participant, a raised flag or an ended certification leaves no older root a proof could use; the
SDK's trees, rebuilt from events, agree."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from batterytrace.exceptions import RevertedError
from batterytrace.model.membership import (
    MembershipSet,
    certification_leaf,
    facility_leaf,
    facility_leaf_right,
    participant_key,
    participant_leaf,
)
from batterytrace.model.registry import FacilityType, IdentifierKind, Role, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.merkle import LeanIMT, verify_proof
from batterytrace.zk.poseidon import poseidon
from batterytrace.zk.shielding import ShieldingKeys
from tests.helpers.sandbox import signer

SETS = tuple(MembershipSet)


def _events(world, name: str):
    event = getattr(world.admin.registry.events, name)()
    logs = event.get_logs(from_block=world.deployment.block_number)
    return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))


def records_tree(world, member_set: MembershipSet) -> LeanIMT:
    """The tree as the registry's records say it must be, in the order records entered it:
    participants as registered, facilities as activated, certifications by id."""
    admin = world.admin
    leaves: list[int] = []
    if member_set is MembershipSet.PARTICIPANTS:
        for log in _events(world, "ParticipantRegistered"):
            account = log["args"]["account"]
            record = admin.participant(account)
            leaves.append(participant_leaf(record, admin.operator_risk_flags(account)) if admin.is_participant(account) else 0)
    elif member_set is MembershipSet.FACILITIES:
        own_flags: dict[int, int] = {}
        order: list[int] = []
        for log in _events(world, "FacilityActivated"):
            order.append(log["args"]["facilityId"])
            own_flags[log["args"]["facilityId"]] = log["args"]["riskFlags"]
        for log in _events(world, "RiskFindingRecorded"):
            own_flags[log["args"]["facilityId"]] = log["args"]["newFlags"]
        leaves = [facility_leaf(admin.facility(facility_id), own_flags[facility_id]) for facility_id in order]
    else:
        count = len(_events(world, "CertificationIssued"))
        leaves = [certification_leaf(admin.certification(certification_id)) for certification_id in range(1, count + 1)]
    # A removed leaf keeps its position, as zero: stand a placeholder there, then remove it.
    tree = LeanIMT([leaf or 2**200 + index for index, leaf in enumerate(leaves)])
    for index, leaf in enumerate(leaves):
        if not leaf:
            tree.remove(2**200 + index)
    return tree


def on_chain_root(world, member_set: MembershipSet) -> int:
    return world.admin.registry.functions.membershipRoot(int(member_set)).call()


def assert_trees_match(world) -> None:
    for member_set in SETS:
        expected = records_tree(world, member_set).root
        assert on_chain_root(world, member_set) == expected, member_set.name
        assert world.auditor.trees.tree(member_set).root == expected, member_set.name


def test_each_tree_rebuilt_from_the_records_has_the_chains_root(world):
    assert_trees_match(world)
    sizes = [world.admin.registry.functions.membershipSize(int(member_set)).call() for member_set in SETS]
    expected = [len(_events(world, name)) for name in ("ParticipantRegistered", "FacilityActivated", "CertificationIssued")]
    assert sizes == expected and expected[1:] == [8, 2]  # eight activated sites, two certifications


def test_every_kind_of_change_keeps_the_trees_equal(world):
    admin, auditor = world.admin, world.auditor
    leaf = world.admin.registry.functions.membershipLeaf(0, participant_key(world.miner.address)).call()
    world.miner.rotate_encryption_key(public_key_from_private_key(signer(30).private_key))
    assert world.admin.registry.functions.membershipLeaf(0, participant_key(world.miner.address)).call() == leaf
    # A client of its own: rotating changes the keys the client holds, and the world's clients outlive the test.
    world.miner.for_signer(world.miner.signer).rotate_shielding_key(ShieldingKeys.from_secret(30))
    assert_trees_match(world)
    auditor.record_risk_finding(world.facilities["miner"].facility_id, RiskFlag.HUMAN_RIGHTS, "grievance audit")
    assert_trees_match(world)
    auditor.record_operator_risk_finding(world.miner.address, RiskFlag.NONE, "remediated")
    assert_trees_match(world)
    auditor.set_process_parameters(world.facilities["refiner"].facility_id, 700, co2e_floor_grams_per_kg=150)
    assert_trees_match(world)
    auditor.set_recycled_input_split(world.facilities["recycler"].facility_id, 3_300)
    assert_trees_match(world)
    auditor.suspend_certification(world.certification_ids["refiner"], "missed surveillance audit")
    assert_trees_match(world)
    admin.revoke_participant(world.recycler.address)
    assert_trees_match(world)
    newcomer = world.clients["stranger"]
    admin.register_participant(newcomer.address, Role.PROCESSOR, "Newcomer Oy", "LEI-NEW", IdentifierKind.LEI, "FI",
                               public_key_from_private_key(signer(10).private_key), newcomer.shielding_public_key)
    site = newcomer.register_facility(FacilityType.REFINERY, "NEW-REF", "FI").facility_id
    assert_trees_match(world)
    auditor.activate_facility(site, "refinery audit", max_yield_loss_bps=400)
    now = datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc)
    auditor.certify(site, Scheme.RMAP, None, now + timedelta(days=90), "rmap.pdf")
    assert_trees_match(world)


def test_a_revoked_participant_leaves_no_root_to_prove_against(world):
    registry = world.admin.registry.functions
    key = participant_key(world.recycler.address)
    before = world.admin.trees.proof(MembershipSet.PARTICIPANTS, key)
    assert verify_proof(before) and registry.isKnownMembershipRoot(0, before.root).call()
    world.admin.revoke_participant(world.recycler.address)
    assert registry.membershipLeaf(0, key).call() == 0
    assert not registry.isKnownMembershipRoot(0, before.root).call()
    after = on_chain_root(world, MembershipSet.PARTICIPANTS)
    assert not verify_proof(type(before)(before.leaf, before.index, before.path_index, before.siblings, after))
    assert not world.admin.has_role(Role.RECYCLER, world.recycler.address)


def test_a_suspended_certifications_leaf_ends_at_the_suspension(world):
    certification_id = world.certification_ids["miner"]
    registry = world.admin.registry.functions
    old_root = on_chain_root(world, MembershipSet.CERTIFICATIONS)
    world.auditor.suspend_certification(certification_id, "suspended pending investigation")
    record = world.admin.certification(certification_id)
    assert record.status_changed_at < record.valid_until
    assert registry.membershipLeaf(2, certification_id).call() == certification_leaf(record)
    assert not registry.isKnownMembershipRoot(2, old_root).call()


def test_a_raised_flag_forgets_the_roots_that_showed_the_site_clean(world):
    registry = world.admin.registry.functions
    old_root = on_chain_root(world, MembershipSet.FACILITIES)
    world.auditor.record_risk_finding(world.facilities["miner"].facility_id, RiskFlag.HUMAN_RIGHTS, "grievance audit")
    assert not registry.isKnownMembershipRoot(1, old_root).call()


def test_roots_stay_known_while_others_join(world):
    """Inserts keep the history: a proof made before a newcomer joined still verifies."""
    registry = world.admin.registry.functions
    old_root = on_chain_root(world, MembershipSet.PARTICIPANTS)
    newcomer = world.clients["stranger"]
    world.admin.register_participant(newcomer.address, Role.MINER, "Newcomer", "LEI-NEW", IdentifierKind.LEI, "CD",
                                     public_key_from_private_key(signer(10).private_key), newcomer.shielding_public_key)
    assert on_chain_root(world, MembershipSet.PARTICIPANTS) != old_root
    assert registry.isKnownMembershipRoot(0, old_root).call()
    assert not registry.isKnownMembershipRoot(0, 0).call()


def test_a_participants_role_is_revoked_only_with_its_leaf(world):
    """``revokeRole`` would leave the leaf in the tree: it is refused for a registered role."""
    with pytest.raises(RevertedError, match="RegistryRevokeParticipantInstead"):
        world.admin.send(world.admin.registry.functions.revokeRole(Role.MINER.role_id, world.miner.address), "revoke by hand")
    with pytest.raises(RevertedError, match="RegistryRevokeParticipantInstead"):
        world.miner.send(world.miner.registry.functions.renounceRole(Role.MINER.role_id, world.miner.address), "renounce")
    assert world.admin.has_role(Role.MINER, world.miner.address)


def test_a_change_with_stale_siblings_is_refused_and_the_sdk_retries(world):
    """Siblings read before another write no longer fit: zk-kit refuses them; the SDK syncs and
    sends once more."""
    registry = world.auditor.registry.functions
    site = world.facilities["refiner"].facility_id
    stale = world.auditor.trees.siblings(MembershipSet.FACILITIES, site)
    world.auditor.set_process_parameters(world.facilities["cathode_maker"].facility_id, 600)
    with pytest.raises(RevertedError, match="WrongSiblingNodes"):
        world.auditor.send(registry.setProcessParameters(site, 650, 0, stale), "stale siblings")
    world.auditor.set_process_parameters(site, 650)
    assert world.admin.facility(site).max_yield_loss_bps == 650
    assert_trees_match(world)


def test_the_facility_leaf_packs_the_recycled_split_at_bit_112(world):
    """The leaf twin's layout, field by field, and the registry's leaf equal to it."""
    site = world.facilities["recycler"]
    world.auditor.set_recycled_input_split(site.facility_id, 0x1234)
    record = world.admin.facility(site.facility_id)
    right = facility_leaf_right(record, 0)
    assert right >> 112 == 0x1234 and (right >> 96) & 0xFFFF == int.from_bytes(b"BE", "big")
    assert right & (2**32 - 1) == site.facility_id and (right >> 32) & 0xFF == int(FacilityType.RECYCLER)
    assert (right >> 48) & 0xFFFF == record.max_yield_loss_bps and (right >> 64) & (2**32 - 1) == record.co2e_floor_grams_per_kg
    leaf = world.admin.registry.functions.membershipLeaf(1, site.facility_id).call()
    assert leaf == facility_leaf(record, 0) == poseidon([participant_key(record.operator), right])
    assert_trees_match(world)


def test_a_facility_enters_the_tree_only_when_activated(world):
    registry = world.admin.registry.functions
    site = world.miner.register_facility(FacilityType.INDUSTRIAL_MINE, "PENDING-PIT", "CD").facility_id
    assert registry.membershipLeaf(1, site).call() == 0
    world.auditor.set_process_parameters(site, 0, co2e_floor_grams_per_kg=3_000)
    assert registry.membershipLeaf(1, site).call() == 0
    world.auditor.activate_facility(site, "pit audit")
    assert registry.membershipLeaf(1, site).call() == facility_leaf(world.admin.facility(site), 0)

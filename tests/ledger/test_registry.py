"""The registry: participants, facilities, certifications valid at a time, risk findings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from batterytrace.exceptions import CertificationError, MissingRoleError, RevertedError, UnknownParticipantError
from batterytrace.model.registry import CertificationStatus, FacilityType, IdentifierKind, Role, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.shielding import ShieldingKeys, shielding_public_key
from tests.helpers.sandbox import signer

VALID_KEY = b"\x03" + b"\x44" * 32
#: A shielding key no participant of the sandbox holds.
FRESH_SHIELDING_KEY = shielding_public_key(424242)


def chain_now(world) -> datetime:
    return datetime.fromtimestamp(world.chain.latest_timestamp(), tz=timezone.utc)


def test_registered_participant_has_its_identity_record_and_role(world):
    record = world.admin.participant(world.miner.address)
    assert record.role is Role.MINER
    assert record.country == "CD"
    assert record.identifier == "LEI-MINER"
    assert record.encryption_public_key == public_key_from_private_key(signer(2).private_key)
    assert record.shielding_key == world.miner.shielding_public_key


def test_registering_twice_is_refused(world):
    with pytest.raises(RevertedError, match="RegistryAlreadyRegistered"):
        world.admin.register_participant(world.miner.address, Role.MINER, "again", "LEI", IdentifierKind.LEI, "CD", VALID_KEY,
                                         world.miner.shielding_public_key)


def test_only_the_admin_registers_participants(world):
    with pytest.raises(MissingRoleError, match="DEFAULT_ADMIN_ROLE"):
        world.auditor.register_participant(world.stranger.address, Role.MINER, "x", "LEI", IdentifierKind.LEI, "CD", VALID_KEY,
                                           FRESH_SHIELDING_KEY)


def test_country_must_be_iso_3166_alpha_2(world):
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        world.admin.register_participant(world.stranger.address, Role.MINER, "x", "LEI", IdentifierKind.LEI, "Congo", VALID_KEY,
                                         FRESH_SHIELDING_KEY)


def test_a_miner_cannot_register_a_refinery(world):
    with pytest.raises(RevertedError, match="RegistryFacilityTypeNotAllowed"):
        world.miner.register_facility(FacilityType.REFINERY, "NOT-MINE", "CD")


def test_an_unregistered_account_cannot_register_a_facility(world):
    with pytest.raises(UnknownParticipantError):
        world.stranger.register_facility(FacilityType.INDUSTRIAL_MINE, "ROGUE", "CD")


def test_facility_record_names_its_operator_and_type(world):
    site = world.facilities["refiner"]
    assert site.operator == world.refiner.address
    assert site.facility_type is FacilityType.REFINERY
    assert site.country == "FI"
    assert world.admin.facility(site.facility_id).max_yield_loss_bps == 500


def test_certified_within_its_validity_window_only(world):
    mine = world.facilities["miner"].facility_id
    certification = world.admin.certification(world.certification_ids["miner"])
    assert world.admin.is_certified(mine, Scheme.IRMA, certification.valid_from)
    assert not world.admin.is_certified(mine, Scheme.IRMA, certification.valid_from - timedelta(seconds=1))
    assert not world.admin.is_certified(mine, Scheme.IRMA, certification.valid_until)
    assert not world.admin.is_certified(mine, Scheme.RMAP, certification.valid_from)


def test_revocation_acts_from_its_moment_not_retroactively(world):
    mine = world.facilities["miner"].facility_id
    before = chain_now(world)
    revoked_at = before + timedelta(minutes=10)
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [int(revoked_at.timestamp())])
    world.auditor.revoke_certification(world.certification_ids["miner"], "child labour found on site")
    certification = world.admin.certification(world.certification_ids["miner"])
    assert certification.status is CertificationStatus.REVOKED
    assert certification.status_changed_at == revoked_at
    assert world.admin.is_certified(mine, Scheme.IRMA, revoked_at - timedelta(seconds=1))
    assert not world.admin.is_certified(mine, Scheme.IRMA, revoked_at)


def test_suspending_a_revoked_certification_is_refused(world):
    world.auditor.revoke_certification(world.certification_ids["miner"], "revoked")
    with pytest.raises(CertificationError, match="REVOKED"):
        world.auditor.suspend_certification(world.certification_ids["miner"], "again")


def test_only_auditors_certify(world):
    now = chain_now(world)
    with pytest.raises(MissingRoleError, match="AUDITOR_ROLE"):
        world.miner.certify(world.facilities["miner"].facility_id, Scheme.IRMA, now, now + timedelta(days=1))


def test_an_empty_validity_window_is_refused(world):
    now = chain_now(world)
    with pytest.raises(CertificationError, match="empty"):
        world.auditor.certify(world.facilities["miner"].facility_id, Scheme.IRMA, now, now)


def test_a_revoked_auditor_can_no_longer_certify(world):
    world.admin.revoke_participant(world.second_auditor.address)
    now = chain_now(world)
    with pytest.raises(MissingRoleError):
        world.second_auditor.certify(world.facilities["miner"].facility_id, Scheme.IRMA, now, now + timedelta(days=1))


def test_artisanal_site_always_carries_the_artisanal_flag(world):
    site = world.facilities["artisanal_miner"].facility_id
    world.auditor.record_risk_finding(site, RiskFlag.NONE, "follow-up visit: no child labour found")
    # The site's finding is cleared; its operator's stays until an auditor clears that too.
    assert world.admin.facility(site).risk_flags == RiskFlag.ARTISANAL | RiskFlag.CHILD_LABOUR
    world.auditor.record_operator_risk_finding(world.artisanal_miner.address, RiskFlag.NONE, "operator remediation audit")
    assert world.admin.facility(site).risk_flags == RiskFlag.ARTISANAL


def test_risk_findings_outside_the_defined_flags_are_refused(world):
    site = world.facilities["miner"].facility_id
    with pytest.raises(ValueError, match="outside the defined findings"):
        world.auditor.record_risk_finding(site, RiskFlag(0x10), "bad flags")
    with pytest.raises(RevertedError, match="RegistryInvalidValue"):
        world.auditor.send(world.auditor.registry.functions.recordRiskFinding(site, 0x10, bytes(32), [], []), "bad flags by hand")


def test_auditor_keys_list_every_auditor(world):
    keys = world.admin.auditor_keys()
    assert set(keys) == {world.auditor.address, world.second_auditor.address}


def test_a_participant_whose_role_was_revoked_cannot_rotate_its_key(world):
    world.admin.revoke_participant(world.miner.address)
    with pytest.raises(UnknownParticipantError, match="RegistryNotRegistered"):
        world.miner.send(world.miner.registry.functions.rotateEncryptionKey(VALID_KEY), "rotate")
    with pytest.raises(UnknownParticipantError, match="RegistryNotRegistered"):
        world.miner.send(world.miner.registry.functions.rotateShieldingKey(FRESH_SHIELDING_KEY, []), "rotate")
    with pytest.raises(UnknownParticipantError):
        world.miner.rotate_shielding_key(ShieldingKeys.from_secret(424242))


def test_a_participant_rotates_its_encryption_key(world):
    new_key = b"\x03" + b"\x44" * 32
    world.miner.rotate_encryption_key(new_key)
    assert world.admin.participant(world.miner.address).encryption_public_key == new_key

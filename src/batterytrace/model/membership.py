"""The registry's membership trees: which records they hold and the leaf of each, the Python twin
of ``contracts/registry/MembershipRoots.sol`` and ``Registry``'s ``_participantLeaf``,
``_facilityLeaf`` and ``_certificationLeaf`` (layouts in ``contracts/interfaces/IMembershipRoots.sol``).

A leaf is ``Poseidon(left, right)`` of two field elements packing the record, so a circuit opens it
with one hash and a bit decomposition."""

from __future__ import annotations

from enum import IntEnum

from batterytrace.model.registry import Certification, CertificationStatus, Facility, Participant, Role
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.poseidon import poseidon


class MembershipSet(IntEnum):
    """The three trees (``IMembershipRoots.MembershipSet``)."""

    PARTICIPANTS = 0
    FACILITIES = 1
    CERTIFICATIONS = 2


#: ``Roles.index``: the number a participant leaf packs for each participant role.
ROLE_INDEX: dict[Role, int] = {
    Role.AUDITOR: 1, Role.MINER: 2, Role.PROCESSOR: 3, Role.CELL_MAKER: 4, Role.PACK_MAKER: 5, Role.OEM: 6,
    Role.RECYCLER: 7, Role.AUTHORITY: 8, Role.REPAIRER: 9, Role.REMANUFACTURER: 10, Role.SECOND_LIFE_OPERATOR: 11,
}


def participant_key(account: str) -> int:
    """A participant's record key: its address as an integer."""
    return int(account, 16)


def participant_leaf_left(account: str, role: Role, operator_flags: RiskFlag | int) -> int:
    """The left element of a participant's leaf: its address (bits 0-159), its role's index (bits
    160-167) and its operator risk flags (bits 168-175), the three fields a circuit range-checks."""
    return participant_key(account) | ROLE_INDEX.get(role, 0) << 160 | int(operator_flags) << 168


def participant_leaf(record: Participant, operator_flags: RiskFlag | int) -> int:
    """A registered participant's leaf: ``Poseidon(left, shieldingKey)``, ``left`` packing its
    address, role and operator risk flags (:func:`participant_leaf_left`); its shielding key owns
    its shielded notes. The encryption key is not in the leaf."""
    return poseidon([participant_leaf_left(record.address, record.role, operator_flags), record.shielding_key])


def facility_leaf_right(site: Facility, own_flags: RiskFlag | int) -> int:
    """The right element of a facility's leaf: its id (bits 0-31), type (32-39), own risk flags
    (40-47), maximum yield loss (48-63), emissions floor (64-95), country (96-111) and a recycler's
    pre-consumer input share (112-127)."""
    country = int.from_bytes(site.country.encode(), "big")
    return (site.facility_id | int(site.facility_type) << 32 | int(own_flags) << 40 | site.max_yield_loss_bps << 48
            | site.co2e_floor_grams_per_kg << 64 | country << 96 | site.recycled_pre_consumer_bps << 112)


def facility_leaf(site: Facility, own_flags: RiskFlag | int) -> int:
    """An activated facility's leaf, ``Poseidon(operator, right)`` (:func:`facility_leaf_right`).
    ``own_flags`` are the site's own findings (``Facility.risk_flags`` read through the registry adds
    the operator's, which its participant leaf carries)."""
    return poseidon([participant_key(site.operator), facility_leaf_right(site, own_flags)])


def certification_leaf(record: Certification) -> int:
    """A certification's leaf: its ids and scheme, and its window, ended early by a suspension or
    revocation."""
    start, until = int(record.valid_from.timestamp()), int(record.valid_until.timestamp())
    end = until
    if record.status is not CertificationStatus.ACTIVE and record.status_changed_at is not None:
        end = min(until, int(record.status_changed_at.timestamp()))
    return poseidon([record.certification_id | record.facility_id << 64 | int(record.scheme) << 96, start | end << 64])

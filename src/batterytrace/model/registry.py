"""Participants, facilities and certifications: the consortium registry's types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum, IntEnum
from typing import Any

from eth_utils import keccak

from batterytrace.model.identifiers import text_from_bytes32
from batterytrace.model.risk import RiskFlag


class Role(Enum):
    """Consortium roles (AccessControl role ids are keccak256 of the names)."""

    ADMIN = "DEFAULT_ADMIN_ROLE"
    AUDITOR = "AUDITOR_ROLE"
    MINER = "MINER_ROLE"
    PROCESSOR = "PROCESSOR_ROLE"
    CELL_MAKER = "CELL_MAKER_ROLE"
    PACK_MAKER = "PACK_MAKER_ROLE"
    OEM = "OEM_ROLE"
    RECYCLER = "RECYCLER_ROLE"
    AUTHORITY = "AUTHORITY_ROLE"
    # Persons with a legitimate interest in a passport's restricted data (Reg. (EU) 2023/1542 Art. 77(2)(b)),
    # with RECYCLER: they operate no facility on the ledger.
    REPAIRER = "REPAIRER_ROLE"
    REMANUFACTURER = "REMANUFACTURER_ROLE"
    SECOND_LIFE_OPERATOR = "SECOND_LIFE_OPERATOR_ROLE"

    @property
    def role_id(self) -> bytes:
        if self is Role.ADMIN:
            return bytes(32)
        return keccak(text=self.value)

    @classmethod
    def from_role_id(cls, role_id: bytes) -> Role:
        for role in cls:
            if role.role_id == bytes(role_id):
                return role
        raise ValueError(f"unknown role id 0x{bytes(role_id).hex()}")


class FacilityType(IntEnum):
    INDUSTRIAL_MINE = 0
    ARTISANAL_SITE = 1
    REFINERY = 2
    PRECURSOR_PLANT = 3
    CATHODE_PLANT = 4
    CELL_PLANT = 5
    PACK_PLANT = 6
    RECYCLER = 7
    BRINE_OPERATION = 8
    HARD_ROCK_MINE = 9
    NICKEL_MINE = 10
    #: A lithium converter or refinery (carbonate, hydroxide).
    LITHIUM_REFINERY = 11
    #: An HPAL plant or matte refinery (intermediate, sulfate).
    NICKEL_REFINERY = 12


class Scheme(IntEnum):
    RMAP = 0
    IRMA = 1
    COPPER_MARK = 2
    CIRAF = 3
    ICMM = 4
    GBA = 5


class CertificationStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REVOKED = 3


class IdentifierKind(IntEnum):
    LEI = 0
    GLN = 1


def schemes_from_mask(mask: int) -> frozenset[Scheme]:
    """The schemes whose bits are set in a certified-schemes mask."""
    return frozenset(scheme for scheme in Scheme if mask & (1 << scheme))








def _timestamp(value: int) -> datetime | None:
    return datetime.fromtimestamp(value, tz=timezone.utc) if value else None


@dataclass(frozen=True)
class Participant:
    address: str
    role: Role
    legal_name_hash: bytes
    identifier: str
    identifier_kind: IdentifierKind
    country: str
    encryption_public_key: bytes
    registered: bool
    shielding_key: int

    @classmethod
    def from_chain(cls, address: str, raw: Any) -> Participant:
        role_id, name_hash, identifier, kind, country, registered, key, shielding_key = raw
        return cls(
            address=address,
            role=Role.from_role_id(role_id) if registered else Role.ADMIN,
            legal_name_hash=bytes(name_hash),
            identifier=text_from_bytes32(identifier),
            identifier_kind=IdentifierKind(kind),
            country=bytes(country).decode(errors="replace"),
            encryption_public_key=bytes(key),
            registered=bool(registered),
            shielding_key=int(shielding_key),
        )


@dataclass(frozen=True)
class Facility:
    """A registered site. ``active`` once an auditor activated it (nothing is minted or transformed
    before); ``risk_flags`` are the site's findings with its operator's; ``co2e_floor_grams_per_kg``
    is the auditor's floor of declared emissions (per kg of contained metal at an origin site, per
    kg processed elsewhere); ``recycled_pre_consumer_bps`` the pre-consumer share of a recycler's
    input stream the auditor certified (the rest is post-consumer; 0 at other types)."""

    facility_id: int
    operator: str
    facility_type: FacilityType
    country: str
    risk_flags: RiskFlag
    max_yield_loss_bps: int
    site_id: str
    location_commitment: bytes
    active: bool = False
    co2e_floor_grams_per_kg: int = 0
    recycled_pre_consumer_bps: int = 0

    @classmethod
    def from_chain(cls, facility_id: int, raw: Any) -> Facility:
        """From ``Registry.facility``'s tuple (``IRegistry.Facility``'s field order)."""
        operator, facility_type, country, flags, max_loss, _registered, active, floor, site_id, location, split = raw
        return cls(
            facility_id=facility_id,
            operator=str(operator),
            facility_type=FacilityType(facility_type),
            country=bytes(country).decode(errors="replace"),
            risk_flags=RiskFlag(flags),
            max_yield_loss_bps=int(max_loss),
            site_id=text_from_bytes32(site_id),
            location_commitment=bytes(location),
            active=bool(active),
            co2e_floor_grams_per_kg=int(floor),
            recycled_pre_consumer_bps=int(split),
        )


@dataclass(frozen=True)
class Certification:
    certification_id: int
    facility_id: int
    scheme: Scheme
    status: CertificationStatus
    valid_from: datetime
    valid_until: datetime
    status_changed_at: datetime | None
    auditor: str
    evidence_hash: bytes

    @classmethod
    def from_chain(cls, certification_id: int, raw: Any) -> Certification:
        facility_id, scheme, status, valid_from, valid_until, changed, auditor, evidence = raw
        return cls(
            certification_id=certification_id,
            facility_id=int(facility_id),
            scheme=Scheme(scheme),
            status=CertificationStatus(status),
            valid_from=datetime.fromtimestamp(valid_from, tz=timezone.utc),
            valid_until=datetime.fromtimestamp(valid_until, tz=timezone.utc),
            status_changed_at=_timestamp(changed),
            auditor=str(auditor),
            evidence_hash=bytes(evidence),
        )

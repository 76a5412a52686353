"""The consortium registry: participants, facilities, certifications, risk findings, process
parameters. Admin and auditor operations check the caller's role before sending."""

from __future__ import annotations

from datetime import datetime

import coincurve
from eth_utils import keccak, to_checksum_address

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    BackdatedCertificationError,
    CertificationError,
    InvalidEncryptionKeyError,
    UnknownCertificationError,
    UnknownFacilityError,
    UnknownParticipantError,
)
from batterytrace.model.identifiers import bytes32_text, country_code, evidence_hash
from batterytrace.model.lots import BPS
from batterytrace.model.registry import (
    Certification,
    CertificationStatus,
    Facility,
    FacilityType,
    IdentifierKind,
    Participant,
    Role,
    Scheme,
)
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.connection import Connection


def is_valid_encryption_key(key: bytes) -> bool:
    """Whether ``key`` is a secp256k1 point openings can be encrypted to: 33 bytes compressed or 65
    uncompressed, on the curve (the rule ``Registry._requireValidKey`` enforces)."""
    if not isinstance(key, (bytes, bytearray)) or len(key) not in (33, 65) or key[0] not in ((2, 3) if len(key) == 33 else (4,)):
        return False
    try:
        coincurve.PublicKey(bytes(key))
    except ValueError:
        return False
    return True


def require_valid_encryption_key(account: str, key: bytes) -> None:
    """The key is a valid secp256k1 point (twin of ``RegistryInvalidEncryptionKey``)."""
    if not is_valid_encryption_key(key):
        raise InvalidEncryptionKeyError(account, bytes(key) if isinstance(key, (bytes, bytearray)) else b"")


def require_not_backdated(valid_from: int, latest_timestamp: int) -> None:
    """A certification starts after the chain's latest block, as the recording block does (twin of
    ``RegistryBackdatedCertification``): blocks' timestamps rise, so a start at or before the latest
    block would be before the recording block."""
    if valid_from <= latest_timestamp:
        raise BackdatedCertificationError(valid_from, latest_timestamp)


class RegistryOperations(Connection):
    """What a participant does with the registry (admins register participants, operators
    register facilities, auditors certify and record findings) and reads from it."""


    def register_participant(
        self,
        account: str,
        role: Role,
        legal_name: str,
        identifier: str,
        identifier_kind: IdentifierKind,
        country: str,
        encryption_public_key: bytes,
    ) -> Receipt:
        """Register a participant and grant its role (consortium admin only)."""
        self.require_role(Role.ADMIN)
        if role in (Role.ADMIN, Role.PASSPORT_CONTRACT):
            raise ValueError(f"{role.value} is not a participant role")
        require_valid_encryption_key(to_checksum_address(account), encryption_public_key)
        if not legal_name.strip():
            raise ValueError("the legal name must not be empty")
        return self.send(
            self.registry.functions.registerParticipant(
                to_checksum_address(account), role.role_id, keccak(text=legal_name), bytes32_text(identifier),
                int(identifier_kind), country_code(country), encryption_public_key,
            ),
            f"register {account} as {role.value}",
        )

    def register_facility(self, facility_type: FacilityType, site_id: str, country: str, location: str = "") -> Facility:
        """Register a facility this participant operates and return it."""
        if not self.is_participant(self.address):
            raise UnknownParticipantError(self.address)
        location_commitment = keccak(text=location) if location else bytes(32)
        receipt = self.send(
            self.registry.functions.registerFacility(int(facility_type), bytes32_text(site_id), country_code(country), location_commitment),
            f"register facility {site_id}",
        )
        facility_id = self.events(receipt, self.registry, "FacilityRegistered")[0]["args"]["facilityId"]
        return self.facility(facility_id)

    def certify(
        self, facility_id: int, scheme: Scheme, valid_from: datetime | None, valid_until: datetime,
        evidence: str | bytes | None = None,
    ) -> Certification:
        """Certify a facility under a scheme (auditors only) and return the certification.

        ``valid_from`` None starts the window at the recording block (sent as zero); a given start
        must lie after the chain's latest block: a certification is never back-dated, so what
        ``is_certified`` answered for a past time stays true.
        """
        self.require_role(Role.AUDITOR)
        self.facility(facility_id)
        latest = self.chain.latest_timestamp()
        start, end = (0 if valid_from is None else int(valid_from.timestamp())), int(valid_until.timestamp())
        if max(start, latest) >= end:
            raise CertificationError(None, f"the validity window {valid_from or 'now'} .. {valid_until} is empty")
        if valid_from is not None:
            require_not_backdated(start, latest)
        receipt = self.send(
            self.registry.functions.certify(facility_id, int(scheme), start, end, evidence_hash(evidence)),
            f"certify facility {facility_id} under {scheme.name}",
        )
        certification_id = self.events(receipt, self.registry, "CertificationIssued")[0]["args"]["certificationId"]
        return self.certification(certification_id)

    def suspend_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=True)

    def revoke_certification(self, certification_id: int, reason: str) -> Receipt:
        return self._end_certification(certification_id, reason, suspend=False)

    def _end_certification(self, certification_id: int, reason: str, suspend: bool) -> Receipt:
        self.require_role(Role.AUDITOR)
        current = self.certification(certification_id)
        if current.status is not CertificationStatus.ACTIVE:
            raise CertificationError(certification_id, f"certification {certification_id} is {current.status.name}, not ACTIVE")
        function = self.registry.functions.suspendCertification if suspend else self.registry.functions.revokeCertification
        verb = "suspend" if suspend else "revoke"
        return self.send(function(certification_id, evidence_hash(reason)), f"{verb} certification {certification_id}")

    def record_risk_finding(self, facility_id: int, risk_flags: RiskFlag, evidence: str | bytes | None = None) -> Receipt:
        """Record an audit's risk flags for a facility (auditors only)."""
        self.require_role(Role.AUDITOR)
        self.facility(facility_id)
        return self.send(
            self.registry.functions.recordRiskFinding(facility_id, int(risk_flags), evidence_hash(evidence)),
            f"record risk finding at facility {facility_id}",
        )

    def set_process_parameters(self, facility_id: int, max_yield_loss_bps: int) -> Receipt:
        """Set the audited maximum yield loss of a facility's process (auditors only)."""
        self.require_role(Role.AUDITOR)
        if not 0 <= max_yield_loss_bps <= BPS:
            raise ValueError(f"max_yield_loss_bps must be 0..10000, not {max_yield_loss_bps}")
        return self.send(
            self.registry.functions.setProcessParameters(facility_id, max_yield_loss_bps),
            f"set process parameters of facility {facility_id}",
        )

    def participant(self, account: str) -> Participant:
        """A registered participant's record; UnknownParticipantError when it is none."""
        raw = self.registry.functions.participant(to_checksum_address(account)).call()
        record = Participant.from_chain(to_checksum_address(account), raw)
        if not record.registered:
            raise UnknownParticipantError(account)
        return record

    def is_participant(self, account: str) -> bool:
        """Whether ``account`` is a registered participant."""
        return bool(self.registry.functions.isParticipant(to_checksum_address(account)).call())

    def facility(self, facility_id: int) -> Facility:
        """A registered facility; UnknownFacilityError when none has this id."""
        raw = self.registry.functions.facility(facility_id).call()
        if not raw[5]:
            raise UnknownFacilityError(facility_id)
        return Facility.from_chain(facility_id, raw)

    def certification(self, certification_id: int) -> Certification:
        """A certification; UnknownCertificationError when none has this id."""
        raw = self.registry.functions.certification(certification_id).call()
        if raw[0] == 0:
            raise UnknownCertificationError(certification_id)
        return Certification.from_chain(certification_id, raw)

    def is_certified(self, facility_id: int, scheme: Scheme, at: datetime) -> bool:
        """Whether the facility was validly certified under ``scheme`` at ``at``."""
        return bool(self.registry.functions.isCertified(facility_id, int(scheme), int(at.timestamp())).call())

    def co2e_floor(self, facility_type: FacilityType) -> int:
        """The rulebook floor of declared origin CO2e at this facility type, grams per kg cobalt."""
        return int(self.registry.functions.co2eFloorGramsPerKg(int(facility_type)).call())

    def auditor_keys(self) -> dict[str, bytes]:
        """Every auditor's address and view (encryption) key."""
        auditors, keys = self.registry.functions.auditorKeys().call()
        return {str(auditor): bytes(key) for auditor, key in zip(auditors, keys, strict=True)}

"""The consortium registry: participants and facilities, and every read of the registry. Admin
operations check the caller's role before sending; the auditors' operations are in
:mod:`batterytrace.sdk.audits`."""

from __future__ import annotations

from datetime import datetime

import coincurve
from eth_utils import keccak, to_checksum_address

from batterytrace.evm.chain import Receipt
from batterytrace.exceptions import (
    BackdatedCertificationError,
    CompanyPrefixConflictError,
    CompanyPrefixNotHeldError,
    InvalidEncryptionKeyError,
    InvalidShieldingKeyError,
    PrefixOwnerNotIssuerError,
    ShieldingKeyTakenError,
    UnknownCertificationError,
    UnknownFacilityError,
    UnknownParticipantError,
)
from batterytrace.model.battery_ids import PREFIX_LENGTHS, PrefixKind, parse_battery_id, require_valid_prefix
from batterytrace.model.identifiers import bytes32_text, country_code
from batterytrace.model.membership import MembershipSet, participant_key
from batterytrace.model.registry import (
    Certification,
    Facility,
    FacilityType,
    IdentifierKind,
    Participant,
    Role,
    Scheme,
)
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.connection import Connection
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.shielding import ShieldingKeys


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


def require_valid_shielding_key(account: str, key: int) -> None:
    """The shielding key is a non-zero BN254 field element (twin of ``RegistryInvalidShieldingKey``)."""
    if type(key) is not int:
        raise TypeError(f"a shielding key is an int (a field element), got {type(key).__name__}")
    if not 0 < key < SNARK_SCALAR_FIELD:
        raise InvalidShieldingKeyError(account, key)


def require_not_backdated(valid_from: int, latest_timestamp: int) -> None:
    """A certification starts after the chain's latest block, as the recording block does (twin of
    ``RegistryBackdatedCertification``): blocks' timestamps rise, so a start at or before the latest
    block would be before the recording block."""
    if valid_from <= latest_timestamp:
        raise BackdatedCertificationError(valid_from, latest_timestamp)


class RegistryOperations(Connection):
    """What a participant does with the registry (admins register participants, operators
    register facilities) and reads from it."""

    def register_participant(
        self,
        account: str,
        role: Role,
        legal_name: str,
        identifier: str,
        identifier_kind: IdentifierKind,
        country: str,
        encryption_public_key: bytes,
        shielding_key: int,
    ) -> Receipt:
        """Register a participant and grant its role (consortium admin only). The participant gives
        the admin its two public keys: ``encryption_public_key`` (its client's
        ``encryption_public_key``) and ``shielding_key`` (its client's ``shielding_public_key``)."""
        self.require_role(Role.ADMIN)
        if role is Role.ADMIN:
            raise ValueError(f"{role.value} is not a participant role")
        account = to_checksum_address(account)
        require_valid_encryption_key(account, encryption_public_key)
        self.require_shielding_key_available(account, shielding_key)
        if not legal_name.strip():
            raise ValueError("the legal name must not be empty")
        return self.send(
            self.registry.functions.registerParticipant(
                account, role.role_id, keccak(text=legal_name), bytes32_text(identifier),
                int(identifier_kind), country_code(country), encryption_public_key, shielding_key,
            ),
            f"register {account} as {role.value}",
        )

    def require_shielding_key_available(self, account: str, key: int) -> None:
        """``key`` is a valid shielding key no participant but ``account`` ever registered (twins of
        ``RegistryInvalidShieldingKey`` and ``RegistryShieldingKeyTaken``)."""
        require_valid_shielding_key(account, key)
        holder = self.participant_for_shielding_key(key)
        if holder is not None and holder != to_checksum_address(account):
            raise ShieldingKeyTakenError(key, holder)

    def participant_for_shielding_key(self, key: int) -> str | None:
        """The participant that registered ``key`` (as its current key or one it rotated away
        from), or None."""
        holder = str(self.registry.functions.participantForShieldingKey(key).call())
        return None if int(holder, 16) == 0 else to_checksum_address(holder)

    def register_facility(self, facility_type: FacilityType, site_id: str, country: str, location: str = "") -> Facility:
        """Register a facility this participant operates and return it. It stays inactive (nothing
        is minted or transformed there) until an auditor activates it (``activate_facility``)."""
        if not self.is_participant(self.address):
            raise UnknownParticipantError(self.address)
        location_commitment = keccak(text=location) if location else bytes(32)
        receipt = self.send(
            self.registry.functions.registerFacility(int(facility_type), bytes32_text(site_id), country_code(country), location_commitment),
            f"register facility {site_id}",
        )
        facility_id = self.events(receipt, self.registry, "FacilityRegistered")[0]["args"]["facilityId"]
        return self.facility(facility_id)

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

    def rotate_encryption_key(self, new_key: bytes) -> Receipt:
        """Replace this participant's encryption key (its membership leaf does not carry it)."""
        require_valid_encryption_key(self.address, new_key)
        if not self.is_participant(self.address):
            raise UnknownParticipantError(self.address)
        return self.send(self.registry.functions.rotateEncryptionKey(new_key), "rotate the encryption key")

    def rotate_shielding_key(self, new_keys: ShieldingKeys) -> Receipt:
        """Replace this participant's shielding key and its membership leaf by ``new_keys``' public
        key; this client holds ``new_keys`` from then on (another client of the same signer derives
        the old ones: give it ``shielding_keys``). The old key stays reserved to this participant."""
        if not self.is_participant(self.address):
            raise UnknownParticipantError(self.address)
        self.require_shielding_key_available(self.address, new_keys.public_key)
        receipt = self.send_with_siblings(
            lambda: self.registry.functions.rotateShieldingKey(
                new_keys.public_key, self.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(self.address))),
            "rotate the shielding key",
        )
        self._shielding_keys = new_keys
        return receipt

    def revoke_participant(self, account: str) -> Receipt:
        """Revoke a participant's role and remove its membership leaf (consortium admin only)."""
        self.require_role(Role.ADMIN)
        account = to_checksum_address(account)
        if not self.is_participant(account):
            raise UnknownParticipantError(account)
        return self.send_with_siblings(
            lambda: self.registry.functions.revokeParticipant(
                account, self.trees.siblings(MembershipSet.PARTICIPANTS, participant_key(account))),
            f"revoke participant {account}",
        )

    def operator_risk_flags(self, operator: str) -> RiskFlag:
        """The risk flags an auditor attached to ``operator``, which all its sites inherit."""
        return RiskFlag(self.registry.functions.operatorRiskFlags(to_checksum_address(operator)).call())

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
        """The rulebook floor of declared origin CO2e at this facility type, grams per kg of
        contained metal."""
        return int(self.registry.functions.co2eFloorGramsPerKg(int(facility_type)).call())

    def auditor_keys(self) -> dict[str, bytes]:
        """Every auditor's address and view (encryption) key."""
        auditors, keys = self.registry.functions.auditorKeys().call()
        return {str(auditor): bytes(key) for auditor, key in zip(auditors, keys, strict=True)}

    # -- company prefixes: whose battery ids are whose (issue 13, finding 2) ------------------------

    def assign_company_prefix(self, operator: str, prefix: str, kind: PrefixKind = PrefixKind.GS1_COMPANY_PREFIX) -> Receipt:
        """Record that ``operator``, a registered pack maker or OEM, owns ``prefix`` (consortium admin
        only), so only it issues passports for battery ids under it. Assigned prefixes are
        prefix-free: one equal to or extending an assigned one is refused here; one that assigned
        prefixes extend is refused by the chain (``CompanyPrefixConflictError`` either way)."""
        self.require_role(Role.ADMIN)
        operator = to_checksum_address(operator)
        require_valid_prefix(kind, prefix)
        participant = Participant.from_chain(operator, self.registry.functions.participant(operator).call())
        if not (participant.registered and participant.role in (Role.PACK_MAKER, Role.OEM) and self.has_role(participant.role, operator)):
            raise PrefixOwnerNotIssuerError(operator)
        shortest, _longest = PREFIX_LENGTHS[kind]
        for length in range(shortest, len(prefix) + 1):
            holder = self.prefix_owner(prefix[:length], kind)
            if holder is not None:
                raise CompanyPrefixConflictError(int(kind), prefix, holder)
        return self.send(self.registry.functions.assignCompanyPrefix(operator, int(kind), prefix),
                         f"assign company prefix {prefix} to {operator}")

    def release_company_prefix(self, operator: str, prefix: str, kind: PrefixKind = PrefixKind.GS1_COMPANY_PREFIX) -> Receipt:
        """Release a prefix ``operator`` holds (consortium admin only); its passports stay."""
        self.require_role(Role.ADMIN)
        operator = to_checksum_address(operator)
        holder = self.prefix_owner(prefix, kind)
        if holder != operator:
            raise CompanyPrefixNotHeldError(int(kind), prefix, operator, holder)
        return self.send(self.registry.functions.releaseCompanyPrefix(operator, int(kind), prefix),
                         f"release company prefix {prefix} of {operator}")

    def prefix_owner(self, prefix: str, kind: PrefixKind = PrefixKind.GS1_COMPANY_PREFIX) -> str | None:
        """The operator holding exactly ``prefix``, or None."""
        owner = str(self.registry.functions.prefixOwner(int(kind), prefix).call())
        return None if int(owner, 16) == 0 else to_checksum_address(owner)

    def battery_id_owner(self, battery_id: str) -> str | None:
        """The operator whose prefix ``battery_id`` falls under (None when no one's does);
        ``MalformedBatteryIdError`` for an id of no accepted form."""
        parse_battery_id(battery_id)
        owner = str(self.registry.functions.batteryIdOwner(battery_id).call())
        return None if int(owner, 16) == 0 else to_checksum_address(owner)

"""The one mapping from the contracts' custom errors to the SDK's exceptions.

Each refusal class in :mod:`batterytrace.exceptions` names the Solidity errors it is the twin of
(``solidity_errors``); here each of those errors' decoded arguments become the class's typed
arguments. A revert with no twin stays a :class:`~batterytrace.exceptions.RevertedError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batterytrace.exceptions import (
    BackdatedCertificationError,
    BatteryIdNotOwnedError,
    BatteryTraceError,
    CertificationError,
    CompanyPrefixConflictError,
    CompanyPrefixNotHeldError,
    EvidenceRequiredError,
    FacilityAlreadyActiveError,
    InvalidCompanyPrefixError,
    InvalidEncryptionKeyError,
    InvalidPassportReceiverError,
    InvalidShieldingKeyError,
    InvalidStatusChangeError,
    MalformedBatteryIdError,
    MissingCorrectionEvidenceError,
    MissingRoleError,
    NotPassportHolderError,
    NotRecyclerError,
    PrefixOwnerNotIssuerError,
    ProofInvalidError,
    RevertedError,
    SchemeNotCoveredError,
    ShieldingKeyTakenError,
    UnknownCertificationError,
    UnknownFacilityError,
    UnknownParticipantError,
)
from batterytrace.model.facilities import facility_metal
from batterytrace.model.lots import METAL_NAMES
from batterytrace.model.passports import PassportStatus
from batterytrace.model.registry import FacilityType, Role, Scheme

_ZERO_ADDRESS = "0x" + "00" * 20


def _role_name(role_id: bytes) -> str:
    try:
        return Role.from_role_id(role_id).value
    except ValueError:
        return "0x" + bytes(role_id).hex()


Build = Callable[[Mapping[str, Any], str], BatteryTraceError]

#: Solidity error name -> how its decoded arguments (and the revert's text) build the twin.
_TWINS: dict[str, Build] = {
    "AccessControlUnauthorizedAccount": lambda a, text: MissingRoleError(a["account"], _role_name(a["neededRole"]), message=text),
    "ProofInvalid": lambda a, text: ProofInvalidError(text),
    "ProofInputOutOfField": lambda a, text: ProofInvalidError(text),
    "RegistryNotRegistered": lambda a, text: UnknownParticipantError(a["account"], message=text),
    "RegistryUnknownFacility": lambda a, text: UnknownFacilityError(a["facilityId"], message=text),
    "RegistryFacilityAlreadyActive": lambda a, text: FacilityAlreadyActiveError(a["facilityId"], message=text),
    "RegistryEvidenceRequired": lambda a, text: EvidenceRequiredError(message=text),
    "RegistryCertificationNotActive": lambda a, text: CertificationError(a["certificationId"], text),
    "RegistryInvalidValidity": lambda a, text: CertificationError(None, text),
    "PassportUnauthorized": lambda a, text: MissingRoleError(a["account"], "the role this passport operation needs", message=text),
    "RegistryUnknownCertification": lambda a, text: UnknownCertificationError(a["certificationId"], message=text),
    "RegistryBackdatedCertification": lambda a, text: BackdatedCertificationError(a["validFrom"], a["recordedAt"], message=text),
    "RegistryInvalidEncryptionKey": lambda a, text: InvalidEncryptionKeyError(a["account"], a["key"], message=text),
    "RegistryInvalidShieldingKey": lambda a, text: InvalidShieldingKeyError(a["account"], a["key"], message=text),
    "RegistryShieldingKeyTaken": lambda a, text: ShieldingKeyTakenError(a["key"], a["holder"], message=text),
    "RegistrySchemeDoesNotCover": lambda a, text: _scheme_not_covered(a["scheme"], a["facilityType"], text),
    "RegistryNotRecycler": lambda a, text: NotRecyclerError(a["facilityId"], _enum(FacilityType, a["facilityType"]),
                                                            message=text),
}


def _enum(kind: type[Scheme] | type[FacilityType], value: int) -> Scheme | FacilityType | int:
    # A value outside the enum (a newer contract) stays the number the chain gave.
    try:
        return kind(value)
    except ValueError:
        return value


def _scheme_not_covered(scheme: int, facility_type: int, text: str) -> SchemeNotCoveredError:
    kind = _enum(FacilityType, facility_type)
    metal = facility_metal(kind) if isinstance(kind, FacilityType) else None
    return SchemeNotCoveredError(_enum(Scheme, scheme), kind, METAL_NAMES[metal] if metal is not None else None, message=text)


def _address_or_none(value: str) -> str | None:
    return None if value == _ZERO_ADDRESS else value


def _passport_status(value: int) -> str:
    return PassportStatus(value).name


# Battery ids, company prefixes and passport holders (issue 13, findings 2 and 3).
_TWINS.update({
    "PassportMalformedBatteryId": lambda a, text: MalformedBatteryIdError(a["batteryId"], message=text),
    "RegistryMalformedBatteryId": lambda a, text: MalformedBatteryIdError(a["batteryId"], message=text),
    "PassportBatteryIdNotOwned": lambda a, text: BatteryIdNotOwnedError(
        a["batteryId"], a["issuer"], _address_or_none(a["owner"]), message=text),
    "RegistryInvalidPrefix": lambda a, text: InvalidCompanyPrefixError(a["kind"], a["prefix"], message=text),
    "RegistryPrefixTaken": lambda a, text: CompanyPrefixConflictError(a["kind"], a["prefix"], a["holder"], message=text),
    "RegistryPrefixExtended": lambda a, text: CompanyPrefixConflictError(a["kind"], a["prefix"], None, message=text),
    "RegistryPrefixOwnerNotIssuer": lambda a, text: PrefixOwnerNotIssuerError(a["operator"], message=text),
    "RegistryPrefixNotHeld": lambda a, text: CompanyPrefixNotHeldError(
        a["kind"], a["prefix"], a["operator"], _address_or_none(a["holder"]), message=text),
    "PassportNotHolder": lambda a, text: NotPassportHolderError(a["passportId"], a["holder"], a["account"], message=text),
    "PassportInvalidStatusChange": lambda a, text: InvalidStatusChangeError(
        a["passportId"], _passport_status(a["from"]), _passport_status(a["to"]), message=text),
    "PassportEvidenceRequired": lambda a, text: MissingCorrectionEvidenceError(a["passportId"], message=text),
    "PassportInvalidReceiver": lambda a, text: InvalidPassportReceiverError(a["receiver"], message=text),
})


def domain_error(error: RevertedError) -> BatteryTraceError:
    """The SDK's exception for a revert (the chain's own text kept as the message and the revert
    itself as ``.revert``); the revert unchanged when its error has no twin."""
    build = _TWINS.get(error.error_name)
    if build is None:
        return error
    twin = build(error.arguments, str(error))
    twin.revert = error  # type: ignore[attr-defined]
    return twin


def twins() -> dict[str, Build]:
    """The mapping (for tests that check every twin is declared on its class)."""
    return dict(_TWINS)

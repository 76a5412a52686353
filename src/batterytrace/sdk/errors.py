"""The one mapping from the contracts' custom errors to the SDK's exceptions.

Each refusal class in :mod:`batterytrace.exceptions` names the Solidity errors it is the twin of
(``solidity_errors``); here each of those errors' decoded arguments become the class's typed
arguments. A revert with no twin stays a :class:`~batterytrace.exceptions.RevertedError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batterytrace.exceptions import (
    AuditorIsPartyError,
    BackdatedCertificationError,
    BatteryTraceError,
    CertificationError,
    FacilityNotAllowedError,
    InvalidEncryptionKeyError,
    LotStateError,
    MissingRoleError,
    NotCustodianError,
    NotPendingReceiverError,
    ProofInvalidError,
    RevertedError,
    SenderNotParticipantError,
    UnknownCertificationError,
    UnknownFacilityError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.model.lots import LotStatus
from batterytrace.model.registry import Role

_ZERO_ADDRESS = "0x" + "00" * 20


def _role_name(role_id: bytes) -> str:
    try:
        return Role.from_role_id(role_id).value
    except ValueError:
        return "0x" + bytes(role_id).hex()


def _status(value: int) -> str:
    return LotStatus(value).name


Build = Callable[[Mapping[str, Any], str], BatteryTraceError]

#: Solidity error name -> how its decoded arguments (and the revert's text) build the twin.
_TWINS: dict[str, Build] = {
    "LotsUnknownLot": lambda a, text: UnknownLotError(a["lotId"], message=text),
    "LotsUnauthorized": lambda a, text: MissingRoleError(a["account"], _role_name(a["neededRole"]), message=text),
    "AccessControlUnauthorizedAccount": lambda a, text: MissingRoleError(a["account"], _role_name(a["neededRole"]), message=text),
    "LotsNotCustodian": lambda a, text: NotCustodianError(a["lotId"], a["custodian"], a["account"], message=text),
    "LotsNotPendingReceiver": lambda a, text: NotPendingReceiverError(
        a["lotId"], None if a["pendingReceiver"] == _ZERO_ADDRESS else a["pendingReceiver"], a["account"], message=text),
    "LotsWrongStatus": lambda a, text: LotStateError(a["lotId"], _status(a["status"]), _status(a["expected"]), message=text),
    "LotsAlreadyExists": lambda a, text: LotStateError(a["lotId"], message=text),
    "LotsInvalidTransform": lambda a, text: LotStateError(None, message=text),
    "LotsInvalidReceiver": lambda a, text: UnknownParticipantError(a["receiver"], message=text),
    "LotsFacilityNotAllowed": lambda a, text: FacilityNotAllowedError(
        a["facilityId"], a["account"], "may not be used by this account for this operation", message=text),
    "ProofInvalid": lambda a, text: ProofInvalidError(text),
    "ProofInputOutOfField": lambda a, text: ProofInvalidError(text),
    "RegistryNotRegistered": lambda a, text: UnknownParticipantError(a["account"], message=text),
    "RegistryUnknownFacility": lambda a, text: UnknownFacilityError(a["facilityId"], message=text),
    "RegistryCertificationNotActive": lambda a, text: CertificationError(a["certificationId"], text),
    "RegistryInvalidValidity": lambda a, text: CertificationError(None, text),
    "PassportUnauthorized": lambda a, text: MissingRoleError(a["account"], "the role this passport operation needs", message=text),
    "RegistryUnknownCertification": lambda a, text: UnknownCertificationError(a["certificationId"], message=text),
    "RegistryBackdatedCertification": lambda a, text: BackdatedCertificationError(a["validFrom"], a["recordedAt"], message=text),
    "RegistryInvalidEncryptionKey": lambda a, text: InvalidEncryptionKeyError(a["account"], a["key"], message=text),
    "LotsSenderNotParticipant": lambda a, text: SenderNotParticipantError(a["lotId"], a["account"], message=text),
    "LotsAuditorIsParty": lambda a, text: AuditorIsPartyError(a["lotId"], a["auditor"], message=text),
}


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

"""The ledger's refusals: roles, custody, facilities, lots, certifications, keys, emissions; each the twin of
Solidity errors or, where the shielded ledger's circuits enforce the rule, of a circuit's constraint."""

from __future__ import annotations

from batterytrace.exceptions.families import RefusedError


def _lot(lot_id: int) -> str:
    return f"lot {lot_id:#x}"


class MissingRoleError(RefusedError, PermissionError):
    """``account`` lacks every role the operation requires (``role``: their names, "A or B")."""

    solidity_errors = ("AccessControlUnauthorizedAccount", "PassportUnauthorized")

    def __init__(self, account: str, role: str, message: str | None = None) -> None:
        super().__init__(message or f"{account} lacks {role}")
        self.account, self.role = account, role


class NotCustodianError(RefusedError, PermissionError):
    """``caller`` does not hold custody of the lot (or is not the receiver of its offer); ``custodian``
    does. The twin of the custody circuit's owner check: the note names its holder by shielding key."""

    def __init__(self, lot_id: int, custodian: str, caller: str, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} is held by {custodian}, not {caller}")
        self.lot_id, self.custodian, self.caller = lot_id, custodian, caller


class NotPendingReceiverError(RefusedError, PermissionError):
    """The lot is not offered to ``caller`` (``pending_receiver`` is None when it is not offered):
    only the receiver of an offer takes it in."""

    def __init__(self, lot_id: int, pending_receiver: str | None, caller: str, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} is not in transit to {caller}")
        self.lot_id, self.pending_receiver, self.caller = lot_id, pending_receiver, caller


class FacilityNotAllowedError(RefusedError, PermissionError):
    """The facility may not be used by ``caller`` for this operation (``reason`` says why: another
    operator, or a facility type that does not do this step). The twin of the origin and transform
    circuits' facility checks (the site's leaf names its operator and type)."""

    def __init__(self, facility_id: int, caller: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} {reason}")
        self.facility_id, self.caller, self.reason = facility_id, caller, reason


class UnknownLotError(RefusedError, LookupError):
    """No current note of the lot opens for this participant's keys: the lot does not exist, or it
    is not (or no longer) in this participant's view."""

    def __init__(self, lot_id: int, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} does not exist")
        self.lot_id = lot_id


class UnknownParticipantError(RefusedError, LookupError):
    """The account is not a registered participant (or not one this operation may address)."""

    solidity_errors = ("RegistryNotRegistered",)

    def __init__(self, account: str, message: str | None = None) -> None:
        super().__init__(message or f"{account} is not a registered participant")
        self.account = account


class UnknownFacilityError(RefusedError, LookupError):
    """No facility is registered with this id."""

    solidity_errors = ("RegistryUnknownFacility",)

    def __init__(self, facility_id: int, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} is not registered")
        self.facility_id = facility_id


class FacilityNotActiveError(RefusedError, PermissionError):
    """No auditor has activated the facility yet: nothing is minted or transformed there (the
    facility has no leaf in the registry's tree for a proof to show)."""

    def __init__(self, facility_id: int, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} is not active yet: an auditor activates it first")
        self.facility_id = facility_id


class FacilityAlreadyActiveError(RefusedError, ValueError):
    """The facility was already activated; its parameters change through set_process_parameters."""

    solidity_errors = ("RegistryFacilityAlreadyActive",)

    def __init__(self, facility_id: int, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} is already active")
        self.facility_id = facility_id


class KindNotAllowedError(RefusedError, ValueError):
    """A lot of this material kind may not be created at this facility (``model.facilities.mints_kind``
    and ``makes_kind``; the origin and note transform circuits hold the same table)."""

    def __init__(self, facility_id: int, kind: object, message: str | None = None) -> None:
        name = getattr(kind, "name", kind)
        super().__init__(message or f"facility {facility_id} may not create a lot of kind {name}")
        self.facility_id, self.kind = facility_id, kind


class EvidenceRequiredError(RefusedError, ValueError):
    """An activation, or a finding that clears a risk flag, needs its evidence."""

    solidity_errors = ("RegistryEvidenceRequired",)

    def __init__(self, action: str = "this finding", message: str | None = None) -> None:
        super().__init__(message or f"{action} needs evidence (a document or its hash)")
        self.action = action


class UnknownCertificationError(RefusedError, LookupError):
    """No certification exists with this id."""

    solidity_errors = ("RegistryUnknownCertification",)

    def __init__(self, certification_id: int, message: str | None = None) -> None:
        super().__init__(message or f"certification {certification_id} does not exist")
        self.certification_id = certification_id


class LotStateError(RefusedError, ValueError):
    """The lot is not in the state the operation requires (``status`` and ``expected`` are the
    names of its note's states; other state rules, such as output ids an earlier job used, say so
    in ``message``). The twin of the custody circuit's transition table."""

    def __init__(self, lot_id: int | None, status: str | None = None, expected: str | None = None,
                 message: str | None = None) -> None:
        if message is None:
            message = f"{_lot(lot_id or 0)} is {status}, not {expected}"
        super().__init__(message)
        self.lot_id, self.status, self.expected = lot_id, status, expected


class CertificationError(RefusedError, ValueError):
    """A certification is not in the state, or the validity window not the shape, the call needs."""

    solidity_errors = ("RegistryCertificationNotActive", "RegistryInvalidValidity")

    def __init__(self, certification_id: int | None, message: str) -> None:
        super().__init__(message)
        self.certification_id = certification_id


class BackdatedCertificationError(CertificationError):
    """A certification's window would start before the block that records it, rewriting what
    ``isCertified`` answered for the past (``valid_from`` and ``recorded_at`` are Unix seconds; before
    sending, ``recorded_at`` is the chain's latest block timestamp, which the recording block follows)."""

    solidity_errors = ("RegistryBackdatedCertification",)

    def __init__(self, valid_from: int, recorded_at: int, message: str | None = None) -> None:
        super().__init__(None, message or (
            f"a certification cannot start at {valid_from}, before its recording block ({recorded_at} or later): "
            "pass valid_from=None to start at the recording block"))
        self.valid_from, self.recorded_at = valid_from, recorded_at


class SchemeNotCoveredError(CertificationError):
    """The scheme's standard does not cover the metal of the facility's type (a CIRAF
    certification of a lithium brine operation), so the registry records no certification under it.
    ``scheme`` and ``facility_type`` are the enums (or their values, when the chain refused)."""

    solidity_errors = ("RegistrySchemeDoesNotCover",)

    def __init__(self, scheme: object, facility_type: object, metal: str | None = None, message: str | None = None) -> None:
        scheme_name, type_name = getattr(scheme, "name", scheme), getattr(facility_type, "name", facility_type)
        what = f"{metal}, the metal of a {type_name}" if metal else f"the metal of facility type {type_name}"
        super().__init__(None, message or f"scheme {scheme_name} does not cover {what}")
        self.scheme, self.facility_type, self.metal = scheme, facility_type, metal


class NotRecyclerError(RefusedError, ValueError):
    """Only a recycler's input stream has a recycled split (pre- and post-consumer)."""

    solidity_errors = ("RegistryNotRecycler",)

    def __init__(self, facility_id: int, facility_type: object, message: str | None = None) -> None:
        type_name = getattr(facility_type, "name", facility_type)
        super().__init__(message or f"facility {facility_id} is a {type_name}, not a RECYCLER: only a recycler's "
                                    "input has a recycled split")
        self.facility_id, self.facility_type = facility_id, facility_type


class InvalidEncryptionKeyError(RefusedError, ValueError):
    """``key`` is not a secp256k1 point (33 bytes compressed or 65 uncompressed) that openings can be
    encrypted to; ``account`` is the participant it belongs to or was given for."""

    solidity_errors = ("RegistryInvalidEncryptionKey",)

    def __init__(self, account: str, key: bytes, message: str | None = None) -> None:
        super().__init__(message or f"the encryption key of {account} is not a valid secp256k1 point: 0x{bytes(key).hex()}")
        self.account, self.key = account, bytes(key)


class InvalidShieldingKeyError(RefusedError, ValueError):
    """``key`` is no shielding key a circuit can prove: zero, or not below the BN254 scalar field;
    ``account`` is the participant it was given for."""

    solidity_errors = ("RegistryInvalidShieldingKey",)

    def __init__(self, account: str, key: int, message: str | None = None) -> None:
        super().__init__(message or f"the shielding key of {account} is not a non-zero BN254 field element: {key:#x}")
        self.account, self.key = account, int(key)


class ShieldingKeyTakenError(RefusedError, ValueError):
    """``key`` is already ``holder``'s shielding key (now, or before it rotated): a key names one
    owner for good."""

    solidity_errors = ("RegistryShieldingKeyTaken",)

    def __init__(self, key: int, holder: str, message: str | None = None) -> None:
        super().__init__(message or f"the shielding key {key:#x} belongs to {holder}: each participant needs its own")
        self.key, self.holder = int(key), holder


class Co2eBelowFloorError(RefusedError, ValueError):
    """An origin lot's declared CO2e is below the floor for its facility type or site, per kg of the
    metal it contains (cobalt, lithium and nickel together): the origin circuit has no witness for it."""

    def __init__(self, co2e_grams: int, metal_grams: int, floor_grams_per_kg: int) -> None:
        super().__init__(
            f"{co2e_grams} g CO2e for {metal_grams} g of metal is below the rulebook floor of "
            f"{floor_grams_per_kg} g per kg of metal"
        )
        self.co2e_grams, self.metal_grams, self.floor_grams_per_kg = co2e_grams, metal_grams, floor_grams_per_kg


class ProcessCo2eBelowFloorError(RefusedError, ValueError):
    """A transformation declares less process CO2e than its facility's audited floor per kg of
    material processed (the inputs' total mass): the note transform circuit has no witness for it, so the
    twin is the circuit, not a contract error."""

    def __init__(self, process_co2e_grams: int, processed_grams: int, floor_grams_per_kg: int) -> None:
        minimum = -(-processed_grams * floor_grams_per_kg // 1000)
        super().__init__(
            f"{process_co2e_grams} g of process CO2e for {processed_grams} g of material processed is below "
            f"the facility's audited floor of {floor_grams_per_kg} g per kg processed ({minimum} g at least)"
        )
        self.process_co2e_grams, self.processed_grams = process_co2e_grams, processed_grams
        self.floor_grams_per_kg = floor_grams_per_kg


# -- proofs ---------------------------------------------------------------------------------------

"""The passports' refusals: battery ids and company prefixes, holders, status changes; each the twin of Solidity errors."""

from __future__ import annotations

from batterytrace.exceptions.families import RefusedError
from batterytrace.exceptions.ledger import UnknownParticipantError


class MalformedBatteryIdError(RefusedError, ValueError):
    """The battery id is of no accepted form (``reason`` says why; None when the chain refused it)."""

    solidity_errors = ("PassportMalformedBatteryId", "RegistryMalformedBatteryId")

    def __init__(self, battery_id: str, reason: str | None = None, message: str | None = None) -> None:
        super().__init__(message or f"malformed battery id {battery_id!r}" + (f": {reason}" if reason else ""))
        self.battery_id, self.reason = battery_id, reason


class BatteryIdNotOwnedError(RefusedError, PermissionError):
    """The battery id falls under no prefix of ``issuer``; ``owner`` holds the one it falls under (or None)."""

    solidity_errors = ("PassportBatteryIdNotOwned",)

    def __init__(self, battery_id: str, issuer: str, owner: str | None, message: str | None = None) -> None:
        held = f"falls under a prefix of {owner}" if owner else "falls under no assigned company prefix"
        super().__init__(message or f"battery id {battery_id!r} {held}, not one of {issuer}'s")
        self.battery_id, self.issuer, self.owner = battery_id, issuer, owner


class InvalidCompanyPrefixError(RefusedError, ValueError):
    """The prefix is not of its kind's form (``kind`` 0: GS1, 6-12 digits; 1: ISO/IEC 15459, 3-12 of 0-9 A-Z from a letter)."""

    solidity_errors = ("RegistryInvalidPrefix",)

    def __init__(self, kind: int, prefix: str, message: str | None = None) -> None:
        form = "GS1 company prefix (6-12 digits)" if kind == 0 else "ISO/IEC 15459 issuer code (3-12 of 0-9 A-Z, from a letter)"
        super().__init__(message or f"{prefix!r} is not a {form}")
        self.kind, self.prefix = kind, prefix


class CompanyPrefixConflictError(RefusedError, ValueError):
    """The prefix overlaps an assigned one: ``holder`` holds it or a shorter one it extends, or
    (``holder`` None) longer assigned prefixes extend it."""

    solidity_errors = ("RegistryPrefixTaken", "RegistryPrefixExtended")

    def __init__(self, kind: int, prefix: str, holder: str | None, message: str | None = None) -> None:
        why = f"overlaps a prefix {holder} holds" if holder else "is extended by assigned prefixes"
        super().__init__(message or f"company prefix {prefix!r} {why}: assigned prefixes are prefix-free")
        self.kind, self.prefix, self.holder = kind, prefix, holder


class PrefixOwnerNotIssuerError(RefusedError, PermissionError):
    """Only registered participants holding PACK_MAKER_ROLE or OEM_ROLE own company prefixes."""

    solidity_errors = ("RegistryPrefixOwnerNotIssuer",)

    def __init__(self, operator: str, message: str | None = None) -> None:
        super().__init__(message or f"{operator} is not a registered pack maker or OEM and may own no company prefix")
        self.operator = operator


class CompanyPrefixNotHeldError(RefusedError, LookupError):
    """``operator`` does not hold the prefix it would release (``holder``: who does, or None)."""

    solidity_errors = ("RegistryPrefixNotHeld",)

    def __init__(self, kind: int, prefix: str, operator: str, holder: str | None, message: str | None = None) -> None:
        super().__init__(message or f"{operator} does not hold company prefix {prefix!r}" + (f" ({holder} does)" if holder else ""))
        self.kind, self.prefix, self.operator, self.holder = kind, prefix, operator, holder


class NotPassportHolderError(RefusedError, PermissionError):
    """``caller`` does not hold the battery (the passport token); ``holder`` does."""

    solidity_errors = ("PassportNotHolder",)

    def __init__(self, passport_id: int, holder: str, caller: str, message: str | None = None) -> None:
        super().__init__(message or f"passport {passport_id:#x} is held by {holder}, not {caller}")
        self.passport_id, self.holder, self.caller = passport_id, holder, caller


class InvalidStatusChangeError(RefusedError, ValueError):
    """The battery cannot go from ``status`` to ``requested`` (passport status names)."""

    solidity_errors = ("PassportInvalidStatusChange",)

    def __init__(self, passport_id: int, status: str, requested: str, message: str | None = None) -> None:
        super().__init__(message or f"passport {passport_id:#x} cannot go from {status} to {requested}")
        self.passport_id, self.status, self.requested = passport_id, status, requested


class MissingCorrectionEvidenceError(RefusedError, ValueError):
    """An authority's status correction needs its evidence."""

    solidity_errors = ("PassportEvidenceRequired",)

    def __init__(self, passport_id: int, message: str | None = None) -> None:
        super().__init__(message or f"correcting passport {passport_id:#x} needs evidence")
        self.passport_id = passport_id


class InvalidPassportReceiverError(UnknownParticipantError):
    """A passport is handed over only to a registered participant."""

    solidity_errors = ("PassportInvalidReceiver",)

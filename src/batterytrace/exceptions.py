"""The exception tree of batterytrace: one root, four families, each class also the matching builtin.

- :class:`ConfigurationError` and :class:`ToolchainError`: the set-up is wrong (deployment, keys,
  node, compiler), whatever the call.
- :class:`InputError`: a value the caller passed is malformed (a number outside its range, an
  opening or document that does not parse or validate).
- :class:`RefusedError`: the operation breaks a rule a contract or circuit enforces. Each class is
  the twin of one or more Solidity custom errors and is built from the same typed arguments; the
  SDK raises it before sending where it can tell, and :mod:`batterytrace.sdk.errors` maps a revert
  to it where it cannot (``revert`` then holds the decoded :class:`RevertedError`).
- :class:`ChainError`: the node failed or refused, or a transaction reverted with an error that has
  no twin here (:class:`RevertedError`, with the error's name and decoded arguments).
- :class:`ProofError`: a proof does not verify, or the prover could not make one.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BatteryTraceError(Exception):
    """Root of every error the SDK raises on purpose."""


# -- set-up ---------------------------------------------------------------------------------------


class ConfigurationError(BatteryTraceError, ValueError):
    """The network, deployment, keys or accounts are not set up as the call needs."""


class ToolchainError(BatteryTraceError, RuntimeError):
    """A tool the project drives (node, anvil, the compiler, snarkjs) is missing or failed."""


# -- the caller's input ---------------------------------------------------------------------------


class InputError(BatteryTraceError, ValueError):
    """A value the caller passed is malformed or outside its range."""


class FieldRangeError(InputError):
    """A number is outside the BN254 scalar field or its declared bit width."""


class OpeningError(InputError):
    """A lot opening is inconsistent or does not match its on-chain commitment."""


class DecryptionError(OpeningError):
    """An encrypted opening cannot be decrypted with the given key."""


class SchemaValidationError(InputError):
    """A document does not validate against its JSON schema."""


class EpcisError(InputError):
    """An EPCIS document cannot be exported, parsed or mapped to lot operations."""


class PassportError(InputError):
    """A passport's request or document is invalid."""


# -- the chain ------------------------------------------------------------------------------------


class ChainError(BatteryTraceError, RuntimeError):
    """The node refused or could not process a request."""


class TransactionFailed(ChainError):
    """A transaction was mined but reverted, or could not be sent."""


class RevertedError(TransactionFailed):
    """A call or transaction reverted; ``error_name`` and ``arguments`` are the decoded custom
    error (``arguments`` keyed by the Solidity parameter names), ``reason`` the text shown."""

    def __init__(self, description: str, reason: str, error_name: str = "", arguments: dict[str, Any] | None = None) -> None:
        super().__init__(f"{description} reverted: {reason}")
        self.description = description
        self.reason = reason
        self.error_name = error_name
        self.arguments = dict(arguments or {})


# -- refused by a contract's or circuit's rule ----------------------------------------------------


class RefusedError(BatteryTraceError):
    """The operation breaks a rule a contract or circuit enforces.

    ``solidity_errors`` names the contract errors a class is the twin of; ``revert`` is the decoded
    revert when the chain refused, None when the SDK refused before sending.
    """

    solidity_errors: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.revert: RevertedError | None = None

    @property
    def error_name(self) -> str | None:
        """The contract error's name when the chain refused."""
        return self.revert.error_name if self.revert is not None else None


def _lot(lot_id: int) -> str:
    return f"lot {lot_id:#x}"


class MissingRoleError(RefusedError, PermissionError):
    """``account`` lacks every role the operation requires (``role``: their names, "A or B")."""

    solidity_errors = ("AccessControlUnauthorizedAccount", "LotsUnauthorized", "PassportUnauthorized")

    def __init__(self, account: str, role: str, message: str | None = None) -> None:
        super().__init__(message or f"{account} lacks {role}")
        self.account, self.role = account, role


class NotCustodianError(RefusedError, PermissionError):
    """``caller`` does not hold custody of the lot; ``custodian`` does."""

    solidity_errors = ("LotsNotCustodian",)

    def __init__(self, lot_id: int, custodian: str, caller: str, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} is held by {custodian}, not {caller}")
        self.lot_id, self.custodian, self.caller = lot_id, custodian, caller


class NotPendingReceiverError(RefusedError, PermissionError):
    """The lot is not in transit to ``caller`` (``pending_receiver`` is None when not in transit)."""

    solidity_errors = ("LotsNotPendingReceiver",)

    def __init__(self, lot_id: int, pending_receiver: str | None, caller: str, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} is not in transit to {caller}")
        self.lot_id, self.pending_receiver, self.caller = lot_id, pending_receiver, caller


class FacilityNotAllowedError(RefusedError, PermissionError):
    """The facility may not be used by ``caller`` for this operation (``reason`` says why: another
    operator, or a facility type that does not do this step)."""

    solidity_errors = ("LotsFacilityNotAllowed",)

    def __init__(self, facility_id: int, caller: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} {reason}")
        self.facility_id, self.caller, self.reason = facility_id, caller, reason


class UnknownLotError(RefusedError, LookupError):
    """No lot exists with this id."""

    solidity_errors = ("LotsUnknownLot",)

    def __init__(self, lot_id: int, message: str | None = None) -> None:
        super().__init__(message or f"{_lot(lot_id)} does not exist")
        self.lot_id = lot_id


class UnknownParticipantError(RefusedError, LookupError):
    """The account is not a registered participant (or not one this operation may address)."""

    solidity_errors = ("RegistryNotRegistered", "LotsInvalidReceiver")

    def __init__(self, account: str, message: str | None = None) -> None:
        super().__init__(message or f"{account} is not a registered participant")
        self.account = account


class UnknownFacilityError(RefusedError, LookupError):
    """No facility is registered with this id."""

    solidity_errors = ("RegistryUnknownFacility",)

    def __init__(self, facility_id: int, message: str | None = None) -> None:
        super().__init__(message or f"facility {facility_id} is not registered")
        self.facility_id = facility_id


class UnknownCertificationError(RefusedError, LookupError):
    """No certification exists with this id."""

    solidity_errors = ("RegistryUnknownCertification",)

    def __init__(self, certification_id: int, message: str | None = None) -> None:
        super().__init__(message or f"certification {certification_id} does not exist")
        self.certification_id = certification_id


class LotStateError(RefusedError, ValueError):
    """The lot is not in the state the operation requires (``status`` and ``expected`` are the
    names of the lot statuses; other state rules, such as a lot that already exists, say so in
    ``message``)."""

    solidity_errors = ("LotsWrongStatus", "LotsAlreadyExists", "LotsInvalidTransform")

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


class InvalidEncryptionKeyError(RefusedError, ValueError):
    """``key`` is not a secp256k1 point (33 bytes compressed or 65 uncompressed) that openings can be
    encrypted to; ``account`` is the participant it belongs to or was given for."""

    solidity_errors = ("RegistryInvalidEncryptionKey",)

    def __init__(self, account: str, key: bytes, message: str | None = None) -> None:
        super().__init__(message or f"the encryption key of {account} is not a valid secp256k1 point: 0x{bytes(key).hex()}")
        self.account, self.key = account, bytes(key)


class SenderNotParticipantError(RefusedError, PermissionError):
    """The custodian of the lot is no longer a registered participant holding its role (its role was
    revoked), so it may not offer the lot."""

    solidity_errors = ("LotsSenderNotParticipant",)

    def __init__(self, lot_id: int, sender: str, message: str | None = None) -> None:
        super().__init__(message or f"{sender} no longer holds a participant role and may not offer {_lot(lot_id)}")
        self.lot_id, self.sender = lot_id, sender


class AuditorIsPartyError(RefusedError, PermissionError):
    """The auditor is the sender or the receiver of the disputed lot, so it may not resolve the dispute."""

    solidity_errors = ("LotsAuditorIsParty",)

    def __init__(self, lot_id: int, auditor: str, message: str | None = None) -> None:
        super().__init__(message or f"{auditor} is party to the dispute over {_lot(lot_id)} and may not resolve it")
        self.lot_id, self.auditor = lot_id, auditor


class Co2eBelowFloorError(RefusedError, ValueError):
    """An origin lot's declared CO2e is below the rulebook floor for its facility type: the mint
    circuit has no witness for it."""

    def __init__(self, co2e_grams: int, cobalt_grams: int, floor_grams_per_kg: int) -> None:
        super().__init__(
            f"{co2e_grams} g CO2e for {cobalt_grams} g cobalt is below the rulebook floor of "
            f"{floor_grams_per_kg} g per kg cobalt"
        )
        self.co2e_grams, self.cobalt_grams, self.floor_grams_per_kg = co2e_grams, cobalt_grams, floor_grams_per_kg


# -- proofs ---------------------------------------------------------------------------------------


class ProofError(BatteryTraceError, ValueError):
    """A proof is malformed or does not verify."""


class ProofInvalidError(ProofError):
    """A verifier (on chain or off) refused the proof for its public inputs."""

    solidity_errors: ClassVar[tuple[str, ...]] = ("ProofInvalid", "ProofInputOutOfField")

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.revert: RevertedError | None = None

    @property
    def error_name(self) -> str | None:
        """The contract error's name when the chain refused."""
        return self.revert.error_name if self.revert is not None else None


class ProverError(ProofError, RuntimeError):
    """The prover could not make a proof (usually: the inputs violate the circuit's constraints)."""

"""The exception tree of batterytrace: one root, each subclass also the matching builtin."""

from __future__ import annotations


class BatteryTraceError(Exception):
    """Root of every error the SDK raises on purpose."""


class ConfigurationError(BatteryTraceError, ValueError):
    """The toolchain, network or deployment is not set up as the call needs."""


class ToolchainError(BatteryTraceError, RuntimeError):
    """A tool the project drives (node, anvil, the compiler) is missing or failed."""


class ChainError(BatteryTraceError, RuntimeError):
    """The node refused or could not process a request."""


class TransactionFailed(ChainError):
    """A transaction was mined but reverted, or could not be sent."""


class ProofError(BatteryTraceError, ValueError):
    """A proof is malformed or does not verify."""


class ProverError(BatteryTraceError, RuntimeError):
    """The prover could not make a proof (usually: the inputs violate the circuit's constraints)."""


class OpeningError(BatteryTraceError, ValueError):
    """A lot opening is inconsistent or does not match its on-chain commitment."""


class DecryptionError(OpeningError):
    """An encrypted opening cannot be decrypted with the given key."""


class FieldRangeError(BatteryTraceError, ValueError):
    """A number is outside the BN254 scalar field or its declared bit width."""


class UnknownLotError(BatteryTraceError, LookupError):
    """No lot exists with the given id."""


class UnknownParticipantError(BatteryTraceError, LookupError):
    """The address is not a registered participant, or the facility is unknown."""


class MissingRoleError(BatteryTraceError, PermissionError):
    """The sender lacks the role the operation requires."""


class NotCustodianError(BatteryTraceError, PermissionError):
    """The sender does not hold custody of the lot."""


class LotStateError(BatteryTraceError, ValueError):
    """The lot is not in the state the operation requires (in transit, disputed, consumed...)."""


class CertificationError(BatteryTraceError, ValueError):
    """A certification is missing, expired, suspended or revoked."""


class PassportError(BatteryTraceError, ValueError):
    """A passport operation is not allowed or its data is invalid."""


class SchemaValidationError(BatteryTraceError, ValueError):
    """A document does not validate against its JSON schema."""


class EpcisError(BatteryTraceError, ValueError):
    """An EPCIS document cannot be exported, parsed or mapped to lot operations."""

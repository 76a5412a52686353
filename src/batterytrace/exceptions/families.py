"""The root and the families of the exception tree (see :mod:`batterytrace.exceptions`)."""

from __future__ import annotations

from typing import Any, ClassVar


class BatteryTraceError(Exception):
    """Root of every error the SDK raises on purpose."""


# -- set-up ---------------------------------------------------------------------------------------


class ConfigurationError(BatteryTraceError, ValueError):
    """The network, deployment, keys or accounts are not set up as the call needs."""


class ToolchainError(BatteryTraceError, RuntimeError):
    """A tool the project drives (node, anvil, the compiler, snarkjs) is missing or failed."""


class UnlinkedLibraryError(ConfigurationError):
    """A contract's bytecode needs libraries (``libraries``: fully qualified names, or the
    placeholders found) whose addresses were not given, so it cannot be deployed."""

    def __init__(self, contract: str, libraries: tuple[str, ...]) -> None:
        super().__init__(f"{contract}'s bytecode needs libraries linked first: {', '.join(libraries)}")
        self.contract = contract
        self.libraries = libraries


# -- the caller's input ---------------------------------------------------------------------------


class InputError(BatteryTraceError, ValueError):
    """A value the caller passed is malformed or outside its range."""


class FieldRangeError(InputError):
    """A number is outside the BN254 scalar field or its declared bit width."""


class InvalidCurvePointError(InputError):
    """A Baby Jubjub point (``zk.babyjub``) is not one the view-key circuit accepts: off the curve,
    outside the subgroup Base8 generates, or the identity where a key is needed."""

    def __init__(self, x: int, y: int, problem: str) -> None:
        super().__init__(f"point ({x}, {y}) is {problem}")
        self.x = x
        self.y = y
        self.problem = problem


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


class CredentialError(InputError):
    """A verifiable credential, its issuer's DID document or its status list fails verification
    (a bad signature, an unknown key or context, outside its validity, revoked); the message says which."""


class MembershipTreeError(InputError):
    """A Merkle tree operation is invalid; the Python tree (``zk.merkle.LeanIMT``) refuses what
    ``contracts/lib/MembershipTree.sol`` refuses, ``leaf`` being the value at fault."""

    def __init__(self, message: str, leaf: int) -> None:
        super().__init__(message)
        self.leaf = leaf


class InvalidLeafError(MembershipTreeError):
    """A leaf is zero or not below the BN254 scalar field (``MembershipTreeLeafZero``,
    ``MembershipTreeLeafOutOfField``)."""

    def __init__(self, leaf: int) -> None:
        problem = "zero (zero marks a removed leaf)" if leaf == 0 else "not in the BN254 scalar field"
        super().__init__(f"leaf {leaf} is {problem}", leaf)


class DuplicateLeafError(MembershipTreeError):
    """A leaf is already in the tree, at ``index`` (``MembershipTreeLeafExists``)."""

    def __init__(self, leaf: int, index: int) -> None:
        super().__init__(f"leaf {leaf} is already in the tree, at index {index}", leaf)
        self.index = index


class UnknownLeafError(MembershipTreeError, LookupError):
    """A leaf to update, remove or prove is not in the tree (``MembershipTreeLeafUnknown``)."""

    def __init__(self, leaf: int) -> None:
        super().__init__(f"leaf {leaf} is not in the tree", leaf)


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


class _TwinOfSolidity(BatteryTraceError):
    """An SDK error that is the twin of contract errors (``solidity_errors``); ``revert`` is the
    decoded revert when the chain refused, None when the SDK refused before sending."""

    solidity_errors: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.revert: RevertedError | None = None

    @property
    def error_name(self) -> str | None:
        """The contract error's name when the chain refused."""
        return self.revert.error_name if self.revert is not None else None


class RefusedError(_TwinOfSolidity):
    """The operation breaks a rule a contract or circuit enforces (see ``_TwinOfSolidity`` for
    ``solidity_errors`` and ``revert``)."""


class ProofError(BatteryTraceError, ValueError):
    """A proof is malformed or does not verify."""


class ProofInvalidError(ProofError, _TwinOfSolidity):
    """A verifier (on chain or off) refused the proof for its public inputs."""

    solidity_errors: ClassVar[tuple[str, ...]] = ("ProofInvalid", "ProofInputOutOfField")


class ProverError(ProofError, RuntimeError):
    """The prover could not make a proof (usually: the inputs violate the circuit's constraints)."""


# -- refused: battery ids, company prefixes, passport holders (issue 13, findings 2 and 3) -------

"""The exception tree of batterytrace: one root, four families, each class also the matching builtin.

- :class:`ConfigurationError` and :class:`ToolchainError`: the set-up is wrong (deployment, keys,
  node, compiler), whatever the call.
- :class:`InputError`: a value the caller passed is malformed (a number outside its range, an
  opening or document that does not parse or validate).
- :class:`RefusedError`: the operation breaks a rule a contract or circuit enforces. Each class is
  the twin of one or more Solidity custom errors, built from the same typed arguments, or of a
  circuit's rule (the shielded ledger's proofs enforce what no contract can see); the SDK raises it
  before sending where it can tell, and :mod:`batterytrace.sdk.errors` maps a revert to it where it
  cannot (``revert`` then holds the decoded :class:`RevertedError`).
- :class:`ChainError`: the node failed or refused, or a transaction reverted with an error that has
  no twin here (:class:`RevertedError`, with the error's name and decoded arguments).
- :class:`ProofError`: a proof does not verify, or the prover could not make one.
"""

from __future__ import annotations

from batterytrace.exceptions.families import (
    BatteryTraceError,
    ChainError,
    ConfigurationError,
    DecryptionError,
    DuplicateLeafError,
    EpcisError,
    FieldRangeError,
    InputError,
    InvalidCurvePointError,
    InvalidLeafError,
    MembershipTreeError,
    OpeningError,
    PassportError,
    ProofError,
    ProofInvalidError,
    ProverError,
    RefusedError,
    RevertedError,
    SchemaValidationError,
    ToolchainError,
    TransactionFailed,
    UnknownLeafError,
    UnlinkedLibraryError,
)
from batterytrace.exceptions.ledger import (
    BackdatedCertificationError,
    CertificationError,
    Co2eBelowFloorError,
    EvidenceRequiredError,
    FacilityAlreadyActiveError,
    FacilityNotActiveError,
    FacilityNotAllowedError,
    InvalidEncryptionKeyError,
    InvalidShieldingKeyError,
    KindNotAllowedError,
    LotStateError,
    MissingRoleError,
    NotCustodianError,
    NotPendingReceiverError,
    ProcessCo2eBelowFloorError,
    ShieldingKeyTakenError,
    UnknownCertificationError,
    UnknownFacilityError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.exceptions.passports import (
    BatteryIdNotOwnedError,
    CompanyPrefixConflictError,
    CompanyPrefixNotHeldError,
    InvalidCompanyPrefixError,
    InvalidPassportReceiverError,
    InvalidStatusChangeError,
    MalformedBatteryIdError,
    MissingCorrectionEvidenceError,
    NotPassportHolderError,
    PrefixOwnerNotIssuerError,
)

__all__ = [
    "BackdatedCertificationError",
    "BatteryIdNotOwnedError",
    "BatteryTraceError",
    "CertificationError",
    "ChainError",
    "Co2eBelowFloorError",
    "CompanyPrefixConflictError",
    "CompanyPrefixNotHeldError",
    "ConfigurationError",
    "DecryptionError",
    "DuplicateLeafError",
    "EpcisError",
    "EvidenceRequiredError",
    "FacilityAlreadyActiveError",
    "FacilityNotActiveError",
    "FacilityNotAllowedError",
    "FieldRangeError",
    "InputError",
    "InvalidCompanyPrefixError",
    "InvalidCurvePointError",
    "InvalidEncryptionKeyError",
    "InvalidLeafError",
    "InvalidPassportReceiverError",
    "InvalidShieldingKeyError",
    "InvalidStatusChangeError",
    "KindNotAllowedError",
    "LotStateError",
    "MalformedBatteryIdError",
    "MembershipTreeError",
    "MissingCorrectionEvidenceError",
    "MissingRoleError",
    "NotCustodianError",
    "NotPassportHolderError",
    "NotPendingReceiverError",
    "OpeningError",
    "PassportError",
    "PrefixOwnerNotIssuerError",
    "ProcessCo2eBelowFloorError",
    "ProofError",
    "ProofInvalidError",
    "ProverError",
    "RefusedError",
    "RevertedError",
    "SchemaValidationError",
    "ShieldingKeyTakenError",
    "ToolchainError",
    "TransactionFailed",
    "UnknownCertificationError",
    "UnknownFacilityError",
    "UnknownLeafError",
    "UnknownLotError",
    "UnknownParticipantError",
    "UnlinkedLibraryError",
]

"""batterytrace: trace battery metals from mine to EV and issue battery passports with
zero-knowledge proofs of origin, certification, recycled content, carbon and risk.

The names a partner's ERP needs are here, loaded on first use so that importing one layer
(``batterytrace.evm``, say) does not load the others::

    from batterytrace import BatteryTrace, Chain, Deployment, LocalSigner, MaterialKind, NoteStore
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "BatteryTrace": "batterytrace.sdk.client",
    "Deployment": "batterytrace.sdk.deployment",
    "deploy": "batterytrace.sdk.deployment",
    "NoteStore": "batterytrace.sdk.notes",
    "RelayerClient": "batterytrace.sdk.relayer",
    "PassportRequest": "batterytrace.sdk.passports",
    "issue_passports": "batterytrace.sdk.passports",
    "verify_passport": "batterytrace.sdk.passports",
    "Chain": "batterytrace.evm.chain",
    "LocalNode": "batterytrace.evm.node",
    "ApeSigner": "batterytrace.evm.signers",
    "LocalSigner": "batterytrace.evm.signers",
    "Prover": "batterytrace.zk.prover",
    "DisputeOutcome": "batterytrace.model.lots",
    "MaterialKind": "batterytrace.model.lots",
    "OutputPlan": "batterytrace.model.lots",
    "FacilityType": "batterytrace.model.registry",
    "IdentifierKind": "batterytrace.model.registry",
    "Role": "batterytrace.model.registry",
    "Scheme": "batterytrace.model.registry",
    "RiskFlag": "batterytrace.model.risk",
    "BatteryTraceError": "batterytrace.exceptions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'batterytrace' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from batterytrace.evm.chain import Chain  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.evm.node import LocalNode  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.evm.signers import ApeSigner, LocalSigner  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.exceptions import BatteryTraceError  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.model.registry import FacilityType, IdentifierKind, Role, Scheme  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.model.risk import RiskFlag  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.sdk.client import BatteryTrace  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.sdk.deployment import Deployment, deploy  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.sdk.notes import NoteStore  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.sdk.passports import PassportRequest, issue_passports, verify_passport  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.sdk.relayer import RelayerClient  # noqa: F401 - for type checkers; loaded lazily above
    from batterytrace.zk.prover import Prover  # noqa: F401 - for type checkers; loaded lazily above

"""The SDK a partner's ERP calls: one participant's view of a batterytrace deployment.

:class:`BatteryTrace` is the whole SDK in one object, composed from one class per operation
family, each in its own module: :mod:`~batterytrace.sdk.connection` (chain, contracts, signer,
keys, store, prover, sending), :mod:`~batterytrace.sdk.registry`, :mod:`~batterytrace.sdk.lots`
(reads, mints, transforms), :mod:`~batterytrace.sdk.custody` (handovers and disputes) and
:mod:`~batterytrace.sdk.history`. Passports are :mod:`batterytrace.sdk.passports`.

Every operation checks what it can before it sends (roles, custody, lot status, facility rules,
the circuit's own rules), proves what must be proven, keeps the opening of every lot the caller
creates or receives in its local store, and raises a named :mod:`batterytrace.exceptions` error.

Use it as a context manager to stop the prover worker it starts::

    with BatteryTrace(chain, deployment, signer, store) as client:
        client.mint_origin(...)
"""

from __future__ import annotations

from batterytrace.evm.signers import Signer
from batterytrace.sdk.custody import AcceptResult
from batterytrace.sdk.history import HistoryOperations
from batterytrace.sdk.lots import MintResult, TransformResult
from batterytrace.sdk.store import OpeningStore
from batterytrace.zk.shielding import ShieldingKeys

__all__ = ["AcceptResult", "BatteryTrace", "MintResult", "TransformResult"]


class BatteryTrace(HistoryOperations):
    """One participant's client of a deployment (see the module docstring for its parts)."""

    def __enter__(self) -> BatteryTrace:
        return self

    def for_signer(self, signer: Signer, store: OpeningStore | None = None, encryption_key: bytes | None = None,
                   shielding_keys: ShieldingKeys | None = None) -> BatteryTrace:
        """A client for another participant sharing this one's connection and prover."""
        client = BatteryTrace(self.chain, self.deployment, signer, store, self.prover, encryption_key, shielding_keys)
        client._owns_prover = False
        return client

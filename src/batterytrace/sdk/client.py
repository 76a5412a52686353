"""The SDK a partner's ERP calls: one participant's view of a batterytrace deployment.

:class:`BatteryTrace` is the whole SDK in one object, composed from one class per operation
family, each in its own module: :mod:`~batterytrace.sdk.connection` (chain, contracts, signer,
keys, note store, relayer, prover, sending), :mod:`~batterytrace.sdk.registry`,
:mod:`~batterytrace.sdk.audits` and :mod:`~batterytrace.sdk.ledger` (the material operations on
the shielded ledger, and reads of lots from the participant's note store). Passports are
:mod:`batterytrace.sdk.passports`.

Every operation checks what it can before it sends (roles, custody, lot status, facility rules,
the circuit's own rules), proves what must be proven, keeps every note the caller can open in its
note store, and raises a named :mod:`batterytrace.exceptions` error.

Use it as a context manager to stop the prover worker it starts::

    with BatteryTrace(chain, deployment, signer, relayer="http://127.0.0.1:8547") as client:
        client.mint_origin(...)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batterytrace.evm.signers import Signer
from batterytrace.sdk.ledger import AcceptResult, LedgerOperations, Lot, MintResult, TransformResult
from batterytrace.zk.shielding import ShieldingKeys

if TYPE_CHECKING:
    from batterytrace.sdk.notes import NoteStore
    from batterytrace.sdk.relayer import RelayerClient

__all__ = ["AcceptResult", "BatteryTrace", "Lot", "MintResult", "TransformResult"]


class BatteryTrace(LedgerOperations):
    """One participant's client of a deployment (see the module docstring for its parts)."""

    def __enter__(self) -> BatteryTrace:
        return self

    def for_signer(self, signer: Signer, notes: NoteStore | None = None, encryption_key: bytes | None = None,
                   shielding_keys: ShieldingKeys | None = None, relayer: RelayerClient | str | None = None) -> BatteryTrace:
        """A client for another participant sharing this one's connection, prover and (unless
        given another) relayer."""
        client = BatteryTrace(self.chain, self.deployment, signer, notes, self.prover, encryption_key, shielding_keys,
                              relayer or self.relayer)
        client._owns_prover = False
        return client

"""One participant's connection to a deployment: chain, contracts, signer, keys, note store,
relayer and prover.

The operation families (:mod:`~batterytrace.sdk.registry`, :mod:`~batterytrace.sdk.audits`,
:mod:`~batterytrace.sdk.ledger`) build on it; every transaction the participant sends itself goes
through :meth:`Connection.send`, so every revert becomes the SDK's exception for it in one place
(:mod:`batterytrace.sdk.errors`). Material operations go through the relayer instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from eth_utils import event_abi_to_log_topic, to_checksum_address

from batterytrace.evm.chain import Chain, PendingTransaction, Receipt
from batterytrace.evm.events import EventDecoder
from batterytrace.evm.signers import LocalSigner, Signer
from batterytrace.exceptions import ConfigurationError, MissingRoleError, RevertedError
from batterytrace.model.registry import Role
from batterytrace.sdk.deployment import Deployment
from batterytrace.sdk.errors import domain_error
from batterytrace.sdk.relayer import RelayerClient
from batterytrace.sdk.trees import MembershipTrees
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.prover import Prover
from batterytrace.zk.shielding import SHIELDING_KEY_MESSAGE, ShieldingKeys

if TYPE_CHECKING:
    from batterytrace.sdk.notes import NoteStore


class Connection:
    """The state every operation needs.

    ``signer`` sends the participant's own transactions (registry, passports); ``relayer`` (a
    :class:`~batterytrace.sdk.relayer.RelayerClient` or its URL) submits its material operations;
    ``notes`` keeps the notes it can open (in memory by default). ``encryption_key`` (a secp256k1
    private key) opens the notes sealed for this participant, defaulting to the signer's own key
    when it is a local key; ``shielding_keys`` own its notes, derived by default from the signer's
    signature of :data:`~batterytrace.zk.shielding.SHIELDING_KEY_MESSAGE` (the same account, the same
    keys). ``registry`` and ``passports`` are the web3 contract objects, for reads and for callers
    that build a transaction themselves (then sent with :meth:`send`).
    """

    def __init__(
        self,
        chain: Chain,
        deployment: Deployment,
        signer: Signer,
        notes: NoteStore | None = None,
        prover: Prover | None = None,
        encryption_key: bytes | None = None,
        shielding_keys: ShieldingKeys | None = None,
        relayer: RelayerClient | str | None = None,
    ) -> None:
        if chain.chain_id != deployment.chain_id:
            raise ConfigurationError(
                f"the deployment is for chain {deployment.chain_id} but the node is chain {chain.chain_id}"
            )
        self.chain = chain
        self.deployment = deployment
        self.signer = signer
        self.address = to_checksum_address(signer.address)
        self.notes = notes
        self.relayer = RelayerClient(relayer) if isinstance(relayer, str) else relayer
        self._prover = prover
        self._owns_prover = prover is None
        self._prover_lock = threading.Lock()
        if encryption_key is None and isinstance(signer, LocalSigner):
            encryption_key = signer.private_key
        self.encryption_key = encryption_key
        self._shielding_keys = shielding_keys
        self.registry = chain.contract("Registry", deployment.registry)
        self.passports = chain.contract("BatteryPassport", deployment.passport)
        self._trees: MembershipTrees | None = None

    @cached_property
    def event_decoder(self) -> EventDecoder:
        """The one decoder of this deployment's events (registry, ledger, passport contract)."""
        return self.deployment.event_decoder(self.chain)

    @property
    def trees(self) -> MembershipTrees:
        """The registry's membership trees, rebuilt from its events (synced on each use)."""
        if self._trees is None:
            self._trees = MembershipTrees(self)
        return self._trees

    @property
    def prover(self) -> Prover:
        """The prover worker, started on first use (or the one passed in)."""
        with self._prover_lock:
            if self._prover is None:
                self._prover = Prover()
            return self._prover

    def close(self) -> None:
        """Stop the prover worker this client started."""
        if self._owns_prover and self._prover is not None:
            self._prover.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def encryption_public_key(self) -> bytes:
        """The compressed secp256k1 key others seal this participant's notes to."""
        if self.encryption_key is None:
            raise ConfigurationError("this client has no encryption key: pass encryption_key")
        return public_key_from_private_key(self.encryption_key)

    @property
    def shielding_keys(self) -> ShieldingKeys:
        """This participant's shielding secret and key: the ones passed in, or derived once from
        the signer's signature of the shielding-key message."""
        if self._shielding_keys is None:
            sign_message = getattr(self.signer, "sign_message", None)
            if sign_message is None:
                raise ConfigurationError("this signer cannot sign messages to derive a shielding key: pass shielding_keys")
            self._shielding_keys = ShieldingKeys.from_signature(sign_message(SHIELDING_KEY_MESSAGE))
        return self._shielding_keys

    @property
    def shielding_public_key(self) -> int:
        """The shielding key the registry records for this participant (what the admin registers)."""
        return self.shielding_keys.public_key

    def send(self, function: Any, description: str, wait: bool = True) -> Receipt:
        """Simulate, sign and send a contract call; a revert raises the SDK's exception for it.
        With ``wait=False`` the :class:`PendingTransaction` comes back instead of the receipt."""
        try:
            return self.chain.transact(self.signer, function, description, wait=wait)  # type: ignore[return-value]
        except RevertedError as error:
            raise domain_error(error) from None

    def send_with_siblings(self, build: Callable[[], Any], description: str) -> Receipt:
        """Send a registry call that changes a membership leaf: ``build`` makes the call with the
        siblings read from the synced trees; if another write moved the tree in between (zk-kit's
        ``WrongSiblingNodes``), sync and send once more."""
        try:
            return self.send(build(), description)
        except RevertedError as error:
            if error.error_name != "WrongSiblingNodes":
                raise
        return self.send(build(), description)

    def send_pending(self, function: Any, description: str) -> PendingTransaction:
        """:meth:`send` without waiting for the receipt (pipelined sends)."""
        return self.send(function, description, wait=False)  # type: ignore[return-value]

    def has_role(self, role: Role, account: str | None = None) -> bool:
        """Whether ``account`` (default: this participant) holds ``role`` now."""
        return bool(self.registry.functions.hasRole(role.role_id, account or self.address).call())

    def require_role(self, *roles: Role) -> None:
        """This participant holds one of ``roles`` (twin of ``AccessControlUnauthorizedAccount``)."""
        if not any(self.has_role(role) for role in roles):
            raise MissingRoleError(self.address, " or ".join(role.value for role in roles))

    @staticmethod
    def events(receipt: Receipt, contract: Any, name: str) -> list[Any]:
        """The ``name`` events ``contract`` emitted in a transaction, decoded."""
        event = getattr(contract.events, name)()
        topic = event_abi_to_log_topic(event.abi)
        return [event.process_log(log) for log in receipt.logs if log["topics"] and bytes(log["topics"][0]) == topic]

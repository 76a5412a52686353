"""The relayer as the SDK sees it: its settings, a local one started and stopped like the node, and
the client that submits an operation's calldata to any relayer by URL.

A shielded-ledger operation must not come from the participant's account (its address would link
it to the lot), so a relayer (:mod:`batterytrace.services.relayer`) submits it from its own.
:class:`LocalRelayer` runs that service as a child process by its module name, as
:class:`~batterytrace.evm.node.LocalNode` runs anvil, so neither the SDK nor the demo imports the
service. :class:`RelayerClient` maps the relayer's refusals to the package's exceptions.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from batterytrace.evm.node import DEFAULT_MNEMONIC
from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import (
    BatteryTraceError,
    ChainError,
    ConfigurationError,
    FieldRangeError,
    InputError,
    RevertedError,
)
from batterytrace.sdk import services
from batterytrace.sdk.errors import domain_error
from batterytrace.sdk.services import LocalService, ServiceInfo

#: The development account a local relayer sends from unless told otherwise: the last of anvil's
#: twenty, which the sandbox gives no participant.
DEFAULT_RELAYER_DEV_ACCOUNT = 19
#: Where a relayer started with a raw private key finds it: the environment, never a file or argv.
PRIVATE_KEY_VARIABLE = "BATTERYTRACE_RELAYER_PRIVATE_KEY"
#: The keystore's password, as the CLI's own ``--keystore`` takes it.
KEYSTORE_PASSWORD_VARIABLE = "BATTERYTRACE_KEYSTORE_PASSWORD"
SERVICE_MODULE = "batterytrace.services.relayer"


@dataclass(frozen=True)
class RelayerLimits:
    """What one relayer takes on: the body size, the requests admitted at once (being sent or
    waiting for the relayer's account; one more is answered 429) and each request's time."""

    max_body_bytes: int = 64 * 1024
    max_pending: int = 8
    request_timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        # Each admitted request holds a worker thread, of which the server has 40.
        if not 0 < self.max_pending <= 32 or self.max_body_bytes < 1024 or self.request_timeout_seconds <= 0:
            raise ConfigurationError(f"relayer limits out of range: {self}")


@dataclass(frozen=True)
class RelayerAccount:
    """The relayer's own account: a development account, a keystore (password in
    ``BATTERYTRACE_KEYSTORE_PASSWORD``) or a raw key in ``BATTERYTRACE_RELAYER_PRIVATE_KEY``."""

    dev_account: int | None = None
    keystore: str | None = None
    private_key_from_environment: bool = False

    def __post_init__(self) -> None:
        if (self.dev_account is not None) + (self.keystore is not None) + self.private_key_from_environment != 1:
            raise ConfigurationError("a relayer account is exactly one of a dev account, a keystore or a private key")

    def signer(self, environment: dict[str, str] | None = None) -> LocalSigner:
        """The signer, its secret read from ``environment`` (this process's by default)."""
        environment = dict(os.environ) if environment is None else environment
        if self.dev_account is not None:
            return LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, self.dev_account)
        if self.keystore is not None:
            password = environment.get(KEYSTORE_PASSWORD_VARIABLE)
            if password is None:
                raise ConfigurationError(f"set {KEYSTORE_PASSWORD_VARIABLE} to unlock the relayer's keystore {self.keystore}")
            return LocalSigner.from_keystore(Path(self.keystore), password)
        key = environment.get(PRIVATE_KEY_VARIABLE)
        if not key:
            raise ConfigurationError(f"set {PRIVATE_KEY_VARIABLE} to the relayer's private key")
        return LocalSigner.from_key(key)


@dataclass(frozen=True)
class RelayerSettings:
    """Everything a relayer process needs but its secret: the node, the ledger it submits to (from
    the deployment file), its account, its limits, where it logs, and the block its ledger was
    deployed in (where it looks for an operation that landed already)."""

    rpc_url: str
    ledger: str
    account: RelayerAccount
    log_path: str
    from_block: int = 0
    limits: RelayerLimits = field(default_factory=RelayerLimits)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> RelayerSettings:
        try:
            data = json.loads(Path(path).read_text())
            return cls(**{**data, "account": RelayerAccount(**data["account"]), "limits": RelayerLimits(**data["limits"])})
        except FileNotFoundError:
            raise ConfigurationError(f"no relayer settings at {path}") from None
        except (TypeError, KeyError, ValueError) as error:
            raise ConfigurationError(f"{path} is not a relayer settings file: {error}") from None


#: A running relayer started by the tooling: its URL, process and files.
RelayerInfo = ServiceInfo


class LocalRelayer(LocalService):
    """The relayer service as a child process on a loopback port; a context manager that always
    stops it. ``work_dir`` holds its settings, its request log (unless the settings name another)
    and its own output; ``environment`` adds variables (the private key) to the child's."""

    def __init__(self, settings: RelayerSettings, work_dir: Path, port: int | None = None, host: str = "127.0.0.1",
                 environment: dict[str, str] | None = None, startup_timeout_seconds: float = 60.0) -> None:
        super().__init__("relayer", SERVICE_MODULE, asdict(settings), work_dir, _probe, log_path=settings.log_path, port=port,
                         host=host, environment=environment, startup_timeout_seconds=startup_timeout_seconds,
                         stop_timeout_seconds=settings.limits.request_timeout_seconds + 5)
        self.relayer_settings = settings


def _probe(url: str) -> None:
    RelayerClient(url, timeout_seconds=2.0).health()


def start_background(state_dir: Path, settings: RelayerSettings, port: int | None = None, host: str = "127.0.0.1",
                     environment: dict[str, str] | None = None) -> RelayerInfo:
    """Start a relayer that outlives this process (``batterytrace relayer start``), its files in
    ``state_dir``; the one running already when it answers."""
    return services.start_background(state_dir, LocalRelayer(settings, state_dir, port=port, host=host, environment=environment))


def background_relayer(state_dir: Path) -> RelayerInfo | None:
    """The relayer :func:`start_background` started, if its record is there (it may have died)."""
    return services.background_service(state_dir, "relayer")


def stop_background(state_dir: Path) -> RelayerInfo | None:
    """Stop the relayer started by :func:`start_background`; None when none was recorded."""
    return services.stop_background(state_dir, "relayer")


@dataclass(frozen=True)
class RelayedTransaction:
    """A relayed operation on chain. ``already_landed`` is True when this submission found the very
    same calldata landed before (a retry after a lost answer): the operation is on chain once."""

    transaction_hash: str
    block_number: int
    gas_used: int
    succeeded: bool
    already_landed: bool = False


@dataclass(frozen=True)
class RelayerHealth:
    """What a relayer says of itself."""

    chain_id: int
    ledger: str
    relayer: str
    balance_wei: int
    block_number: int
    pending: int


class RelayerClient:
    """Submits operations' calldata to the relayer at ``url``; every refusal becomes the package's
    exception with the relayer's one-line reason."""

    def __init__(self, url: str, timeout_seconds: float = 180.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def submit(self, to: str, calldata: bytes | str) -> RelayedTransaction:
        """Relay ``calldata`` to the ledger at ``to`` and wait for it to land."""
        data = calldata if isinstance(calldata, str) else "0x" + bytes(calldata).hex()
        response, body = self._request("POST", "/v1/operations", {"to": to, "data": data})
        if response.status_code == 200:
            return RelayedTransaction(body["transaction"], int(body["block"]), int(body["gasUsed"]), body["status"] == "succeeded")
        landed = body.get("landed")
        if response.status_code == 409 and landed:
            return RelayedTransaction(landed["transaction"], int(landed["block"]), int(landed["gasUsed"]), True, already_landed=True)
        raise self._error(response.status_code, body)

    def health(self) -> RelayerHealth:
        """The relayer's chain, ledger, account and balance."""
        response, body = self._request("GET", "/v1/health")
        if response.status_code != 200:
            raise self._error(response.status_code, body)
        return RelayerHealth(int(body["chainId"]), body["ledger"], body["relayer"], int(body["balanceWei"]),
                             int(body["block"]), int(body["pending"]))

    def _request(self, method: str, path: str, payload: dict[str, str] | None = None) -> tuple[httpx.Response, dict[str, Any]]:
        try:
            response = httpx.request(method, self.url + path, json=payload, timeout=self.timeout_seconds)
        except httpx.TransportError as error:
            raise ChainError(f"no relayer answers at {self.url}: {type(error).__name__}: {error}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return response, body

    def _error(self, status: int, body: dict[str, Any]) -> BatteryTraceError:
        reason = str(body.get("error") or f"HTTP {status} without a reason").splitlines()[0]
        code = body.get("code")
        refused = f"the relayer at {self.url} refused the operation: {reason}"
        if code == "reverted":
            revert = RevertedError(f"{body.get('function') or 'the operation'} (relayed by {self.url})", str(body.get("reason") or reason),
                                   str(body.get("errorName") or ""), dict(body.get("arguments") or {}))
            return domain_error(revert)
        if code == "field-range":
            return FieldRangeError(refused)
        if code == "wrong-ledger":
            return ConfigurationError(refused)
        if status in (400, 413):
            return InputError(refused)
        return ChainError(f"the relayer at {self.url} answered {status}: {reason}")

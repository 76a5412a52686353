"""What every command shares: the state folder, the connection settings (node, deployment, account,
relayer) and one clear line per error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from batterytrace.exceptions import BatteryTraceError

#: The local state (node, relayer, deployments, note stores, index). Commands read it through
#: :func:`state_dir` when they run, so it is set in this one module.
STATE_DIR = Path(os.environ.get("BATTERYTRACE_HOME", ".batterytrace"))
F = TypeVar("F", bound=Callable[..., Any])
#: What a command that submits to the shielded ledger says when it finds no relayer.
NO_RELAYER = "no relayer: pass --relayer URL or start one with `batterytrace relayer start`"


def state_dir() -> Path:
    """The folder the local state lives in, as set now."""
    return STATE_DIR


def fail_cleanly(function: F) -> F:
    """Errors the user can act on end in one line on stderr and exit status 1, not a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (BatteryTraceError, ValueError, PermissionError, LookupError, FileNotFoundError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            click.echo(f"error: {message}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _int(text: str) -> int:
    return int(text, 0)


#: Lot and passport ids on the command line: decimal or 0x-hex. (The parser's name, ``_int``,
#: is what the help shows as the metavar.)
ANY_BASE_INT = click.types.FuncParamType(_int)

_CONNECTION_OPTIONS = (
    click.option("--rpc", envvar="BATTERYTRACE_RPC", help="JSON-RPC URL of any EVM node (default: the local node started by `node start`)."),
    click.option("--deployment", "deployment_path", type=click.Path(path_type=Path), help="Deployment file (default .batterytrace/deployments/<chain id>.json)."),
    click.option("--private-key", envvar="BATTERYTRACE_PRIVATE_KEY", help="Hex private key of the sending account."),
    click.option("--keystore", type=click.Path(path_type=Path), help="Encrypted JSON keystore; password from BATTERYTRACE_KEYSTORE_PASSWORD."),
    click.option("--dev-account", "account_index", type=int, help="Index of a local development account (anvil's test mnemonic)."),
)


def connection_options(function: F) -> F:
    """The node and account options of the root command, which build its :class:`Session`."""
    for option in reversed(_CONNECTION_OPTIONS):
        function = option(function)
    return function


@dataclass
class Session:
    """Connection settings shared by the commands; ``relayer`` is the root ``--relayer`` URL."""

    rpc: str | None
    deployment_path: Path | None
    private_key: str | None
    keystore: Path | None
    account_index: int | None
    relayer: str | None = None

    def rpc_url(self) -> str:
        from batterytrace.exceptions import ConfigurationError

        if self.rpc:
            return self.rpc
        info = STATE_DIR / "node.json"
        if info.exists():
            return str(json.loads(info.read_text())["url"])
        raise ConfigurationError("no node: pass --rpc URL or start one with `batterytrace node start`")

    def chain(self) -> Any:
        from batterytrace.evm.chain import Chain

        return Chain(self.rpc_url())

    @property
    def has_account(self) -> bool:
        return bool(self.private_key or self.keystore or self.account_index is not None)

    def signer(self) -> Any:
        from batterytrace.evm.node import DEFAULT_MNEMONIC
        from batterytrace.evm.signers import LocalSigner
        from batterytrace.exceptions import ConfigurationError

        if self.private_key:
            return LocalSigner.from_key(self.private_key)
        if self.keystore:
            password = os.environ.get("BATTERYTRACE_KEYSTORE_PASSWORD")
            if password is None:
                raise ConfigurationError("set BATTERYTRACE_KEYSTORE_PASSWORD to unlock --keystore")
            return LocalSigner.from_keystore(self.keystore, password)
        if self.account_index is not None:
            return LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, self.account_index)
        raise ConfigurationError("no account: pass --private-key, --keystore (with BATTERYTRACE_KEYSTORE_PASSWORD) or --dev-account N")

    def deployment_file(self, chain_id: int) -> Path:
        return self.deployment_path or STATE_DIR / "deployments" / f"{chain_id}.json"

    def client(self, read_only: bool = False) -> Any:
        """A client for the sending account; ``read_only`` commands work without one."""
        from eth_account import Account

        from batterytrace.evm.signers import LocalSigner
        from batterytrace.sdk.client import BatteryTrace
        from batterytrace.sdk.deployment import Deployment

        chain = self.chain()
        deployment = Deployment.load(self.deployment_file(chain.chain_id))
        signer = LocalSigner(Account.create()) if read_only and not self.has_account else self.signer()
        return BatteryTrace(chain, deployment, signer)

    def relayer_client(self, ledger: str) -> Any:
        """The relayer that submits this command's operation: ``--relayer``, else the one `batterytrace
        relayer start` recorded; asked before anything is proven whether it answers for ``ledger``."""
        from batterytrace.exceptions import ConfigurationError
        from batterytrace.sdk.relayer import RelayerClient, background_relayer

        url = self.relayer
        if not url:
            info = background_relayer(STATE_DIR)
            if info is None:
                raise ConfigurationError(NO_RELAYER)
            url = info.url
        serves = RelayerClient(url, timeout_seconds=10.0).health().ledger
        if serves.lower() != ledger.lower():
            raise ConfigurationError(f"the relayer at {url} submits to the ledger {serves}, not this deployment's {ledger}")
        return RelayerClient(url)

    @contextmanager
    def ledger(self, relaying: bool = True) -> Iterator[Any]:
        """The sending account's :class:`~batterytrace.sdk.shielded.ShieldedLedgerOperations` (its
        ``client`` is the account's BatteryTrace, whose ERP methods check the registry's rules first),
        the note store kept in STATE_DIR/notes/ so the scanner goes on from where the last command
        stopped. ``relaying`` commands submit through :meth:`relayer_client`; the others only read.
        Closes the store and stops the prover afterwards."""
        from batterytrace.sdk.notes import NoteStore

        client = self.client()
        try:
            deployment = client.deployment
            if relaying:
                client.relayer = self.relayer_client(deployment.ledger)
            path = STATE_DIR / "notes" / f"{deployment.chain_id}-{client.address.lower()}.sqlite"
            store = NoteStore(path, deployment.chain_id, deployment.ledger)
            client.use_notes(store)
            try:
                yield client.shielded
            finally:
                store.close()
        finally:
            client.close()

"""The relayer: start, stop and ask a background relayer that submits shielded-ledger operations
from its own account, its files (settings, request log, output) in .batterytrace/."""

from __future__ import annotations

from pathlib import Path

import click

from batterytrace.cli.output import print_record
from batterytrace.cli.session import Session, connection_options, fail_cleanly, state_dir


@click.group()
def relayer() -> None:
    """Start and stop a relayer: a small HTTP service that submits shielded-ledger operations from
    its own account, so no participant's address is on them."""


@relayer.command("start")
@click.option("--port", type=int, default=8546, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 to serve others).")
@click.option("--max-pending", type=int, default=8, show_default=True, help="Operations in hand at once; one more is answered 429.")
@click.option("--timeout", "timeout_seconds", type=float, default=60.0, show_default=True, help="Seconds each operation may take.")
@connection_options
@click.pass_obj
@fail_cleanly
def relayer_start(session: Session, port: int, host: str, max_pending: int, timeout_seconds: float, rpc: str | None,
                  deployment_path: Path | None, private_key: str | None, keystore: Path | None, account_index: int | None) -> None:
    """Start a relayer in the background for the deployment's ledger. Its account is --private-key,
    --keystore or --dev-account (here or before `relayer`); on the local dev chain it defaults to dev
    account 19."""
    from batterytrace.evm.chain import Chain
    from batterytrace.evm.node import DEFAULT_CHAIN_ID
    from batterytrace.exceptions import ConfigurationError
    from batterytrace.sdk.deployment import Deployment
    from batterytrace.sdk.relayer import (
        DEFAULT_RELAYER_DEV_ACCOUNT,
        PRIVATE_KEY_VARIABLE,
        RelayerAccount,
        RelayerLimits,
        RelayerSettings,
        start_background,
    )

    chosen = Session(rpc or session.rpc, deployment_path or session.deployment_path, private_key or session.private_key,
                     keystore or session.keystore, account_index if account_index is not None else session.account_index)
    rpc_url = chosen.rpc_url()
    chain = Chain(rpc_url)
    deployment = Deployment.load(chosen.deployment_file(chain.chain_id))
    environment = {}
    if chosen.private_key:
        account = RelayerAccount(private_key_from_environment=True)
        environment[PRIVATE_KEY_VARIABLE] = chosen.private_key
    elif chosen.keystore:
        account = RelayerAccount(keystore=str(chosen.keystore.resolve()))
    elif chosen.account_index is not None:
        account = RelayerAccount(dev_account=chosen.account_index)
    elif chain.chain_id == DEFAULT_CHAIN_ID:
        account = RelayerAccount(dev_account=DEFAULT_RELAYER_DEV_ACCOUNT)
    else:
        raise ConfigurationError("no relayer account: pass --private-key, --keystore (with BATTERYTRACE_KEYSTORE_PASSWORD) or --dev-account N")
    account.signer(environment or None)  # a wrong key or password fails here, not in the background
    home = state_dir()
    home.mkdir(parents=True, exist_ok=True)
    settings = RelayerSettings(rpc_url, deployment.ledger, account, str((home / "relayer.log").resolve()), deployment.block_number,
                               RelayerLimits(max_pending=max_pending, request_timeout_seconds=timeout_seconds))
    info = start_background(home, settings, port, host, environment)
    click.echo(f"relayer running at {info.url} (pid {info.pid}) for the ledger {deployment.ledger}; requests logged to {info.log_path}")


@relayer.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@fail_cleanly
def relayer_status(as_json: bool) -> None:
    """Whether the background relayer runs, and its chain, ledger, account and balance."""
    from batterytrace.exceptions import ChainError
    from batterytrace.sdk.relayer import RelayerClient, background_relayer

    info = background_relayer(state_dir())
    if info is None:
        raise ChainError("no relayer is running: start one with `batterytrace relayer start`")
    health = RelayerClient(info.url, timeout_seconds=10.0).health()
    print_record({"url": info.url, "pid": info.pid, "chain_id": health.chain_id, "ledger": health.ledger, "relayer": health.relayer,
                  "balance_wei": str(health.balance_wei), "block": health.block_number, "pending": health.pending,
                  "log": info.log_path}, as_json)


@relayer.command("stop")
@fail_cleanly
def relayer_stop() -> None:
    """Stop the background relayer (a request in flight finishes first)."""
    from batterytrace.sdk.relayer import stop_background

    info = stop_background(state_dir())
    click.echo("no relayer was running" if info is None else f"stopped the relayer at {info.url}")

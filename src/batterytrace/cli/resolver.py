"""The passport resolver: start, stop and ask a background resolver that answers the batteries' QR
code URLs, its files (settings, issuer key, database, access log) in .batterytrace/."""

from __future__ import annotations

from pathlib import Path

import click

from batterytrace.cli.output import print_record
from batterytrace.cli.session import Session, fail_cleanly, state_dir


@click.group()
def resolver() -> None:
    """Start and stop the passport resolver: the HTTP service a battery's QR code URL reaches (page,
    JSON-LD, credential, linkset; restricted tiers behind Sign-In with Ethereum)."""


@resolver.command("start")
@click.option("--port", type=int, default=8547, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 to serve others).")
@click.option("--public-url", help="The URL the QR codes name (default: http://127.0.0.1:PORT); the issuer's did:web is its host.")
@click.option("--database", help="SQLite file or postgresql:// URL of its index and publications (default: .batterytrace/resolver.sqlite).")
@click.option("--issuer-name", default="economic operator", show_default=True, help="The issuer's name in the credentials.")
@click.pass_obj
@fail_cleanly
def resolver_start(session: Session, port: int, host: str, public_url: str | None, database: str | None, issuer_name: str) -> None:
    """Start a resolver in the background for the deployment (it follows the chain from there)."""
    from batterytrace.documents.publication import load_or_create_issuer_key
    from batterytrace.sdk.resolver import ResolverSettings, local_public_url, start_background

    chain = session.chain()
    home = state_dir()
    home.mkdir(parents=True, exist_ok=True)
    settings = ResolverSettings(session.rpc_url(), str(session.deployment_file(chain.chain_id).resolve()),
                                database or str((home / "resolver.sqlite").resolve()), str((home / "issuer.jwk").resolve()),
                                issuer_name, public_url or local_public_url(port), str((home / "resolver-access.log").resolve()))
    key = load_or_create_issuer_key(Path(settings.issuer_key_path), settings.public_url)
    info = start_background(home, settings, host=host)
    click.echo(f"resolver running at {info.url} (pid {info.pid}) as {key.did}; restricted access logged to {settings.log_path}")


@resolver.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@fail_cleanly
def resolver_status(as_json: bool) -> None:
    """Whether the background resolver runs, and what it serves."""
    from batterytrace.exceptions import ChainError
    from batterytrace.sdk.resolver import ResolverClient, background_resolver

    info = background_resolver(state_dir())
    if info is None:
        raise ChainError("no resolver is running: start one with `batterytrace resolver start`")
    health = ResolverClient(info.url, timeout_seconds=10.0).health()
    print_record({"url": info.url, "pid": info.pid, **health, "log": info.log_path}, as_json)


@resolver.command("stop")
@fail_cleanly
def resolver_stop() -> None:
    """Stop the background resolver."""
    from batterytrace.sdk.resolver import stop_background

    info = stop_background(state_dir())
    click.echo("no resolver was running" if info is None else f"stopped the resolver at {info.url}")

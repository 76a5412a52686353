"""The keyless observer on the command line: what anyone links from a node's public data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from batterytrace.cli.session import Session, fail_cleanly


@click.command()
@click.option("--rpc", help="JSON-RPC URL of the node to observe (default: the root --rpc, else the local node).")
@click.option("--deployment", "deployment_path", type=click.Path(path_type=Path),
              help="The public deployment file (default: the root --deployment, else .batterytrace/deployments/<chain id>.json).")
@click.option("--ledger", "ledgers", multiple=True, metavar="ADDRESS", help="A shielded ledger to read as well (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
@fail_cleanly
def observe(session: Session, rpc: str | None, deployment_path: Path | None, ledgers: tuple[str, ...], as_json: bool) -> None:
    """Show what a party with no key links from public data: operations tied to companies, the
    pairs of companies tied together, and what each is seen to do."""
    from batterytrace.sdk.deployment import Deployment
    from batterytrace.sdk.observer import observe as observe_chain

    # The observer holds no key by construction: whatever account options the root was given stay out.
    public = Session(rpc or session.rpc, deployment_path or session.deployment_path, None, None, None)
    chain = public.chain()
    report = observe_chain(chain, Deployment.load(public.deployment_file(chain.chain_id)), ledgers)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else report.render())

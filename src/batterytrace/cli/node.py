"""The local node and the demo: a background anvil, and the whole flow on it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from batterytrace.cli.session import Session, fail_cleanly, state_dir


@click.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Folder for the passport, its page, the EPCIS document and the genealogy picture.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
@fail_cleanly
def demo(session: Session, out_dir: Path, as_json: bool) -> None:
    """Run the mine-to-passport flow on a local anvil (or on --rpc URL)."""
    from batterytrace.demo import run_demo

    summary = run_demo(out_dir, rpc_url=session.rpc, progress=not as_json)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        click.echo(summary.render())


@click.group()
def node() -> None:
    """Start and stop a local anvil node that keeps its state in .batterytrace/."""


@node.command("start")
@click.option("--port", type=int, default=8545, show_default=True)
@fail_cleanly
def node_start(port: int) -> None:
    """Start a local anvil in the background."""
    from batterytrace.evm.node import start_background

    home = state_dir()
    info = start_background(home, port)
    click.echo(f"anvil running at {info.url} (pid {info.pid}, chain {info.chain_id}); state in {home}")


@node.command("stop")
@fail_cleanly
def node_stop() -> None:
    """Stop the background anvil (its state is dumped for the next start)."""
    from batterytrace.evm.node import stop_background

    info = stop_background(state_dir())
    click.echo("no local node was running" if info is None else f"stopped anvil at {info.url}")

"""What partners' systems use: GS1 EPCIS 2.0 export and import, and the SQL index."""

from __future__ import annotations

import json
from pathlib import Path

import click

from batterytrace.cli.session import ANY_BASE_INT, Session, fail_cleanly, state_dir


@click.group()
def epcis() -> None:
    """GS1 EPCIS 2.0 export and import."""


@epcis.command("export")
@click.option("--lot", "lot_id", type=ANY_BASE_INT, help="Export one lot's history.")
@click.option("--from-block", type=int, help="Export all events from this block...")
@click.option("--to-block", type=int, help="...to this block (default: latest).")
@click.option("--include-confidential", is_flag=True, help="Add quantities from your own openings (lot export only).")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="File to write (default: stdout).")
@click.pass_obj
@fail_cleanly
def epcis_export(session: Session, lot_id: int | None, from_block: int | None, to_block: int | None, include_confidential: bool, out_path: Path | None) -> None:
    """Export EPCIS 2.0 JSON-LD (validated against the official schema)."""
    from batterytrace.epcis import export_block_range, export_lot_history

    client = session.client()
    if lot_id is not None:
        document = export_lot_history(client, lot_id, include_confidential)
    elif from_block is not None:
        document = export_block_range(client, from_block, to_block if to_block is not None else client.chain.w3.eth.block_number)
    else:
        raise ValueError("pass --lot LOT_ID or --from-block N")
    text = json.dumps(document, indent=2) + "\n"
    if out_path:
        out_path.write_text(text)
        click.echo(f"{len(document['epcisBody']['eventList'])} events written to {out_path}")
    else:
        click.echo(text, nl=False)


@epcis.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show the planned operations; send nothing.")
@click.pass_obj
@fail_cleanly
def epcis_import(session: Session, file: Path, dry_run: bool) -> None:
    """Turn a partner's EPCIS document into lot operations (all checked before any is sent)."""
    from batterytrace.epcis import ImportResolver, apply_plan, plan_import

    client = session.client()
    plan = plan_import(file.read_bytes(), ImportResolver.for_client(client))
    for operation in plan:
        arguments = ", ".join(f"{key}={value}" for key, value in operation.arguments.items())
        click.echo(f"{operation.kind}({arguments})  <- {operation.source_event_id}")
    if dry_run:
        click.echo(f"dry run: {len(plan)} operation(s) planned, nothing sent")
        return
    try:
        results = apply_plan(client, plan)
    finally:
        client.close()
    click.echo(f"{len(results)} operation(s) applied")


@click.command()
@click.option("--database", default=str(state_dir() / "index.sqlite"), show_default=True, help="SQLite path or postgresql:// URL.")
@click.option("--confirmations", type=int, default=0, show_default=True, help="Index only blocks this deep below the head.")
@click.option("--follow", "poll_seconds", type=float, default=None, help="Keep following the chain, polling every N seconds (Ctrl-C stops).")
@click.option("--ancestors", "lot_id", type=ANY_BASE_INT, default=None, help="After syncing, list every ancestor of this lot back to the mines.")
@click.pass_obj
@fail_cleanly
def index(session: Session, database: str, confirmations: int, poll_seconds: float | None, lot_id: int | None) -> None:
    """Index every event into SQLite or PostgreSQL and answer genealogy queries from the index."""
    import threading

    from batterytrace.indexer import Indexer

    with Indexer(session.client(read_only=True), database, confirmations=confirmations) as indexer:
        result = indexer.sync()
        click.echo(f"indexed blocks {result.from_block}..{result.to_block}: {result.events} events"
                   + (f" (reorg undone from block {result.reorged_from_block})" if result.reorged_from_block is not None else ""))
        if lot_id is not None:
            for node_record in indexer.ancestors(lot_id):
                click.echo(f"{'  ' * node_record.depth}{node_record.lot_id:#x}  {node_record.kind}  facility {node_record.facility_id}"
                           + ("  (origin)" if node_record.is_origin else ""))
        if poll_seconds is not None:
            stop = threading.Event()
            try:
                indexer.follow(poll_seconds, stop)
            except KeyboardInterrupt:
                stop.set()

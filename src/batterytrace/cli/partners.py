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
@click.option("--lot", "lot_id", type=ANY_BASE_INT, help="Export one lot's steps only.")
@click.option("--from-block", type=int, help="Export the steps from this block (default: the deployment's)...")
@click.option("--to-block", type=int, help="...to this block (default: latest).")
@click.option("--include-confidential", is_flag=True, help="Add the notes' grams, CO2e and flags.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="File to write (default: stdout).")
@click.pass_obj
@fail_cleanly
def epcis_export(session: Session, lot_id: int | None, from_block: int | None, to_block: int | None, include_confidential: bool, out_path: Path | None) -> None:
    """Export what your note store opens as EPCIS 2.0 JSON-LD (validated against the official
    schema): your lots, and others' from their offer to you on; an auditor's view key opens the
    whole supply chain."""
    from batterytrace.epcis import export_lot, export_notes

    if lot_id is not None and (from_block is not None or to_block is not None):
        raise ValueError("--lot exports all of one lot's steps: drop --from-block and --to-block")
    with session.ledger(relaying=False) as ledger:
        ledger.sync()
        if lot_id is not None:
            document = export_lot(ledger.client, ledger.store, lot_id, include_confidential=include_confidential)
        else:
            document = export_notes(ledger.client, ledger.store, from_block, to_block, include_confidential=include_confidential)
    text = json.dumps(document, indent=2) + "\n"
    if out_path:
        out_path.write_text(text)
        click.echo(f"{len(document['epcisBody']['eventList'])} events written to {out_path}")
    else:
        click.echo(text, nl=False)


@epcis.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate, plan and check the operations; send nothing.")
@click.pass_obj
@fail_cleanly
def epcis_import(session: Session, file: Path, dry_run: bool) -> None:
    """Turn a partner's EPCIS document into operations on the shielded ledger (all checked against
    your note store before any is sent)."""
    from batterytrace.epcis import ImportResolver, apply_plan, check_plan, plan_import

    with session.ledger(relaying=not dry_run) as ledger:
        ledger.sync()
        client = ledger.client
        plan = plan_import(file.read_bytes(), ImportResolver.for_client(client))
        for operation in plan:
            arguments = ", ".join(f"{key}={hex(value) if key == 'lot_id' else value}" for key, value in operation.arguments.items())
            click.echo(f"{operation.kind}({arguments})  <- {operation.source_event_id}")
        if dry_run:
            check_plan(client, plan)
            click.echo(f"dry run: {len(plan)} operation(s) planned and checked, nothing sent")
            return
        results = apply_plan(client, plan)
    click.echo(f"{len(results)} operation(s) applied")


@click.command()
@click.option("--database", default=str(state_dir() / "index.sqlite"), show_default=True, help="SQLite path or postgresql:// URL.")
@click.option("--confirmations", type=int, default=0, show_default=True, help="Index only blocks this deep below the head.")
@click.option("--follow", "poll_seconds", type=float, default=None, help="Keep following the chain, polling every N seconds (Ctrl-C stops).")
@click.option("--counts", is_flag=True, help="After syncing, print the ledger's public counts: notes, nullifiers, operations.")
@click.pass_obj
@fail_cleanly
def index(session: Session, database: str, confirmations: int, poll_seconds: float | None, counts: bool) -> None:
    """Index every public event into SQLite or PostgreSQL (a lot's genealogy is `lot genealogy`, from your notes)."""
    import threading

    from batterytrace.indexer import Indexer

    with Indexer(session.client(read_only=True), database, confirmations=confirmations) as indexer:
        result = indexer.sync()
        click.echo(f"indexed blocks {result.from_block}..{result.to_block}: {result.events} events"
                   + (f" (reorg undone from block {result.reorged_from_block})" if result.reorged_from_block is not None else ""))
        if counts:
            totals = indexer.ledger_counts()
            click.echo(f"notes created {totals.notes_created}, nullifiers spent {totals.nullifiers_spent}")
            for kind in totals.by_operation:
                click.echo(f"  {kind.operation.value:<9} {kind.operations} operation(s), {kind.notes_created} note(s) created, "
                           f"{kind.nullifiers_spent} spent")
        if poll_seconds is not None:
            stop = threading.Event()
            try:
                indexer.follow(poll_seconds, stop)
            except KeyboardInterrupt:
                stop.set()

"""Battery passports by hand: issue, show, verify, status, page."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from batterytrace.cli.output import json_default, print_record
from batterytrace.cli.session import ANY_BASE_INT, Session, fail_cleanly


@click.group()
def passport() -> None:
    """Battery passports: issue, show, verify, status, page."""


@passport.command("issue")
@click.argument("pack_lot_id", type=ANY_BASE_INT)
@click.option("--battery-id", required=True, help="GS1 Digital Link URI of the battery.")
@click.option("--document", "document_path", type=click.Path(exists=True, path_type=Path), required=True, help="The public passport document (JSON).")
@click.option("--document-uri", required=True, help="Where the public document is published.")
@click.option("--capacity-wh", type=int, required=True)
@click.pass_obj
@fail_cleanly
def passport_issue(session: Session, pack_lot_id: int, battery_id: str, document_path: Path, document_uri: str, capacity_wh: int) -> None:
    """Issue a passport for a pack lot you hold, with a claim proof (pack makers, OEMs)."""
    from batterytrace.documents.canonical import document_hash
    from batterytrace.sdk.passports import PassportRequest, issue_passports

    document = json.loads(document_path.read_text())
    client = session.client()
    try:
        (issued,) = issue_passports(client, [PassportRequest(pack_lot_id, battery_id, document_uri, document_hash(document), capacity_wh)])
    finally:
        client.close()
    bounds = issued.bounds
    click.echo(f"passport {issued.passport_id:#x} issued for {battery_id}: {bounds.cobalt_grams} g cobalt traced, "
               f">= {bounds.min_certified_bps / 100:.2f}% certified, >= {bounds.min_recycled_bps / 100:.2f}% recycled")


@passport.command("show")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def passport_show(session: Session, passport_id: int, as_json: bool) -> None:
    """A passport's on-chain record."""
    from batterytrace.sdk.passports import get_passport

    print_record(json_default(get_passport(session.client(read_only=True), passport_id)), as_json)


@passport.command("verify")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.pass_obj
@fail_cleanly
def passport_verify(session: Session, passport_id: int) -> None:
    """Re-verify a passport's claim proof from the chain with py-ecc (trusting no issuer)."""
    from batterytrace.sdk.passports import verify_passport

    result = verify_passport(session.client(read_only=True), passport_id)
    click.echo(f"passport {passport_id:#x}: {'VERIFIED' if result.verified else 'NOT VERIFIED'}: {result.reason} "
               f"(chain {result.chain_id}, transaction {result.transaction_hash})")
    if not result.verified:
        sys.exit(2)


@passport.command("status")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.argument("status", type=click.Choice(["REPURPOSED", "REUSED", "REMANUFACTURED", "WASTE"]))
@click.option("--evidence", default="")
@click.pass_obj
@fail_cleanly
def passport_status(session: Session, passport_id: int, status: str, evidence: str) -> None:
    """Record a new battery status (its holder: a recycler declares waste once the battery is handed to it)."""
    from batterytrace.model.passports import PassportStatus
    from batterytrace.sdk.passports import set_status

    receipt = set_status(session.client(), passport_id, PassportStatus[status], evidence or None)
    click.echo(f"passport {passport_id:#x} is now {status} (block {receipt.block_number})")


@passport.command("page")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.option("--document", "document_path", type=click.Path(exists=True, path_type=Path), required=True, help="The passport's public document (JSON).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out/passport-page"), show_default=True)
@click.pass_obj
@fail_cleanly
def passport_page(session: Session, passport_id: int, document_path: Path, out_dir: Path) -> None:
    """Write the passport's HTML page and QR code, with each proof re-verified against the chain."""
    from batterytrace.documents.claims import claim_statuses
    from batterytrace.documents.page import ChainInfo, render_passport_page
    from batterytrace.sdk.genealogy import genealogy_from_chain
    from batterytrace.sdk.passports import get_passport, verify_passport

    client = session.client(read_only=True)
    record = get_passport(client, passport_id)
    result = verify_passport(client, passport_id)
    document = json.loads(document_path.read_text())
    info = ChainInfo(chain_id=client.chain.chain_id, passport_contract=client.deployment.passport, token_id=passport_id,
                     block_number=result.block_number, document_hash=record.document_hash)
    page = render_passport_page(document, claim_statuses(result, genealogy_from_chain(client, record.pack_lot_id)), info, out_dir)
    click.echo(f"page written to {page}")

"""Battery passports by hand: issue (from a pack lot you hold on the shielded ledger), show, verify, status, page."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from batterytrace.cli.output import json_default, print_record
from batterytrace.cli.session import ANY_BASE_INT, Session, fail_cleanly

if TYPE_CHECKING:
    from batterytrace.model.passports import MetalBounds


@click.group()
def passport() -> None:
    """Battery passports: issue, show, verify, status, page."""


@passport.command("issue")
@click.option("--battery-id", "battery_ids", multiple=True, required=True,
              help="The battery's id (GS1 Digital Link URI or ISO/IEC 15459), its pack's output id. Repeat for a batch.")
@click.option("--document", "document_paths", type=click.Path(exists=True, path_type=Path), multiple=True, required=True,
              help="The public passport document (JSON), one per --battery-id, in the same order.")
@click.option("--capacity-wh", type=int, required=True)
@click.pass_obj
@fail_cleanly
def passport_issue(session: Session, battery_ids: tuple[str, ...], document_paths: tuple[Path, ...], capacity_wh: int) -> None:
    """Issue passports from the pack lots you hold under the batteries' ids (each pack made with its
    battery id as output id), with the tightest claims the packs all support (pack makers, OEMs): up
    to 15 per transaction and one proof for them all; you send the issuance from your own account, as
    the regulation names the issuer."""
    from batterytrace.documents.canonical import document_hash
    from batterytrace.model.lots import METAL_NAMES
    from batterytrace.sdk.passports import PassportRequest, issue_passports

    if len(document_paths) != len(battery_ids):
        raise ValueError(f"{len(battery_ids)} --battery-id but {len(document_paths)} --document: give one document per battery")
    requests = [PassportRequest(battery_id, document_hash(json.loads(path.read_text())), capacity_wh)
                for battery_id, path in zip(battery_ids, document_paths, strict=True)]
    with session.ledger(relaying=False) as ledger:
        issued = issue_passports(ledger.client, requests)
    for item in issued:
        click.echo(f"passport {item.passport_id:#x} issued for {item.battery_id} in batch {item.batch}: "
                   + "; ".join(_metal_claim(name, metal) for name, metal in zip(METAL_NAMES, item.bounds.metals, strict=True)))


def _metal_claim(name: str, metal: MetalBounds) -> str:
    """One metal's proven figures in the issue message; a metal the pack holds none of claims nothing."""
    if not metal.grams:
        return f"no {name} in this pack"
    return (f"{metal.grams} g {name} traced, >= {metal.min_certified_bps / 100:.2f}% certified, "
            f">= {metal.min_recycled_bps / 100:.2f}% recycled ({metal.min_pre_consumer_bps / 100:.2f}% pre-, "
            f"{metal.min_post_consumer_bps / 100:.2f}% post-consumer)")


@passport.command("show")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def passport_show(session: Session, passport_id: int, as_json: bool) -> None:
    """A passport's on-chain record."""
    from batterytrace.sdk.passports import get_passport

    print_record(json_default(get_passport(session.client(read_only=True), passport_id)), as_json)


@passport.command("publish")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.option("--document", "document_path", type=click.Path(exists=True, path_type=Path), required=True,
              help="The passport's whole Battery Pass document (JSON, all three tiers).")
@click.option("--resolver", "resolver_url", metavar="URL", help="The resolver (default: the one `batterytrace resolver start` runs).")
@click.pass_obj
@fail_cleanly
def passport_publish(session: Session, passport_id: int, document_path: Path, resolver_url: str | None) -> None:
    """Publish a passport you issued to its resolver: you sign in (EIP-4361) as its economic
    operator, the resolver checks the public tier against the hash on chain, serves each tier to the
    roles it is for, and signs the passport's credential."""
    from batterytrace.cli.session import state_dir
    from batterytrace.exceptions import ConfigurationError
    from batterytrace.sdk.resolver import ResolverClient, background_resolver, publish

    if resolver_url is None:
        info = background_resolver(state_dir())
        if info is None:
            raise ConfigurationError("no resolver: pass --resolver URL or start one with `batterytrace resolver start`")
        resolver_url = info.url
    answer = publish(ResolverClient(resolver_url), session.signer(), passport_id, json.loads(document_path.read_text()))
    click.echo(f"passport {passport_id:#x} published at {answer['url']} (status list index {answer['statusIndex']})")


@passport.command("verify")
@click.argument("passport_id", type=ANY_BASE_INT)
@click.option("--resolver", "resolver_url", metavar="URL", help="The resolver serving its credential (default: the one `batterytrace resolver start` runs).")
@click.pass_obj
@fail_cleanly
def passport_verify(session: Session, passport_id: int, resolver_url: str | None) -> None:
    """Check a passport both ways and say which held: its batch claim proof re-verified from the
    chain with py-ecc (trusting no issuer), and its credential offline (signature under the
    issuer's did:web document, status in the issuer's signed status list) as the resolver serves it."""
    from batterytrace.sdk.passports import verify_passport

    result = verify_passport(session.client(read_only=True), passport_id)
    click.echo(f"passport {passport_id:#x}: proof on chain: {'VERIFIED' if result.verified else 'NOT VERIFIED'}: {result.reason} "
               f"(chain {result.chain_id}, transaction {result.transaction_hash})")
    held, line = _credential_check(passport_id, result, resolver_url)
    click.echo(f"passport {passport_id:#x}: credential: {line}")
    if not result.verified or held is False:
        sys.exit(2)


def _credential_check(passport_id: int, result: Any, resolver_url: str | None) -> tuple[bool | None, str]:
    """Whether the credential held (None: not checked), and the line that says so."""
    from batterytrace.cli.session import state_dir
    from batterytrace.documents.credential import unverified_payload, verify_credential
    from batterytrace.exceptions import BatteryTraceError
    from batterytrace.sdk.resolver import ResolverClient, background_resolver

    if resolver_url is None:
        info = background_resolver(state_dir())
        if info is None:
            return None, "not checked: no resolver (pass --resolver URL or start one with `batterytrace resolver start`)"
        resolver_url = info.url
    client = ResolverClient(resolver_url)
    try:
        token = client.credential(f"/passports/{passport_id:#x}")
        list_url = str(unverified_payload(token).get("credentialStatus", {}).get("statusListCredential"))
        did_document = client.did_document()
        credential = verify_credential(token, did_documents={did_document.get("id"): did_document},
                                       status_lists={list_url: client.status_list()})
    except BatteryTraceError as error:
        return False, f"NOT VERIFIED: {str(error).splitlines()[0]}"
    evidence = credential["credentialSubject"]["conformityClaim"][0]["conformityEvidence"]["linkURL"]
    if not evidence.startswith(f"eip155:{result.chain_id}:") or not evidence.endswith(f"/passport/{passport_id}/tx/{result.transaction_hash}"):
        return False, f"NOT VERIFIED: the credential's proof reference {evidence} is not this passport's issuance"
    return True, f"VERIFIED: signature by {credential['issuer']['id']}, not revoked (checked offline, no chain node)"


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
    """Write the passport's HTML page and QR code, with each proof re-verified against the chain. Its
    genealogy comes from your note store, which must open all of it (an auditor's view key does)."""
    from batterytrace.documents.claims import claim_statuses
    from batterytrace.documents.page import ChainInfo, render_passport_page
    from batterytrace.sdk.passports import get_passport, verify_passport

    client = session.client(read_only=True)
    record = get_passport(client, passport_id)
    result = verify_passport(client, passport_id)
    genealogy = _note_genealogy(session, passport_id)
    document = json.loads(document_path.read_text())
    info = ChainInfo(chain_id=client.chain.chain_id, passport_contract=client.deployment.passport, token_id=passport_id,
                     block_number=result.block_number, document_hash=record.document_hash)
    page = render_passport_page(document, claim_statuses(result, genealogy), info, out_dir)
    click.echo(f"page written to {page}")


def _note_genealogy(session: Session, passport_id: int) -> list[Any]:
    """The genealogy of a passport's pack (the lot whose tag is the passport id: a pack is made under
    its battery's id), from the account's note store; refused unless the store opens the pack's note
    and every ancestor."""
    from batterytrace.exceptions import ConfigurationError
    from batterytrace.sdk.note_history import genealogy_from_notes

    refusal = (f"passport {passport_id:#x}'s page needs its pack's whole genealogy: pass an auditor's account, "
               "whose view key opens every note")
    if not session.has_account:
        raise ConfigurationError(refusal)
    with session.ledger(relaying=False) as ledger:
        ledger.sync()
        if not any(stored.note.tag == passport_id for stored in ledger.store.notes()):
            raise ConfigurationError(refusal)
        nodes = genealogy_from_notes(ledger.client, ledger.store, passport_id)
    seen = {node.lot_id for node in nodes}
    if any(parent not in seen for node in nodes for parent in node.parent_ids):
        raise ConfigurationError(refusal)
    return nodes

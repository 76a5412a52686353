"""The ``batterytrace`` command line: what a participant does by hand, one clear line per error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from batterytrace.exceptions import BatteryTraceError

STATE_DIR = Path(os.environ.get("BATTERYTRACE_HOME", ".batterytrace"))
F = TypeVar("F", bound=Callable[..., Any])


def _fail_cleanly(function: F) -> F:
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


@dataclass
class Session:
    """Connection settings shared by the commands."""

    rpc: str | None
    deployment_path: Path | None
    private_key: str | None
    keystore: Path | None
    account_index: int | None

    def rpc_url(self) -> str:
        from batterytrace.exceptions import ConfigurationError

        if self.rpc:
            return self.rpc
        info = STATE_DIR / "node.json"
        if info.exists():
            return str(json.loads(info.read_text())["url"])
        raise ConfigurationError("no node: pass --rpc URL or start one with `batterytrace node start`")

    def chain(self) -> Any:
        from batterytrace.chain import Chain

        return Chain(self.rpc_url())

    def signer(self) -> Any:
        from batterytrace.chain import LocalSigner
        from batterytrace.exceptions import ConfigurationError
        from batterytrace.node import DEFAULT_MNEMONIC

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

        from batterytrace.chain import LocalSigner
        from batterytrace.client import BatteryTrace
        from batterytrace.deployment import Deployment
        from batterytrace.store import OpeningStore

        chain = self.chain()
        deployment = Deployment.load(self.deployment_file(chain.chain_id))
        has_account = self.private_key or self.keystore or self.account_index is not None
        signer = LocalSigner(Account.create()) if read_only and not has_account else self.signer()
        store = OpeningStore(STATE_DIR / "openings" / f"{chain.chain_id}-{signer.address.lower()}.sqlite")
        return BatteryTrace(chain, deployment, signer, store)


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=_json_default))
    else:
        for key, value in data.items():
            click.echo(f"{key:>22}: {_json_default(value) if not isinstance(value, (str, int)) else value}")


def _json_default(value: Any) -> Any:
    from enum import Enum

    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (set, frozenset, tuple)):
        return [_json_default(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {key: _json_default(getattr(value, key)) for key in value.__dataclass_fields__}
    return str(value) if not isinstance(value, (int, str, float, list, dict, type(None))) else value


def _int(text: str) -> int:
    return int(text, 0)


@click.group()
@click.version_option(package_name="batterytrace")
@click.option("--rpc", envvar="BATTERYTRACE_RPC", help="JSON-RPC URL of any EVM node (default: the local node started by `node start`).")
@click.option("--deployment", "deployment_path", type=click.Path(path_type=Path), help="Deployment file (default .batterytrace/deployments/<chain id>.json).")
@click.option("--private-key", envvar="BATTERYTRACE_PRIVATE_KEY", help="Hex private key of the sending account.")
@click.option("--keystore", type=click.Path(path_type=Path), help="Encrypted JSON keystore; password from BATTERYTRACE_KEYSTORE_PASSWORD.")
@click.option("--dev-account", "account_index", type=int, help="Index of a local development account (anvil's test mnemonic).")
@click.pass_context
def main(ctx: click.Context, rpc: str | None, deployment_path: Path | None, private_key: str | None, keystore: Path | None, account_index: int | None) -> None:
    """batterytrace: trace battery metals from mine to EV and issue battery passports with
    zero-knowledge proofs."""
    ctx.obj = Session(rpc, deployment_path, private_key, keystore, account_index)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Folder for the passport, its page, the EPCIS document and the genealogy picture.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
@_fail_cleanly
def demo(session: Session, out_dir: Path, as_json: bool) -> None:
    """Run the mine-to-passport flow on a local anvil (or on --rpc URL)."""
    from batterytrace.demo import run_demo

    summary = run_demo(out_dir, rpc_url=session.rpc, progress=not as_json)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        click.echo(summary.render())


@main.group()
def node() -> None:
    """Start and stop a local anvil node that keeps its state in .batterytrace/."""


@node.command("start")
@click.option("--port", type=int, default=8545, show_default=True)
@_fail_cleanly
def node_start(port: int) -> None:
    """Start a local anvil in the background."""
    from batterytrace.node import start_background

    info = start_background(STATE_DIR, port)
    click.echo(f"anvil running at {info.url} (pid {info.pid}, chain {info.chain_id}); state in {STATE_DIR}")


@node.command("stop")
@_fail_cleanly
def node_stop() -> None:
    """Stop the background anvil (its state is dumped for the next start)."""
    from batterytrace.node import stop_background

    info = stop_background(STATE_DIR)
    click.echo("no local node was running" if info is None else f"stopped anvil at {info.url}")


@main.command()
@click.pass_obj
@_fail_cleanly
def deploy(session: Session) -> None:
    """Deploy the contracts; the sender becomes the consortium admin."""
    from batterytrace.deployment import deploy as deploy_contracts

    chain = session.chain()
    deployment, gas = deploy_contracts(chain, session.signer())
    path = session.deployment_file(chain.chain_id)
    deployment.save(path)
    click.echo(f"deployed on chain {chain.chain_id}: registry {deployment.registry}, lots {deployment.lots}, "
               f"passport {deployment.passport} ({sum(gas.by_contract.values()):,} gas); saved to {path}")


@main.command()
@click.argument("account")
@click.option("--role", type=click.Choice(["AUDITOR", "MINER", "PROCESSOR", "CELL_MAKER", "PACK_MAKER", "OEM", "RECYCLER"]), required=True)
@click.option("--legal-name", required=True)
@click.option("--identifier", required=True, help="LEI (20 characters) or GS1 GLN (13 digits).")
@click.option("--identifier-kind", type=click.Choice(["LEI", "GLN"]), default="LEI", show_default=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2, e.g. CD.")
@click.option("--encryption-key", required=True, help="The participant's secp256k1 public key (hex, 33 or 65 bytes).")
@click.pass_obj
@_fail_cleanly
def register(session: Session, account: str, role: str, legal_name: str, identifier: str, identifier_kind: str, country: str, encryption_key: str) -> None:
    """Register a participant (consortium admin)."""
    from batterytrace.registry import IdentifierKind, Role

    receipt = session.client().register_participant(
        account, Role[role], legal_name, identifier, IdentifierKind[identifier_kind], country, bytes.fromhex(encryption_key.removeprefix("0x"))
    )
    click.echo(f"registered {account} as {role} in block {receipt.block_number}")


@main.group()
def facility() -> None:
    """Facilities of the sending participant."""


@facility.command("register")
@click.option("--type", "facility_type", type=click.Choice(["INDUSTRIAL_MINE", "ARTISANAL_SITE", "REFINERY", "PRECURSOR_PLANT", "CATHODE_PLANT", "CELL_PLANT", "PACK_PLANT", "RECYCLER"]), required=True)
@click.option("--site-id", required=True)
@click.option("--country", required=True)
@click.option("--location", default="", help="Location text; only its hash goes on chain.")
@click.pass_obj
@_fail_cleanly
def facility_register(session: Session, facility_type: str, site_id: str, country: str, location: str) -> None:
    """Register a facility the sender operates."""
    from batterytrace.registry import FacilityType

    site = session.client().register_facility(FacilityType[facility_type], site_id, country, location)
    click.echo(f"facility {site.facility_id} registered: {site.facility_type.name} {site.site_id} ({site.country})")


@facility.command("process")
@click.argument("facility_id", type=int)
@click.option("--max-yield-loss-bps", type=int, required=True, help="Audited maximum cobalt loss of the process, basis points.")
@click.pass_obj
@_fail_cleanly
def facility_process(session: Session, facility_id: int, max_yield_loss_bps: int) -> None:
    """Set a facility's audited maximum yield loss (auditors)."""
    session.client().set_process_parameters(facility_id, max_yield_loss_bps)
    click.echo(f"facility {facility_id}: maximum yield loss {max_yield_loss_bps / 100:.2f}%")


@facility.command("risk")
@click.argument("facility_id", type=int)
@click.option("--flag", "flags", type=click.Choice(["CHILD_LABOUR", "HUMAN_RIGHTS", "ARTISANAL", "CONFLICT_AREA"]), multiple=True)
@click.option("--evidence", default="")
@click.pass_obj
@_fail_cleanly
def facility_risk(session: Session, facility_id: int, flags: tuple[str, ...], evidence: str) -> None:
    """Record the risk flags an audit found at a facility (auditors); none clears them."""
    from batterytrace.commitment import RiskFlag

    value = RiskFlag.NONE
    for name in flags:
        value |= RiskFlag[name]
    session.client().record_risk_finding(facility_id, value, evidence or None)
    click.echo(f"facility {facility_id}: risk flags {value!r}")


@main.command()
@click.argument("facility_id", type=int)
@click.option("--scheme", type=click.Choice(["RMAP", "IRMA", "COPPER_MARK", "CIRAF", "ICMM", "GBA"]), required=True)
@click.option("--days", type=int, default=365, show_default=True, help="Validity from now.")
@click.option("--evidence", default="", help="Audit report text or path; its hash goes on chain.")
@click.pass_obj
@_fail_cleanly
def certify(session: Session, facility_id: int, scheme: str, days: int, evidence: str) -> None:
    """Certify a facility (auditors)."""
    from batterytrace.registry import Scheme

    client = session.client()
    now = datetime.fromtimestamp(client.chain.latest_timestamp(), tz=timezone.utc)
    payload = Path(evidence).read_bytes() if evidence and Path(evidence).is_file() else evidence
    certification = client.certify(facility_id, Scheme[scheme], now, now + timedelta(days=days), payload)
    click.echo(f"certification {certification.certification_id}: facility {facility_id} {scheme} until {certification.valid_until:%Y-%m-%d}")


@main.command()
@click.argument("facility_id", type=int)
@click.option("--external-id", required=True, help="The lot's id in your ERP (unique per creator; re-minting returns the same lot).")
@click.option("--kind", type=click.Choice(["COBALT_ORE", "COBALT_HYDROXIDE", "BLACK_MASS"]), default="COBALT_HYDROXIDE", show_default=True)
@click.option("--cobalt-grams", type=int, required=True)
@click.option("--total-grams", type=int, required=True)
@click.option("--co2e-grams", type=int, required=True)
@click.option("--tag-id", default="", help="The physical seal or RFID tag on the bag or drum.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def mint(session: Session, facility_id: int, external_id: str, kind: str, cobalt_grams: int, total_grams: int, co2e_grams: int, tag_id: str, as_json: bool) -> None:
    """Create an origin lot with its mint proof (miners, recyclers)."""
    from batterytrace.lots import MaterialKind

    client = session.client()
    try:
        result = client.mint_origin(facility_id, external_id, MaterialKind[kind], cobalt_grams, total_grams, co2e_grams, tag_id)
    finally:
        client.close()
    _print({"lot_id": hex(result.lot_id), "created": result.created, "commitment": hex(result.opening.commitment),
            "certified_cobalt_grams": result.opening.certified_cobalt_grams}, as_json)


@main.command()
@click.argument("lot_id", type=_int)
@click.argument("receiver")
@click.pass_obj
@_fail_cleanly
def offer(session: Session, lot_id: int, receiver: str) -> None:
    """Offer a lot to a participant (its opening goes along, encrypted)."""
    receipt = session.client().offer(lot_id, receiver)
    click.echo(f"lot {lot_id:#x} offered to {receiver} in block {receipt.block_number}")


@main.command()
@click.argument("lot_id", type=_int)
@click.option("--measured-grams", type=int, required=True, help="Your weighing of the lot's total mass.")
@click.option("--tolerance-bps", type=int, default=50, show_default=True)
@click.option("--evidence", default="")
@click.pass_obj
@_fail_cleanly
def accept(session: Session, lot_id: int, measured_grams: int, tolerance_bps: int, evidence: str) -> None:
    """Accept a lot offered to you after weighing it (outside tolerance: dispute)."""
    result = session.client().accept(lot_id, measured_grams, tolerance_bps, evidence or None)
    verdict = "accepted" if result.accepted else "DISPUTED"
    click.echo(f"lot {lot_id:#x} {verdict}: weighed {result.measured_total_grams} g against {result.committed_total_grams} g committed ({result.deviation_bps} bps)")


@main.command()
@click.argument("lot_id", type=_int)
@click.option("--outcome", type=click.Choice(["DELIVER_TO_RECEIVER", "RETURN_TO_SENDER"]), required=True)
@click.option("--evidence", default="")
@click.pass_obj
@_fail_cleanly
def resolve(session: Session, lot_id: int, outcome: str, evidence: str) -> None:
    """Resolve a disputed weighing (auditors)."""
    from batterytrace.lots import DisputeOutcome

    receipt = session.client().resolve_dispute(lot_id, DisputeOutcome[outcome], evidence or None)
    click.echo(f"dispute over lot {lot_id:#x} resolved: {outcome} (block {receipt.block_number})")


@main.command()
@click.argument("facility_id", type=int)
@click.option("--input", "inputs", type=_int, multiple=True, required=True, help="Input lot id (repeat, up to 4).")
@click.option("--output", "outputs", multiple=True, required=True, help="EXTERNAL_ID:KIND:COBALT_GRAMS:TOTAL_GRAMS (repeat, up to 4).")
@click.option("--process-co2e-grams", type=int, default=0, show_default=True)
@click.pass_obj
@_fail_cleanly
def transform(session: Session, facility_id: int, inputs: tuple[int, ...], outputs: tuple[str, ...], process_co2e_grams: int) -> None:
    """Split, merge or refine lots you hold, with a mass-balance proof."""
    from batterytrace.lots import MaterialKind, OutputPlan

    plans = []
    for text in outputs:
        parts = text.split(":")
        if len(parts) != 4:
            raise ValueError(f"--output {text!r} is not EXTERNAL_ID:KIND:COBALT_GRAMS:TOTAL_GRAMS")
        plans.append(OutputPlan(parts[0], MaterialKind[parts[1]], int(parts[2]), int(parts[3])))
    client = session.client()
    try:
        result = client.transform(list(inputs), plans, facility_id, process_co2e_grams)
    finally:
        client.close()
    click.echo(f"transformation {result.transform_id}: outputs " + ", ".join(hex(lot_id) for lot_id in result.output_lot_ids))


@main.group()
def lot() -> None:
    """Read lots."""


@lot.command("show")
@click.argument("lot_id", type=_int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def lot_show(session: Session, lot_id: int, as_json: bool) -> None:
    """A lot's public record."""
    record = session.client(read_only=True).lot(lot_id)
    _print(_json_default(record), as_json)


@lot.command("history")
@click.argument("lot_id", type=_int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def lot_history(session: Session, lot_id: int, as_json: bool) -> None:
    """A lot's whole life, from events alone."""
    events = session.client(read_only=True).history(lot_id)
    if as_json:
        click.echo(json.dumps([_json_default(event) for event in events], indent=2, default=_json_default))
        return
    for event in events:
        click.echo(f"{event.timestamp:%Y-%m-%d %H:%M:%S}  block {event.block_number:>6}  {event.name}")


@main.group()
def passport() -> None:
    """Battery passports: issue, show, verify, status, page."""


@passport.command("issue")
@click.argument("pack_lot_id", type=_int)
@click.option("--battery-id", required=True, help="GS1 Digital Link URI of the battery.")
@click.option("--document", "document_path", type=click.Path(exists=True, path_type=Path), required=True, help="The public passport document (JSON).")
@click.option("--document-uri", required=True, help="Where the public document is published.")
@click.option("--capacity-wh", type=int, required=True)
@click.pass_obj
@_fail_cleanly
def passport_issue(session: Session, pack_lot_id: int, battery_id: str, document_path: Path, document_uri: str, capacity_wh: int) -> None:
    """Issue a passport for a pack lot you hold, with a claim proof (pack makers, OEMs)."""
    from batterytrace.passport import PassportRequest, issue_passports
    from batterytrace.passport_document import document_hash

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
@click.argument("passport_id", type=_int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def passport_show(session: Session, passport_id: int, as_json: bool) -> None:
    """A passport's on-chain record."""
    from batterytrace.passport import get_passport

    _print(_json_default(get_passport(session.client(read_only=True), passport_id)), as_json)


@passport.command("verify")
@click.argument("passport_id", type=_int)
@click.pass_obj
@_fail_cleanly
def passport_verify(session: Session, passport_id: int) -> None:
    """Re-verify a passport's claim proof from the chain with py-ecc (trusting no issuer)."""
    from batterytrace.passport import verify_passport

    result = verify_passport(session.client(read_only=True), passport_id)
    click.echo(f"passport {passport_id:#x}: {'VERIFIED' if result.verified else 'NOT VERIFIED'}: {result.reason} "
               f"(chain {result.chain_id}, transaction {result.transaction_hash})")
    if not result.verified:
        sys.exit(2)


@passport.command("status")
@click.argument("passport_id", type=_int)
@click.argument("status", type=click.Choice(["REPURPOSED", "REUSED", "REMANUFACTURED", "WASTE"]))
@click.option("--evidence", default="")
@click.pass_obj
@_fail_cleanly
def passport_status(session: Session, passport_id: int, status: str, evidence: str) -> None:
    """Record a new battery status (holder; a recycler may declare waste)."""
    from batterytrace.passport import PassportStatus, set_status

    receipt = set_status(session.client(), passport_id, PassportStatus[status], evidence or None)
    click.echo(f"passport {passport_id:#x} is now {status} (block {receipt.block_number})")


@passport.command("page")
@click.argument("passport_id", type=_int)
@click.option("--document", "document_path", type=click.Path(exists=True, path_type=Path), required=True, help="The passport's public document (JSON).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out/passport-page"), show_default=True)
@click.pass_obj
@_fail_cleanly
def passport_page(session: Session, passport_id: int, document_path: Path, out_dir: Path) -> None:
    """Write the passport's HTML page and QR code, with each proof re-verified against the chain."""
    from batterytrace.genealogy import genealogy_from_chain
    from batterytrace.passport import claim_statuses, get_passport, verify_passport
    from batterytrace.passport_page import ChainInfo, render_passport_page

    client = session.client(read_only=True)
    record = get_passport(client, passport_id)
    result = verify_passport(client, passport_id)
    document = json.loads(document_path.read_text())
    info = ChainInfo(chain_id=client.chain.chain_id, passport_contract=client.deployment.passport, token_id=passport_id,
                     block_number=result.block_number, document_hash=record.document_hash)
    page = render_passport_page(document, claim_statuses(result, genealogy_from_chain(client, record.pack_lot_id)), info, out_dir)
    click.echo(f"page written to {page}")


@main.group()
def epcis() -> None:
    """GS1 EPCIS 2.0 export and import."""


@epcis.command("export")
@click.option("--lot", "lot_id", type=_int, help="Export one lot's history.")
@click.option("--from-block", type=int, help="Export all events from this block...")
@click.option("--to-block", type=int, help="...to this block (default: latest).")
@click.option("--include-confidential", is_flag=True, help="Add quantities from your own openings (lot export only).")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="File to write (default: stdout).")
@click.pass_obj
@_fail_cleanly
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
@_fail_cleanly
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


@main.command()
@click.option("--database", default=str(STATE_DIR / "index.sqlite"), show_default=True, help="SQLite path or postgresql:// URL.")
@click.option("--confirmations", type=int, default=0, show_default=True, help="Index only blocks this deep below the head.")
@click.option("--follow", "poll_seconds", type=float, default=None, help="Keep following the chain, polling every N seconds (Ctrl-C stops).")
@click.option("--ancestors", "lot_id", type=_int, default=None, help="After syncing, list every ancestor of this lot back to the mines.")
@click.pass_obj
@_fail_cleanly
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

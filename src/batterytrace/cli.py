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

    def client(self) -> Any:
        from batterytrace.client import BatteryTrace
        from batterytrace.deployment import Deployment
        from batterytrace.store import OpeningStore

        chain = self.chain()
        deployment = Deployment.load(self.deployment_file(chain.chain_id))
        signer = self.signer()
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
    record = session.client().lot(lot_id)
    _print(_json_default(record), as_json)


@lot.command("history")
@click.argument("lot_id", type=_int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_fail_cleanly
def lot_history(session: Session, lot_id: int, as_json: bool) -> None:
    """A lot's whole life, from events alone."""
    events = session.client().history(lot_id)
    if as_json:
        click.echo(json.dumps([_json_default(event) for event in events], indent=2, default=_json_default))
        return
    for event in events:
        click.echo(f"{event.timestamp:%Y-%m-%d %H:%M:%S}  block {event.block_number:>6}  {event.name}")

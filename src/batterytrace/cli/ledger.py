"""The consortium by hand: deploy, register participants and facilities, audit and certify them
(lots are :mod:`~batterytrace.cli.lots`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from batterytrace.cli.session import Session, fail_cleanly


@click.command()
@click.pass_obj
@fail_cleanly
def deploy(session: Session) -> None:
    """Deploy the contracts; the sender becomes the consortium admin."""
    from batterytrace.sdk.deployment import deploy as deploy_contracts

    chain = session.chain()
    deployment, gas = deploy_contracts(chain, session.signer())
    path = session.deployment_file(chain.chain_id)
    deployment.save(path)
    click.echo(f"deployed on chain {chain.chain_id}: registry {deployment.registry}, ledger {deployment.ledger}, "
               f"passport {deployment.passport} ({sum(gas.by_contract.values()):,} gas); saved to {path}")


@click.command()
@click.argument("account")
@click.argument("prefix_text", metavar="PREFIX")
@click.option("--kind", type=click.Choice(["GS1", "ISO15459"]), default="GS1", show_default=True,
              help="A GS1 company prefix (6-12 digits) or an ISO/IEC 15459 issuer code.")
@click.pass_obj
@fail_cleanly
def prefix(session: Session, account: str, prefix_text: str, kind: str) -> None:
    """Assign a company prefix to a pack maker or OEM (consortium admin): only it issues passports
    for battery ids under the prefix."""
    from batterytrace.model.battery_ids import PrefixKind

    prefix_kind = PrefixKind.GS1_COMPANY_PREFIX if kind == "GS1" else PrefixKind.ISO15459_ISSUER_CODE
    session.client().assign_company_prefix(account, prefix_text, prefix_kind)
    click.echo(f"prefix {prefix_text} ({kind}) assigned to {account}")


@click.command()
@click.argument("account")
@click.option("--role", type=click.Choice(["AUDITOR", "MINER", "PROCESSOR", "CELL_MAKER", "PACK_MAKER", "OEM", "RECYCLER", "AUTHORITY",
                                         "REPAIRER", "REMANUFACTURER", "SECOND_LIFE_OPERATOR"]), required=True)
@click.option("--legal-name", required=True)
@click.option("--identifier", required=True, help="LEI (20 characters) or GS1 GLN (13 digits).")
@click.option("--identifier-kind", type=click.Choice(["LEI", "GLN"]), default="LEI", show_default=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2, e.g. CD.")
@click.option("--encryption-key", required=True, help="The participant's secp256k1 public key (hex, 33 or 65 bytes).")
@click.option("--shielding-key", required=True,
              help="The participant's shielding key (decimal or 0x-hex; `batterytrace keys` prints it).")
@click.pass_obj
@fail_cleanly
def register(session: Session, account: str, role: str, legal_name: str, identifier: str, identifier_kind: str, country: str,
             encryption_key: str, shielding_key: str) -> None:
    """Register a participant (consortium admin) with the public keys it printed with `keys`."""
    from batterytrace.model.registry import IdentifierKind, Role

    receipt = session.client().register_participant(
        account, Role[role], legal_name, identifier, IdentifierKind[identifier_kind], country, _hex_bytes("--encryption-key", encryption_key),
        _integer("--shielding-key", shielding_key),
    )
    click.echo(f"registered {account} as {role} in block {receipt.block_number}")


@click.command()
@click.pass_obj
@fail_cleanly
def keys(session: Session) -> None:
    """Print the sending account's public keys, the ones the consortium admin registers it with."""
    client = session.client()
    click.echo(f"account         {client.address}")
    click.echo(f"encryption key  0x{client.encryption_public_key.hex()}")
    click.echo(f"shielding key   {client.shielding_public_key:#066x}")


def _hex_bytes(option: str, text: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise ValueError(f"{option} must be hex bytes, got {text!r}") from None


def _integer(option: str, text: str) -> int:
    """A decimal or 0x-hex integer (the range is the SDK's rule to check)."""
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        raise ValueError(f"{option} must be a decimal or 0x-hex integer, got {text!r}") from None


#: ``FacilityType``'s names, spelled out as the other choices are: the commands import the model
#: only when they run (tests/cli holds the two equal).
_FACILITY_TYPES = ("INDUSTRIAL_MINE", "ARTISANAL_SITE", "REFINERY", "PRECURSOR_PLANT", "CATHODE_PLANT", "CELL_PLANT", "PACK_PLANT",
                   "RECYCLER", "BRINE_OPERATION", "HARD_ROCK_MINE", "NICKEL_MINE", "LITHIUM_REFINERY", "NICKEL_REFINERY")


@click.group()
def facility() -> None:
    """Facilities of the sending participant."""


@facility.command("register")
@click.option("--type", "facility_type", type=click.Choice(_FACILITY_TYPES), required=True)
@click.option("--site-id", required=True)
@click.option("--country", required=True)
@click.option("--location", default="", help="Location text; only its hash goes on chain.")
@click.pass_obj
@fail_cleanly
def facility_register(session: Session, facility_type: str, site_id: str, country: str, location: str) -> None:
    """Register a facility the sender operates."""
    from batterytrace.model.registry import FacilityType

    site = session.client().register_facility(FacilityType[facility_type], site_id, country, location)
    click.echo(f"facility {site.facility_id} registered: {site.facility_type.name} {site.site_id} ({site.country})")


_FLAGS = click.Choice(["CHILD_LABOUR", "HUMAN_RIGHTS", "ARTISANAL", "CONFLICT_AREA"])


def _flags(names: tuple[str, ...]) -> Any:
    from batterytrace.model.risk import RiskFlag

    value = RiskFlag.NONE
    for name in names:
        value |= RiskFlag[name]
    return value


@facility.command("activate")
@click.argument("facility_id", type=int)
@click.option("--evidence", required=True, help="The activation audit (a document name or text; its hash goes on chain).")
@click.option("--flag", "flags", type=_FLAGS, multiple=True, help="A risk finding at the site.")
@click.option("--max-yield-loss-bps", type=int, default=0, help="Audited maximum cobalt loss of the process, basis points.")
@click.option("--co2e-floor", type=int, default=0, help="Floor of declared emissions, g CO2e per kg.")
@click.pass_obj
@fail_cleanly
def facility_activate(session: Session, facility_id: int, evidence: str, flags: tuple[str, ...], max_yield_loss_bps: int, co2e_floor: int) -> None:
    """Activate a registered facility after its audit (auditors): lots are created only at active sites."""
    session.client().activate_facility(facility_id, evidence, risk_flags=_flags(flags), max_yield_loss_bps=max_yield_loss_bps,
                                       co2e_floor_grams_per_kg=co2e_floor)
    click.echo(f"facility {facility_id} activated")


@facility.command("process")
@click.argument("facility_id", type=int)
@click.option("--max-yield-loss-bps", type=int, required=True, help="Audited maximum cobalt loss of the process, basis points.")
@click.option("--co2e-floor", type=int, default=0, help="Floor of declared emissions, g CO2e per kg.")
@click.pass_obj
@fail_cleanly
def facility_process(session: Session, facility_id: int, max_yield_loss_bps: int, co2e_floor: int) -> None:
    """Set a facility's audited maximum yield loss and emissions floor (auditors)."""
    session.client().set_process_parameters(facility_id, max_yield_loss_bps, co2e_floor)
    click.echo(f"facility {facility_id}: maximum yield loss {max_yield_loss_bps / 100:.2f}%, floor {co2e_floor} g CO2e/kg")


@facility.command("recycled-split")
@click.argument("facility_id", type=int)
@click.option("--pre-consumer-percent", "percent", required=True, metavar="PERCENT",
              help="Audited pre-consumer (production scrap) share of the recycler's input, 0-100 with up to two "
                   "decimals; the rest is post-consumer.")
@click.pass_obj
@fail_cleanly
def facility_recycled_split(session: Session, facility_id: int, percent: str) -> None:
    """Set a recycler's audited split of pre- and post-consumer input (auditors)."""
    bps = _percent_bps("--pre-consumer-percent", percent)
    session.client().set_recycled_input_split(facility_id, bps)
    click.echo(f"facility {facility_id}: recycled input {bps / 100:.2f}% pre-consumer, {(10_000 - bps) / 100:.2f}% post-consumer")


def _percent_bps(option: str, text: str) -> int:
    """A percentage of 0 to 100 with at most two decimals, in basis points."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{option} must be a percentage such as 12.5, got {text!r}") from None
    bps = value * 100
    if not value.is_finite() or bps != bps.to_integral_value() or not 0 <= bps <= 10_000:
        raise ValueError(f"{option} must be 0 to 100 with at most two decimals, got {text!r}")
    return int(bps)


@facility.command("risk")
@click.argument("facility_id", type=int)
@click.option("--flag", "flags", type=_FLAGS, multiple=True)
@click.option("--evidence", default="")
@click.pass_obj
@fail_cleanly
def facility_risk(session: Session, facility_id: int, flags: tuple[str, ...], evidence: str) -> None:
    """Record the risk flags an audit found at a facility (auditors); none clears them (with evidence)."""
    value = _flags(flags)
    session.client().record_risk_finding(facility_id, value, evidence or None)
    click.echo(f"facility {facility_id}: risk flags {value!r}")


@click.command()
@click.argument("facility_id", type=int)
@click.option("--scheme", type=click.Choice(["RMAP", "IRMA", "COPPER_MARK", "CIRAF", "ICMM", "GBA"]), required=True)
@click.option("--days", type=int, default=365, show_default=True, help="Validity from now.")
@click.option("--evidence", default="", help="Audit report text or path; its hash goes on chain.")
@click.pass_obj
@fail_cleanly
def certify(session: Session, facility_id: int, scheme: str, days: int, evidence: str) -> None:
    """Certify a facility (auditors)."""
    from batterytrace.model.registry import Scheme

    client = session.client()
    now = datetime.fromtimestamp(client.chain.latest_timestamp(), tz=timezone.utc)
    payload = Path(evidence).read_bytes() if evidence and Path(evidence).is_file() else evidence
    certification = client.certify(facility_id, Scheme[scheme], None, now + timedelta(days=days), payload)
    click.echo(f"certification {certification.certification_id}: facility {facility_id} {scheme} until {certification.valid_until:%Y-%m-%d}")

"""The ``batterytrace`` command line: what a participant does by hand, one clear line per error.

The root group holds the connection options (:mod:`~batterytrace.cli.session`) and the relayer the
material commands submit through; the commands live by family: :mod:`~batterytrace.cli.ledger`
(deployment, participants, facilities, audits), :mod:`~batterytrace.cli.lots` (lots on the shielded
ledger), :mod:`~batterytrace.cli.passports`, :mod:`~batterytrace.cli.partners` (EPCIS, the index),
:mod:`~batterytrace.cli.relayer`, :mod:`~batterytrace.cli.resolver`, :mod:`~batterytrace.cli.observe` and :mod:`~batterytrace.cli.node`
(the local node, the demo).
"""

from __future__ import annotations

from pathlib import Path

import click

from batterytrace.cli.ledger import certify, deploy, facility, keys, prefix, register
from batterytrace.cli.lots import accept, cancel, lot, mint, offer, resolve, transform
from batterytrace.cli.node import demo, node
from batterytrace.cli.observe import observe
from batterytrace.cli.partners import epcis, index
from batterytrace.cli.passports import passport
from batterytrace.cli.relayer import relayer
from batterytrace.cli.resolver import resolver
from batterytrace.cli.session import Session, connection_options


@click.group()
@click.version_option(package_name="batterytrace")
@connection_options
@click.option("--relayer", "relayer_url", envvar="BATTERYTRACE_RELAYER", metavar="URL",
              help="Relayer that submits the shielded-ledger operations (default: the one `batterytrace relayer start` runs).")
@click.pass_context
def main(ctx: click.Context, rpc: str | None, deployment_path: Path | None, private_key: str | None, keystore: Path | None,
         account_index: int | None, relayer_url: str | None) -> None:
    """batterytrace: trace battery metals from mine to EV and issue battery passports with
    zero-knowledge proofs."""
    ctx.obj = Session(rpc, deployment_path, private_key, keystore, account_index, relayer_url)


for _command in (demo, node, deploy, keys, register, prefix, facility, certify, mint, offer, cancel, accept, resolve, transform, lot,
                 passport, epcis, index, observe, relayer, resolver):
    main.add_command(_command)

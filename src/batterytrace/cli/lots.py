"""Lots by hand, on the shielded ledger: mint, offer, cancel, accept (or dispute), resolve, transform,
and what the sending account's keys see of its lots.

A lot is named by its id (its tag on the ledger), printed and taken as 0x-hex: a private id, which
only the parties to it and the auditors learn. Each step is checked against the registry's rules,
proven with the account's keys and submitted by a relayer (:meth:`~batterytrace.cli.session.Session.relayer_client`), so no participant's
address is on the transaction. The account's note store (STATE_DIR/notes/) keeps what its scanner
read, for the next command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from batterytrace.cli.output import json_default, print_record
from batterytrace.cli.session import ANY_BASE_INT, Session, fail_cleanly
from batterytrace.model.facilities import ORIGIN_KINDS
from batterytrace.model.lots import METAL_NAMES

_OUTPUT_FORMAT = "EXTERNAL_ID:KIND:COBALT_GRAMS:TOTAL_GRAMS or EXTERNAL_ID:KIND:COBALT:LITHIUM:NICKEL:TOTAL_GRAMS"
#: The kinds an origin lot may have at any origin type (model.facilities.ORIGIN_KINDS), in the mint's
#: --kind choice, in MaterialKind's order.
_ORIGIN_KINDS = [kind.name for kind in sorted({kind for kinds in ORIGIN_KINDS.values() for kind in kinds})]


@click.command()
@click.argument("facility_id", type=int)
@click.option("--external-id", required=True,
              help="The lot's id in your ERP, 1 to 31 bytes (unique per site; minting it again returns the same lot).")
@click.option("--kind", type=click.Choice(_ORIGIN_KINDS), default="COBALT_HYDROXIDE", show_default=True)
@click.option("--cobalt-grams", type=int, default=0, show_default=True)
@click.option("--lithium-grams", type=int, default=0, show_default=True)
@click.option("--nickel-grams", type=int, default=0, show_default=True)
@click.option("--total-grams", type=int, required=True)
@click.option("--co2e-grams", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def mint(session: Session, facility_id: int, external_id: str, kind: str, cobalt_grams: int, lithium_grams: int,
         nickel_grams: int, total_grams: int, co2e_grams: int, as_json: bool) -> None:
    """Create an origin lot at a site you operate, with its origin proof (miners, recyclers): give
    the grams of each metal it holds (those its kind may hold); they are certified when the site holds
    a certification valid now, and recycled at a recycler. A note has no field for the physical seal
    or RFID tag: keep it against the external id."""
    from batterytrace.model.lots import MaterialKind

    with session.ledger() as ledger:
        minted = ledger.client.mint_origin(facility_id, external_id, MaterialKind[kind], cobalt_grams, total_grams,
                                           co2e_grams, lithium_grams=lithium_grams, nickel_grams=nickel_grams)
        transaction = ledger.lot(minted.lot_id).transaction
    metals = minted.note.values.metals
    print_record({"tag": hex(minted.lot_id), "created": minted.created,
                  "certified_cobalt_grams": metals[0].certified_grams, "certified_lithium_grams": metals[1].certified_grams,
                  "certified_nickel_grams": metals[2].certified_grams, "transaction": transaction}, as_json)


@click.command()
@click.argument("tag", type=ANY_BASE_INT)
@click.argument("receiver")
@click.pass_obj
@fail_cleanly
def offer(session: Session, tag: int, receiver: str) -> None:
    """Offer a lot you hold to another participant (its note goes along, sealed for it); until it
    accepts or disputes, `cancel` takes the lot back."""
    with session.ledger() as ledger:
        offered = ledger.client.offer(tag, receiver)
    click.echo(f"lot {tag:#x} offered to {receiver} (transaction {offered.transaction})")


@click.command()
@click.argument("tag", type=ANY_BASE_INT)
@click.pass_obj
@fail_cleanly
def cancel(session: Session, tag: int) -> None:
    """Take back a lot you offered that its receiver has not accepted or disputed."""
    with session.ledger() as ledger:
        returned = ledger.client.cancel_offer(tag)
    click.echo(f"offer of lot {tag:#x} cancelled: you hold it again (transaction {returned.transaction})")


@click.command()
@click.argument("tag", type=ANY_BASE_INT)
@click.option("--measured-grams", type=int, required=True, help="Your weighing of the lot's total mass.")
@click.option("--tolerance-bps", type=int, default=50, show_default=True)
@click.option("--evidence", default="", help="The weighing's record (its hash goes on chain).")
@click.pass_obj
@fail_cleanly
def accept(session: Session, tag: int, measured_grams: int, tolerance_bps: int, evidence: str) -> None:
    """Take in a lot offered to you after weighing it: within tolerance of its committed mass it is
    yours, outside it is disputed (an auditor resolves)."""
    with session.ledger() as ledger:
        weighed = ledger.client.accept(tag, measured_grams, tolerance_bps, evidence or None)
    verdict = "accepted" if weighed.accepted else "DISPUTED"
    click.echo(f"lot {tag:#x} {verdict}: weighed {measured_grams} g against {weighed.committed_total_grams} g committed "
               f"({weighed.deviation_bps} bps)")


@click.command()
@click.argument("tag", type=ANY_BASE_INT)
@click.option("--outcome", type=click.Choice(["DELIVER_TO_RECEIVER", "RETURN_TO_SENDER"]), required=True)
@click.option("--evidence", default="")
@click.pass_obj
@fail_cleanly
def resolve(session: Session, tag: int, outcome: str, evidence: str) -> None:
    """Resolve a disputed weighing (auditors: their view key opens the disputed note)."""
    from batterytrace.model.lots import DisputeOutcome

    with session.ledger() as ledger:
        resolved = ledger.client.resolve_dispute(tag, DisputeOutcome[outcome], evidence or None)
    click.echo(f"dispute over lot {tag:#x} resolved: {outcome} (transaction {resolved.transaction})")


def _output(text: str) -> Any:
    """One ``--output`` as the SDK's OutputPlan, or one line that says what is wrong with it."""
    from batterytrace.model.lots import MaterialKind, OutputPlan

    # Split from the right: an id may hold colons (a pack's id is its battery's, a Digital Link URI).
    for splits in (5, 3):
        parts = text.rsplit(":", splits)
        if len(parts) == splits + 1 and parts[1] in MaterialKind.__members__:
            break
    if len(parts) not in (4, 6) or not parts[0]:
        raise ValueError(f"--output {text!r} is not {_OUTPUT_FORMAT}")
    external_id, kind, *grams = parts
    if kind not in MaterialKind.__members__:
        raise ValueError(f"--output {text!r}: {kind!r} is not a material kind ({', '.join(MaterialKind.__members__)})")
    if not all(value.isdigit() for value in grams):
        raise ValueError(f"--output {text!r}: the metals' grams and TOTAL_GRAMS are whole grams")
    cobalt, lithium, nickel = (grams[0], "0", "0") if len(grams) == 2 else grams[:3]
    return OutputPlan(external_id, MaterialKind[kind], int(cobalt), int(grams[-1]), int(lithium), int(nickel))


@click.command()
@click.argument("facility_id", type=int)
@click.option("--input", "inputs", type=ANY_BASE_INT, multiple=True, required=True, help="Tag of a lot you hold (repeat, up to 4).")
@click.option("--output", "outputs", multiple=True, required=True, help=f"{_OUTPUT_FORMAT} (repeat, up to 4).")
@click.option("--process-co2e-grams", type=int, default=0, show_default=True)
@click.pass_obj
@fail_cleanly
def transform(session: Session, facility_id: int, inputs: tuple[int, ...], outputs: tuple[str, ...], process_co2e_grams: int) -> None:
    """Split, merge, refine or assemble lots you hold at a facility you operate, with a mass-balance
    proof; the same outputs again return the lots made the first time."""
    plans = [_output(text) for text in outputs]
    with session.ledger() as ledger:
        made = ledger.client.transform(list(inputs), plans, facility_id, process_co2e_grams)
    click.echo(f"transformed at facility {facility_id}: outputs " + ", ".join(hex(lot_id) for lot_id in made.output_lot_ids))


# -- reading -------------------------------------------------------------------------------------


@click.group()
def lot() -> None:
    """The lots your keys open: those you hold or are offered, their notes, history and genealogy
    (their EPCIS document: `batterytrace epcis export`)."""


def _flags(value: int) -> str:
    from batterytrace.model.risk import RiskFlag

    return "|".join(str(flag.name) for flag in RiskFlag(value).singles()) or "NONE"


def _lot_record(ledger: Any, current: Any) -> dict[str, Any]:
    """A lot's current note as the account's keys see it. An offered or disputed note names the
    receiver as its holder and the sender as its counterparty."""
    from batterytrace.model.lots import MaterialKind

    note = current.note
    client = ledger.client
    metals: dict[str, int] = {}
    for name, metal in zip(METAL_NAMES, note.values.metals, strict=True):
        metals |= {f"{name}_grams": metal.grams, f"certified_{name}_grams": metal.certified_grams,
                   f"pre_consumer_{name}_grams": metal.pre_consumer_grams,
                   f"post_consumer_{name}_grams": metal.post_consumer_grams,
                   f"recycled_{name}_grams": metal.pre_consumer_grams + metal.post_consumer_grams}
    return {
        "tag": hex(current.tag), "kind": MaterialKind(note.kind).name, "state": note.state.name,
        **metals,
        "total_grams": note.values.total_grams, "co2e_grams": note.values.co2e_grams, "risk_flags": _flags(note.values.risk_flags),
        "holder": client.participant_for_shielding_key(note.owner),
        "counterparty": client.participant_for_shielding_key(note.counterparty) if note.counterparty else None,
        "transaction": current.transaction,
    }


@lot.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@fail_cleanly
def lot_list(session: Session, as_json: bool) -> None:
    """The lots you hold, are offered, or offered and not yet handed over."""
    with session.ledger(relaying=False) as ledger:
        records = [_lot_record(ledger, held) for held in ledger.lots()]
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    for record in records:
        contents = ", ".join(f"{record[f'{name}_grams']} g {name}" for name in METAL_NAMES
                             if record[f"{name}_grams"]) or "no metal"
        click.echo(f"{record['tag']}  {record['kind']:<23} {record['state']:<8}  {contents} in "
                   f"{record['total_grams']} g  holder {record['holder']}")
    if not records:
        click.echo("no lots held or offered")


def _about_a_lot(name: str) -> Callable[[Callable[..., None]], click.Command]:
    """A `lot` command about one lot: its TAG and --json, the session, one line per error."""

    def command(function: Callable[..., None]) -> click.Command:
        wrapped = click.pass_obj(fail_cleanly(function))
        return lot.command(name)(click.argument("tag", type=ANY_BASE_INT)(click.option("--json", "as_json", is_flag=True)(wrapped)))

    return command


@_about_a_lot("show")
def lot_show(session: Session, tag: int, as_json: bool) -> None:
    """A lot's current note as your keys see it: kind, state, grams, CO2e, flags, holder."""
    with session.ledger(relaying=False) as ledger:
        record = _lot_record(ledger, ledger.lot(tag))
    print_record(record, as_json)


def _step_record(step: Any) -> dict[str, Any]:
    """One step of a lot's history, without the notes' openings."""
    return {
        "operation": step.operation.value, "event": step.event, "state": step.note.state.name if step.note else None,
        "holder": step.owner, "counterparty": step.counterparty, "timestamp": step.timestamp.isoformat(),
        "block_number": step.block_number, "transaction": step.transaction_hash, "log_index": step.log_index,
        "evidence_hash": json_default(step.evidence_hash), "inputs": [hex(note.tag) for note in step.inputs],
        "outputs": [hex(note.tag) for note in step.outputs], "unopened_inputs": step.unopened_inputs,
        "unopened_outputs": step.unopened_outputs,
    }


@_about_a_lot("history")
def lot_history(session: Session, tag: int, as_json: bool) -> None:
    """A lot's steps as your note store sees them, from the first note sealed for you: mint, offers,
    weighings, resolutions, the transform or passport that ended it."""
    from batterytrace.sdk.note_history import NoteHistory

    with session.ledger(relaying=False) as ledger:
        ledger.sync()
        steps = NoteHistory(ledger.client, ledger.store).steps(tag)
    if as_json:
        click.echo(json.dumps([_step_record(step) for step in steps], indent=2))
        return
    for step in steps:
        parties = f"holder {step.owner}" + (f", counterparty {step.counterparty}" if step.counterparty else "")
        click.echo(f"{step.timestamp:%Y-%m-%d %H:%M:%S}  block {step.block_number:>6}  {step.operation.value:<9}  "
                   f"{step.note.state.name if step.note else 'ended':<8}  {parties}")


@_about_a_lot("genealogy")
def lot_genealogy(session: Session, tag: int, as_json: bool) -> None:
    """A lot and its ancestors back to the origin lots, as far as your keys open them (an auditor's
    view key opens all); a lot's facility where the registry tells it."""
    from batterytrace.sdk.note_history import genealogy_from_notes

    with session.ledger(relaying=False) as ledger:
        ledger.sync()
        nodes = genealogy_from_notes(ledger.client, ledger.store, tag)
    if as_json:
        records = [json_default(node) | {"lot_id": hex(node.lot_id), "parent_ids": [hex(parent) for parent in node.parent_ids]}
                   for node in nodes]
        click.echo(json.dumps(records, indent=2))
        return
    for node in nodes:
        click.echo(f"{'  ' * node.depth}{node.lot_id:#x}  {node.kind.name}  facility {node.facility_id or '?'}  creator {node.creator}"
                   + ("  (origin)" if node.is_origin else ""))

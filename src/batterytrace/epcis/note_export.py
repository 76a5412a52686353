"""The shielded ledger's lots out as an EPCIS 2.0 / CBV 2.0 JSON-LD document, from a note store.

What a store's keys open (an auditor's: everything) is written with the business steps and
dispositions :func:`~batterytrace.epcis.export.export_events` uses for the same operations on the
transparent lots contract. A lot's EPC is :func:`~batterytrace.epcis.uris.lot_uri` over the ledger's
address with the lot's tag as its id. What the ledger hides stays out: no auditor for a dispute's
resolution (the relayer sent it), no transformation id, yield bound or process emissions, no
external id; a facility appears where :meth:`~batterytrace.sdk.note_history.NoteHistory.facility`
resolves it.

Confidential values (the notes' grams, CO2e and flags) are written only with
``include_confidential=True``, in the fields export_events uses for openings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from batterytrace.epcis.chain_export import context_for_client
from batterytrace.epcis.export import _OBJECT_EVENTS, ExportContext, _confidential, _hex, _quantity, _time, export_events
from batterytrace.epcis.schema import validate_epcis
from batterytrace.epcis.uris import event_uri
from batterytrace.exceptions import EpcisError
from batterytrace.model.facilities import ASSEMBLY_TYPES
from batterytrace.model.lots import DisputeOutcome, MaterialKind
from batterytrace.model.registry import Facility
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.note_history import NoteHistory, NoteOperation, NoteStep
from batterytrace.sdk.notes import NoteStore
from batterytrace.zk.commitment import Opening
from batterytrace.zk.notes import Note

#: Custody steps written as export_events writes the lots contract's handovers.
_HANDOVERS = {NoteOperation.OFFER: "LotOffered", NoteOperation.CANCEL: "LotOfferCancelled",
              NoteOperation.ACCEPT: "LotAccepted", NoteOperation.DISPUTE: "LotDisputed"}
_RESOLUTIONS = {NoteOperation.DELIVER: DisputeOutcome.DELIVER_TO_RECEIVER, NoteOperation.RETURN: DisputeOutcome.RETURN_TO_SENDER}


def _opening(note: Note) -> Opening:
    """A note's values as export's opening (cobalt is metal 0; recycled is pre- and post-consumer)."""
    cobalt, values = note.values.metals[0], note.values
    return Opening(cobalt.grams, values.total_grams, cobalt.certified_grams,
                   cobalt.pre_consumer_grams + cobalt.post_consumer_grams, values.co2e_grams, values.risk_flags,
                   note.blinding)


def _handover_keys(step: NoteStep) -> tuple[int, int]:
    """The shielding keys of a custody step's sender and receiver (0 where the store cannot tell):
    an offered or disputed note names the receiver as owner and the sender as counterparty, and an
    offer creates one, the other steps spend one (a dispute creates one too)."""
    named = step.note if step.operation is NoteOperation.OFFER else step.spent
    if named is None and step.operation is NoteOperation.DISPUTE:
        named = step.note
    return (named.counterparty, named.owner) if named is not None else (0, 0)


class _Writer:
    """One document's events over one store's history."""

    def __init__(self, history: NoteHistory, context: ExportContext, include_confidential: bool) -> None:
        self.history = history
        self.context = context
        self.include_confidential = include_confidential

    def party(self, shielding_key: int) -> str | None:
        account = self.history.participant(shielding_key) if shielding_key else None
        return self.context.party(account) if account else None

    def located(self, facility: Facility | None) -> dict[str, Any]:
        if facility is None:
            return {}
        location = {"id": self.context.location(facility.facility_id)}
        return {"readPoint": location, "bizLocation": location}

    def labels(self, note: Note) -> dict[str, Any]:
        return {"bt:materialKind": MaterialKind(note.kind).name, "bt:commitment": _hex(note.commitment)}

    def confidential(self, note: Note) -> dict[str, Any]:
        return _confidential(_opening(note)) if self.include_confidential else {}

    def quantities(self, notes: tuple[Note, ...]) -> list[dict[str, Any]]:
        return [_quantity(self.context, note.tag, _opening(note)) for note in notes] if self.include_confidential else []

    def event(self, step: NoteStep, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "eventTime": _time(step.timestamp),
            "eventTimeZoneOffset": "+00:00",
            "eventID": event_uri(self.context.chain_id, self.context.lots_contract, step.transaction_hash, step.log_index),
        }

    @staticmethod
    def chain(step: NoteStep) -> dict[str, Any]:
        return {"bt:chainEvent": step.event, "bt:blockNumber": step.block_number,
                "bt:transactionHash": step.transaction_hash, "bt:logIndex": step.log_index}

    def object_event(self, step: NoteStep) -> dict[str, Any]:
        body = self.event(step, "ObjectEvent") | {"epcList": [self.context.lot(step.tag)]}
        note = step.note or step.spent
        assert note is not None
        if self.include_confidential:
            body["quantityList"] = self.quantities((note,))
        body |= self.step_body(step) | self.chain(step)
        if step.operation is NoteOperation.MINT:
            body |= self.labels(note)
        return body | self.confidential(note)

    def step_body(self, step: NoteStep) -> dict[str, Any]:
        if step.operation is NoteOperation.MINT:
            facility = self.history.facility(step)
            schemes = self.history.certified_schemes(step, facility)
            body = {"action": "ADD", "bizStep": "commissioning", "disposition": "active", **self.located(facility),
                    "bt:certifiedSchemes": sum(1 << int(scheme) for scheme in schemes)}
            creator = self.party(step.note.owner) if step.note else None
            return body | ({"bt:creator": creator} if creator else {})
        if step.operation is NoteOperation.REDEEM:
            return {"action": "OBSERVE", "bizStep": "assembling", "bt:passportContract": str(step.passport_contract).lower(),
                    "bt:binding": _hex(step.binding or bytes(32))}
        sender, receiver = _handover_keys(step)
        if step.operation in _RESOLUTIONS:
            outcome = _RESOLUTIONS[step.operation]
            delivered = outcome is DisputeOutcome.DELIVER_TO_RECEIVER
            custodian = self.party(step.note.owner if step.note else receiver if delivered else sender)
            body = {"action": "OBSERVE", "bizStep": "inspecting", "disposition": "in_progress" if delivered else "returned",
                    "bt:disputeOutcome": outcome.name, "bt:evidenceHash": _hex(step.evidence_hash)}
            return body | ({"bt:custodian": custodian} if custodian else {})
        parties: dict[str, Any] = {"from": self.history.participant(sender) if sender else None,
                                   "to": self.history.participant(receiver) if receiver else None}
        if None in parties.values():
            raise EpcisError(f"the {step.operation.value} of lot {step.tag:#x} is between parties this store or the "
                             "registry cannot name")
        if step.operation in (NoteOperation.ACCEPT, NoteOperation.DISPUTE):
            parties["weighingEvidenceHash"] = step.evidence_hash
        return {"bt:custodyOperation": step.operation.name} | _OBJECT_EVENTS[_HANDOVERS[step.operation]](parties, self.context)

    def transformation_event(self, step: NoteStep, facility: Facility | None) -> dict[str, Any]:
        context = self.context
        body = self.event(step, "TransformationEvent") | {
            "inputEPCList": [context.lot(note.tag) for note in step.inputs],
            "outputEPCList": [context.lot(note.tag) for note in step.outputs],
            "bizStep": "assembling" if facility and facility.facility_type in ASSEMBLY_TYPES else "commissioning",
            "disposition": "active",
            **self.located(facility),
        }
        if self.include_confidential:
            body |= {"inputQuantityList": self.quantities(step.inputs), "outputQuantityList": self.quantities(step.outputs)}
        actor = step.note or step.spent
        operator = self.party(actor.owner) if actor else None
        if operator:
            body["bt:operator"] = operator
        body["bt:outputs"] = [{"bt:epc": context.lot(note.tag)} | self.labels(note) | self.confidential(note)
                              for note in step.outputs]
        if step.unopened_inputs or step.unopened_outputs:
            body |= {"bt:unopenedInputs": step.unopened_inputs, "bt:unopenedOutputs": step.unopened_outputs}
        return body | self.chain(step)


def export_notes(
    client: BatteryTrace,
    store: NoteStore,
    from_block: int | None = None,
    to_block: int | None = None,
    *,
    include_confidential: bool = False,
    creation_date: datetime | None = None,
) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document of the lots' events the synced ``store`` sees in blocks
    ``from_block``..``to_block`` (default: all), oldest first; validated before it is returned.

    A mint is an ObjectEvent ADD ``commissioning``; offers, cancellations, acceptances and disputes
    are written as export_events writes the lots contract's; a resolution is OBSERVE
    ``inspecting`` (``in_progress`` delivered, ``returned`` sent back); a transform is one
    TransformationEvent, its inputs' and outputs' EPCs the lots' tags; a pack redeemed for a
    passport is OBSERVE ``assembling``. ``creation_date`` defaults to now.
    """
    history = NoteHistory(client, store)
    first = from_block if from_block is not None else client.deployment.block_number
    last = to_block if to_block is not None else client.chain.w3.eth.block_number
    if first > last:
        raise EpcisError(f"the block range {first}..{last} is empty")
    steps: dict[tuple[str, int], NoteStep] = {}
    for lot in history.lots().values():
        for step in lot:
            key = (step.transaction_hash, step.log_index)
            # A transform is a step of each of its lots: keep one that created an output (it locates the job).
            if first <= step.block_number <= last and (key not in steps or step.creates_lot):
                steps[key] = step
    ordered = sorted(steps.values(), key=lambda step: (step.block_number, step.log_index))
    located = {step: history.facility(step) for step in ordered if step.creates_lot}
    context = replace(context_for_client(client, {site.facility_id for site in located.values() if site}),
                      lots_contract=str(client.deployment.ledger), creation_date=creation_date)
    writer = _Writer(history, context, include_confidential)
    events = [writer.transformation_event(step, located.get(step)) if step.operation is NoteOperation.TRANSFORM
              else writer.object_event(step) for step in ordered]
    # export_events writes the document around the events (context, schema version, creation date).
    document = export_events([], context)
    document["epcisBody"]["eventList"] = events
    validate_epcis(document)
    return document


__all__ = ["export_notes"]

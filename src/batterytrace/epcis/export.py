"""Lots' steps on the shielded ledger out as an EPCIS 2.0 / CBV 2.0 JSON-LD document.

The writer is pure over :class:`~batterytrace.sdk.note_history.NoteStep` values and a
:class:`StepDirectory` that names their holders and facilities (a
:class:`~batterytrace.sdk.note_history.NoteHistory` over a synced note store is one;
:mod:`batterytrace.epcis.note_export` builds it from a live client). A lot's EPC is
:func:`~batterytrace.epcis.uris.lot_uri` over the ledger's address with the lot's tag as its id.

What the ledger hides stays out: no auditor for a dispute's resolution (the relayer sent it), no
transformation id, yield bound or process emissions, no external id; a facility appears where the
directory resolves it. Confidential values (a note's grams, CO2e and flags) are written only with
``include_confidential=True``: total mass in the quantity lists (UNECE Rec 20 ``KGM``), cobalt,
certified and recycled cobalt (kg), embodied CO2e (kg CO2e) and risk flags in ``bt:`` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

from batterytrace.epcis.schema import BT_NAMESPACE, EPCIS_CONTEXT_URL, validate_epcis
from batterytrace.epcis.units import kilograms
from batterytrace.epcis.uris import check_gln, event_uri, facility_uri, lot_uri, party_uri
from batterytrace.exceptions import EpcisError
from batterytrace.model.facilities import ASSEMBLY_TYPES
from batterytrace.model.lots import DisputeOutcome, MaterialKind
from batterytrace.model.registry import Facility, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.note_history import NoteOperation, NoteStep
from batterytrace.zk.notes import Note

#: Custody steps as CBV business steps and dispositions.
_HANDOVERS = {
    NoteOperation.OFFER: ("shipping", "in_transit"),
    NoteOperation.CANCEL: ("void_shipping", "active"),
    NoteOperation.ACCEPT: ("receiving", "in_progress"),
    NoteOperation.DISPUTE: ("receiving", "non_conformant"),
}
_RESOLUTIONS = {NoteOperation.DELIVER: DisputeOutcome.DELIVER_TO_RECEIVER, NoteOperation.RETURN: DisputeOutcome.RETURN_TO_SENDER}


@dataclass(frozen=True)
class ExportContext:
    """The deployment the steps come from and the GLNs known of its facilities and participants.

    ``facility_glns`` maps facility ids and ``party_glns`` participant addresses to GLNs;
    ``creation_date`` defaults to now (pass one to make whole documents reproducible; event ids
    are reproducible regardless).
    """

    chain_id: int
    ledger: str
    registry: str
    facility_glns: Mapping[int, str] = field(default_factory=dict)
    party_glns: Mapping[str, str] = field(default_factory=dict)
    creation_date: datetime | None = None

    def __post_init__(self) -> None:
        for gln in (*self.facility_glns.values(), *self.party_glns.values()):
            check_gln(gln)

    def lot(self, tag: int) -> str:
        return lot_uri(self.chain_id, self.ledger, tag)

    def location(self, facility_id: int) -> str:
        return facility_uri(self.chain_id, self.registry, int(facility_id), self.facility_glns.get(int(facility_id)))

    def party(self, address: str) -> str:
        glns = {key.lower(): value for key, value in self.party_glns.items()}
        return party_uri(self.chain_id, address, glns.get(str(address).lower()))

    def event_id(self, step: NoteStep) -> str:
        """A stable ``urn:uuid:`` for the ledger event a step is (see :func:`~batterytrace.epcis.uris.event_uri`)."""
        return event_uri(self.chain_id, self.ledger, step.transaction_hash, step.log_index)


class StepDirectory(Protocol):
    """What the writer asks of the steps' surroundings (:class:`~batterytrace.sdk.note_history.NoteHistory` answers)."""

    def participant(self, shielding_key: int) -> str | None: ...

    def facility(self, step: NoteStep) -> Facility | None: ...

    def certified_schemes(self, step: NoteStep, facility: Facility | None) -> frozenset[Scheme]: ...


def hex_word(value: int | bytes) -> str:
    """A commitment, hash or binding as 0x and 64 hex digits."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return f"0x{int(value):064x}"


def event_time(moment: datetime) -> str:
    """A moment in UTC, as EPCIS writes it; EpcisError for a naive datetime."""
    if moment.tzinfo is None:
        raise EpcisError(f"event time {moment} has no time zone")
    return moment.astimezone(timezone.utc).isoformat()


def confidential_fields(note: Note) -> dict[str, Any]:
    """A note's confidential values as ``bt:`` fields, per metal (cobalt, lithium, nickel): its mass,
    certified mass and pre- and post-consumer recycled mass (recycled their sum)."""
    values = note.values
    fields: dict[str, Any] = {}
    for name, metal in zip(("Cobalt", "Lithium", "Nickel"), values.metals, strict=True):
        fields |= {
            f"bt:{name.lower()}Kg": kilograms(metal.grams),
            f"bt:certified{name}Kg": kilograms(metal.certified_grams),
            f"bt:preConsumer{name}Kg": kilograms(metal.pre_consumer_grams),
            f"bt:postConsumer{name}Kg": kilograms(metal.post_consumer_grams),
            f"bt:recycled{name}Kg": kilograms(metal.pre_consumer_grams + metal.post_consumer_grams),
        }
    return {
        **fields,
        "bt:co2eKg": kilograms(values.co2e_grams),
        "bt:riskFlags": [flag.name for flag in RiskFlag if flag and flag in RiskFlag(values.risk_flags)],
    }


def lot_quantity(context: ExportContext, note: Note) -> dict[str, Any]:
    """A note's total mass as a quantity of its lot: the lot is its own class (like an LGTIN, a
    product at batch level)."""
    return {"epcClass": context.lot(note.tag), "quantity": kilograms(note.values.total_grams), "uom": "KGM"}


def epcis_document(context: ExportContext, events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """An EPCISDocument around ``events``, validated against the EPCIS 2.0 schema."""
    document = {
        "@context": [EPCIS_CONTEXT_URL, {"bt": BT_NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event_time(context.creation_date or datetime.now(timezone.utc)),
        "epcisBody": {"eventList": [dict(event) for event in events]},
    }
    validate_epcis(document)
    return document


def export_steps(
    steps: Iterable[NoteStep], directory: StepDirectory, context: ExportContext, *, include_confidential: bool = False
) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document of lots' steps, one event per ledger event, oldest first;
    validated before it is returned.

    Mapping (CBV 2.0 business steps and dispositions):

    - a mint: ObjectEvent ADD ``commissioning`` / ``active`` at the facility, with its creator and
      the schemes the facility was certified under then (``bt:certifiedSchemes``, a bit mask);
    - an offer: ObjectEvent OBSERVE ``shipping`` / ``in_transit``, source and destination
      ``owning_party``. Not a TransactionEvent: the ledger holds no business transaction (purchase
      order, despatch advice) for its mandatory ``bizTransactionList``;
    - a cancelled offer: OBSERVE ``void_shipping`` / ``active`` (CBV: the objects of a prior
      shipping event were not shipped as indicated);
    - an acceptance: OBSERVE ``receiving`` / ``in_progress``; a dispute: ``receiving`` /
      ``non_conformant``, both with the weighing's evidence hash;
    - a dispute's resolution: OBSERVE ``inspecting`` (an auditor reviews the weighing; ``repairing``
      would mean changing the goods), ``in_progress`` when delivered, ``returned`` when sent back;
    - a transform: one TransformationEvent, ``assembling`` at cell and pack plants, else
      ``commissioning`` (the outputs come into being; CBV has no "processing" step), ``active``,
      its outputs described in ``bt:outputs``.

    A transform is a step of each of its lots: the one kept is a step that created an output (it
    locates the job). Every event has a stable ``eventID``, ``eventTime`` from its block and
    ``bt:chainEvent``, ``bt:blockNumber``, ``bt:transactionHash``, ``bt:logIndex``.
    """
    chosen: dict[tuple[str, int], NoteStep] = {}
    for step in steps:
        key = (step.transaction_hash.lower(), step.log_index)
        if key not in chosen or (step.creates_lot and not chosen[key].creates_lot):
            chosen[key] = step
    writer = _StepWriter(directory, context, include_confidential)
    ordered = sorted(chosen.values(), key=lambda step: (step.block_number, step.log_index))
    return epcis_document(context, (writer.event(step) for step in ordered))


def _handover_keys(step: NoteStep) -> tuple[int, int]:
    """The shielding keys of a custody step's sender and receiver (0 where the store cannot tell):
    an offered or disputed note names the receiver as owner and the sender as counterparty; an
    offer creates one, the other steps spend one (a dispute creates one too)."""
    named = step.note if step.operation is NoteOperation.OFFER else step.spent
    if named is None and step.operation is NoteOperation.DISPUTE:
        named = step.note
    return (named.counterparty, named.owner) if named is not None else (0, 0)


class _StepWriter:
    """One document's events over one directory."""

    def __init__(self, directory: StepDirectory, context: ExportContext, include_confidential: bool) -> None:
        self.directory = directory
        self.context = context
        self.include_confidential = include_confidential

    def event(self, step: NoteStep) -> dict[str, Any]:
        if step.operation is NoteOperation.TRANSFORM:
            return self.transformation_event(step)
        return self.object_event(step)

    def party(self, shielding_key: int) -> str | None:
        account = self.directory.participant(shielding_key) if shielding_key else None
        return self.context.party(account) if account else None

    def located(self, facility: Facility | None) -> dict[str, Any]:
        if facility is None:
            return {}
        location = {"id": self.context.location(facility.facility_id)}
        return {"readPoint": location, "bizLocation": location}

    def confidential(self, note: Note) -> dict[str, Any]:
        return confidential_fields(note) if self.include_confidential else {}

    def quantities(self, notes: Iterable[Note]) -> list[dict[str, Any]]:
        return [lot_quantity(self.context, note) for note in notes]

    def header(self, step: NoteStep, kind: str) -> dict[str, Any]:
        return {"type": kind, "eventTime": event_time(step.timestamp), "eventTimeZoneOffset": "+00:00",
                "eventID": self.context.event_id(step)}

    @staticmethod
    def chain(step: NoteStep) -> dict[str, Any]:
        return {"bt:chainEvent": step.event, "bt:blockNumber": step.block_number,
                "bt:transactionHash": step.transaction_hash.lower(), "bt:logIndex": step.log_index}

    @staticmethod
    def labels(note: Note) -> dict[str, Any]:
        return {"bt:materialKind": MaterialKind(note.kind).name, "bt:commitment": hex_word(note.commitment)}

    def object_event(self, step: NoteStep) -> dict[str, Any]:
        body = self.header(step, "ObjectEvent") | {"epcList": [self.context.lot(step.tag)]}
        note = step.note or step.spent
        assert note is not None  # a step of a lot names one of its notes
        if self.include_confidential:
            body["quantityList"] = self.quantities((note,))
        body |= self.step_body(step) | self.chain(step)
        if step.operation is NoteOperation.MINT:
            body |= self.labels(note)
        return body | self.confidential(note)

    def step_body(self, step: NoteStep) -> dict[str, Any]:
        if step.operation is NoteOperation.MINT:
            facility = self.directory.facility(step)
            schemes = self.directory.certified_schemes(step, facility)
            body = {"action": "ADD", "bizStep": "commissioning", "disposition": "active", **self.located(facility),
                    "bt:certifiedSchemes": sum(1 << int(scheme) for scheme in schemes)}
            creator = self.party(step.note.owner) if step.note else None
            return body | ({"bt:creator": creator} if creator else {})
        sender, receiver = _handover_keys(step)
        if step.operation in _RESOLUTIONS:
            delivered = _RESOLUTIONS[step.operation] is DisputeOutcome.DELIVER_TO_RECEIVER
            custodian = self.party(step.note.owner if step.note else receiver if delivered else sender)
            body = {"action": "OBSERVE", "bizStep": "inspecting", "disposition": "in_progress" if delivered else "returned",
                    "bt:disputeOutcome": _RESOLUTIONS[step.operation].name, "bt:evidenceHash": hex_word(step.evidence_hash)}
            return body | ({"bt:custodian": custodian} if custodian else {})
        source, destination = self.party(sender), self.party(receiver)
        if source is None or destination is None:
            raise EpcisError(f"the {step.operation.value} of lot {step.tag:#x} is between parties this store or the "
                             "registry cannot name")
        business_step, disposition = _HANDOVERS[step.operation]
        body = {"action": "OBSERVE", "bizStep": business_step, "disposition": disposition,
                "sourceList": [{"type": "owning_party", "source": source}],
                "destinationList": [{"type": "owning_party", "destination": destination}],
                "bt:custodyOperation": step.operation.name}
        if step.operation in (NoteOperation.ACCEPT, NoteOperation.DISPUTE):
            body["bt:weighingEvidenceHash"] = hex_word(step.evidence_hash)
        return body

    def transformation_event(self, step: NoteStep) -> dict[str, Any]:
        context = self.context
        facility = self.directory.facility(step)
        body = self.header(step, "TransformationEvent") | {
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


__all__ = ["ExportContext", "StepDirectory", "confidential_fields", "epcis_document", "event_time", "export_steps",
           "hex_word", "lot_quantity"]

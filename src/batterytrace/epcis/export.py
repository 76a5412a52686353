"""Lot events out as an EPCIS 2.0 / CBV 2.0 JSON-LD document.

Export is pure over decoded :class:`~batterytrace.model.lots.LotEvent` values, so it needs no
chain (:mod:`batterytrace.epcis.chain_export` reads the events from a live client).

Confidential values (the lot opening) never appear unless the caller passes the openings *and*
``include_confidential=True``; then total mass goes in ``quantityList`` (UNECE Rec 20 ``KGM``) and
cobalt, certified and recycled cobalt (kg), embodied CO2e (kg CO2e) and risk flags in ``bt:`` fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from batterytrace.epcis.schema import BT_NAMESPACE, EPCIS_CONTEXT_URL, validate_epcis
from batterytrace.epcis.units import kilograms
from batterytrace.epcis.uris import check_gln, event_uri, facility_uri, lot_uri, party_uri, transformation_uri
from batterytrace.exceptions import EpcisError
from batterytrace.model.facilities import ASSEMBLY_TYPES
from batterytrace.model.lots import CustodyModel, DisputeOutcome, LotEvent, MaterialKind
from batterytrace.model.registry import FacilityType
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening


@dataclass(frozen=True)
class FacilityInfo:
    """What export writes about a facility: its public registry record and, if known, its GLN."""

    site_id: str
    facility_type: FacilityType
    country: str
    gln: str | None = None

    def __post_init__(self) -> None:
        if self.gln is not None:
            check_gln(self.gln)


@dataclass(frozen=True)
class ExportContext:
    """The deployment the events come from, and what is known about its facilities and parties.

    ``party_glns`` maps participant addresses to GLNs; ``creation_date`` defaults to now (pass one to
    make whole documents reproducible; event ids are reproducible regardless).
    """

    chain_id: int
    lots_contract: str
    registry: str
    facilities: Mapping[int, FacilityInfo] = field(default_factory=dict)
    party_glns: Mapping[str, str] = field(default_factory=dict)
    creation_date: datetime | None = None

    def __post_init__(self) -> None:
        for gln in self.party_glns.values():
            check_gln(gln)

    def lot(self, lot_id: int) -> str:
        return lot_uri(self.chain_id, self.lots_contract, lot_id)

    def location(self, facility_id: int) -> str:
        info = self.facilities.get(int(facility_id))
        return facility_uri(self.chain_id, self.registry, int(facility_id), info.gln if info else None)

    def party(self, address: str) -> str:
        glns = {key.lower(): value for key, value in self.party_glns.items()}
        return party_uri(self.chain_id, address, glns.get(str(address).lower()))


def event_id(context: ExportContext, event: LotEvent) -> str:
    """A stable ``urn:uuid:`` for a chain event (see :func:`~batterytrace.epcis.uris.event_uri`)."""
    return event_uri(context.chain_id, context.lots_contract, event.transaction_hash, event.log_index)


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return f"0x{int(value):064x}"


def _text32(value: Any) -> str:
    # Any UTF-8 text is valid JSON, so unlike identifiers.text_from_bytes32 this keeps non-printable text.
    raw = bytes(value).rstrip(b"\0")
    try:
        return raw.decode("utf-8") if raw else ""
    except UnicodeDecodeError:
        return "0x" + bytes(value).hex()


def _time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise EpcisError(f"event time {moment} has no time zone")
    return moment.astimezone(timezone.utc).isoformat()


def _confidential(opening: Opening) -> dict[str, Any]:
    return {
        "bt:cobaltKg": kilograms(opening.cobalt_grams),
        "bt:certifiedCobaltKg": kilograms(opening.certified_cobalt_grams),
        "bt:recycledCobaltKg": kilograms(opening.recycled_cobalt_grams),
        "bt:co2eKg": kilograms(opening.co2e_grams),
        "bt:riskFlags": [flag.name for flag in RiskFlag if flag and flag in RiskFlag(opening.risk_flags)],
    }


def _quantity(context: ExportContext, lot_id: int, opening: Opening) -> dict[str, Any]:
    # The lot is its own class (like an LGTIN: a product at batch level), so its mass is a quantity of it.
    return {"epcClass": context.lot(lot_id), "quantity": kilograms(opening.total_grams), "uom": "KGM"}


def export_events(
    events: Sequence[LotEvent],
    context: ExportContext,
    openings: Mapping[int, Opening] | None = None,
    *,
    include_confidential: bool = False,
) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document for lot events, oldest first; validated before it is returned.

    Mapping (CBV 2.0 business steps and dispositions):

    - ``LotCreated`` without parents: ObjectEvent ADD ``commissioning`` / ``active`` at the facility.
      With parents it is the output of a transformation and is written inside that
      TransformationEvent (``bt:outputs``), not on its own.
    - ``LotsTransformed``: TransformationEvent with ``transformationID``; business step
      ``assembling`` at cell and pack plants, else ``commissioning`` (the outputs come into being;
      CBV has no "processing" step), disposition ``active``.
    - ``LotOffered``: ObjectEvent OBSERVE ``shipping`` / ``in_transit``, source and destination
      ``owning_party``. Not a TransactionEvent: the chain holds no business transaction (purchase
      order, despatch advice) to put in its mandatory ``bizTransactionList``.
    - ``LotOfferCancelled``: ObjectEvent OBSERVE ``void_shipping`` / ``active``: CBV's step for "the
      objects of a prior shipping event were not shipped as indicated"; the lot is active again.
    - ``LotAccepted``: ObjectEvent OBSERVE ``receiving`` / ``in_progress`` (CBV's disposition for
      goods taken into the receiver's process).
    - ``LotDisputed``: ObjectEvent OBSERVE ``receiving`` / ``non_conformant``.
    - ``LotDisputeResolved``: ObjectEvent OBSERVE ``inspecting`` (an auditor reviews the weighing and
      its documents; ``repairing`` would mean changing the goods, which nobody does), disposition
      ``in_progress`` when delivered to the receiver, ``returned`` when sent back.
    - ``LotLockedForPassport``: ObjectEvent OBSERVE ``assembling``: the pack lot becomes the
      material of one finished battery and its passport (``installing`` is for putting a part into
      a composite that already exists); the lot is consumed, so no disposition is claimed.
    - ``LotStatusChanged`` and ERC-721 ``Transfer`` repeat what the events above say and are skipped.

    Every event has a stable ``eventID`` (:func:`event_id`), ``eventTime`` from its block, and
    ``bt:blockNumber``, ``bt:transactionHash``, ``bt:logIndex``, ``bt:chainEvent``.
    """
    openings = openings if include_confidential and openings else {}
    created = {
        int(event.arguments["lotId"]): event for event in events if event.name == "LotCreated"
    }
    seen: set[tuple[str, int]] = set()
    event_list = []
    for event in events:
        key = (event.transaction_hash.lower(), event.log_index)
        if key in seen:
            continue
        seen.add(key)
        mapped = _export_event(event, context, openings, created)
        if mapped is not None:
            event_list.append(mapped)
    document = {
        "@context": [EPCIS_CONTEXT_URL, {"bt": BT_NAMESPACE}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(context.creation_date or datetime.now(timezone.utc)),
        "epcisBody": {"eventList": event_list},
    }
    validate_epcis(document)
    return document


def _export_event(
    event: LotEvent, context: ExportContext, openings: Mapping[int, Opening], created: Mapping[int, LotEvent]
) -> dict[str, Any] | None:
    args = event.arguments
    common = {
        "eventTime": _time(event.timestamp),
        "eventTimeZoneOffset": "+00:00",
        "eventID": event_id(context, event),
    }
    chain = {
        "bt:chainEvent": event.name,
        "bt:blockNumber": event.block_number,
        "bt:transactionHash": event.transaction_hash.lower(),
        "bt:logIndex": event.log_index,
    }
    if event.name == "LotsTransformed":
        return {"type": "TransformationEvent", **common, **_transformation(args, context, openings, created), **chain}
    if event.name not in _OBJECT_EVENTS:
        return None
    lot_id = int(args["lotId"])
    if event.name == "LotCreated" and args.get("parentIds"):
        return None
    body: dict[str, Any] = {"type": "ObjectEvent", **common, "epcList": [context.lot(lot_id)]}
    opening = openings.get(lot_id)
    if opening is not None:
        body["quantityList"] = [_quantity(context, lot_id, opening)]
    body.update(_OBJECT_EVENTS[event.name](args, context))
    body.update(chain)
    if opening is not None:
        body.update(_confidential(opening))
    return body


def _created(args: Mapping[str, Any], context: ExportContext) -> dict[str, Any]:
    location = {"id": context.location(args["facilityId"])}
    return {
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": location,
        "bizLocation": location,
        **_lot_labels(args),
        "bt:creator": context.party(args["creator"]),
        "bt:certifiedSchemes": int(args.get("certifiedSchemes", 0)),
    }


def _lot_labels(args: Mapping[str, Any]) -> dict[str, Any]:
    labels = {
        "bt:externalId": _text32(args["externalId"]),
        "bt:materialKind": MaterialKind(args["kind"]).name,
        "bt:custodyModel": CustodyModel(args["custodyModel"]).name,
        "bt:commitment": _hex(args["commitment"]),
    }
    tag = _text32(args.get("tagId", bytes(32)))
    if tag:
        labels["bt:tagId"] = tag
    return labels


_ObjectMapping = Callable[[Mapping[str, Any], ExportContext], dict[str, Any]]


def _handover(step: str, disposition: str) -> _ObjectMapping:
    def mapped(args: Mapping[str, Any], context: ExportContext) -> dict[str, Any]:
        body = {
            "action": "OBSERVE",
            "bizStep": step,
            "disposition": disposition,
            "sourceList": [{"type": "owning_party", "source": context.party(args["from"])}],
            "destinationList": [{"type": "owning_party", "destination": context.party(args["to"])}],
        }
        if "weighingEvidenceHash" in args:
            body["bt:weighingEvidenceHash"] = _hex(args["weighingEvidenceHash"])
        return body

    return mapped


def _resolved(args: Mapping[str, Any], context: ExportContext) -> dict[str, Any]:
    outcome = DisputeOutcome(args["outcome"])
    return {
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": "in_progress" if outcome is DisputeOutcome.DELIVER_TO_RECEIVER else "returned",
        "bt:auditor": context.party(args["auditor"]),
        "bt:custodian": context.party(args["custodian"]),
        "bt:disputeOutcome": outcome.name,
        "bt:evidenceHash": _hex(args["evidenceHash"]),
    }


def _locked(args: Mapping[str, Any], context: ExportContext) -> dict[str, Any]:
    return {"action": "OBSERVE", "bizStep": "assembling", "bt:passportId": int(args["passportId"])}


_OBJECT_EVENTS: dict[str, _ObjectMapping] = {
    "LotCreated": _created,
    "LotOffered": _handover("shipping", "in_transit"),
    "LotOfferCancelled": _handover("void_shipping", "active"),
    "LotAccepted": _handover("receiving", "in_progress"),
    "LotDisputed": _handover("receiving", "non_conformant"),
    "LotDisputeResolved": _resolved,
    "LotLockedForPassport": _locked,
}
#: The lots contract's events that export writes (every other event is skipped).
EXPORTED_EVENTS = (*_OBJECT_EVENTS, "LotsTransformed")


def _transformation(
    args: Mapping[str, Any], context: ExportContext, openings: Mapping[int, Opening], created: Mapping[int, LotEvent]
) -> dict[str, Any]:
    inputs = [int(lot_id) for lot_id in args["inputLotIds"]]
    outputs = [int(lot_id) for lot_id in args["outputLotIds"]]
    facility_id = int(args["facilityId"])
    info = context.facilities.get(facility_id)
    location = {"id": context.location(facility_id)}
    body: dict[str, Any] = {
        "inputEPCList": [context.lot(lot_id) for lot_id in inputs],
        "outputEPCList": [context.lot(lot_id) for lot_id in outputs],
        "transformationID": transformation_uri(context.chain_id, context.lots_contract, int(args["transformId"])),
        "bizStep": "assembling" if info and info.facility_type in ASSEMBLY_TYPES else "commissioning",
        "disposition": "active",
        "readPoint": location,
        "bizLocation": location,
    }
    input_quantities = [_quantity(context, lot_id, openings[lot_id]) for lot_id in inputs if lot_id in openings]
    output_quantities = [_quantity(context, lot_id, openings[lot_id]) for lot_id in outputs if lot_id in openings]
    if input_quantities:
        body["inputQuantityList"] = input_quantities
    if output_quantities:
        body["outputQuantityList"] = output_quantities
    body["bt:operator"] = context.party(args["operator"])
    body["bt:maxYieldLossBps"] = int(args["maxYieldLossBps"])
    body["bt:processCo2eKg"] = kilograms(int(args["processCo2eGrams"]))
    described = []
    for lot_id in outputs:
        entry: dict[str, Any] = {"bt:epc": context.lot(lot_id)}
        if lot_id in created:
            entry.update(_lot_labels(created[lot_id].arguments))
        if lot_id in openings:
            entry.update(_confidential(openings[lot_id]))
        described.append(entry)
    body["bt:outputs"] = described
    return body

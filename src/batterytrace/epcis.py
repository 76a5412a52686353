"""GS1 EPCIS 2.0 / CBV 2.0: lot events out as JSON-LD documents, partners' documents in as lot operations.

Export is pure over decoded :class:`~batterytrace.lots.LotEvent` values, so it needs no chain; two thin
entry points (:func:`export_lot_history`, :func:`export_block_range`) read the events from a live
client. Import validates a document, then computes the whole plan (:func:`plan_import`) before
anything is sent (:func:`apply_plan`).

Identifiers written (and read back):

- a lot: ``urn:batterytrace:lot:<chainId>:<lotsContract>:0x<lotId, 64 hex digits>``, in ``epcList``
  (EPCIS 2.0 allows any URI there);
- a facility (``readPoint``/``bizLocation``): the GS1 Digital Link of its GLN,
  ``https://id.gs1.org/414/<GLN>``, when one is known, else
  ``urn:batterytrace:facility:<chainId>:<registry>:<facilityId>``;
- a party (``sourceList``/``destinationList``, type ``owning_party``): ``https://id.gs1.org/417/<GLN>``
  when its GLN is known, else ``urn:batterytrace:party:<chainId>:<address>``;
- a transformation: ``urn:batterytrace:transformation:<chainId>:<lotsContract>:<transformId>``.

Addresses are written in lower case so the same deployment always gives the same URIs. Our own
fields use the ``bt:`` prefix (``urn:batterytrace:epcis:``), declared in the document's ``@context``.

Confidential values (the lot opening) never appear unless the caller passes the openings *and*
``include_confidential=True``; then total mass goes in ``quantityList`` (UNECE Rec 20 ``KGM``) and
cobalt, certified and recycled cobalt (kg), embodied CO2e (kg CO2e) and risk flags in ``bt:`` fields.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from jsonschema import Draft7Validator, FormatChecker

from eth_utils import event_abi_to_log_topic, to_checksum_address

from batterytrace.client import lot_id_for
from batterytrace.commitment import Opening, RiskFlag
from batterytrace.exceptions import BatteryTraceError, EpcisError
from batterytrace.lots import CustodyModel, DisputeOutcome, LotEvent, LotStatus, MaterialKind, OutputPlan
from batterytrace.registry import FacilityType, Role

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
BT_NAMESPACE = "urn:batterytrace:epcis:"
#: Documents larger than this (serialised JSON, bytes) are refused.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Documents with more events than this are refused.
MAX_EVENTS = 10_000
#: Above this many grams a mass in kg no longer survives a JSON (double) number exactly.
_MAX_EXACT_GRAMS = 10**15
_EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:batterytrace:epcis:event")
_GS1_LOCATION = "https://id.gs1.org/414/"
_GS1_PARTY = "https://id.gs1.org/417/"
_CBV_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")
_CBV_DISPOSITION_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:")
#: UNECE Rec 20 mass units we read, in grams per unit.
_GRAMS_PER_UNIT = {"GRM": Decimal(1), "KGM": Decimal(1000), "TNE": Decimal(1_000_000)}
_ASSEMBLY_FACILITIES = {FacilityType.CELL_PLANT, FacilityType.PACK_PLANT}


# -- schema ------------------------------------------------------------------------------------------

_FORMATS = FormatChecker(formats=())
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # jsonschema ships no RFC 3339 checker without optional packages; without one, "format" is ignored.
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _data_text(name: str) -> str:
    return resources.files("batterytrace").joinpath("data", "epcis", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def epcis_schema() -> dict[str, Any]:
    """The GS1 EPCIS 2.0 JSON schema shipped with the package."""
    return json.loads(_data_text("EPCIS-JSON-Schema.json"))


@lru_cache(maxsize=1)
def epcis_context() -> dict[str, Any]:
    """The GS1 EPCIS 2.0 JSON-LD context shipped with the package (for offline JSON-LD processing)."""
    return json.loads(_data_text("epcis-context.jsonld"))


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    return Draft7Validator(epcis_schema(), format_checker=_FORMATS)


def _json_path(path: Iterable[Any]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def validate_epcis(doc: Any) -> None:
    """Validate an EPCIS 2.0 document (JSON Schema draft 07, with ``uri`` and ``date-time`` formats
    checked); EpcisError naming the JSON path of the first problem."""
    # Without a "type" every if/then branch of the schema applies at once and its errors mislead.
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    event_list = body.get("eventList") if isinstance(body, dict) else None
    for index, event in enumerate(event_list if isinstance(event_list, list) else []):
        if isinstance(event, dict) and not isinstance(event.get("type"), str):
            raise EpcisError(f"$.epcisBody.eventList[{index}]: 'type' is a required property")
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return
    # The schema dispatches on "type" through if/then and anyOf; report the deepest concrete failure,
    # preferring the plain rules (enum, format, required, type) over the schema's internal patterns.
    leaves = []
    pending = errors
    while pending:
        current = pending.pop()
        if current.context:
            pending.extend(current.context)
        else:
            leaves.append(current)
    error = max(reversed(leaves), key=lambda item: (len(item.absolute_path), item.validator in _PLAIN_RULES))
    raise EpcisError(f"{_json_path(error.absolute_path)}: {error.message}")


_PLAIN_RULES = {"enum", "format", "required", "type", "const", "minItems", "maxItems"}


# -- identifiers ---------------------------------------------------------------------------------------


def lot_uri(chain_id: int, lots_contract: str, lot_id: int) -> str:
    return f"urn:batterytrace:lot:{chain_id}:{lots_contract.lower()}:0x{lot_id:064x}"


def facility_uri(chain_id: int, registry: str, facility_id: int, gln: str | None = None) -> str:
    return _GS1_LOCATION + gln if gln else f"urn:batterytrace:facility:{chain_id}:{registry.lower()}:{facility_id}"


def party_uri(chain_id: int, address: str, gln: str | None = None) -> str:
    return _GS1_PARTY + gln if gln else f"urn:batterytrace:party:{chain_id}:{address.lower()}"


def transformation_uri(chain_id: int, lots_contract: str, transform_id: int) -> str:
    return f"urn:batterytrace:transformation:{chain_id}:{lots_contract.lower()}:{transform_id}"


def _check_gln(gln: str) -> str:
    if not re.fullmatch(r"\d{13}", gln):
        raise EpcisError(f"GLN {gln!r} is not 13 digits")
    digits = [int(digit) for digit in gln[:12]]
    check = (10 - sum(digit * (3 if index % 2 else 1) for index, digit in enumerate(digits)) % 10) % 10
    if check != int(gln[12]):
        raise EpcisError(f"GLN {gln} has a wrong check digit (expected {check})")
    return gln


# -- export ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityInfo:
    """What export writes about a facility: its public registry record and, if known, its GLN."""

    site_id: str
    facility_type: FacilityType
    country: str
    gln: str | None = None

    def __post_init__(self) -> None:
        if self.gln is not None:
            _check_gln(self.gln)


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
            _check_gln(gln)

    def lot(self, lot_id: int) -> str:
        return lot_uri(self.chain_id, self.lots_contract, lot_id)

    def location(self, facility_id: int) -> str:
        info = self.facilities.get(int(facility_id))
        return facility_uri(self.chain_id, self.registry, int(facility_id), info.gln if info else None)

    def party(self, address: str) -> str:
        glns = {key.lower(): value for key, value in self.party_glns.items()}
        return party_uri(self.chain_id, address, glns.get(str(address).lower()))


def event_id(context: ExportContext, event: LotEvent) -> str:
    """A stable ``urn:uuid:`` (UUID v5) for a chain event: the same log always gets the same id.

    The EPCIS 2.0 event hash (``ni:///sha-256``) needs the full canonicalisation algorithm of the
    standard; a name-based UUID over chain, contract, transaction and log index is as stable and
    unambiguous, since one log is one event.
    """
    name = f"{context.chain_id}:{context.lots_contract.lower()}:{event.transaction_hash.lower()}:{event.log_index}"
    return f"urn:uuid:{uuid.uuid5(_EVENT_ID_NAMESPACE, name)}"


def _kg(grams: int) -> float:
    if not 0 <= grams < _MAX_EXACT_GRAMS:
        raise EpcisError(f"{grams} g cannot be written exactly as kilograms in JSON (limit 10^15 g)")
    return float(Decimal(grams) / 1000)


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return f"0x{int(value):064x}"


def _text32(value: Any) -> str:
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
        "bt:cobaltKg": _kg(opening.cobalt_grams),
        "bt:certifiedCobaltKg": _kg(opening.certified_cobalt_grams),
        "bt:recycledCobaltKg": _kg(opening.recycled_cobalt_grams),
        "bt:co2eKg": _kg(opening.co2e_grams),
        "bt:riskFlags": [flag.name for flag in RiskFlag if flag and flag in opening.risk_flags],
    }


def _quantity(context: ExportContext, lot_id: int, opening: Opening) -> dict[str, Any]:
    # The lot is its own class (like an LGTIN: a product at batch level), so its mass is a quantity of it.
    return {"epcClass": context.lot(lot_id), "quantity": _kg(opening.total_grams), "uom": "KGM"}


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


def _handover(step: str, disposition: str) -> Any:
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


_OBJECT_EVENTS = {
    "LotCreated": _created,
    "LotOffered": _handover("shipping", "in_transit"),
    "LotOfferCancelled": _handover("void_shipping", "active"),
    "LotAccepted": _handover("receiving", "in_progress"),
    "LotDisputed": _handover("receiving", "non_conformant"),
    "LotDisputeResolved": _resolved,
    "LotLockedForPassport": _locked,
}


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
        "bizStep": "assembling" if info and info.facility_type in _ASSEMBLY_FACILITIES else "commissioning",
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
    body["bt:processCo2eKg"] = _kg(int(args["processCo2eGrams"]))
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


# -- export from a live client ------------------------------------------------------------------------


def context_for_client(
    client: Any,
    facility_ids: Iterable[int] = (),
    facility_glns: Mapping[int, str] | None = None,
    party_glns: Mapping[str, str] | None = None,
) -> ExportContext:
    """An ExportContext for a client's deployment, with the named facilities read from the registry."""
    glns = facility_glns or {}
    facilities = {}
    for facility_id in sorted(set(int(item) for item in facility_ids)):
        site = client.facility(facility_id)
        facilities[facility_id] = FacilityInfo(site.site_id, site.facility_type, site.country, glns.get(facility_id))
    return ExportContext(
        chain_id=client.chain.chain_id,
        lots_contract=client.deployment.lots,
        registry=client.deployment.registry,
        facilities=facilities,
        party_glns=dict(party_glns or {}),
    )


def _facility_ids(events: Iterable[LotEvent]) -> set[int]:
    return {int(event.arguments["facilityId"]) for event in events if "facilityId" in event.arguments}


def export_lot_history(client: Any, lot_id: int, include_confidential: bool = False) -> dict[str, Any]:
    """A lot's history as EPCIS, with the creation of the other lots its transformations link to.

    Confidential values come from the client's own opening store, for the lots it has openings of.
    """
    events = list(client.history(lot_id))
    linked = set()
    for event in events:
        if event.name == "LotsTransformed":
            linked.update(int(item) for item in (*event.arguments["inputLotIds"], *event.arguments["outputLotIds"]))
    linked.discard(lot_id)
    for other in sorted(linked):
        events.extend(event for event in client.history(other) if event.name in ("LotCreated", "LotsTransformed"))
    events.sort(key=lambda item: (item.block_number, item.log_index))
    openings = {}
    if include_confidential:
        for known in {lot_id, *linked}:
            opening = client.store.get(client.chain.chain_id, client.deployment.lots, known)
            if opening is not None:
                openings[known] = opening
    context = context_for_client(client, _facility_ids(events))
    return export_events(events, context, openings, include_confidential=include_confidential)


def export_block_range(client: Any, from_block: int, to_block: int) -> dict[str, Any]:
    """Every lots-contract event in blocks ``from_block``..``to_block`` as EPCIS (public data only)."""
    if from_block > to_block:
        raise EpcisError(f"the block range {from_block}..{to_block} is empty")
    by_topic = {}
    for name in (*_OBJECT_EVENTS, "LotsTransformed"):
        decoder = getattr(client.lots.events, name)()
        by_topic[bytes(event_abi_to_log_topic(decoder.abi))] = decoder
    logs = client.chain.w3.eth.get_logs({"address": client.lots.address, "fromBlock": from_block, "toBlock": to_block})
    timestamps: dict[int, datetime] = {}
    events = []
    for log in logs:
        decoder = by_topic.get(bytes(log["topics"][0])) if log["topics"] else None
        if decoder is None:
            continue
        decoded = decoder.process_log(log)
        block = int(decoded["blockNumber"])
        if block not in timestamps:
            timestamps[block] = datetime.fromtimestamp(client.chain.w3.eth.get_block(block)["timestamp"], tz=timezone.utc)
        arguments = {key: bytes(value) if isinstance(value, (bytes, bytearray)) else value for key, value in decoded["args"].items()}
        events.append(LotEvent(
            name=decoded["event"],
            lot_id=int(arguments.get("lotId", arguments.get("transformId", 0))),
            block_number=block,
            transaction_hash="0x" + bytes(decoded["transactionHash"]).hex(),
            log_index=int(decoded["logIndex"]),
            timestamp=timestamps[block],
            arguments=arguments,
        ))
    events.sort(key=lambda item: (item.block_number, item.log_index))
    return export_events(events, context_for_client(client, _facility_ids(events)))


# -- import ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedOperation:
    """One SDK call an import will make: ``kind`` is ``mint``, ``offer``, ``cancel_offer``, ``accept``,
    ``resolve_dispute`` or ``transform``; ``arguments`` are the SDK method's keyword arguments."""

    kind: str
    arguments: Mapping[str, Any]
    source_event_id: str


class Resolver(Protocol):
    """Turns a partner's identifiers into this deployment's (see :class:`ImportResolver`)."""

    def lot_id(self, epc: str) -> int | None: ...

    def new_lot_id(self, external_id: str) -> int: ...

    def facility_id(self, location: str) -> int: ...

    def party(self, uri: str) -> str: ...


@dataclass(frozen=True)
class ImportResolver:
    """Resolves identifiers for an import applied by ``importer`` on one deployment.

    Our own URNs resolve directly (and must name this chain and contracts); GS1 Digital Link GLNs
    resolve through ``facility_glns`` (GLN -> facility id) and ``party_glns`` (GLN -> address). Any
    other EPC is a partner's lot identifier: its last path segment is the external id, and the lot is
    the one ``importer`` mints under it.
    """

    chain_id: int
    lots_contract: str
    registry: str
    importer: str
    facility_glns: Mapping[str, int] = field(default_factory=dict)
    party_glns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_client(
        cls, client: Any, facility_glns: Mapping[str, int] | None = None, party_glns: Mapping[str, str] | None = None
    ) -> ImportResolver:
        return cls(client.chain.chain_id, client.deployment.lots, client.deployment.registry, client.address,
                   dict(facility_glns or {}), dict(party_glns or {}))

    def lot_id(self, epc: str) -> int | None:
        match = re.fullmatch(r"urn:batterytrace:lot:(\d+):(0x[0-9a-fA-F]{40}):0x([0-9a-fA-F]{1,64})", epc)
        if match is None:
            return None
        self._same_deployment(epc, int(match[1]), match[2], self.lots_contract)
        return int(match[3], 16)

    def new_lot_id(self, external_id: str) -> int:
        return lot_id_for(self.importer, external_id)

    def facility_id(self, location: str) -> int:
        if location.startswith(_GS1_LOCATION):
            gln = location[len(_GS1_LOCATION):]
            if gln not in self.facility_glns:
                raise EpcisError(f"location GLN {gln} is not a known facility")
            return int(self.facility_glns[gln])
        match = re.fullmatch(r"urn:batterytrace:facility:(\d+):(0x[0-9a-fA-F]{40}):(\d+)", location)
        if match is None:
            raise EpcisError(f"location {location!r} is neither a GLN Digital Link nor a batterytrace facility URN")
        self._same_deployment(location, int(match[1]), match[2], self.registry)
        return int(match[3])

    def party(self, uri: str) -> str:
        if uri.startswith(_GS1_PARTY):
            gln = uri[len(_GS1_PARTY):]
            if gln not in self.party_glns:
                raise EpcisError(f"party GLN {gln} is not a known participant")
            return to_checksum_address(self.party_glns[gln])
        match = re.fullmatch(r"urn:batterytrace:party:(\d+):(0x[0-9a-fA-F]{40})", uri)
        if match is None:
            raise EpcisError(f"party {uri!r} is neither a GLN Digital Link nor a batterytrace party URN")
        if int(match[1]) != self.chain_id:
            raise EpcisError(f"party {uri} is on chain {match[1]}, not {self.chain_id}")
        return to_checksum_address(match[2])

    def _same_deployment(self, uri: str, chain_id: int, contract: str, expected: str) -> None:
        if chain_id != self.chain_id or contract.lower() != expected.lower():
            raise EpcisError(f"{uri} belongs to chain {chain_id} contract {contract}, not chain {self.chain_id} {expected}")


MAX_NESTING = 64


def _check_nesting(raw: bytes) -> None:
    """Refuse JSON nested deeper than any EPCIS document needs, before parsing it: py_ecc raises
    the interpreter's recursion limit at import, so a deeply nested document would otherwise
    overflow the C stack inside json.loads instead of raising."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_NESTING:
                raise EpcisError(f"the document nests deeper than {MAX_NESTING} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1


def _load(doc: Any) -> dict[str, Any]:
    if isinstance(doc, (str, bytes, bytearray)):
        raw = doc.encode() if isinstance(doc, str) else bytes(doc)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise EpcisError(f"the document is {len(raw)} bytes, over the limit of {MAX_DOCUMENT_BYTES}")
        _check_nesting(raw)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError) as error:
            raise EpcisError(f"the document is not JSON: {error}") from None
    else:
        try:
            size = len(json.dumps(doc, separators=(",", ":")).encode())
        except (TypeError, ValueError, RecursionError) as error:
            raise EpcisError(f"the document is not JSON data: {error}") from None
        if size > MAX_DOCUMENT_BYTES:
            raise EpcisError(f"the document is {size} bytes, over the limit of {MAX_DOCUMENT_BYTES}")
    if not isinstance(doc, dict):
        raise EpcisError("$: an EPCIS document is a JSON object")
    body = doc.get("epcisBody")
    event_list = body.get("eventList") if isinstance(body, dict) else None
    if isinstance(event_list, list) and len(event_list) > MAX_EVENTS:
        raise EpcisError(f"the document has {len(event_list)} events, over the limit of {MAX_EVENTS}")
    validate_epcis(doc)
    if doc["type"] != "EPCISDocument":
        raise EpcisError(f"$.type: only EPCISDocument can be imported, not {doc['type']!r}")
    return doc


def _strip(value: str | None, prefixes: Sequence[str]) -> str | None:
    if value is None:
        return None
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


class _Event:
    """One source event being mapped, for error messages that name it."""

    def __init__(self, index: int, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.id = str(raw.get("eventID") or f"eventList[{index}]")
        self.step = _strip(raw.get("bizStep"), _CBV_PREFIXES)
        self.disposition = _strip(raw.get("disposition"), _CBV_DISPOSITION_PREFIXES)

    def fail(self, reason: str) -> EpcisError:
        return EpcisError(f"event {self.id}: {reason}")

    def field(self, name: str, required: bool = True) -> Any:
        value = self.raw.get(name)
        if value is None and isinstance(self.raw.get("ilmd"), Mapping):
            value = self.raw["ilmd"].get(name)
        if value is None and required:
            raise self.fail(f"{name} is required")
        return value

    def grams(self, name: str, value: Any = None) -> int:
        value = self.field(name) if value is None else value
        return _to_grams(self, name, value, "KGM")

    def single_epc(self) -> str:
        epcs = self.raw.get("epcList") or []
        if len(epcs) != 1:
            raise self.fail(f"needs exactly one EPC in epcList, found {len(epcs)}")
        return epcs[0]

    def location(self, resolver: Resolver) -> int:
        place = self.raw.get("bizLocation") or self.raw.get("readPoint")
        if not place:
            raise self.fail("bizLocation (the facility) is required")
        try:
            return resolver.facility_id(place["id"])
        except EpcisError as error:
            raise self.fail(str(error)) from None

    def party(self, resolver: Resolver, list_name: str, key: str) -> str:
        entries = [entry for entry in self.raw.get(list_name) or [] if entry.get("type") in ("owning_party", "possessing_party")]
        if len(entries) != 1:
            raise self.fail(f"{list_name} needs exactly one owning_party, found {len(entries)}")
        try:
            return resolver.party(entries[0][key])
        except EpcisError as error:
            raise self.fail(str(error)) from None


def _to_grams(event: _Event, name: str, value: Any, uom: str) -> int:
    if uom not in _GRAMS_PER_UNIT:
        raise event.fail(f"{name}: unit {uom!r} is not a mass unit (KGM, GRM or TNE)")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise event.fail(f"{name} must be a number, not {value!r}")
    try:
        grams = Decimal(str(value)) * _GRAMS_PER_UNIT[uom]
    except InvalidOperation:
        raise event.fail(f"{name} must be a number, not {value!r}") from None
    if grams != grams.to_integral_value() or grams < 0 or grams >= 2**64:
        raise event.fail(f"{name} = {value} {uom} is not a whole number of grams in 0..2^64-1")
    return int(grams)


def _quantity_grams(event: _Event, quantities: Any, epc: str, name: str) -> int:
    elements = [item for item in quantities or [] if item.get("epcClass") == epc] or (
        list(quantities) if quantities and len(quantities) == 1 else []
    )
    if len(elements) != 1 or "quantity" not in elements[0]:
        raise event.fail(f"{name} needs one quantity (KGM) for {epc}")
    return _to_grams(event, name, elements[0]["quantity"], elements[0].get("uom", ""))


def _enum(event: _Event, enum: Any, name: str, value: Any) -> Any:
    if not isinstance(value, str) or value.upper() not in enum.__members__:
        raise event.fail(f"{name} {value!r} is not one of {', '.join(enum.__members__)}")
    return enum[value.upper()]


def _external_id(epc: str, labels: Mapping[str, Any]) -> str:
    given = labels.get("bt:externalId")
    if given:
        return str(given)
    return re.split(r"[/:]", epc.rstrip("/"))[-1]


def plan_import(doc: Any, resolver: Resolver) -> list[PlannedOperation]:
    """Validate an EPCIS document and map every event to a lot operation, or raise EpcisError.

    What maps (CBV steps may be bare or as ``https://ref.gs1.org/cbv/BizStep-`` URIs):

    - ObjectEvent ADD ``commissioning`` -> ``mint``. Required: one EPC (its external id is
      ``bt:externalId`` or the EPC's last path segment), ``bizLocation`` (the facility),
      ``quantityList`` with the total mass (KGM, GRM or TNE), ``bt:cobaltKg``, ``bt:co2eKg`` and
      ``bt:materialKind`` (a :class:`MaterialKind` name, on the event or in ``ilmd``). Optional:
      ``bt:tagId``, ``bt:custodyModel`` (default SEGREGATED). Certified and recycled cobalt are not
      read: the SDK derives them from the facility's certification and type.
    - ObjectEvent OBSERVE ``shipping`` -> ``offer`` to the one ``owning_party`` in ``destinationList``.
    - ObjectEvent OBSERVE ``void_shipping`` -> ``cancel_offer``.
    - ObjectEvent OBSERVE ``receiving`` -> ``accept`` with the measured mass from ``quantityList``
      (required); the SDK accepts or disputes by its tolerance, whatever the disposition says.
    - ObjectEvent OBSERVE ``inspecting`` with ``bt:disputeOutcome`` -> ``resolve_dispute``.
    - TransformationEvent -> ``transform``: input EPCs, the facility, ``bt:processCo2eKg`` (default
      0) and per output EPC a ``bt:outputs`` entry (``bt:epc``, ``bt:materialKind``, ``bt:cobaltKg``,
      optional ``bt:externalId``, ``bt:tagId``, ``bt:custodyModel``) plus its total mass in
      ``outputQuantityList``.

    Anything else raises EpcisError naming the event and the reason. Lots created earlier in the
    document are referred to by the id their mint or transform will give them.
    """
    document = _load(doc)
    planned: dict[str, int] = {}
    operations = []
    for index, raw in enumerate(document["epcisBody"]["eventList"]):
        event = _Event(index, raw)
        operations.append(_plan_event(event, resolver, planned))
    return operations


def _existing_lot(event: _Event, epc: str, resolver: Resolver, planned: Mapping[str, int]) -> int:
    if epc in planned:
        return planned[epc]
    try:
        lot_id = resolver.lot_id(epc)
    except EpcisError as error:
        raise event.fail(str(error)) from None
    if lot_id is None:
        return resolver.new_lot_id(_external_id(epc, {}))
    return lot_id


def _plan_event(event: _Event, resolver: Resolver, planned: dict[str, int]) -> PlannedOperation:
    raw, step = event.raw, event.step
    kind = raw["type"]
    if kind == "TransformationEvent":
        return _plan_transform(event, resolver, planned)
    if kind != "ObjectEvent":
        raise event.fail(f"{kind} has no batterytrace operation (ObjectEvent and TransformationEvent do)")
    action = raw["action"]
    if step == "commissioning":
        if action != "ADD":
            raise event.fail(f"commissioning must have action ADD, not {action}")
        epc = event.single_epc()
        external_id = _external_id(epc, raw)
        lot_id = resolver.new_lot_id(external_id)
        arguments = {
            "facility_id": event.location(resolver),
            "external_id": external_id,
            "kind": _enum(event, MaterialKind, "bt:materialKind", event.field("bt:materialKind")),
            "cobalt_grams": event.grams("bt:cobaltKg"),
            "total_grams": _quantity_grams(event, raw.get("quantityList"), epc, "quantityList"),
            "co2e_grams": event.grams("bt:co2eKg"),
            "tag_id": str(event.field("bt:tagId", required=False) or ""),
            "custody_model": _enum(event, CustodyModel, "bt:custodyModel",
                                   event.field("bt:custodyModel", required=False) or "SEGREGATED"),
        }
        planned[epc] = lot_id
        return PlannedOperation("mint", arguments, event.id)
    if action != "OBSERVE":
        raise event.fail(f"{step} must have action OBSERVE, not {action}")
    if step in ("shipping", "void_shipping", "receiving", "inspecting"):
        epc = event.single_epc()
        lot_id = _existing_lot(event, epc, resolver, planned)
    if step == "shipping":
        return PlannedOperation("offer", {"lot_id": lot_id, "to": event.party(resolver, "destinationList", "destination")}, event.id)
    if step == "void_shipping":
        return PlannedOperation("cancel_offer", {"lot_id": lot_id}, event.id)
    if step == "receiving":
        measured = _quantity_grams(event, raw.get("quantityList"), epc, "quantityList (the measured mass)")
        return PlannedOperation("accept", {"lot_id": lot_id, "measured_total_grams": measured}, event.id)
    if step == "inspecting":
        outcome = _enum(event, DisputeOutcome, "bt:disputeOutcome", event.field("bt:disputeOutcome"))
        return PlannedOperation("resolve_dispute", {"lot_id": lot_id, "outcome": outcome}, event.id)
    raise event.fail(f"bizStep {raw.get('bizStep')!r} has no batterytrace operation")


def _plan_transform(event: _Event, resolver: Resolver, planned: dict[str, int]) -> PlannedOperation:
    raw = event.raw
    inputs = raw.get("inputEPCList") or []
    output_epcs = raw.get("outputEPCList") or []
    if not inputs or not output_epcs:
        raise event.fail("a transformation needs inputEPCList and outputEPCList")
    described = {entry.get("bt:epc"): entry for entry in raw.get("bt:outputs") or [] if isinstance(entry, Mapping)}
    outputs = []
    for epc in output_epcs:
        entry = described.get(epc)
        if entry is None:
            raise event.fail(f"output {epc} has no bt:outputs entry")
        outputs.append(OutputPlan(
            external_id=_external_id(epc, entry),
            kind=_enum(event, MaterialKind, "bt:materialKind", entry.get("bt:materialKind")),
            cobalt_grams=event.grams("bt:cobaltKg", _missing(event, epc, "bt:cobaltKg", entry)),
            total_grams=_quantity_grams(event, raw.get("outputQuantityList"), epc, "outputQuantityList"),
            tag_id=str(entry.get("bt:tagId") or ""),
            custody_model=_enum(event, CustodyModel, "bt:custodyModel", entry.get("bt:custodyModel") or "SEGREGATED"),
        ))
    arguments = {
        "input_lot_ids": tuple(_existing_lot(event, epc, resolver, planned) for epc in inputs),
        "outputs": tuple(outputs),
        "facility_id": event.location(resolver),
        "process_co2e_grams": event.grams("bt:processCo2eKg", raw.get("bt:processCo2eKg", 0)),
    }
    for epc, plan in zip(output_epcs, outputs):
        planned[epc] = resolver.new_lot_id(plan.external_id)
    return PlannedOperation("transform", arguments, event.id)


def _missing(event: _Event, epc: str, name: str, entry: Mapping[str, Any]) -> Any:
    if name not in entry:
        raise event.fail(f"output {epc} needs {name}")
    return entry[name]


def apply_plan(client: Any, plan: Sequence[PlannedOperation]) -> list[Any]:
    """Run a plan with the SDK, in order, after checking everything that can be checked first.

    Before anything is sent: every facility used is operated by ``client``; every lot offered,
    cancelled or transformed is held by ``client`` (now, or by an earlier step of the plan); every
    lot accepted is in transit to ``client``; dispute resolutions need the auditor role. A
    predictable failure therefore sends nothing. A chain failure mid-plan (a revert, a lost node)
    leaves the operations before it applied and raises the SDK's error; re-running the same plan is
    safe for mints (the lot id comes from the external id, so a second mint returns the existing
    lot) but the other steps must be resumed from the failed one (``PlannedOperation.source_event_id``
    says which).
    """
    _precheck(client, plan)
    results = []
    for operation in plan:
        arguments = dict(operation.arguments)
        if operation.kind == "mint":
            results.append(client.mint_origin(**arguments))
        elif operation.kind == "offer":
            results.append(client.offer(arguments["lot_id"], arguments["to"]))
        elif operation.kind == "cancel_offer":
            results.append(client.cancel_offer(arguments["lot_id"]))
        elif operation.kind == "accept":
            results.append(client.accept(arguments["lot_id"], arguments["measured_total_grams"]))
        elif operation.kind == "resolve_dispute":
            results.append(client.resolve_dispute(arguments["lot_id"], arguments["outcome"]))
        elif operation.kind == "transform":
            results.append(client.transform(list(arguments["input_lot_ids"]), list(arguments["outputs"]),
                                            arguments["facility_id"], arguments["process_co2e_grams"]))
        else:
            raise EpcisError(f"event {operation.source_event_id}: unknown operation {operation.kind!r}")
    return results


def _precheck(client: Any, plan: Sequence[PlannedOperation]) -> None:
    held: dict[int, LotStatus] = {}  # lots the client will hold, and their status, as the plan goes

    def fail(operation: PlannedOperation, reason: str) -> EpcisError:
        return EpcisError(f"event {operation.source_event_id}: {reason}")

    def status_held(operation: PlannedOperation, lot_id: int) -> LotStatus:
        if lot_id in held:
            return held[lot_id]
        try:
            record = client.lot(lot_id)
        except BatteryTraceError as error:
            raise fail(operation, str(error)) from None
        if record.custodian != client.address:
            raise fail(operation, f"lot {lot_id:#x} is held by {record.custodian}, not {client.address}")
        return record.status

    def operated(operation: PlannedOperation, facility_id: int) -> None:
        try:
            site = client.facility(facility_id)
        except BatteryTraceError as error:
            raise fail(operation, str(error)) from None
        if site.operator != client.address:
            raise fail(operation, f"facility {facility_id} is operated by {site.operator}, not {client.address}")

    for operation in plan:
        arguments = operation.arguments
        if operation.kind == "mint":
            operated(operation, arguments["facility_id"])
            held[lot_id_for(client.address, arguments["external_id"])] = LotStatus.ACTIVE
        elif operation.kind in ("offer", "cancel_offer"):
            lot_id = arguments["lot_id"]
            status = status_held(operation, lot_id)
            expected = LotStatus.ACTIVE if operation.kind == "offer" else LotStatus.IN_TRANSIT
            if status is not expected:
                raise fail(operation, f"lot {lot_id:#x} will be {status.name}, not {expected.name}")
            if operation.kind == "offer" and (arguments["to"] == client.address or not client.is_participant(arguments["to"])):
                raise fail(operation, f"{arguments['to']} is not a registered participant other than {client.address}")
            held[lot_id] = LotStatus.IN_TRANSIT if operation.kind == "offer" else LotStatus.ACTIVE
        elif operation.kind == "accept":
            lot_id = arguments["lot_id"]
            try:
                record = client.lot(lot_id)
            except BatteryTraceError as error:
                raise fail(operation, str(error)) from None
            if record.status is not LotStatus.IN_TRANSIT or record.pending_receiver != client.address:
                raise fail(operation, f"lot {lot_id:#x} is not in transit to {client.address}")
            held[lot_id] = LotStatus.ACTIVE
        elif operation.kind == "resolve_dispute":
            if not client.has_role(Role.AUDITOR):
                raise fail(operation, f"{client.address} lacks {Role.AUDITOR.value}")
        elif operation.kind == "transform":
            operated(operation, arguments["facility_id"])
            for lot_id in arguments["input_lot_ids"]:
                status = status_held(operation, lot_id)
                if status is not LotStatus.ACTIVE:
                    raise fail(operation, f"input lot {lot_id:#x} will be {status.name}, not ACTIVE")
                held[lot_id] = LotStatus.CONSUMED
            for output in arguments["outputs"]:
                held[lot_id_for(client.address, output.external_id)] = LotStatus.ACTIVE
        else:
            raise fail(operation, f"unknown operation {operation.kind!r}")

"""Import, first half: a partner's EPCIS document validated and mapped to the SDK's lot operations on
the shielded ledger, all of them computed before anything is sent (:mod:`batterytrace.epcis.apply`
checks and sends them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from batterytrace.epcis.resolver import Resolver
from batterytrace.epcis.schema import load_document
from batterytrace.epcis.units import to_grams
from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan

_CBV_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:")
_CBV_DISPOSITION_PREFIXES = ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:")
_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")


@dataclass(frozen=True)
class PlannedOperation:
    """One SDK call an import will make: ``kind`` is ``mint``, ``offer``, ``cancel_offer``, ``accept``,
    ``resolve_dispute`` or ``transform``; ``arguments`` are the SDK method's keyword arguments."""

    kind: str
    arguments: Mapping[str, Any]
    source_event_id: str


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

    def to_grams(self, name: str, value: Any, uom: str) -> int:
        try:
            return to_grams(name, value, uom)
        except EpcisError as error:
            raise self.fail(str(error)) from None

    def grams(self, name: str, value: Any = None) -> int:
        value = self.field(name) if value is None else value
        return self.to_grams(name, value, "KGM")

    def quantity_grams(self, list_name: str, epc: str, name: str | None = None) -> int:
        """The mass of ``epc`` in the quantity list ``list_name`` (a lone element needs no epcClass)."""
        quantities = self.raw.get(list_name)
        name = name or list_name
        elements = [item for item in quantities or [] if item.get("epcClass") == epc] or (
            list(quantities) if quantities and len(quantities) == 1 else []
        )
        if len(elements) != 1 or "quantity" not in elements[0]:
            raise self.fail(f"{name} needs one quantity (KGM) for {epc}")
        return self.to_grams(name, elements[0]["quantity"], elements[0].get("uom", ""))

    def enum(self, enum: type[_E], name: str, value: Any) -> _E:
        if not isinstance(value, str) or value.upper() not in enum.__members__:
            raise self.fail(f"{name} {value!r} is not one of {', '.join(enum.__members__)}")
        return enum[value.upper()]

    def resolved(self, resolve: Callable[[], _T]) -> _T:
        """What the resolver says, its refusal naming this event."""
        try:
            return resolve()
        except EpcisError as error:
            raise self.fail(str(error)) from None

    def new_lot(self, epc: str, resolver: Resolver) -> None:
        """Refuse a lot URN where the event creates a lot: the ledger names its lots itself."""
        if self.resolved(lambda: resolver.lot_id(epc)) is not None:
            raise self.fail(f"{epc} is a lot already on the ledger: a new lot is named by the partner's own id")

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


def _external_id(epc: str, labels: Mapping[str, Any]) -> str:
    given = labels.get("bt:externalId")
    if given:
        return str(given)
    return re.split(r"[/:]", epc.rstrip("/"))[-1]


def plan_import(doc: Any, resolver: Resolver) -> list[PlannedOperation]:
    """Validate an EPCIS document and map every event to a lot operation, or raise EpcisError.

    What maps (CBV steps may be bare or as ``https://ref.gs1.org/cbv/BizStep-`` URIs):

    - ObjectEvent ADD ``commissioning`` -> ``mint``. Required: one EPC, the partner's id of the new
      lot (its external id is ``bt:externalId`` or the EPC's last path segment, 1 to 31 bytes),
      ``bizLocation`` (the facility), ``quantityList`` with the total mass (KGM, GRM or TNE),
      ``bt:cobaltKg``, ``bt:co2eKg`` and ``bt:materialKind`` (a :class:`MaterialKind` name, on the
      event or in ``ilmd``). Certified and recycled cobalt and risk flags are not read: the ledger
      derives them from the facility's certification, type and audits.
    - ObjectEvent OBSERVE ``shipping`` -> ``offer`` to the one ``owning_party`` in ``destinationList``.
    - ObjectEvent OBSERVE ``void_shipping`` -> ``cancel_offer``.
    - ObjectEvent OBSERVE ``receiving`` -> ``accept`` with the measured mass from ``quantityList``
      (required); the SDK accepts or disputes by its tolerance, whatever the disposition says.
    - ObjectEvent OBSERVE ``inspecting`` with ``bt:disputeOutcome`` -> ``resolve_dispute``.
    - TransformationEvent -> ``transform``: input EPCs, the facility, ``bt:processCo2eKg`` (default
      0) and per output EPC (the partner's id of a new lot) a ``bt:outputs`` entry (``bt:epc``,
      ``bt:materialKind``, ``bt:cobaltKg``, optional ``bt:externalId``) plus its total mass in
      ``outputQuantityList``.

    A lot is named either by the partner's id of a lot an earlier event of the document creates
    (it gets the id the importer's mint or transform gives it) or by its lot URN, as
    ``epcis export`` writes it (a lot on the ledger, which the importer must hold or have been
    offered). Anything else raises EpcisError naming the event and the reason.
    """
    document = load_document(doc)
    planned: dict[str, int] = {}
    operations = []
    for index, raw in enumerate(document["epcisBody"]["eventList"]):
        event = _Event(index, raw)
        operations.append(_plan_event(event, resolver, planned))
    return operations


def _existing_lot(event: _Event, epc: str, resolver: Resolver, planned: Mapping[str, int]) -> int:
    if epc in planned:
        return planned[epc]
    lot_id = event.resolved(lambda: resolver.lot_id(epc))
    if lot_id is None:
        raise event.fail(f"lot {epc} is not created earlier in this document: name a lot on the ledger by its "
                         "lot URN (what `epcis export` writes)")
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
        return _plan_mint(event, resolver, planned)
    if action != "OBSERVE":
        raise event.fail(f"{step} must have action OBSERVE, not {action}")
    if step not in ("shipping", "void_shipping", "receiving", "inspecting"):
        raise event.fail(f"bizStep {raw.get('bizStep')!r} has no batterytrace operation")
    epc = event.single_epc()
    lot_id = _existing_lot(event, epc, resolver, planned)
    if step == "shipping":
        return PlannedOperation("offer", {"lot_id": lot_id, "to": event.party(resolver, "destinationList", "destination")}, event.id)
    if step == "void_shipping":
        return PlannedOperation("cancel_offer", {"lot_id": lot_id}, event.id)
    if step == "receiving":
        measured = event.quantity_grams("quantityList", epc, "quantityList (the measured mass)")
        return PlannedOperation("accept", {"lot_id": lot_id, "measured_total_grams": measured}, event.id)
    outcome = event.enum(DisputeOutcome, "bt:disputeOutcome", event.field("bt:disputeOutcome"))
    return PlannedOperation("resolve_dispute", {"lot_id": lot_id, "outcome": outcome}, event.id)


def _plan_mint(event: _Event, resolver: Resolver, planned: dict[str, int]) -> PlannedOperation:
    raw = event.raw
    epc = event.single_epc()
    event.new_lot(epc, resolver)
    external_id = _external_id(epc, raw)
    facility_id = event.location(resolver)
    metals = {name: event.field(name, required=False) for name in _METAL_FIELDS}
    if all(value is None for value in metals.values()):
        raise event.fail(f"an origin lot needs {', '.join(_METAL_FIELDS[:-1])} or {_METAL_FIELDS[-1]}")
    metals = {name: 0 if value is None else value for name, value in metals.items()}
    arguments = {
        "facility_id": facility_id,
        "external_id": external_id,
        "kind": event.enum(MaterialKind, "bt:materialKind", event.field("bt:materialKind")),
        "cobalt_grams": event.grams("bt:cobaltKg", metals["bt:cobaltKg"]),
        "total_grams": event.quantity_grams("quantityList", epc),
        "co2e_grams": event.grams("bt:co2eKg"),
        "lithium_grams": event.grams("bt:lithiumKg", metals["bt:lithiumKg"]),
        "nickel_grams": event.grams("bt:nickelKg", metals["bt:nickelKg"]),
    }
    planned[epc] = event.resolved(lambda: resolver.origin_lot_id(facility_id, external_id))
    return PlannedOperation("mint", arguments, event.id)


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
        event.new_lot(epc, resolver)
        outputs.append(OutputPlan(
            external_id=_external_id(epc, entry),
            kind=event.enum(MaterialKind, "bt:materialKind", entry.get("bt:materialKind")),
            cobalt_grams=event.grams("bt:cobaltKg", _metal(event, epc, "bt:cobaltKg", entry)),
            total_grams=event.quantity_grams("outputQuantityList", epc),
            lithium_grams=event.grams("bt:lithiumKg", entry.get("bt:lithiumKg", 0)),
            nickel_grams=event.grams("bt:nickelKg", entry.get("bt:nickelKg", 0)),
        ))
    facility_id = event.location(resolver)
    arguments = {
        "input_lot_ids": tuple(_existing_lot(event, epc, resolver, planned) for epc in inputs),
        "outputs": tuple(outputs),
        "facility_id": facility_id,
        "process_co2e_grams": event.grams("bt:processCo2eKg", raw.get("bt:processCo2eKg", 0)),
    }
    for epc, plan in zip(output_epcs, outputs, strict=True):
        planned[epc] = event.resolved(lambda plan=plan: resolver.output_lot_id(facility_id, str(plan.external_id)))
    return PlannedOperation("transform", arguments, event.id)


def _metal(event: _Event, epc: str, name: str, entry: Mapping[str, Any]) -> Any:
    """An output's ``name`` metal, 0 when absent, once the output names at least one metal."""
    if not any(field in entry for field in _METAL_FIELDS):
        raise event.fail(f"output {epc} needs {', '.join(_METAL_FIELDS[:-1])} or {_METAL_FIELDS[-1]}")
    return entry.get(name, 0)


#: The metals' mass fields of an output or an origin lot, kilograms (cobalt, lithium, nickel).
_METAL_FIELDS = ("bt:cobaltKg", "bt:lithiumKg", "bt:nickelKg")

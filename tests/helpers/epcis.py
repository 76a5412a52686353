"""Hand-built lots' steps for EPCIS export and import without a chain (tests/epcis/conftest.py), and
what a partner's system writes back of an exported event (tests/epcis/test_epcis_live.py)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from batterytrace.model.lots import MaterialKind
from batterytrace.model.registry import Facility, FacilityType, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.note_history import NoteOperation, NoteStep
from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues

CHAIN_ID = 31337
LEDGER = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
MINER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
REFINER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
AUDITOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#: The participants' shielding keys (any non-zero field elements will do without a chain).
KEYS = {MINER: 1111, REFINER: 2222, AUDITOR: 3333}
#: The importer's shielding secret in the chain-free import tests.
SECRET = 987_654_321
MINE, REFINERY, PACK_PLANT = 1, 3, 6
MINE_GLN = "5412345000013"
START = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


def site(facility_id: int, operator: str, facility_type: FacilityType, country: str) -> Facility:
    return Facility(facility_id, operator, facility_type, country, RiskFlag.NONE, 500, f"SITE-{facility_id}", bytes(32), True)


SITES = {MINE: site(MINE, MINER, FacilityType.INDUSTRIAL_MINE, "CD"), REFINERY: site(REFINERY, REFINER, FacilityType.REFINERY, "FI"),
         PACK_PLANT: site(PACK_PLANT, REFINER, FacilityType.PACK_PLANT, "DE")}


def lot_note(tag: int, cobalt: int, total: int, co2e: int, *, owner: str = MINER, kind: MaterialKind = MaterialKind.COBALT_HYDROXIDE,
             certified: int | None = None, pre_consumer: int = 0, post_consumer: int = 0,
             flags: RiskFlag = RiskFlag.ARTISANAL) -> Note:
    """An active note of lot ``tag`` held by ``owner``, with a fixed blinding (so a fixed commitment)."""
    metal = MetalValues(cobalt, cobalt if certified is None else certified, pre_consumer, post_consumer)
    return Note(NoteValues((metal, MetalValues(), MetalValues()), total, co2e, int(flags)), int(kind), KEYS[owner], tag,
                blinding=tag + 7)


@dataclass
class Directory:
    """A StepDirectory: the participants of KEYS, and where each lot was made."""

    made_at: dict[int, int] = field(default_factory=dict)

    def participant(self, shielding_key: int) -> str | None:
        return {key: account for account, key in KEYS.items()}.get(shielding_key)

    def facility(self, step: NoteStep) -> Facility | None:
        return SITES.get(self.made_at.get(step.tag, 0)) if step.creates_lot else None

    def certified_schemes(self, step: NoteStep, facility: Facility | None) -> frozenset[Scheme]:
        return frozenset({Scheme.IRMA}) if facility is SITES[MINE] else frozenset()


@dataclass
class Steps:
    """A lot life built step by step, a block per step, as a note store would see it."""

    directory: Directory = field(default_factory=Directory)
    log: list[NoteStep] = field(default_factory=list)
    block: int = 100

    def add(self, tag: int, operation: NoteOperation, note: Note | None, spent: Note | None, event: str,
            **details: Any) -> NoteStep:
        shown = note or spent
        assert shown is not None
        account = self.directory.participant
        step = NoteStep(tag, operation, note, spent, account(shown.owner), account(shown.counterparty) if shown.counterparty else None,
                        event, self.block, f"0x{self.block:064x}", 2, START + timedelta(hours=self.block - 100), **details)
        self.log.append(step)
        return step

    def next_block(self) -> None:
        self.block += 1

    def mint(self, note: Note, facility_id: int = MINE) -> Note:
        self.next_block()
        self.directory.made_at[note.tag] = facility_id
        self.add(note.tag, NoteOperation.MINT, note, None, "OriginMinted")
        return note

    def custody(self, operation: NoteOperation, spent: Note, owner: int, state: NoteState = NoteState.ACTIVE,
                counterparty: int = 0, evidence: bytes = bytes(32)) -> Note:
        self.next_block()
        note = spent.moved(owner=owner, state=state, counterparty=counterparty, blinding=spent.blinding + 1)
        self.add(spent.tag, operation, note, spent, "CustodyStepped", evidence_hash=evidence)
        return note

    def offer(self, note: Note, to: str) -> Note:
        return self.custody(NoteOperation.OFFER, note, KEYS[to], NoteState.OFFERED, note.owner)

    def accept(self, offered: Note) -> Note:
        return self.custody(NoteOperation.ACCEPT, offered, offered.owner, evidence=b"\x11" * 32)

    def dispute(self, offered: Note) -> Note:
        return self.custody(NoteOperation.DISPUTE, offered, offered.owner, NoteState.DISPUTED, offered.counterparty,
                            evidence=b"\x12" * 32)

    def cancel(self, offered: Note) -> Note:
        return self.custody(NoteOperation.CANCEL, offered, offered.counterparty)

    def resolve(self, disputed: Note, deliver: bool) -> Note:
        operation, holder = (NoteOperation.DELIVER, disputed.owner) if deliver else (NoteOperation.RETURN, disputed.counterparty)
        return self.custody(operation, disputed, holder, evidence=b"\x22" * 32)

    def transform(self, inputs: list[Note], outputs: list[Note], facility_id: int = REFINERY) -> None:
        """One job: a step ending each input's lot and one making each output's, in one ledger event."""
        self.next_block()
        details = {"inputs": tuple(inputs), "outputs": tuple(outputs)}
        for note in inputs:
            self.add(note.tag, NoteOperation.TRANSFORM, None, note, "NotesTransformed", **details)
        for note in outputs:
            self.directory.made_at[note.tag] = facility_id
            self.add(note.tag, NoteOperation.TRANSFORM, note, None, "NotesTransformed", **details)



def received(shipping: dict[str, Any], measured_kg: float, event_id: str) -> dict[str, Any]:
    """What the receiver's system writes back of an exported shipping event: the lot (the same EPC)
    received and weighed at ``measured_kg``."""
    event = {key: value for key, value in copy.deepcopy(shipping).items() if not key.startswith("bt:")}
    (epc,) = event["epcList"]
    event.update(eventID=event_id, bizStep="receiving", disposition="in_progress",
                 quantityList=[{"epcClass": epc, "quantity": measured_kg, "uom": "KGM"}])
    return event


def transformation(inputs: list[str], outputs: dict[str, tuple[int, int]], location: str, event_id: str = "urn:uuid:t-1",
                   process_co2e_kg: float = 1250) -> dict[str, Any]:
    """A partner's TransformationEvent of refined sulfate at ``location``: ``outputs`` maps the
    partner's output ids to (cobalt, total) grams."""
    epcs = {name: f"https://erp.example-refinery.fi/lots/{name}" for name in outputs}
    return {
        "type": "TransformationEvent", "eventID": event_id, "eventTime": "2026-03-03T08:00:00Z", "eventTimeZoneOffset": "+00:00",
        "inputEPCList": inputs, "outputEPCList": list(epcs.values()), "bizStep": "commissioning", "bizLocation": {"id": location},
        "bt:processCo2eKg": process_co2e_kg,
        "outputQuantityList": [{"epcClass": epcs[name], "quantity": total / 1000, "uom": "KGM"} for name, (_, total) in outputs.items()],
        "bt:outputs": [{"bt:epc": epcs[name], "bt:materialKind": "REFINED_COBALT_SULFATE", "bt:cobaltKg": cobalt / 1000}
                       for name, (cobalt, _) in outputs.items()],
    }


def document(*events: dict[str, Any]) -> dict[str, Any]:
    """A partner's EPCISDocument around ``events``."""
    return {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"bt": "urn:batterytrace:epcis:"}],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-02T10:00:00+01:00",
            "epcisBody": {"eventList": list(events)}}

"""Lots' history and genealogy on the shielded ledger, rebuilt from a participant's note store.

A lot on the shielded ledger is a chain of notes with one tag. The store holds the notes its keys
open (an auditor's view key opens every note, so an auditor's store holds the whole graph); the
chain says what made each: the ledger's event in the note's transaction (``OriginMinted``,
``CustodyStepped`` with its operation and evidence, ``NotesTransformed``), and what spent the last
one (a custody step or ``NotesTransformed``; a passport spends no note). Those events name commitments and nullifiers only; the
store turns them back into notes, and so into lots, wherever it opens them.

What a store can tell and what it cannot:

- Nothing on chain names a note's facility: the origin and transform proofs hide it. A lot's
  facility is resolved from the registry as the one facility of its creator, activated by the
  creation's block, of a type that mints (an origin lot) or makes (a transform's output) the
  lot's kind; when none or several fit, the facility stays unknown (id 0, no type, no country).
- A participant's store sees a lot from the first note sealed for it. The refiner sees a bag from
  the mine's offer on, not its mint: the bag's creation, and so its genealogy, is not in its view.
- Holders are shielding keys; the registry maps each key a participant ever registered to its
  account (None where it knows none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from batterytrace.evm.artifacts import load
from batterytrace.evm.events import BlockTimes, DecodedEvent, EventDecoder, indexed_topic
from batterytrace.exceptions import ChainError, UnknownLotError
from batterytrace.model.facilities import makes_kind, mints_kind, transforms_lots
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import Facility, Scheme, schemes_from_mask
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.notes import NoteStore, StoredNote
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.notes import Note, NoteState

if TYPE_CHECKING:
    from batterytrace.sdk.client import BatteryTrace


class NoteOperation(Enum):
    """What a step of a lot's life was: a mint, one of the custody circuit's operations, or a
    transform."""

    MINT = "mint"
    OFFER = "offer"
    CANCEL = "cancel"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    DELIVER = "deliver"
    RETURN = "return"
    TRANSFORM = "transform"


#: The ledger's events that say what a transaction did to notes, by the step they are.
_ACTIONS = {"OriginMinted": NoteOperation.MINT, "CustodyStepped": None, "NotesTransformed": NoteOperation.TRANSFORM}
_STATUS = {NoteState.ACTIVE: LotStatus.ACTIVE, NoteState.OFFERED: LotStatus.IN_TRANSIT, NoteState.DISPUTED: LotStatus.DISPUTED}


@dataclass(frozen=True)
class NoteStep:
    """One step of a lot's life as a note store sees it.

    ``note`` is the lot's note the step created: None where the step ended the lot's chain of notes
    (a transform spent it as an input) or created a note
    the store's keys do not open. ``spent`` is the lot's note it spent, where the store opens it
    (None for a mint and for a transform's output). ``owner`` and ``counterparty`` are the
    participants whose shielding keys ``note`` names (``spent``'s where ``note`` is None): for an
    offered or disputed note the receiver and the sender. A transform's ``inputs`` and ``outputs``
    are every note of it the store opens, other lots' too; ``unopened_*`` count the others.
    ``event`` is the ledger event the step is, at ``log_index`` of ``transaction_hash``.
    """

    tag: int
    operation: NoteOperation
    note: Note | None
    spent: Note | None
    owner: str | None
    counterparty: str | None
    event: str
    block_number: int
    transaction_hash: str
    log_index: int
    timestamp: datetime
    evidence_hash: bytes = bytes(32)
    inputs: tuple[Note, ...] = ()
    outputs: tuple[Note, ...] = ()
    unopened_inputs: int = 0
    unopened_outputs: int = 0

    @property
    def creates_lot(self) -> bool:
        """Whether the step brought the lot into being (a mint, or a transform it is an output of)."""
        return self.operation in (NoteOperation.MINT, NoteOperation.TRANSFORM) and self.spent is None


def _created_by(event: DecodedEvent) -> list[int]:
    if event.name == "NotesTransformed":
        return [commitment for commitment in event.args["commitments"] if commitment]
    return [event.args["commitment"]] if event.name in ("OriginMinted", "CustodyStepped") else []


def _spent_by(event: DecodedEvent) -> list[int]:
    if event.name == "NotesTransformed":
        return [nullifier for nullifier in event.args["nullifiers"] if nullifier]
    return [event.args["nullifier"]] if event.name == "CustodyStepped" else []


class NoteHistory:
    """The lots of one synced note store with what the chain and the registry say of their notes.
    Reads each receipt, block time, participant and facility once; the store's notes as they are
    when it is made."""

    def __init__(self, client: BatteryTrace, store: NoteStore) -> None:
        deployment = client.deployment
        self.client = client
        self.store = store
        self._ledger = EventDecoder(client.chain.w3, [("ledger", deployment.ledger, load("ShieldedLedger").abi)])
        self._times = BlockTimes(client.chain.w3)
        self._by_tag: dict[int, list[StoredNote]] = {}
        self._by_nullifier: dict[int, StoredNote] = {}
        self._by_creation: dict[tuple[str, int], StoredNote] = {}
        for stored in store.notes():
            self._by_tag.setdefault(stored.note.tag, []).append(stored)
            self._by_nullifier[stored.note.nullifier] = stored
            self._by_creation[(stored.transaction.lower(), stored.note.commitment)] = stored
        self._actions: dict[str, list[DecodedEvent]] = {}
        self._steps: dict[int, tuple[NoteStep, ...]] = {}
        self._participants: dict[int, str | None] = {}
        self._sites: dict[tuple[str, int], list[Facility]] = {}

    # -- steps -----------------------------------------------------------------------------------

    def tags(self) -> list[int]:
        """The lots the store holds notes of, in the order their first notes were created."""
        return list(self._by_tag)

    def steps(self, tag: int) -> tuple[NoteStep, ...]:
        """The lot's steps the store sees, oldest first; UnknownLotError when it opens none of its notes."""
        if tag not in self._steps:
            notes = self._by_tag.get(tag)
            if not notes:
                raise UnknownLotError(tag, f"lot {tag:#x} has no note this store's keys open")
            created_in = {stored.transaction.lower() for stored in notes}
            steps = [self._step(stored, created=True) for stored in notes]
            steps += [self._step(stored, created=False) for stored in notes
                      if stored.spent_transaction and stored.spent_transaction.lower() not in created_in]
            self._steps[tag] = tuple(sorted(steps, key=lambda step: (step.block_number, step.log_index)))
        return self._steps[tag]

    def lots(self) -> dict[int, tuple[NoteStep, ...]]:
        """Every lot's steps, by tag."""
        return {tag: self.steps(tag) for tag in self.tags()}

    def _step(self, stored: StoredNote, *, created: bool) -> NoteStep:
        transaction = (stored.transaction if created else str(stored.spent_transaction)).lower()
        key, names = (stored.note.commitment, _created_by) if created else (stored.note.nullifier, _spent_by)
        event = next((event for event in self._ledger_actions(transaction) if key in names(event)), None)
        if event is None:
            raise ChainError(f"transaction {transaction} {'created' if created else 'spent'} note "
                             f"{stored.epoch}:{stored.index} but holds no ledger event that names it")
        tag = stored.note.tag
        spent = [self._by_nullifier.get(nullifier) for nullifier in _spent_by(event)]
        made = [self._by_creation.get((transaction, commitment)) for commitment in _created_by(event)]
        note = stored.note if created else None
        lot_spent = next((item.note for item in spent if item and item.note.tag == tag), None) if created else stored.note
        shown = note or lot_spent
        assert shown is not None
        operation = _ACTIONS[event.name] or NoteOperation[CustodyOperation(event.args["operation"]).name]
        details: dict[str, Any] = {}
        if event.name == "CustodyStepped":
            details["evidence_hash"] = bytes(event.args["evidenceHash"])
        elif event.name == "NotesTransformed":
            details.update(inputs=tuple(item.note for item in spent if item), outputs=tuple(item.note for item in made if item),
                           unopened_inputs=spent.count(None), unopened_outputs=made.count(None))
        return NoteStep(tag, operation, note, lot_spent, self.participant(shown.owner),
                        self.participant(shown.counterparty) if shown.counterparty else None, event.name,
                        event.block_number, transaction, event.log_index, self._times(event.block_number), **details)

    def _ledger_actions(self, transaction: str) -> list[DecodedEvent]:
        if transaction not in self._actions:
            receipt = self.client.chain.w3.eth.get_transaction_receipt(transaction)
            ledger = self._ledger.address_of("ledger")
            decoded = [self._ledger.decode(log) for log in receipt["logs"] if to_checksum_address(log["address"]) == ledger]
            self._actions[transaction] = [event for event in decoded
                                          if isinstance(event, DecodedEvent) and event.name in _ACTIONS]
        return self._actions[transaction]

    # -- the registry ----------------------------------------------------------------------------

    def participant(self, shielding_key: int) -> str | None:
        """The participant that registered ``shielding_key``, or None."""
        if shielding_key not in self._participants:
            self._participants[shielding_key] = self.client.participant_for_shielding_key(shielding_key)
        return self._participants[shielding_key]

    def facility(self, step: NoteStep) -> Facility | None:
        """Where a lot-creating step made its note, as far as the registry tells (module docstring):
        the creator's one facility, activated by then, whose type mints (a mint) or makes (a
        transform) the note's kind; None for any other step, or when none or several fit."""
        if not step.creates_lot or step.note is None or step.owner is None:
            return None
        kind = MaterialKind(step.note.kind)
        input_kinds = {MaterialKind(note.kind) for note in step.inputs}
        if step.operation is NoteOperation.MINT:
            fitting = [site for site in self._operated(step.owner, step.block_number) if mints_kind(site.facility_type, kind)]
        else:
            fitting = [site for site in self._operated(step.owner, step.block_number)
                       if transforms_lots(site.facility_type) and makes_kind(site.facility_type, kind, input_kinds)]
        return fitting[0] if len(fitting) == 1 else None

    def certified_schemes(self, step: NoteStep, facility: Facility | None) -> frozenset[Scheme]:
        """The schemes the registry says ``facility`` was certified under at the moment ``step`` made
        its note (``Registry.certifiedSchemes``: a later suspension does not reach back); none when
        the facility is unknown or the note holds no certified grams."""
        if facility is None or step.note is None or not any(metal.certified_grams for metal in step.note.values.metals):
            return frozenset()
        certified = self.client.registry.functions.certifiedSchemes(facility.facility_id, int(step.timestamp.timestamp()))
        return schemes_from_mask(self.client.chain.call(certified))

    def _operated(self, operator: str, block_number: int) -> list[Facility]:
        """``operator``'s facilities registered and activated by ``block_number``."""
        if (operator, block_number) not in self._sites:
            registered = [event.args["facilityId"] for event in
                          self._registry_logs("FacilityRegistered", block_number, None, indexed_topic(operator))]
            topics = [indexed_topic(facility_id) for facility_id in registered]
            activated = {event.args["facilityId"] for event in
                         self._registry_logs("FacilityActivated", block_number, topics)} if registered else set()
            self._sites[(operator, block_number)] = [self.client.facility(facility_id) for facility_id in registered
                                                     if facility_id in activated]
        return self._sites[(operator, block_number)]

    def _registry_logs(self, name: str, to_block: int, *topics: object) -> list[DecodedEvent]:
        decoder = self.client.event_decoder
        found = decoder.logs(self.client.deployment.block_number, to_block, contracts=["registry"],
                             topics=[decoder.topic("registry", name), *topics], events=[name])
        return [event for event in found if isinstance(event, DecodedEvent)]


def note_history(client: BatteryTrace, store: NoteStore) -> dict[int, tuple[NoteStep, ...]]:
    """Every lot the synced ``store`` holds notes of, by tag: its steps oldest first, each with the
    ledger operation that made its note (or, last, spent it), holders resolved through the registry
    and times from the blocks (see :class:`NoteStep`)."""
    return NoteHistory(client, store).lots()


def _custodian(history: NoteHistory, step: NoteStep) -> str:
    if step.note is not None:
        # The sender keeps custody of an offered or disputed lot until it is taken in.
        note = step.note
        return history.participant(note.owner if note.state == NoteState.ACTIVE else note.counterparty) or ""
    if step.spent is not None and step.operation is NoteOperation.TRANSFORM:
        return history.participant(step.spent.owner) or ""
    return ""  # moved on out of this store's sight


def _status(step: NoteStep) -> LotStatus:
    if step.note is not None:
        return _STATUS[step.note.state]
    # Spent by a step that made no note of the lot the store opens: consumed by a transform, or moved
    # on out of this store's sight (unknown).
    return LotStatus.CONSUMED if step.operation is NoteOperation.TRANSFORM else LotStatus.NONE


def lot_status(history: NoteHistory, step: NoteStep) -> tuple[LotStatus, str]:
    """A lot's status and custodian after ``step`` (its last step in view): see :func:`lot_node`."""
    return _status(step), _custodian(history, step)


def lot_node(history: NoteHistory, tag: int, depth: int = 0) -> LotNode | None:
    """The lot as a genealogy node, or None when its creation is not in the store's view.

    ``parent_ids`` are the tags of the notes the transform that created the lot spent; facility and
    certification are resolved as :meth:`NoteHistory.facility` says (id 0, no type, no country when
    they cannot be); ``risk_flags`` are the created note's; ``status`` and ``custodian`` are those
    of the lot's last step in view (``LotStatus.NONE`` and no custodian once it moved on out of sight).
    """
    steps = history.steps(tag)
    first, last = steps[0], steps[-1]
    if not first.creates_lot or first.note is None:
        return None
    if first.unopened_inputs:
        raise UnknownLotError(tag, f"lot {tag:#x} was made from {first.unopened_inputs} note(s) this store's keys do not open")
    facility = history.facility(first)
    return LotNode(
        lot_id=tag, kind=MaterialKind(first.note.kind), facility_id=facility.facility_id if facility else 0,
        facility_type=facility.facility_type if facility else None, country=facility.country if facility else "",
        creator=first.owner or "", custodian=_custodian(history, last), status=_status(last),
        certified_schemes=history.certified_schemes(first, facility), risk_flags=RiskFlag(first.note.values.risk_flags),
        parent_ids=tuple(dict.fromkeys(note.tag for note in first.inputs)), created_block=first.block_number, depth=depth,
    )


def genealogy_from_notes(client: BatteryTrace, store: NoteStore, tag: int) -> list[LotNode]:
    """A lot (depth 0) and its ancestors as the synced ``store`` knows them, for
    :func:`~batterytrace.documents.genealogy.render_genealogy` and the passport's claims.

    An auditor's store knows the whole genealogy: every lot, its kind, creator, holders, values
    and parents. A participant's knows the lots whose creation it saw (its own mints and
    transforms): an ancestor created out of its view is left out of the nodes, though its tag stays
    in its child's ``parent_ids``. No view knows a lot's facility, which the notes do not hold and
    the proofs hide: it is the creator's one activated facility of a type that mints or makes the
    lot's kind when exactly one fits, else unknown (``facility_id`` 0, ``facility_type`` None,
    ``country`` ""); its certification schemes are the registry's at the creation's block, for a
    lot with certified grams. UnknownLotError when the store opens no note of the lot, or did not
    see the lot's own creation.
    """
    history = NoteHistory(client, store)
    nodes: dict[int, LotNode] = {}
    out_of_view: set[int] = set()
    frontier = [(tag, 0)]
    while frontier:
        current, depth = frontier.pop(0)
        if current in nodes or current in out_of_view:
            continue
        node = lot_node(history, current, depth)
        if node is None:
            if depth == 0:
                raise UnknownLotError(tag, f"lot {tag:#x} came into this store's view by a custody step: its creation, "
                                           "and so its genealogy, is not in it (an auditor's view key opens every note)")
            out_of_view.add(current)
            continue
        nodes[current] = node
        frontier.extend((parent, depth + 1) for parent in node.parent_ids)
    return sorted(nodes.values(), key=lambda node: (node.depth, node.lot_id))


__all__ = ["NoteHistory", "NoteOperation", "NoteStep", "genealogy_from_notes", "lot_node", "lot_status", "note_history"]

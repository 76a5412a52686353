"""The shielded ledger from the ERP's side: origin mints and custody steps that take lots and
quantities, never notes, paths or nullifiers.

A lot on the shielded ledger is a chain of notes with one tag (its private id, ``ShieldedLot.tag``):
each custody step spends the lot's note and creates its successor. This family finds the lot's
current note in the participant's :class:`~batterytrace.sdk.notes.NoteStore` (filled by the
scanner), checks what the circuit would refuse before proving (the zk layer's twins), proves, seals
the new note for its readers (owner, the other party of an offer or dispute, every auditor's view
key; padded to one slot count so the envelope's length tells nothing) and has a relayer submit it,
so no participant's address is on the transaction. Then it scans, so the store holds the result.

The ERP reaches it through :class:`~batterytrace.sdk.ledger.LedgerOperations` (``BatteryTrace``'s
``mint_origin``, ``offer``, ``accept`` ...), which checks the registry's rules first and speaks of
lots by id; this family speaks of them by tag, which is the same number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from batterytrace.exceptions import (
    ConfigurationError,
    FacilityNotActiveError,
    LotStateError,
    MalformedBatteryIdError,
    NotCustodianError,
    ProofError,
    UnknownLotError,
    UnknownParticipantError,
)
from batterytrace.model.identifiers import evidence_hash
from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.membership import ROLE_INDEX, MembershipSet, facility_leaf, participant_key
from batterytrace.model.passports import passport_id_for
from batterytrace.model.registry import CertificationStatus, Facility, FacilityType
from batterytrace.sdk.notes import NoteStore, StoredNote
from batterytrace.sdk.registry import is_valid_encryption_key, require_valid_encryption_key
from batterytrace.sdk.relayer import RelayedTransaction, RelayerClient
from batterytrace.sdk.scanner import NoteScanner
from batterytrace.zk.custody import CustodyOperation, Participant, custody_inputs, custody_successor
from batterytrace.zk.envelopes import encrypt_note
from batterytrace.zk.note_transform import (
    NOTE_TRANSFORM_INPUTS,
    NOTE_TRANSFORM_OUTPUTS,
    OutputSpec,
    note_transform_inputs,
    output_tag,
    transform_notes,
)
from batterytrace.zk.notes import Note, NoteState
from batterytrace.zk.origin import (
    ORIGIN_TYPES,
    CertificationWindow,
    Site,
    TypeFloors,
    mint_tag,
    origin_inputs,
    origin_note,
    origin_tag,
)
from batterytrace.zk.pack_batch import BatchClaims, pack_batch_inputs

if TYPE_CHECKING:
    from batterytrace.sdk.client import BatteryTrace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShieldedLot:
    """A lot as this participant's keys see it: its tag (the lot's id on the shielded ledger, known
    only to its readers), its current note and where that note sits."""

    tag: int
    note: Note
    epoch: int
    index: int
    transaction: str

    @classmethod
    def of(cls, stored: StoredNote) -> ShieldedLot:
        return cls(stored.note.tag, stored.note, stored.epoch, stored.index, stored.transaction)


@dataclass(frozen=True)
class PreparedOrigin:
    """A proven ``mintOrigin`` call not yet sent: the note it creates, the request, the proof and
    the sealed openings."""

    note: Note
    request: tuple
    proof: tuple
    openings: list[bytes]


def external_id_number(external_id: str | int) -> int:
    """An ERP's lot id as the origin tag's field element: an int as it is, text as its UTF-8 bytes
    read big-endian (at most 31 bytes, so it stays below the field)."""
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        if not 0 <= external_id < 2**248:
            raise ProofError(f"an external id is 0 to 2^248 - 1, got {external_id}")
        return external_id
    data = str(external_id).encode()
    if not 0 < len(data) <= 31:
        raise ProofError(f"an external id is 1 to 31 bytes of text, got {len(data)}")
    return int.from_bytes(data, "big")


def output_lot_tag(secret: int, facility_id: int, output: OutputPlan) -> int:
    """An output lot's tag: a pack's is its battery's passport id (its output id is the battery id, so
    the pack backs that battery's passport and no other: pack_batch.circom), any other output's
    ``output_tag`` of the ERP's id, private and per facility."""
    if output.kind == MaterialKind.PACK:
        try:
            return passport_id_for(str(output.external_id))
        except MalformedBatteryIdError:
            raise ProofError(f"a pack's output id is the id of its battery (a GS1 Digital Link URI or an ISO/IEC 15459 "
                             f"id), so that its passport can name it; got {output.external_id!r}") from None
    return output_tag(secret, facility_id, external_id_number(output.external_id))


def ran_before(facility_id: int, input_count: int, outputs: Sequence[OutputPlan], tags: Sequence[int],
               exists: Callable[[int], bool]) -> bool:
    """Whether a transform job with these output ``tags`` ran before (every output lot ``exists``);
    refused: an output id named twice, a job naming some earlier job's outputs, or a job of more
    lots than the circuit takes."""
    if len(set(tags)) != len(tags):
        raise ProofError("a transform names the same output id twice")
    done = [exists(tag) for tag in tags]
    if done and all(done):
        return True
    if any(done):
        taken = [str(output.external_id) for output, made in zip(outputs, done, strict=True) if made]
        raise LotStateError(tags[0], message=f"output ids {', '.join(taken)} at facility {facility_id} belong to "
                                             "an earlier job's lots: give this job's outputs new ids")
    if not 1 <= input_count <= NOTE_TRANSFORM_INPUTS or not 1 <= len(outputs) <= NOTE_TRANSFORM_OUTPUTS:
        raise ProofError(f"a transform takes 1 to {NOTE_TRANSFORM_INPUTS} lots and makes 1 to "
                         f"{NOTE_TRANSFORM_OUTPUTS}, got {input_count} and {len(outputs)}")
    return False


class _ShieldedLedgerAccess:
    """What every shielded operation shares: the participant's client, the ledger, the relayer, the
    note store and its scanner, and the lookups and sealing the operations build on."""

    def __init__(self, client: BatteryTrace, relayer: RelayerClient | None, store: NoteStore | None = None) -> None:
        deployment = client.deployment
        self.client = client
        self.relayer = relayer
        self.address = deployment.ledger
        self.contract = client.chain.contract("ShieldedLedger", deployment.ledger)
        self.store = store or NoteStore(":memory:", client.chain.chain_id, deployment.ledger)
        keys = [client.encryption_key] if client.encryption_key is not None else []
        self.scanner = NoteScanner(client.chain, deployment.ledger, self.store, keys, start_block=deployment.block_number)

    # -- reading ---------------------------------------------------------------------------------

    def sync(self) -> None:
        """Read the ledger's new notes into the store."""
        self.scanner.sync()

    def lots(self) -> list[ShieldedLot]:
        """The lots this participant holds or has offered and not yet handed over: its unspent
        notes that it owns, or of which it is the counterparty."""
        self.sync()
        key = self.client.shielding_public_key
        return [ShieldedLot.of(stored) for stored in self.store.notes(unspent=True)
                if key in (stored.note.owner, stored.note.counterparty)]

    def lot(self, tag: int) -> ShieldedLot:
        """The lot's current note as this participant's keys see it."""
        self.sync()
        current = [stored for stored in self.store.notes_with_tag(tag) if not stored.spent]
        if not current:
            raise UnknownLotError(tag)
        return ShieldedLot.of(current[-1])

    # -- inside ----------------------------------------------------------------------------------

    def _held(self, tag: int, state: NoteState, *, owner: bool) -> ShieldedLot:
        lot = self.lot(tag)
        if lot.note.state != state:
            raise LotStateError(tag, lot.note.state.name, state.name)
        if (lot.note.owner if owner else lot.note.counterparty) != self.client.shielding_public_key:
            raise NotCustodianError(tag, "another participant", self.client.address,
                                    f"lot {tag:#x} is not {'held' if owner else 'offered'} by {self.client.address}")
        return lot

    def _step(self, lot: ShieldedLot, operation: CustodyOperation, *, readers: tuple[str | None, ...],
              receiver: int = 0, evidence: str | bytes | None = None) -> ShieldedLot:
        client = self.client
        trees = client.trees
        trees.sync()
        me = self._participant()
        successor = custody_successor(lot.note, operation, me, receiver=receiver)
        openings = self._seal(successor, *readers)
        evidence_bytes = evidence_hash(evidence)
        context = client.chain.call(self.contract.functions.custodyContext(int(operation), evidence_bytes, openings))
        note_proof = self.store.tree(lot.epoch).proof_at(lot.index)
        inputs = custody_inputs(lot.note, note_proof, successor, operation, me, client.shielding_keys.secret,
                                trees.proof(MembershipSet.PARTICIPANTS, me.account), context)
        proof = client.prover.prove("custody", inputs)
        request = (int(operation), note_proof.root, lot.note.nullifier, successor.commitment,
                   inputs["participantsRoot"], evidence_bytes)
        self._submit(self.contract.functions.custody(request, proof.solidity_proof(), openings))
        self.sync()
        return ShieldedLot.of(next(stored for stored in self.store.notes_with_tag(lot.tag)
                                   if stored.note.commitment == successor.commitment))

    def _participant(self) -> Participant:
        client = self.client
        if not client.is_participant(client.address):
            raise UnknownParticipantError(client.address, f"{client.address} holds no participant role now, so no leaf of the "
                                          "participants tree: it proves no step until it is registered again")
        record = client.participant(client.address)
        return Participant(participant_key(client.address), ROLE_INDEX[record.role],
                           int(client.operator_risk_flags(client.address)), client.shielding_public_key)

    def _site(self, record: Facility) -> tuple[Site, Any]:
        """The facility's leaf fields and membership proof. The registry reports the site's flags with
        its operator's; the leaf holds the site's own, found as the subset whose leaf is the tree's."""
        trees = self.client.trees
        proof = trees.proof(MembershipSet.FACILITIES, record.facility_id)
        combined = int(record.risk_flags)
        operator = int(self.client.operator_risk_flags(record.operator))
        shared = combined & operator
        subset = shared
        while True:
            own = (combined & ~operator) | subset
            if facility_leaf(record, own) == proof.leaf:
                break
            if subset == 0:
                raise ProofError(f"facility {record.facility_id}'s leaf matches none of its flags: resync the registry")
            subset = (subset - 1) & shared
        site = Site(participant_key(record.operator), record.facility_id, int(record.facility_type), own,
                    record.max_yield_loss_bps, record.co2e_floor_grams_per_kg,
                    int.from_bytes(record.country.encode(), "big"), record.recycled_pre_consumer_bps)
        return site, proof

    def _certification(self, facility_id: int, at: int) -> CertificationWindow | None:
        """A certification of the facility valid at ``at`` whose leaf the tree holds, or None."""
        client = self.client
        event = client.registry.events.CertificationIssued()
        logs = event.get_logs(from_block=client.deployment.block_number, argument_filters={"facilityId": facility_id})
        moment = datetime.fromtimestamp(at, tz=timezone.utc)
        for entry in reversed(logs):
            record = client.certification(entry["args"]["certificationId"])
            if record.status is not CertificationStatus.ACTIVE or not record.valid_from <= moment < record.valid_until:
                continue
            return CertificationWindow(record.certification_id, record.facility_id, int(record.scheme),
                                       int(record.valid_from.timestamp()), int(record.valid_until.timestamp()))
        return None

    def _seal(self, note: Note, *readers: str | None) -> list[bytes]:
        """The note sealed for ``readers`` (participants' addresses) and every auditor's view key, in
        one envelope padded to two slots more than there are auditors. A reader's unusable key
        refuses the step (InvalidEncryptionKeyError, before anything is proven); an auditor's is
        left out and logged, so one auditor's bad key stops no one's work."""
        client = self.client
        registered = client.auditor_keys()
        keys = {}
        for address in readers:
            if address:
                key = client.participant(address).encryption_public_key
                require_valid_encryption_key(address, key)
                keys[address] = key
        for address, key in registered.items():
            if is_valid_encryption_key(key):
                keys[address] = key
            else:
                logger.warning("auditor %s has no usable encryption key (0x%s): left out of this envelope", address, key.hex())
        return [encrypt_note(note, keys, slots=max(len(keys), len(registered) + 2))]

    def _submit(self, call: Any) -> RelayedTransaction:
        if self.relayer is None:
            raise ConfigurationError("material operations go through a relayer and this client has none: pass "
                                     "relayer=URL (`batterytrace relayer start` runs one)")
        calldata = call._encode_transaction_data()
        return self.relayer.submit(self.address, calldata)


class ShieldedLedgerOperations(_ShieldedLedgerAccess):
    """One participant's operations on the shielded ledger (see the module docstring)."""

    # -- minting ---------------------------------------------------------------------------------

    def origin_minted(self, facility_id: int, external_id: str | int) -> bool:
        """Whether this participant minted the external id at the site before (its mint tag is spent)."""
        tag = origin_tag(self.client.shielding_keys.secret, facility_id, external_id_number(external_id))
        return bool(self.client.chain.call(self.contract.functions.isMinted(mint_tag(tag))))

    def mint_origin(self, facility_id: int, external_id: str | int, kind: MaterialKind, cobalt_grams: int,
                    total_grams: int, co2e_grams: int, lithium_grams: int = 0, nickel_grams: int = 0) -> ShieldedLot:
        """An origin lot at an extraction site or recycler this participant operates, certified
        when the site holds a certification valid now. The same external id at the same site twice
        returns the first lot (its mint tag is refused on chain, and found here first)."""
        tag = origin_tag(self.client.shielding_keys.secret, facility_id, external_id_number(external_id))
        if self.client.chain.call(self.contract.functions.isMinted(mint_tag(tag))):
            self.sync()
            stored = self.store.notes_with_tag(tag)
            if stored:
                return ShieldedLot.of(stored[-1])
            raise LotStateError(tag, message=f"lot {tag:#x} was minted but is not in this participant's store: rescan it")
        origin = self.prepare_origin(facility_id, external_id, kind, cobalt_grams, total_grams, co2e_grams,
                                     lithium_grams, nickel_grams)
        self.submit_origin(origin)
        return self.lot(tag)

    def prepare_origin(self, facility_id: int, external_id: str | int, kind: MaterialKind, cobalt_grams: int,
                       total_grams: int, co2e_grams: int, lithium_grams: int = 0,
                       nickel_grams: int = 0) -> PreparedOrigin:
        """The proven ``mintOrigin`` call of :meth:`mint_origin`, not sent: for tooling that relays
        it itself (and for the demo, which alters one to show the ledger refusing it)."""
        client = self.client
        site_record = client.facility(facility_id)
        if not site_record.active:
            raise FacilityNotActiveError(facility_id)
        secret = client.shielding_keys.secret
        external = external_id_number(external_id)
        trees = client.trees
        trees.sync()
        site, site_proof = self._site(site_record)
        proof_time = client.chain.latest_timestamp()
        window = self._certification(facility_id, proof_time)
        floors = TypeFloors.of_types({origin_type: client.co2e_floor(FacilityType(origin_type))
                                      for origin_type in ORIGIN_TYPES})
        me = self._participant()
        note = origin_note(owner=client.shielding_public_key, secret=secret, site=site, operator_flags=me.risk_flags,
                           kind=int(kind), grams=(cobalt_grams, lithium_grams, nickel_grams), total_grams=total_grams,
                           co2e_grams=co2e_grams,
                           external_id=external, floors=floors, certified=window is not None)
        openings = self._seal(note, client.address)
        context = client.chain.call(self.contract.functions.originContext(openings))
        inputs = origin_inputs(
            note, secret=secret, minter=me, participant_proof=trees.proof(MembershipSet.PARTICIPANTS, me.account),
            site=site, facility_proof=site_proof, certification=window,
            certification_proof=None if window is None else trees.proof(MembershipSet.CERTIFICATIONS,
                                                                          window.certification_id),
            certifications_root=trees.root(MembershipSet.CERTIFICATIONS), proof_time=proof_time, floors=floors,
            external_id=external, context=context)
        proof = client.prover.prove("origin", inputs)
        request = (inputs["outputCommitment"], inputs["mintTag"], inputs["participantsRoot"], inputs["facilitiesRoot"],
                   inputs["certificationsRoot"], proof_time)
        return PreparedOrigin(note, request, proof.solidity_proof(), openings)

    def submit_origin(self, origin: PreparedOrigin) -> RelayedTransaction:
        """Have the relayer send a prepared ``mintOrigin`` call."""
        return self._submit(self.contract.functions.mintOrigin(origin.request, origin.proof, origin.openings))

    # -- custody ---------------------------------------------------------------------------------

    def offer(self, tag: int, to: str) -> ShieldedLot:
        """Offer a lot this participant holds to another participant; the receiver accepts or
        disputes, and until then this participant may cancel."""
        lot = self._held(tag, NoteState.ACTIVE, owner=True)
        receiver = self.client.participant(to)
        if not self.client.is_participant(to) or receiver.shielding_key == 0 or to.lower() == self.client.address.lower():
            raise UnknownParticipantError(to, f"{to} is not another registered participant with a shielding key")
        return self._step(lot, CustodyOperation.OFFER, readers=(to, self.client.address),
                          receiver=receiver.shielding_key)

    def cancel_offer(self, tag: int) -> ShieldedLot:
        """Take back a lot this participant offered and the receiver has not taken."""
        lot = self._held(tag, NoteState.OFFERED, owner=False)
        return self._step(lot, CustodyOperation.CANCEL, readers=(self.client.address,))

    def accept(self, tag: int, measured_total_grams: int, tolerance_bps: int = 50,
               evidence: str | bytes | None = None) -> ShieldedLot:
        """Take an offered lot in if the weighing is within ``tolerance_bps`` of its committed mass,
        else dispute it (an auditor resolves); the weighing's evidence hash goes on chain."""
        if measured_total_grams < 0 or not 0 <= tolerance_bps <= 10_000:
            raise ValueError("the measured mass must be >= 0 and the tolerance 0..10000 bps")
        lot = self._held(tag, NoteState.OFFERED, owner=True)
        committed = lot.note.values.total_grams
        within = abs(measured_total_grams - committed) * 10_000 <= tolerance_bps * committed
        sender = self.client.participant_for_shielding_key(lot.note.counterparty)
        readers = (self.client.address,) + ((sender,) if not within and sender else ())
        operation = CustodyOperation.ACCEPT if within else CustodyOperation.DISPUTE
        return self._step(lot, operation, readers=readers, evidence=evidence)

    def resolve_dispute(self, tag: int, deliver: bool, evidence: str | bytes | None = None) -> ShieldedLot:
        """An auditor's resolution of a disputed lot: delivered to the receiver or returned to the sender."""
        self.sync()
        disputed = [stored for stored in self.store.notes_with_tag(tag)
                    if not stored.spent and stored.note.state == NoteState.DISPUTED]
        if not disputed:
            raise UnknownLotError(tag)
        lot = ShieldedLot.of(disputed[-1])
        party = lot.note.owner if deliver else lot.note.counterparty
        holder = self.client.participant_for_shielding_key(party)
        operation = CustodyOperation.DELIVER if deliver else CustodyOperation.RETURN
        return self._step(lot, operation, readers=(holder,) if holder else (), evidence=evidence)

    # -- transforms and passports -------------------------------------------------------------------

    def transform(self, facility_id: int, input_tags: list[int], outputs: list[OutputPlan],
                  process_co2e_grams: int) -> list[ShieldedLot]:
        """A processing job at a facility this participant operates: its lots ``input_tags`` in, the
        ``outputs`` out, by the rules of zk/note_transform.py (checked before proving). Running the
        same job again returns its outputs (the inputs are spent once); outputs' tags are apart from
        the site's origin lots' (``output_tag``), a pack's is its battery's passport id (its output id
        is the battery id), and a job naming some earlier job's outputs is refused."""
        client = self.client
        secret = client.shielding_keys.secret
        tags = [output_lot_tag(secret, facility_id, output) for output in outputs]
        self.sync()
        made = {tag: self.store.notes_with_tag(tag) for tag in tags}
        if ran_before(facility_id, len(input_tags), outputs, tags, lambda tag: bool(made[tag])):
            return [ShieldedLot.of(made[tag][-1]) for tag in tags]
        spent = [self._held(tag, NoteState.ACTIVE, owner=True) for tag in input_tags]
        if len({lot.epoch for lot in spent}) != 1:
            raise ProofError("the input lots' notes are in different epochs of the note tree: transform them apart")
        site_record = client.facility(facility_id)
        if not site_record.active:
            raise FacilityNotActiveError(facility_id)
        trees = client.trees
        trees.sync()
        site, site_proof = self._site(site_record)
        me = self._participant()
        specs = [OutputSpec(int(output.kind), output.grams, output.total_grams, tag)
                 for output, tag in zip(outputs, tags, strict=True)]
        created = transform_notes([lot.note for lot in spent], me, site, specs, process_co2e_grams)
        openings = [self._seal(note, client.address) for note in created]
        context = client.chain.call(self.contract.functions.transformContext(openings))
        tree = self.store.tree(spent[0].epoch)
        proofs = [tree.proof_at(lot.index) for lot in spent]
        inputs = note_transform_inputs([lot.note for lot in spent], proofs, created, secret=secret, actor=me,
                                       participant_proof=trees.proof(MembershipSet.PARTICIPANTS, me.account), site=site,
                                       facility_proof=site_proof, process_co2e_grams=process_co2e_grams, context=context)
        proof = client.prover.prove("note_transform", inputs)
        pad = [0] * NOTE_TRANSFORM_INPUTS
        request = (proofs[0].root, ([lot.note.nullifier for lot in spent] + pad)[:NOTE_TRANSFORM_INPUTS],
                   ([note.commitment for note in created] + pad)[:NOTE_TRANSFORM_OUTPUTS],
                   inputs["participantsRoot"], inputs["facilitiesRoot"])
        self._submit(self.contract.functions.transform(request, proof.solidity_proof(), openings))
        return [self.lot(tag) for tag in tags]

    def held_lot(self, tag: int) -> ShieldedLot:
        """The lot ``tag`` this participant holds, active (UnknownLotError, LotStateError or
        NotCustodianError otherwise)."""
        return self._held(tag, NoteState.ACTIVE, owner=True)

    def pack_batch_proof(self, passport_ids: Sequence[int], claims: BatchClaims, context: int) -> tuple[int, int, Any]:
        """The proof that this participant's pack lots, tagged ``passport_ids``, meet ``claims``, bound to
        ``context`` (the passport contract's for the batch's records): the note root and participants
        root it is made against, and the proof. The claims are checked here first."""
        client = self.client
        lots = [self.held_lot(passport_id) for passport_id in passport_ids]
        if len({lot.epoch for lot in lots}) != 1:
            raise ProofError("the packs' notes are in different epochs of the note tree: issue their passports apart")
        trees = client.trees
        trees.sync()
        me = self._participant()
        tree = self.store.tree(lots[0].epoch)
        note_proofs = [tree.proof_at(lot.index) for lot in lots]
        participant_proof = trees.proof(MembershipSet.PARTICIPANTS, me.account)
        inputs = pack_batch_inputs([lot.note for lot in lots], note_proofs, list(passport_ids), claims, me,
                                   client.shielding_keys.secret, participant_proof, context)
        proof = client.prover.prove("pack_batch", inputs)
        return int(inputs["noteRoot"]), int(inputs["participantsRoot"]), proof



__all__ = ["PreparedOrigin", "ShieldedLedgerOperations", "ShieldedLot", "external_id_number", "output_lot_tag", "ran_before"]

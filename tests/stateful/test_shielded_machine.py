"""The shielded ledger's whole lifecycle as a hypothesis state machine: the ERP's calls of the world's
clients (sdk/ledger.py over sdk/shielded.py) and a real relayer on the real anvil, every step a real
Groth16 proof.

Hypothesis mints origin lots (mine, artisanal site, recycler), offers them to other participants,
cancels offers, weighs them in within tolerance (accept) or outside it (a dispute, which the auditor
resolves either way), splits and merges them at a facility their holder operates (never a pack), and
issues the pack maker's packs their passports (a batch proof, which spends no note), while a model
keeps every lot's holder, state and grams. After every step the chain and the note stores are
checked against the model and against each other: a spent note is spent on chain, cobalt is never
created (what was minted is unspent or lost in a transform's declared yield loss), a note is spent once, and the scanners hold what the
events imply. Once per example a custody request recorded on its way to the relayer is sent again
by hand and must revert with LedgerNullifierSpent.

Proofs take seconds, so a pool of lots (one offered, one disputed, a pack at the pack plant, black
mass at the recycler) is made once for the module and every example starts from a snapshot of it
(tests/conftest.py ``isolated``). The relayer runs on across the reverts (its nonce is the node's
count, and its "landed already" answer must name this example's transaction); the note stores do
not: NoteScanner keeps its cursor and notes when the chain is reverted under it, so each example
gives each party a fresh in-memory store (``isolated`` does).

``BATTERYTRACE_SHIELDED_EXAMPLES`` x ``BATTERYTRACE_SHIELDED_STEPS`` set the run's size and
``BATTERYTRACE_SHIELDED_PROOFS`` caps the proven steps per example (default: every step;
``make audit`` runs 60 x 6, about half an hour: each step is a proof). The
default, 7 x 4, is many short examples rather than a few long ones: hypothesis turns a random set of
rules off in each example (swarm testing) and starts with its simplest example (the cheap outsider
rule only), and the pool puts every rule within a step's reach, so short examples cover more rules
per proof. It takes 2.5 to 3.5 minutes on a 2-core machine, the pool's 11 proofs about 50 s of it.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from batterytrace.exceptions import RevertedError, UnknownLotError
from batterytrace.model.lots import BPS, DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.notes import NoteStore, StoredNote
from batterytrace.sdk.passports import PassportRequest, issue_passports
from batterytrace.sdk.relayer import LocalRelayer, RelayedTransaction, RelayerClient
from batterytrace.sdk.scanner import NoteScanner
from batterytrace.sdk.shielded import ShieldedLedgerOperations
from batterytrace.zk.note_transform import MADE_KINDS
from batterytrace.zk.notes import Note, NoteState, kind_may_hold
from batterytrace.zk.pack_batch import PACK
from tests.conftest import isolated
from tests.helpers.flows import battery_id
from tests.helpers.relayer import relayer_settings

EXAMPLES = int(os.environ.get("BATTERYTRACE_SHIELDED_EXAMPLES", "7"))
STEPS = int(os.environ.get("BATTERYTRACE_SHIELDED_STEPS", "4"))
PROOFS_PER_EXAMPLE = int(os.environ.get("BATTERYTRACE_SHIELDED_PROOFS", str(STEPS)))

#: Who mints origin lots, and of which kind (origin.circom: ore or hydroxide at a mine, black mass
#: at a recycler).
MINTED_KINDS = {"miner": MaterialKind.COBALT_HYDROXIDE, "artisanal_miner": MaterialKind.COBALT_ORE,
                "recycler": MaterialKind.BLACK_MASS}
HANDLERS = ("miner", "artisanal_miner", "refiner", "pack_maker", "recycler")
TOLERANCE_BPS = 50
CAPACITY_WH = 75_000
#: A funded account of no role, which sends a spent note's custody request again by hand.
PASSPORT_STAND_IN = "stranger"


@dataclass
class Lot:
    """What the model believes of one lot (the model's key is its tag): who owns its current note,
    the note's state, the other party of an offer or dispute, its kind and grams."""

    owner: str
    kind: int
    cobalt_grams: int
    total_grams: int
    state: NoteState = NoteState.ACTIVE
    counterparty: str | None = None


@dataclass(frozen=True)
class Relayed:
    """One operation the relayer landed: its calldata and transaction."""

    calldata: str
    transaction: str


class RecordingRelayer(RelayerClient):
    """A relayer client that keeps what it relayed: the requests, proofs and openings to replay."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.relayed: list[Relayed] = []

    def submit(self, to: str, calldata: bytes | str) -> RelayedTransaction:
        sent = super().submit(to, calldata)
        self.relayed.append(Relayed(calldata if isinstance(calldata, str) else "0x" + bytes(calldata).hex(), sent.transaction_hash))
        return sent


def note_view(note: Note) -> tuple:
    """What the model knows of a note: owner and counterparty keys, state, kind, cobalt and total grams."""
    return (note.owner, note.counterparty, note.state, note.kind, note.values.metals[0].grams, note.values.total_grams)


def chain_order(log: Any) -> tuple[int, int]:
    return (log["blockNumber"], log["logIndex"])


class Ledger:
    """The model beside the parties' clients: each operation runs through the ERP's call and the
    relayer, the note it leaves must be the one the model expects, and the model takes it."""

    def __init__(self, world: Any, relayer: RecordingRelayer, prefix: str, start: Ledger | None = None) -> None:
        """A model of the chain as ``start`` left it (an empty ledger without one). The world's
        clients have fresh note stores (``isolated``) and submit through ``relayer``."""
        self.world, self.relayer = world, relayer
        self.clients = {name: world.clients[name] for name in (*HANDLERS, "auditor")}
        for client in self.clients.values():
            client.relayer = relayer
        self.lots = {tag: replace(lot) for tag, lot in start.lots.items()} if start else {}
        self.minted_grams, self.lost_grams = (start.minted_grams, start.lost_grams) if start else (0, 0)
        #: Each pack's battery id (its output id), and the packs whose passports were issued.
        self.batteries = dict(start.batteries) if start else {}
        self.passported = set(start.passported) if start else set()
        # Names (so tags) restart with every example, as the chain does, so hypothesis can replay one.
        self.names = (f"{prefix}-{number}" for number in itertools.count())

    @property
    def parties(self) -> dict[str, ShieldedLedgerOperations]:
        """Each client's shielded-ledger family over its note store."""
        return {name: client.shielded for name, client in self.clients.items()}

    def key(self, name: str | None) -> int:
        return 0 if name is None else self.world.clients[name].shielding_public_key

    def view(self, lot: Lot) -> tuple:
        """A model lot as ``note_view`` shows its note."""
        return (self.key(lot.owner), self.key(lot.counterparty), lot.state, lot.kind, lot.cobalt_grams, lot.total_grams)

    def _take(self, tag: int, expected: Lot, note: Note) -> None:
        assert (note.tag, note_view(note)) == (tag, self.view(expected)), f"lot {tag:#x}"
        self.lots[tag] = expected

    def mint(self, minter: str, cobalt_grams: int, total_grams: int, extra_co2e_grams: int) -> int:
        site = self.world.facilities[minter]
        floor = max(self.world.clients[minter].co2e_floor(site.facility_type), site.co2e_floor_grams_per_kg)
        kind = MINTED_KINDS[minter]
        result = self.clients[minter].mint_origin(site.facility_id, next(self.names), kind, cobalt_grams, total_grams,
                                                  -(-cobalt_grams * floor // 1000) + extra_co2e_grams)
        assert result.created and result.lot_id not in self.lots
        self._take(result.lot_id, Lot(minter, int(kind), cobalt_grams, total_grams), result.note)
        self.minted_grams += cobalt_grams
        return result.lot_id

    def offer(self, tag: int, to: str) -> None:
        lot = self.lots[tag]
        result = self.clients[lot.owner].offer(tag, self.world.clients[to].address)
        self._take(tag, replace(lot, owner=to, state=NoteState.OFFERED, counterparty=lot.owner), result.note)

    def cancel(self, tag: int) -> None:
        lot = self.lots[tag]
        result = self.clients[lot.counterparty].cancel_offer(tag)
        self._take(tag, replace(lot, owner=lot.counterparty, state=NoteState.ACTIVE, counterparty=None), result.note)

    def weigh_in(self, tag: int, measured_total_grams: int) -> None:
        lot = self.lots[tag]
        within = abs(measured_total_grams - lot.total_grams) * BPS <= TOLERANCE_BPS * lot.total_grams
        receiver = self.clients[lot.owner]
        result = receiver.accept(tag, measured_total_grams, TOLERANCE_BPS, evidence=f"scale-{measured_total_grams}")
        assert (result.accepted, result.committed_total_grams) == (within, lot.total_grams)
        expected = replace(lot, state=NoteState.ACTIVE, counterparty=None) if within else replace(lot, state=NoteState.DISPUTED)
        self._take(tag, expected, receiver.note(tag))

    def resolve(self, tag: int, deliver: bool) -> None:
        lot = self.lots[tag]
        outcome = DisputeOutcome.DELIVER_TO_RECEIVER if deliver else DisputeOutcome.RETURN_TO_SENDER
        result = self.clients["auditor"].resolve_dispute(tag, outcome, evidence="re-weighing")
        holder = lot.owner if deliver else lot.counterparty
        self._take(tag, replace(lot, owner=holder, state=NoteState.ACTIVE, counterparty=None), result.note)

    def transform(self, holder: str, tags: list[int], outputs: list[tuple[int, int, int]], process_co2e_grams: int) -> None:
        """``outputs``: (kind, cobalt grams, total grams) of each lot made."""
        # A pack is made under its battery's id (the pack maker's prefix): its passport is that battery's.
        plans = [OutputPlan(battery_id(next(self.names)) if kind == PACK else next(self.names), MaterialKind(kind), cobalt, total)
                 for kind, cobalt, total in outputs]
        made = self.clients[holder].transform(tags, plans, self.world.facilities[holder].facility_id, process_co2e_grams)
        cobalt_in = sum(self.lots.pop(tag).cobalt_grams for tag in tags)
        self.lost_grams += cobalt_in - sum(cobalt for _kind, cobalt, _total in outputs)
        assert len(made.output_lot_ids) == len(made.notes) == len(plans)
        for tag, note, plan, (kind, cobalt, total) in zip(made.output_lot_ids, made.notes, plans, outputs, strict=True):
            assert tag not in self.lots
            self._take(tag, Lot(holder, kind, cobalt, total), note)
            if kind == PACK:
                self.batteries[tag] = str(plan.external_id)

    def issue_passport(self, tag: int) -> None:
        """The pack maker issues the pack's battery its passport: the pack's note stays as it is."""
        lot = self.lots[tag]
        (issued,) = issue_passports(self.world.clients[lot.owner], [PassportRequest(self.batteries[tag], bytes(32), CAPACITY_WH)])
        assert issued.passport_id == tag and issued.bounds.cobalt_grams == lot.cobalt_grams
        self.passported.add(tag)
        self._take(tag, lot, self.clients[lot.owner].note(tag))


@dataclass
class Pool:
    """The module's lots, made once; every example starts from a snapshot of them."""

    ledger: Ledger
    relayed: int  # the relayer's records the pool made: the later ones are an example's


@pytest.fixture(scope="module")
def pool(session_world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    work_dir = tmp_path_factory.mktemp("shielded-machine")
    session_relayers = {name: client.relayer for name, client in session_world.clients.items()}
    with (LocalRelayer(relayer_settings(session_world.chain.rpc_url, session_world.deployment, work_dir), work_dir) as running,
          isolated(session_world) as world):
        try:
            ledger = Ledger(world, RecordingRelayer(running.url), "SM-POOL")
            offered = ledger.mint("miner", 700_000, 2_000_000, 0)
            ledger.offer(offered, "refiner")
            disputed = ledger.mint("artisanal_miner", 60_000, 200_000, 0)
            ledger.offer(disputed, "refiner")
            ledger.weigh_in(disputed, 150_000)
            at_pack_plant = ledger.mint("miner", 650_000, 1_900_000, 1_000)
            ledger.offer(at_pack_plant, "pack_maker")
            ledger.weigh_in(at_pack_plant, 1_900_000)
            ledger.transform("pack_maker", [at_pack_plant], [(PACK, 640_000, 450_000_000)], 9_000_000)
            ledger.mint("recycler", 50_000, 500_000, 0)
            yield Pool(ledger, len(ledger.relayer.relayed))
        finally:  # the other modules' clients submit through the session's relayer
            for name, relayer in session_relayers.items():
                world.clients[name].relayer = relayer


def rescanned(party: ShieldedLedgerOperations) -> list[StoredNote]:
    """The party's notes as a fresh store scanned from the deployment block holds them."""
    chain, ledger = party.client.chain, party.address
    store = NoteStore(":memory:", chain.chain_id, ledger)
    NoteScanner(chain, ledger, store, party.scanner.keys, start_block=party.scanner.start_block).sync()
    return store.notes()


class LedgerInvariants(RuleBasedStateMachine):
    """The invariants, read from the chain's events and state, the auditor's store (its view key
    opens every note), each party's store and the model."""

    ledger: Ledger
    _checked: dict[str, int]
    _events: tuple[int, list, list] | None
    _nullifiers: dict[tuple[int, int], int]

    def _nullifier(self, stored: StoredNote) -> int:
        """The note's nullifier, computed once per leaf (two Poseidon hashes in Python each time)."""
        place = (stored.epoch, stored.index)
        if place not in self._nullifiers:
            self._nullifiers[place] = stored.note.nullifier
        return self._nullifiers[place]

    def _moved(self, check: str) -> bool:
        """Whether the chain moved since ``check`` last ran (a refused step sends nothing)."""
        block = self.ledger.world.chain.w3.eth.block_number
        moved, self._checked[check] = self._checked.get(check) != block, block
        return moved

    def _auditor(self) -> ShieldedLedgerOperations:
        auditor = self.ledger.parties["auditor"]
        auditor.sync()
        return auditor

    def _logs(self) -> tuple[list, list]:
        """The ledger's NoteCreated and NoteSpent events, in chain order (read once a block)."""
        block = self.ledger.world.chain.w3.eth.block_number
        if self._events is None or self._events[0] != block:
            contract, start = self._auditor().contract, self.ledger.world.deployment.block_number
            self._events = (block, sorted(contract.events.NoteCreated().get_logs(from_block=start), key=chain_order),
                            sorted(contract.events.NoteSpent().get_logs(from_block=start), key=chain_order))
        return self._events[1], self._events[2]

    @invariant()
    def a_spent_note_is_spent_on_chain(self) -> None:
        if not self._moved("spent"):
            return
        auditor = self._auditor()
        notes = auditor.store.notes()
        with self.ledger.world.chain.w3.batch_requests() as batch:
            for stored in notes:
                batch.add(auditor.contract.functions.isSpent(self._nullifier(stored)))
            on_chain = batch.execute()
        assert [bool(spent) for spent in on_chain] == [stored.spent for stored in notes]

    @invariant()
    def cobalt_is_never_created(self) -> None:
        ledger = self.ledger
        unspent = sum(stored.note.values.metals[0].grams for stored in self._auditor().store.notes(unspent=True))
        assert unspent <= ledger.minted_grams
        assert unspent == ledger.minted_grams - ledger.lost_grams
        assert unspent == sum(lot.cobalt_grams for lot in ledger.lots.values())

    @invariant()
    def a_note_is_spent_once(self) -> None:
        if not self._moved("once"):
            return
        _created, spent = self._logs()
        counts = Counter(log["args"]["nullifier"] for log in spent)
        assert [nullifier for nullifier, count in counts.items() if count > 1] == []
        spent_notes = [note for note in self._auditor().store.notes() if note.spent]
        stored = {self._nullifier(note): note.spent_transaction for note in spent_notes}
        assert len(stored) == len(spent_notes)
        assert stored == {
            log["args"]["nullifier"]: log["transactionHash"].to_0x_hex() for log in spent}

    @invariant()
    def the_scanners_hold_what_the_chain_implies(self) -> None:
        if not self._moved("scanners"):
            return
        ledger, auditor = self.ledger, self._auditor()
        created, _spent = self._logs()
        commitments = [log["args"]["commitment"] for log in created]
        assert auditor.store.leaves(0) == commitments
        notes = auditor.store.notes()
        assert [stored.note.commitment for stored in notes] == commitments
        _epoch, root, size = ledger.world.chain.call(auditor.contract.functions.noteTree())
        assert (size, root) == (len(commitments), auditor.store.tree(0).root)
        unspent = [stored.note for stored in notes if not stored.spent]
        assert len(unspent) == len(ledger.lots)
        assert {note.tag: note_view(note) for note in unspent} == {tag: ledger.view(lot) for tag, lot in ledger.lots.items()}
        for name in HANDLERS:
            held = ledger.parties[name].lots()
            assert len(held) == len({lot.tag for lot in held}), name
            assert {lot.tag: note_view(lot.note) for lot in held} == {
                tag: ledger.view(lot) for tag, lot in ledger.lots.items() if name in (lot.owner, lot.counterparty)}, name
        assert rescanned(auditor) == notes


class ShieldedLedgerMachine(LedgerInvariants):
    """The rules: every proven step through ``Ledger``, figures drawn within the rules."""

    pool: ClassVar[Pool]

    def __init__(self) -> None:
        super().__init__()
        self._isolation = ExitStack()
        start = self.pool.ledger
        self.ledger = Ledger(self._isolation.enter_context(isolated(start.world)), start.relayer, "SM", start)
        self.first_relayed = len(start.relayer.relayed)
        self.proofs_left = PROOFS_PER_EXAMPLE
        self._checked, self._events, self._nullifiers = {}, None, {}

    # -- what the model holds ---------------------------------------------------------------------

    def in_state(self, state: NoteState) -> list[int]:
        return sorted(tag for tag, lot in self.ledger.lots.items() if lot.state is state)

    def active_of(self, holder: str, min_cobalt_grams: int = 1) -> list[int]:
        """The holder's active lots a transform may spend (every kind but a pack)."""
        return sorted(tag for tag, lot in self.ledger.lots.items()
                      if lot.owner == holder and lot.state is NoteState.ACTIVE and lot.cobalt_grams >= min_cobalt_grams
                      and lot.kind != PACK)

    def transformers(self) -> list[str]:
        """Holders whose facility transforms lots and who hold an active one they can split."""
        return [name for name in HANDLERS if self.ledger.world.facilities[name].facility_type in MADE_KINDS
                and self.active_of(name, min_cobalt_grams=2)]

    def packs(self) -> list[int]:
        """The pack maker's active packs whose batteries have no passport yet."""
        return [tag for tag in self.in_state(NoteState.ACTIVE) if self.ledger.lots[tag].kind == PACK
                and self.ledger.lots[tag].owner == "pack_maker" and tag not in self.ledger.passported]

    def prove(self) -> None:
        assert self.proofs_left > 0
        self.proofs_left -= 1

    # -- origin and custody -----------------------------------------------------------------------

    @precondition(lambda self: self.proofs_left > 0)
    @rule(minter=st.sampled_from(sorted(MINTED_KINDS)), cobalt=st.integers(1_000, 1_000_000), rest=st.integers(0, 2_000_000),
          extra_co2e=st.integers(0, 10**7))
    def mint(self, minter: str, cobalt: int, rest: int, extra_co2e: int) -> None:
        self.prove()
        self.ledger.mint(minter, cobalt, cobalt + rest, extra_co2e)

    @precondition(lambda self: self.proofs_left > 0 and self.in_state(NoteState.ACTIVE))
    @rule(data=st.data())
    def offer(self, data: st.DataObject) -> None:
        tag = data.draw(st.sampled_from(self.in_state(NoteState.ACTIVE)), label="lot")
        receiver = data.draw(st.sampled_from([name for name in HANDLERS if name != self.ledger.lots[tag].owner]), label="receiver")
        self.prove()
        self.ledger.offer(tag, receiver)

    @precondition(lambda self: self.proofs_left > 0 and self.in_state(NoteState.OFFERED))
    @rule(data=st.data())
    def cancel_offer(self, data: st.DataObject) -> None:
        self.prove()
        self.ledger.cancel(data.draw(st.sampled_from(self.in_state(NoteState.OFFERED)), label="lot"))

    @precondition(lambda self: self.proofs_left > 0 and self.in_state(NoteState.OFFERED))
    @rule(data=st.data(), within=st.booleans())
    def weigh_in(self, data: st.DataObject, within: bool) -> None:
        """Accept within the tolerance, dispute outside it."""
        tag = data.draw(st.sampled_from(self.in_state(NoteState.OFFERED)), label="lot")
        committed = self.ledger.lots[tag].total_grams
        slack = committed * TOLERANCE_BPS // BPS
        if within:
            measured = committed + data.draw(st.integers(-slack, slack), label="deviation")
        else:
            measured = data.draw(st.one_of(st.integers(0, committed - slack - 1), st.integers(committed + slack + 1, 2 * committed)),
                                 label="measured")
        self.prove()
        self.ledger.weigh_in(tag, measured)

    @precondition(lambda self: self.proofs_left > 0 and self.in_state(NoteState.DISPUTED))
    @rule(data=st.data(), deliver=st.booleans())
    def resolve_dispute(self, data: st.DataObject, deliver: bool) -> None:
        self.prove()
        self.ledger.resolve(data.draw(st.sampled_from(self.in_state(NoteState.DISPUTED)), label="lot"), deliver)

    @precondition(lambda self: self.ledger.lots)
    @rule(data=st.data())
    def an_outsider_is_refused_before_proving(self, data: st.DataObject) -> None:
        """A party that neither holds nor offered a lot cannot see its note, so the SDK refuses to
        offer or accept it without proving or sending anything. (The one step left once an example's
        proofs are spent, and the one hypothesis's simplest example repeats: a cheap one.)"""
        tag = data.draw(st.sampled_from(sorted(self.ledger.lots)), label="lot")
        lot, world = self.ledger.lots[tag], self.ledger.world
        outsider = data.draw(st.sampled_from([name for name in HANDLERS if name not in (lot.owner, lot.counterparty)]), label="outsider")
        block = world.chain.w3.eth.block_number
        with pytest.raises(UnknownLotError):
            self.ledger.clients[outsider].offer(tag, world.clients[lot.owner].address)
        with pytest.raises(UnknownLotError):
            self.ledger.clients[outsider].accept(tag, lot.total_grams)
        assert world.chain.w3.eth.block_number == block

    # -- transforms and packs ---------------------------------------------------------------------

    @precondition(lambda self: self.proofs_left > 0 and self.transformers())
    @rule(data=st.data())
    def transform(self, data: st.DataObject) -> None:
        """Split a lot in two or merge two into one at a facility its holder operates, with figures
        note_transform.py's rules accept: a loss within the facility's yield bound, a kind its type
        makes or an input's, process CO2e at or above its floor per kg processed."""
        holder = data.draw(st.sampled_from(self.transformers()), label="holder")
        held = self.active_of(holder)
        if len(held) >= 2 and data.draw(st.booleans(), label="merge"):
            tags = data.draw(st.lists(st.sampled_from(held), min_size=2, max_size=2, unique=True), label="lots")
        else:
            tags = [data.draw(st.sampled_from(self.active_of(holder, min_cobalt_grams=2)), label="lot")]
        site, lots = self.ledger.world.facilities[holder], [self.ledger.lots[tag] for tag in tags]
        cobalt_in = sum(lot.cobalt_grams for lot in lots)
        cobalt_out = cobalt_in - data.draw(st.integers(0, cobalt_in * site.max_yield_loss_bps // BPS), label="loss")
        shares = [cobalt_out] if len(tags) == 2 else [cut := data.draw(st.integers(1, cobalt_out - 1), label="cut"), cobalt_out - cut]
        # The model's lots hold cobalt alone: an output kind that may hold it (no lithium carbonate).
        kinds = {kind for kind in MADE_KINDS[site.facility_type] | {lot.kind for lot in lots} if kind_may_hold(kind, 0)}
        kind = data.draw(st.sampled_from(sorted(kinds)), label="kind")
        made = [(kind, share, share + data.draw(st.integers(0, 2 * share), label="rest")) for share in shares]
        floor = -(-site.co2e_floor_grams_per_kg * sum(lot.total_grams for lot in lots) // 1000)
        self.prove()
        self.ledger.transform(holder, tags, made, floor + data.draw(st.integers(0, 10**7), label="process co2e"))

    @precondition(lambda self: self.proofs_left > 0 and self.packs())
    @rule(data=st.data())
    def issue_passport(self, data: st.DataObject) -> None:
        tag = data.draw(st.sampled_from(self.packs()), label="pack")
        self.prove()
        self.ledger.issue_passport(tag)
        passports = self.ledger.world.clients["pack_maker"].passports.functions
        assert passports.passport(tag).call()[0] == PassportStatus.ORIGINAL

    # -- once per example -------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            # Checked only when the example passed so far: a failure of these would hide its cause.
            if sys.exc_info()[0] is None:
                self._a_spent_note_cannot_be_spent_again()
                for party in self.ledger.parties.values():
                    party.sync()
                    assert rescanned(party) == party.store.notes()
        finally:
            self._isolation.close()

    def _a_spent_note_cannot_be_spent_again(self) -> None:
        """The latest custody request relayed (this example's, else the pool's), built again from its
        request, proof and openings and sent by hand from a funded account: LedgerNullifierSpent. The
        relayer, given it again, answers that it landed, where it did."""
        ledger, contract = self.ledger, self.ledger.parties["auditor"].contract
        relayed = ledger.relayer.relayed
        custody = [(record, arguments) for record in relayed[:self.pool.relayed] + relayed[self.first_relayed:]
                   for function, arguments in [contract.decode_function_input(record.calldata)] if function.fn_name == "custody"
                   # a root 64 notes old is forgotten, and the ledger would refuse the call for that first
                   and ledger.world.chain.call(contract.functions.isKnownNoteRoot(arguments["request"]["noteRoot"]))]
        record, arguments = custody[-1]
        request, proof = arguments["request"], arguments["proof"]
        nullifier = request["nullifier"]
        assert ledger.world.chain.call(contract.functions.isSpent(nullifier))
        # The decoder gives the structs as dicts in the ABI's order; the encoder takes tuples.
        call = contract.functions.custody(tuple(request.values()), tuple(proof.values()), arguments["encryptedOpenings"])
        assert call._encode_transaction_data() == record.calldata
        with pytest.raises(RevertedError) as refused:
            ledger.world.chain.transact(ledger.world.clients[PASSPORT_STAND_IN].signer, call, "spend a spent note again")
        assert (refused.value.error_name, refused.value.arguments) == ("LedgerNullifierSpent", {"nullifier": nullifier})
        again = RelayerClient(ledger.relayer.url).submit(contract.address, record.calldata)
        assert again.already_landed and again.transaction_hash == record.transaction


def test_the_shielded_lifecycle_keeps_the_invariants(pool):
    ShieldedLedgerMachine.pool = pool
    run_state_machine_as_test(ShieldedLedgerMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]))

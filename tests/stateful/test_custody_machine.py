"""Custody, transformations and passports as a hypothesis state machine on the real anvil.

Hypothesis drives the SDK through random sequences of offers, cancellations, weigh-ins within and
outside tolerance, dispute resolutions, split/merge/refine transformations, occasional mints and
passport issuance, while a model keeps every lot's opening, custodian and status. After every step
the chain is checked against the model and against the conservation rules of the design.

Proofs are slow, so a pool of lots (raw bags at several holders, a clean and a flagged pack) is
minted once for the module and every example starts from a snapshot of it; proofs per example are
capped. ``BATTERYTRACE_STATEFUL_EXAMPLES`` and ``BATTERYTRACE_STATEFUL_STEPS`` set the run's size
(``make audit`` runs 400 x 25 = 10,000 operations); ``BATTERYTRACE_STATEFUL_PROOFS`` caps the proven
operations (mint, transform, passport) per example.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from batterytrace.exceptions import LotStateError, NotCustodianError, NotPendingReceiverError, OpeningError, ProofError
from batterytrace.model.facilities import MADE_KINDS
from batterytrace.model.lots import BPS, DisputeOutcome, LotStatus, MaterialKind, OutputPlan
from batterytrace.model.passports import passport_id_for
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import PassportRequest, issue_passports
from batterytrace.sdk.store import OpeningStore
from batterytrace.zk.commitment import Opening
from tests.conftest import isolated
from tests.helpers.flows import battery_id, deliver, mint_at

EXAMPLES = int(os.environ.get("BATTERYTRACE_STATEFUL_EXAMPLES", "5"))
STEPS = int(os.environ.get("BATTERYTRACE_STATEFUL_STEPS", "25"))
PROOFS_PER_EXAMPLE = int(os.environ.get("BATTERYTRACE_STATEFUL_PROOFS", "3"))

HANDLERS = ("miner", "artisanal_miner", "refiner", "cathode_maker", "cell_maker", "pack_maker", "oem", "recycler")
TRANSFORMERS = ("refiner", "cathode_maker", "cell_maker", "pack_maker", "oem", "recycler")
MINTERS = ("miner", "artisanal_miner", "recycler")
ISSUERS = ("pack_maker", "oem")
LIVE = (LotStatus.ACTIVE, LotStatus.IN_TRANSIT, LotStatus.DISPUTED)
TOLERANCE_BPS = 50
MAX_YIELD_LOSS_BPS = 500  # what conftest's auditor sets for every transforming facility
FORBIDDEN = RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS | RiskFlag.CONFLICT_AREA


@dataclass
class ModelLot:
    """What the model believes about one lot."""

    opening: Opening
    custodian: str
    kind: MaterialKind
    status: LotStatus = LotStatus.ACTIVE
    pending: str | None = None


@dataclass
class TransformRecord:
    inputs: tuple[Opening, ...]
    outputs: tuple[Opening, ...]
    process_co2e_grams: int


@dataclass
class Pool:
    """The module's pre-minted lots, and the snapshot every example starts from."""

    world: Any
    snapshot: str
    lots: dict[int, ModelLot]
    origin_openings: list[Opening]
    transforms: list[TransformRecord] = field(default_factory=list)

    def rewind(self) -> None:
        """Back to the pool's state: chain, nonce caches and every client's opening store."""
        chain = self.world.chain
        chain.w3.provider.make_request("evm_revert", [self.snapshot])
        self.snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
        for client in self.world.clients.values():
            client.store = OpeningStore(":memory:")
        for lot_id, lot in self.lots.items():
            # a disputing receiver kept the opening when it weighed the lot, as the SDK does
            keepers = (lot.custodian, lot.pending) if lot.status is LotStatus.DISPUTED else (lot.custodian,)
            for keeper in keepers:
                self.world.clients[keeper].store.put(chain.chain_id, self.world.deployment.lots, lot_id, lot.opening)


@pytest.fixture(scope="module")
def pool(session_world, chain) -> Iterator[Pool]:
    with isolated(session_world) as world:
        minted = [
            ("miner", mint_at(world, "miner", "SM-BAG-1")),
            ("miner", mint_at(world, "miner", "SM-BAG-2", cobalt_grams=91, total_grams=300, co2e_grams=5_000)),
            ("miner", mint_at(world, "miner", "SM-BAG-3", cobalt_grams=12_345, total_grams=40_000, co2e_grams=99_000)),
            ("miner", mint_at(world, "miner", "SM-BAG-4")),
            ("miner", mint_at(world, "miner", "SM-BAG-5", cobalt_grams=5_300, total_grams=15_000, co2e_grams=53_000)),
            ("artisanal_miner", mint_at(world, "artisanal_miner", "SM-ASM-1", cobalt_grams=60_000, total_grams=200_000,
                                        co2e_grams=600_000)),
            ("recycler", mint_at(world, "recycler", "SM-BM-1", kind=MaterialKind.BLACK_MASS, cobalt_grams=50_000,
                                 total_grams=500_000, co2e_grams=300_000)),
        ]
        lots = {result.lot_id: ModelLot(result.opening, who, MaterialKind.COBALT_HYDROXIDE) for who, result in minted}
        lots[minted[-1][1].lot_id].kind = MaterialKind.BLACK_MASS
        for index, receiver in ((1, "refiner"), (2, "cell_maker"), (3, "pack_maker"), (4, "pack_maker"), (5, "pack_maker")):
            lot_id = minted[index][1].lot_id
            deliver(world, lot_id, minted[index][0], receiver)
            lots[lot_id].custodian = receiver
        transforms = []
        for source_index, name in ((4, "SM-PACK-CLEAN"), (5, "SM-PACK-FLAGGED")):
            source = lots[minted[source_index][1].lot_id]
            cobalt = source.opening.cobalt_grams
            result = world.pack_maker.transform(
                [minted[source_index][1].lot_id], [OutputPlan(name, MaterialKind.PACK, cobalt, source.opening.total_grams)],
                world.facilities["pack_maker"].facility_id, process_co2e_grams=2_000,
            )
            source.status = LotStatus.CONSUMED
            lots[result.output_lot_ids[0]] = ModelLot(result.openings[0], "pack_maker", MaterialKind.PACK)
            transforms.append(TransformRecord((source.opening,), result.openings, 2_000))
        # a lot already on its way and one already disputed, so cancels and resolutions start at step one
        for name, receiver, measured in (("SM-BAG-6", "refiner", None), ("SM-BAG-7", "cathode_maker", 1)):
            bag = mint_at(world, "miner", name, cobalt_grams=33_000, total_grams=100_000, co2e_grams=330_000)
            world.miner.offer(bag.lot_id, world.clients[receiver].address)
            lots[bag.lot_id] = ModelLot(bag.opening, "miner", MaterialKind.COBALT_HYDROXIDE, LotStatus.IN_TRANSIT, receiver)
            if measured is not None:
                world.clients[receiver].accept(bag.lot_id, measured)
                lots[bag.lot_id].status = LotStatus.DISPUTED
            minted.append(("miner", bag))
        snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
        yield Pool(world, snapshot, lots, [result.opening for _who, result in minted], transforms)


class CustodyMachine(RuleBasedStateMachine):
    """The model: every lot's opening, custodian, status and pending receiver; passports; totals."""

    pool: ClassVar[Pool]

    def __init__(self) -> None:
        super().__init__()
        self.pool.rewind()
        self.world = self.pool.world
        self.reader = self.world.stranger
        self.lots = {lot_id: ModelLot(lot.opening, lot.custodian, lot.kind, lot.status, lot.pending)
                     for lot_id, lot in self.pool.lots.items()}
        self.origin_openings = list(self.pool.origin_openings)
        self.transforms = list(self.pool.transforms)
        self.passports: dict[int, int] = {}
        self.proofs_left = PROOFS_PER_EXAMPLE
        self._checked: dict[str, int] = {}
        self._first_history = True
        self.touched: set[int] = set()
        # Names (so lot ids) restart with every example, as the chain does: the same choices draw
        # from the same lots, which hypothesis needs to replay and shrink an example.
        self.names = itertools.count()

    # -- helpers ----------------------------------------------------------------------------------

    def client(self, name: str) -> Any:
        return self.world.clients[name]

    def address(self, name: str) -> str:
        return self.world.clients[name].address

    def lots_in(self, *statuses: LotStatus) -> list[int]:
        return sorted(lot_id for lot_id, lot in self.lots.items() if lot.status in statuses)

    def active_of(self, holder: str) -> list[int]:
        return sorted(lot_id for lot_id, lot in self.lots.items() if lot.custodian == holder and lot.status is LotStatus.ACTIVE)

    def transformers_with_lots(self) -> list[str]:
        return [name for name in TRANSFORMERS if self.active_of(name)]

    def issuable_packs(self) -> list[int]:
        return [lot_id for lot_id, lot in self.lots.items()
                if lot.kind is MaterialKind.PACK and lot.status is LotStatus.ACTIVE and lot.custodian in ISSUERS]

    def _draw_inputs(self, data: st.DataObject, transformer: str) -> list[int]:
        held = self.active_of(transformer)
        return data.draw(st.lists(st.sampled_from(held), min_size=1, max_size=min(4, len(held)), unique=True), label="inputs")

    # -- custody ----------------------------------------------------------------------------------

    @precondition(lambda self: self.lots_in(LotStatus.ACTIVE))
    @rule(data=st.data())
    def offer(self, data: st.DataObject) -> None:
        lot_id = data.draw(st.sampled_from(self.lots_in(LotStatus.ACTIVE)), label="lot")
        lot = self.lots[lot_id]
        receiver = data.draw(st.sampled_from([name for name in HANDLERS if name != lot.custodian]), label="receiver")
        self.client(lot.custodian).offer(lot_id, self.address(receiver))
        lot.status, lot.pending = LotStatus.IN_TRANSIT, receiver
        self.touched.add(lot_id)

    @precondition(lambda self: self.lots_in(LotStatus.IN_TRANSIT))
    @rule(data=st.data())
    def cancel_offer(self, data: st.DataObject) -> None:
        lot_id = data.draw(st.sampled_from(self.lots_in(LotStatus.IN_TRANSIT)), label="lot")
        lot = self.lots[lot_id]
        self.client(lot.custodian).cancel_offer(lot_id)
        lot.status, lot.pending = LotStatus.ACTIVE, None
        self.touched.add(lot_id)

    @precondition(lambda self: self.lots_in(LotStatus.IN_TRANSIT))
    @rule(data=st.data(), within=st.booleans())
    def weigh_in(self, data: st.DataObject, within: bool) -> None:
        lot_id = data.draw(st.sampled_from(self.lots_in(LotStatus.IN_TRANSIT)), label="lot")
        lot = self.lots[lot_id]
        committed = lot.opening.total_grams
        slack = committed * TOLERANCE_BPS // BPS
        if within:
            measured = committed + data.draw(st.integers(-slack, slack), label="deviation")
        else:
            measured = data.draw(st.one_of(st.integers(0, committed - slack - 1) if committed - slack - 1 >= 0 else st.nothing(),
                                           st.integers(committed + slack + 1, 2 * committed + slack + 1)), label="measured")
        result = self.client(lot.pending).accept(lot_id, measured, tolerance_bps=TOLERANCE_BPS, evidence=f"scale-{measured}")
        assert result.accepted is within
        self.touched.add(lot_id)
        if within:
            lot.custodian, lot.status, lot.pending = lot.pending, LotStatus.ACTIVE, None
        else:
            lot.status = LotStatus.DISPUTED

    @precondition(lambda self: self.lots_in(LotStatus.DISPUTED))
    @rule(data=st.data(), outcome=st.sampled_from(DisputeOutcome))
    def resolve_dispute(self, data: st.DataObject, outcome: DisputeOutcome) -> None:
        lot_id = data.draw(st.sampled_from(self.lots_in(LotStatus.DISPUTED)), label="lot")
        lot = self.lots[lot_id]
        self.world.auditor.resolve_dispute(lot_id, outcome, "re-weighing")
        self.touched.add(lot_id)
        if outcome is DisputeOutcome.DELIVER_TO_RECEIVER:
            lot.custodian = lot.pending
        lot.status, lot.pending = LotStatus.ACTIVE, None

    @rule(data=st.data())
    def someone_else_tries_to_move_a_lot(self, data: st.DataObject) -> None:
        """Offers and weigh-ins by anyone but the custodian or the pending receiver change nothing."""
        lot_id = data.draw(st.sampled_from(sorted(self.lots)), label="lot")
        lot = self.lots[lot_id]
        intruder = data.draw(st.sampled_from([name for name in HANDLERS if name not in (lot.custodian, lot.pending)]), label="intruder")
        block = self.world.chain.w3.eth.block_number
        with pytest.raises(NotCustodianError):
            self.client(intruder).offer(lot_id, self.address(lot.custodian))
        # In transit to someone else: not the receiver; otherwise (active, disputed): the wrong status.
        with pytest.raises(NotPendingReceiverError if lot.status is LotStatus.IN_TRANSIT else LotStateError):
            self.client(intruder).accept(lot_id, lot.opening.total_grams)
        assert self.world.chain.w3.eth.block_number == block

    # -- transformations --------------------------------------------------------------------------

    @precondition(lambda self: self.proofs_left > 0 and self.transformers_with_lots())
    @rule(data=st.data())
    def transform(self, data: st.DataObject) -> None:
        transformer = data.draw(st.sampled_from(self.transformers_with_lots()), label="transformer")
        inputs = self._draw_inputs(data, transformer)
        openings = [self.lots[lot_id].opening for lot_id in inputs]
        cobalt_in = sum(opening.cobalt_grams for opening in openings)
        loss = data.draw(st.integers(0, cobalt_in * MAX_YIELD_LOSS_BPS // BPS), label="loss")
        cobalt_out = cobalt_in - loss
        count = data.draw(st.integers(1, min(4, cobalt_out)), label="outputs")
        cuts = sorted(data.draw(st.lists(st.integers(1, cobalt_out - 1), min_size=count - 1, max_size=count - 1, unique=True),
                                label="cuts")) if count > 1 else []
        shares = [upper - lower for lower, upper in zip([0, *cuts], [*cuts, cobalt_out], strict=True)]
        site = self.world.facilities[transformer]
        allowed = sorted(MADE_KINDS.get(site.facility_type, frozenset()) | {self.lots[lot_id].kind for lot_id in inputs})
        kind = data.draw(st.sampled_from(allowed), label="kind")
        plans = [OutputPlan(f"SM-OUT-{next(self.names)}", kind, share, share + data.draw(st.integers(0, 3 * share), label="rest"))
                 for share in shares]
        process = data.draw(st.integers(0, 10_000_000), label="process co2e")
        self.proofs_left -= 1
        result = self.client(transformer).transform(inputs, plans, self.world.facilities[transformer].facility_id, process)
        assert len(result.output_lot_ids) == count
        for lot_id in inputs:
            self.lots[lot_id].status = LotStatus.CONSUMED
        for lot_id, opening in zip(result.output_lot_ids, result.openings, strict=True):
            assert lot_id not in self.lots
            self.lots[lot_id] = ModelLot(opening, transformer, kind)
        self.transforms.append(TransformRecord(tuple(openings), result.openings, process))
        self.touched.update(inputs, result.output_lot_ids)

    @precondition(lambda self: self.transformers_with_lots())
    @rule(data=st.data(), creates_cobalt=st.booleans())
    def transform_outside_the_rules_is_refused_before_proving(self, data: st.DataObject, creates_cobalt: bool) -> None:
        transformer = data.draw(st.sampled_from(self.transformers_with_lots()), label="transformer")
        inputs = self._draw_inputs(data, transformer)
        cobalt_in = sum(self.lots[lot_id].opening.cobalt_grams for lot_id in inputs)
        largest_loss = cobalt_in * MAX_YIELD_LOSS_BPS // BPS
        if creates_cobalt or cobalt_in - largest_loss - 1 < 1:
            cobalt_out = cobalt_in + data.draw(st.integers(1, 10**6), label="excess")
        else:
            cobalt_out = data.draw(st.integers(1, cobalt_in - largest_loss - 1), label="cobalt out")
        block = self.world.chain.w3.eth.block_number
        with pytest.raises(OpeningError):
            self.client(transformer).transform(inputs, [OutputPlan(f"SM-BAD-{next(self.names)}", self.lots[inputs[0]].kind,
                                                                   cobalt_out, cobalt_out)],
                                               self.world.facilities[transformer].facility_id)
        assert self.world.chain.w3.eth.block_number == block

    # -- origin and passports ---------------------------------------------------------------------

    @precondition(lambda self: self.proofs_left > 0)
    @rule(minter=st.sampled_from(MINTERS), cobalt=st.integers(1, 10**6), rest=st.integers(0, 2 * 10**6),
          co2e=st.integers(0, 10**8))
    def mint(self, minter: str, cobalt: int, rest: int, co2e: int) -> None:
        site = self.world.facilities[minter]
        floor = self.reader.co2e_floor(site.facility_type)
        co2e = max(co2e, -(-cobalt * floor // 1000))
        kind = MaterialKind.BLACK_MASS if minter == "recycler" else MaterialKind.COBALT_HYDROXIDE
        self.proofs_left -= 1
        result = self.client(minter).mint_origin(site.facility_id, f"SM-MINT-{next(self.names)}", kind, cobalt, cobalt + rest, co2e)
        assert result.created and result.lot_id not in self.lots
        self.lots[result.lot_id] = ModelLot(result.opening, minter, kind)
        self.origin_openings.append(result.opening)
        self.touched.add(result.lot_id)

    @precondition(lambda self: self.proofs_left > 0 and self.issuable_packs())
    @rule(data=st.data())
    def issue_passport(self, data: st.DataObject) -> None:
        pack = data.draw(st.sampled_from(self.issuable_packs()), label="pack")
        lot = self.lots[pack]
        serial = f"sm-battery-{next(self.names)}"
        battery = battery_id(serial, issuer=lot.custodian)  # under the holder's own company prefix
        request = PassportRequest(pack, battery, f"https://passports.example/{serial}", bytes(32), 75_000)
        if lot.opening.risk_flags & FORBIDDEN:
            with pytest.raises(ProofError, match="forbid"):
                issue_passports(self.client(lot.custodian), [request])
            return
        self.proofs_left -= 1
        (issued,) = issue_passports(self.client(lot.custodian), [request])
        assert issued.passport_id == passport_id_for(battery)
        lot.status = LotStatus.CONSUMED
        self.passports[issued.passport_id] = pack
        self.touched.add(pack)

    @precondition(lambda self: self.passports)
    @rule(data=st.data())
    def a_pack_backs_one_passport_only(self, data: st.DataObject) -> None:
        pack = data.draw(st.sampled_from(sorted(self.passports.values())), label="pack")
        holder = self.lots[pack].custodian
        request = PassportRequest(pack, battery_id(f"sm-again-{next(self.names)}", issuer=holder), "https://passports.example/again",
                                  bytes(32), 75_000)
        with pytest.raises(LotStateError, match="CONSUMED"):
            issue_passports(self.client(holder), [request])

    # -- invariants -------------------------------------------------------------------------------

    def _block_changed(self, check: str) -> bool:
        """Whether the chain moved since ``check`` last ran: chain reads are skipped when it did not."""
        block = self.world.chain.w3.eth.block_number
        if self._checked.get(check) == block:
            return False
        self._checked[check] = block
        return True

    def _chain_records(self) -> dict[int, tuple[Any, str]]:
        """Every model lot's ``lot()`` record and ``ownerOf``, read in one JSON-RPC batch."""
        functions = self.reader.lots.functions
        lot_ids = sorted(self.lots)
        with self.world.chain.w3.batch_requests() as batch:
            for lot_id in lot_ids:
                batch.add(functions.lot(lot_id))
                batch.add(functions.ownerOf(lot_id))
            results = batch.execute()
        return {lot_id: (results[2 * index], str(results[2 * index + 1])) for index, lot_id in enumerate(lot_ids)}

    @invariant()
    def every_lot_has_one_custodian_or_is_consumed_and_matches_the_model(self) -> None:
        if not self._block_changed("custody"):
            return
        for lot_id, (raw, owner) in self._chain_records().items():
            model = self.lots[lot_id]
            _creator, _facility, _created, kind, status, _model, _schemes, commitment, _tag, pending = raw
            assert LotStatus(status) is model.status, f"lot {lot_id:#x}: chain {LotStatus(status).name}, model {model.status.name}"
            assert owner == self.address(model.custodian), f"lot {lot_id:#x}"
            assert MaterialKind(kind) is model.kind
            assert commitment == model.opening.commitment
            if model.status in (LotStatus.IN_TRANSIT, LotStatus.DISPUTED):
                assert pending == self.address(model.pending) != owner
            else:
                assert int(pending, 16) == 0

    @invariant()
    def no_lot_exists_without_a_lot_created_event(self) -> None:
        if not self._block_changed("created"):
            return
        lots = self.reader.lots
        start = self.world.deployment.block_number
        created = [int(log["args"]["lotId"]) for log in lots.events.LotCreated().get_logs(from_block=start)]
        minted = [int(log["args"]["tokenId"]) for log in lots.events.Transfer().get_logs(
            argument_filters={"from": "0x" + "00" * 20}, from_block=start)]
        assert len(created) == len(set(created))
        assert Counter(created) == Counter(minted)
        assert set(created) == set(self.lots)

    def _check_history(self, lot_ids: Iterable[int]) -> None:
        for lot_id in lot_ids:
            model = self.lots[lot_id]
            events = self.reader.history(lot_id)
            names = [event.name for event in events]
            # the mint's Transfer comes first (ERC721 _mint), then LotCreated, then the rest of its life
            assert names[:2] == ["Transfer", "LotCreated"] and names.count("LotCreated") == 1, names
            transfers = [event for event in events if event.name == "Transfer"]
            assert transfers[-1].arguments["to"] == self.address(model.custodian)
            changes = [event for event in events if event.name == "LotStatusChanged"]
            assert LotStatus(changes[-1].arguments["newStatus"] if changes else LotStatus.ACTIVE) is model.status
            assert names.count("LotLockedForPassport") == (1 if lot_id in self.passports.values() else 0)

    @invariant()
    def history_from_events_equals_the_contract_state(self) -> None:
        """Every lot on the first check and at teardown; in between the lots the last step touched,
        since only they can have new events (the custody invariant reads every lot each step)."""
        if not self._block_changed("history"):
            return
        self._check_history(sorted(self.lots) if self._first_history else sorted(self.touched))
        self._first_history = False
        self.touched.clear()

    def teardown(self) -> None:
        self._check_history(sorted(self.lots))

    @invariant()
    def live_cobalt_never_exceeds_minted_cobalt(self) -> None:
        live = [lot.opening for lot in self.lots.values() if lot.status in LIVE]
        origin = self.origin_openings
        assert sum(o.cobalt_grams for o in live) <= sum(o.cobalt_grams for o in origin)
        assert sum(o.certified_cobalt_grams for o in live) <= sum(o.certified_cobalt_grams for o in origin)
        assert sum(o.recycled_cobalt_grams for o in live) <= sum(o.recycled_cobalt_grams for o in origin)

    @invariant()
    def certified_and_recycled_never_exceed_cobalt(self) -> None:
        for lot in self.lots.values():
            opening = lot.opening
            assert opening.certified_cobalt_grams <= opening.cobalt_grams <= opening.total_grams
            assert opening.recycled_cobalt_grams <= opening.cobalt_grams

    @invariant()
    def co2e_is_never_lost_across_a_transform(self) -> None:
        for record in self.transforms:
            assert sum(o.co2e_grams for o in record.outputs) >= sum(o.co2e_grams for o in record.inputs) + record.process_co2e_grams
            cobalt_in = sum(o.cobalt_grams for o in record.inputs)
            assert sum(o.cobalt_grams for o in record.outputs) * BPS >= cobalt_in * (BPS - MAX_YIELD_LOSS_BPS)
            flags = RiskFlag.NONE
            for opening in record.inputs:
                flags |= opening.risk_flags
            assert all(o.risk_flags == flags for o in record.outputs)

    @invariant()
    def no_pack_lot_backs_two_passports(self) -> None:
        if not self._block_changed("passports"):
            return
        passports = self.reader.passports
        packs = [int(log["args"]["packLotId"]) for log in passports.events.PassportIssued().get_logs(
            from_block=self.world.deployment.block_number)]
        assert len(packs) == len(set(packs))
        assert sorted(packs) == sorted(self.passports.values())
        for passport_id, pack in self.passports.items():
            assert passports.functions.passport(passport_id).call()[0] == pack


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, stateful_step_count=STEPS, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


def test_custody_transformations_and_passports_keep_the_invariants(pool):
    CustodyMachine.pool = pool
    run_state_machine_as_test(CustodyMachine, settings=_settings(EXAMPLES))

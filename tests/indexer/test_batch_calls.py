"""``PassportBatchIssued`` by hand, with no node and no proof: the log and the ``issueBatch`` calldata
are encoded here from the shipped ABI and decoded by the deployment's event decoder, as the indexer
stores them. A batch's passport rows come from the call's entries; a call whose entries do not hash
to the event's records, whose request is not the event's, or whose count is not the event's, is
refused, and nothing of it is written."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from eth_abi import encode
from eth_utils import event_abi_to_log_topic, to_checksum_address
from eth_utils.abi import get_abi_input_types
from web3 import Web3

from batterytrace.evm.artifacts import load
from batterytrace.evm.events import DecodedEvent, EventDecoder
from batterytrace.exceptions import PassportError
from batterytrace.indexer.database import DERIVED_TABLES, Database, uint_key
from batterytrace.indexer.handlers import apply, stored_event
from batterytrace.indexer.queries import IndexQueries
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.sdk.passport_batches import entries_from_call, passport_bounds, proof_from_call
from batterytrace.zk.contexts import records_hash
from batterytrace.zk.pack_batch import BatchClaims, MetalShares
from tests.helpers.flows import battery_id

ABI = load("BatteryPassport").abi
PASSPORT = to_checksum_address("0x" + "5a" * 20)
OPERATOR = to_checksum_address("0x" + "0b" * 20)
RECEIVER = to_checksum_address("0x" + "0c" * 20)
ZERO = "0x" + "00" * 20
TRANSACTION = "0x" + "ab" * 32
BLOCK, BLOCK_HASH, TIMESTAMP = 7, "0x" + "01" * 32, 1_767_000_000
BATCH, NOTE_ROOT, PARTICIPANTS_ROOT = 3, 1234, 5678
CLAIMS = BatchClaims((MetalShares(9_000, 100, 200), MetalShares(), MetalShares(5_000, 0, 0)), 11_000, 900, 75_000, 7)
PROOF = ((1, 2), ((3, 4), (5, 6)), (7, 8))
ENTRIES = [
    (battery_id("HAND-1"), [5_250, 0, 40], b"\x11" * 32, b"\x12" * 32, b"\x13" * 32),
    (battery_id("HAND-2"), [5_300, 0, 0], b"\x21" * 32, bytes(32), bytes(32)),
]


def _abi(name: str) -> dict:
    return next(item for item in ABI if item.get("type") == "event" and item["name"] == name)


def _records(entries) -> bytes:
    return records_hash([(passport_id_for(battery), tuple(grams), document, interest, authorities)
                         for battery, grams, document, interest, authorities in entries])


def _event(name: str, log_index: int, topics: list[bytes], data: bytes) -> DecodedEvent:
    log = {"address": PASSPORT, "topics": [event_abi_to_log_topic(_abi(name)), *topics], "data": data,
           "blockNumber": BLOCK, "blockHash": bytes.fromhex(BLOCK_HASH[2:]), "transactionHash": bytes.fromhex(TRANSACTION[2:]),
           "logIndex": log_index, "transactionIndex": 0}
    decoded = EventDecoder(Web3(), [("passport", PASSPORT, ABI)]).decode(log)
    assert isinstance(decoded, DecodedEvent) and decoded.name == name
    return stored_event(decoded)


def _word(value: int | str) -> bytes:
    return (int(value, 16) if isinstance(value, str) else value).to_bytes(32, "big")


def batch_event(log_index: int = 2, records: bytes | None = None, passports: int = len(ENTRIES)) -> DecodedEvent:
    # The event's data: its arguments after the two indexed ones (batch, economicOperator).
    data = encode(get_abi_input_types(_abi("PassportBatchIssued"))[2:],
                  [_records(ENTRIES) if records is None else records, passports])
    return _event("PassportBatchIssued", log_index, [_word(BATCH), _word(OPERATOR)], data)


def transfer_event(log_index: int, sender: str, receiver: str, battery: str) -> DecodedEvent:
    return _event("Transfer", log_index, [_word(sender), _word(receiver), _word(passport_id_for(battery))], b"")


def calldata(entries=ENTRIES, claims: BatchClaims = CLAIMS) -> str:
    return Web3().eth.contract(abi=ABI).encode_abi(
        "issueBatch", [(NOTE_ROOT, PARTICIPANTS_ROOT, claims.as_abi()), [list(entry) for entry in entries], PROOF])


class Queries(IndexQueries):
    def __init__(self, db: Database) -> None:
        self.db = db


@pytest.fixture
def db() -> Database:
    database = Database(":memory:")
    database.create_schema("31337:by-hand")
    database.execute("INSERT INTO blocks (block_number, block_hash, block_timestamp) VALUES (?, ?, ?)",
                     (BLOCK, BLOCK_HASH, TIMESTAMP))
    return database


def store_call(db: Database, data: str) -> None:
    db.execute("INSERT INTO calls (transaction_hash, block_number, sender, recipient, input) VALUES (?, ?, ?, ?, ?)",
               (TRANSACTION, BLOCK, OPERATOR, PASSPORT, data))


def mints() -> list[DecodedEvent]:
    """The batch's mint transfers, which precede its event in the transaction."""
    return [transfer_event(index, ZERO, OPERATOR, entry[0]) for index, entry in enumerate(ENTRIES)]


def derived(db: Database) -> dict[str, list[tuple]]:
    return {table: db.execute(f"SELECT * FROM {table}") for table in DERIVED_TABLES}


def test_a_batchs_passports_and_batch_row_come_from_its_issuing_call(db):
    store_call(db, calldata())
    with db.transaction():
        for event in [*mints(), batch_event()]:
            apply(db, event)
    queries = Queries(db)
    first, second = (queries.passport(passport_id_for(entry[0])) for entry in ENTRIES)
    for indexed, (battery, grams, document, interest, authorities) in zip((first, second), ENTRIES, strict=True):
        record = indexed.record
        assert (record.battery_id, indexed.battery_id, record.batch, record.economic_operator, record.holder) == (
            battery, battery, BATCH, OPERATOR, OPERATOR)
        assert (record.document_hash, record.legitimate_interest_commitment, record.authorities_commitment) == (
            document, interest, authorities)
        assert (record.status, record.document_uri, int(record.issued_at.timestamp())) == (PassportStatus.ORIGINAL, "", TIMESTAMP)
        assert record.bounds == passport_bounds(tuple(grams), CLAIMS)
        assert (indexed.issued_block, indexed.issued_transaction) == (BLOCK, TRANSACTION)
    [(claims,)] = db.execute("SELECT claims FROM passports WHERE passport_id = ?", (uint_key(first.record.passport_id),))
    assert json.loads(claims) == json.loads(json.dumps(passport_bounds((5_250, 0, 40), CLAIMS).as_tuple()))
    assert first.record.bounds.metals[2].grams == 40 and first.record.bounds.metals[0].min_certified_bps == 9_000

    batch = queries.passport_batch(BATCH)
    decoded = Web3().eth.contract(abi=ABI).decode_function_input(calldata())[1]
    assert batch.entries == entries_from_call(decoded["entries"])
    assert (batch.economic_operator, batch.issued_at, batch.note_root, batch.participants_root, batch.claims) == (
        OPERATOR, TIMESTAMP, NOTE_ROOT, PARTICIPANTS_ROOT, CLAIMS)
    assert batch.records == _records(ENTRIES) and batch.proof == proof_from_call(decoded["proof"])
    assert (batch.transaction_hash, batch.block_number) == (TRANSACTION, BLOCK)
    assert queries.passports_in_batch(BATCH) == sorted([first, second], key=lambda item: item.record.passport_id)

    # A later hand-over moves the holder; the handlers again change nothing.
    apply(db, replace(transfer_event(0, OPERATOR, RECEIVER, ENTRIES[1][0]), block_number=BLOCK + 1))
    assert queries.passport(passport_id_for(ENTRIES[1][0])).record.holder == RECEIVER
    before = derived(db)
    apply(db, batch_event())
    assert derived(db) == before


@pytest.mark.parametrize(("event", "call", "reason"), [
    (batch_event(records=_records([ENTRIES[0]])), calldata(), "not the event's records"),
    (batch_event(), calldata([ENTRIES[0], (ENTRIES[1][0], [5_300, 0, 1], *ENTRIES[1][2:])]), "not the event's records"),
    (batch_event(), calldata([ENTRIES[1], ENTRIES[0]]), "not the event's records"),
    (batch_event(passports=3), calldata(), "not the event's records 0x[0-9a-f]{64} of 3 passports"),
], ids=["records-of-fewer-entries", "other-grams", "other-order", "other-count"])
def test_a_batch_whose_call_does_not_match_its_event_is_refused_and_nothing_written(db, event, call, reason):
    store_call(db, call)
    with pytest.raises(PassportError, match=f"batch {BATCH}: .*{reason}"):
        with db.transaction():
            for item in [*mints(), event]:
                apply(db, item)
    assert derived(db) == {table: [] for table in DERIVED_TABLES}


def test_a_batch_without_an_issuing_call_is_refused(db):
    with pytest.raises(PassportError, match="holds no call of its transaction"):
        apply(db, batch_event())
    store_call(db, Web3().eth.contract(abi=ABI).encode_abi("transferFrom", [OPERATOR, RECEIVER, 1]))
    with pytest.raises(PassportError, match="is no issueBatch call"):
        apply(db, batch_event())
    assert Queries(db).passport_batch(BATCH) is None

"""An index of a deployment's events in SQL, for queries the chain cannot answer cheaply.

The indexer follows the chain and stores every log of the registry, lots and passport contracts
in a raw ``events`` table (one row per log, keyed by block and log index, so re-indexing changes
nothing). Derived tables (lots, parents, transfers, facilities, participants, passports) are a
pure function of the raw events, applied in chain order: after a reorg the indexer deletes the
dropped blocks' events and rebuilds the derived tables from what remains, which is the simplest
way to be sure they match the chain.

SQLite (a file path) is the default; a ``postgresql://`` URL selects PostgreSQL (``psycopg`` 3).
Both run the same SQL, written with ``?`` placeholders and adapted for psycopg.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils import event_abi_to_log_topic, to_checksum_address

from batterytrace.chain import Chain
from batterytrace.commitment import RiskFlag
from batterytrace.deployment import Deployment
from batterytrace.exceptions import ChainError, ConfigurationError
from batterytrace.lots import LotEvent, LotStatus, MaterialKind
from batterytrace.registry import FacilityType, Scheme, schemes_from_mask

if TYPE_CHECKING:
    from batterytrace.client import BatteryTrace

log = logging.getLogger(__name__)

#: Blocks below the confirmed head whose hashes are kept to find a fork point.
DEFAULT_REORG_WINDOW = 64
#: Blocks asked for in one eth_getLogs call.
DEFAULT_CHUNK_BLOCKS = 2_000
_ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
_CONTRACTS = (("registry", "Registry"), ("lots", "BatteryLots"), ("passport", "BatteryPassport"))

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS blocks (
        block_number BIGINT PRIMARY KEY, block_hash TEXT NOT NULL, block_timestamp BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS events (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, block_hash TEXT NOT NULL,
        transaction_hash TEXT NOT NULL, contract TEXT NOT NULL, address TEXT NOT NULL,
        event_name TEXT NOT NULL, args TEXT NOT NULL, PRIMARY KEY (block_number, log_index))""",
    """CREATE TABLE IF NOT EXISTS lots (
        lot_id TEXT PRIMARY KEY, kind INTEGER NOT NULL, creator TEXT NOT NULL, facility_id BIGINT NOT NULL,
        custodian TEXT NOT NULL, status INTEGER NOT NULL, custody_model INTEGER NOT NULL,
        certified_schemes INTEGER NOT NULL, risk_flags INTEGER NOT NULL, commitment TEXT NOT NULL,
        external_id TEXT NOT NULL, tag_id TEXT NOT NULL, pending_receiver TEXT, passport_id TEXT,
        created_block BIGINT NOT NULL, created_transaction TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS lot_parents (
        child_id TEXT NOT NULL, parent_id TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (child_id, parent_id))""",
    """CREATE INDEX IF NOT EXISTS lot_parents_by_parent ON lot_parents (parent_id)""",
    """CREATE INDEX IF NOT EXISTS lots_by_custodian ON lots (custodian)""",
    """CREATE TABLE IF NOT EXISTS lot_events (
        lot_id TEXT NOT NULL, block_number BIGINT NOT NULL, log_index INTEGER NOT NULL,
        PRIMARY KEY (lot_id, block_number, log_index))""",
    """CREATE TABLE IF NOT EXISTS transfers (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, contract TEXT NOT NULL, token_id TEXT NOT NULL,
        from_address TEXT NOT NULL, to_address TEXT NOT NULL, transaction_hash TEXT NOT NULL,
        PRIMARY KEY (block_number, log_index))""",
    """CREATE TABLE IF NOT EXISTS facilities (
        facility_id BIGINT PRIMARY KEY, operator TEXT NOT NULL, facility_type INTEGER NOT NULL,
        country TEXT NOT NULL, site_id TEXT NOT NULL, risk_flags INTEGER NOT NULL,
        max_yield_loss_bps INTEGER NOT NULL, registered_block BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS participants (
        account TEXT PRIMARY KEY, role TEXT NOT NULL, country TEXT NOT NULL, registered_block BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS passports (
        passport_id TEXT PRIMARY KEY, pack_lot_id TEXT NOT NULL, economic_operator TEXT NOT NULL,
        battery_id TEXT NOT NULL, document_uri TEXT NOT NULL, document_hash TEXT NOT NULL,
        status INTEGER NOT NULL, issued_block BIGINT NOT NULL)""",
)
_DERIVED_TABLES = ("lots", "lot_parents", "lot_events", "transfers", "facilities", "participants", "passports")


@dataclass(frozen=True)
class SyncResult:
    """What one ``sync`` did: the block range indexed, the events stored, and any reorg undone."""

    from_block: int
    to_block: int
    events: int
    reorged_from_block: int | None = None

    @property
    def blocks(self) -> int:
        return max(0, self.to_block - self.from_block + 1)


@dataclass(frozen=True)
class LotNode:
    """A lot as a node of the genealogy graph; ``depth`` counts generations back from the queried lot.

    ``risk_flags`` are those the auditors had recorded for the lot's facility when it was created.
    """

    lot_id: int
    kind: MaterialKind
    facility_id: int
    facility_type: FacilityType | None
    country: str
    creator: str
    custodian: str
    status: LotStatus
    certified_schemes: frozenset[Scheme]
    risk_flags: RiskFlag
    parent_ids: tuple[int, ...]
    created_block: int
    depth: int = 0

    @property
    def is_origin(self) -> bool:
        return not self.parent_ids


def _lot_key(lot_id: int) -> str:
    # Fixed-width hex keeps uint256 ids in a TEXT column that sorts and compares like the number.
    return f"0x{lot_id:064x}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


class _Database:
    """A DB-API connection to SQLite or PostgreSQL behind one small interface."""

    def __init__(self, target: str | Path) -> None:
        text = str(target)
        self.lock = threading.RLock()
        if text.startswith(("postgresql://", "postgres://")):
            try:
                import psycopg
            except ImportError:
                raise ConfigurationError("a postgresql:// index needs psycopg: pip install 'psycopg[binary]'") from None
            try:
                self.connection: Any = psycopg.connect(text, autocommit=True)
            except psycopg.Error as error:
                raise ConfigurationError(f"cannot connect to the index database: {error}") from None
            self.postgres = True
        else:
            if text != ":memory:":
                Path(text).parent.mkdir(parents=True, exist_ok=True)
            self.connection = sqlite3.connect(text, isolation_level=None, check_same_thread=False)
            self.connection.execute("PRAGMA journal_mode=WAL" if text != ":memory:" else "PRAGMA journal_mode=MEMORY")
            self.postgres = False

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self.lock:
            cursor = self.connection.execute(sql, tuple(parameters))
            return list(cursor.fetchall()) if cursor.description else []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            if self.postgres:
                with self.connection.transaction():
                    yield
            else:
                self.connection.execute("BEGIN")
                try:
                    yield
                except BaseException:
                    self.connection.execute("ROLLBACK")
                    raise
                self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()


class _ChainMoved(Exception):
    """The node's view changed while a range was being read; the next sync starts over."""


class Indexer:
    """Indexes one deployment into SQL and answers genealogy and custody queries from the index.

    ``source`` is a :class:`~batterytrace.client.BatteryTrace` or a ``(Chain, Deployment)`` pair;
    ``database`` a SQLite path (or ``":memory:"``) or a ``postgresql://`` URL. Only blocks at or
    below ``head - confirmations`` are indexed. Indexing starts at ``start_block`` (default: the
    deployment's block).
    """

    def __init__(
        self,
        source: BatteryTrace | tuple[Chain, Deployment],
        database: str | Path,
        confirmations: int = 0,
        reorg_window: int = DEFAULT_REORG_WINDOW,
        chunk_blocks: int = DEFAULT_CHUNK_BLOCKS,
        start_block: int | None = None,
    ) -> None:
        if isinstance(source, tuple):
            self.chain, self.deployment = source
        else:
            self.chain, self.deployment = source.chain, source.deployment
        if confirmations < 0 or reorg_window < 1 or chunk_blocks < 1:
            raise ConfigurationError("confirmations must be >= 0, reorg_window and chunk_blocks >= 1")
        self.confirmations = confirmations
        self.reorg_window = reorg_window
        self.chunk_blocks = chunk_blocks
        self.start_block = self.deployment.block_number if start_block is None else start_block
        self._events_by_key: dict[tuple[str, bytes], tuple[str, Any]] = {}
        self._addresses: list[str] = []
        for field_name, artifact_name in _CONTRACTS:
            address = to_checksum_address(getattr(self.deployment, field_name))
            contract = self.chain.contract(artifact_name, address)
            self._addresses.append(address)
            for abi in contract.abi:
                if abi["type"] == "event":
                    event = getattr(contract.events, abi["name"])()
                    self._events_by_key[(address, event_abi_to_log_topic(abi))] = (field_name, event)
        self.db = _Database(database)
        self._create_schema()

    # -- set-up -----------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        with self.db.transaction():
            for statement in _SCHEMA:
                self.db.execute(statement)
            identity = f"{self.deployment.chain_id}:{to_checksum_address(self.deployment.lots)}"
            stored = self.db.execute("SELECT value FROM meta WHERE key = 'deployment'")
            if not stored:
                self.db.execute("INSERT INTO meta (key, value) VALUES ('deployment', ?)", (identity,))
            elif stored[0][0] != identity:
                raise ConfigurationError(
                    f"this index holds deployment {stored[0][0]}, not {identity}: use another database"
                )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- cursor -----------------------------------------------------------------------------------

    def cursor(self) -> tuple[int, str | None]:
        """The last indexed block and its hash (``start_block - 1`` and None before the first sync)."""
        rows = self.db.execute("SELECT key, value FROM meta WHERE key IN ('last_block', 'last_hash')")
        values = dict(rows)
        if "last_block" not in values:
            return self.start_block - 1, None
        return int(values["last_block"]), values["last_hash"]

    def _set_cursor(self, block_number: int, block_hash: str | None) -> None:
        for key, value in (("last_block", str(block_number)), ("last_hash", block_hash or "")):
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- following the chain ----------------------------------------------------------------------

    def sync(self) -> SyncResult:
        """Undo any reorg, then index every block up to the confirmed head; return what was done."""
        w3 = self.chain.w3
        reorged_from = self._undo_reorg()
        last, _hash = self.cursor()
        head = int(w3.eth.block_number) - self.confirmations
        first = last + 1
        stored = 0
        while last < head:
            to_block = min(head, last + self.chunk_blocks)
            try:
                stored += self._index_range(last + 1, to_block, head)
            except _ChainMoved as moved:
                log.info("chain moved while indexing blocks %d..%d (%s); the next sync resumes", last + 1, to_block, moved)
                break
            last = to_block
        return SyncResult(first, last, stored, reorged_from)

    def follow(self, poll_seconds: float, stop_event: threading.Event) -> None:
        """Sync every ``poll_seconds`` until ``stop_event`` is set; a node that fails to answer is retried."""
        while not stop_event.is_set():
            try:
                self.sync()
            except ChainError as error:
                log.warning("indexer sync failed, retrying in %.1f s: %s", poll_seconds, error)
            except Exception as error:  # noqa: BLE001 - the transport's own errors vary by provider
                if not _is_transport_error(error):
                    raise
                log.warning("node unreachable, retrying in %.1f s: %s", poll_seconds, error)
            stop_event.wait(poll_seconds)

    def _block(self, number: int) -> tuple[str, int]:
        block = self.chain.w3.eth.get_block(number)
        return "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])

    def _index_range(self, from_block: int, to_block: int, head: int) -> int:
        logs = self.chain.w3.eth.get_logs({"address": self._addresses, "fromBlock": from_block, "toBlock": to_block})
        logs = sorted(logs, key=lambda item: (int(item["blockNumber"]), int(item["logIndex"])))
        block_numbers = {int(item["blockNumber"]) for item in logs}
        block_numbers |= set(range(max(from_block, head - self.reorg_window + 1), to_block + 1))
        block_numbers.add(to_block)
        blocks = {number: self._block(number) for number in sorted(block_numbers)}
        stored = 0
        with self.db.transaction():
            for number, (block_hash, timestamp) in blocks.items():
                self.db.execute(
                    "INSERT INTO blocks (block_number, block_hash, block_timestamp) VALUES (?, ?, ?) "
                    "ON CONFLICT (block_number) DO UPDATE SET block_hash = excluded.block_hash, "
                    "block_timestamp = excluded.block_timestamp",
                    (number, block_hash, timestamp),
                )
            for item in logs:
                number = int(item["blockNumber"])
                block_hash = "0x" + bytes(item["blockHash"]).hex()
                if block_hash != blocks[number][0]:
                    raise _ChainMoved(f"block {number} is {blocks[number][0]} but a log names {block_hash}")
                row = self._decode(item)
                if self.db.execute("SELECT 1 FROM events WHERE block_number = ? AND log_index = ?",
                                   (number, row["log_index"])):
                    continue
                self.db.execute(
                    "INSERT INTO events (block_number, log_index, block_hash, transaction_hash, contract, address, "
                    "event_name, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (number, row["log_index"], block_hash, row["transaction_hash"], row["contract"], row["address"],
                     row["event_name"], json.dumps(row["args"])),
                )
                stored += 1
                self._apply(row["contract"], row["event_name"], row["args"], number, row["log_index"],
                            row["transaction_hash"])
            self._set_cursor(to_block, blocks[to_block][0])
            self.db.execute(
                "DELETE FROM blocks WHERE block_number < ? AND block_number NOT IN (SELECT block_number FROM events)",
                (head - self.reorg_window,),
            )
        return stored

    def _decode(self, item: Any) -> dict[str, Any]:
        address = to_checksum_address(item["address"])
        topics = item["topics"]
        known = self._events_by_key.get((address, bytes(topics[0]))) if topics else None
        row: dict[str, Any] = {
            "log_index": int(item["logIndex"]),
            "transaction_hash": "0x" + bytes(item["transactionHash"]).hex(),
            "address": address,
        }
        if known is None:
            # An event outside the shipped ABIs: keep the raw log so nothing is lost.
            contract = next(name for name, _artifact in _CONTRACTS if to_checksum_address(getattr(self.deployment, name)) == address)
            row.update(contract=contract, event_name="", args={"topics": [_jsonable(topic) for topic in topics],
                                                               "data": _jsonable(item["data"])})
            return row
        contract, event = known
        decoded = event.process_log(item)
        row.update(contract=contract, event_name=decoded["event"], args=_jsonable(dict(decoded["args"])))
        return row

    def _undo_reorg(self) -> int | None:
        """If the last indexed block is no longer on the chain, drop back to the fork point.

        A matching hash at block n vouches for every block before it (each header names its
        parent), so the walk stops at the newest stored block the chain still has.
        """
        last, last_hash = self.cursor()
        if last_hash is None or last < self.start_block:
            return None
        if self._exists(last) and self._block(last)[0] == last_hash:
            return None
        rows = self.db.execute("SELECT block_number, block_hash FROM blocks WHERE block_number < ? ORDER BY block_number DESC",
                               (last,))
        fork_parent = self.start_block - 1
        for number, block_hash in rows:
            if self._exists(number) and self._block(number)[0] == block_hash:
                fork_parent = number
                break
        log.warning("reorg: block %d changed; rolling back to block %d", last, fork_parent)
        with self.db.transaction():
            self.db.execute("DELETE FROM events WHERE block_number > ?", (fork_parent,))
            self.db.execute("DELETE FROM blocks WHERE block_number > ?", (fork_parent,))
            kept_hash = self.db.execute("SELECT block_hash FROM blocks WHERE block_number = ?", (fork_parent,))
            self._set_cursor(fork_parent, kept_hash[0][0] if kept_hash else None)
            self._rebuild_derived()
        return fork_parent + 1

    def _exists(self, number: int) -> bool:
        return number <= int(self.chain.w3.eth.block_number)

    def rebuild(self) -> None:
        """Recompute every derived table from the raw events."""
        with self.db.transaction():
            self._rebuild_derived()

    def _rebuild_derived(self) -> None:
        for table in _DERIVED_TABLES:
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
        rows = self.db.execute(
            "SELECT contract, event_name, args, block_number, log_index, transaction_hash FROM events "
            "ORDER BY block_number, log_index"
        )
        for contract, event_name, args, block_number, log_index, transaction_hash in rows:
            self._apply(contract, event_name, json.loads(args), int(block_number), int(log_index), transaction_hash)

    # -- derived tables: one event at a time, in chain order ----------------------------------------

    def _apply(self, contract: str, name: str, args: dict[str, Any], block: int, log_index: int, transaction: str) -> None:
        execute = self.db.execute

        def touch(lot_id: int) -> None:
            execute("INSERT INTO lot_events (lot_id, block_number, log_index) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (_lot_key(lot_id), block, log_index))

        if contract == "registry":
            if name == "FacilityRegistered":
                execute(
                    "INSERT INTO facilities (facility_id, operator, facility_type, country, site_id, risk_flags, "
                    "max_yield_loss_bps, registered_block) VALUES (?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT DO NOTHING",
                    (args["facilityId"], args["operator"], args["facilityType"], _country(args["country"]),
                     _text(args["siteId"]), block),
                )
            elif name == "RiskFindingRecorded":
                execute("UPDATE facilities SET risk_flags = ? WHERE facility_id = ?", (args["newFlags"], args["facilityId"]))
            elif name == "ProcessParametersSet":
                execute("UPDATE facilities SET max_yield_loss_bps = ? WHERE facility_id = ?",
                        (args["newMaxYieldLossBps"], args["facilityId"]))
            elif name == "ParticipantRegistered":
                execute(
                    "INSERT INTO participants (account, role, country, registered_block) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (args["account"], args["role"], _country(args["country"]), block),
                )
        elif contract == "lots":
            if name == "LotCreated":
                lot_id = int(args["lotId"])
                flags = execute("SELECT risk_flags FROM facilities WHERE facility_id = ?", (args["facilityId"],))
                execute(
                    "INSERT INTO lots (lot_id, kind, creator, facility_id, custodian, status, custody_model, "
                    "certified_schemes, risk_flags, commitment, external_id, tag_id, created_block, created_transaction) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (_lot_key(lot_id), args["kind"], args["creator"], args["facilityId"], args["creator"],
                     int(LotStatus.ACTIVE), args["custodyModel"], args["certifiedSchemes"], flags[0][0] if flags else 0,
                     str(args["commitment"]), _text(args["externalId"]), args["tagId"], block, transaction),
                )
                for position, parent in enumerate(args["parentIds"]):
                    execute("INSERT INTO lot_parents (child_id, parent_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            (_lot_key(lot_id), _lot_key(int(parent)), position))
                touch(lot_id)
            elif name == "LotsTransformed":
                for lot_id in (*args["inputLotIds"], *args["outputLotIds"]):
                    touch(int(lot_id))
            elif name == "Transfer":
                lot_id = int(args["tokenId"])
                execute(
                    "INSERT INTO transfers (block_number, log_index, contract, token_id, from_address, to_address, "
                    "transaction_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (block, log_index, contract, _lot_key(lot_id), args["from"], args["to"], transaction),
                )
                if args["to"] != _ZERO_ADDRESS:
                    execute("UPDATE lots SET custodian = ? WHERE lot_id = ?", (args["to"], _lot_key(lot_id)))
                touch(lot_id)
            elif "lotId" in args:
                lot_id = int(args["lotId"])
                key = _lot_key(lot_id)
                if name == "LotStatusChanged":
                    execute("UPDATE lots SET status = ? WHERE lot_id = ?", (args["newStatus"], key))
                elif name == "LotOffered":
                    execute("UPDATE lots SET pending_receiver = ? WHERE lot_id = ?", (args["to"], key))
                elif name in ("LotOfferCancelled", "LotAccepted", "LotDisputeResolved"):
                    execute("UPDATE lots SET pending_receiver = NULL WHERE lot_id = ?", (key,))
                elif name == "LotLockedForPassport":
                    execute("UPDATE lots SET passport_id = ? WHERE lot_id = ?", (_lot_key(int(args["passportId"])), key))
                touch(lot_id)
        elif contract == "passport":
            if name == "PassportIssued":
                execute(
                    "INSERT INTO passports (passport_id, pack_lot_id, economic_operator, battery_id, document_uri, "
                    "document_hash, status, issued_block) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
                    (_lot_key(int(args["passportId"])), _lot_key(int(args["packLotId"])), args["economicOperator"],
                     args["batteryId"], args["documentUri"], args["documentHash"], block),
                )
            elif name == "PassportStatusChanged":
                execute("UPDATE passports SET status = ? WHERE passport_id = ?",
                        (args["newStatus"], _lot_key(int(args["passportId"]))))
            elif name == "PassportDocumentUpdated":
                execute("UPDATE passports SET document_hash = ?, document_uri = ? WHERE passport_id = ?",
                        (args["newHash"], args["documentUri"], _lot_key(int(args["passportId"]))))
            elif name == "Transfer":
                execute(
                    "INSERT INTO transfers (block_number, log_index, contract, token_id, from_address, to_address, "
                    "transaction_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (block, log_index, contract, _lot_key(int(args["tokenId"])), args["from"], args["to"], transaction),
                )

    # -- queries ----------------------------------------------------------------------------------

    _NODE_COLUMNS = (
        "l.lot_id, l.kind, l.facility_id, f.facility_type, f.country, l.creator, l.custodian, l.status, "
        "l.certified_schemes, l.risk_flags, l.created_block"
    )

    def _nodes(self, rows: Sequence[tuple[Any, ...]], depths: Mapping[str, int] | None = None) -> list[LotNode]:
        keys = [row[0] for row in rows]
        parents: dict[str, list[int]] = {key: [] for key in keys}
        if keys:
            placeholders = ", ".join("?" for _ in keys)
            for child, parent in self.db.execute(
                f"SELECT child_id, parent_id FROM lot_parents WHERE child_id IN ({placeholders}) ORDER BY position",  # noqa: S608
                keys,
            ):
                parents[child].append(int(parent, 16))
        nodes = []
        for key, kind, facility_id, facility_type, country, creator, custodian, status, schemes, flags, created in rows:
            nodes.append(LotNode(
                lot_id=int(key, 16),
                kind=MaterialKind(kind),
                facility_id=int(facility_id),
                facility_type=None if facility_type is None else FacilityType(facility_type),
                country=country or "",
                creator=creator,
                custodian=custodian,
                status=LotStatus(status),
                certified_schemes=schemes_from_mask(int(schemes)),
                risk_flags=RiskFlag(int(flags)),
                parent_ids=tuple(parents[key]),
                created_block=int(created),
                depth=(depths or {}).get(key, 0),
            ))
        return sorted(nodes, key=lambda node: (node.depth, node.lot_id))

    def lot(self, lot_id: int) -> LotNode | None:
        """The indexed record of one lot, or None if the index has not seen it."""
        rows = self.db.execute(
            f"SELECT {self._NODE_COLUMNS} FROM lots l LEFT JOIN facilities f ON f.facility_id = l.facility_id "  # noqa: S608
            "WHERE l.lot_id = ?",
            (_lot_key(lot_id),),
        )
        return self._nodes(rows)[0] if rows else None

    def _related(self, lot_id: int, step_from: str, step_to: str) -> list[LotNode]:
        # Walks lot_parents from `step_from` to `step_to`; depth is the shortest number of steps.
        rows = self.db.execute(
            f"""WITH RECURSIVE walk (lot_id, depth) AS (
                    SELECT {step_to}, 1 FROM lot_parents WHERE {step_from} = ?
                    UNION
                    SELECT p.{step_to}, w.depth + 1 FROM lot_parents p JOIN walk w ON p.{step_from} = w.lot_id
                )
                SELECT lot_id, MIN(depth) FROM walk GROUP BY lot_id""",  # noqa: S608 - column names are constants
            (_lot_key(lot_id),),
        )
        depths = {key: int(depth) for key, depth in rows}
        if not depths:
            return []
        placeholders = ", ".join("?" for _ in depths)
        nodes = self.db.execute(
            f"SELECT {self._NODE_COLUMNS} FROM lots l LEFT JOIN facilities f ON f.facility_id = l.facility_id "  # noqa: S608
            f"WHERE l.lot_id IN ({placeholders})",
            list(depths),
        )
        return self._nodes(nodes, depths)

    def ancestors(self, lot_id: int) -> list[LotNode]:
        """Every lot this lot's material came from, back to the origin lots (nearest first)."""
        return self._related(lot_id, "child_id", "parent_id")

    def descendants(self, lot_id: int) -> list[LotNode]:
        """Every lot made, directly or through other lots, from this lot's material (nearest first)."""
        return self._related(lot_id, "parent_id", "child_id")

    def origin_lots(self, lot_id: int) -> list[LotNode]:
        """The origin lots (mined or recycled, without parents) behind a lot; the lot itself if it is one."""
        own = self.lot(lot_id)
        if own is not None and own.is_origin:
            return [own]
        return [node for node in self.ancestors(lot_id) if node.is_origin]

    def genealogy(self, lot_id: int) -> list[LotNode]:
        """The lot itself (depth 0) and all its ancestors: what :func:`render_genealogy` draws."""
        own = self.lot(lot_id)
        return ([own] if own is not None else []) + self.ancestors(lot_id)

    def lot_history(self, lot_id: int) -> list[LotEvent]:
        """The indexed events of one lot's life, oldest first."""
        rows = self.db.execute(
            "SELECT e.event_name, e.block_number, e.transaction_hash, e.log_index, b.block_timestamp, e.args "
            "FROM lot_events le JOIN events e ON e.block_number = le.block_number AND e.log_index = le.log_index "
            "JOIN blocks b ON b.block_number = e.block_number WHERE le.lot_id = ? ORDER BY e.block_number, e.log_index",
            (_lot_key(lot_id),),
        )
        return [
            LotEvent(name=name, lot_id=lot_id, block_number=int(block), transaction_hash=transaction,
                     log_index=int(index), timestamp=datetime.fromtimestamp(int(timestamp), tz=timezone.utc),
                     arguments=json.loads(args))
            for name, block, transaction, index, timestamp, args in rows
        ]

    def lots_held(self, address: str) -> list[LotNode]:
        """Lots ``address`` holds now that are not consumed."""
        rows = self.db.execute(
            f"SELECT {self._NODE_COLUMNS} FROM lots l LEFT JOIN facilities f ON f.facility_id = l.facility_id "  # noqa: S608
            "WHERE l.custodian = ? AND l.status <> ?",
            (to_checksum_address(address), int(LotStatus.CONSUMED)),
        )
        return self._nodes(rows)

    def passport_lots(self, passport_id: int) -> list[LotNode]:
        """The pack lot a passport is bound to (depth 0) and every lot behind it."""
        rows = self.db.execute("SELECT pack_lot_id FROM passports WHERE passport_id = ?", (_lot_key(passport_id),))
        if not rows:
            return []
        return self.genealogy(int(rows[0][0], 16))

    def event_count(self) -> int:
        """How many raw events the index holds."""
        return int(self.db.execute("SELECT COUNT(*) FROM events")[0][0])


def _text(value: Any) -> str:
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) and value.startswith("0x") else bytes(value)
    return raw.rstrip(b"\0").decode(errors="replace")


def _country(value: Any) -> str:
    return _text(value)


def _is_transport_error(error: Exception) -> bool:
    import requests

    return isinstance(error, (requests.exceptions.RequestException, ConnectionError, TimeoutError))

"""An index of a deployment's events in SQL, for queries the chain cannot answer cheaply.

The indexer follows the chain and stores every log of the deployment's event sources (the
registry, the shielded ledger and the passport contract) in a raw ``events`` table (one row per
log, keyed by block and log index, so re-indexing changes nothing), and the input of every
transaction that issued a passport batch in a raw ``calls`` table (a batch's entries and proof are
in its calldata only). Derived tables (participants, facilities, the ledger's notes, nullifiers and
operations, passport batches, passports and their hand-overs) are a pure function of the raw events
and calls, applied in chain order by the handlers in
:mod:`batterytrace.indexer.handlers`: after a reorg the indexer deletes the dropped blocks' events
and rebuilds the derived tables from what remains, which is the simplest way to be sure they match
the chain.

The ledger's tables hold what its events publish and nothing more: commitments, leaf positions,
roots, nullifiers, mint tags and which operation made or spent each. Lots, holders and genealogy
are private; a participant reads them from its own note store (``batterytrace lot genealogy``).

Logs are read and decoded by the deployment's one event decoder
(:meth:`~batterytrace.sdk.deployment.Deployment.event_decoder`).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from batterytrace.evm.chain import Chain
from batterytrace.evm.events import DecodedEvent
from batterytrace.exceptions import ChainError, ConfigurationError
from batterytrace.indexer.database import DERIVED_TABLES, Database
from batterytrace.indexer.handlers import CALL_EVENTS, apply, stored_event
from batterytrace.indexer.queries import IndexQueries
from batterytrace.sdk.deployment import Deployment

if TYPE_CHECKING:
    from typing_extensions import Self

    from batterytrace.sdk.client import BatteryTrace

log = logging.getLogger(__name__)

#: Blocks below the confirmed head whose hashes are kept to find a fork point.
DEFAULT_REORG_WINDOW = 64
#: Blocks asked for in one eth_getLogs call.
DEFAULT_CHUNK_BLOCKS = 2_000


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


class _ChainMoved(Exception):
    """The node's view changed while a range was being read; the next sync starts over."""


class Indexer(IndexQueries):
    """Indexes one deployment into SQL and answers the public queries of :class:`IndexQueries`.

    ``source`` is a :class:`~batterytrace.sdk.client.BatteryTrace` or a ``(Chain, Deployment)``
    pair; ``database`` a SQLite path (or ``":memory:"``) or a ``postgresql://`` URL. Only blocks at
    or below ``head - confirmations`` are indexed. Indexing starts at ``start_block`` (default: the
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
        self.decoder = self.deployment.event_decoder(self.chain)
        self.db = Database(database)
        self.db.create_schema(f"{self.deployment.chain_id}:{to_checksum_address(self.deployment.ledger)}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
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
        reorged_from = self._undo_reorg()
        last, _hash = self.cursor()
        head = int(self.chain.w3.eth.block_number) - self.confirmations
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
            except Exception as error:  # the transport's own errors vary by provider
                if not _is_transport_error(error):
                    raise
                log.warning("node unreachable, retrying in %.1f s: %s", poll_seconds, error)
            stop_event.wait(poll_seconds)

    def _block(self, number: int) -> tuple[str, int]:
        block = self.chain.w3.eth.get_block(number)
        return "0x" + bytes(block["hash"]).hex(), int(block["timestamp"])

    def _calls(self, logs: list[DecodedEvent]) -> dict[str, tuple[str, int, str, str | None, str]]:
        """The transactions whose calldata a handler needs (those that issued a passport batch): hash ->
        (block hash, block number, sender, recipient, input)."""
        calls = {}
        for event in logs:
            if (event.contract, event.name) in CALL_EVENTS and event.transaction_hash not in calls:
                transaction = self.chain.w3.eth.get_transaction(event.transaction_hash)
                recipient = transaction.get("to")
                calls[event.transaction_hash] = (
                    "0x" + bytes(transaction["blockHash"]).hex(), int(transaction["blockNumber"]),
                    to_checksum_address(transaction["from"]), to_checksum_address(recipient) if recipient else None,
                    "0x" + bytes(transaction["input"]).hex())
        return calls

    def _index_range(self, from_block: int, to_block: int, head: int) -> int:
        logs = [stored_event(item) for item in self.decoder.logs(from_block, to_block)]
        calls = self._calls(logs)
        block_numbers = {event.block_number for event in logs}
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
            for transaction_hash, (block_hash, number, sender, recipient, data) in calls.items():
                if number not in blocks or block_hash != blocks[number][0]:
                    raise _ChainMoved(f"transaction {transaction_hash} is in block {block_hash}, not the one indexed")
                self.db.execute(
                    "INSERT INTO calls (transaction_hash, block_number, sender, recipient, input) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", (transaction_hash, number, sender, recipient, data))
            for event in logs:
                if event.block_hash != blocks[event.block_number][0]:
                    raise _ChainMoved(f"block {event.block_number} is {blocks[event.block_number][0]} "
                                      f"but a log names {event.block_hash}")
                if self._store(event):
                    stored += 1
                    apply(self.db, event)
            self._set_cursor(to_block, blocks[to_block][0])
            self.db.execute(
                "DELETE FROM blocks WHERE block_number < ? AND block_number NOT IN (SELECT block_number FROM events)",
                (head - self.reorg_window,),
            )
        return stored

    def _store(self, event: DecodedEvent) -> bool:
        """Insert one raw event; False if the index already holds it."""
        if self.db.execute("SELECT 1 FROM events WHERE block_number = ? AND log_index = ?",
                           (event.block_number, event.log_index)):
            return False
        self.db.execute(
            "INSERT INTO events (block_number, log_index, block_hash, transaction_hash, contract, address, "
            "event_name, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (event.block_number, event.log_index, event.block_hash, event.transaction_hash, event.contract,
             event.address, event.name, json.dumps(event.args)),
        )
        return True

    # -- reorgs -----------------------------------------------------------------------------------

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
            self.db.execute("DELETE FROM calls WHERE block_number > ?", (fork_parent,))
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
        for table in DERIVED_TABLES:
            self.db.execute(f"DELETE FROM {table}")  # table names are constants
        rows = self.db.execute(
            "SELECT contract, address, event_name, args, block_number, block_hash, transaction_hash, log_index "
            "FROM events ORDER BY block_number, log_index"
        )
        for contract, address, name, args, block_number, block_hash, transaction_hash, log_index in rows:
            apply(self.db, DecodedEvent(contract=contract, address=address, name=name, args=json.loads(args),
                                       block_number=int(block_number), block_hash=block_hash,
                                       transaction_hash=transaction_hash, log_index=int(log_index)))


def _is_transport_error(error: Exception) -> bool:
    import requests

    return isinstance(error, (requests.exceptions.RequestException, ConnectionError, TimeoutError))

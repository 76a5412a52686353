"""The SDK's local store of the shielded ledger (SQLite): every leaf of the note tree, the notes this
participant's keys opened, which of them are spent, and how far the scanner has read.

The leaves are public (each NoteCreated event's commitment) and are what a Merkle path is built
from; the notes are the openings only their readers hold. A scan writes one block range in one
SQLite transaction with its cursor, so a crash mid-scan leaves the store as it was before it, and a
repeated scan of the same range changes nothing (every row is keyed by its place on chain).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.notes import Note

#: The scan checkpoints (block hashes) a store keeps: a reorganisation deeper than this many scans
#: makes the scanner read the ledger again from its start.
CHECKPOINTS = 64


@dataclass(frozen=True)
class StoredNote:
    """A note this participant can open, where it sits in the tree, and whether it is spent."""

    note: Note
    epoch: int
    index: int
    block_number: int
    transaction: str
    spent_block: int | None = None
    spent_transaction: str | None = None

    @property
    def spent(self) -> bool:
        return self.spent_block is not None


@dataclass(frozen=True)
class Leaf:
    """One NoteCreated event: a leaf of the note tree."""

    epoch: int
    index: int
    commitment: int
    root: int
    block_number: int
    transaction: str


class NoteStore:
    """Leaves and notes of one ledger contract on one chain. ``path=":memory:"`` keeps them in memory."""

    def __init__(self, path: Path | str, chain_id: int, ledger: str) -> None:
        self.path = str(path)
        self.chain_id = chain_id
        self.ledger = ledger.lower()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.executescript(
            "CREATE TABLE IF NOT EXISTS note_leaves ("
            " chain_id INTEGER NOT NULL, ledger TEXT NOT NULL, epoch INTEGER NOT NULL, leaf_index INTEGER NOT NULL,"
            " commitment TEXT NOT NULL, root TEXT NOT NULL, block INTEGER NOT NULL, tx TEXT NOT NULL,"
            " PRIMARY KEY (chain_id, ledger, epoch, leaf_index));"
            "CREATE TABLE IF NOT EXISTS notes ("
            " chain_id INTEGER NOT NULL, ledger TEXT NOT NULL, epoch INTEGER NOT NULL, leaf_index INTEGER NOT NULL,"
            " commitment TEXT NOT NULL, nullifier TEXT NOT NULL, tag TEXT NOT NULL, note BLOB NOT NULL,"
            " block INTEGER NOT NULL, tx TEXT NOT NULL, spent_block INTEGER, spent_tx TEXT,"
            " PRIMARY KEY (chain_id, ledger, epoch, leaf_index));"
            "CREATE INDEX IF NOT EXISTS notes_by_nullifier ON notes (chain_id, ledger, nullifier);"
            "CREATE INDEX IF NOT EXISTS notes_by_tag ON notes (chain_id, ledger, tag);"
            "CREATE TABLE IF NOT EXISTS note_spends ("
            " chain_id INTEGER NOT NULL, ledger TEXT NOT NULL, nullifier TEXT NOT NULL,"
            " block INTEGER NOT NULL, tx TEXT NOT NULL, PRIMARY KEY (chain_id, ledger, nullifier));"
            "CREATE TABLE IF NOT EXISTS note_cursor ("
            " chain_id INTEGER NOT NULL, ledger TEXT NOT NULL, block INTEGER NOT NULL,"
            " PRIMARY KEY (chain_id, ledger));"
            "CREATE TABLE IF NOT EXISTS note_checkpoints ("
            " chain_id INTEGER NOT NULL, ledger TEXT NOT NULL, block INTEGER NOT NULL, hash TEXT NOT NULL,"
            " PRIMARY KEY (chain_id, ledger, block));"
        )
        self._key = (chain_id, self.ledger)

    # -- writing (inside `batch`) ----------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[NoteStore]:
        """One SQLite transaction: everything written inside lands together or not at all."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def add_leaf(self, leaf: Leaf) -> None:
        self._connection.execute(
            "INSERT OR IGNORE INTO note_leaves VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*self._key, leaf.epoch, leaf.index, str(leaf.commitment), str(leaf.root), leaf.block_number,
             leaf.transaction),
        )

    def add_note(self, note: Note, leaf: Leaf) -> None:
        """Keep a note opened from ``leaf``'s event (the caller checked it hashes to the leaf)."""
        self._connection.execute(
            "INSERT OR IGNORE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
            (*self._key, leaf.epoch, leaf.index, str(note.commitment), str(note.nullifier), str(note.tag),
             note.to_bytes(), leaf.block_number, leaf.transaction),
        )
        # A spend seen before the note (an auditor's key added later) applies at once.
        self._connection.execute(
            "UPDATE notes SET (spent_block, spent_tx) = (SELECT block, tx FROM note_spends s WHERE"
            " s.chain_id = notes.chain_id AND s.ledger = notes.ledger AND s.nullifier = notes.nullifier)"
            " WHERE chain_id = ? AND ledger = ? AND epoch = ? AND leaf_index = ? AND spent_block IS NULL"
            " AND EXISTS (SELECT 1 FROM note_spends s WHERE s.chain_id = notes.chain_id AND s.ledger = notes.ledger"
            " AND s.nullifier = notes.nullifier)",
            (*self._key, leaf.epoch, leaf.index),
        )

    def add_spend(self, nullifier: int, block_number: int, transaction: str) -> None:
        """Record a NoteSpent event (every one: the note may be opened later) and mark the note."""
        self._connection.execute(
            "INSERT OR IGNORE INTO note_spends VALUES (?, ?, ?, ?, ?)",
            (*self._key, str(nullifier), block_number, transaction),
        )
        self._connection.execute(
            "UPDATE notes SET spent_block = ?, spent_tx = ? WHERE chain_id = ? AND ledger = ? AND nullifier = ?"
            " AND spent_block IS NULL",
            (block_number, transaction, *self._key, str(nullifier)),
        )

    def set_cursor(self, block_number: int, block_hash: str | None = None) -> None:
        """The scan finished ``block_number``; ``block_hash`` is that block's, kept as a checkpoint
        (the latest ``CHECKPOINTS``) to find where a reorganised or reverted chain parts from it."""
        self._connection.execute("INSERT OR REPLACE INTO note_cursor VALUES (?, ?, ?)", (*self._key, block_number))
        if block_hash is not None:
            self._connection.execute("INSERT OR REPLACE INTO note_checkpoints VALUES (?, ?, ?, ?)",
                                     (*self._key, block_number, block_hash))
            self._connection.execute(
                "DELETE FROM note_checkpoints WHERE chain_id = ? AND ledger = ? AND block NOT IN (SELECT block FROM"
                " note_checkpoints WHERE chain_id = ? AND ledger = ? ORDER BY block DESC LIMIT ?)",
                (*self._key, *self._key, CHECKPOINTS))

    def rewind(self, block_number: int | None) -> None:
        """Forget everything read after ``block_number`` (None: everything), as if the scan had
        stopped there: leaves, notes and spends of later blocks, and spends' marks on earlier notes."""
        after = -1 if block_number is None else block_number
        for table in ("note_leaves", "notes", "note_spends", "note_checkpoints"):
            self._connection.execute(f"DELETE FROM {table} WHERE chain_id = ? AND ledger = ? AND block > ?",  # noqa: S608
                                     (*self._key, after))
        self._connection.execute("UPDATE notes SET spent_block = NULL, spent_tx = NULL WHERE chain_id = ? AND ledger = ?"
                                 " AND spent_block > ?", (*self._key, after))
        if block_number is None:
            self._connection.execute("DELETE FROM note_cursor WHERE chain_id = ? AND ledger = ?", self._key)
        else:
            self._connection.execute("INSERT OR REPLACE INTO note_cursor VALUES (?, ?, ?)", (*self._key, block_number))

    # -- reading ---------------------------------------------------------------------------------

    def checkpoints(self) -> list[tuple[int, str]]:
        """The kept (block, hash) checkpoints, latest first."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT block, hash FROM note_checkpoints WHERE chain_id = ? AND ledger = ? ORDER BY block DESC",
                self._key).fetchall()
        return [(int(block), str(block_hash)) for block, block_hash in rows]

    def cursor(self) -> int | None:
        """The last block the scanner finished, or None before the first scan."""
        with self._lock:
            row = self._connection.execute(
                "SELECT block FROM note_cursor WHERE chain_id = ? AND ledger = ?", self._key).fetchone()
        return None if row is None else int(row[0])

    def leaves(self, epoch: int) -> list[int]:
        """Every commitment of ``epoch``'s tree, in order."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT leaf_index, commitment FROM note_leaves WHERE chain_id = ? AND ledger = ? AND epoch = ?"
                " ORDER BY leaf_index", (*self._key, epoch)).fetchall()
        for position, (index, _) in enumerate(rows):
            if index != position:
                raise LookupError(f"the store lacks leaf {position} of epoch {epoch}: rescan the ledger")
        return [int(commitment) for _, commitment in rows]

    def leaf_commitment(self, epoch: int, index: int) -> int | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT commitment FROM note_leaves WHERE chain_id = ? AND ledger = ? AND epoch = ? AND leaf_index = ?",
                (*self._key, epoch, index)).fetchone()
        return None if row is None else int(row[0])

    def latest_leaf(self) -> Leaf | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT epoch, leaf_index, commitment, root, block, tx FROM note_leaves WHERE chain_id = ? AND"
                " ledger = ? ORDER BY epoch DESC, leaf_index DESC LIMIT 1", self._key).fetchone()
        if row is None:
            return None
        return Leaf(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]), row[5])

    def tree(self, epoch: int) -> LeanIMT:
        """``epoch``'s note tree rebuilt from its leaves (a commitment may repeat on chain)."""
        return LeanIMT(self.leaves(epoch), unique=False)

    def notes(self, *, unspent: bool = False) -> list[StoredNote]:
        """The notes this participant's keys opened, in tree order."""
        query = "SELECT note, epoch, leaf_index, block, tx, spent_block, spent_tx FROM notes WHERE chain_id = ? AND ledger = ?"
        if unspent:
            query += " AND spent_block IS NULL"
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY epoch, leaf_index", self._key).fetchall()
        return [self._stored(row) for row in rows]

    def notes_with_tag(self, tag: int) -> list[StoredNote]:
        """The notes of one lot (its tag), oldest first: the lot's custody history as this
        participant saw it."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT note, epoch, leaf_index, block, tx, spent_block, spent_tx FROM notes WHERE chain_id = ?"
                " AND ledger = ? AND tag = ? ORDER BY epoch, leaf_index", (*self._key, str(tag))).fetchall()
        return [self._stored(row) for row in rows]

    def is_spent(self, nullifier: int) -> bool:
        with self._lock:
            row = self._connection.execute(
                "SELECT 1 FROM note_spends WHERE chain_id = ? AND ledger = ? AND nullifier = ?",
                (*self._key, str(nullifier))).fetchone()
        return row is not None

    @staticmethod
    def _stored(row: tuple) -> StoredNote:
        note, epoch, index, block, transaction, spent_block, spent_transaction = row
        return StoredNote(Note.from_bytes(bytes(note)), int(epoch), int(index), int(block), transaction,
                          None if spent_block is None else int(spent_block), spent_transaction)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

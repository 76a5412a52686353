"""The index's SQL: one small wrapper over SQLite or PostgreSQL, and the schema both run.

SQLite (a file path) is the default; a ``postgresql://`` URL selects PostgreSQL (``psycopg`` 3).
Both run the same SQL, written with ``?`` placeholders and adapted for psycopg.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from batterytrace.exceptions import ConfigurationError

#: The tables' layout: an index written by another layout is refused, not read wrongly. Version 2
#: indexes the shielded ledger (the transparent lots' tables of version 1 are gone); version 4 adds
#: participants' revocation and the resolver's publications, sign-in nonces and access log; version 5
#: indexes passports a batch at a time (``PassportBatchIssued`` and its issuing call), with no pack
#: nullifier, pack redemption or battery id hash.
SCHEMA_VERSION = "5"

#: Every table and index, created if missing. ``events`` holds the raw logs and ``calls`` the input of
#: each transaction that issued a passport batch (a batch's entries and proof are in no event); the
#: others are derived from those two.
#: uint256 values (ids, commitments, nullifiers, roots, tags) are stored by :func:`uint_key`.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS blocks (
        block_number BIGINT PRIMARY KEY, block_hash TEXT NOT NULL, block_timestamp BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS events (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, block_hash TEXT NOT NULL,
        transaction_hash TEXT NOT NULL, contract TEXT NOT NULL, address TEXT NOT NULL,
        event_name TEXT NOT NULL, args TEXT NOT NULL, PRIMARY KEY (block_number, log_index))""",
    """CREATE TABLE IF NOT EXISTS calls (
        transaction_hash TEXT PRIMARY KEY, block_number BIGINT NOT NULL, sender TEXT NOT NULL, recipient TEXT,
        input TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS calls_by_block ON calls (block_number)""",
    """CREATE TABLE IF NOT EXISTS facilities (
        facility_id BIGINT PRIMARY KEY, operator TEXT NOT NULL, facility_type INTEGER NOT NULL,
        country TEXT NOT NULL, site_id TEXT NOT NULL, risk_flags INTEGER NOT NULL,
        max_yield_loss_bps INTEGER NOT NULL, registered_block BIGINT NOT NULL,
        recycled_pre_consumer_bps INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS participants (
        account TEXT PRIMARY KEY, role TEXT NOT NULL, country TEXT NOT NULL, registered_block BIGINT NOT NULL,
        revoked_block BIGINT)""",
    # The ledger's public facts: a note's leaf, a spent nullifier, the operation event that made or
    # spent them (its name and custody step, never a party: the events name none).
    """CREATE TABLE IF NOT EXISTS ledger_operations (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, transaction_hash TEXT NOT NULL,
        operation TEXT NOT NULL, mint_tag TEXT, evidence_hash TEXT, PRIMARY KEY (block_number, log_index))""",
    """CREATE INDEX IF NOT EXISTS ledger_operations_by_mint_tag ON ledger_operations (mint_tag)""",
    """CREATE TABLE IF NOT EXISTS notes (
        epoch BIGINT NOT NULL, leaf_index BIGINT NOT NULL, commitment TEXT NOT NULL, root TEXT NOT NULL,
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, transaction_hash TEXT NOT NULL,
        operation TEXT, operation_log_index INTEGER, PRIMARY KEY (epoch, leaf_index))""",
    """CREATE INDEX IF NOT EXISTS notes_by_commitment ON notes (commitment)""",
    """CREATE INDEX IF NOT EXISTS notes_by_root ON notes (root)""",
    """CREATE INDEX IF NOT EXISTS notes_by_block ON notes (block_number)""",
    """CREATE TABLE IF NOT EXISTS nullifiers (
        nullifier TEXT PRIMARY KEY, block_number BIGINT NOT NULL, log_index INTEGER NOT NULL,
        transaction_hash TEXT NOT NULL, operation TEXT, operation_log_index INTEGER)""",
    """CREATE INDEX IF NOT EXISTS nullifiers_by_block ON nullifiers (block_number)""",
    # A passport's public record: its batch's entry (battery id, tier commitments; the document hash
    # and URI until the holder publishes others), its holder and status as the events left them, and
    # the claims its batch proves of it (``ClaimBounds.as_tuple``, JSON).
    """CREATE TABLE IF NOT EXISTS passports (
        passport_id TEXT PRIMARY KEY, batch BIGINT NOT NULL, economic_operator TEXT NOT NULL, holder TEXT NOT NULL,
        battery_id TEXT NOT NULL, document_uri TEXT NOT NULL, document_hash TEXT NOT NULL,
        legitimate_interest_commitment TEXT NOT NULL, authorities_commitment TEXT NOT NULL, status INTEGER NOT NULL,
        claims TEXT NOT NULL, issued_block BIGINT NOT NULL, issued_transaction TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS passports_by_operator ON passports (economic_operator)""",
    """CREATE INDEX IF NOT EXISTS passports_by_holder ON passports (holder)""",
    """CREATE INDEX IF NOT EXISTS passports_by_batch ON passports (batch)""",
    # A batch as its event and issuing call state it, enough to re-verify its proof from the index:
    # the claims (``BatchClaims.as_abi``), the entries in order and the proof (snarkjs order), JSON.
    """CREATE TABLE IF NOT EXISTS passport_batches (
        batch BIGINT PRIMARY KEY, economic_operator TEXT NOT NULL, issued_at BIGINT NOT NULL, note_root TEXT NOT NULL,
        participants_root TEXT NOT NULL, claims TEXT NOT NULL, records TEXT NOT NULL, entries TEXT NOT NULL,
        proof TEXT NOT NULL, passports INTEGER NOT NULL, block_number BIGINT NOT NULL, transaction_hash TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS passport_transfers (
        block_number BIGINT NOT NULL, log_index INTEGER NOT NULL, passport_id TEXT NOT NULL,
        from_address TEXT NOT NULL, to_address TEXT NOT NULL, transaction_hash TEXT NOT NULL,
        PRIMARY KEY (block_number, log_index))""",
    # The resolver's own records (batterytrace.indexer.publications), not derived from events: what
    # each passport's economic operator published (documents and credential, plaintext restricted
    # tiers the resolver serves only to the roles they are for), the sign-in nonces, and the log of
    # every restricted access.
    """CREATE TABLE IF NOT EXISTS publications (
        passport_id TEXT PRIMARY KEY, issuer TEXT NOT NULL, status_index INTEGER NOT NULL, battery_id TEXT NOT NULL,
        public_document TEXT NOT NULL, legitimate_interest TEXT NOT NULL, authorities TEXT NOT NULL,
        credential TEXT NOT NULL, published_at BIGINT NOT NULL, UNIQUE (issuer, status_index))""",
    """CREATE TABLE IF NOT EXISTS sign_in_nonces (nonce TEXT PRIMARY KEY, issued_at BIGINT NOT NULL, used_at BIGINT)""",
    """CREATE TABLE IF NOT EXISTS restricted_access (
        at_ms BIGINT NOT NULL, requester TEXT NOT NULL, role TEXT NOT NULL, passport_id TEXT NOT NULL,
        tier TEXT NOT NULL, outcome TEXT NOT NULL)""",
)
#: The tables that are a pure function of ``events``: emptied and replayed on a rebuild.
DERIVED_TABLES = ("facilities", "participants", "ledger_operations", "notes", "nullifiers", "passports",
                  "passport_batches", "passport_transfers")


def uint_key(value: int) -> str:
    """A uint256 (passport id, commitment, nullifier, root, mint tag) as the index stores it."""
    # Fixed-width hex keeps uint256 values in a TEXT column that sorts and compares like the number.
    return f"0x{value:064x}"


class Database:
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
        """Run one statement (``?`` placeholders) and return its rows, if it has any."""
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self.lock:
            cursor = self.connection.execute(sql, tuple(parameters))
            return list(cursor.fetchall()) if cursor.description else []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside commit together or not at all."""
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

    def create_schema(self, identity: str) -> None:
        """Create the tables if missing and bind the database to one deployment's ``identity`` and
        to :data:`SCHEMA_VERSION`; a database of another deployment or layout is refused."""
        with self.transaction():
            self.execute(SCHEMA[0])
            stored = dict(self.execute("SELECT key, value FROM meta WHERE key IN ('deployment', 'schema')"))
            if "deployment" in stored and stored.get("schema") != SCHEMA_VERSION:
                raise ConfigurationError(
                    f"this index was written by layout {stored.get('schema', '1')}, not {SCHEMA_VERSION}: "
                    "use another database"
                )
            if stored.get("deployment", identity) != identity:
                raise ConfigurationError(
                    f"this index holds deployment {stored['deployment']}, not {identity}: use another database"
                )
            for statement in SCHEMA[1:]:
                self.execute(statement)
            for key, value in (("deployment", identity), ("schema", SCHEMA_VERSION)):
                self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (key, value))

    def close(self) -> None:
        self.connection.close()

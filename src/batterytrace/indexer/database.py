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

#: Every table and index, created if missing. ``events`` holds the raw logs; the others are derived.
SCHEMA = (
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
#: The tables that are a pure function of ``events``: emptied and replayed on a rebuild.
DERIVED_TABLES = ("lots", "lot_parents", "lot_events", "transfers", "facilities", "participants", "passports")


def lot_key(lot_id: int) -> str:
    """A uint256 token id as the index stores it (lots and passports alike)."""
    # Fixed-width hex keeps uint256 ids in a TEXT column that sorts and compares like the number.
    return f"0x{lot_id:064x}"


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
        """Create the tables if missing and bind the database to one deployment's ``identity``."""
        with self.transaction():
            for statement in SCHEMA:
                self.execute(statement)
            stored = self.execute("SELECT value FROM meta WHERE key = 'deployment'")
            if not stored:
                self.execute("INSERT INTO meta (key, value) VALUES ('deployment', ?)", (identity,))
            elif stored[0][0] != identity:
                raise ConfigurationError(
                    f"this index holds deployment {stored[0][0]}, not {identity}: use another database"
                )

    def close(self) -> None:
        self.connection.close()

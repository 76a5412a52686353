"""The SDK's local store of lot openings (SQLite): the confidential values never go on chain."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from batterytrace.exceptions import OpeningError
from batterytrace.zk.commitment import Opening


@dataclass(frozen=True)
class StoredOpening:
    chain_id: int
    lots_address: str
    lot_id: int
    opening: Opening


class OpeningStore:
    """Openings keyed by chain, lots contract and lot id. ``path=":memory:"`` keeps them in memory."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS openings ("
            " chain_id INTEGER NOT NULL, lots_address TEXT NOT NULL, lot_id TEXT NOT NULL,"
            " commitment TEXT NOT NULL, opening TEXT NOT NULL,"
            " PRIMARY KEY (chain_id, lots_address, lot_id))"
        )

    def put(self, chain_id: int, lots_address: str, lot_id: int, opening: Opening, replace: bool = False) -> None:
        """Keep an opening; replacing one with a different commitment is refused unless ``replace``
        (only for a lot that does not exist on chain)."""
        with self._lock:
            row = self._connection.execute(
                "SELECT commitment FROM openings WHERE chain_id=? AND lots_address=? AND lot_id=?",
                (chain_id, lots_address.lower(), str(lot_id)),
            ).fetchone()
            if row is not None and int(row[0]) != opening.commitment and not replace:
                raise OpeningError(f"the store already holds a different opening for lot {lot_id}")
            self._connection.execute(
                "INSERT OR REPLACE INTO openings VALUES (?, ?, ?, ?, ?)",
                (chain_id, lots_address.lower(), str(lot_id), str(opening.commitment), opening.to_json()),
            )

    def get(self, chain_id: int, lots_address: str, lot_id: int) -> Opening | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT opening FROM openings WHERE chain_id=? AND lots_address=? AND lot_id=?",
                (chain_id, lots_address.lower(), str(lot_id)),
            ).fetchone()
        return Opening.from_json(row[0]) if row else None

    def all(self, chain_id: int, lots_address: str) -> list[StoredOpening]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT lot_id, opening FROM openings WHERE chain_id=? AND lots_address=?",
                (chain_id, lots_address.lower()),
            ).fetchall()
        return [StoredOpening(chain_id, lots_address, int(lot_id), Opening.from_json(text)) for lot_id, text in rows]

    def close(self) -> None:
        with self._lock:
            self._connection.close()

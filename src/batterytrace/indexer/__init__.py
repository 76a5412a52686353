"""The event index: every event of the registry, the shielded ledger and the passport contract in
SQLite or PostgreSQL, with confirmations and reorgs.

``database`` holds the SQL wrapper and schema, ``handlers`` one function per contract event that
updates the derived tables, ``queries`` the read side (the ledger's public facts and the
passports), ``indexer`` the :class:`Indexer` that follows the chain.
"""

from batterytrace.indexer.handlers import HANDLERS
from batterytrace.indexer.indexer import Indexer, SyncResult
from batterytrace.indexer.queries import IndexedNote, IndexedPassport, LedgerCounts, OperationCounts, SpentNullifier

__all__ = ["HANDLERS", "IndexedNote", "IndexedPassport", "Indexer", "LedgerCounts", "OperationCounts", "SpentNullifier",
           "SyncResult"]

"""The event index: every contract event in SQLite or PostgreSQL, with confirmations and reorgs.

``database`` holds the SQL wrapper and schema, ``handlers`` one function per contract event that
updates the derived tables, ``queries`` the read side, ``indexer`` the :class:`Indexer` that
follows the chain.
"""

from batterytrace.indexer.handlers import HANDLERS
from batterytrace.indexer.indexer import Indexer, SyncResult

__all__ = ["HANDLERS", "Indexer", "SyncResult"]

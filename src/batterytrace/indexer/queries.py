"""The read side of the index: the public facts of the ledger and the passports, from the derived tables.

What the index answers is what anyone reading the chain could work out: which notes were created
and which nullifiers spent, by which kind of operation and when, which roots the note tree had, and
every passport's public record and batch (its issuing call's entries and proof, enough to re-verify
the batch's proof with no chain read). It cannot answer which lot a note is, who holds it or where
its material came from: the ledger publishes none of that, and a passport batch names no note.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from eth_utils import to_checksum_address

from batterytrace.indexer.database import Database, uint_key
from batterytrace.model.passports import ClaimBounds, PassportStatus, passport_id_for
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passport_batches import BatchEntry, PassportBatch
from batterytrace.sdk.passports import PassportRecord
from batterytrace.zk.pack_batch import BatchClaims
from batterytrace.zk.proof import Groth16Proof


@dataclass(frozen=True)
class IndexedNote:
    """A leaf of the note tree: its commitment, where it sits, the root after it, and the operation
    that made it (the event at ``operation_log_index`` of the same transaction)."""

    commitment: int
    epoch: int
    leaf_index: int
    root: int
    operation: NoteOperation | None
    block_number: int
    transaction_hash: str
    log_index: int
    operation_log_index: int | None


@dataclass(frozen=True)
class SpentNullifier:
    """A spent note's nullifier and the operation that spent it (the event at ``operation_log_index``
    of the same transaction)."""

    nullifier: int
    operation: NoteOperation | None
    block_number: int
    transaction_hash: str
    log_index: int
    operation_log_index: int | None


@dataclass(frozen=True)
class OperationCounts:
    """One kind of ledger operation in a block range: how many, and the notes they created and spent."""

    operation: NoteOperation
    operations: int
    notes_created: int
    nullifiers_spent: int


@dataclass(frozen=True)
class LedgerCounts:
    """The ledger's activity in blocks ``from_block``..``to_block`` (None: unbounded)."""

    from_block: int | None
    to_block: int | None
    notes_created: int
    nullifiers_spent: int
    by_operation: tuple[OperationCounts, ...]

    def of(self, operation: NoteOperation) -> OperationCounts:
        """The counts of one kind of operation (zeros where the range has none)."""
        return next((counts for counts in self.by_operation if counts.operation is operation),
                    OperationCounts(operation, 0, 0, 0))


@dataclass(frozen=True)
class IndexedPassport:
    """A passport's public record as its batch's event and issuing call and later events left it, with
    the battery id and issuing transaction. ``record.document_uri`` is the URI its holder published
    (``updateDocument``), empty before: a deployment's ``tokenURI`` base is in no event."""

    record: PassportRecord
    battery_id: str
    issued_block: int
    issued_transaction: str


_PASSPORT_COLUMNS = (
    "p.passport_id, p.batch, p.battery_id, p.economic_operator, p.holder, p.status, b.block_timestamp, p.document_hash, "
    "p.document_uri, p.legitimate_interest_commitment, p.authorities_commitment, p.claims, p.issued_block, "
    "p.issued_transaction"
)
_BATCH_COLUMNS = ("batch, economic_operator, issued_at, note_root, participants_root, claims, records, entries, proof, "
                  "transaction_hash, block_number")
# Only constants are formatted into these statements; every value is a ? parameter.
_PASSPORTS_FROM = f"SELECT {_PASSPORT_COLUMNS} FROM passports p JOIN blocks b ON b.block_number = p.issued_block"


def _operation(value: str | None) -> NoteOperation | None:
    return None if value is None else NoteOperation(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def _block_range(column: str, from_block: int | None, to_block: int | None) -> tuple[str, list[int]]:
    bounds = [(f"{column} >= ?", from_block), (f"{column} <= ?", to_block)]
    used = [(clause, value) for clause, value in bounds if value is not None]
    return (" WHERE " + " AND ".join(clause for clause, _ in used) if used else "", [value for _, value in used])


class IndexQueries:
    """Queries over an index's tables; :class:`~batterytrace.indexer.Indexer` answers them too."""

    db: Database

    # -- the shielded ledger ----------------------------------------------------------------------

    def _notes(self, where: str, parameters: Sequence[Any]) -> list[IndexedNote]:
        rows = self.db.execute(
            "SELECT commitment, epoch, leaf_index, root, operation, block_number, transaction_hash, log_index, "
            f"operation_log_index FROM notes {where} ORDER BY epoch, leaf_index", parameters)  # `where` is a constant
        return [IndexedNote(int(commitment, 16), int(epoch), int(leaf), int(root, 16), _operation(operation), int(block),
                            transaction, int(index), _optional_int(operation_index))
                for commitment, epoch, leaf, root, operation, block, transaction, index, operation_index in rows]

    def notes(self, from_block: int | None = None, to_block: int | None = None) -> list[IndexedNote]:
        """The notes created in a block range (default: all), in tree order."""
        where, parameters = _block_range("block_number", from_block, to_block)
        return self._notes(where, parameters)

    def notes_with_commitment(self, commitment: int) -> list[IndexedNote]:
        """The leaves holding ``commitment`` (one, unless a commitment was appended twice)."""
        return self._notes("WHERE commitment = ?", (uint_key(commitment),))

    def note_with_root(self, root: int) -> IndexedNote | None:
        """The note whose append gave the tree ``root``: the tree's epoch and size at that root."""
        notes = self._notes("WHERE root = ?", (uint_key(root),))
        return notes[0] if notes else None

    def spent_nullifier(self, nullifier: int) -> SpentNullifier | None:
        """Where ``nullifier`` was spent, or None if the index has not seen it spent."""
        found = self._nullifiers(" WHERE nullifier = ?", (uint_key(nullifier),))
        return found[0] if found else None

    def is_spent(self, nullifier: int) -> bool:
        """Whether the index has seen ``nullifier`` spent (the chain's ``isSpent`` up to the cursor)."""
        return self.spent_nullifier(nullifier) is not None

    def nullifiers(self, from_block: int | None = None, to_block: int | None = None) -> list[SpentNullifier]:
        """The nullifiers spent in a block range (default: all), in chain order."""
        where, parameters = _block_range("block_number", from_block, to_block)
        return self._nullifiers(where, parameters)

    def _nullifiers(self, where: str, parameters: Sequence[Any]) -> list[SpentNullifier]:
        rows = self.db.execute("SELECT nullifier, operation, block_number, transaction_hash, log_index, operation_log_index "
                               f"FROM nullifiers{where} ORDER BY block_number, log_index", parameters)  # `where` is a constant
        return [SpentNullifier(int(nullifier, 16), _operation(operation), int(block), transaction, int(index),
                               _optional_int(operation_index))
                for nullifier, operation, block, transaction, index, operation_index in rows]

    def is_mint_tag_used(self, mint_tag: int) -> bool:
        """Whether an origin mint used ``mint_tag`` (the chain's ``isMinted`` up to the cursor)."""
        return bool(self.db.execute("SELECT 1 FROM ledger_operations WHERE mint_tag = ?", (uint_key(mint_tag),)))

    def ledger_counts(self, from_block: int | None = None, to_block: int | None = None) -> LedgerCounts:
        """How many notes were created and nullifiers spent in a block range, in all and per kind of operation."""
        where, parameters = _block_range("block_number", from_block, to_block)
        per_table = {}
        for table in ("notes", "nullifiers"):
            rows = self.db.execute(f"SELECT operation, COUNT(*) FROM {table}{where} GROUP BY operation", parameters)
            per_table[table] = {_operation(operation): int(count) for operation, count in rows}
        operations = {NoteOperation(operation): int(count) for operation, count in self.db.execute(
            f"SELECT operation, COUNT(*) FROM ledger_operations{where} GROUP BY operation", parameters)}
        kinds = [kind for kind in NoteOperation if kind in operations or kind in per_table["notes"]
                 or kind in per_table["nullifiers"]]
        return LedgerCounts(
            from_block, to_block, sum(per_table["notes"].values()), sum(per_table["nullifiers"].values()),
            tuple(OperationCounts(kind, operations.get(kind, 0), per_table["notes"].get(kind, 0),
                                  per_table["nullifiers"].get(kind, 0)) for kind in kinds),
        )

    # -- passports --------------------------------------------------------------------------------

    def _passports(self, where: str, parameters: Sequence[Any]) -> list[IndexedPassport]:
        rows = self.db.execute(f"{_PASSPORTS_FROM} {where} ORDER BY p.issued_block, p.passport_id", parameters)
        passports = []
        for (passport_id, batch, battery_id, operator, holder, status, timestamp, document_hash, uri, interest, authorities,
             claims, block, transaction) in rows:
            record = PassportRecord(
                passport_id=int(passport_id, 16), batch=int(batch), battery_id=battery_id, economic_operator=operator,
                holder=holder, status=PassportStatus(int(status)),
                issued_at=datetime.fromtimestamp(int(timestamp), tz=timezone.utc), document_hash=_bytes(document_hash),
                document_uri=uri, legitimate_interest_commitment=_bytes(interest), authorities_commitment=_bytes(authorities),
                bounds=ClaimBounds.from_struct(json.loads(claims)),
            )
            passports.append(IndexedPassport(record, battery_id, int(block), transaction))
        return passports

    def passport(self, passport_id: int) -> IndexedPassport | None:
        """One passport's indexed record, or None if the index has not seen it issued."""
        found = self._passports("WHERE p.passport_id = ?", (uint_key(passport_id),))
        return found[0] if found else None

    def passport_by_battery_id(self, battery_id: str) -> IndexedPassport | None:
        """The passport of a battery id (any form naming the same battery: its id is ``passport_id_for``);
        MalformedBatteryIdError for a malformed id."""
        return self.passport(passport_id_for(battery_id))

    def passports_in_batch(self, batch: int) -> list[IndexedPassport]:
        """The passports batch ``batch`` issued."""
        return self._passports("WHERE p.batch = ?", (batch,))

    def passport_batch(self, batch: int) -> PassportBatch | None:
        """Batch ``batch`` as its event and issuing call stated it (entries in their order, the proof),
        or None if the index has not seen it: enough to re-verify its proof
        (:func:`batterytrace.sdk.passports.verify_batch_passport`) without the chain."""
        rows = self.db.execute(f"SELECT {_BATCH_COLUMNS} FROM passport_batches WHERE batch = ?", (batch,))
        if not rows:
            return None
        number, operator, issued_at, note_root, participants_root, claims, records, entries, proof, transaction, block = rows[0]
        fields = json.loads(proof)
        return PassportBatch(
            batch=int(number), economic_operator=operator, issued_at=int(issued_at), note_root=int(note_root, 16),
            participants_root=int(participants_root, 16), claims=BatchClaims.from_abi(json.loads(claims)),
            records=_bytes(records),
            entries=tuple(BatchEntry(passport_id_for(battery_id), battery_id, tuple(int(value) for value in grams),
                                     _bytes(document), _bytes(interest), _bytes(authorities))
                          for battery_id, grams, document, interest, authorities in json.loads(entries)),
            proof=Groth16Proof(a=tuple(fields["a"]), b=tuple(tuple(pair) for pair in fields["b"]), c=tuple(fields["c"]),
                               public_signals=()),
            transaction_hash=transaction, block_number=int(block),
        )

    def passports_of(self, economic_operator: str) -> list[IndexedPassport]:
        """The passports ``economic_operator`` issued, oldest first."""
        return self._passports("WHERE p.economic_operator = ?", (to_checksum_address(economic_operator),))

    def passports_held(self, holder: str) -> list[IndexedPassport]:
        """The passports ``holder`` holds now (issued to it, or handed over to it), oldest first."""
        return self._passports("WHERE p.holder = ?", (to_checksum_address(holder),))

    # -- the raw events ---------------------------------------------------------------------------

    def event_count(self) -> int:
        """How many raw events the index holds."""
        return int(self.db.execute("SELECT COUNT(*) FROM events")[0][0])

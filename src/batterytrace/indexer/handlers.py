"""How each contract event changes the derived tables: one handler per event, in one table.

The derived tables are a pure function of the raw events replayed in chain order, so a handler
reads only its event and the tables, and writes idempotently (``ON CONFLICT DO NOTHING``): the same
events applied again, or after a rebuild, give the same rows.

The shielded ledger's events name commitments, nullifiers, roots and mint tags, never a party or a
lot, and so do the ledger's tables. An operation's event (``OriginMinted``, ``CustodyStepped``,
``NotesTransformed``) comes after the ``NoteSpent`` and ``NoteCreated`` events of its transaction,
and its handler names itself as the operation of those rows.

A passport batch's entries (battery ids, grams, document hashes, tier commitments) and proof are in
no event, only in the calldata of its ``issueBatch`` call, which the indexer keeps in the raw
``calls`` table beside the events; ``PassportBatchIssued``'s handler decodes that call and refuses it
unless its entries hash to the event's ``records`` (the digest the chain committed to).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from eth_abi.exceptions import DecodingError
from web3 import Web3
from web3.contract import Contract

from batterytrace.evm.artifacts import load
from batterytrace.evm.events import DecodedEvent, RawLog
from batterytrace.exceptions import PassportError
from batterytrace.indexer.database import Database, uint_key
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.sdk.passport_batches import BatchEntry, entries_from_call, passport_bounds, proof_from_call
from batterytrace.zk.contexts import records_hash
from batterytrace.zk.custody import CustodyOperation
from batterytrace.zk.pack_batch import BatchClaims

_ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def jsonable(value: Any) -> Any:
    """Decoded event arguments as JSON can hold them: bytes as 0x-hex, tuples as lists."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


def stored_event(item: DecodedEvent | RawLog) -> DecodedEvent:
    """One row of the raw ``events`` table, what a handler is given: the decoded event with its
    ``args`` in the JSON-ready form the ``args`` column stores. An event outside the shipped ABIs
    gets an empty name and keeps its raw ``topics`` and ``data`` there, so nothing is lost."""
    if isinstance(item, RawLog):
        return DecodedEvent(contract=item.contract, address=item.address, name="",
                            args={"topics": list(item.topics), "data": item.data}, block_number=item.block_number,
                            block_hash=item.block_hash, transaction_hash=item.transaction_hash, log_index=item.log_index)
    return replace(item, args=jsonable(dict(item.args)))


Handler = Callable[[Database, DecodedEvent], None]


def _text(value: Any) -> str:
    # bytes32 / bytes2 fields arrive as 0x-hex; they hold NUL-padded text.
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) and value.startswith("0x") else bytes(value)
    return raw.rstrip(b"\0").decode(errors="replace")


# -- registry ---------------------------------------------------------------------------------------


def facility_registered(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO facilities (facility_id, operator, facility_type, country, site_id, risk_flags, "
        "max_yield_loss_bps, registered_block) VALUES (?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT DO NOTHING",
        (args["facilityId"], args["operator"], args["facilityType"], _text(args["country"]), _text(args["siteId"]),
         event.block_number),
    )


def facility_activated(db: Database, event: DecodedEvent) -> None:
    """The auditor's findings replace what the operator declared."""
    args = event.args
    db.execute("UPDATE facilities SET facility_type = ?, country = ?, risk_flags = ?, max_yield_loss_bps = ? WHERE facility_id = ?",
               (args["facilityType"], _text(args["country"]), args["riskFlags"], args["maxYieldLossBps"], args["facilityId"]))


def risk_finding_recorded(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE facilities SET risk_flags = ? WHERE facility_id = ?",
               (event.args["newFlags"], event.args["facilityId"]))


def process_parameters_set(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE facilities SET max_yield_loss_bps = ? WHERE facility_id = ?",
               (event.args["newMaxYieldLossBps"], event.args["facilityId"]))


def recycled_input_split_set(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE facilities SET recycled_pre_consumer_bps = ? WHERE facility_id = ?",
               (event.args["newBps"], event.args["facilityId"]))


def participant_registered(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO participants (account, role, country, registered_block) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (args["account"], args["role"], _text(args["country"]), event.block_number),
    )


def role_revoked(db: Database, event: DecodedEvent) -> None:
    """A participant's registered role revoked (``revokeParticipant``): it is no participant since."""
    args = event.args
    db.execute("UPDATE participants SET revoked_block = ? WHERE account = ? AND role = ? AND revoked_block IS NULL",
               (event.block_number, args["account"], args["role"]))


# -- shielded ledger --------------------------------------------------------------------------------


def note_created(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO notes (epoch, leaf_index, commitment, root, block_number, log_index, transaction_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (int(args["epoch"]), int(args["index"]), uint_key(int(args["commitment"])), uint_key(int(args["root"])),
         event.block_number, event.log_index, event.transaction_hash),
    )


def note_spent(db: Database, event: DecodedEvent) -> None:
    db.execute(
        "INSERT INTO nullifiers (nullifier, block_number, log_index, transaction_hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (uint_key(int(event.args["nullifier"])), event.block_number, event.log_index, event.transaction_hash),
    )


def _record_operation(db: Database, event: DecodedEvent, operation: NoteOperation, created: Iterable[int],
                      spent: Iterable[int], **columns: str | None) -> None:
    """The operation's row, and the operation named on the notes and nullifiers its transaction
    logged before it that no earlier operation of the transaction claimed."""
    db.execute(
        "INSERT INTO ledger_operations (block_number, log_index, transaction_hash, operation, mint_tag, evidence_hash) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.block_number, event.log_index, event.transaction_hash, operation.value, columns.get("mint_tag"),
         columns.get("evidence_hash")),
    )
    for table, column, values in (("notes", "commitment", created), ("nullifiers", "nullifier", spent)):
        for value in values:
            db.execute(
                f"UPDATE {table} SET operation = ?, operation_log_index = ? WHERE {column} = ? AND block_number = ? "
                "AND transaction_hash = ? AND log_index < ? AND operation IS NULL",  # table and column are constants
                (operation.value, event.log_index, uint_key(int(value)), event.block_number, event.transaction_hash,
                 event.log_index),
            )


def origin_minted(db: Database, event: DecodedEvent) -> None:
    _record_operation(db, event, NoteOperation.MINT, [event.args["commitment"]], [],
                      mint_tag=uint_key(int(event.args["mintTag"])))


def custody_stepped(db: Database, event: DecodedEvent) -> None:
    args = event.args
    operation = NoteOperation[CustodyOperation(int(args["operation"])).name]
    _record_operation(db, event, operation, [args["commitment"]], [args["nullifier"]], evidence_hash=args["evidenceHash"])


def notes_transformed(db: Database, event: DecodedEvent) -> None:
    _record_operation(db, event, NoteOperation.TRANSFORM, event.args["commitments"], event.args["nullifiers"])


# -- passport ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _passport_abi() -> Contract:
    """The passport contract's ABI, to decode an issuing call (no node: decoding only)."""
    return Web3().eth.contract(abi=load("BatteryPassport").abi)


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def issuing_call(db: Database, event: DecodedEvent) -> tuple[dict[str, Any], tuple[BatchEntry, ...], dict[str, Any]]:
    """The request, entries and proof fields of the ``issueBatch`` call that emitted ``event``, from the
    index's ``calls``; PassportError unless the call is an ``issueBatch`` whose entries hash to the
    event's ``records``, as many as it counts. (The roots and claims are the call's alone: the batch's
    digest on chain commits to them, which ``sdk.passport_batches.load_batch`` checks.)"""
    args = event.args
    batch = int(args["batch"])
    rows = db.execute("SELECT input FROM calls WHERE transaction_hash = ?", (event.transaction_hash,))
    if not rows:
        raise PassportError(f"batch {batch}: the index holds no call of its transaction {event.transaction_hash}")
    try:
        function, call = _passport_abi().decode_function_input(rows[0][0])
    except (ValueError, DecodingError):
        function, call = None, {}
    if function is None or function.fn_name != "issueBatch":
        raise PassportError(f"batch {batch}: its transaction {event.transaction_hash} is no issueBatch call to the passport "
                            "contract (a contract wallet?), whose entries the index cannot read")
    entries = entries_from_call(call["entries"])
    records = records_hash([(entry.passport_id, entry.grams, entry.document_hash, entry.legitimate_interest_commitment,
                             entry.authorities_commitment) for entry in entries])
    if records != _bytes(args["records"]) or len(entries) != int(args["passports"]):
        raise PassportError(f"batch {batch}: the issuing call's {len(entries)} entries hash to {_hex(records)}, not the "
                            f"event's records {args['records']} of {args['passports']} passports "
                            f"(transaction {event.transaction_hash}): refused")
    return call["request"], entries, call["proof"]


def passport_batch_issued(db: Database, event: DecodedEvent) -> None:
    """The batch's row and one passport row per entry of its issuing call. Each passport's holder is
    the last receiver of its token so far: the mint's ``Transfer`` precedes this event, to the issuer."""
    args = event.args
    request, entries, proof_fields = issuing_call(db, event)
    claims = BatchClaims.from_abi(_claim_values(request["claims"]))
    proof = proof_from_call(proof_fields)
    timestamp = db.execute("SELECT block_timestamp FROM blocks WHERE block_number = ?", (event.block_number,))
    operator = args["economicOperator"]
    db.execute(
        "INSERT INTO passport_batches (batch, economic_operator, issued_at, note_root, participants_root, claims, records, "
        "entries, proof, passports, block_number, transaction_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (int(args["batch"]), operator, int(timestamp[0][0]), uint_key(int(request["noteRoot"])),
         uint_key(int(request["participantsRoot"])), json.dumps(claims.as_abi()), _hex(_bytes(args["records"])),
         json.dumps([[entry.battery_id, list(entry.grams), _hex(entry.document_hash),
                      _hex(entry.legitimate_interest_commitment), _hex(entry.authorities_commitment)] for entry in entries]),
         json.dumps({"a": list(proof.a), "b": [list(pair) for pair in proof.b], "c": list(proof.c)}), len(entries),
         event.block_number, event.transaction_hash),
    )
    for entry in entries:
        passport_id = uint_key(entry.passport_id)
        received = db.execute(
            "SELECT to_address FROM passport_transfers WHERE passport_id = ? AND (block_number < ? OR "
            "(block_number = ? AND log_index < ?)) ORDER BY block_number DESC, log_index DESC LIMIT 1",
            (passport_id, event.block_number, event.block_number, event.log_index))
        db.execute(
            "INSERT INTO passports (passport_id, batch, economic_operator, holder, battery_id, document_uri, document_hash, "
            "legitimate_interest_commitment, authorities_commitment, status, claims, issued_block, issued_transaction) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (passport_id, int(args["batch"]), operator, received[0][0] if received else operator, entry.battery_id, "",
             _hex(entry.document_hash), _hex(entry.legitimate_interest_commitment), _hex(entry.authorities_commitment),
             int(PassportStatus.ORIGINAL), json.dumps(passport_bounds(entry.grams, claims).as_tuple()),
             event.block_number, event.transaction_hash),
        )


def _claim_values(claims: Any) -> Any:
    # A struct argument decodes as a tuple (or a mapping), in the struct's field order, metals nested:
    # the integers as they are, for JSON and ``BatchClaims.from_abi``.
    if isinstance(claims, Mapping):
        claims = list(claims.values())
    if isinstance(claims, (list, tuple)):
        return [_claim_values(value) for value in claims]
    return int(claims)


def passport_status_changed(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE passports SET status = ? WHERE passport_id = ?",
               (event.args["newStatus"], uint_key(int(event.args["passportId"]))))


def passport_document_updated(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE passports SET document_hash = ?, document_uri = ? WHERE passport_id = ?",
               (event.args["newHash"], event.args["documentUri"], uint_key(int(event.args["passportId"]))))


def passport_transferred(db: Database, event: DecodedEvent) -> None:
    """A hand-over of the battery. A mint's transfer precedes its ``PassportBatchIssued``, whose handler
    makes the passport's row from the last transfer; a later one moves the holder."""
    args = event.args
    passport_id = uint_key(int(args["tokenId"]))
    db.execute(
        "INSERT INTO passport_transfers (block_number, log_index, passport_id, from_address, to_address, transaction_hash) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.block_number, event.log_index, passport_id, args["from"], args["to"], event.transaction_hash),
    )
    if args["from"] != _ZERO_ADDRESS:
        db.execute("UPDATE passports SET holder = ? WHERE passport_id = ?", (args["to"], passport_id))


#: (contract, event name) -> the handler that updates the derived tables. Events not named here
#: (other role changes, certifications, membership leaves, approvals, raw logs) are kept in ``events``
#: and change nothing else.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("registry", "FacilityRegistered"): facility_registered,
    ("registry", "FacilityActivated"): facility_activated,
    ("registry", "RiskFindingRecorded"): risk_finding_recorded,
    ("registry", "ProcessParametersSet"): process_parameters_set,
    ("registry", "RecycledInputSplitSet"): recycled_input_split_set,
    ("registry", "ParticipantRegistered"): participant_registered,
    ("registry", "RoleRevoked"): role_revoked,
    ("ledger", "NoteCreated"): note_created,
    ("ledger", "NoteSpent"): note_spent,
    ("ledger", "OriginMinted"): origin_minted,
    ("ledger", "CustodyStepped"): custody_stepped,
    ("ledger", "NotesTransformed"): notes_transformed,
    ("passport", "PassportBatchIssued"): passport_batch_issued,
    ("passport", "PassportStatusChanged"): passport_status_changed,
    ("passport", "PassportDocumentUpdated"): passport_document_updated,
    ("passport", "Transfer"): passport_transferred,
}


#: The events whose handler reads their transaction's calldata: the indexer keeps it in ``calls``.
CALL_EVENTS = frozenset({("passport", "PassportBatchIssued")})


def apply(db: Database, event: DecodedEvent) -> None:
    """Update the derived tables for one event; call in chain order."""
    handler = HANDLERS.get((event.contract, event.name))
    if handler is not None:
        handler(db, event)

"""How each contract event changes the derived tables: one handler per event, in one table.

The derived tables are a pure function of the raw events replayed in chain order, so a handler
reads only its event and the tables, and writes idempotently (``ON CONFLICT DO NOTHING``): the same
events applied again, or after a rebuild, give the same rows.

The shielded ledger's events name commitments, nullifiers, roots and mint tags, never a party or a
lot, and so do the ledger's tables. An operation's event (``OriginMinted``, ``CustodyStepped``,
``NotesTransformed``, ``PackRedeemed``) comes after the ``NoteSpent`` and ``NoteCreated`` events of
its transaction, and its handler names itself as the operation of those rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from eth_utils import keccak

from batterytrace.evm.events import DecodedEvent, RawLog
from batterytrace.indexer.database import Database, uint_key
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.zk.custody import CustodyOperation

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
        "INSERT INTO ledger_operations (block_number, log_index, transaction_hash, operation, mint_tag, evidence_hash, "
        "passport_contract, binding) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.block_number, event.log_index, event.transaction_hash, operation.value, columns.get("mint_tag"),
         columns.get("evidence_hash"), columns.get("passport_contract"), columns.get("binding")),
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


def pack_redeemed(db: Database, event: DecodedEvent) -> None:
    args = event.args
    _record_operation(db, event, NoteOperation.REDEEM, [], [args["nullifier"]], passport_contract=args["passportContract"],
                      binding=args["binding"])


# -- passport ---------------------------------------------------------------------------------------


def passport_issued(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO passports (passport_id, pack_nullifier, economic_operator, holder, battery_id, battery_id_hash, "
        "document_uri, document_hash, legitimate_interest_commitment, authorities_commitment, status, claims, "
        "issued_block, issued_transaction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (uint_key(int(args["passportId"])), uint_key(int(args["packNullifier"])), args["economicOperator"],
         args["economicOperator"], args["batteryId"], "0x" + keccak(text=args["batteryId"]).hex(), args["documentUri"],
         args["documentHash"], args["legitimateInterestCommitment"], args["authoritiesCommitment"],
         int(PassportStatus.ORIGINAL), json.dumps(_claim_values(args["claims"])),
         event.block_number, event.transaction_hash),
    )


def _claim_values(claims: Any) -> Any:
    # A struct argument decodes as a tuple (or a mapping), in the struct's field order, metals nested
    # (ClaimBounds.as_tuple's layout): the integers as they are, for JSON.
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
    """A hand-over of the battery; the mint's transfer precedes ``PassportIssued``, which names the issuer."""
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
    ("ledger", "PackRedeemed"): pack_redeemed,
    ("passport", "PassportIssued"): passport_issued,
    ("passport", "PassportStatusChanged"): passport_status_changed,
    ("passport", "PassportDocumentUpdated"): passport_document_updated,
    ("passport", "Transfer"): passport_transferred,
}


def apply(db: Database, event: DecodedEvent) -> None:
    """Update the derived tables for one event; call in chain order."""
    handler = HANDLERS.get((event.contract, event.name))
    if handler is not None:
        handler(db, event)

"""How each contract event changes the derived tables: one handler per event, in one table.

The derived tables are a pure function of the raw events replayed in chain order, so a handler
reads only its event and the tables, and writes idempotently (``ON CONFLICT DO NOTHING``): the same
events applied again, or after a rebuild, give the same rows. Every handler of a lot event also
adds the event to that lot's history (``lot_events``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from batterytrace.evm.events import DecodedEvent, RawLog
from batterytrace.indexer.database import Database, lot_key
from batterytrace.model.lots import LotStatus

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


def _add_to_history(db: Database, event: DecodedEvent, lot_id: int) -> None:
    db.execute("INSERT INTO lot_events (lot_id, block_number, log_index) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
               (lot_key(lot_id), event.block_number, event.log_index))


def _record_transfer(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO transfers (block_number, log_index, contract, token_id, from_address, to_address, "
        "transaction_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event.block_number, event.log_index, event.contract, lot_key(int(args["tokenId"])), args["from"], args["to"],
         event.transaction_hash),
    )


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


def participant_registered(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO participants (account, role, country, registered_block) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (args["account"], args["role"], _text(args["country"]), event.block_number),
    )


# -- lots -------------------------------------------------------------------------------------------


def lot_created(db: Database, event: DecodedEvent) -> None:
    args = event.args
    lot_id = int(args["lotId"])
    # A lot inherits its facility's risk flags as they stand when it is minted.
    flags = db.execute("SELECT risk_flags FROM facilities WHERE facility_id = ?", (args["facilityId"],))
    db.execute(
        "INSERT INTO lots (lot_id, kind, creator, facility_id, custodian, status, custody_model, "
        "certified_schemes, risk_flags, commitment, external_id, tag_id, created_block, created_transaction) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (lot_key(lot_id), args["kind"], args["creator"], args["facilityId"], args["creator"], int(LotStatus.ACTIVE),
         args["custodyModel"], args["certifiedSchemes"], flags[0][0] if flags else 0, str(args["commitment"]),
         _text(args["externalId"]), args["tagId"], event.block_number, event.transaction_hash),
    )
    for position, parent in enumerate(args["parentIds"]):
        db.execute("INSERT INTO lot_parents (child_id, parent_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                   (lot_key(lot_id), lot_key(int(parent)), position))
    _add_to_history(db, event, lot_id)


def lots_transformed(db: Database, event: DecodedEvent) -> None:
    for lot_id in (*event.args["inputLotIds"], *event.args["outputLotIds"]):
        _add_to_history(db, event, int(lot_id))


def lot_transferred(db: Database, event: DecodedEvent) -> None:
    lot_id = int(event.args["tokenId"])
    _record_transfer(db, event)
    if event.args["to"] != _ZERO_ADDRESS:
        db.execute("UPDATE lots SET custodian = ? WHERE lot_id = ?", (event.args["to"], lot_key(lot_id)))
    _add_to_history(db, event, lot_id)


def lot_status_changed(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE lots SET status = ? WHERE lot_id = ?", (event.args["newStatus"], lot_key(int(event.args["lotId"]))))
    lot_event(db, event)


def lot_offered(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE lots SET pending_receiver = ? WHERE lot_id = ?", (event.args["to"], lot_key(int(event.args["lotId"]))))
    lot_event(db, event)


def lot_offer_closed(db: Database, event: DecodedEvent) -> None:
    """An offer cancelled, accepted, or settled by an auditor: nobody is pending any more."""
    db.execute("UPDATE lots SET pending_receiver = NULL WHERE lot_id = ?", (lot_key(int(event.args["lotId"])),))
    lot_event(db, event)


def lot_locked_for_passport(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE lots SET passport_id = ? WHERE lot_id = ?",
               (lot_key(int(event.args["passportId"])), lot_key(int(event.args["lotId"]))))
    lot_event(db, event)


def lot_event(db: Database, event: DecodedEvent) -> None:
    """An event of one lot (``lotId``) that changes no column: it only joins the lot's history."""
    _add_to_history(db, event, int(event.args["lotId"]))


# -- passport ---------------------------------------------------------------------------------------


def passport_issued(db: Database, event: DecodedEvent) -> None:
    args = event.args
    db.execute(
        "INSERT INTO passports (passport_id, pack_lot_id, economic_operator, battery_id, document_uri, "
        "document_hash, status, issued_block) VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
        (lot_key(int(args["passportId"])), lot_key(int(args["packLotId"])), args["economicOperator"], args["batteryId"],
         args["documentUri"], args["documentHash"], event.block_number),
    )


def passport_status_changed(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE passports SET status = ? WHERE passport_id = ?",
               (event.args["newStatus"], lot_key(int(event.args["passportId"]))))


def passport_document_updated(db: Database, event: DecodedEvent) -> None:
    db.execute("UPDATE passports SET document_hash = ?, document_uri = ? WHERE passport_id = ?",
               (event.args["newHash"], event.args["documentUri"], lot_key(int(event.args["passportId"]))))


def passport_transferred(db: Database, event: DecodedEvent) -> None:
    _record_transfer(db, event)


#: (contract, event name) -> the handler that updates the derived tables. Events not named here
#: (role changes, certifications, approvals, raw logs) are kept in ``events`` and change nothing else.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("registry", "FacilityRegistered"): facility_registered,
    ("registry", "FacilityActivated"): facility_activated,
    ("registry", "RiskFindingRecorded"): risk_finding_recorded,
    ("registry", "ProcessParametersSet"): process_parameters_set,
    ("registry", "ParticipantRegistered"): participant_registered,
    ("lots", "LotCreated"): lot_created,
    ("lots", "LotsTransformed"): lots_transformed,
    ("lots", "Transfer"): lot_transferred,
    ("lots", "LotStatusChanged"): lot_status_changed,
    ("lots", "LotOffered"): lot_offered,
    ("lots", "LotOfferCancelled"): lot_offer_closed,
    ("lots", "LotAccepted"): lot_offer_closed,
    ("lots", "LotDisputeResolved"): lot_offer_closed,
    ("lots", "LotLockedForPassport"): lot_locked_for_passport,
    ("lots", "LotDisputed"): lot_event,
    ("passport", "PassportIssued"): passport_issued,
    ("passport", "PassportStatusChanged"): passport_status_changed,
    ("passport", "PassportDocumentUpdated"): passport_document_updated,
    ("passport", "Transfer"): passport_transferred,
}


def apply(db: Database, event: DecodedEvent) -> None:
    """Update the derived tables for one event; call in chain order."""
    handler = HANDLERS.get((event.contract, event.name))
    if handler is None and event.contract == "lots" and "lotId" in event.args:
        # A lot event the table does not name yet still belongs to that lot's history.
        handler = lot_event
    if handler is not None:
        handler(db, event)

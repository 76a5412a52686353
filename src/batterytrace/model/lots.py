"""Lots: public records, the arithmetic of transformations, and lot history from events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import IntEnum
from typing import Any

from batterytrace.evm.events import DecodedEvent
from batterytrace.model.registry import Scheme, schemes_from_mask

BPS = 10_000
UINT64_MAX = 2**64 - 1


class MaterialKind(IntEnum):
    COBALT_ORE = 0
    COBALT_HYDROXIDE = 1
    CRUDE_COBALT_SULFATE = 2
    REFINED_COBALT_SULFATE = 3
    COBALT_METAL = 4
    PRECURSOR = 5
    CATHODE = 6
    CELL = 7
    MODULE = 8
    PACK = 9
    BLACK_MASS = 10
    RECYCLED_COBALT_SULFATE = 11


class LotStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    IN_TRANSIT = 2
    DISPUTED = 3
    CONSUMED = 4


class CustodyModel(IntEnum):
    """ISO 22095 chain-of-custody models."""

    IDENTITY_PRESERVED = 0
    SEGREGATED = 1
    CONTROLLED_BLENDING = 2
    MASS_BALANCE = 3
    BOOK_AND_CLAIM = 4


class DisputeOutcome(IntEnum):
    DELIVER_TO_RECEIVER = 0
    RETURN_TO_SENDER = 1


@dataclass(frozen=True)
class Lot:
    """The public record of a lot, as the chain holds it."""

    lot_id: int
    custodian: str
    creator: str
    facility_id: int
    created_at: datetime
    kind: MaterialKind
    status: LotStatus
    custody_model: CustodyModel
    certified_schemes: frozenset[Scheme]
    commitment: int
    tag_id: bytes
    pending_receiver: str | None
    parent_ids: tuple[int, ...]

    @classmethod
    def from_chain(cls, lot_id: int, raw: Any, custodian: str, parent_ids: Sequence[int]) -> Lot:
        creator, facility_id, created_at, kind, status, model, schemes, commitment, tag_id, pending = raw
        return cls(
            lot_id=lot_id,
            custodian=custodian,
            creator=str(creator),
            facility_id=int(facility_id),
            created_at=datetime.fromtimestamp(created_at, tz=timezone.utc),
            kind=MaterialKind(kind),
            status=LotStatus(status),
            custody_model=CustodyModel(model),
            certified_schemes=schemes_from_mask(schemes),
            commitment=int(commitment),
            tag_id=bytes(tag_id),
            pending_receiver=None if int(pending, 16) == 0 else str(pending),
            parent_ids=tuple(int(parent) for parent in parent_ids),
        )


@dataclass(frozen=True)
class OutputPlan:
    """What the transformer states about one output: its cobalt and total mass, and public labels."""

    external_id: str
    kind: MaterialKind
    cobalt_grams: int
    total_grams: int
    tag_id: str = ""
    custody_model: CustodyModel = CustodyModel.SEGREGATED




@dataclass(frozen=True)
class LotEvent:
    """One event in a lot's life, decoded from the chain's logs."""

    name: str
    lot_id: int
    block_number: int
    transaction_hash: str
    log_index: int
    timestamp: datetime
    arguments: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_decoded(cls, event: DecodedEvent, lot_id: int, timestamp: datetime) -> LotEvent:
        """The lot event for a decoded log (``lot_id``: the lot whose life it is part of)."""
        return cls(
            name=event.name,
            lot_id=lot_id,
            block_number=event.block_number,
            transaction_hash=event.transaction_hash,
            log_index=event.log_index,
            timestamp=timestamp,
            arguments=dict(event.args),
        )

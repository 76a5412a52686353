"""Lots: public records, the arithmetic of transformations, and lot history from events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import IntEnum
from typing import Any

from batterytrace.commitment import Opening, RiskFlag
from batterytrace.exceptions import OpeningError
from batterytrace.registry import Scheme, schemes_from_mask

MAX_TRANSFORM_INPUTS = 4
MAX_TRANSFORM_OUTPUTS = 4
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


def allocate_outputs(
    inputs: Sequence[Opening], outputs: Sequence[OutputPlan], process_co2e_grams: int, max_yield_loss_bps: int
) -> list[Opening]:
    """The outputs' openings that the transform circuit accepts, with fresh blindings.

    Certified and recycled cobalt follow each output's share of the input cobalt, rounded down, so
    none is created; embodied CO2e plus the process's own emissions follow each output's share of
    the output cobalt, rounded up, so none is lost; risk flags are the OR of the inputs'.
    """
    if not 1 <= len(inputs) <= MAX_TRANSFORM_INPUTS or not 1 <= len(outputs) <= MAX_TRANSFORM_OUTPUTS:
        raise OpeningError(
            f"a transformation takes 1 to {MAX_TRANSFORM_INPUTS} inputs and 1 to {MAX_TRANSFORM_OUTPUTS} "
            f"outputs, not {len(inputs)} and {len(outputs)}: chain several transformations for larger jobs"
        )
    if not 0 <= process_co2e_grams <= UINT64_MAX:
        raise OpeningError(f"process CO2e {process_co2e_grams} g is outside 0..2^64-1")
    cobalt_in = sum(opening.cobalt_grams for opening in inputs)
    certified_in = sum(opening.certified_cobalt_grams for opening in inputs)
    recycled_in = sum(opening.recycled_cobalt_grams for opening in inputs)
    co2e_to_allocate = sum(opening.co2e_grams for opening in inputs) + process_co2e_grams
    flags = RiskFlag.NONE
    for opening in inputs:
        flags |= opening.risk_flags
    cobalt_out = sum(plan.cobalt_grams for plan in outputs)
    for plan in outputs:
        if plan.cobalt_grams < 1:
            raise OpeningError(f"output {plan.external_id!r} must contain cobalt (1 g or more)")
    if cobalt_out > cobalt_in:
        raise OpeningError(f"outputs hold {cobalt_out} g cobalt but the inputs only {cobalt_in} g: cobalt cannot be created")
    if (cobalt_in - cobalt_out) * BPS > max_yield_loss_bps * cobalt_in:
        raise OpeningError(
            f"losing {cobalt_in - cobalt_out} g of {cobalt_in} g cobalt exceeds the facility's audited maximum "
            f"yield loss of {max_yield_loss_bps / 100:.2f}%"
        )
    openings = []
    for plan in outputs:
        openings.append(
            Opening.new(
                cobalt_grams=plan.cobalt_grams,
                total_grams=plan.total_grams,
                certified_cobalt_grams=certified_in * plan.cobalt_grams // cobalt_in,
                recycled_cobalt_grams=recycled_in * plan.cobalt_grams // cobalt_in,
                co2e_grams=-(-co2e_to_allocate * plan.cobalt_grams // cobalt_out),
                risk_flags=flags,
            )
        )
    return openings


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

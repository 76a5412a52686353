"""The arithmetic of transformations: the outputs' values the transform circuit accepts."""

from __future__ import annotations

from collections.abc import Sequence

from batterytrace.exceptions import OpeningError, ProcessCo2eBelowFloorError
from batterytrace.model.lots import BPS, UINT64_MAX, OutputPlan
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening
from batterytrace.zk.inputs import MAX_TRANSFORM_INPUTS, MAX_TRANSFORM_OUTPUTS

_UINT32_MAX = 2**32 - 1  # the registry's co2eFloorGramsPerKg


def allocate_outputs(
    inputs: Sequence[Opening],
    outputs: Sequence[OutputPlan],
    process_co2e_grams: int,
    max_yield_loss_bps: int,
    *,
    process_co2e_floor_grams_per_kg: int = 0,
) -> list[Opening]:
    """The outputs' openings that the transform circuit accepts, with fresh blindings.

    Certified and recycled cobalt follow each output's share of the input cobalt, rounded down, so
    none is created; embodied CO2e plus the process's own emissions follow each output's share of
    the output cobalt, rounded up, so none is lost; risk flags are the OR of the inputs'. The
    process's emissions must reach the facility's floor per kg processed
    (:func:`require_process_co2e_floor`; 0 where the auditor set none).
    """
    if not 1 <= len(inputs) <= MAX_TRANSFORM_INPUTS or not 1 <= len(outputs) <= MAX_TRANSFORM_OUTPUTS:
        raise OpeningError(
            f"a transformation takes 1 to {MAX_TRANSFORM_INPUTS} inputs and 1 to {MAX_TRANSFORM_OUTPUTS} "
            f"outputs, not {len(inputs)} and {len(outputs)}: chain several transformations for larger jobs"
        )
    if not 0 <= process_co2e_grams <= UINT64_MAX:
        raise OpeningError(f"process CO2e {process_co2e_grams} g is outside 0..2^64-1")
    require_process_co2e_floor(inputs, process_co2e_grams, process_co2e_floor_grams_per_kg)
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


def require_process_co2e_floor(inputs: Sequence[Opening], process_co2e_grams: int, floor_grams_per_kg: int) -> None:
    """Refuses process emissions below the facility's audited floor per kg of material processed,
    the inputs' total mass, as the transform circuit does: ``process_co2e_grams * 1000 >=
    floor_grams_per_kg * processed_grams``.

    Raises:
        ProcessCo2eBelowFloorError: the declaration is below the floor.
        OpeningError: the floor is not a uint32, as the registry holds it.
    """
    if not 0 <= floor_grams_per_kg <= _UINT32_MAX:
        raise OpeningError(f"a CO2e floor of {floor_grams_per_kg} g/kg is outside 0..2^32-1")
    processed_grams = sum(opening.total_grams for opening in inputs)
    if process_co2e_grams * 1000 < floor_grams_per_kg * processed_grams:
        raise ProcessCo2eBelowFloorError(process_co2e_grams, processed_grams, floor_grams_per_kg)

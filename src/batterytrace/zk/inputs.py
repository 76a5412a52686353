"""Circuit inputs from openings and on-chain context, and off-chain re-verification.

The caller of the SDK never builds a witness: these functions lay out each circuit's inputs exactly
as circuits/manifest.json declares them, from openings and the public values the contracts use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProofError
from batterytrace.zk.commitment import Opening

#: The transform circuit's slots (circuits/transform.circom: TransformProof(4, 4)).
MAX_TRANSFORM_INPUTS = 4
MAX_TRANSFORM_OUTPUTS = 4

_ZERO_OPENING_VALUES = (0, 0, 0, 0, 0, 0, 0)


def mint_inputs(
    opening: Opening, certified: bool, recycled_origin: bool, facility_risk_flags: int, co2e_floor_grams_per_kg: int, context: int
) -> dict[str, Any]:
    """Inputs of the mint circuit: public signals first, then the lot's opening."""
    cobalt, total, certified_grams, recycled_grams, co2e, flags, blinding = opening.field_elements()
    return {
        "commitment": opening.commitment,
        "certified": int(certified),
        "recycledOrigin": int(recycled_origin),
        "riskFlags": int(facility_risk_flags),
        "co2eFloorGramsPerKg": int(co2e_floor_grams_per_kg),
        "context": context,
        "cobaltGrams": cobalt,
        "totalGrams": total,
        "certifiedCobaltGrams": certified_grams,
        "recycledCobaltGrams": recycled_grams,
        "co2eGrams": co2e,
        "lotRiskFlags": flags,
        "blinding": blinding,
    }


def transform_inputs(
    inputs: Sequence[Opening],
    outputs: Sequence[Opening],
    max_yield_loss_bps: int,
    process_co2e_grams: int,
    context: int,
    *,
    process_co2e_floor_grams_per_kg: int = 0,
) -> dict[str, Any]:
    """Inputs of the 4x4 transform circuit; unused slots carry commitment 0 and zero values.

    ``process_co2e_floor_grams_per_kg`` is the facility's audited floor, the public signal the
    contract reads from the registry (0 where the auditor set none).
    """
    if len(inputs) > MAX_TRANSFORM_INPUTS or len(outputs) > MAX_TRANSFORM_OUTPUTS:
        raise ProofError(f"the transform circuit takes at most {MAX_TRANSFORM_INPUTS} inputs and {MAX_TRANSFORM_OUTPUTS} outputs")

    def slots(openings: Sequence[Opening], size: int) -> tuple[list[int], list[tuple[int, ...]]]:
        commitments = [opening.commitment for opening in openings] + [0] * (size - len(openings))
        values = [opening.field_elements() for opening in openings] + [_ZERO_OPENING_VALUES] * (size - len(openings))
        return commitments, values

    input_commitments, input_values = slots(inputs, MAX_TRANSFORM_INPUTS)
    output_commitments, output_values = slots(outputs, MAX_TRANSFORM_OUTPUTS)
    names = ("CobaltGrams", "TotalGrams", "CertifiedCobaltGrams", "RecycledCobaltGrams", "Co2eGrams", "RiskFlags", "Blinding")
    circuit_inputs: dict[str, Any] = {
        "inputCommitments": input_commitments,
        "outputCommitments": output_commitments,
        "maxYieldLossBps": max_yield_loss_bps,
        "processCo2eGrams": process_co2e_grams,
        "processCo2eFloorGramsPerKg": int(process_co2e_floor_grams_per_kg),
        "context": context,
    }
    for position, name in enumerate(names):
        circuit_inputs[f"input{name}"] = [values[position] for values in input_values]
        circuit_inputs[f"output{name}"] = [values[position] for values in output_values]
    return circuit_inputs


@dataclass(frozen=True)
class ClaimBounds:
    """What a passport claims about its pack lot; proven without opening the lot."""

    cobalt_grams: int
    min_certified_bps: int
    min_recycled_bps: int
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    capacity_wh: int
    forbidden_risk_flags: int

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.cobalt_grams,
            self.min_certified_bps,
            self.min_recycled_bps,
            self.max_co2e_grams_per_kg_cobalt,
            self.max_co2e_grams_per_kwh,
            self.capacity_wh,
            self.forbidden_risk_flags,
        )

    @classmethod
    def tightest(cls, opening: Opening, capacity_wh: int, forbidden_risk_flags: int) -> ClaimBounds:
        """The strongest claims the opening supports (shares rounded down, CO2e bounds rounded up)."""
        cobalt = opening.cobalt_grams
        return cls(
            cobalt_grams=cobalt,
            min_certified_bps=opening.certified_cobalt_grams * 10_000 // cobalt,
            min_recycled_bps=opening.recycled_cobalt_grams * 10_000 // cobalt,
            max_co2e_grams_per_kg_cobalt=-(-opening.co2e_grams * 1000 // cobalt),
            max_co2e_grams_per_kwh=-(-opening.co2e_grams * 1000 // capacity_wh),
            capacity_wh=capacity_wh,
            forbidden_risk_flags=forbidden_risk_flags,
        )


def claim_inputs(opening: Opening, bounds: ClaimBounds, context: int) -> dict[str, Any]:
    """Inputs of the claim circuit."""
    cobalt, total, certified_grams, recycled_grams, co2e, flags, blinding = opening.field_elements()
    return {
        "packCommitment": opening.commitment,
        "cobaltGrams": bounds.cobalt_grams,
        "minCertifiedBps": bounds.min_certified_bps,
        "minRecycledBps": bounds.min_recycled_bps,
        "maxCo2eGramsPerKgCobalt": bounds.max_co2e_grams_per_kg_cobalt,
        "maxCo2eGramsPerKwh": bounds.max_co2e_grams_per_kwh,
        "capacityWh": bounds.capacity_wh,
        "forbiddenRiskFlags": bounds.forbidden_risk_flags,
        "context": context,
        "packCobaltGrams": cobalt,
        "packTotalGrams": total,
        "packCertifiedCobaltGrams": certified_grams,
        "packRecycledCobaltGrams": recycled_grams,
        "packCo2eGrams": co2e,
        "packRiskFlags": flags,
        "packBlinding": blinding,
    }





"""Honest inputs for each circuit, built with the SDK's own input builders."""

from __future__ import annotations

from typing import Any

from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.model.risk import RiskFlag
from batterytrace.model.transformation import allocate_outputs
from batterytrace.zk.commitment import Opening
from batterytrace.zk.inputs import ClaimBounds, claim_inputs, mint_inputs, transform_inputs

CONTEXT = 12345


def honest_inputs(circuit: str) -> dict[str, Any]:
    bag = Opening.new(cobalt_grams=700_000, total_grams=2_000_000, certified_cobalt_grams=700_000, co2e_grams=7_000_000,
                      risk_flags=RiskFlag.NONE)
    if circuit == "mint":
        return mint_inputs(bag, True, False, 0, 2_000, CONTEXT)
    if circuit == "transform":
        outputs = allocate_outputs([bag], [OutputPlan("A", MaterialKind.CRUDE_COBALT_SULFATE, 690_000, 3_290_000)], 10_000, 500)
        return transform_inputs([bag], outputs, 500, 10_000, CONTEXT)
    bounds = ClaimBounds.tightest(bag, 75_000, int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS))
    return claim_inputs(bag, bounds, CONTEXT)

"""The arithmetic of a transformation, off chain: ``allocate_outputs`` over random inputs and plans.

Whatever the inputs and the stated outputs, cobalt never grows, certified and recycled cobalt never
exceed an output's cobalt nor grow in total, embodied CO2e plus the process's own is never lost,
risk flags are the OR of the inputs', and a plan outside the rules raises OpeningError.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.exceptions import OpeningError
from batterytrace.model.lots import BPS, MaterialKind, OutputPlan
from batterytrace.model.risk import RiskFlag
from batterytrace.model.transformation import allocate_outputs
from batterytrace.zk.commitment import Opening

EXAMPLES = int(os.environ.get("BATTERYTRACE_PROPERTY_EXAMPLES", "300"))
GRAMS = 10**12  # a few times a year of world cobalt supply; sums stay far below 2^64


@st.composite
def openings(draw: st.DrawFn) -> Opening:
    cobalt = draw(st.integers(1, GRAMS))
    return Opening.new(
        cobalt_grams=cobalt,
        total_grams=cobalt + draw(st.integers(0, GRAMS)),
        certified_cobalt_grams=draw(st.integers(0, cobalt)),
        recycled_cobalt_grams=draw(st.integers(0, cobalt)),
        co2e_grams=draw(st.integers(0, GRAMS)),
        risk_flags=RiskFlag(draw(st.integers(0, 15))),
        blinding=draw(st.integers(0, 2**200)),
    )


@st.composite
def valid_transformations(draw: st.DrawFn) -> tuple[list[Opening], list[OutputPlan], int, int]:
    inputs = draw(st.lists(openings(), min_size=1, max_size=4))
    cobalt_in = sum(opening.cobalt_grams for opening in inputs)
    max_loss_bps = draw(st.integers(0, BPS))
    cobalt_out = cobalt_in - draw(st.integers(0, min(cobalt_in * max_loss_bps // BPS, cobalt_in - 1)))
    count = draw(st.integers(1, min(4, cobalt_out)))
    cuts = sorted(draw(st.lists(st.integers(1, cobalt_out - 1), min_size=count - 1, max_size=count - 1, unique=True))) if count > 1 else []
    shares = [upper - lower for lower, upper in zip([0, *cuts], [*cuts, cobalt_out], strict=True)]
    plans = [OutputPlan(f"OUT-{index}", MaterialKind.CRUDE_COBALT_SULFATE, share, share + draw(st.integers(0, GRAMS)))
             for index, share in enumerate(shares)]
    return inputs, plans, draw(st.integers(0, GRAMS)), max_loss_bps


@settings(max_examples=EXAMPLES, deadline=None)
@given(valid_transformations())
def test_a_valid_plan_conserves_cobalt_certified_recycled_co2e_and_flags(transformation):
    inputs, plans, process_co2e, max_loss_bps = transformation
    cobalt_in = sum(o.cobalt_grams for o in inputs)
    outputs = allocate_outputs(inputs, plans, process_co2e, max_loss_bps)
    assert [o.cobalt_grams for o in outputs] == [plan.cobalt_grams for plan in plans]
    assert [o.total_grams for o in outputs] == [plan.total_grams for plan in plans]
    assert sum(o.cobalt_grams for o in outputs) <= cobalt_in
    assert (cobalt_in - sum(o.cobalt_grams for o in outputs)) * BPS <= max_loss_bps * cobalt_in
    for output in outputs:
        assert output.certified_cobalt_grams <= output.cobalt_grams
        assert output.recycled_cobalt_grams <= output.cobalt_grams
    assert sum(o.certified_cobalt_grams for o in outputs) <= sum(o.certified_cobalt_grams for o in inputs)
    assert sum(o.recycled_cobalt_grams for o in outputs) <= sum(o.recycled_cobalt_grams for o in inputs)
    assert sum(o.co2e_grams for o in outputs) >= sum(o.co2e_grams for o in inputs) + process_co2e
    flags = RiskFlag.NONE
    for opening in inputs:
        flags |= opening.risk_flags
    assert all(o.risk_flags == flags for o in outputs)
    assert len({o.blinding for o in outputs}) == len(outputs)  # fresh blindings, commitments unlinkable


@settings(max_examples=EXAMPLES, deadline=None)
@given(inputs=st.lists(openings(), min_size=1, max_size=4), extra=st.integers(1, GRAMS), split=st.integers(1, 4),
       process_co2e=st.integers(0, GRAMS), max_loss_bps=st.integers(0, BPS))
def test_outputs_holding_more_cobalt_than_the_inputs_are_refused(inputs, extra, split, process_co2e, max_loss_bps):
    cobalt_out = sum(o.cobalt_grams for o in inputs) + extra
    shares = [cobalt_out // split] * (split - 1) + [cobalt_out - cobalt_out // split * (split - 1)]
    plans = [OutputPlan(f"OUT-{index}", MaterialKind.CELL, share, share) for index, share in enumerate(shares) if share]
    with pytest.raises(OpeningError, match="cannot be created"):
        allocate_outputs(inputs, plans, process_co2e, max_loss_bps)


@settings(max_examples=EXAMPLES, deadline=None)
@given(inputs=st.lists(openings(), min_size=1, max_size=4), max_loss_bps=st.integers(0, BPS - 1), data=st.data())
def test_losing_more_than_the_audited_yield_loss_is_refused(inputs, max_loss_bps, data):
    cobalt_in = sum(o.cobalt_grams for o in inputs)
    most_kept_refused = cobalt_in - cobalt_in * max_loss_bps // BPS - 1
    if most_kept_refused < 1:
        return  # a lot too small to lose anything measurable: no refused plan keeps cobalt
    kept = data.draw(st.integers(1, most_kept_refused))
    if (cobalt_in - kept) * BPS <= max_loss_bps * cobalt_in:
        return  # rounding: this loss is still within the allowed share
    with pytest.raises(OpeningError, match="yield loss"):
        allocate_outputs(inputs, [OutputPlan("OUT", MaterialKind.CELL, kept, kept)], 0, max_loss_bps)


@settings(max_examples=EXAMPLES // 3 or 1, deadline=None)
@given(inputs=st.lists(openings(), min_size=0, max_size=6), outputs=st.integers(0, 6), data=st.data())
def test_empty_or_oversized_transformations_and_bad_values_are_refused(inputs, outputs, data):
    plans = [OutputPlan(f"OUT-{index}", MaterialKind.CELL, 1, 1) for index in range(outputs)]
    if not (1 <= len(inputs) <= 4 and 1 <= outputs <= 4):
        with pytest.raises(OpeningError, match="1 to 4"):
            allocate_outputs(inputs, plans, 0, BPS)
        return
    bad = data.draw(st.sampled_from(["empty output", "negative process", "huge process"]))
    if bad == "empty output":
        plans[0] = OutputPlan("EMPTY", MaterialKind.CELL, 0, 1)
        with pytest.raises(OpeningError, match="must contain cobalt"):
            allocate_outputs(inputs, plans, 0, BPS)
    else:
        process = -1 if bad == "negative process" else 2**64
        with pytest.raises(OpeningError, match="process CO2e"):
            allocate_outputs(inputs, plans, process, BPS)

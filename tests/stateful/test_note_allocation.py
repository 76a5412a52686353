"""The arithmetic of a transform on the shielded ledger, off chain: ``transform_notes``
(zk/note_transform.py, the note transform circuit's twin) over random notes and jobs.

Whatever the input notes and the stated outputs, cobalt never grows and is lost within the site's
yield bound, certified and recycled cobalt never exceed an output's cobalt nor grow in total,
embodied CO2e plus the process's own is never lost, risk flags are the OR of the inputs', every
output is a fresh active note of the actor's, and a job outside the rules raises ProofError naming
the rule.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from batterytrace.exceptions import ProcessCo2eBelowFloorError, ProofError
from batterytrace.zk.custody import Participant
from batterytrace.zk.note_transform import BASIS_POINTS, REFINERY, OutputSpec, transform_notes
from batterytrace.zk.notes import MetalValues, Note, NoteState, NoteValues
from batterytrace.zk.origin import COBALT_HYDROXIDE, Site

EXAMPLES = int(os.environ.get("BATTERYTRACE_PROPERTY_EXAMPLES", "300"))
GRAMS = 10**12  # a few times a year of world cobalt supply; sums stay far below 2^64
REFINED_SULFATE = 3  # a kind a refinery makes (MADE_KINDS)
ACTOR = Participant(account=0xA11CE, role_index=2, risk_flags=0, shielding_key=0x5EED)


def refinery(max_yield_loss_bps: int, co2e_floor_grams_per_kg: int = 0) -> Site:
    return Site(ACTOR.account, 6, REFINERY, 0, max_yield_loss_bps, co2e_floor_grams_per_kg, int.from_bytes(b"FI", "big"))


@st.composite
def notes(draw: st.DrawFn) -> Note:
    cobalt = draw(st.integers(1, GRAMS))
    pre_consumer = draw(st.integers(0, cobalt))
    metal = MetalValues(cobalt, draw(st.integers(0, cobalt)), pre_consumer, draw(st.integers(0, cobalt - pre_consumer)))
    # Cobalt hydroxide holds cobalt alone (KIND_METALS): lithium and nickel are 0.
    values = NoteValues((metal, MetalValues(), MetalValues()), cobalt + draw(st.integers(0, GRAMS)),
                        draw(st.integers(0, GRAMS)), draw(st.integers(0, 15)))
    return Note(values, kind=COBALT_HYDROXIDE, owner=ACTOR.shielding_key, tag=draw(st.integers(1, 2**200)),
                blinding=draw(st.integers(1, 2**200)))


def spec(number: int, kind: int, cobalt_grams: int, total_grams: int) -> OutputSpec:
    return OutputSpec(kind, (cobalt_grams, 0, 0), total_grams, tag=1_000 + number)


@st.composite
def valid_jobs(draw: st.DrawFn) -> tuple[list[Note], list[OutputSpec], int, Site]:
    inputs = draw(st.lists(notes(), min_size=1, max_size=4, unique_by=lambda note: note.blinding))
    cobalt_in = sum(note.values.metals[0].grams for note in inputs)
    max_loss_bps = draw(st.integers(0, BASIS_POINTS))
    cobalt_out = cobalt_in - draw(st.integers(0, min(cobalt_in * max_loss_bps // BASIS_POINTS, cobalt_in - 1)))
    count = draw(st.integers(1, min(4, cobalt_out)))
    cuts = sorted(draw(st.lists(st.integers(1, cobalt_out - 1), min_size=count - 1, max_size=count - 1, unique=True))) if count > 1 else []
    shares = [upper - lower for lower, upper in zip([0, *cuts], [*cuts, cobalt_out], strict=True)]
    kinds = st.sampled_from([REFINED_SULFATE, COBALT_HYDROXIDE])  # one the site makes, or an input's
    outputs = [spec(number, draw(kinds), share, share + draw(st.integers(0, GRAMS))) for number, share in enumerate(shares)]
    floor = draw(st.integers(0, 1_000))
    total_in = sum(note.values.total_grams for note in inputs)
    process_co2e = -(-floor * total_in // 1000) + draw(st.integers(0, GRAMS))
    return inputs, outputs, process_co2e, refinery(max_loss_bps, floor)


@settings(max_examples=EXAMPLES, deadline=None)
@given(valid_jobs())
def test_a_valid_job_conserves_cobalt_certified_recycled_co2e_and_flags(job):
    inputs, outputs, process_co2e, site = job
    created = transform_notes(inputs, ACTOR, site, outputs, process_co2e)
    metals_in = [note.values.metals[0] for note in inputs]
    metals_out = [note.values.metals[0] for note in created]
    assert [(note.kind, note.tag, metal.grams, note.values.total_grams) for note, metal in zip(created, metals_out, strict=True)] \
        == [(output.kind, output.tag, output.grams[0], output.total_grams) for output in outputs]
    assert all(note.values.metals[1:] == (MetalValues(), MetalValues()) for note in created)  # no lithium, no nickel
    cobalt_in, cobalt_out = sum(metal.grams for metal in metals_in), sum(metal.grams for metal in metals_out)
    assert cobalt_out <= cobalt_in and (cobalt_in - cobalt_out) * BASIS_POINTS <= site.max_yield_loss_bps * cobalt_in
    for metal in metals_out:
        assert metal.certified_grams <= metal.grams and metal.pre_consumer_grams + metal.post_consumer_grams <= metal.grams
    for share in ("certified_grams", "pre_consumer_grams", "post_consumer_grams"):
        assert sum(getattr(metal, share) for metal in metals_out) <= sum(getattr(metal, share) for metal in metals_in), share
    assert sum(note.values.co2e_grams for note in created) >= sum(note.values.co2e_grams for note in inputs) + process_co2e
    flags = 0
    for note in inputs:
        flags |= note.values.risk_flags
    assert all(note.values.risk_flags == flags for note in created)
    assert all((note.owner, note.state, note.counterparty) == (ACTOR.shielding_key, NoteState.ACTIVE, 0) for note in created)
    assert len({note.blinding for note in created}) == len(created)  # fresh blindings, commitments unlinkable


@settings(max_examples=EXAMPLES, deadline=None)
@given(inputs=st.lists(notes(), min_size=1, max_size=4, unique_by=lambda note: note.blinding), extra=st.integers(1, GRAMS),
       split=st.integers(1, 4), max_loss_bps=st.integers(0, BASIS_POINTS))
def test_outputs_holding_more_cobalt_than_the_inputs_are_refused(inputs, extra, split, max_loss_bps):
    cobalt_out = sum(note.values.metals[0].grams for note in inputs) + extra
    shares = [cobalt_out // split] * (split - 1) + [cobalt_out - cobalt_out // split * (split - 1)]
    outputs = [spec(number, REFINED_SULFATE, share, share) for number, share in enumerate(shares) if share]
    with pytest.raises(ProofError, match="no metal is created"):
        transform_notes(inputs, ACTOR, refinery(max_loss_bps), outputs, 0)


@settings(max_examples=EXAMPLES, deadline=None)
@given(inputs=st.lists(notes(), min_size=1, max_size=4, unique_by=lambda note: note.blinding),
       max_loss_bps=st.integers(0, BASIS_POINTS - 1), data=st.data())
def test_losing_more_than_the_audited_yield_loss_is_refused(inputs, max_loss_bps, data):
    cobalt_in = sum(note.values.metals[0].grams for note in inputs)
    most_kept_refused = cobalt_in - cobalt_in * max_loss_bps // BASIS_POINTS - 1
    if most_kept_refused < 1:
        return  # a lot too small to lose anything measurable: no refused job keeps cobalt
    kept = data.draw(st.integers(1, most_kept_refused))
    if (cobalt_in - kept) * BASIS_POINTS <= max_loss_bps * cobalt_in:
        return  # rounding: this loss is still within the allowed share
    with pytest.raises(ProofError, match="yield loss bound"):
        transform_notes(inputs, ACTOR, refinery(max_loss_bps), [spec(0, REFINED_SULFATE, kept, kept)], 0)


@settings(max_examples=EXAMPLES, deadline=None)
@given(inputs=st.lists(notes(), min_size=1, max_size=4, unique_by=lambda note: note.blinding),
       floor=st.integers(1, 10_000), short=st.integers(1, GRAMS))
def test_process_co2e_below_the_sites_floor_per_kg_processed_is_refused(inputs, floor, short):
    total_in = sum(note.values.total_grams for note in inputs)
    least = -(-floor * total_in // 1000)
    cobalt = sum(note.values.metals[0].grams for note in inputs)
    with pytest.raises(ProcessCo2eBelowFloorError, match="below the facility's audited floor"):
        transform_notes(inputs, ACTOR, refinery(BASIS_POINTS, floor), [spec(0, REFINED_SULFATE, cobalt, cobalt)],
                        max(least - short, 0))


@settings(max_examples=EXAMPLES // 3 or 1, deadline=None)
@given(inputs=st.lists(notes(), min_size=0, max_size=6, unique_by=lambda note: note.blinding), outputs=st.integers(0, 6),
       data=st.data())
def test_empty_or_oversized_jobs_and_bad_values_are_refused(inputs, outputs, data):
    specs = [spec(number, REFINED_SULFATE, 1, 1) for number in range(outputs)]
    site = refinery(BASIS_POINTS)
    if not (1 <= len(inputs) <= 4 and 1 <= outputs <= 4):
        with pytest.raises(ProofError, match="1 to 4"):
            transform_notes(inputs, ACTOR, site, specs, 0)
        return
    bad = data.draw(st.sampled_from(["empty output", "negative process", "huge process", "a kind not made here",
                                     "an input twice", "another's note"]))
    process = 0
    if bad == "empty output":
        specs[0], match = spec(0, REFINED_SULFATE, 0, 1), "holds no metal"
    elif bad == "a kind not made here":
        specs[0], match = spec(0, 8, 1, 1), "neither one facility type"  # a module, at a refinery
    elif bad == "an input twice":
        inputs, match = [*inputs[:3], inputs[0]], "again \\(a note is spent once\\)"
    elif bad == "another's note":
        inputs[0], match = Note(inputs[0].values, kind=inputs[0].kind, owner=ACTOR.shielding_key + 1, tag=inputs[0].tag), "not the actor's"
    else:  # one gram out, so the job is otherwise within the rules
        specs, process, match = specs[:1], (-1 if bad == "negative process" else 2**64), "process CO2e"
    with pytest.raises(ProofError, match=match):
        transform_notes(inputs, ACTOR, site, specs, process)

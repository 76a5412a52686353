"""NoteTransformProof: a split, merge or refine of the actor's own notes at a facility it operates,
by the transparent transform's value rules, with nothing about who, where or how much public. Each
metal (cobalt, lithium, nickel) is conserved on its own, its certified and recycled grams follow it,
and an output holds only metals its kind may hold.

Honest witnesses come from ``batterytrace.zk.note_transform`` (the SDK's twin of the circuit's
rules), whose arithmetic is checked against the oracle of transform_notes.py; they must be accepted
with the public signals in the contract's order. Each refusal pairs the twin's ProofError with the
circuit refusing the same job built past the twin, through the witness generator. The attacks on each
constraint, with witnesses written by hand, are in test_attacks_note_transform.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.exceptions import ProcessCo2eBelowFloorError, ProofError
from batterytrace.model.facilities import makes_kind, transforms_lots
from batterytrace.model.lots import MaterialKind
from batterytrace.model.registry import FacilityType
from batterytrace.zk.note_transform import MADE_KINDS, OutputSpec, transform_notes
from batterytrace.zk.notes import METALS, NoteState

from .lots import FIELD_MODULUS
from .notes import CONTEXT, MINE, MINE_SITE, NONE, OUTSIDER, RECYCLING, REFINERY, Ledger
from .transform_notes import (
    ARTISANAL_SITE,
    BAG,
    CAM,
    CHILD_LABOUR,
    CONFLICT_AREA,
    HYDROXIDE,
    JOBS,
    METAL_JOBS,
    MIXED,
    PACK,
    PCAM,
    PCAM_LOT,
    REFINED_SULFATE,
    REFINERY_SITE,
    RawNote,
    TransformRegistry,
    allotted,
    compile_two_metals,
    job,
    job_inputs,
    metal_job,
    metal_job_inputs,
    owned,
    spec,
    two_metal_inputs,
    witness_stages,
)


@pytest.mark.parametrize("name", list(JOBS))
def test_each_job_is_accepted_with_public_signals_in_contract_order(evaluate, name):
    spent, created, process_co2e = job(name)
    inputs = job_inputs(spent, created, process_co2e)
    [evaluation] = evaluate("note_transform", [inputs])
    assert evaluation.accepted, evaluation.error
    ledger, registry = Ledger(list(spent)), TransformRegistry()
    unused_inputs, unused_outputs = 4 - len(spent), 4 - len(created)
    assert evaluation.public_signals == [
        ledger.notes.root, *[note.nullifier for note in spent], *[0] * unused_inputs,
        *[note.commitment for note in created], *[0] * unused_outputs,
        registry.participants.root, registry.facilities.root, CONTEXT]


def test_the_twin_allots_what_the_rules_give():
    for name, (spent, specs, process_co2e) in JOBS.items():
        assert job(name)[1] == allotted(spent, specs, process_co2e), name
    split, merge, refine = (job(name)[1] for name in ("split", "merge", "refine"))
    # 500,001 certified of 700,000 g: 175,000 g get 125,000.25 rounded down; CO2e 3.58 t by cobalt:
    # ceil(3,580,000 * 175,000 / 695,000) and ceil(3,580,000 * 170,000 / 695,000).
    assert [(n.values.metals[0].certified_grams, n.values.co2e_grams) for n in split] == [
        (125_000, 901_439)] * 3 + [(121_428, 875_684)]
    assert sum(n.values.co2e_grams for n in split) >= 3_500_000 + 80_000
    [merged] = merge
    assert merged.values.metals[0].field_elements() == (640_000, 324_923, 59_076, 118_153)
    assert (merged.values.co2e_grams, merged.values.risk_flags) == (1_793_333,
                                                                    ARTISANAL_SITE | CHILD_LABOUR | CONFLICT_AREA)
    assert (refine[0].kind, refine[0].values.co2e_grams) == (REFINED_SULFATE, 3_600_000)


def test_made_kinds_are_the_models_for_every_type_and_kind():
    assert set(MADE_KINDS) == {int(t) for t in FacilityType if transforms_lots(t)}
    for facility_type in FacilityType:
        for kind in MaterialKind:
            assert (kind in MADE_KINDS.get(facility_type, frozenset())) == makes_kind(facility_type, kind), (
                facility_type, kind)


def refused(evaluate, *inputs: dict[str, object]) -> list[str]:
    return [evaluation.stage for evaluation in evaluate("note_transform", list(inputs))]


def forged(name: str, *, specs=None, process_co2e=None, spent=None, metal=None, values=None):
    """A job of JOBS with other specs, process CO2e or inputs, its outputs from the oracle (past
    the twin's checks); output 0's cobalt fields then changed by `metal`, its other values by
    `values`."""
    job_spent, job_specs, job_process = JOBS[name]
    spent = spent or job_spent
    process_co2e = job_process if process_co2e is None else process_co2e
    outputs = list(allotted(spent, specs or job_specs, process_co2e))
    cobalt = replace(outputs[0].values.metals[0], **(metal or {}))
    outputs[0] = replace(outputs[0], values=replace(outputs[0].values, metals=(cobalt, *outputs[0].values.metals[1:]),
                                                    **(values or {})))
    return spent, tuple(outputs), process_co2e


def twin(name: str, *, specs=None, process_co2e=None, spent=None, actor=REFINERY, site=REFINERY_SITE):
    job_spent, job_specs, job_process = JOBS[name]
    return transform_notes(spent or job_spent, actor.participant, site, specs or job_specs,
                           job_process if process_co2e is None else process_co2e)


def test_a_kind_not_made_metal_created_a_loss_too_large_and_too_little_process_co2e_are_refused(evaluate):
    pack = (spec(PACK, 680_000, 3_100_000, 0),)
    created = (spec(REFINED_SULFATE, 700_001, 3_100_000, 0),)
    lossy = (spec(REFINED_SULFATE, 664_999, 3_100_000, 0),)   # 35,001 g of 700,000 lost: above 5%
    empty = (spec(REFINED_SULFATE, 0, 3_100_000, 0),)
    cases = [
        (pack, "neither one facility type 2 makes"),
        (created, "exceed the inputs' 700000 g"),
        (lossy, "exceeds the facility's yield loss bound of 500 bps"),
        (empty, "holds no metal"),
    ]
    for specs, message in cases:
        with pytest.raises(ProofError, match=message):
            twin("refine", specs=specs)
    with pytest.raises(ProcessCo2eBelowFloorError, match="below the facility's audited floor of 40 g per kg processed"):
        twin("split", process_co2e=79_999)
    jobs = [forged("refine", specs=specs) for specs, _ in cases] + [forged("split", process_co2e=79_999)]
    # At the bound, the same jobs pass: 5% lost, and the floor exactly.
    at_bound = [forged("refine", specs=(spec(REFINED_SULFATE, 665_000, 3_100_000, 0),)), forged("split")]
    stages = refused(evaluate, *(job_inputs(*j) for j in jobs + at_bound))
    assert [s == "accepted" for s in stages] == [False] * len(jobs) + [True, True], stages


def test_certified_or_recycled_grams_created_co2e_dropped_and_taint_washed_are_refused(evaluate):
    [honest] = allotted(*JOBS["merge"])
    cobalt = honest.values.metals[0]
    stages = refused(evaluate, *(job_inputs(*forged("merge", metal=metal, values=values)) for metal, values in (
        ({"certified_grams": cobalt.certified_grams + 1}, None),
        ({"pre_consumer_grams": cobalt.pre_consumer_grams + 1}, None),
        ({"post_consumer_grams": cobalt.post_consumer_grams + 1}, None),
        (None, {"co2e_grams": honest.values.co2e_grams - 1}),
        (None, {"risk_flags": ARTISANAL_SITE | CONFLICT_AREA}),   # child labour washed off
    )))
    assert "accepted" not in stages, stages


def test_someone_elses_or_a_non_active_note_a_duplicate_input_and_a_note_not_in_the_tree_are_refused(evaluate):
    theirs = owned(700_000, 500_001, 0, 0, 2_000_000, 3_500_000, ARTISANAL_SITE, owner=MINE)
    offered = replace(BAG, owner=REFINERY.key, state=NoteState.OFFERED, counterparty=MINE.key)
    with pytest.raises(ProofError, match="input 1 is not the actor's note"):
        twin("refine", spent=(theirs,))
    with pytest.raises(ProofError, match="input 1 is offered"):
        twin("refine", spent=(offered,))
    with pytest.raises(ProofError, match="input 2 is input 1 again"):
        twin("refine", spent=(BAG, BAG))
    half = (spec(REFINED_SULFATE, 1_360_000, 6_200_000, 0),)
    honest = job_inputs(*forged("refine"))
    other_tree = Ledger([replace(BAG, blinding=0x5EEE)])
    stages = refused(
        evaluate,
        job_inputs(*forged("refine", spent=(theirs,))),
        job_inputs(*forged("refine", spent=(offered,))),
        job_inputs(*forged("refine", spent=(BAG, BAG), specs=half)),
        {**honest, "noteRoot": other_tree.notes.root},
        {**honest, "nullifiers": [(BAG.nullifier + 1) % FIELD_MODULUS, 0, 0, 0]},
    )
    assert "accepted" not in stages, stages


def test_a_site_not_the_actors_a_mine_an_unregistered_actor_and_twin_outputs_are_refused(evaluate):
    with pytest.raises(ProofError, match="operated by another account than the actor's"):
        twin("refine", site=RECYCLING)
    mine_bag = owned(700_000, 0, 0, 0, 2_000_000, 3_500_000, 0, owner=MINE)
    with pytest.raises(ProofError, match="facility type 0 transforms no lots"):
        twin("refine", spent=(mine_bag,), actor=MINE, site=MINE_SITE)
    twice = (spec(HYDROXIDE, 350_000, 1_000_000, 0),) * 2
    with pytest.raises(ProofError, match="output 2 is output 1 again"):
        twin("split", specs=twice)
    outsider_bag = owned(700_000, 0, 0, 0, 2_000_000, 3_500_000, 0, owner=OUTSIDER)
    outsider_site = replace(REFINERY_SITE, operator=OUTSIDER.participant.account)
    refinery_outputs = forged("refine")[1]
    stages = refused(
        evaluate,
        job_inputs(*forged("refine"), site=RECYCLING),
        job_inputs((mine_bag,), tuple(replace(n, owner=MINE.key) for n in refinery_outputs), 100_000, actor=MINE,
                   site=MINE_SITE),
        job_inputs((outsider_bag,), tuple(replace(n, owner=OUTSIDER.key) for n in refinery_outputs), 100_000,
                   actor=OUTSIDER, site=outsider_site),
        job_inputs(*forged("split", specs=twice)),
    )
    assert "accepted" not in stages, stages


def test_the_twin_refuses_slot_counts_the_circuit_has_no_room_for():
    with pytest.raises(ProofError, match="spends 1 to 4 notes, got 5"):
        transform_notes((*MIXED, BAG), REFINERY.participant, REFINERY_SITE, JOBS["merge"][1], 80_000)
    with pytest.raises(ProofError, match="creates 1 to 4 notes, got 0"):
        transform_notes((BAG,), REFINERY.participant, REFINERY_SITE, (), 80_000)


def test_a_metal_no_input_holds_divides_by_nothing_and_no_output_may_hold_it(tmp_path_factory):
    """Two metals (cobalt, lithium), the second in no input: its shares' divisor is 1, not 0, so the
    honest job passes; an output claiming 1 g of it is refused (no metal is created). pCAM into CAM
    at a cathode plant: CAM may hold lithium, so only the mass balance refuses the gram."""
    wasm, r1cs = compile_two_metals(tmp_path_factory.mktemp("two_metals"))
    # Per metal grams, certified, pre, post; then total, CO2e, flags. 1.5 kg of cobalt in, 1.48 kg out.
    spent = [RawNote((1_000, 600, 0, 0, 0, 0, 0, 0, 5_000, 7_000, ARTISANAL_SITE), PCAM, 1, 0xA1),
             RawNote((500, 0, 0, 500, 0, 0, 0, 0, 1_000, 100, 0), PCAM, 2, 0xA2)]
    # 240 g of process CO2e (above 20 g/kg of 6 kg), 7,340 g allocated by metal: ceil(7340 * 1000 / 1480)
    # and ceil(7340 * 480 / 1480); certified 600 * 1000 // 1500 and 600 * 480 // 1500, post 500 * ... // 1500.
    created = [RawNote((1_000, 400, 0, 333, 0, 0, 0, 0, 3_000, 4_960, ARTISANAL_SITE), CAM, 3, 0xB1),
               RawNote((480, 192, 0, 160, 0, 0, 0, 0, 2_500, 2_381, ARTISANAL_SITE), CAM, 4, 0xB2)]
    lithium = replace(created[1], values=created[1].values[:4] + (1,) + created[1].values[5:])
    stages = witness_stages(wasm, r1cs, [two_metal_inputs(spent, created, 240),
                                         two_metal_inputs(spent, [created[0], lithium], 240)])
    assert stages[0] == "accepted" and stages[1] != "accepted", stages


# -- three metals ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(METAL_JOBS))
def test_each_three_metal_job_is_accepted_with_public_signals_in_contract_order(evaluate, name):
    spent, created, _process_co2e = metal_job(name)
    [evaluation] = evaluate("note_transform", [metal_job_inputs(name)])
    assert evaluation.accepted, evaluation.error
    ledger, registry = Ledger(list(spent)), TransformRegistry()
    assert evaluation.public_signals == [
        ledger.notes.root, *[note.nullifier for note in spent], *[0] * (4 - len(spent)),
        *[note.commitment for note in created], *[0] * (4 - len(created)),
        registry.participants.root, registry.facilities.root, CONTEXT]


def test_the_twin_shares_each_metal_by_its_own_inputs():
    for name, (actor, _site, spent, specs, process_co2e) in METAL_JOBS.items():
        assert metal_job(name)[1] == allotted(spent, specs, process_co2e, owner=actor), name
    [pcam] = metal_job("precursor")[1]
    assert pcam.values == PCAM_LOT.values and pcam.kind == PCAM
    cam, leftover = metal_job("cathode")[1]
    # The hydroxide's lithium splits 100 kg into the CAM and 48 kg left over, each with its share of
    # the hydroxide's 90,001 g certified: floor(90,001 * 100,000 / 150,007) and ... 48,000 / 150,007.
    assert [metal.field_elements() for metal in cam.values.metals] == [
        (97_000, 67_899, 4_849, 9_699), (100_000, 59_997, 4_999, 0), (780_000, 584_998, 0, 38_999)]
    assert leftover.values.metals[1].field_elements() == (48_000, 28_798, 2_399, 0)
    assert leftover.values.metals[0] == leftover.values.metals[2] == NONE
    sulfate, carbonate, nickel = metal_job("recycle")[1]
    assert [note.values.metals[m].field_elements() for m, note in enumerate((sulfate, carbonate, nickel))] == [
        (59_000, 39_332, 17_699, 41_300), (29_500, 19_664, 8_849, 20_650), (475_000, 296_870, 142_499, 332_500)]
    # CO2e by metal: 570,011 g from the black mass and 400,000 g of process, shared by 563,500 g of metal.
    assert [note.values.co2e_grams for note in (sulfate, carbonate, nickel)] == [101_563, 50_782, 817_667]
    assert {note.values.risk_flags for note in (sulfate, carbonate, nickel)} == {CONFLICT_AREA}


#: Per metal, the recycler's output holding it (output j), the metal's grams in, and grams kept at
#: the recycler's 2% bound exactly (floor(grams in * 9800 / 10000) + rounding).
RECYCLED = {"cobalt": (0, 60_001, 58_801), "lithium": (1, 30_003, 29_403), "nickel": (2, 480_007, 470_407)}


def recycled_with(metal: int, grams: int) -> tuple[OutputSpec, ...]:
    """The recycler's specs with the output holding `metal` giving `grams` of it."""
    specs = list(METAL_JOBS["recycle"][3])
    j = RECYCLED[METALS[metal]][0]
    specs[j] = replace(specs[j], grams=tuple(grams if m == metal else g for m, g in enumerate(specs[j].grams)))
    return tuple(specs)


def recycled_forged(specs: tuple[OutputSpec, ...], *, metal: int = 0, share: str | None = None) -> dict[str, object]:
    """The recycler's job with these specs, its outputs from the oracle (past the twin), the output
    holding `metal` then given one gram more of `share` than its floor share (rounded up)."""
    actor, _site, spent, _specs, process_co2e = METAL_JOBS["recycle"]
    outputs = list(allotted(spent, specs, process_co2e, owner=actor))
    if share:
        j = RECYCLED[METALS[metal]][0]
        metals = list(outputs[j].values.metals)
        metals[metal] = replace(metals[metal], **{share: getattr(metals[metal], share) + 1})
        outputs[j] = replace(outputs[j], values=replace(outputs[j].values, metals=tuple(metals)))
    return metal_job_inputs("recycle", tuple(outputs))


@pytest.mark.parametrize("metal", METALS)
def test_a_metal_created_lost_beyond_the_bound_or_its_shares_rounded_up_is_refused(evaluate, metal):
    m = METALS.index(metal)
    _j, grams_in, kept_at_bound = RECYCLED[metal]
    actor, site, spent, _specs, process_co2e = METAL_JOBS["recycle"]
    for grams, message in ((grams_in + 1, f"g of {metal} exceed the inputs' {grams_in} g"),
                           (kept_at_bound - 1, f"g of {metal} lost of {grams_in} g exceeds")):
        with pytest.raises(ProofError, match=message):
            transform_notes(spent, actor.participant, site, recycled_with(m, grams), process_co2e)
    refused_jobs = [recycled_forged(recycled_with(m, grams_in + 1)),     # one gram of the metal created
                    recycled_forged(recycled_with(m, kept_at_bound - 1))]   # one gram lost past the 2% bound
    refused_jobs += [recycled_forged(METAL_JOBS["recycle"][3], metal=m, share=share)
                     for share in ("certified_grams", "pre_consumer_grams", "post_consumer_grams")]
    # All of the metal kept, and exactly 2% lost, pass.
    controls = [recycled_forged(recycled_with(m, grams_in)), recycled_forged(recycled_with(m, kept_at_bound))]
    results = evaluate("note_transform", refused_jobs + controls)
    assert [r.accepted for r in results] == [False] * len(refused_jobs) + [True, True], [r.stage for r in results]
    # Refused by the rule each breaks: the mass balance's comparisons, then the metal's floor shares.
    assert [next(name for name in ("AssertLessEqBounded", "FloorProportion") if name in r.error)
            for r in results[:5]] == ["AssertLessEqBounded"] * 2 + ["FloorProportion"] * 3


def moved(name: str, metal: int, grams: int, source: int, target: int) -> tuple[OutputSpec, ...]:
    """A job's specs with `grams` of `metal` moved from output `source` to output `target`."""
    specs = list(METAL_JOBS[name][3])
    for j, delta in ((source, -grams), (target, grams)):
        specs[j] = replace(specs[j], grams=tuple(g + delta if m == metal else g for m, g in enumerate(specs[j].grams)))
    return tuple(specs)


def test_a_metal_in_an_output_whose_kind_may_not_hold_it_is_refused(evaluate):
    cases = {
        "lithium in recycled cobalt sulfate": ("recycle", moved("recycle", 1, 1_000, 1, 0), "kind 11, which holds no lithium"),
        "cobalt in lithium hydroxide": ("cathode", moved("cathode", 0, 1_000, 0, 1), "kind 15, which holds no cobalt"),
        "nickel in lithium carbonate": ("recycle", moved("recycle", 2, 1_000, 2, 1), "kind 14, which holds no nickel"),
    }
    jobs = []
    for name, specs, message in cases.values():
        actor, site, spent, _specs, process_co2e = METAL_JOBS[name]
        with pytest.raises(ProofError, match=message):
            transform_notes(spent, actor.participant, site, specs, process_co2e)
        jobs.append(metal_job_inputs(name, allotted(spent, specs, process_co2e, owner=actor)))
    results = evaluate("note_transform", jobs)
    assert all(not r.accepted and "KindHoldsMetals" in r.error for r in results), dict(zip(cases, results))

"""OriginProof: a new note at an activated origin site, by its operator, certified only when a
certification of that site is valid at the proof's time, with the site's and operator's flags and at
least both CO2e floors per kg of metal; a lot holds only metals its kind may hold (a brine operation's
lithium, a nickel mine's nickel, a recycler's black mass any of the three, split pre- and
post-consumer as the auditor certified the recycler's input); its mint tag makes the same ERP id mint
once.

Honest witnesses come from ``batterytrace.zk.origin`` (the SDK's twin of the circuit's rules); the
registry leaves are laid out by hand in ``.notes`` (the model's twin is tested against the contract
and against these). Refusals go through the witness generator."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.exceptions import ProofError
from batterytrace.zk.notes import MetalValues, Note
from batterytrace.zk.origin import (
    BLACK_MASS,
    LITHIUM_BRINE_CONCENTRATE,
    NICKEL_INTERMEDIATE,
    mint_tag,
    origin_tag,
)

from .notes import (
    ARTISANAL,
    BRINE_SITE,
    CERTIFICATION,
    CONTEXT,
    FLOORS,
    MINE,
    MINE_SITE,
    NICKEL_SITE,
    NONE,
    NOW,
    RECYCLER_PARTY,
    RECYCLING,
    REFINERY,
    REFINING,
    Registry,
    forged,
    mined,
)


def test_a_certified_mine_lot_is_accepted_with_public_signals_in_contract_order(evaluate):
    registry = Registry()
    note = mined()
    inputs = registry.inputs(note, MINE, MINE_SITE, certification=CERTIFICATION)
    [evaluation] = evaluate("origin", [inputs])
    assert evaluation.accepted, evaluation.error
    assert evaluation.public_signals == [
        note.commitment, mint_tag(origin_tag(MINE.secret, MINE_SITE.facility_id, 0xE4)), registry.participants.root,
        registry.facilities.root, registry.certifications.root, NOW, FLOORS.packed, CONTEXT]
    # The six origin types' floors, 32 bits each, in ORIGIN_TYPES order.
    assert FLOORS.packed == 5_000 | 4_000 << 32 | 1_000 << 64 | 3_000 << 96 | 7_000 << 128 | 6_500 << 160
    # The operator's artisanal-site flag (MINE's leaf carries 0b100) is in the note.
    assert note.values.risk_flags == 0b100 and note.values.metals[0].certified_grams == 700_000


def test_uncertified_artisanal_and_recycled_lots_are_accepted(evaluate):
    registry = Registry()
    artisanal = mined(ARTISANAL, certified=False, co2e=2_800_000)
    recycled = mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=BLACK_MASS, co2e=700_000)
    results = evaluate("origin", [registry.inputs(artisanal, MINE, ARTISANAL),
                                  registry.inputs(recycled, RECYCLER_PARTY, RECYCLING)])
    assert [r.accepted for r in results] == [True, True], [r.error for r in results]
    # RECYCLING's auditor certified 30% of its input as pre-consumer scrap.
    assert recycled.values.metals[0].pre_consumer_grams == 210_000
    assert recycled.values.metals[0].post_consumer_grams == 490_000


def test_lithium_nickel_and_three_metal_black_mass_are_accepted(evaluate):
    registry = Registry()
    brine = mined(BRINE_SITE, certified=False, kind=LITHIUM_BRINE_CONCENTRATE, cobalt=0, lithium=60_000,
                  co2e=180_000)
    nickel = mined(NICKEL_SITE, certified=False, kind=NICKEL_INTERMEDIATE, cobalt=0, nickel=400_000,
                   co2e=2_600_000)
    black_mass = mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=BLACK_MASS, cobalt=60_001,
                       lithium=30_003, nickel=480_007, co2e=570_011)
    results = evaluate("origin", [registry.inputs(brine, MINE, BRINE_SITE),
                                  registry.inputs(nickel, MINE, NICKEL_SITE),
                                  registry.inputs(black_mass, RECYCLER_PARTY, RECYCLING)])
    assert [r.accepted for r in results] == [True, True, True], [r.error for r in results]
    # Each metal's split rounds the pre-consumer share down and leaves the rest post-consumer: no
    # recycled gram is created or lost.
    assert [(m.pre_consumer_grams, m.post_consumer_grams) for m in black_mass.values.metals] == [
        (18_000, 42_001), (9_000, 21_003), (144_002, 336_005)]


def _by_hand(site, minter, kind, metals, co2e=4_900_000):
    values = replace(mined().values, metals=metals, co2e_grams=co2e, risk_flags=site.risk_flags | minter.participant.risk_flags)
    return Note(values, kind=kind, owner=minter.key, tag=origin_tag(minter.secret, site.facility_id, 0xE4),
                blinding=0xB1)


def test_a_metal_the_kind_cannot_hold_a_washed_split_and_metal_left_out_of_the_floor_are_refused(evaluate):
    registry = Registry()
    results = evaluate("origin", [
        # Cobalt in a brine concentrate: the brine site has no cobalt to mint.
        registry.inputs(_by_hand(BRINE_SITE, MINE, LITHIUM_BRINE_CONCENTRATE,
                                 (MetalValues(1_000), MetalValues(60_000), NONE)), MINE, BRINE_SITE),
        # Lithium in cobalt hydroxide at a cobalt mine.
        registry.inputs(_by_hand(MINE_SITE, MINE, 1, (MetalValues(700_000), MetalValues(5_000), NONE)),
                        MINE, MINE_SITE),
        # Black mass declared all post-consumer, against the audited 30% pre-consumer split.
        registry.inputs(_by_hand(RECYCLING, RECYCLER_PARTY, BLACK_MASS,
                                 (MetalValues(60_000, 0, 0, 60_000), NONE, NONE), co2e=600_000),
                        RECYCLER_PARTY, RECYCLING),
        # Pre-consumer rounded up (18,001 of 60,001) instead of down.
        registry.inputs(_by_hand(RECYCLING, RECYCLER_PARTY, BLACK_MASS,
                                 (MetalValues(60_001, 0, 18_001, 42_000), NONE, NONE), co2e=600_000),
                        RECYCLER_PARTY, RECYCLING),
        # Nickel at a nickel mine with CO2e for its cobalt-free mass at 6,000 g/kg, not the type's 6,500.
        registry.inputs(_by_hand(NICKEL_SITE, MINE, NICKEL_INTERMEDIATE, (NONE, NONE, MetalValues(400_000)),
                                 co2e=2_400_000), MINE, NICKEL_SITE),
    ])
    assert [r.stage for r in results].count("accepted") == 0, [(r.stage, r.error) for r in results]


def test_the_twin_refuses_what_the_circuit_refuses():
    with pytest.raises(ProofError, match="mints no origin lots"):
        mined(REFINING, REFINERY, certified=False)
    with pytest.raises(ProofError, match="mints material kinds"):
        mined(kind=BLACK_MASS)
    with pytest.raises(ProofError, match="below the floor of 6000"):
        mined(co2e=4_199_999)   # the site's 6,000 g/kg is above the type's 5,000
    with pytest.raises(ProofError, match="some metal"):
        mined(cobalt=0)
    with pytest.raises(ProofError, match="holds no lithium"):
        mined(lithium=1)
    with pytest.raises(ProofError, match="mints material kinds"):
        mined(BRINE_SITE, certified=False, cobalt=0, lithium=60_000)


def test_a_refinery_a_wrong_kind_and_someone_elses_site_are_refused(evaluate):
    registry = Registry()
    stages = [r.stage for r in evaluate("origin", [
        registry.inputs(forged(REFINING, REFINERY), REFINERY, REFINING),
        registry.inputs(forged(MINE_SITE, MINE, kind=BLACK_MASS), MINE, MINE_SITE),
        registry.inputs(forged(MINE_SITE, REFINERY), REFINERY, MINE_SITE),
    ])]
    assert "accepted" not in stages, stages


def test_certification_outside_its_window_or_of_another_site_is_refused(evaluate):
    other_site = replace(CERTIFICATION, certification_id=10, facility_id=ARTISANAL.facility_id)
    registry = Registry(certifications=(CERTIFICATION, other_site))
    note = mined()
    stages = [r.stage for r in evaluate("origin", [
        registry.inputs(note, MINE, MINE_SITE, certification=CERTIFICATION, proof_time=CERTIFICATION.end),
        registry.inputs(note, MINE, MINE_SITE, certification=CERTIFICATION, proof_time=CERTIFICATION.valid_from - 1),
        registry.inputs(note, MINE, MINE_SITE, certification=other_site),
        # Certified grams without a certification at all.
        registry.inputs(note, MINE, MINE_SITE),
    ])]
    assert "accepted" not in stages, stages


def test_washed_flags_a_clean_co2e_figure_and_a_forged_mint_tag_are_refused(evaluate):
    registry = Registry()
    washed = mined(certified=False, operator_flags=0)
    below_type_floor = mined(ARTISANAL, certified=False, co2e=2_800_000)
    honest = mined(certified=False)
    results = evaluate("origin", [
        registry.inputs(washed, MINE, MINE_SITE),
        registry.inputs(replace(honest, values=replace(honest.values, co2e_grams=4_199_999)), MINE, MINE_SITE),
        registry.inputs(replace(below_type_floor, values=replace(below_type_floor.values, co2e_grams=2_799_999)),
                        MINE, ARTISANAL),
        registry.inputs(honest, MINE, MINE_SITE, mintTag=mint_tag(origin_tag(MINE.secret, 3, 0xE5))),
        registry.inputs(honest, MINE, MINE_SITE, external_id=0xE5),
    ])
    assert [r.stage for r in results].count("accepted") == 0, [r.stage for r in results]


def test_the_same_erp_id_at_the_same_site_gives_the_same_mint_tag_and_only_there():
    assert origin_tag(MINE.secret, 3, 0xE4) == origin_tag(MINE.secret, 3, 0xE4)
    assert len({origin_tag(MINE.secret, 3, 0xE4), origin_tag(MINE.secret, 4, 0xE4),
                origin_tag(REFINERY.secret, 3, 0xE4), origin_tag(MINE.secret, 3, 0xE5)}) == 4

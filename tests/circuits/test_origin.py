"""OriginProof: a new note at an activated origin site, by its operator, certified only when a
certification of that site is valid at the proof's time, with the site's and operator's flags and at
least both CO2e floors; its mint tag makes the same ERP id mint once.

Honest witnesses come from ``batterytrace.zk.origin`` (the SDK's twin of the circuit's rules); the
registry leaves come from ``batterytrace.model.membership``, the twin the contract is tested against,
so the circuit's layouts are the registry's. Refusals go through the witness generator."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.exceptions import ProofError
from batterytrace.zk.origin import BLACK_MASS, mint_tag, origin_tag

from .notes import (
    ARTISANAL,
    CERTIFICATION,
    CONTEXT,
    MINE,
    MINE_SITE,
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
        registry.facilities.root, registry.certifications.root, NOW, 5_000, 4_000, 1_000, CONTEXT]
    # The operator's artisanal-site flag (MINE's leaf carries 0b100) is in the note.
    assert note.values.risk_flags == 0b100 and note.values.metals[0].certified_grams == 700_000


def test_uncertified_artisanal_and_recycled_lots_are_accepted(evaluate):
    registry = Registry()
    artisanal = mined(ARTISANAL, certified=False, co2e=2_800_000)
    recycled = mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=BLACK_MASS, co2e=700_000)
    results = evaluate("origin", [registry.inputs(artisanal, MINE, ARTISANAL),
                                  registry.inputs(recycled, RECYCLER_PARTY, RECYCLING)])
    assert [r.accepted for r in results] == [True, True], [r.error for r in results]
    assert recycled.values.metals[0].post_consumer_grams == 700_000


def test_the_twin_refuses_what_the_circuit_refuses():
    with pytest.raises(ProofError, match="mints no origin lots"):
        mined(REFINING, REFINERY, certified=False)
    with pytest.raises(ProofError, match="mints material kinds"):
        mined(kind=BLACK_MASS)
    with pytest.raises(ProofError, match="below the floor of 6000"):
        mined(co2e=4_199_999)   # the site's 6,000 g/kg is above the type's 5,000
    with pytest.raises(ProofError, match="some cobalt"):
        mined(cobalt=0)


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

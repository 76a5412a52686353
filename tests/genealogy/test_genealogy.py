"""The material-flow picture: every lot labelled, confidential figures only with openings, valid files."""

from __future__ import annotations

import struct

import pytest

from batterytrace.documents.genealogy import lot_label, origin_category, render_genealogy
from batterytrace.indexer import Indexer
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.genealogy import genealogy_from_chain
from batterytrace.zk.commitment import Opening
from tests.helpers.flows import run_flow

OWNER = "0x0000000000000000000000000000000000000001"


def node(lot_id, kind, facility_type, country, parents=(), schemes=frozenset(), flags=RiskFlag.NONE, depth=0):
    return LotNode(lot_id=lot_id, kind=kind, facility_id=lot_id, facility_type=facility_type, country=country,
                   creator=OWNER, custodian=OWNER, status=LotStatus.ACTIVE, certified_schemes=frozenset(schemes),
                   risk_flags=flags, parent_ids=tuple(parents), created_block=1, depth=depth)


MINE = node(0xA1 << 248, MaterialKind.COBALT_HYDROXIDE, FacilityType.INDUSTRIAL_MINE, "CD", schemes={Scheme.IRMA}, depth=4)
ARTISANAL = node(0xA2 << 248, MaterialKind.COBALT_HYDROXIDE, FacilityType.ARTISANAL_SITE, "CD",
                 flags=RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL, depth=4)
UNCERTIFIED = node(0xA3 << 248, MaterialKind.COBALT_ORE, FacilityType.INDUSTRIAL_MINE, "ZM", depth=4)
RECYCLED = node(0xA4 << 248, MaterialKind.BLACK_MASS, FacilityType.RECYCLER, "BE", depth=2)
SULFATE = node(0xB1 << 248, MaterialKind.REFINED_COBALT_SULFATE, FacilityType.REFINERY, "FI",
               parents=(MINE.lot_id, ARTISANAL.lot_id, UNCERTIFIED.lot_id), depth=3)
CATHODE = node(0xC1 << 248, MaterialKind.CATHODE, FacilityType.CATHODE_PLANT, "PL", parents=(SULFATE.lot_id,), depth=2)
CELL = node(0xD1 << 248, MaterialKind.CELL, FacilityType.CELL_PLANT, "PL", parents=(CATHODE.lot_id, RECYCLED.lot_id), depth=1)
PACK = node(0xE1 << 248, MaterialKind.PACK, FacilityType.PACK_PLANT, "DE", parents=(CELL.lot_id,), depth=0)
GENEALOGY = [PACK, CELL, CATHODE, RECYCLED, SULFATE, MINE, ARTISANAL, UNCERTIFIED]


def opening(cobalt, certified, recycled=0):
    return Opening.new(cobalt_grams=cobalt, total_grams=cobalt * 3, certified_cobalt_grams=certified,
                       recycled_cobalt_grams=recycled, co2e_grams=cobalt * 10, risk_flags=RiskFlag.NONE)


def test_origin_lots_are_coloured_by_certification_recycling_and_flags():
    assert [origin_category(lot) for lot in (MINE, UNCERTIFIED, RECYCLED, ARTISANAL, CELL)] == [
        "certified", "uncertified", "recycled", "flagged", "processed"]


def test_the_svg_labels_every_lot(tmp_path):
    _png, svg = render_genealogy(GENEALOGY, tmp_path)
    text = svg.read_text()
    for lot in GENEALOGY:
        for line in lot_label(lot):
            assert line in text
    assert "Refinery (FI)" in text and "Pack plant (DE)" in text and "certified IRMA" in text


def test_confidential_figures_are_absent_without_openings(tmp_path):
    _png, svg = render_genealogy(GENEALOGY, tmp_path)
    text = svg.read_text()
    assert " kg" not in text
    assert "% certified" not in text


def test_confidential_figures_appear_for_the_lots_whose_openings_are_passed(tmp_path):
    openings = {PACK.lot_id: opening(1_234_500, 987_600, 61_725), MINE.lot_id: opening(700_000, 700_000)}
    _png, svg = render_genealogy(GENEALOGY, tmp_path, openings=openings)
    text = svg.read_text()
    assert "Co 1,234.5 kg, 80% certified, 5% recycled" in text
    assert "Co 700.0 kg, 100% certified" in text
    assert text.count(" kg,") == 2


def test_the_png_is_a_valid_image_of_reasonable_size(tmp_path):
    png, _svg = render_genealogy(GENEALOGY, tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 4000 and 400 <= height <= 3000
    assert 10_000 < len(data) < 2_000_000


def test_an_empty_genealogy_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no lots"):
        render_genealogy([], tmp_path)


def test_the_chain_walk_and_the_index_give_the_same_genealogy(world, tmp_path):
    flow = run_flow(world)
    from_chain = genealogy_from_chain(world.refiner, flow.split[0])
    index = Indexer(world.refiner, tmp_path / "index.db")
    index.sync()
    from_index = index.genealogy(flow.split[0])

    def shape(nodes):
        return [(n.lot_id, n.kind, n.facility_type, n.country, n.certified_schemes, n.parent_ids, n.depth) for n in nodes]

    assert shape(from_chain) == shape(from_index)
    assert {n.lot_id for n in from_chain if n.is_origin} == set(flow.mined)
    openings = {lot_id: world.refiner.opening(lot_id) for lot_id in (*flow.mined, flow.merged, flow.split[0])}
    png, svg = render_genealogy(from_index, tmp_path, openings=openings)
    assert "Co 680.0 kg, 100% certified" in svg.read_text()
    assert png.exists()

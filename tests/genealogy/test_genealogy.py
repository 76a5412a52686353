"""The material-flow picture: every lot labelled, confidential figures only for the notes passed, valid files."""

from __future__ import annotations

import struct

import pytest

from batterytrace.documents.genealogy import lot_label, origin_category, render_genealogy
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotStatus, MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.notes import MetalValues, Note, NoteValues
from tests.helpers.flows import deliver, mint_at

OWNER = "0x0000000000000000000000000000000000000001"


def node(lot_id, kind, facility_type, country, parents=(), schemes=frozenset(), flags=RiskFlag.NONE, depth=0):
    return LotNode(lot_id=lot_id, kind=kind, facility_id=lot_id, facility_type=facility_type, country=country,
                   creator=OWNER, custodian=OWNER, status=LotStatus.ACTIVE, certified_schemes=frozenset(schemes),
                   risk_flags=flags, parent_ids=tuple(parents), created_block=1, depth=depth)


MINE = node(0xA1 << 244, MaterialKind.COBALT_HYDROXIDE, FacilityType.INDUSTRIAL_MINE, "CD", schemes={Scheme.IRMA}, depth=4)
ARTISANAL = node(0xA2 << 244, MaterialKind.COBALT_HYDROXIDE, FacilityType.ARTISANAL_SITE, "CD",
                 flags=RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL, depth=4)
UNCERTIFIED = node(0xA3 << 244, MaterialKind.COBALT_ORE, FacilityType.INDUSTRIAL_MINE, "ZM", depth=4)
RECYCLED = node(0xA4 << 244, MaterialKind.BLACK_MASS, FacilityType.RECYCLER, "BE", depth=2)
SULFATE = node(0xB1 << 244, MaterialKind.REFINED_COBALT_SULFATE, FacilityType.REFINERY, "FI",
               parents=(MINE.lot_id, ARTISANAL.lot_id, UNCERTIFIED.lot_id), depth=3)
CATHODE = node(0xC1 << 244, MaterialKind.CATHODE, FacilityType.CATHODE_PLANT, "PL", parents=(SULFATE.lot_id,), depth=2)
CELL = node(0xD1 << 244, MaterialKind.CELL, FacilityType.CELL_PLANT, "PL", parents=(CATHODE.lot_id, RECYCLED.lot_id), depth=1)
PACK = node(0xE1 << 244, MaterialKind.PACK, FacilityType.PACK_PLANT, "DE", parents=(CELL.lot_id,), depth=0)
GENEALOGY = [PACK, CELL, CATHODE, RECYCLED, SULFATE, MINE, ARTISANAL, UNCERTIFIED]


def note(lot, cobalt, certified, pre_consumer=0, post_consumer=0):
    values = NoteValues((MetalValues(cobalt, certified, pre_consumer, post_consumer), MetalValues(), MetalValues()),
                        cobalt * 3, cobalt * 10)
    return Note(values, int(lot.kind), owner=1, tag=lot.lot_id)


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


def test_confidential_figures_are_absent_without_notes(tmp_path):
    _png, svg = render_genealogy(GENEALOGY, tmp_path)
    text = svg.read_text()
    assert " kg" not in text
    assert "% certified" not in text


def test_confidential_figures_appear_for_the_lots_whose_notes_are_passed(tmp_path):
    # Recycled is the pre- and post-consumer grams together: 20,000 + 41,725 of 1,234,500 g is 5 %.
    notes = {PACK.lot_id: note(PACK, 1_234_500, 987_600, 20_000, 41_725), MINE.lot_id: note(MINE, 700_000, 700_000)}
    _png, svg = render_genealogy(GENEALOGY, tmp_path, notes=notes)
    text = svg.read_text()
    assert "Co 1,234.5 kg, 80% certified, 5% recycled" in text
    assert "Co 700.0 kg, 100% certified" in text
    assert text.count(" kg,") == 2
    assert lot_label(MINE, notes[MINE.lot_id])[-1] == "Co 700.0 kg, 100% certified"


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


def test_each_views_genealogy_is_drawn_with_the_notes_its_store_opens(world, tmp_path):
    bag = mint_at(world, "miner", "GEN-BAG-1").lot_id
    deliver(world, bag, "miner", "refiner")
    [sulfate] = world.refiner.transform([bag], [OutputPlan("GEN-SULF-1", MaterialKind.REFINED_COBALT_SULFATE, 690_000, 1_900_000)],
                                        world.facilities["refiner"].facility_id, 20_000).output_lot_ids
    audited = world.auditor.genealogy(sulfate)
    assert [(node.lot_id, node.depth, node.parent_ids) for node in audited] == [(sulfate, 0, (bag,)), (bag, 1, ())]
    notes = {node.lot_id: world.auditor.lot(node.lot_id).note for node in audited}
    png, svg = render_genealogy(audited, tmp_path / "auditor", notes=notes)
    drawing = svg.read_text()
    for text in ("Industrial mine (CD)", "certified IRMA", "Refinery (FI)", "Co 700.0 kg, 100% certified", "Co 690.0 kg, 100% certified"):
        assert text in drawing
    assert png.read_bytes().startswith(b"\x89PNG")
    # The refinery saw the bag from the mine's offer on: its genealogy is the sulfate alone.
    own = world.refiner.genealogy(sulfate)
    assert [node.lot_id for node in own] == [sulfate] and own[0].parent_ids == (bag,)
    _png, svg = render_genealogy(own, tmp_path / "refiner", notes={sulfate: world.refiner.lot(sulfate).note})
    drawing = svg.read_text()
    assert "Co 690.0 kg, 100% certified" in drawing and "Industrial mine" not in drawing and "Co 700.0 kg" not in drawing

"""Notes and their commitments and nullifiers (zk/notes.py), field for field as
circuits/lib/notes.circom hashes them; the values a note may hold; the field and flag encodings the
circuits share."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from batterytrace.exceptions import OpeningError
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.field import SNARK_SCALAR_FIELD, field_element_from_bytes
from batterytrace.zk.notes import NOTE_BYTES, MetalValues, Note, NoteState, NoteValues
from batterytrace.zk.poseidon import poseidon

U64 = 2**64
COBALT = MetalValues(200_000, 150_000, 5_000, 20_000)
LITHIUM = MetalValues(30_000, 10_000, 0, 3_000)
NICKEL = MetalValues(400_000, 0, 40_000, 0)
METALS = (COBALT, LITHIUM, NICKEL)


def note(**overrides) -> Note:
    fields = {"values": NoteValues(METALS, 1_000_000, 3_000_000, int(RiskFlag.ARTISANAL)), "kind": 10, "owner": 11,
              "tag": 99, "blinding": 123456789}
    return Note(**{**fields, **overrides})


@st.composite
def notes(draw) -> Note:
    metals = []
    for _ in range(3):  # each metal below 2^64 / 3, so that their sum fits a lot's 64-bit total
        grams = draw(st.integers(0, (U64 - 1) // 3))
        pre = draw(st.integers(0, grams))
        metals.append(MetalValues(grams, draw(st.integers(0, grams)), pre, draw(st.integers(0, grams - pre))))
    metal_grams = sum(metal.grams for metal in metals)
    values = NoteValues(tuple(metals), draw(st.integers(metal_grams, U64 - 1)), draw(st.integers(0, U64 - 1)),
                        draw(st.integers(0, 255)))
    state = draw(st.sampled_from(NoteState))
    field = st.integers(1, SNARK_SCALAR_FIELD - 1)
    return Note(values, kind=draw(st.integers(0, 255)), owner=draw(field), tag=draw(st.integers(0, SNARK_SCALAR_FIELD - 1)),
                state=state, counterparty=0 if state is NoteState.ACTIVE else draw(field), blinding=draw(field))


def test_the_commitment_and_nullifier_hash_the_fields_in_the_circuits_order():
    # Per metal (cobalt, lithium, nickel) grams, certified, pre- and post-consumer; then total, CO2e, flags.
    values_hash = poseidon([200_000, 150_000, 5_000, 20_000, 30_000, 10_000, 0, 3_000, 400_000, 0, 40_000, 0,
                            1_000_000, 3_000_000, 4])
    assert note().values.values_hash == values_hash
    commitment = poseidon([values_hash, 10, 11, 0, 0, 99, 123456789])  # black mass holds all three
    assert note().commitment == commitment
    assert note().nullifier == poseidon([commitment, 123456789])


def test_the_blinding_changes_the_commitment_and_a_fresh_one_is_drawn_each_time():
    assert note(blinding=1).commitment != note(blinding=2).commitment
    first, second = Note(note().values, kind=10, owner=11, tag=99), Note(note().values, kind=10, owner=11, tag=99)
    assert first.blinding != second.blinding and 0 < first.blinding < SNARK_SCALAR_FIELD


def test_a_custody_step_keeps_values_kind_and_tag_and_draws_a_new_blinding():
    offered = note().moved(owner=22, state=NoteState.OFFERED, counterparty=11)
    assert (offered.values, offered.kind, offered.tag, offered.owner, offered.counterparty) == (note().values, 10, 99, 22, 11)
    assert offered.blinding != note().blinding and offered.nullifier != note().nullifier


@pytest.mark.parametrize(("build", "message"), [
    (lambda: MetalValues(200_000, 200_001), "certified grams 200001 exceed"),
    (lambda: MetalValues(200_000, 0, 100_001, 100_000), "recycled grams 100001 \\+ 100000 exceed"),
    (lambda: MetalValues(U64), "grams must be an integer number of grams"),
    (lambda: MetalValues(-1), "grams must be an integer number of grams"),
    (lambda: MetalValues(1.5), "grams must be an integer number of grams"),
    (lambda: NoteValues(METALS, 629_999), "the metals' 630000 g exceed the lot's total 629999"),
    (lambda: NoteValues(METALS, 1_000_000, U64), "CO2e grams"),
    (lambda: NoteValues(METALS, 1_000_000, 0, 256), "risk flags must be one byte"),
    (lambda: NoteValues((COBALT,), 1_000_000), "carries 3 metal"),
    (lambda: NoteValues((*METALS, COBALT), 1_000_000), "carries 3 metal"),
    (lambda: note(kind=256), "material kind must be one byte"),
    (lambda: note(blinding=SNARK_SCALAR_FIELD), "blinding must be a field element"),
    (lambda: note(owner=0), "owner is a shielding key"),
    (lambda: note(state=NoteState.OFFERED), "an offered or disputed one has one"),
    (lambda: note(counterparty=22), "an active note has no counterparty"),
])
def test_values_outside_the_circuits_ranges_raise_opening_error(build, message):
    with pytest.raises(OpeningError, match=message):
        build()


@given(notes())
def test_bytes_round_trip_at_a_fixed_width(drawn):
    data = drawn.to_bytes()
    assert len(data) == NOTE_BYTES and Note.from_bytes(data) == drawn


def test_risk_flag_values_match_the_circuits():
    assert [flag.value for flag in (RiskFlag.CHILD_LABOUR, RiskFlag.HUMAN_RIGHTS, RiskFlag.ARTISANAL, RiskFlag.CONFLICT_AREA)] == [1, 2, 4, 8]


def test_field_element_from_bytes_is_keccak_shifted_right_8():
    data = b"battery passport 42"
    assert field_element_from_bytes(data) == int.from_bytes(keccak(data), "big") >> 8
    assert field_element_from_bytes(data) < 2**248 < SNARK_SCALAR_FIELD

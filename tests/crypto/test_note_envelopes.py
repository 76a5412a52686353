"""A shielded note's envelope (zk/envelopes.py, version 2): what the scanner decrypts from each
NoteCreated event. Every reader's key opens it, anyone else learns nothing (None), its length is the
same whoever reads it, and a tampered or lying envelope is refused."""

from __future__ import annotations

import coincurve
import pytest

from batterytrace.exceptions import DecryptionError, OpeningError
from batterytrace.zk import envelopes
from batterytrace.zk.envelopes import NOTE_ENVELOPE_VERSION, decrypt_note, encrypt_note, envelope_size
from batterytrace.zk.notes import NOTE_BYTES, MetalValues, Note, NoteState, NoteValues

KEYS = [coincurve.PrivateKey() for _ in range(3)]
OWNER, SENDER, STRANGER = KEYS


def public(key: coincurve.PrivateKey) -> bytes:
    return key.public_key.format(compressed=True)


def offered() -> Note:
    values = NoteValues((MetalValues(700_000, 700_000, 0, 21_000),), 2_000_000, 6_300_000, 0b100)
    return Note(values, kind=1, owner=11, tag=99, state=NoteState.OFFERED, counterparty=22)


def test_a_note_round_trips_through_its_fixed_width_bytes():
    note = offered()
    data = note.to_bytes()
    assert len(data) == NOTE_BYTES and Note.from_bytes(data) == note
    with pytest.raises(OpeningError, match="state is 0, 1 or 2"):
        Note.from_bytes(data[:-129] + bytes([7]) + data[-128:])  # the state byte
    with pytest.raises(OpeningError, match=f"{NOTE_BYTES} bytes"):
        Note.from_bytes(data[:-1])


def test_each_reader_opens_the_note_and_a_stranger_gets_none():
    note = offered()
    blob = encrypt_note(note, {"owner": public(OWNER), "sender": public(SENDER)}, slots=4)
    assert decrypt_note(blob, OWNER.secret, note.commitment) == note
    assert decrypt_note(blob, SENDER.secret, note.commitment) == note
    assert decrypt_note(blob, STRANGER.secret, note.commitment) is None


def test_padding_makes_the_length_independent_of_the_readers():
    note = offered()
    one = encrypt_note(note, {"owner": public(OWNER)}, slots=4)
    two = encrypt_note(note, {"owner": public(OWNER), "sender": public(SENDER)}, slots=4)
    assert len(one) == len(two) == envelope_size(4, NOTE_ENVELOPE_VERSION)
    with pytest.raises(OpeningError, match="no more than its 1 slots"):
        encrypt_note(note, {"owner": public(OWNER), "sender": public(SENDER)}, slots=1)


def test_a_tampered_envelope_and_another_commitment_are_refused():
    note = offered()
    blob = bytearray(encrypt_note(note, {"owner": public(OWNER)}, slots=2))
    with pytest.raises(OpeningError, match="not the expected"):
        decrypt_note(bytes(blob), OWNER.secret, note.commitment + 1)
    blob[-1] ^= 1
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_note(bytes(blob), OWNER.secret, note.commitment)


def test_an_envelope_whose_note_does_not_hash_to_its_commitment_is_refused():
    """A creator labels another note's commitment on the envelope (authenticated, so only the creator
    can): the note inside does not hash to it."""
    note, other = offered(), offered()
    lying = envelopes._envelope(NOTE_ENVELOPE_VERSION, other.commitment, note.to_bytes(), {"owner": public(OWNER)})
    with pytest.raises(DecryptionError, match="decrypted note hashes to"):
        decrypt_note(lying, OWNER.secret, other.commitment)

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
    values = NoteValues((MetalValues(700_000, 700_000, 0, 21_000), MetalValues(90_000, 0, 9_000, 0),
                         MetalValues(1_100_000, 550_000, 0, 0)), 2_000_000, 6_300_000, 0b100)
    return Note(values, kind=10, owner=11, tag=99, state=NoteState.OFFERED, counterparty=22)  # black mass


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


def test_a_hex_private_key_and_an_uncompressed_public_key_work():
    note = offered()
    uncompressed = OWNER.public_key.format(compressed=False)
    blob = encrypt_note(note, {"owner": uncompressed}, slots=2)
    assert decrypt_note(blob, "0x" + OWNER.secret.hex(), note.commitment) == note
    assert envelopes.envelope_commitment(blob) == note.commitment


def test_a_relabelled_envelope_is_refused_as_tampered():
    """Another commitment written into the header: the authenticated body refuses it."""
    note = offered()
    blob = encrypt_note(note, {"owner": public(OWNER)}, slots=2)
    other = 12345
    relabelled = blob[:1] + other.to_bytes(32, "big") + blob[33:]
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_note(relabelled, OWNER.secret, other)


def test_a_malformed_envelope_or_another_version_is_refused():
    note = offered()
    blob = encrypt_note(note, {"owner": public(OWNER)}, slots=2)
    with pytest.raises(OpeningError, match="malformed note envelope"):
        decrypt_note(blob[:-1], OWNER.secret, note.commitment)
    with pytest.raises(OpeningError, match="unsupported note envelope version 1"):
        decrypt_note(b"\x01" + blob[1:], OWNER.secret, note.commitment)
    with pytest.raises(OpeningError, match="too short"):
        decrypt_note(blob[:10], OWNER.secret, note.commitment)


def test_the_length_does_not_depend_on_the_values():
    small = Note(NoteValues((MetalValues(1), MetalValues(), MetalValues()), 1), kind=1, owner=11, tag=1)
    assert len(encrypt_note(small, {"owner": public(OWNER)}, slots=3)) == len(encrypt_note(offered(), {"owner": public(OWNER)}, slots=3))


@pytest.mark.parametrize("bad_key", [b"\x02" + b"\x00" * 32, b"\x04" * 64, b""])
def test_an_invalid_recipient_key_or_no_recipient_is_refused(bad_key):
    with pytest.raises(OpeningError, match="recipient 'bad'"):
        encrypt_note(offered(), {"bad": bad_key})
    with pytest.raises(OpeningError, match="1 to 255 recipients"):
        encrypt_note(offered(), {})


def test_aes_gcm_matches_pycryptodome():
    # The envelope format must not depend on which AES-GCM implementation is installed.
    from Crypto.Cipher import AES

    key, plaintext, associated = bytes(range(32)), b"note bytes", b"header"
    cipher = AES.new(key, AES.MODE_GCM, nonce=bytes(12), mac_len=16)
    cipher.update(associated)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    assert envelopes._seal(key, plaintext, associated) == ciphertext + tag
    assert envelopes._open(key, ciphertext + tag, associated) == plaintext

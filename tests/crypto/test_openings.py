"""Encrypted hand-over of lot openings."""

from __future__ import annotations

import coincurve
import pytest

from batterytrace.exceptions import DecryptionError, OpeningError
from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening
from batterytrace.zk.envelopes import (
    decrypt_opening,
    encrypt_opening,
    envelope_commitment,
    envelope_size,
    public_key_from_private_key,
)

# Fixed Ethereum-style private keys: deterministic, never used anywhere real.
KEYS = {
    "refiner": bytes.fromhex("11" * 32),
    "auditor": bytes.fromhex("22" * 32),
    "cathode_maker": bytes.fromhex("33" * 32),
}
STRANGER = bytes.fromhex("44" * 32)


@pytest.fixture(scope="module")
def opening() -> Opening:
    return Opening.new(
        cobalt_grams=200_000,
        total_grams=1_000_000,
        certified_cobalt_grams=200_000,
        co2e_grams=4_500_000,
        risk_flags=RiskFlag.ARTISANAL,
    )


@pytest.fixture(scope="module")
def envelope(opening) -> bytes:
    return encrypt_opening(opening, {name: public_key_from_private_key(key) for name, key in KEYS.items()})


@pytest.mark.parametrize("recipient", sorted(KEYS))
def test_each_recipient_decrypts(envelope, opening, recipient):
    assert decrypt_opening(envelope, KEYS[recipient], opening.commitment) == opening


def test_hex_private_key_decrypts(envelope, opening):
    assert decrypt_opening(envelope, "0x" + KEYS["auditor"].hex(), opening.commitment) == opening


def test_uncompressed_public_key_works(opening):
    uncompressed = coincurve.PrivateKey(KEYS["refiner"]).public_key.format(compressed=False)
    blob = encrypt_opening(opening, {"refiner": uncompressed})
    assert decrypt_opening(blob, KEYS["refiner"], opening.commitment) == opening


def test_stranger_raises_decryption_error(envelope, opening):
    with pytest.raises(DecryptionError, match="not a recipient"):
        decrypt_opening(envelope, STRANGER, opening.commitment)


def test_wrong_commitment_raises_opening_error(envelope, opening):
    with pytest.raises(OpeningError, match="not the expected"):
        decrypt_opening(envelope, KEYS["refiner"], opening.commitment + 1)


def test_envelope_for_another_lot_raises_opening_error(opening):
    other_lot = Opening.new(cobalt_grams=5, total_grams=10)
    blob = encrypt_opening(other_lot, {"refiner": public_key_from_private_key(KEYS["refiner"])})
    with pytest.raises(OpeningError, match=f"envelope opens commitment {other_lot.commitment}"):
        decrypt_opening(blob, KEYS["refiner"], opening.commitment)


def test_relabelled_envelope_raises_decryption_error(envelope, opening):
    # Claim another lot's commitment in the header: the authenticated body must refuse it.
    other = 12345
    relabelled = envelope[:1] + other.to_bytes(32, "big") + envelope[33:]
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_opening(relabelled, KEYS["refiner"], other)


def test_flipped_ciphertext_bit_raises_decryption_error(envelope, opening):
    tampered = envelope[:-1] + bytes([envelope[-1] ^ 1])
    with pytest.raises(DecryptionError, match="tampered"):
        decrypt_opening(tampered, KEYS["refiner"], opening.commitment)


def test_sender_lying_about_the_opening_raises_opening_error(opening):
    # A sender who encrypts the wrong values under the right commitment is caught by the hash check.
    from batterytrace.zk import envelopes as module

    lie = Opening.new(cobalt_grams=1, total_grams=1)
    blob = bytearray(encrypt_opening(lie, {"refiner": public_key_from_private_key(KEYS["refiner"])}))
    header_end = 34 + module.WRAPPED_KEY_BYTES
    blob[1:33] = opening.commitment.to_bytes(32, "big")
    data_key = module.ecies.decrypt(KEYS["refiner"], bytes(blob[34:header_end]), module._ECIES_CONFIG)
    blob[header_end:] = module._seal(data_key, lie.to_bytes(), bytes(blob[:header_end]))
    with pytest.raises(OpeningError, match="decrypted opening hashes to"):
        decrypt_opening(bytes(blob), KEYS["refiner"], opening.commitment)


def test_envelope_size_for_three_recipients(envelope):
    assert len(envelope) == envelope_size(3) == 402


def test_envelope_length_does_not_depend_on_values(envelope):
    tiny = Opening.new(cobalt_grams=0, total_grams=0)
    blob = encrypt_opening(tiny, {name: public_key_from_private_key(key) for name, key in KEYS.items()})
    assert len(blob) == len(envelope)


def test_envelope_commitment_is_readable(envelope, opening):
    assert envelope_commitment(envelope) == opening.commitment


def test_unknown_version_raises_opening_error(envelope, opening):
    with pytest.raises(OpeningError, match="unsupported opening envelope version 2"):
        decrypt_opening(b"\x02" + envelope[1:], KEYS["refiner"], opening.commitment)


def test_truncated_envelope_raises_opening_error(envelope, opening):
    with pytest.raises(OpeningError, match="malformed opening envelope"):
        decrypt_opening(envelope[:-1], KEYS["refiner"], opening.commitment)


@pytest.mark.parametrize("bad_key", [b"\x02" + b"\x00" * 32, b"\x04" * 64, b""])
def test_invalid_recipient_key_raises_opening_error(opening, bad_key):
    with pytest.raises(OpeningError, match="recipient 'bad'"):
        encrypt_opening(opening, {"bad": bad_key})


def test_no_recipients_raises_opening_error(opening):
    with pytest.raises(OpeningError, match="1 to 255 recipients"):
        encrypt_opening(opening, {})


def test_aes_gcm_matches_pycryptodome():
    # The envelope format must not depend on which AES-GCM implementation is installed.
    from Crypto.Cipher import AES

    from batterytrace.zk.envelopes import _open, _seal

    key, plaintext, associated = bytes(range(32)), b"opening bytes", b"header"
    cipher = AES.new(key, AES.MODE_GCM, nonce=bytes(12), mac_len=16)
    cipher.update(associated)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    assert _seal(key, plaintext, associated) == ciphertext + tag
    assert _open(key, ciphertext + tag, associated) == plaintext

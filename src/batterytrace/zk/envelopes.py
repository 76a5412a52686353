"""Sealing a shielded note for the parties who may read it: one encrypted envelope that each
recipient can open.

A fresh AES-256-GCM data key encrypts the note once; the data key is wrapped for each recipient
with ECIES over secp256k1 (``eciespy``). The envelope goes into the ledger event that creates the
note, so it is compact and binary::

    version (1) | commitment (32) | n (1) | n x wrapped key (93) | AES-GCM(note) (NOTE_BYTES + 16 tag)

The header (version, commitment, wrapped keys) is the body's associated data, so an envelope cannot
be re-labelled for another note or have its recipient list changed. The body nonce is all zeros:
each data key encrypts exactly one message, so a nonce never repeats under a key. Wrapped keys
carry no recipient labels, so the envelope does not reveal who can read it; a recipient tries each
slot (an authenticated failure costs one ECDH). The note is fixed-width, and an envelope can be
padded to a fixed number of slots with wrapped keys for no one (a fresh random key each), so that
its length does not tell an offer (owner, sender, auditors) from an accept (owner, auditors).
Version 1 (a transparent lot's opening) is retired; the version byte stays 2.
"""

from __future__ import annotations

import secrets
from typing import Mapping

import coincurve
import ecies
from ecies.config import Config

from batterytrace.exceptions import DecryptionError, OpeningError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.notes import NOTE_BYTES, Note

try:  # pragma: no cover - whichever AES-GCM implementation is installed
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM as _AESGCM
except ImportError:  # pragma: no cover
    _AESGCM = None
    from Crypto.Cipher import AES as _AES

NOTE_ENVELOPE_VERSION = 2
MAX_RECIPIENTS = 255

_DATA_KEY_BYTES = 32
_GCM_TAG_BYTES = 16
_ZERO_NONCE = bytes(12)
# Compressed ephemeral key and a 12-byte nonce keep each wrapped key at 33 + 12 + 16 + 32 bytes.
_ECIES_CONFIG = Config(
    elliptic_curve="secp256k1",
    is_ephemeral_key_compressed=True,
    is_hkdf_key_compressed=False,
    symmetric_algorithm="aes-256-gcm",
    symmetric_nonce_length=12,
)
WRAPPED_KEY_BYTES = 33 + 12 + _GCM_TAG_BYTES + _DATA_KEY_BYTES
_HEADER_BYTES = 1 + 32 + 1
_BODY_BYTES = {NOTE_ENVELOPE_VERSION: NOTE_BYTES + _GCM_TAG_BYTES}


def envelope_size(recipient_count: int, version: int = NOTE_ENVELOPE_VERSION) -> int:
    """Length in bytes of an envelope for ``recipient_count`` recipients (or slots)."""
    return _HEADER_BYTES + recipient_count * WRAPPED_KEY_BYTES + _BODY_BYTES[version]


def _seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    if _AESGCM is not None:
        return _AESGCM(key).encrypt(_ZERO_NONCE, plaintext, associated_data)
    cipher = _AES.new(key, _AES.MODE_GCM, nonce=_ZERO_NONCE, mac_len=_GCM_TAG_BYTES)
    cipher.update(associated_data)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return ciphertext + tag


def _open(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Plaintext, or ValueError if authentication fails."""
    if _AESGCM is not None:
        from cryptography.exceptions import InvalidTag

        try:
            return _AESGCM(key).decrypt(_ZERO_NONCE, sealed, associated_data)
        except InvalidTag as error:
            raise ValueError("authentication failed") from error
    cipher = _AES.new(key, _AES.MODE_GCM, nonce=_ZERO_NONCE, mac_len=_GCM_TAG_BYTES)
    cipher.update(associated_data)
    return cipher.decrypt_and_verify(sealed[:-_GCM_TAG_BYTES], sealed[-_GCM_TAG_BYTES:])


def _private_key_bytes(private_key: bytes | str) -> bytes:
    if isinstance(private_key, str):
        text = private_key[2:] if private_key.startswith(("0x", "0X")) else private_key
        try:
            private_key = bytes.fromhex(text)
        except ValueError as error:
            raise DecryptionError("private key is not hex") from error
    if not isinstance(private_key, (bytes, bytearray)) or len(private_key) != 32:
        raise DecryptionError("private key must be 32 bytes (or 64 hex digits)")
    return bytes(private_key)


def public_key_from_private_key(private_key: bytes | str) -> bytes:
    """The 33-byte compressed secp256k1 public key of an Ethereum private key (bytes or hex)."""
    try:
        return coincurve.PrivateKey(_private_key_bytes(private_key)).public_key.format(compressed=True)
    except ValueError as error:
        raise OpeningError(f"invalid secp256k1 private key: {error}") from error


def _check_public_key(label: str, public_key: bytes) -> bytes:
    if not isinstance(public_key, (bytes, bytearray)) or len(public_key) not in (33, 65):
        raise OpeningError(f"recipient {label!r}: public key must be 33 or 65 bytes of secp256k1")
    try:
        return coincurve.PublicKey(bytes(public_key)).format(compressed=True)
    except ValueError as error:
        raise OpeningError(f"recipient {label!r}: invalid secp256k1 public key: {error}") from error


def encrypt_note(note: Note, recipient_public_keys: Mapping[str, bytes], slots: int | None = None) -> bytes:
    """One envelope with ``note`` that each recipient's private key can decrypt, padded to
    ``slots`` wrapped keys when given (at least the recipients)."""
    if not isinstance(note, Note):
        raise OpeningError(f"expected a Note, got {type(note).__name__}")
    return _envelope(NOTE_ENVELOPE_VERSION, note.commitment, note.to_bytes(), recipient_public_keys, slots)


def _envelope(version: int, commitment: int, plaintext: bytes, recipient_public_keys: Mapping[str, bytes],
              slots: int | None = None) -> bytes:
    count = len(recipient_public_keys) if slots is None else slots
    if not 1 <= len(recipient_public_keys) <= count <= MAX_RECIPIENTS:
        raise OpeningError(f"an envelope needs 1 to {MAX_RECIPIENTS} recipients and no more than its {count} slots, "
                           f"got {len(recipient_public_keys)}")
    keys = [_check_public_key(label, key) for label, key in recipient_public_keys.items()]
    data_key = secrets.token_bytes(_DATA_KEY_BYTES)
    wrapped = [ecies.encrypt(key, data_key, _ECIES_CONFIG) for key in keys]
    # Padding: the data key's wrapping for a key nobody holds looks like any other slot.
    wrapped += [ecies.encrypt(coincurve.PrivateKey().public_key.format(compressed=True),
                              secrets.token_bytes(_DATA_KEY_BYTES), _ECIES_CONFIG) for _ in range(count - len(keys))]
    secrets.SystemRandom().shuffle(wrapped)
    assert all(len(w) == WRAPPED_KEY_BYTES for w in wrapped)
    header = bytes([version]) + commitment.to_bytes(32, "big") + bytes([len(wrapped)]) + b"".join(wrapped)
    return header + _seal(data_key, plaintext, header)


def envelope_commitment(blob: bytes) -> int:
    """The commitment an envelope claims to open (unauthenticated until decrypted)."""
    return _parse(blob)[1]


def _parse(blob: bytes, version: int = NOTE_ENVELOPE_VERSION) -> tuple[bytes, int, list[bytes], bytes]:
    what = "note"
    if not isinstance(blob, (bytes, bytearray)) or len(blob) < _HEADER_BYTES:
        raise OpeningError(f"not an {what} envelope: too short")
    blob = bytes(blob)
    if blob[0] != version:
        raise OpeningError(f"unsupported {what} envelope version {blob[0]}")
    count = blob[33]
    if count == 0 or len(blob) != envelope_size(count, version):
        raise OpeningError(f"malformed {what} envelope: {len(blob)} bytes for {count} recipients")
    header_end = _HEADER_BYTES + count * WRAPPED_KEY_BYTES
    wrapped = [blob[_HEADER_BYTES + i * WRAPPED_KEY_BYTES : _HEADER_BYTES + (i + 1) * WRAPPED_KEY_BYTES] for i in range(count)]
    return blob[:header_end], int.from_bytes(blob[1:33], "big"), wrapped, blob[header_end:]


def _unseal(blob: bytes, private_key: bytes | str, expected_commitment: int, version: int) -> bytes | None:
    """The envelope's plaintext if ``private_key`` is a recipient, else None."""
    if type(expected_commitment) is not int or not 0 <= expected_commitment < SNARK_SCALAR_FIELD:
        raise OpeningError(f"expected_commitment {expected_commitment!r} is not a field element")
    header, commitment, wrapped, body = _parse(blob, version)
    if commitment != expected_commitment:
        raise OpeningError(f"envelope opens commitment {commitment}, not the expected {expected_commitment}")
    secret = _private_key_bytes(private_key)
    for slot in wrapped:
        try:
            data_key = ecies.decrypt(secret, slot, _ECIES_CONFIG)
        except ValueError:
            continue
        if len(data_key) != _DATA_KEY_BYTES:
            continue
        try:
            return _open(data_key, body, header)
        except ValueError as error:
            # A padding slot's key is random and never ours: a slot that opens for us and then fails
            # authentication is tampering (or a 2^-128 accident).
            raise DecryptionError("envelope fails authentication: it was tampered with") from error
    return None


def decrypt_note(blob: bytes, private_key: bytes | str, expected_commitment: int) -> Note | None:
    """The note in an envelope of ``expected_commitment`` (a NoteCreated event's), or None when
    ``private_key`` is not a recipient: the scanner's question for every new note.

    Raises OpeningError if the envelope is malformed or for another commitment (anyone's garbage),
    DecryptionError if it opened for ``private_key`` and then was tampered with or holds a note that
    does not hash to the commitment (a creator's lie).
    """
    plaintext = _unseal(blob, private_key, expected_commitment, NOTE_ENVELOPE_VERSION)
    if plaintext is None:
        return None
    try:
        note = Note.from_bytes(plaintext)
    except OpeningError as error:
        raise DecryptionError(f"the envelope opened to no note: {error}") from None
    if note.commitment != expected_commitment:
        raise DecryptionError(f"decrypted note hashes to {note.commitment}, not the expected {expected_commitment}")
    return note

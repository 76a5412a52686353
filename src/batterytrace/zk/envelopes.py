"""Handing a lot's opening to other parties: one encrypted envelope that each recipient can open.

A fresh AES-256-GCM data key encrypts the opening once; the data key is wrapped for each recipient
with ECIES over secp256k1 (``eciespy``). The envelope goes into a handover event's calldata, so it
is compact and binary::

    version (1) | commitment (32) | n (1) | n x wrapped key (93) | AES-GCM(opening) (73 + 16 tag)

The header (version, commitment, wrapped keys) is the body's associated data, so an envelope cannot
be re-labelled for another lot or have its recipient list changed. The body nonce is all zeros:
each data key encrypts exactly one message, so a nonce never repeats under a key. Wrapped keys
carry no recipient labels, so the envelope does not reveal who can read it; a recipient tries each
slot (an authenticated failure costs one ECDH). The opening is fixed-width, so the envelope's
length reveals nothing about the values. Three recipients: 1 + 32 + 1 + 3 x 93 + 89 = 402 bytes.
"""

from __future__ import annotations

import secrets
from typing import Mapping

import coincurve
import ecies
from ecies.config import Config

from batterytrace.exceptions import DecryptionError, OpeningError
from batterytrace.zk.commitment import OPENING_BYTES, Opening
from batterytrace.zk.field import SNARK_SCALAR_FIELD

try:  # pragma: no cover - whichever AES-GCM implementation is installed
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM as _AESGCM
except ImportError:  # pragma: no cover
    _AESGCM = None
    from Crypto.Cipher import AES as _AES

ENVELOPE_VERSION = 1
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
_BODY_BYTES = OPENING_BYTES + _GCM_TAG_BYTES


def envelope_size(recipient_count: int) -> int:
    """Length in bytes of an envelope for ``recipient_count`` recipients."""
    return _HEADER_BYTES + recipient_count * WRAPPED_KEY_BYTES + _BODY_BYTES


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


def encrypt_opening(opening: Opening, recipient_public_keys: Mapping[str, bytes]) -> bytes:
    """One envelope with ``opening`` that each recipient's private key can decrypt.

    ``recipient_public_keys`` maps a label (for error messages only; labels are not stored) to a
    33-byte compressed or 65-byte uncompressed secp256k1 public key.
    """
    if not isinstance(opening, Opening):
        raise OpeningError(f"expected an Opening, got {type(opening).__name__}")
    if not 1 <= len(recipient_public_keys) <= MAX_RECIPIENTS:
        raise OpeningError(f"an envelope needs 1 to {MAX_RECIPIENTS} recipients, got {len(recipient_public_keys)}")
    keys = [_check_public_key(label, key) for label, key in recipient_public_keys.items()]
    data_key = secrets.token_bytes(_DATA_KEY_BYTES)
    wrapped = [ecies.encrypt(key, data_key, _ECIES_CONFIG) for key in keys]
    assert all(len(w) == WRAPPED_KEY_BYTES for w in wrapped)
    header = (
        bytes([ENVELOPE_VERSION])
        + opening.commitment.to_bytes(32, "big")
        + bytes([len(wrapped)])
        + b"".join(wrapped)
    )
    return header + _seal(data_key, opening.to_bytes(), header)


def envelope_commitment(blob: bytes) -> int:
    """The commitment an envelope claims to open (unauthenticated until decrypted)."""
    return _parse(blob)[1]


def _parse(blob: bytes) -> tuple[bytes, int, list[bytes], bytes]:
    if not isinstance(blob, (bytes, bytearray)) or len(blob) < _HEADER_BYTES:
        raise OpeningError("not an opening envelope: too short")
    blob = bytes(blob)
    if blob[0] != ENVELOPE_VERSION:
        raise OpeningError(f"unsupported opening envelope version {blob[0]}")
    count = blob[33]
    if count == 0 or len(blob) != envelope_size(count):
        raise OpeningError(f"malformed opening envelope: {len(blob)} bytes for {count} recipients")
    header_end = _HEADER_BYTES + count * WRAPPED_KEY_BYTES
    wrapped = [blob[_HEADER_BYTES + i * WRAPPED_KEY_BYTES : _HEADER_BYTES + (i + 1) * WRAPPED_KEY_BYTES] for i in range(count)]
    return blob[:header_end], int.from_bytes(blob[1:33], "big"), wrapped, blob[header_end:]


def decrypt_opening(blob: bytes, private_key: bytes | str, expected_commitment: int) -> Opening:
    """Decrypt an envelope and check it opens ``expected_commitment`` (the lot's on-chain one).

    Raises DecryptionError if ``private_key`` is not among the recipients (or the envelope was
    tampered with), OpeningError if the envelope is for another commitment or malformed.
    """
    if type(expected_commitment) is not int or not 0 <= expected_commitment < SNARK_SCALAR_FIELD:
        raise OpeningError(f"expected_commitment {expected_commitment!r} is not a field element")
    header, commitment, wrapped, body = _parse(blob)
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
            plaintext = _open(data_key, body, header)
        except ValueError as error:
            raise DecryptionError("opening envelope fails authentication: it was tampered with") from error
        opening = Opening.from_bytes(plaintext)
        if opening.commitment != expected_commitment:
            raise OpeningError(
                f"decrypted opening hashes to {opening.commitment}, not the expected {expected_commitment}"
            )
        return opening
    raise DecryptionError("this private key is not a recipient of the opening envelope")

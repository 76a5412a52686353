"""Identifiers as the contracts store them: packed text, country codes, evidence hashes."""

from __future__ import annotations

from eth_utils import keccak


def evidence_hash(evidence: str | bytes | None) -> bytes:
    """keccak256 of an evidence document (or of its text); zero when there is none."""
    if evidence is None or evidence == b"" or evidence == "":
        return bytes(32)
    return keccak(evidence if isinstance(evidence, bytes) else evidence.encode())


def bytes32_text(text: str) -> bytes:
    """Short identifiers (site ids, LEIs, GLNs, external ids) packed left-aligned into 32 bytes;
    longer ones are hashed."""
    raw = text.encode()
    if not raw:
        raise ValueError("an identifier must not be empty")
    return raw.ljust(32, b"\0") if len(raw) <= 32 else keccak(raw)


def text_from_bytes32(value: bytes) -> str:
    """The inverse of :func:`bytes32_text` for packed identifiers (hashed ones come back as hex)."""
    raw = bytes(value).rstrip(b"\0")
    try:
        text = raw.decode()
        if text.isprintable():
            return text
    except UnicodeDecodeError:
        pass
    return "0x" + bytes(value).hex()


def country_code(code: str) -> bytes:
    """An ISO 3166-1 alpha-2 country code as the registry's bytes2."""
    if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. 'CD')")
    return code.encode()

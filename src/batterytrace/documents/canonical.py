"""The bytes of a passport document and the hash of them that goes on chain."""

from __future__ import annotations

import json
from typing import Any, Mapping

from eth_utils import keccak

from batterytrace.exceptions import PassportError


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8. Rejects NaN, infinities and non-JSON types with PassportError."""
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PassportError(f"passport document is not plain JSON: {exc}") from exc
    return text.encode("utf-8")


def document_hash(document: Mapping[str, Any]) -> bytes:
    """keccak256 of the canonical JSON: the 32 bytes stored on chain."""
    return keccak(canonical_json(document))

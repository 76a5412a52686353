"""What an economic operator publishes to a passport resolver for one passport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PublicationContent:
    """The three tiers of a passport's Battery Pass document (public, legitimate interest,
    authorities: ``documents.tiers.split_by_tier``) and its signed credential (a compact JWS)."""

    public_document: dict[str, Any]
    legitimate_interest: dict[str, Any]
    authorities: dict[str, Any]
    credential: str

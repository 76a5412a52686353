"""A lot's confidential values (its opening) and their Poseidon commitment."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, fields
from typing import Any

from batterytrace.exceptions import OpeningError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon

#: Masses and emissions are range-checked to 64 bits in the circuits.
MAX_QUANTITY = 2**64
#: Risk flags occupy one byte in the circuits.
MAX_RISK_FLAGS = 2**8

_OPENING_JSON_VERSION = 1
#: Length of ``Opening.to_bytes()``.
OPENING_BYTES = 5 * 8 + 1 + 32




_QUANTITY_FIELDS = (
    "cobalt_grams",
    "total_grams",
    "certified_cobalt_grams",
    "recycled_cobalt_grams",
    "co2e_grams",
)


@dataclass(frozen=True)
class Opening:
    """The values behind a lot's commitment, and the blinding that hides them.

    Whoever holds a lot holds its opening; the chain only sees ``commitment``.
    """

    cobalt_grams: int
    total_grams: int
    certified_cobalt_grams: int
    recycled_cobalt_grams: int
    co2e_grams: int
    risk_flags: int
    blinding: int = field(repr=False)

    def __post_init__(self) -> None:
        for name in _QUANTITY_FIELDS:
            value = getattr(self, name)
            if type(value) is not int:
                raise OpeningError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
            if not 0 <= value < MAX_QUANTITY:
                raise OpeningError(f"{name} = {value} is outside [0, 2^64)")
        flags = self.risk_flags
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise OpeningError(f"risk_flags must be an int, got {type(flags).__name__}: {flags!r}")
        if not 0 <= flags < MAX_RISK_FLAGS:
            raise OpeningError(f"risk_flags = {int(flags)} is outside [0, 2^8)")
        # Stored as the plain byte the circuits hash; the domain reads it as model.risk.RiskFlag.
        object.__setattr__(self, "risk_flags", int(flags))
        if type(self.blinding) is not int or not 0 <= self.blinding < SNARK_SCALAR_FIELD:
            raise OpeningError(f"blinding = {self.blinding!r} is not a field element in [0, p)")
        if self.certified_cobalt_grams > self.cobalt_grams:
            raise OpeningError(
                f"certified_cobalt_grams {self.certified_cobalt_grams} exceeds cobalt_grams {self.cobalt_grams}"
            )
        if self.recycled_cobalt_grams > self.cobalt_grams:
            raise OpeningError(
                f"recycled_cobalt_grams {self.recycled_cobalt_grams} exceeds cobalt_grams {self.cobalt_grams}"
            )
        if self.cobalt_grams > self.total_grams:
            raise OpeningError(f"cobalt_grams {self.cobalt_grams} exceeds total_grams {self.total_grams}")

    @classmethod
    def new(
        cls,
        *,
        cobalt_grams: int,
        total_grams: int,
        certified_cobalt_grams: int = 0,
        recycled_cobalt_grams: int = 0,
        co2e_grams: int = 0,
        risk_flags: int = 0,
        blinding: int | None = None,
    ) -> Opening:
        """An opening with a fresh uniformly random blinding unless one is given."""
        if blinding is None:
            blinding = secrets.randbelow(SNARK_SCALAR_FIELD)
        return cls(
            cobalt_grams=cobalt_grams,
            total_grams=total_grams,
            certified_cobalt_grams=certified_cobalt_grams,
            recycled_cobalt_grams=recycled_cobalt_grams,
            co2e_grams=co2e_grams,
            risk_flags=risk_flags,
            blinding=blinding,
        )

    def field_elements(self) -> tuple[int, ...]:
        """The commitment's preimage, in the order the circuits hash it."""
        return (
            self.cobalt_grams,
            self.total_grams,
            self.certified_cobalt_grams,
            self.recycled_cobalt_grams,
            self.co2e_grams,
            int(self.risk_flags),
            self.blinding,
        )

    @property
    def commitment(self) -> int:
        """Poseidon(cobalt, total, certified, recycled, co2e, flags, blinding)."""
        return poseidon(self.field_elements())

    def to_json(self) -> str:
        """Stable JSON (sorted keys, no spaces, ints as decimal strings) for storage and encryption."""
        document: dict[str, Any] = {"version": _OPENING_JSON_VERSION}
        for member in fields(self):
            document[member.name] = str(int(getattr(self, member.name)))
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    def to_bytes(self) -> bytes:
        """Fixed-width binary form (73 bytes): five u64 quantities, the flags byte, the 32-byte
        blinding, all big-endian. Fixed width keeps an encrypted opening's length independent of
        its values."""
        quantities = b"".join(getattr(self, name).to_bytes(8, "big") for name in _QUANTITY_FIELDS)
        return quantities + int(self.risk_flags).to_bytes(1, "big") + self.blinding.to_bytes(32, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Opening:
        """Parse ``to_bytes`` output; raises OpeningError for anything malformed."""
        if len(data) != OPENING_BYTES:
            raise OpeningError(f"binary opening must be {OPENING_BYTES} bytes, got {len(data)}")
        quantities = {
            name: int.from_bytes(data[8 * i : 8 * i + 8], "big") for i, name in enumerate(_QUANTITY_FIELDS)
        }
        return cls(**quantities, risk_flags=data[40], blinding=int.from_bytes(data[41:73], "big"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Opening:
        """Parse ``to_json`` output; raises OpeningError for anything malformed."""
        try:
            document = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise OpeningError(f"opening is not valid JSON: {error}") from error
        if not isinstance(document, dict) or document.get("version") != _OPENING_JSON_VERSION:
            raise OpeningError("opening JSON has no supported version")
        values: dict[str, int] = {}
        for member in fields(cls):
            raw = document.get(member.name)
            if not isinstance(raw, str) or not raw.isdecimal() or not raw.isascii():
                raise OpeningError(f"opening JSON field {member.name!r} is not a decimal string: {raw!r}")
            values[member.name] = int(raw)
        return cls(**values)



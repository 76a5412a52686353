"""Notes: lots on the shielded ledger, their commitments and nullifiers (circuits/lib/notes.circom).

A note's commitment is a leaf of the note tree; spending it reveals its nullifier. The layout is the
circuit's, field for field:

    commitment = Poseidon(valuesHash, kind, owner, state, counterparty, tag, blinding)
    valuesHash = Poseidon(per metal: grams, certified, pre-consumer, post-consumer; total, co2e, flags)
    nullifier  = Poseidon(commitment, blinding)

The metals are a parameter of the circuits (``METALS``): cobalt, lithium, nickel. A note's kind says
which metals it may hold (``KIND_METALS``), and every operation creating a note proves it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from enum import IntEnum

from batterytrace.exceptions import OpeningError, ProofError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon

#: The metals a note carries, in the circuits' order (``NoteValues(metals)``). Lead, the regulation's
#: fourth recycled-content metal, is not carried: a fourth metal takes the values hash past one
#: Poseidon (16 inputs), and lithium-ion packs hold no lead to trace.
METALS = ("cobalt", "lithium", "nickel")
COBALT, LITHIUM, NICKEL = range(3)
#: The material kinds (MaterialKind indices, model/lots.py) that may hold each metal, as
#: KIND_HOLDING in notes.circom: cobalt the cobalt kinds, pCAM, CAM, cells, modules, packs and black
#: mass; lithium CAM to pack, black mass and the lithium kinds; nickel pCAM to pack, black mass and
#: the nickel kinds.
KIND_METALS: tuple[frozenset[int], ...] = (
    frozenset(range(12)),
    frozenset({6, 7, 8, 9, 10, 12, 13, 14, 15}),
    frozenset({5, 6, 7, 8, 9, 10, 16, 17, 18}),
)


def kind_may_hold(kind: int, metal: int) -> bool:
    """Whether a note of ``kind`` may hold metal ``metal`` (an index into ``METALS``)."""
    return kind in KIND_METALS[metal]


def require_kind_holds(kind: int, grams: tuple[int, ...], what: str) -> None:
    """ProofError unless a note of ``kind`` may hold every metal ``grams`` (per metal) gives it."""
    for metal, amount in enumerate(grams):
        if amount and not kind_may_hold(kind, metal):
            raise ProofError(f"{what} is of material kind {kind}, which holds no {METALS[metal]} "
                             f"(it gives {amount} g)")
#: Masses and emissions are 64-bit grams in the circuits; flags and kinds one byte.
MAX_GRAMS = 2**64
MAX_BYTE = 2**8
#: Length of ``Note.to_bytes()``: four u64 per metal, total and CO2e u64, flags, kind and state one
#: byte each, owner, counterparty, tag and blinding 32 bytes each.
NOTE_BYTES = 4 * 8 * len(METALS) + 2 * 8 + 3 + 4 * 32


class NoteState(IntEnum):
    """A note's custody state (``NOTE_ACTIVE`` ... in notes.circom)."""

    ACTIVE = 0
    OFFERED = 1
    DISPUTED = 2


def _require_grams(name: str, value: int) -> None:
    if type(value) is not int or not 0 <= value < MAX_GRAMS:
        raise OpeningError(f"{name} must be an integer number of grams from 0 to 2^64 - 1, got {value!r}")


def _require_field(name: str, value: int) -> None:
    if type(value) is not int or not 0 <= value < SNARK_SCALAR_FIELD:
        raise OpeningError(f"{name} must be a field element (0 <= x < p), got {value!r}")


@dataclass(frozen=True)
class MetalValues:
    """One metal's grams in a note: contained, from certified origins, pre- and post-consumer
    recycled. Certified <= grams, and pre + post <= grams."""

    grams: int = 0
    certified_grams: int = 0
    pre_consumer_grams: int = 0
    post_consumer_grams: int = 0

    def __post_init__(self) -> None:
        for name in ("grams", "certified_grams", "pre_consumer_grams", "post_consumer_grams"):
            _require_grams(name, getattr(self, name))
        if self.certified_grams > self.grams:
            raise OpeningError(f"certified grams {self.certified_grams} exceed the metal's {self.grams} g")
        if self.pre_consumer_grams + self.post_consumer_grams > self.grams:
            raise OpeningError(
                f"recycled grams {self.pre_consumer_grams} + {self.post_consumer_grams} exceed the metal's {self.grams} g")

    def field_elements(self) -> tuple[int, int, int, int]:
        return (self.grams, self.certified_grams, self.pre_consumer_grams, self.post_consumer_grams)


@dataclass(frozen=True)
class NoteValues:
    """What a lot holds: per metal (``METALS`` order), its total mass, embodied CO2e and risk flags."""

    metals: tuple[MetalValues, ...]
    total_grams: int
    co2e_grams: int = 0
    risk_flags: int = 0

    def __post_init__(self) -> None:
        if len(self.metals) != len(METALS):
            raise OpeningError(f"a note carries {len(METALS)} metal(s) {METALS}, got {len(self.metals)}")
        _require_grams("total grams", self.total_grams)
        _require_grams("CO2e grams", self.co2e_grams)
        if type(self.risk_flags) is not int or not 0 <= self.risk_flags < MAX_BYTE:
            raise OpeningError(f"risk flags must be one byte, got {self.risk_flags!r}")
        metal_grams = sum(metal.grams for metal in self.metals)
        if metal_grams > self.total_grams:
            raise OpeningError(f"the metals' {metal_grams} g exceed the lot's total {self.total_grams} g")

    def field_elements(self) -> list[int]:
        """The inputs of valuesHash, in the circuit's order."""
        elements = [value for metal in self.metals for value in metal.field_elements()]
        return elements + [self.total_grams, self.co2e_grams, self.risk_flags]

    @property
    def values_hash(self) -> int:
        return poseidon(self.field_elements())


def random_blinding() -> int:
    """A uniformly random non-zero field element."""
    return secrets.randbelow(SNARK_SCALAR_FIELD - 1) + 1


@dataclass(frozen=True)
class Note:
    """A note's opening: everything its commitment hides."""

    values: NoteValues
    kind: int
    owner: int
    tag: int
    state: NoteState = NoteState.ACTIVE
    counterparty: int = 0
    blinding: int = field(default_factory=random_blinding, repr=False)  # with the commitment it gives the nullifier

    def __post_init__(self) -> None:
        if type(self.kind) is not int or not 0 <= self.kind < MAX_BYTE:
            raise OpeningError(f"material kind must be one byte, got {self.kind!r}")
        for name in ("owner", "counterparty", "tag", "blinding"):
            _require_field(name, getattr(self, name))
        if self.owner == 0:
            raise OpeningError("a note's owner is a shielding key, not 0")
        if (self.state == NoteState.ACTIVE) != (self.counterparty == 0):
            raise OpeningError("an active note has no counterparty; an offered or disputed one has one")

    @property
    def commitment(self) -> int:
        return poseidon([self.values.values_hash, self.kind, self.owner, int(self.state), self.counterparty,
                         self.tag, self.blinding])

    @property
    def nullifier(self) -> int:
        return poseidon([self.commitment, self.blinding])

    def to_bytes(self) -> bytes:
        """Fixed-width binary form (``NOTE_BYTES``), big-endian: fixed width keeps an encrypted
        note's length independent of its values."""
        values = self.values
        grams = b"".join(value.to_bytes(8, "big") for metal in values.metals for value in metal.field_elements())
        return (grams + values.total_grams.to_bytes(8, "big") + values.co2e_grams.to_bytes(8, "big")
                + bytes([values.risk_flags, self.kind, int(self.state)])
                + b"".join(value.to_bytes(32, "big") for value in (self.owner, self.counterparty, self.tag, self.blinding)))

    @classmethod
    def from_bytes(cls, data: bytes) -> Note:
        """Parse ``to_bytes`` output; raises OpeningError for anything malformed."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != NOTE_BYTES:
            raise OpeningError(f"a binary note is {NOTE_BYTES} bytes, got {len(data) if isinstance(data, (bytes, bytearray)) else data!r}")
        words = [int.from_bytes(data[8 * i:8 * i + 8], "big") for i in range(4 * len(METALS) + 2)]
        metals = tuple(MetalValues(*words[4 * m:4 * m + 4]) for m in range(len(METALS)))
        at = 8 * len(words)
        flags, kind, state = data[at], data[at + 1], data[at + 2]
        if state not in NoteState._value2member_map_:
            raise OpeningError(f"a note's state is 0, 1 or 2, got {state}")
        owner, counterparty, tag, blinding = (int.from_bytes(data[at + 3 + 32 * i:at + 35 + 32 * i], "big") for i in range(4))
        return cls(NoteValues(metals, words[-2], words[-1], flags), kind, owner, tag, NoteState(state), counterparty,
                   blinding)

    def moved(self, *, owner: int, state: NoteState, counterparty: int = 0, blinding: int | None = None) -> Note:
        """The note a custody step creates from this one: same values, kind and tag."""
        return replace(self, owner=owner, state=state, counterparty=counterparty,
                       blinding=random_blinding() if blinding is None else blinding)

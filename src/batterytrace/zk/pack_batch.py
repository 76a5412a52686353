"""Battery passports a batch at a time: the rules of circuits/lib/pack_batch.circom and its inputs.

One proof covers up to ``BATCH_SLOTS`` passports. Each passport's pack note is an active PACK of the
issuer tagged with the passport id (a pack is made under its battery's id, and no transform spends
one), so a pack backs the one passport its tag names and no nullifier is revealed. The batch states
one set of claims every pack meets (``BatchClaims``: least shares per metal, CO2e bounds, forbidden
risk flags, the batteries' capacity), and each passport's slot states its id and the exact grams of
each metal its pack holds, fifteen slots in ten public words. ``check_batch`` is the Python home of those rules (it refuses what the
circuit would, naming the pack and the claim) and ``pack_batch_inputs`` lays out the witness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProofError
from batterytrace.zk.custody import NOTE_TREE_DEPTH, REGISTRY_TREE_DEPTH, Participant, padded_path
from batterytrace.zk.merkle import MembershipProof
from batterytrace.zk.notes import MAX_BYTE, METALS, Note, NoteState
from batterytrace.zk.shielding import shielding_public_key

#: MaterialKind.PACK (model/lots.py), ``BATCH_PACK()`` in pack_batch.circom.
PACK = 9
#: PackBatchClaimProof(15, 3, 24, 16)'s slots: BatteryPassport.BATCH_SIZE.
BATCH_SLOTS = 15
#: A slot's bits: the passport id, then each metal's grams; the slots lie end to end in public words
#: of 252 bits (three slots in two words: ten words for the fifteen slots).
PASSPORT_ID_BITS = 96
SLOT_GRAMS_BITS = 24
SLOT_BITS = PASSPORT_ID_BITS + SLOT_GRAMS_BITS * 3
SLOT_WORD_BITS = 252
SLOT_WORDS = -(-BATCH_SLOTS * SLOT_BITS // SLOT_WORD_BITS)
#: The bounds' and the capacity's limit: 32 bits each in the claims signal.
MAX_BOUND = 1 << 32
#: A share of 100%, in basis points.
FULL_SHARE_BPS = 10_000
#: The shares a batch claims per metal: their name and the metal's grams holding them.
SHARES = (("certified", "certified_grams"), ("pre-consumer recycled", "pre_consumer_grams"),
          ("post-consumer recycled", "post_consumer_grams"))


@dataclass(frozen=True)
class MetalShares:
    """The least shares of one metal every pack of the batch holds, basis points of its grams."""

    min_certified_bps: int = 0
    min_pre_consumer_bps: int = 0
    min_post_consumer_bps: int = 0

    def bps(self) -> tuple[int, int, int]:
        return (self.min_certified_bps, self.min_pre_consumer_bps, self.min_post_consumer_bps)


@dataclass(frozen=True)
class BatchClaims:
    """What a batch's passports claim, every pack meeting it: per metal (``METALS`` order) the least
    shares; the CO2e bounds per kg of cobalt (0: no bound per kg, as for a pack without cobalt) and
    per kWh of ``capacity_wh``, the capacity of every battery of the batch; the risk flags no pack
    carries. All public (``IBatteryPassport.BatchClaims``)."""

    metals: tuple[MetalShares, ...]
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    capacity_wh: int
    forbidden_risk_flags: int = 0

    @classmethod
    def tightest(cls, notes: Sequence[Note], capacity_wh: int, forbidden_risk_flags: int = 0) -> BatchClaims:
        """The strongest claims all the notes support: each share the least of the packs' (rounded
        down), each CO2e bound the greatest the packs need (rounded up). A metal some pack lacks
        claims no share; a pack without cobalt makes the bound per kg 0 (none)."""
        if not notes:
            raise ProofError("a batch holds at least one pack")
        shares = []
        for metal in range(len(METALS)):
            def least(part: str, metal: int = metal) -> int:
                held = [note.values.metals[metal] for note in notes]
                if any(values.grams == 0 for values in held):
                    return 0
                return min(getattr(values, part) * FULL_SHARE_BPS // values.grams for values in held)
            shares.append(MetalShares(*(least(part) for _, part in SHARES)))
        per_kg = 0
        if all(note.values.metals[0].grams for note in notes):
            per_kg = max(-(-note.values.co2e_grams * 1000 // note.values.metals[0].grams) for note in notes)
        per_kwh = max(-(-note.values.co2e_grams * 1000 // capacity_wh) for note in notes) if capacity_wh else 0
        return cls(tuple(shares), per_kg, per_kwh, capacity_wh, forbidden_risk_flags)

    def claims_signal(self) -> int:
        """The circuit's ``claims`` (BatteryPassport._packClaims packs it the same way): per metal m
        certified | pre << 16 | post << 32 at bit 48m; then from bit 144 the forbidden flags (8 bits)
        and the bounds per kg of cobalt, per kWh and the capacity, 32 bits each."""
        packed = 0
        for metal, shares in enumerate(self.metals):
            certified, pre, post = shares.bps()
            packed |= (certified | pre << 16 | post << 32) << (48 * metal)
        at = 48 * len(self.metals)
        return (packed | self.forbidden_risk_flags << at | self.max_co2e_grams_per_kg_cobalt << (at + 8)
                | self.max_co2e_grams_per_kwh << (at + 40) | self.capacity_wh << (at + 72))

    def as_abi(self) -> tuple:
        """``IBatteryPassport.BatchClaims`` as web3 encodes it."""
        return ([shares.bps() for shares in self.metals], self.max_co2e_grams_per_kg_cobalt, self.max_co2e_grams_per_kwh,
                self.capacity_wh, self.forbidden_risk_flags)

    @classmethod
    def from_abi(cls, value: Any) -> BatchClaims:
        """From ``IBatteryPassport.BatchClaims`` as web3 decodes it (a tuple or a mapping, nested) or
        as ``as_abi`` gives it."""
        def plain(item: Any) -> Any:
            if isinstance(item, Mapping):
                item = list(item.values())
            return [plain(part) for part in item] if isinstance(item, (list, tuple)) else item

        metals, per_kg, per_kwh, capacity, flags = plain(value)
        return cls(tuple(MetalShares(*map(int, shares)) for shares in metals), int(per_kg), int(per_kwh), int(capacity),
                   int(flags))


def slot_signal(passport_id: int, grams: Sequence[int]) -> int:
    """A used slot: the passport id, then each metal's grams in 24 bits."""
    signal = passport_id
    for metal, value in enumerate(grams):
        signal |= value << (PASSPORT_ID_BITS + SLOT_GRAMS_BITS * metal)
    return signal


def slot_words(slots: Sequence[int]) -> list[int]:
    """The slots end to end (slot i at bit ``SLOT_BITS * i``) as the circuit's ``SLOT_WORDS`` public
    words of 252 bits, unused slots 0 (BatteryPassport packs them the same way)."""
    if len(slots) > BATCH_SLOTS:
        raise ProofError(f"a batch holds at most {BATCH_SLOTS} passports, got {len(slots)}")
    stream = sum(slot << (SLOT_BITS * index) for index, slot in enumerate(slots))
    return [(stream >> (SLOT_WORD_BITS * word)) & ((1 << SLOT_WORD_BITS) - 1) for word in range(SLOT_WORDS)]


def _require_claims(claims: BatchClaims) -> None:
    if len(claims.metals) != len(METALS):
        raise ProofError(f"the claims hold shares for each metal {METALS}, got {len(claims.metals)}")
    for metal, shares in zip(METALS, claims.metals):
        for (name, _), bps in zip(SHARES, shares.bps()):
            if type(bps) is not int or not 0 <= bps <= FULL_SHARE_BPS:
                raise ProofError(f"the least {name} share of {metal} must be basis points from 0 to 10000, got {bps!r}")
        if shares.min_pre_consumer_bps + shares.min_post_consumer_bps > FULL_SHARE_BPS:
            raise ProofError(f"the pre- and post-consumer shares of {metal} claimed exceed 100% together")
    for name in ("max_co2e_grams_per_kg_cobalt", "max_co2e_grams_per_kwh", "capacity_wh"):
        value = getattr(claims, name)
        if type(value) is not int or not 0 <= value < MAX_BOUND:
            raise ProofError(f"{name} must be an integer from 0 to 2^32 - 1, got {value!r}")
    if type(claims.forbidden_risk_flags) is not int or not 0 <= claims.forbidden_risk_flags < MAX_BYTE:
        raise ProofError(f"forbidden risk flags must be one byte, got {claims.forbidden_risk_flags!r}")


def check_pack(note: Note, passport_id: int, claims: BatchClaims) -> None:
    """Refuses, with ProofError naming the claim, a pack note the circuit would refuse for the
    passport ``passport_id`` under ``claims`` (but its owner and tree membership)."""
    if note.kind != PACK:
        raise ProofError(f"a passport is backed by a pack note (material kind {PACK}), this one is of kind {note.kind}")
    if note.state != NoteState.ACTIVE:
        raise ProofError(f"a passport's pack note must be active, this one is {note.state.name.lower()}")
    if note.tag != passport_id:
        raise ProofError(f"the pack is tagged for passport {note.tag:#x}, not {passport_id:#x}: a pack backs the passport "
                         f"of the battery id it was made under")
    values = note.values
    for metal_name, metal in zip(METALS, values.metals):
        if metal.grams >= 1 << SLOT_GRAMS_BITS:
            raise ProofError(f"the pack's {metal.grams} g of {metal_name} do not fit a passport slot's 24 bits "
                             f"(at most {(1 << SLOT_GRAMS_BITS) - 1} g)")
    for metal_name, metal, shares in zip(METALS, values.metals, claims.metals):
        for (share_name, part), bps in zip(SHARES, shares.bps()):
            if getattr(metal, part) * FULL_SHARE_BPS < bps * metal.grams:
                raise ProofError(f"the {share_name} share of {metal_name} is {getattr(metal, part)} g of "
                                 f"{metal.grams} g, below the claimed {bps} bps")
    co2e_milli = values.co2e_grams * 1000
    cobalt = values.metals[0].grams
    if claims.max_co2e_grams_per_kg_cobalt and co2e_milli > claims.max_co2e_grams_per_kg_cobalt * cobalt:
        raise ProofError(f"{values.co2e_grams} g CO2e for {cobalt} g of cobalt exceeds the claimed "
                         f"{claims.max_co2e_grams_per_kg_cobalt} g per kg of cobalt")
    if co2e_milli > claims.max_co2e_grams_per_kwh * claims.capacity_wh:
        raise ProofError(f"{values.co2e_grams} g CO2e for {claims.capacity_wh} Wh exceeds the claimed "
                         f"{claims.max_co2e_grams_per_kwh} g per kWh")
    forbidden = values.risk_flags & claims.forbidden_risk_flags
    if forbidden:
        raise ProofError(f"the pack carries forbidden risk flags {forbidden:#04x}")


def check_batch(notes: Sequence[Note], passport_ids: Sequence[int], claims: BatchClaims) -> None:
    """Refuses what the circuit (or the passport contract) would refuse of the batch, naming the pack:
    1 to ``BATCH_SLOTS`` packs, one per passport, distinct passports, each pack meeting the claims."""
    if not 1 <= len(notes) <= BATCH_SLOTS:
        raise ProofError(f"a batch holds 1 to {BATCH_SLOTS} passports, got {len(notes)}")
    if len(passport_ids) != len(notes):
        raise ProofError(f"{len(notes)} pack notes for {len(passport_ids)} passports")
    if len(set(passport_ids)) != len(passport_ids):
        raise ProofError("a passport appears twice in the batch")
    _require_claims(claims)
    for number, (note, passport_id) in enumerate(zip(notes, passport_ids), 1):
        try:
            check_pack(note, passport_id, claims)
        except ProofError as error:
            raise ProofError(f"pack {number} of the batch: {error}") from None


def pack_batch_inputs(
    notes: Sequence[Note],
    note_proofs: Sequence[MembershipProof],
    passport_ids: Sequence[int],
    claims: BatchClaims,
    issuer: Participant,
    issuer_secret: int,
    issuer_proof: MembershipProof,
    context: int,
) -> dict[str, Any]:
    """The batch circuit's inputs, public signals first (in the passport contract's order); the
    unused slots are zeros. ProofError for a batch the issuer may not prove."""
    check_batch(notes, passport_ids, claims)
    if len(note_proofs) != len(notes):
        raise ProofError(f"{len(notes)} pack notes come with {len(note_proofs)} note proofs")
    if len({proof.root for proof in note_proofs}) != 1:
        raise ProofError("the pack notes' proofs are against different roots of the note tree: prove them apart")
    if shielding_public_key(issuer_secret) != issuer.shielding_key:
        raise ProofError("the secret given is not the issuer's shielding secret")
    columns: dict[str, list[Any]] = {name: [] for name in (
        "grams", "certifiedGrams", "preConsumerGrams", "postConsumerGrams", "totalGrams", "co2eGrams", "riskFlags",
        "blinding", "notePathLength", "notePathIndex", "noteSiblings")}
    for number, (note, proof) in enumerate(zip(notes, note_proofs), 1):
        if proof.leaf != note.commitment:
            raise ProofError(f"the note proof of pack {number} is for another leaf than its commitment")
        if note.owner != issuer.shielding_key:
            raise ProofError(f"pack {number} is owned by another shielding key than the issuer's")
        length, index, siblings = padded_path(proof, NOTE_TREE_DEPTH)
        metals = note.values.metals
        for name, value in (("grams", [m.grams for m in metals]), ("certifiedGrams", [m.certified_grams for m in metals]),
                            ("preConsumerGrams", [m.pre_consumer_grams for m in metals]),
                            ("postConsumerGrams", [m.post_consumer_grams for m in metals]),
                            ("totalGrams", note.values.total_grams), ("co2eGrams", note.values.co2e_grams),
                            ("riskFlags", note.values.risk_flags), ("blinding", note.blinding), ("notePathLength", length),
                            ("notePathIndex", index), ("noteSiblings", siblings)):
            columns[name].append(value)
    unused = {"grams": [0] * len(METALS), "certifiedGrams": [0] * len(METALS), "preConsumerGrams": [0] * len(METALS),
              "postConsumerGrams": [0] * len(METALS), "noteSiblings": [0] * NOTE_TREE_DEPTH}
    for _ in range(BATCH_SLOTS - len(notes)):
        for name, column in columns.items():
            column.append(unused.get(name, 0))
    issuer_length, issuer_index, issuer_siblings = padded_path(issuer_proof, REGISTRY_TREE_DEPTH)
    slots = [slot_signal(passport_id, [m.grams for m in note.values.metals])
             for note, passport_id in zip(notes, passport_ids)]
    return {
        "noteRoot": note_proofs[0].root,
        "participantsRoot": issuer_proof.root,
        "issuer": issuer.account,
        "claims": claims.claims_signal(),
        "context": context,
        "packs": slot_words(slots),
        **columns,
        "secret": issuer_secret,
        "roleIndex": issuer.role_index,
        "operatorFlags": issuer.risk_flags,
        "participantPathLength": issuer_length,
        "participantPathIndex": issuer_index,
        "participantSiblings": issuer_siblings,
    }


def batch_public_signals(note_root: int, participants_root: int, issuer: int, claims: BatchClaims, context: int,
                         slots: Sequence[int]) -> list[int]:
    """The batch proof's public signals, in the verifier's order, from what the chain holds."""
    return [note_root, participants_root, issuer, claims.claims_signal(), context, *slot_words(slots)]


__all__ = ["BATCH_SLOTS", "BatchClaims", "MetalShares", "PACK", "batch_public_signals", "check_batch", "check_pack",
           "pack_batch_inputs", "slot_signal", "slot_words"]

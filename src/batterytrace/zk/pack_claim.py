"""Battery passports from pack notes: the rules of circuits/lib/pack_claim.circom and its inputs.

Issuing a passport spends one active pack note of the issuer (its nullifier is public), so a pack
backs one passport, and proves the passport's claims from the note's values without opening it: the
declared grams of each metal are the note's, the certified and recycled shares meet their minimums,
the CO2e meets both bounds and no forbidden risk flag is set. ``check_pack_claims`` is the Python
home of those rules (it refuses what the circuit would, naming the claim), and ``pack_claim_inputs``
lays out the witness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProofError
from batterytrace.zk.custody import NOTE_TREE_DEPTH, REGISTRY_TREE_DEPTH, Participant, padded_path
from batterytrace.zk.merkle import MembershipProof
from batterytrace.zk.notes import MAX_BYTE, MAX_GRAMS, METALS, Note, NoteState
from batterytrace.zk.shielding import shielding_public_key

#: MaterialKind.PACK (model/lots.py) (``PACK()`` in pack_claim.circom).
PACK = 9
#: A share of 100%, in basis points.
FULL_SHARE_BPS = 10_000
#: The shares a passport claims per metal: their name, the metal's grams and the claims' minimum.
SHARES = (("certified", "certified_grams", "min_certified_bps"),
          ("pre-consumer recycled", "pre_consumer_grams", "min_pre_consumer_bps"),
          ("post-consumer recycled", "post_consumer_grams", "min_post_consumer_bps"))


@dataclass(frozen=True)
class PackClaims:
    """What a passport claims about its pack: per metal (``METALS`` order) the grams declared and the
    minimum certified, pre- and post-consumer recycled shares (basis points); the CO2e bounds per kg
    of cobalt and per kWh of the pack's capacity; the risk flags the pack must not carry. All public."""

    declared_grams: tuple[int, ...]
    min_certified_bps: tuple[int, ...]
    min_pre_consumer_bps: tuple[int, ...]
    min_post_consumer_bps: tuple[int, ...]
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    capacity_wh: int
    forbidden_risk_flags: int = 0

    @classmethod
    def tightest(cls, note: Note, capacity_wh: int, forbidden_risk_flags: int = 0) -> PackClaims:
        """The strongest claims the note supports: shares rounded down, CO2e bounds rounded up. A metal
        without grams claims no share; without cobalt or capacity the bound is 0, which only a note
        without CO2e meets."""
        metals = note.values.metals
        co2e_milli = note.values.co2e_grams * 1000

        def share(part: str) -> tuple[int, ...]:
            return tuple(getattr(metal, part) * FULL_SHARE_BPS // metal.grams if metal.grams else 0
                         for metal in metals)

        cobalt = metals[0].grams
        return cls(
            declared_grams=tuple(metal.grams for metal in metals),
            min_certified_bps=share("certified_grams"),
            min_pre_consumer_bps=share("pre_consumer_grams"),
            min_post_consumer_bps=share("post_consumer_grams"),
            max_co2e_grams_per_kg_cobalt=-(-co2e_milli // cobalt) if cobalt else 0,
            max_co2e_grams_per_kwh=-(-co2e_milli // capacity_wh) if capacity_wh else 0,
            capacity_wh=capacity_wh,
            forbidden_risk_flags=forbidden_risk_flags,
        )

    @property
    def metal_claims(self) -> tuple[int, ...]:
        """Each metal's claim as the circuit's one public signal (ShieldedLedger packs it the same
        way): grams | certified << 64 | pre-consumer << 80 | post-consumer << 96."""
        return tuple(grams | certified << 64 | pre << 80 | post << 96 for grams, certified, pre, post in zip(
            self.declared_grams, self.min_certified_bps, self.min_pre_consumer_bps, self.min_post_consumer_bps))

    def circuit_inputs(self) -> dict[str, Any]:
        """The claims as the circuit's public inputs, in its order (between issuer and context)."""
        return {
            "metalClaims": list(self.metal_claims),
            "maxCo2eGramsPerKgCobalt": self.max_co2e_grams_per_kg_cobalt,
            "maxCo2eGramsPerKwh": self.max_co2e_grams_per_kwh,
            "capacityWh": self.capacity_wh,
            "forbiddenRiskFlags": self.forbidden_risk_flags,
        }

    def public_signals(self) -> list[int]:
        """The claims' public signals, as the passport contract passes them to the verifier."""
        return [value for field in self.circuit_inputs().values()
                for value in (field if isinstance(field, list) else [field])]


def _require_claim_ranges(claims: PackClaims) -> None:
    for name in ("declared_grams", "min_certified_bps", "min_pre_consumer_bps", "min_post_consumer_bps"):
        if len(getattr(claims, name)) != len(METALS):
            raise ProofError(f"{name} holds one value per metal {METALS}, got {len(getattr(claims, name))}")
    for _, _, name in SHARES:
        for metal, bps in zip(METALS, getattr(claims, name)):
            if type(bps) is not int or not 0 <= bps <= FULL_SHARE_BPS:
                raise ProofError(f"{name} of {metal} must be basis points from 0 to 10000, got {bps!r}")
    for name in ("max_co2e_grams_per_kg_cobalt", "max_co2e_grams_per_kwh", "capacity_wh"):
        value = getattr(claims, name)
        if type(value) is not int or not 0 <= value < MAX_GRAMS:
            raise ProofError(f"{name} must be an integer from 0 to 2^64 - 1, got {value!r}")
    if type(claims.forbidden_risk_flags) is not int or not 0 <= claims.forbidden_risk_flags < MAX_BYTE:
        raise ProofError(f"forbidden risk flags must be one byte, got {claims.forbidden_risk_flags!r}")


def check_pack_claims(note: Note, claims: PackClaims) -> None:
    """Refuses, with ProofError naming the claim, what the pack-claim circuit refuses for this note
    (but its ownership and tree membership, which ``pack_claim_inputs`` checks)."""
    if note.kind != PACK:
        raise ProofError(f"a passport spends a pack note (material kind {PACK}), this one is of kind {note.kind}")
    if note.state != NoteState.ACTIVE:
        raise ProofError(f"a passport spends an active note, this one is {note.state.name.lower()}")
    _require_claim_ranges(claims)
    values = note.values
    for metal_name, metal, declared in zip(METALS, values.metals, claims.declared_grams):
        if declared != metal.grams:
            raise ProofError(f"the passport declares {declared} g of {metal_name}, the pack holds {metal.grams} g")
    for share_name, part, bound in SHARES:
        for metal_name, metal, bps in zip(METALS, values.metals, getattr(claims, bound)):
            if getattr(metal, part) * FULL_SHARE_BPS < bps * metal.grams:
                raise ProofError(f"the {share_name} share of {metal_name} is {getattr(metal, part)} g of "
                                 f"{metal.grams} g, below the claimed {bps} bps")
    co2e_milli = values.co2e_grams * 1000
    cobalt = values.metals[0].grams
    if co2e_milli > claims.max_co2e_grams_per_kg_cobalt * cobalt:
        raise ProofError(f"{values.co2e_grams} g CO2e for {cobalt} g of cobalt exceeds the claimed "
                         f"{claims.max_co2e_grams_per_kg_cobalt} g per kg of cobalt")
    if co2e_milli > claims.max_co2e_grams_per_kwh * claims.capacity_wh:
        raise ProofError(f"{values.co2e_grams} g CO2e for {claims.capacity_wh} Wh exceeds the claimed "
                         f"{claims.max_co2e_grams_per_kwh} g per kWh")
    forbidden = values.risk_flags & claims.forbidden_risk_flags
    if forbidden:
        raise ProofError(f"the pack carries forbidden risk flags {forbidden:#04x}")


def pack_claim_inputs(
    note: Note,
    note_proof: MembershipProof,
    claims: PackClaims,
    issuer: Participant,
    issuer_secret: int,
    issuer_proof: MembershipProof,
    context: int,
) -> dict[str, Any]:
    """The pack-claim circuit's inputs, public signals first (in the passport contract's order);
    ProofError for a note the issuer may not spend or claims the note does not meet."""
    check_pack_claims(note, claims)
    if note_proof.leaf != note.commitment:
        raise ProofError("the note proof is for another leaf than the pack note's commitment")
    if shielding_public_key(issuer_secret) != issuer.shielding_key:
        raise ProofError("the secret given is not the issuer's shielding secret")
    if note.owner != issuer.shielding_key:
        raise ProofError("the pack note is owned by another shielding key than the issuer's")
    note_length, note_index, note_siblings = padded_path(note_proof, NOTE_TREE_DEPTH)
    issuer_length, issuer_index, issuer_siblings = padded_path(issuer_proof, REGISTRY_TREE_DEPTH)
    values = note.values
    return {
        "noteRoot": note_proof.root,
        "nullifier": note.nullifier,
        "participantsRoot": issuer_proof.root,
        "issuer": issuer.account,
        **claims.circuit_inputs(),
        "context": context,
        "grams": [metal.grams for metal in values.metals],
        "certifiedGrams": [metal.certified_grams for metal in values.metals],
        "preConsumerGrams": [metal.pre_consumer_grams for metal in values.metals],
        "postConsumerGrams": [metal.post_consumer_grams for metal in values.metals],
        "totalGrams": values.total_grams,
        "co2eGrams": values.co2e_grams,
        "riskFlags": values.risk_flags,
        "tag": note.tag,
        "blinding": note.blinding,
        "notePathLength": note_length,
        "notePathIndex": note_index,
        "noteSiblings": note_siblings,
        "secret": issuer_secret,
        "roleIndex": issuer.role_index,
        "operatorFlags": issuer.risk_flags,
        "participantPathLength": issuer_length,
        "participantPathIndex": issuer_index,
        "participantSiblings": issuer_siblings,
    }

"""Origin mints on the shielded ledger: the rules of circuits/lib/origin.circom and its inputs.

An origin note is created at an activated extraction site (cobalt mine or artisanal site, lithium
brine operation or hard-rock mine, nickel mine) or a recycler by its operator, who
proves that with membership proofs against the registry's roots, never saying which site. This is
the Python home of the circuit's rules (``origin_note`` refuses what the circuit would), and
``origin_inputs`` lays out the witness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProofError
from batterytrace.zk.custody import REGISTRY_TREE_DEPTH, Participant, padded_path
from batterytrace.zk.merkle import MembershipProof
from batterytrace.zk.notes import METALS, MetalValues, Note, NoteState, NoteValues, require_kind_holds
from batterytrace.zk.poseidon import poseidon

#: IRegistry.FacilityType indices of the origin types, in the order of their rulebook floors in the
#: circuit's typeFloors signal (origin.circom's ORIGIN_TYPE).
INDUSTRIAL_MINE, ARTISANAL_SITE, RECYCLER, BRINE_OPERATION, HARD_ROCK_MINE, NICKEL_MINE = 0, 1, 7, 8, 9, 10
ORIGIN_TYPES = (INDUSTRIAL_MINE, ARTISANAL_SITE, RECYCLER, BRINE_OPERATION, HARD_ROCK_MINE, NICKEL_MINE)
#: MaterialKind indices (model/lots.py) each origin type mints (origin.circom's ORIGIN_KIND).
COBALT_ORE, COBALT_HYDROXIDE, BLACK_MASS = 0, 1, 10
LITHIUM_BRINE_CONCENTRATE, SPODUMENE_CONCENTRATE, NICKEL_ORE, NICKEL_INTERMEDIATE = 12, 13, 16, 17
ORIGIN_KINDS: dict[int, tuple[int, ...]] = {
    INDUSTRIAL_MINE: (COBALT_ORE, COBALT_HYDROXIDE),
    ARTISANAL_SITE: (COBALT_ORE, COBALT_HYDROXIDE),
    RECYCLER: (BLACK_MASS,),
    BRINE_OPERATION: (LITHIUM_BRINE_CONCENTRATE,),
    HARD_ROCK_MINE: (SPODUMENE_CONCENTRATE,),
    NICKEL_MINE: (NICKEL_ORE, NICKEL_INTERMEDIATE),
}
BASIS_POINTS = 10_000
#: "batterytrace.mint.v1" as a big-endian integer: the mint tag's Poseidon domain.
MINT_DOMAIN = int.from_bytes(b"batterytrace.mint.v1", "big")


@dataclass(frozen=True)
class Site:
    """An activated facility's leaf fields (IMembershipRoots' layout)."""

    operator: int
    facility_id: int
    facility_type: int
    risk_flags: int
    max_yield_loss_bps: int
    co2e_floor_grams_per_kg: int
    country: int
    recycled_pre_consumer_bps: int = 0


@dataclass(frozen=True)
class CertificationWindow:
    """A certification's leaf fields: valid over [valid_from, end), seconds."""

    certification_id: int
    facility_id: int
    scheme: int
    valid_from: int
    end: int


@dataclass(frozen=True)
class TypeFloors:
    """The rulebook's CO2e floors of the origin types, grams per kg of contained metal: one public
    input, each type's 32 bits at 32 * its place in ``ORIGIN_TYPES``."""

    by_type: tuple[tuple[int, int], ...]

    @classmethod
    def of_types(cls, floors: dict[int, int]) -> TypeFloors:
        """From a floor per origin type (a missing type's floor is 0)."""
        for facility_type, floor in floors.items():
            if facility_type not in ORIGIN_TYPES:
                raise ProofError(f"facility type {facility_type} is no origin type {ORIGIN_TYPES}")
            if type(floor) is not int or not 0 <= floor < 2**32:
                raise ProofError(f"a CO2e floor is a 32-bit number of grams per kg, got {floor!r}")
        return cls(tuple((facility_type, floors.get(facility_type, 0)) for facility_type in ORIGIN_TYPES))

    def of(self, facility_type: int) -> int:
        return dict(self.by_type)[facility_type]

    @property
    def packed(self) -> int:
        """The circuit's typeFloors signal (ShieldedLedger packs the registry's floors the same way)."""
        return sum(floor << (32 * place) for place, (_, floor) in enumerate(self.by_type))


def origin_tag(secret: int, facility_id: int, external_id: int) -> int:
    """The note's tag: Poseidon(secret, facilityId, externalId), private and per facility."""
    return poseidon([secret, facility_id, external_id])


def mint_tag(tag: int) -> int:
    """The public mint tag the contract refuses twice: Poseidon(MINT_DOMAIN, tag)."""
    return poseidon([MINT_DOMAIN, tag])


def origin_note(
    *,
    owner: int,
    secret: int,
    site: Site,
    operator_flags: int,
    kind: int,
    grams: tuple[int, ...],
    total_grams: int,
    co2e_grams: int,
    external_id: int,
    floors: TypeFloors,
    certified: bool,
    blinding: int | None = None,
) -> Note:
    """The origin note the circuit accepts for these facts (``grams`` per metal, ``METALS`` order);
    ProofError with the reason otherwise."""
    if site.facility_type not in ORIGIN_TYPES:
        raise ProofError(f"facility type {site.facility_type} mints no origin lots (extraction sites and "
                         "recyclers do)")
    allowed = ORIGIN_KINDS[site.facility_type]
    if kind not in allowed:
        raise ProofError(f"a facility of type {site.facility_type} mints material kinds {allowed}, not {kind}")
    if len(grams) != len(METALS):
        raise ProofError(f"an origin lot gives grams for the {len(METALS)} metals {METALS}, got {len(grams)}")
    require_kind_holds(kind, grams, "the origin lot")
    metal = sum(grams)
    if metal <= 0:
        raise ProofError("an origin lot holds some metal")
    if not 0 <= site.recycled_pre_consumer_bps <= BASIS_POINTS:
        raise ProofError(f"the site's recycled split {site.recycled_pre_consumer_bps} is not basis points")
    floor = max(floors.of(site.facility_type), site.co2e_floor_grams_per_kg)
    if co2e_grams * 1000 < metal * floor:
        raise ProofError(f"{co2e_grams} g CO2e is below the floor of {floor} g per kg of metal ({metal} g)")
    recycler = site.facility_type == RECYCLER
    metals = []
    for amount in grams:
        pre = amount * site.recycled_pre_consumer_bps // BASIS_POINTS if recycler else 0
        post = amount - pre if recycler else 0
        metals.append(MetalValues(amount, amount if certified else 0, pre, post))
    values = NoteValues(tuple(metals), total_grams, co2e_grams, site.risk_flags | operator_flags)
    tag = origin_tag(secret, site.facility_id, external_id)
    if blinding is None:
        return Note(values, kind=kind, owner=owner, tag=tag, state=NoteState.ACTIVE)
    return Note(values, kind=kind, owner=owner, tag=tag, state=NoteState.ACTIVE, blinding=blinding)


def origin_inputs(
    note: Note,
    *,
    secret: int,
    minter: Participant,
    participant_proof: MembershipProof,
    site: Site,
    facility_proof: MembershipProof,
    certification: CertificationWindow | None,
    certification_proof: MembershipProof | None,
    certifications_root: int,
    proof_time: int,
    floors: TypeFloors,
    external_id: int,
    context: int,
) -> dict[str, Any]:
    """The origin circuit's inputs, public signals first (circuits/manifest.json's order)."""
    if (certification is None) != (certification_proof is None):
        raise ProofError("a certification comes with its membership proof")
    participant_length, participant_index, participant_siblings = padded_path(participant_proof, REGISTRY_TREE_DEPTH)
    facility_length, facility_index, facility_siblings = padded_path(facility_proof, REGISTRY_TREE_DEPTH)
    if certification is not None and certification_proof is not None:
        certification_fields = (certification.certification_id, certification.scheme, certification.valid_from,
                                certification.end)
        certification_path = padded_path(certification_proof, REGISTRY_TREE_DEPTH)
    else:
        certification_fields = (0, 0, 0, 0)
        certification_path = (0, 0, [0] * REGISTRY_TREE_DEPTH)
    values = note.values
    return {
        "outputCommitment": note.commitment,
        "mintTag": mint_tag(note.tag),
        "participantsRoot": participant_proof.root,
        "facilitiesRoot": facility_proof.root,
        "certificationsRoot": certifications_root,
        "proofTime": proof_time,
        "typeFloors": floors.packed,
        "context": context,
        "secret": secret,
        "account": minter.account,
        "roleIndex": minter.role_index,
        "operatorFlags": minter.risk_flags,
        "participantPathLength": participant_length,
        "participantPathIndex": participant_index,
        "participantSiblings": participant_siblings,
        "facilityId": site.facility_id,
        "facilityType": site.facility_type,
        "siteFlags": site.risk_flags,
        "maxYieldLossBps": site.max_yield_loss_bps,
        "siteFloor": site.co2e_floor_grams_per_kg,
        "country": site.country,
        "recycledPreConsumerBps": site.recycled_pre_consumer_bps,
        "facilityPathLength": facility_length,
        "facilityPathIndex": facility_index,
        "facilitySiblings": facility_siblings,
        "certified": int(certification is not None),
        "certificationId": certification_fields[0],
        "scheme": certification_fields[1],
        "validFrom": certification_fields[2],
        "end": certification_fields[3],
        "certificationPathLength": certification_path[0],
        "certificationPathIndex": certification_path[1],
        "certificationSiblings": certification_path[2],
        "grams": [metal.grams for metal in values.metals],
        "certifiedGrams": [metal.certified_grams for metal in values.metals],
        "preConsumerGrams": [metal.pre_consumer_grams for metal in values.metals],
        "postConsumerGrams": [metal.post_consumer_grams for metal in values.metals],
        "totalGrams": values.total_grams,
        "co2eGrams": values.co2e_grams,
        "riskFlags": values.risk_flags,
        "kind": note.kind,
        "externalId": external_id,
        "blinding": note.blinding,
    }

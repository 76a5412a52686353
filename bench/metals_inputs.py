"""Valid witness inputs of the origin, note transform (4 x 4) and pack batch (15 slots) circuits for
any number of metals (1 to 3), for bench/metals_growth.py.

The SDK's twins (batterytrace.zk.origin, note_transform, pack_batch) carry exactly the three metals
of ``zk.notes.METALS``, so a one- or two-metal variant's inputs are built here by hand: each note's
valuesHash is Poseidon over its 4 * metals + 3 values, its commitment, nullifier and the registry's
leaves are hashed as circuits/lib/notes.circom and registry.circom lay them out, and the trees are
LeanIMTs. The layout of each input dict is the twin's (``origin_inputs``, ``note_transform_inputs``,
``pack_batch_inputs``); ``check_against_twins`` asserts that at three metals the twins give the
same inputs, so the builder cannot be wrong silently.

Every scenario is the same job whatever the metals: a certified recycler's origin mint of black mass
(it may hold every metal) with a 30 % pre-consumer split; a recycler's 4 -> 4 job on black mass; a
pack maker's full batch of fifteen passports, one pack each. Metal m's grams are ``BASE_GRAMS[m]`` scaled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from batterytrace.zk.merkle import LeanIMT, MembershipProof
from batterytrace.zk.poseidon import poseidon

SHIELDING_DOMAIN = int.from_bytes(b"batterytrace.shielding.v1", "big")
MINT_DOMAIN = int.from_bytes(b"batterytrace.mint.v1", "big")
NOTE_DEPTH, REGISTRY_DEPTH = 24, 16
SLOTS = 4  # NoteTransformProof(4, 4, ...)
CONTEXT = 0xC0FFEE
NOW = 1_790_000_000
#: IRegistry.FacilityType.Recycler; MaterialKind BLACK_MASS and PACK (model/lots.py).
RECYCLER_TYPE, BLACK_MASS, PACK = 7, 10, 9
#: The rulebook floors of the origin types, in the typeFloors signal's order (origin.circom's ORIGIN_TYPE).
TYPE_FLOORS = {0: 5_000, 1: 4_000, 7: 1_000, 8: 3_000, 9: 7_000, 10: 6_500}
#: Cobalt, lithium, nickel: grams of a lot of black mass (NMC 811-like proportions).
BASE_GRAMS = (40_000, 20_000, 300_000)
CAPACITY_WH = 75_000
FORBIDDEN_FLAGS = 0b1011  # child labour, human rights, conflict area


@dataclass(frozen=True)
class Party:
    secret: int
    account: int
    role_index: int
    flags: int = 0

    @property
    def key(self) -> int:
        return poseidon([SHIELDING_DOMAIN, self.secret])

    @property
    def leaf(self) -> int:
        return poseidon([self.account | self.role_index << 160 | self.flags << 168, self.key])


@dataclass(frozen=True)
class Facility:
    operator: int
    facility_id: int
    facility_type: int
    flags: int
    max_loss_bps: int
    floor: int
    country: int
    pre_consumer_bps: int = 0

    @property
    def leaf(self) -> int:
        packed = (self.facility_id | self.facility_type << 32 | self.flags << 40 | self.max_loss_bps << 48
                  | self.floor << 64 | self.country << 96 | self.pre_consumer_bps << 112)
        return poseidon([self.operator, packed])


@dataclass(frozen=True)
class Raw:
    """A note as the circuits hash it: per metal (grams, certified, pre, post), then total, CO2e, flags."""

    metals: tuple[tuple[int, int, int, int], ...]
    total: int
    co2e: int
    flags: int
    kind: int
    owner: int
    tag: int
    blinding: int

    @property
    def values_hash(self) -> int:
        return poseidon([value for metal in self.metals for value in metal] + [self.total, self.co2e, self.flags])

    @property
    def commitment(self) -> int:  # an active note: state 0, counterparty 0
        return poseidon([self.values_hash, self.kind, self.owner, 0, 0, self.tag, self.blinding])

    @property
    def nullifier(self) -> int:
        return poseidon([self.commitment, self.blinding])

    def column(self, field: int) -> list[int]:
        return [metal[field] for metal in self.metals]


RECYCLER = Party(555, 0x5555555555555555555555555555555555555555, 7)
PACK_MAKER = Party(666, 0x6666666666666666666666666666666666666666, 5)
PLANT = Facility(RECYCLER.account, 5, RECYCLER_TYPE, 0, 500, 50, int.from_bytes(b"BE", "big"), 3_000)
CERTIFICATION = (9, PLANT.facility_id, 0, NOW - 86_400, NOW + 86_400)  # id, facility, scheme (RMAP), from, end
PARTICIPANTS = LeanIMT([11, RECYCLER.leaf, PACK_MAKER.leaf, 12])
FACILITIES = LeanIMT([21, PLANT.leaf, 22])


def certification_leaf(certification_id: int, facility_id: int, scheme: int, valid_from: int, end: int) -> int:
    return poseidon([certification_id | facility_id << 64 | scheme << 96, valid_from | end << 64])


def _require_metals(metals: int) -> None:
    if type(metals) is not int or not 1 <= metals <= 3:
        raise ValueError(f"the circuits take 1 to 3 metals (one Poseidon per values hash), got {metals!r}")


def path(proof: MembershipProof, depth: int) -> tuple[int, int, list[int]]:
    """LeanIMTRoot(depth)'s length, path index and zero-padded siblings."""
    return len(proof.siblings), proof.path_index, list(proof.siblings) + [0] * (depth - len(proof.siblings))


def _registry(prefix: str, party: Party, site: Facility | None = None) -> dict[str, Any]:
    length, index, siblings = path(PARTICIPANTS.proof(party.leaf), REGISTRY_DEPTH)
    fields: dict[str, Any] = {f"{prefix}PathLength": length, f"{prefix}PathIndex": index,
                              f"{prefix}Siblings": siblings}
    if site is not None:
        length, index, siblings = path(FACILITIES.proof(site.leaf), REGISTRY_DEPTH)
        fields.update({"facilityId": site.facility_id, "facilityType": site.facility_type, "siteFlags": site.flags,
                       "maxYieldLossBps": site.max_loss_bps, "siteFloor": site.floor, "country": site.country,
                       "recycledPreConsumerBps": site.pre_consumer_bps, "facilityPathLength": length,
                       "facilityPathIndex": index, "facilitySiblings": siblings})
    return fields


def _values(note: Raw) -> dict[str, Any]:
    return {"grams": note.column(0), "certifiedGrams": note.column(1), "preConsumerGrams": note.column(2),
            "postConsumerGrams": note.column(3), "totalGrams": note.total, "co2eGrams": note.co2e,
            "riskFlags": note.flags}


# -- origin ------------------------------------------------------------------------------------------

EXTERNAL_ID = 0xE4


def origin_note(metals: int) -> Raw:
    """The recycler's certified lot of black mass: every gram certified, split 30 / 70."""
    _require_metals(metals)
    split = []
    for grams in BASE_GRAMS[:metals]:
        pre = grams * PLANT.pre_consumer_bps // 10_000
        split.append((grams, grams, pre, grams - pre))
    tag = poseidon([RECYCLER.secret, PLANT.facility_id, EXTERNAL_ID])
    return Raw(tuple(split), 2_000_000, 1_000_000, PLANT.flags | RECYCLER.flags, BLACK_MASS, RECYCLER.key, tag, 0xB1)


def origin_inputs(metals: int) -> dict[str, Any]:
    note = origin_note(metals)
    certifications = LeanIMT([31, 32, certification_leaf(*CERTIFICATION)])
    length, index, siblings = path(certifications.proof(certification_leaf(*CERTIFICATION)), REGISTRY_DEPTH)
    floors = sum(floor << (32 * place) for place, floor in enumerate(TYPE_FLOORS.values()))
    certification_id, _, scheme, valid_from, end = CERTIFICATION
    return {
        "outputCommitment": note.commitment, "mintTag": poseidon([MINT_DOMAIN, note.tag]),
        "participantsRoot": PARTICIPANTS.root, "facilitiesRoot": FACILITIES.root,
        "certificationsRoot": certifications.root, "proofTime": NOW, "typeFloors": floors, "context": CONTEXT,
        "secret": RECYCLER.secret, "account": RECYCLER.account, "roleIndex": RECYCLER.role_index,
        "operatorFlags": RECYCLER.flags, **_registry("participant", RECYCLER, PLANT),
        "certified": 1, "certificationId": certification_id, "scheme": scheme, "validFrom": valid_from, "end": end,
        "certificationPathLength": length, "certificationPathIndex": index, "certificationSiblings": siblings,
        **_values(note), "kind": note.kind, "externalId": EXTERNAL_ID, "blinding": note.blinding,
    }


# -- note transform (4 x 4, every slot used) -----------------------------------------------------------

PROCESS_CO2E = 250_000
OUTPUT_SHARES = (40, 30, 20)  # percent of the job's output per output slot, the last one the rest


def transform_notes(metals: int) -> tuple[list[Raw], list[Raw]]:
    """Four lots of black mass of mixed certification and recycled share, and the four the rules
    give a 2 % loss of each metal split 40 / 30 / 20 / 10 (kind kept: black mass)."""
    _require_metals(metals)
    spent = []
    for i in range(SLOTS):
        values = []
        for grams in BASE_GRAMS[:metals]:
            grams += 1_001 * i
            pre = grams * 3 // 10 if i < 3 else 0
            values.append((grams, grams if i % 2 == 0 else grams // 3, pre, grams - pre if i < 3 else grams // 7))
        spent.append(Raw(tuple(values), 1_200_000 + i, 360_000 + 7 * i, (0, 1, 0, 8)[i], BLACK_MASS, RECYCLER.key,
                         0x7A6 + i, 0xA1 + i))
    grams_in = [sum(note.metals[m][0] for note in spent) for m in range(metals)]
    kept = [grams - grams * 2 // 100 for grams in grams_in]
    grams_out = []
    for m in range(metals):
        parts = [kept[m] * share // 100 for share in OUTPUT_SHARES]
        grams_out.append(parts + [kept[m] - sum(parts)])
    co2e = sum(note.co2e for note in spent) + PROCESS_CO2E
    metal_out = sum(kept)
    flags = 0
    for note in spent:
        flags |= note.flags
    created = []
    for j in range(SLOTS):
        values = []
        for m in range(metals):
            grams = grams_out[m][j]
            values.append((grams, *(sum(note.metals[m][f] for note in spent) * grams // grams_in[m] for f in (1, 2, 3))))
        metal = sum(grams_out[m][j] for m in range(metals))
        created.append(Raw(tuple(values), 1_000_000 + j, -(-co2e * metal // metal_out), flags, BLACK_MASS,
                           RECYCLER.key, 0x7A60 + j, 0xB10 + j))
    return spent, created


def _slots(side: str, notes: list[Raw]) -> dict[str, Any]:
    return {f"{side}Grams": [n.column(0) for n in notes], f"{side}CertifiedGrams": [n.column(1) for n in notes],
            f"{side}PreConsumerGrams": [n.column(2) for n in notes],
            f"{side}PostConsumerGrams": [n.column(3) for n in notes], f"{side}TotalGrams": [n.total for n in notes],
            f"{side}Co2eGrams": [n.co2e for n in notes], f"{side}RiskFlags": [n.flags for n in notes],
            f"{side}Kind": [n.kind for n in notes], f"{side}Tag": [n.tag for n in notes],
            f"{side}Blinding": [n.blinding for n in notes]}


def note_tree(notes: list[Raw]) -> LeanIMT:
    return LeanIMT([7, 8, 9] + [note.commitment for note in notes] + [10, 11])


def note_transform_inputs(metals: int) -> dict[str, Any]:
    spent, created = transform_notes(metals)
    tree = note_tree(spent)
    paths = [path(tree.proof(note.commitment), NOTE_DEPTH) for note in spent]
    return {
        "noteRoot": tree.root, "nullifiers": [note.nullifier for note in spent],
        "outputCommitments": [note.commitment for note in created], "participantsRoot": PARTICIPANTS.root,
        "facilitiesRoot": FACILITIES.root, "context": CONTEXT, "secret": RECYCLER.secret,
        "account": RECYCLER.account, "roleIndex": RECYCLER.role_index, "operatorFlags": RECYCLER.flags,
        **_registry("participant", RECYCLER, PLANT), **_slots("input", spent),
        "inputPathLength": [p[0] for p in paths], "inputPathIndex": [p[1] for p in paths],
        "inputSiblings": [p[2] for p in paths], **_slots("output", created), "processCo2eGrams": PROCESS_CO2E,
    }


# -- pack batch (every one of the 15 slots used) ------------------------------------------------------

BATCH = 15  # PackBatchClaimProof(15, ...)


def _circuit_constant(name: str) -> int:
    """A constant function of circuits/lib/pack_batch.circom (``function NAME() { return N; }``): the
    slot layout is read from the circuit the variants compile, not restated here."""
    source = (Path(__file__).resolve().parent.parent / "circuits" / "lib" / "pack_batch.circom").read_text()
    match = re.search(rf"function\s+{name}\(\)\s*\{{\s*return\s+(\d+);\s*\}}", source)
    if match is None:
        raise RuntimeError(f"circuits/lib/pack_batch.circom defines no constant {name}()")
    return int(match.group(1))


#: A slot's passport id and grams per metal, and the public words the slots are laid end to end in.
PASSPORT_ID_BITS = _circuit_constant("PASSPORT_KEY_BITS")
SLOT_GRAMS_BITS = _circuit_constant("PACK_GRAMS_BITS")
SLOT_WORD_BITS = _circuit_constant("SLOT_WORD_BITS")
#: Each CO2e bound and the capacity in the claims signal (pack_batch.circom's loops over 32 bits).
CLAIM_BOUND_BITS = 32
#: The batch's passport ids, one per slot (a battery id's key's top bits; Poseidon's are below 2^254).
PASSPORT_IDS = tuple(poseidon([0xBA77, slot]) >> (254 - PASSPORT_ID_BITS) for slot in range(BATCH))


def pack_notes(metals: int) -> list[Raw]:
    """A pack maker's fifteen packs, each of ten lots' worth of each metal give or take, partly
    certified and recycled, from an artisanal site (a flag the claims do not forbid), each tagged with
    its passport id."""
    _require_metals(metals)
    return [Raw(tuple((10 * g + 1_001 * slot, 6 * g + slot + 1, g + 7 * slot, 2 * g + 3) for g in BASE_GRAMS[:metals]),
                450_000_000 + slot, 2_500_000 + 1_000 * slot, 0b100, PACK, PACK_MAKER.key, passport_id, 0x5EED + slot)
            for slot, passport_id in enumerate(PASSPORT_IDS)]


def batch_claims(notes: list[Raw], metals: int) -> int:
    """The tightest claims every pack supports (BatchClaims.tightest) as the circuit's ``claims``: per
    metal m its three least shares at bit 48m; from bit 48 * metals the forbidden flags (8 bits), then
    the CO2e bounds per kg of cobalt and per kWh and the capacity, CLAIM_BOUND_BITS each."""
    claims = 0
    for m in range(metals):
        least = [min(note.metals[m][part] * 10_000 // note.metals[m][0] for note in notes) for part in (1, 2, 3)]
        claims |= (least[0] | least[1] << 16 | least[2] << 32) << (48 * m)
    per_kg = max(-(-note.co2e * 1000 // note.metals[0][0]) for note in notes)
    per_kwh = max(-(-note.co2e * 1000 // CAPACITY_WH) for note in notes)
    at = 48 * metals + 8
    bounds = per_kg | per_kwh << CLAIM_BOUND_BITS | CAPACITY_WH << (2 * CLAIM_BOUND_BITS)
    return claims | FORBIDDEN_FLAGS << (48 * metals) | bounds << at


def slot_words(notes: list[Raw], metals: int) -> list[int]:
    """The circuit's ``packs``: each slot (the passport id, then each metal's grams) laid end to end,
    slot i at bit i * slot bits, cut into words of SLOT_WORD_BITS, the bits past the last slot zero."""
    slot_bits = PASSPORT_ID_BITS + SLOT_GRAMS_BITS * metals
    stream = 0
    for number, note in enumerate(notes):
        slot = note.tag | sum(grams << (PASSPORT_ID_BITS + SLOT_GRAMS_BITS * m) for m, grams in enumerate(note.column(0)))
        stream |= slot << (slot_bits * number)
    words = -(-BATCH * slot_bits // SLOT_WORD_BITS)
    return [(stream >> (SLOT_WORD_BITS * word)) & ((1 << SLOT_WORD_BITS) - 1) for word in range(words)]


def pack_batch_inputs(metals: int) -> dict[str, Any]:
    notes = pack_notes(metals)
    tree = note_tree(notes)
    paths = [path(tree.proof(note.commitment), NOTE_DEPTH) for note in notes]
    return {
        "noteRoot": tree.root, "participantsRoot": PARTICIPANTS.root, "issuer": PACK_MAKER.account,
        "claims": batch_claims(notes, metals), "context": CONTEXT, "packs": slot_words(notes, metals),
        "grams": [n.column(0) for n in notes], "certifiedGrams": [n.column(1) for n in notes],
        "preConsumerGrams": [n.column(2) for n in notes], "postConsumerGrams": [n.column(3) for n in notes],
        "totalGrams": [n.total for n in notes], "co2eGrams": [n.co2e for n in notes],
        "riskFlags": [n.flags for n in notes], "blinding": [n.blinding for n in notes],
        "notePathLength": [p[0] for p in paths], "notePathIndex": [p[1] for p in paths],
        "noteSiblings": [p[2] for p in paths], "secret": PACK_MAKER.secret, "roleIndex": PACK_MAKER.role_index,
        "operatorFlags": PACK_MAKER.flags, **_registry("participant", PACK_MAKER),
    }


BUILDERS = {"origin": origin_inputs, "note_transform": note_transform_inputs, "pack_batch": pack_batch_inputs}


def inputs(circuit: str, metals: int) -> dict[str, Any]:
    """A variant's witness inputs; ValueError for an unknown circuit or metals count."""
    if circuit not in BUILDERS:
        raise ValueError(f"no input builder for circuit {circuit!r} (one of {sorted(BUILDERS)})")
    return BUILDERS[circuit](metals)


# -- the check against the SDK's twins (three metals) -------------------------------------------------

def _note(raw: Raw) -> Any:
    from batterytrace.zk.notes import MetalValues, Note, NoteValues

    return Note(NoteValues(tuple(MetalValues(*metal) for metal in raw.metals), raw.total, raw.co2e, raw.flags),
                kind=raw.kind, owner=raw.owner, tag=raw.tag, blinding=raw.blinding)


def twin_inputs() -> dict[str, dict[str, Any]]:
    """The three circuits' inputs for the same notes, laid out (and the transform's outputs and the
    claims computed) by the SDK's twins."""
    from batterytrace.zk import note_transform, origin, pack_batch
    from batterytrace.zk.custody import Participant

    def participant(party: Party) -> Participant:
        return Participant(party.account, party.role_index, party.flags, party.key)

    site = origin.Site(*(getattr(PLANT, name) for name in ("operator", "facility_id", "facility_type", "flags",
                                                           "max_loss_bps", "floor", "country", "pre_consumer_bps")))
    floors = origin.TypeFloors.of_types(TYPE_FLOORS)
    window = origin.CertificationWindow(*CERTIFICATION)
    certifications = LeanIMT([31, 32, certification_leaf(*CERTIFICATION)])
    minted = origin.origin_note(owner=RECYCLER.key, secret=RECYCLER.secret, site=site, operator_flags=RECYCLER.flags,
                                kind=BLACK_MASS, grams=BASE_GRAMS, total_grams=2_000_000, co2e_grams=1_000_000,
                                external_id=EXTERNAL_ID, floors=floors, certified=True, blinding=0xB1)
    origin_twin = origin.origin_inputs(
        minted, secret=RECYCLER.secret, minter=participant(RECYCLER), participant_proof=PARTICIPANTS.proof(RECYCLER.leaf),
        site=site, facility_proof=FACILITIES.proof(PLANT.leaf), certification=window,
        certification_proof=certifications.proof(certification_leaf(*CERTIFICATION)),
        certifications_root=certifications.root, proof_time=NOW, floors=floors, external_id=EXTERNAL_ID,
        context=CONTEXT)

    raw_spent, raw_created = transform_notes(3)
    spent = [_note(raw) for raw in raw_spent]
    specs = [note_transform.OutputSpec(raw.kind, tuple(raw.column(0)), raw.total, raw.tag, raw.blinding)
             for raw in raw_created]
    created = note_transform.transform_notes(spent, participant(RECYCLER), site, specs, PROCESS_CO2E)
    tree = note_tree(raw_spent)
    transform_twin = note_transform.note_transform_inputs(
        spent, [tree.proof(note.commitment) for note in spent], created, secret=RECYCLER.secret,
        actor=participant(RECYCLER), participant_proof=PARTICIPANTS.proof(RECYCLER.leaf), site=site,
        facility_proof=FACILITIES.proof(PLANT.leaf), process_co2e_grams=PROCESS_CO2E, context=CONTEXT)

    raw_packs = pack_notes(3)
    packs = [_note(raw) for raw in raw_packs]
    pack_tree = note_tree(raw_packs)
    batch_twin = pack_batch.pack_batch_inputs(
        packs, [pack_tree.proof(note.commitment) for note in packs], [note.tag for note in packs],
        pack_batch.BatchClaims.tightest(packs, CAPACITY_WH, FORBIDDEN_FLAGS), participant(PACK_MAKER),
        PACK_MAKER.secret, PARTICIPANTS.proof(PACK_MAKER.leaf), CONTEXT)
    return {"origin": origin_twin, "note_transform": transform_twin, "pack_batch": batch_twin}


def check_against_twins() -> None:
    """At three metals the builder's inputs are the twins', field for field (so their public
    signals are too); AssertionError naming the first circuit and field that differ."""
    differences = []
    for circuit, twin in twin_inputs().items():
        mine = inputs(circuit, 3)
        differences += [f"{circuit}.{name}" for name in sorted(set(twin) | set(mine))
                        if _plain(twin.get(name)) != _plain(mine.get(name))]
    assert not differences, f"bench/metals_inputs.py disagrees with the SDK's twins at 3 metals: {differences[:5]}"


def _plain(value: Any) -> Any:
    return [_plain(item) for item in value] if isinstance(value, (list, tuple)) else value

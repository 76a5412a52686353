"""Processing jobs on the shielded ledger for the note transform tests: the refinery's notes in a
note tree among unrelated leaves, notes.py's participants, a facilities tree holding the refinery's
site (with a CO2e floor), a mine, the recycler's plant and a precursor and a cathode plant, the
honest split, merge and refine of cobalt, three-metal jobs (pCAM, CAM, a recycler's refining of black
mass), and an oracle of the rules' arithmetic; then a two-metal test main's build and inputs, written
by hand (zk.notes carries three metals, the main two)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from batterytrace.zk.custody import padded_path
from batterytrace.zk.merkle import LeanIMT
from batterytrace.zk.note_transform import OutputSpec, note_transform_inputs, transform_notes
from batterytrace.zk.notes import MetalValues, Note, NoteValues
from batterytrace.zk.origin import Site
from batterytrace.zk.poseidon import poseidon

from .notes import (
    CONTEXT,
    COUNTRY_CD,
    MINE_SITE,
    NONE,
    RECYCLER_PARTY,
    RECYCLING,
    REFINERY,
    Ledger,
    Party,
    Registry,
    participant_leaf,
    site_leaf,
)

CHILD_LABOUR, ARTISANAL_SITE, CONFLICT_AREA = 1, 4, 8
HYDROXIDE, CRUDE_SULFATE, REFINED_SULFATE, PACK = 1, 2, 3, 9
#: MaterialKind indices (model/lots.py) of the three-metal jobs.
PCAM, CAM, BLACK_MASS, RECYCLED_SULFATE = 5, 6, 10, 11
LITHIUM_CARBONATE, LITHIUM_HYDROXIDE, NICKEL_SULFATE = 14, 15, 18
#: The refinery's site: 5% yield loss allowed, at least 40 g of process CO2e per kg processed.
REFINERY_SITE = Site(REFINERY.participant.account, 8, 2, 0, 500, 40, COUNTRY_CD)
#: The refinery operator's precursor and cathode plants (IRegistry.FacilityType 3 and 4), 5% and 3%
#: yield loss, 40 and 20 g of process CO2e per kg.
PRECURSOR_SITE = Site(REFINERY.participant.account, 9, 3, 0, 500, 40, int.from_bytes(b"FI", "big"))
CATHODE_SITE = Site(REFINERY.participant.account, 10, 4, 0, 300, 20, int.from_bytes(b"PL", "big"))


def owned(cobalt: int, certified: int, pre: int, post: int, total: int, co2e: int, flags: int, *,
          kind: int = HYDROXIDE, tag: int = 0x7A6, blinding: int = 0x5EED, owner: Party = REFINERY,
          lithium: MetalValues = NONE, nickel: MetalValues = NONE) -> Note:
    """An active note of the refinery's (or `owner`'s): its cobalt fields, then lithium and nickel."""
    values = NoteValues((MetalValues(cobalt, certified, pre, post), lithium, nickel), total, co2e, flags)
    return Note(values, kind=kind, owner=owner.key, tag=tag, blinding=blinding)


# A certified artisanal bag of hydroxide; four lots of mixed origin for a merge.
BAG = owned(700_000, 500_001, 0, 0, 2_000_000, 3_500_000, ARTISANAL_SITE)
MIXED = (owned(300_000, 300_000, 0, 0, 900_000, 1_200_000, ARTISANAL_SITE, blinding=0xA1),
         owned(200_000, 0, 50_000, 0, 500_000, 400_000, CHILD_LABOUR, blinding=0xA2),
         owned(100_000, 30_000, 0, 100_000, 150_000, 90_000, CONFLICT_AREA, kind=CRUDE_SULFATE, blinding=0xA3),
         owned(50_000, 0, 10_000, 20_000, 70_000, 33_333, 0, blinding=0xA4))


def spec(kind: int, cobalt: int, total: int, number: int, *, lithium: int = 0, nickel: int = 0) -> OutputSpec:
    return OutputSpec(kind, (cobalt, lithium, nickel), total, tag=0x7A60 + number, blinding=0xB10 + number)


#: Each job: its inputs, its outputs' specs and its process CO2e (the split's is its floor exactly:
#: 40 g per kg of its 2 t).
JOBS = {
    "split": ((BAG,), tuple(spec(HYDROXIDE, cobalt, total, n) for n, (cobalt, total) in enumerate(
        ((175_000, 500_000), (175_000, 500_000), (175_000, 500_000), (170_000, 480_000)))), 80_000),
    "merge": (MIXED, (spec(CRUDE_SULFATE, 640_000, 1_500_000, 0),), 70_000),
    "refine": ((BAG,), (spec(REFINED_SULFATE, 680_000, 3_100_000, 0),), 100_000),
}


#: The three-metal jobs: who runs them where, their inputs, their outputs' specs and process CO2e.
#: A precursor plant co-precipitates nickel and cobalt sulfate into pCAM (NMC 811's nickel and
#: cobalt); a cathode plant lithiates the pCAM with lithium hydroxide into CAM, keeping a leftover of
#: the hydroxide; the recycler refines two lots of black mass (one from a certified recycler, one
#: not, each 30% pre-consumer) into recycled cobalt sulfate, lithium carbonate and nickel sulfate.
#: No share divides exactly, so one gram more than a share is a share rounded up.
NICKEL_SULFATE_LOT = owned(0, 0, 0, 0, 3_600_000, 2_900_000, 0, kind=NICKEL_SULFATE, blinding=0xC1,
                           nickel=MetalValues(800_003, 600_001, 0, 40_000))
COBALT_SULFATE_LOT = owned(100_001, 70_000, 5_000, 10_000, 480_000, 950_000, ARTISANAL_SITE, kind=REFINED_SULFATE,
                           blinding=0xC2)
#: The precursor job's pCAM, as the twin makes it.
PCAM_LOT = owned(98_000, 68_599, 4_899, 9_799, 1_600_000, 4_150_000, ARTISANAL_SITE, kind=PCAM, blinding=0xC3,
                 nickel=MetalValues(790_000, 592_498, 0, 39_499))
HYDROXIDE_LOT = owned(0, 0, 0, 0, 900_000, 1_300_000, CHILD_LABOUR, kind=LITHIUM_HYDROXIDE, blinding=0xC4,
                      lithium=MetalValues(150_007, 90_001, 7_500, 0))
CERTIFIED_BLACK_MASS = owned(40_000, 40_000, 12_000, 28_000, 1_200_000, 360_000, 0, kind=BLACK_MASS,
                             owner=RECYCLER_PARTY, blinding=0xC5,
                             lithium=MetalValues(20_000, 20_000, 6_000, 14_000),
                             nickel=MetalValues(300_000, 300_000, 90_000, 210_000))
BLACK_MASS_LOT = owned(20_001, 0, 6_000, 14_001, 800_000, 210_011, CONFLICT_AREA, kind=BLACK_MASS,
                       owner=RECYCLER_PARTY, blinding=0xC6, lithium=MetalValues(10_003, 0, 3_000, 7_003),
                       nickel=MetalValues(180_007, 0, 54_002, 126_005))
METAL_JOBS = {
    "precursor": (REFINERY, PRECURSOR_SITE, (NICKEL_SULFATE_LOT, COBALT_SULFATE_LOT),
                  (spec(PCAM, 98_000, 1_600_000, 0, nickel=790_000),), 300_000),
    "cathode": (REFINERY, CATHODE_SITE, (PCAM_LOT, HYDROXIDE_LOT),
                (spec(CAM, 97_000, 2_300_000, 0, lithium=100_000, nickel=780_000),
                 spec(LITHIUM_HYDROXIDE, 0, 280_000, 1, lithium=48_000)), 60_000),
    "recycle": (RECYCLER_PARTY, RECYCLING, (CERTIFIED_BLACK_MASS, BLACK_MASS_LOT),
                (spec(RECYCLED_SULFATE, 59_000, 281_000, 0), spec(LITHIUM_CARBONATE, 0, 157_000, 1, lithium=29_500),
                 spec(NICKEL_SULFATE, 0, 2_160_000, 2, nickel=475_000)), 400_000),
}


class TransformRegistry(Registry):
    """notes.Registry's participants, and facilities where jobs run (or must not)."""

    def __init__(self) -> None:
        super().__init__()
        self.facilities = LeanIMT([21] + [site_leaf(s) for s in (MINE_SITE, REFINERY_SITE, RECYCLING, PRECURSOR_SITE,
                                                                         CATHODE_SITE)])


def job_inputs(spent: tuple[Note, ...], created: tuple[Note, ...], process_co2e: int, *, actor: Party = REFINERY,
               site: Site = REFINERY_SITE, ledger_notes: tuple[Note, ...] | None = None,
               context: int = CONTEXT) -> dict[str, object]:
    """The circuit's inputs for a job, the spent notes in a note tree that holds `ledger_notes`
    (default: the spent ones). An actor or site outside its tree proves with another leaf's path,
    which the circuit must refuse."""
    ledger = Ledger(list(dict.fromkeys(ledger_notes or spent)))
    registry = TransformRegistry()
    leaf = participant_leaf(actor.participant)
    participant_proof = registry.participants.proof(
        leaf if registry.participants.has(leaf) else registry.participants.leaves[1])
    facility = site_leaf(site)
    facility_proof = registry.facilities.proof(
        facility if registry.facilities.has(facility) else registry.facilities.leaves[2])
    return note_transform_inputs(
        spent, [ledger.notes.proof(note.commitment) for note in spent], created, secret=actor.secret,
        actor=actor.participant, participant_proof=participant_proof, site=site, facility_proof=facility_proof,
        process_co2e_grams=process_co2e, context=context)


def allotted(spent: tuple[Note, ...], specs: tuple[OutputSpec, ...], process_co2e: int, *,
             owner: Party = REFINERY) -> tuple[Note, ...]:
    """The outputs the rules give these specs, computed here with none of the twin's checks: an
    oracle for the twin's arithmetic, and the start of every job forged past the twin. Per metal,
    each share is floor(share in * grams out / grams in); CO2e follows the outputs' metal."""
    co2e = sum(note.values.co2e_grams for note in spent) + process_co2e
    metal_out = sum(sum(s.grams) for s in specs) or 1  # a forged job of metal-less outputs allots nothing
    flags = 0
    for note in spent:
        flags |= note.values.risk_flags

    def metal(m: int, grams: int) -> MetalValues:
        grams_in = sum(note.values.metals[m].grams for note in spent) or 1
        shares = (sum(getattr(note.values.metals[m], name) for note in spent) * grams // grams_in
                  for name in ("certified_grams", "pre_consumer_grams", "post_consumer_grams"))
        return MetalValues(grams, *shares)

    return tuple(
        Note(NoteValues(tuple(metal(m, grams) for m, grams in enumerate(s.grams)), s.total_grams,
                        -(-co2e * sum(s.grams) // metal_out), flags),
             kind=s.kind, owner=owner.key, tag=s.tag, blinding=s.blinding or 1)
        for s in specs)


def job(name: str) -> tuple[tuple[Note, ...], tuple[Note, ...], int]:
    """A job's spent notes, the notes the twin creates, and its process CO2e."""
    spent, specs, process_co2e = JOBS[name]
    return spent, transform_notes(spent, REFINERY.participant, REFINERY_SITE, specs, process_co2e), process_co2e


def job_scenario(name: str) -> dict[str, object]:
    """The honest inputs of one job of JOBS."""
    spent, created, process_co2e = job(name)
    return job_inputs(spent, created, process_co2e)


def metal_job(name: str) -> tuple[tuple[Note, ...], tuple[Note, ...], int]:
    """A job of METAL_JOBS: its spent notes, the notes the twin creates, and its process CO2e."""
    actor, site, spent, specs, process_co2e = METAL_JOBS[name]
    return spent, transform_notes(spent, actor.participant, site, specs, process_co2e), process_co2e


def metal_job_inputs(name: str, created: tuple[Note, ...] | None = None) -> dict[str, object]:
    """The circuit's inputs for a job of METAL_JOBS, with the twin's outputs or `created`."""
    actor, site, spent, _specs, process_co2e = METAL_JOBS[name]
    return job_inputs(spent, created or metal_job(name)[1], process_co2e, actor=actor, site=site)


# -- two metals: NoteTransformProof(2, 2, 2, 4, 4), tests/circuits/mains/note_transform_two_metals.circom --

TWO_METALS_MAIN = Path(__file__).resolve().parent / "mains" / "note_transform_two_metals.circom"
ROOT = TWO_METALS_MAIN.parents[3]
SHALLOW = 4


@dataclass(frozen=True)
class RawNote:
    """A two-metal (cobalt, lithium) note of the refinery's, as the circuit hashes it: per metal grams,
    certified, pre- and post-consumer grams, then total, CO2e and flags (zk.notes carries three)."""

    values: tuple[int, ...]
    kind: int
    tag: int
    blinding: int

    @property
    def commitment(self) -> int:
        return poseidon([poseidon(list(self.values)), self.kind, REFINERY.key, 0, 0, self.tag, self.blinding])

    @property
    def nullifier(self) -> int:
        return poseidon([self.commitment, self.blinding])


def compile_two_metals(output: Path) -> tuple[Path, Path]:
    """The two-metal main's wasm and r1cs, compiled as proofs are (--O2) into `output`."""
    output.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npx", "--no-install", "circom2", os.path.relpath(TWO_METALS_MAIN, ROOT), "--O2", "--r1cs",
                    "--wasm", "-l", "node_modules", "-o", os.path.relpath(output, ROOT)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    return output / "note_transform_two_metals_js" / "note_transform_two_metals.wasm", \
        output / "note_transform_two_metals.r1cs"


def two_metal_inputs(spent: list[RawNote], created: list[RawNote], process_co2e: int,
                     site: Site = CATHODE_SITE) -> dict[str, object]:
    """The two-metal main's inputs: both input slots used, both outputs, shallow trees, at one of the
    refinery operator's sites (its cathode plant by default)."""
    notes = LeanIMT([7] + [note.commitment for note in spent])
    participants = LeanIMT([participant_leaf(REFINERY.participant), 12])
    facilities = LeanIMT([21, site_leaf(site)])
    participant = padded_path(participants.proof(participants.leaves[0]), SHALLOW)
    facility = padded_path(facilities.proof(site_leaf(site)), SHALLOW)
    paths = [padded_path(notes.proof(note.commitment), SHALLOW) for note in spent]
    actor = REFINERY.participant
    inputs: dict[str, object] = {
        "noteRoot": notes.root, "nullifiers": [note.nullifier for note in spent],
        "outputCommitments": [note.commitment for note in created], "participantsRoot": participants.root,
        "facilitiesRoot": facilities.root, "context": CONTEXT, "secret": REFINERY.secret, "account": actor.account,
        "roleIndex": actor.role_index, "operatorFlags": actor.risk_flags, "participantPathLength": participant[0],
        "participantPathIndex": participant[1], "participantSiblings": participant[2],
        "facilityId": site.facility_id, "facilityType": site.facility_type, "siteFlags": site.risk_flags,
        "maxYieldLossBps": site.max_yield_loss_bps, "siteFloor": site.co2e_floor_grams_per_kg,
        "country": site.country, "recycledPreConsumerBps": site.recycled_pre_consumer_bps,
        "facilityPathLength": facility[0], "facilityPathIndex": facility[1],
        "facilitySiblings": facility[2], "inputPathLength": [p[0] for p in paths],
        "inputPathIndex": [p[1] for p in paths], "inputSiblings": [p[2] for p in paths],
        "processCo2eGrams": process_co2e}
    for side, notes_of_side in (("input", spent), ("output", created)):
        for offset, name in enumerate(("Grams", "CertifiedGrams", "PreConsumerGrams", "PostConsumerGrams")):
            inputs[f"{side}{name}"] = [[note.values[4 * m + offset] for m in range(2)] for note in notes_of_side]
        for offset, name in enumerate(("TotalGrams", "Co2eGrams", "RiskFlags")):
            inputs[f"{side}{name}"] = [note.values[8 + offset] for note in notes_of_side]
        inputs[f"{side}Kind"] = [note.kind for note in notes_of_side]
        inputs[f"{side}Tag"] = [note.tag for note in notes_of_side]
        inputs[f"{side}Blinding"] = [note.blinding for note in notes_of_side]
    return inputs


def witness_stages(wasm: Path, r1cs: Path, inputs: list[dict[str, object]]) -> list[str]:
    """Each input's fate in the witness generator and the r1cs check: accepted, calculate or check."""
    payload = json.dumps({"wasm": str(wasm), "r1cs": str(r1cs), "inputs": [
        {key: (json.loads(json.dumps(value), parse_int=str) if isinstance(value, list) else str(value))
         for key, value in item.items()} for item in inputs]})
    completed = subprocess.run(["node", str(Path(__file__).resolve().parent / "witness.js")], input=payload,
                               capture_output=True, text=True, cwd=ROOT, check=True, timeout=300)
    return [result["stage"] for result in json.loads(completed.stdout)]

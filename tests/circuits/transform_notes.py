"""Processing jobs on the shielded ledger for the note transform tests: the refinery's notes in a
note tree among unrelated leaves, notes.py's participants, a facilities tree holding the refinery's
site (with a CO2e floor), a mine and the recycler's plant, the honest split, merge and refine, and an
oracle of the rules' arithmetic; then a two-metal test main's build and inputs, written by hand
(zk.notes carries cobalt alone)."""

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

from .notes import CONTEXT, COUNTRY_CD, MINE_SITE, RECYCLING, REFINERY, Ledger, Party, Registry, participant_leaf, site_leaf

CHILD_LABOUR, ARTISANAL_SITE, CONFLICT_AREA = 1, 4, 8
HYDROXIDE, CRUDE_SULFATE, REFINED_SULFATE, PACK = 1, 2, 3, 9
#: The refinery's site: 5% yield loss allowed, at least 40 g of process CO2e per kg processed.
REFINERY_SITE = Site(REFINERY.participant.account, 8, 2, 0, 500, 40, COUNTRY_CD)


def owned(cobalt: int, certified: int, pre: int, post: int, total: int, co2e: int, flags: int, *,
          kind: int = HYDROXIDE, tag: int = 0x7A6, blinding: int = 0x5EED, owner: Party = REFINERY) -> Note:
    """An active note of the refinery's (or `owner`'s)."""
    values = NoteValues((MetalValues(cobalt, certified, pre, post),), total, co2e, flags)
    return Note(values, kind=kind, owner=owner.key, tag=tag, blinding=blinding)


# A certified artisanal bag of hydroxide; four lots of mixed origin for a merge.
BAG = owned(700_000, 500_001, 0, 0, 2_000_000, 3_500_000, ARTISANAL_SITE)
MIXED = (owned(300_000, 300_000, 0, 0, 900_000, 1_200_000, ARTISANAL_SITE, blinding=0xA1),
         owned(200_000, 0, 50_000, 0, 500_000, 400_000, CHILD_LABOUR, blinding=0xA2),
         owned(100_000, 30_000, 0, 100_000, 150_000, 90_000, CONFLICT_AREA, kind=CRUDE_SULFATE, blinding=0xA3),
         owned(50_000, 0, 10_000, 20_000, 70_000, 33_333, 0, blinding=0xA4))


def spec(kind: int, cobalt: int, total: int, number: int) -> OutputSpec:
    return OutputSpec(kind, (cobalt,), total, tag=0x7A60 + number, blinding=0xB10 + number)


#: Each job: its inputs, its outputs' specs and its process CO2e (the split's is its floor exactly:
#: 40 g per kg of its 2 t).
JOBS = {
    "split": ((BAG,), tuple(spec(HYDROXIDE, cobalt, total, n) for n, (cobalt, total) in enumerate(
        ((175_000, 500_000), (175_000, 500_000), (175_000, 500_000), (170_000, 480_000)))), 80_000),
    "merge": (MIXED, (spec(CRUDE_SULFATE, 640_000, 1_500_000, 0),), 70_000),
    "refine": ((BAG,), (spec(REFINED_SULFATE, 680_000, 3_100_000, 0),), 100_000),
}


class TransformRegistry(Registry):
    """notes.Registry's participants, and facilities where jobs run (or must not)."""

    def __init__(self) -> None:
        super().__init__()
        self.facilities = LeanIMT([21] + [site_leaf(s) for s in (MINE_SITE, REFINERY_SITE, RECYCLING)])


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


def allotted(spent: tuple[Note, ...], specs: tuple[OutputSpec, ...], process_co2e: int) -> tuple[Note, ...]:
    """The outputs the rules give these specs, computed here with none of the twin's checks: an
    oracle for the twin's arithmetic, and the start of every job forged past the twin."""
    cobalt_in = sum(note.values.metals[0].grams for note in spent)
    certified, pre, post = (sum(getattr(note.values.metals[0], name) for note in spent)
                            for name in ("certified_grams", "pre_consumer_grams", "post_consumer_grams"))
    co2e = sum(note.values.co2e_grams for note in spent) + process_co2e
    metal_out = sum(s.grams[0] for s in specs) or 1  # a forged job of metal-less outputs allots nothing
    flags = 0
    for note in spent:
        flags |= note.values.risk_flags
    return tuple(
        Note(NoteValues((MetalValues(s.grams[0], certified * s.grams[0] // cobalt_in, pre * s.grams[0] // cobalt_in,
                                     post * s.grams[0] // cobalt_in),),
                        s.total_grams, -(-co2e * s.grams[0] // metal_out), flags),
             kind=s.kind, owner=REFINERY.key, tag=s.tag, blinding=s.blinding or 1)
        for s in specs)


def job(name: str) -> tuple[tuple[Note, ...], tuple[Note, ...], int]:
    """A job's spent notes, the notes the twin creates, and its process CO2e."""
    spent, specs, process_co2e = JOBS[name]
    return spent, transform_notes(spent, REFINERY.participant, REFINERY_SITE, specs, process_co2e), process_co2e


def job_scenario(name: str) -> dict[str, object]:
    """The honest inputs of one job of JOBS."""
    spent, created, process_co2e = job(name)
    return job_inputs(spent, created, process_co2e)


# -- two metals: NoteTransformProof(2, 2, 2, 4, 4), tests/circuits/mains/note_transform_two_metals.circom --

TWO_METALS_MAIN = Path(__file__).resolve().parent / "mains" / "note_transform_two_metals.circom"
ROOT = TWO_METALS_MAIN.parents[3]
SHALLOW = 4


@dataclass(frozen=True)
class RawNote:
    """A two-metal note of the refinery's, as the circuit hashes it: per metal grams, certified, pre-
    and post-consumer grams, then total, CO2e and flags (zk.notes carries one metal only)."""

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


def two_metal_inputs(spent: list[RawNote], created: list[RawNote], process_co2e: int) -> dict[str, object]:
    """The two-metal main's inputs: both input slots used, both outputs, shallow trees."""
    notes = LeanIMT([7] + [note.commitment for note in spent])
    participants = LeanIMT([participant_leaf(REFINERY.participant), 12])
    facilities = LeanIMT([21, site_leaf(REFINERY_SITE)])
    participant = padded_path(participants.proof(participants.leaves[0]), SHALLOW)
    facility = padded_path(facilities.proof(site_leaf(REFINERY_SITE)), SHALLOW)
    paths = [padded_path(notes.proof(note.commitment), SHALLOW) for note in spent]
    site, actor = REFINERY_SITE, REFINERY.participant
    inputs: dict[str, object] = {
        "noteRoot": notes.root, "nullifiers": [note.nullifier for note in spent],
        "outputCommitments": [note.commitment for note in created], "participantsRoot": participants.root,
        "facilitiesRoot": facilities.root, "context": CONTEXT, "secret": REFINERY.secret, "account": actor.account,
        "roleIndex": actor.role_index, "operatorFlags": actor.risk_flags, "participantPathLength": participant[0],
        "participantPathIndex": participant[1], "participantSiblings": participant[2],
        "facilityId": site.facility_id, "facilityType": site.facility_type, "siteFlags": site.risk_flags,
        "maxYieldLossBps": site.max_yield_loss_bps, "siteFloor": site.co2e_floor_grams_per_kg,
        "country": site.country, "facilityPathLength": facility[0], "facilityPathIndex": facility[1],
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

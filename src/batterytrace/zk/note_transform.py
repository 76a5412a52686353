"""Processing jobs on the shielded ledger: the rules of circuits/lib/note_transform.circom and its inputs.

A job (split, merge, refine) spends up to four of the actor's active notes and creates up to four
active notes of its own, at an activated facility it operates, without saying who, where or how
much. ``transform_notes`` is the Python home of the circuit's rules: it computes the values the
rules determine (the certified and recycled shares, CO2e, flags) and refuses, with the rule's name,
what the circuit would refuse; ``note_transform_inputs`` lays out the witness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from batterytrace.exceptions import ProcessCo2eBelowFloorError, ProofError
from batterytrace.zk.custody import NOTE_TREE_DEPTH, REGISTRY_TREE_DEPTH, Participant, padded_path
from batterytrace.zk.merkle import MembershipProof
from batterytrace.zk.notes import MAX_GRAMS, METALS, MetalValues, Note, NoteState, NoteValues, require_kind_holds
from batterytrace.zk.origin import Site
from batterytrace.zk.poseidon import poseidon

#: The domain of a transform output's tag, apart from an origin tag (``Poseidon(secret, facility,
#: externalId)``): a recycler both mints and transforms, and its ERP's ids may repeat across the two.
OUTPUT_TAG_DOMAIN = int.from_bytes(b"batterytrace.output.v1", "big")


def output_tag(secret: int, facility_id: int, external_id: int) -> int:
    """A transform output's tag: Poseidon(OUTPUT_TAG_DOMAIN, secret, facilityId, externalId), private
    and per facility. The circuit leaves output tags to the actor; the SDK derives them so a job run
    again finds its outputs."""
    return poseidon([OUTPUT_TAG_DOMAIN, secret, facility_id, external_id])


#: MaterialKind.PACK's index: no transform spends a pack (note_transform.circom's TRANSFORM_PACK).
TRANSFORM_PACK = 9

#: NoteTransformProof(4, 4, 3, 24, 16) in circuits/note_transform.circom: its slots.
NOTE_TRANSFORM_INPUTS = 4
NOTE_TRANSFORM_OUTPUTS = 4
#: IRegistry.FacilityType indices of the types that transform lots (every type but the extraction sites).
REFINERY, PRECURSOR_PLANT, CATHODE_PLANT, CELL_PLANT, PACK_PLANT, RECYCLER = range(2, 8)
LITHIUM_REFINERY, NICKEL_REFINERY = 11, 12
#: The kinds a transformation makes at each type (as model.facilities.makes_kind; MaterialKind
#: indices of model/lots.py), besides its inputs' own kinds (note_transform.circom's MADE_KIND).
MADE_KINDS: dict[int, frozenset[int]] = {
    REFINERY: frozenset({2, 3, 4}),
    PRECURSOR_PLANT: frozenset({5}),
    CATHODE_PLANT: frozenset({6}),
    CELL_PLANT: frozenset({7}),
    PACK_PLANT: frozenset({8, 9}),
    RECYCLER: frozenset({10, 11, 14, 18}),
    LITHIUM_REFINERY: frozenset({14, 15}),
    NICKEL_REFINERY: frozenset({17, 18}),
}
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class OutputSpec:
    """What the job says of one output: its kind, grams per metal (``METALS`` order), total mass and
    tag (the SDK derives it); the rules determine the rest."""

    kind: int
    grams: tuple[int, ...]
    total_grams: int
    tag: int
    blinding: int | None = None


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _require_64_bits(name: str, value: int) -> None:
    if type(value) is not int or not 0 <= value < MAX_GRAMS:
        raise ProofError(f"{name} must be an integer number of grams from 0 to 2^64 - 1, got {value!r}")


def _require_inputs(inputs: Sequence[Note], actor: Participant) -> None:
    if not 1 <= len(inputs) <= NOTE_TRANSFORM_INPUTS:
        raise ProofError(f"a transform spends 1 to {NOTE_TRANSFORM_INPUTS} notes, got {len(inputs)}")
    seen: dict[int, int] = {}
    for number, note in enumerate(inputs, 1):
        if note.state != NoteState.ACTIVE:
            raise ProofError(f"a transform spends active notes, input {number} is {note.state.name.lower()}")
        if note.owner != actor.shielding_key:
            raise ProofError(f"input {number} is not the actor's note (another shielding key owns it)")
        if note.kind == TRANSFORM_PACK:
            raise ProofError(f"input {number} is a battery pack: no transform spends one (its note backs its "
                             f"battery's passport)")
        if note.nullifier in seen:
            raise ProofError(f"input {number} is input {seen[note.nullifier]} again (a note is spent once)")
        seen[note.nullifier] = number


def _require_site(actor: Participant, site: Site) -> None:
    if site.operator != actor.account:
        raise ProofError(f"facility {site.facility_id} is operated by another account than the actor's")
    if site.facility_type not in MADE_KINDS:
        raise ProofError(f"facility type {site.facility_type} transforms no lots (refineries, precursor, cathode, "
                         "cell and pack plants and recyclers do, extraction sites do not)")


def _require_output(number: int, spec: OutputSpec, site: Site, input_kinds: frozenset[int]) -> None:
    made = MADE_KINDS[site.facility_type]
    if spec.kind not in made | input_kinds:
        raise ProofError(f"output {number}'s kind {spec.kind} is neither one facility type {site.facility_type} "
                         f"makes {sorted(made)} nor an input's {sorted(input_kinds)}")
    if len(spec.grams) != len(METALS):
        raise ProofError(f"output {number} gives grams for {len(spec.grams)} metal(s), a note carries "
                         f"{len(METALS)} {METALS}")
    for metal, grams in zip(METALS, spec.grams):
        _require_64_bits(f"output {number}'s {metal}", grams)
    require_kind_holds(spec.kind, spec.grams, f"output {number}")
    _require_64_bits(f"output {number}'s total", spec.total_grams)
    if sum(spec.grams) == 0:
        raise ProofError(f"output {number} holds no metal")
    if sum(spec.grams) > spec.total_grams:
        raise ProofError(f"output {number}'s metals ({sum(spec.grams)} g) exceed its total {spec.total_grams} g")


def _require_mass_balance(metal: str, grams_in: int, grams_out: int, site: Site) -> None:
    if grams_out > grams_in:
        raise ProofError(f"the outputs' {grams_out} g of {metal} exceed the inputs' {grams_in} g (no metal is created)")
    if (grams_in - grams_out) * BASIS_POINTS > site.max_yield_loss_bps * grams_in:
        raise ProofError(f"{grams_in - grams_out} g of {metal} lost of {grams_in} g exceeds the facility's "
                         f"yield loss bound of {site.max_yield_loss_bps} bps")


def _require_process_co2e(process_co2e_grams: int, total_in: int, site: Site) -> None:
    _require_64_bits("process CO2e", process_co2e_grams)
    if process_co2e_grams * 1000 < site.co2e_floor_grams_per_kg * total_in:
        raise ProcessCo2eBelowFloorError(process_co2e_grams, total_in, site.co2e_floor_grams_per_kg)


def _metal_shares(inputs: Sequence[Note], grams_out: tuple[int, ...]) -> list[MetalValues]:
    """Per metal, floor(xIn * grams_j / gramsIn) of certified, pre- and post-consumer grams."""
    shares = []
    for m, grams in enumerate(grams_out):
        metals = [note.values.metals[m] for note in inputs]
        grams_in = sum(metal.grams for metal in metals)
        if grams == 0:   # also every output of a metal no input holds (grams_in 0)
            shares.append(MetalValues())
            continue
        shares.append(MetalValues(
            grams,
            sum(metal.certified_grams for metal in metals) * grams // grams_in,
            sum(metal.pre_consumer_grams for metal in metals) * grams // grams_in,
            sum(metal.post_consumer_grams for metal in metals) * grams // grams_in,
        ))
    return shares


def transform_notes(
    inputs: Sequence[Note],
    actor: Participant,
    site: Site,
    outputs: Sequence[OutputSpec],
    process_co2e_grams: int,
) -> tuple[Note, ...]:
    """The notes a job at ``site`` by ``actor`` creates from ``inputs``, with the values the rules
    determine; ProofError naming the rule for a job the note transform circuit refuses."""
    _require_inputs(inputs, actor)
    _require_site(actor, site)
    if not 1 <= len(outputs) <= NOTE_TRANSFORM_OUTPUTS:
        raise ProofError(f"a transform creates 1 to {NOTE_TRANSFORM_OUTPUTS} notes, got {len(outputs)}")
    input_kinds = frozenset(note.kind for note in inputs)
    for number, spec in enumerate(outputs, 1):
        _require_output(number, spec, site, input_kinds)
    for m, metal in enumerate(METALS):
        _require_mass_balance(metal, sum(note.values.metals[m].grams for note in inputs),
                              sum(spec.grams[m] for spec in outputs), site)
    total_in = sum(note.values.total_grams for note in inputs)
    _require_process_co2e(process_co2e_grams, total_in, site)

    # CO2e by metal (conserved, unlike the declared masses): every used output holds some.
    co2e = sum(note.values.co2e_grams for note in inputs) + process_co2e_grams
    metal_out = sum(sum(spec.grams) for spec in outputs)
    flags = 0
    for note in inputs:
        flags |= note.values.risk_flags
    created: list[Note] = []
    for number, spec in enumerate(outputs, 1):
        co2e_share = _ceil_div(co2e * sum(spec.grams), metal_out)
        _require_64_bits(f"output {number}'s CO2e share", co2e_share)
        values = NoteValues(tuple(_metal_shares(inputs, spec.grams)), spec.total_grams, co2e_share, flags)
        fields: dict[str, Any] = {"kind": spec.kind, "owner": actor.shielding_key, "tag": spec.tag,
                                  "state": NoteState.ACTIVE}
        if spec.blinding is not None:
            fields["blinding"] = spec.blinding
        note = Note(values, **fields)
        for earlier, other in enumerate(created, 1):
            if other.commitment == note.commitment:
                raise ProofError(f"output {number} is output {earlier} again (the same note twice)")
        created.append(note)
    return tuple(created)


def _metal_columns(notes: Sequence[Note | None]) -> dict[str, list[list[int]]]:
    """Per slot and metal: grams, certified, pre- and post-consumer grams (zeros for an unused slot)."""
    empty = (MetalValues(),) * len(METALS)
    rows = [note.values.metals if note else empty for note in notes]
    return {"Grams": [[metal.grams for metal in row] for row in rows],
            "CertifiedGrams": [[metal.certified_grams for metal in row] for row in rows],
            "PreConsumerGrams": [[metal.pre_consumer_grams for metal in row] for row in rows],
            "PostConsumerGrams": [[metal.post_consumer_grams for metal in row] for row in rows]}


def _slot_fields(side: str, notes: Sequence[Note | None]) -> dict[str, Any]:
    fields: dict[str, Any] = {f"{side}{name}": column for name, column in _metal_columns(notes).items()}
    fields[f"{side}TotalGrams"] = [note.values.total_grams if note else 0 for note in notes]
    fields[f"{side}Co2eGrams"] = [note.values.co2e_grams if note else 0 for note in notes]
    fields[f"{side}RiskFlags"] = [note.values.risk_flags if note else 0 for note in notes]
    fields[f"{side}Kind"] = [note.kind if note else 0 for note in notes]
    fields[f"{side}Tag"] = [note.tag if note else 0 for note in notes]
    fields[f"{side}Blinding"] = [note.blinding if note else 0 for note in notes]
    return fields


def note_transform_inputs(
    spent: Sequence[Note],
    spent_proofs: Sequence[MembershipProof],
    created: Sequence[Note],
    *,
    secret: int,
    actor: Participant,
    participant_proof: MembershipProof,
    site: Site,
    facility_proof: MembershipProof,
    process_co2e_grams: int,
    context: int,
) -> dict[str, Any]:
    """The note transform circuit's inputs, public signals first (the contract's order); unused slots
    are zeros."""
    if len(spent) != len(spent_proofs):
        raise ProofError(f"{len(spent)} spent notes come with {len(spent_proofs)} note proofs")
    if not 1 <= len(spent) <= NOTE_TRANSFORM_INPUTS or not 1 <= len(created) <= NOTE_TRANSFORM_OUTPUTS:
        raise ProofError(f"a transform spends 1 to {NOTE_TRANSFORM_INPUTS} notes and creates 1 to "
                         f"{NOTE_TRANSFORM_OUTPUTS}, got {len(spent)} and {len(created)}")
    for number, (note, proof) in enumerate(zip(spent, spent_proofs), 1):
        if proof.leaf != note.commitment:
            raise ProofError(f"the note proof of input {number} is for another leaf than the note's commitment")
    if len({proof.root for proof in spent_proofs}) != 1:
        raise ProofError("the spent notes' proofs are against different roots of the note tree")
    unused_inputs = NOTE_TRANSFORM_INPUTS - len(spent)
    unused_outputs = NOTE_TRANSFORM_OUTPUTS - len(created)
    paths = [padded_path(proof, NOTE_TREE_DEPTH) for proof in spent_proofs]
    paths += [(0, 0, [0] * NOTE_TREE_DEPTH)] * unused_inputs
    participant_length, participant_index, participant_siblings = padded_path(participant_proof, REGISTRY_TREE_DEPTH)
    facility_length, facility_index, facility_siblings = padded_path(facility_proof, REGISTRY_TREE_DEPTH)
    inputs: list[Note | None] = [*spent, *[None] * unused_inputs]
    outputs: list[Note | None] = [*created, *[None] * unused_outputs]
    return {
        "noteRoot": spent_proofs[0].root,
        "nullifiers": [note.nullifier for note in spent] + [0] * unused_inputs,
        "outputCommitments": [note.commitment for note in created] + [0] * unused_outputs,
        "participantsRoot": participant_proof.root,
        "facilitiesRoot": facility_proof.root,
        "context": context,
        "secret": secret,
        "account": actor.account,
        "roleIndex": actor.role_index,
        "operatorFlags": actor.risk_flags,
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
        **_slot_fields("input", inputs),
        "inputPathLength": [path[0] for path in paths],
        "inputPathIndex": [path[1] for path in paths],
        "inputSiblings": [path[2] for path in paths],
        **_slot_fields("output", outputs),
        "processCo2eGrams": process_co2e_grams,
    }

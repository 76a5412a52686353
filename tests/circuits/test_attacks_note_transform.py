"""NoteTransformProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the note transform circuit: its own, the notes'
(values hash, commitment, nullifier, shielding key), the registry memberships', the LeanIMT path's,
arithmetic.circom's (FloorProportion, CeilProportion, AssertDistinctWhenUsed), the
checks' and circomlib's IsZero, Num2Bits and Poseidon. Each satisfies every other constraint of the
sources and violates this one; the committed R1CS must reject it. The public roots, nullifiers and
output commitments follow the forged witness (ties), so each attack shows what its one constraint
stops, not that a root would be unknown on chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from batterytrace.zk.custody import REGISTRY_TREE_DEPTH, padded_path
from batterytrace.zk.note_transform import OutputSpec, transform_notes
from batterytrace.zk.origin import BLACK_MASS

from .attacker import Attack, AttackLab, Honest, P, constraint_labels, plus, poseidon_attacks
from .note_attacks import lean_imt_attacks, participant_attacks
from .notes import MINE, RECYCLER_PARTY, RECYCLING, REFINERY, site_leaf
from .transform_notes import (
    ARTISANAL_SITE,
    BAG,
    CAM,
    CONFLICT_AREA,
    HYDROXIDE,
    PACK,
    REFINERY_SITE,
    TransformRegistry,
    job,
    job_inputs,
    metal_job,
    metal_job_inputs,
    owned,
    spec,
)

NT = "lib/note_transform.circom NoteTransformProof: "
NOTES = "lib/notes.circom "
FACILITY = "lib/registry.circom FacilityMembership: "
FLOOR = "lib/arithmetic.circom FloorProportion: "
CEIL = "lib/arithmetic.circom CeilProportion: "
DISTINCT = "lib/arithmetic.circom AssertDistinctWhenUsed: "
CHECKS = "lib/checks.circom "
SLOTS = 4
METALS = 3
TWO_64 = 1 << 64
ALLOTTED = 123456789   # a commitment or nullifier of the attacker's choosing
CERTIFIED_0, CO2E_0 = "main.outputCertifiedGrams[0][0]", "main.outputCo2eGrams[0]"
PRE_0, POST_0 = "main.outputPreConsumerGrams[0][0]", "main.outputPostConsumerGrams[0][0]"


def ties(inputs: int, outputs: int) -> dict[str, str]:
    """The public signals recomputed from the forged witness: the roots, and each used slot's
    nullifier or commitment."""
    return {"main.noteRoot": "main.spentPath[0].root", "main.participantsRoot": "main.actor.root",
            "main.facilitiesRoot": "main.site.root",
            **{f"main.nullifiers[{i}]": f"main.spentNullifier[{i}].nullifier" for i in range(inputs)},
            **{f"main.outputCommitments[{j}]": f"main.created[{j}].commitment" for j in range(outputs)}}


def _scenarios() -> dict[str, tuple[dict[str, object], dict[str, str]]]:
    plain = owned(700_000, 0, 0, 0, 2_000_000, 3_500_000, 0)
    twin = owned(700_000, 500_001, 0, 0, 2_000_000, 3_500_000, ARTISANAL_SITE, blinding=0x5EEF)
    made = {
        "plain split": ((plain,), (spec(HYDROXIDE, 350_000, 1_000_000, 0), spec(HYDROXIDE, 340_000, 980_000, 1)),
                        80_000),
        "twin inputs": ((BAG, twin), (spec(2, 1_380_000, 4_000_000, 0),), 160_000),
        "twin outputs": ((BAG,), tuple(OutputSpec(HYDROXIDE, (345_000, 0, 0), 1_000_000, tag=0x7A60, blinding=blinding)
                                       for blinding in (0xB10, 0xB11)), 80_000),
    }
    scenarios = {}
    for name in ("split", "merge", "refine"):
        spent, created, process_co2e = job(name)
        scenarios[name] = (job_inputs(spent, created, process_co2e), ties(len(spent), len(created)))
    for name, (spent, specs, process_co2e) in made.items():
        created = transform_notes(spent, REFINERY.participant, REFINERY_SITE, specs, process_co2e)
        scenarios[name] = (job_inputs(spent, created, process_co2e), ties(len(spent), len(created)))
    # No CO2e at all (the recycler's floor is 0): the CO2e shares, allotted by metal, then constrain
    # no output's grams, so a grams range check is the only bound left on them.
    black_mass = owned(700_000, 0, 0, 0, 2_000_000, 0, 0, kind=BLACK_MASS, owner=RECYCLER_PARTY)
    specs = (OutputSpec(BLACK_MASS, (350_000, 0, 0), 1_000_000, tag=0xB1),
             OutputSpec(BLACK_MASS, (340_000, 0, 0), 980_000, tag=0xB2))
    created = transform_notes((black_mass,), RECYCLER_PARTY.participant, RECYCLING, specs, 0)
    scenarios["carbon-free split"] = (job_inputs((black_mass,), created, 0, actor=RECYCLER_PARTY, site=RECYCLING),
                                      ties(1, 2))
    # Three metals: the recycler's black mass into cobalt sulfate, lithium carbonate and nickel
    # sulfate; pCAM and lithium hydroxide into CAM and a leftover of hydroxide.
    for name in ("recycle", "cathode"):
        spent, created, _process_co2e = metal_job(name)
        scenarios[name] = (metal_job_inputs(name), ties(len(spent), len(created)))
    return scenarios


SCENARIOS = _scenarios()


def untied(scenario: str, public: str) -> dict[str, str]:
    return {name: source for name, source in SCENARIOS[scenario][1].items() if name != public}


def same(name: str) -> Callable[[Honest], int]:
    """The honest value of `name`: pins a signal the attacker keeps while changing its source."""
    return lambda honest: honest(name)


def reshare(grams: Mapping[int | tuple[int, int], int] | None = None, totals: Mapping[int, int] | None = None,
            whole: int | None = None, extra: Mapping[str, int] | None = None) -> Callable[[Honest], dict[str, int]]:
    """The changes `extra`, and the outputs' grams and totals changed by `grams` (output j's cobalt,
    or (j, m): output j's metal m) and `totals`, with every output's shares and CO2e recomputed by
    the rules from the values the attack leaves (the inputs' and the process CO2e, after `extra`):
    what the circuit's equations then demand. `whole` replaces the cobalt shares' divisor."""
    def changes(honest: Honest) -> dict[str, int]:
        written = dict(extra or {})

        def value(name: str) -> int:
            return written[name] if name in written else honest(name)

        def column(name: str, m: int) -> int:
            return sum(value(f"main.input{name}[{i}][{m}]") for i in range(SLOTS))

        moved = {(key, 0) if isinstance(key, int) else key: grams for key, grams in (grams or {}).items()}
        part = {(j, m): moved.get((j, m), value(f"main.outputGrams[{j}][{m}]")) for j in range(SLOTS) for m in range(METALS)}
        mass = {j: value(f"main.outputTotalGrams[{j}]") for j in range(SLOTS)} | dict(totals or {})
        divisor = {m: column("Grams", m) or 1 for m in range(METALS)}
        if whole is not None:
            divisor[0] = whole
        allocated = sum(value(f"main.inputCo2eGrams[{i}]") for i in range(SLOTS)) + value("main.processCo2eGrams")
        metal_out = sum(part.values())
        for j in range(SLOTS):
            metal_j = sum(part[j, m] for m in range(METALS))
            if metal_j == 0 and mass[j] == 0:
                continue
            written[f"main.outputTotalGrams[{j}]"] = mass[j]
            for m in range(METALS):
                written[f"main.outputGrams[{j}][{m}]"] = part[j, m]
                for name in ("Certified", "PreConsumer", "PostConsumer"):
                    written[f"main.output{name}Grams[{j}][{m}]"] = column(f"{name}Grams", m) * part[j, m] // divisor[m]
            written[f"main.outputCo2eGrams[{j}]"] = -(-allocated * metal_j // metal_out)
        return written
    return changes


def wrapped_share(share: str, proportion: str, check: str, ceiling: bool = False) -> Callable[[Honest], dict[str, int]]:
    """A share far above 2^64 grams: with the remainder one more than the honest one, the share that
    satisfies the proportion's equation in the field (it wraps around p), its range check `check` fed
    the honest share."""
    def changes(honest: Honest) -> dict[str, int]:
        remainder = honest(f"{proportion}.remainder") + 1
        product, whole = honest(f"{proportion}.product"), honest(f"{proportion}.whole")
        numerator = product + remainder if ceiling else product - remainder
        forged = numerator * pow(whole, P - 2, P) % P
        assert forged >= TWO_64
        return {share: forged, f"{proportion}.remainder": remainder, check: honest(share)}
    return changes


def rounded(share: str, proportion: str, shift: int, remainder_wholes: int,
            pin: Mapping[str, Callable[[int, int], int]] | None = None) -> Callable[[Honest], dict[str, int]]:
    """The share moved by `shift`, the remainder moved by `remainder_wholes` wholes to keep the
    equation, and `pin`: signal -> callable of (honest remainder, honest whole) the attacker writes."""
    def changes(honest: Honest) -> dict[str, int]:
        remainder, whole = honest(f"{proportion}.remainder"), honest(f"{proportion}.whole")
        written = {share: honest(share) + shift, f"{proportion}.remainder": remainder + remainder_wholes * whole}
        written.update({name: pinned(remainder, whole) for name, pinned in (pin or {}).items()})
        return written
    return changes


def same_note_twice(honest: Honest) -> dict[str, int]:
    """Slot 1 opens slot 0's note: its blinding, and its path (the same leaf's)."""
    written = {"main.inputBlinding[1]": honest("main.inputBlinding[0]"),
               "main.inputPathLength[1]": honest("main.inputPathLength[0]"),
               "main.inputPathIndex[1]": honest("main.inputPathIndex[0]")}
    written.update({f"main.inputSiblings[1][{k}]": honest(f"main.inputSiblings[0][{k}]") for k in range(24)})
    return written


def twice(**more: object) -> Callable[[Honest], dict[str, int]]:
    return lambda honest: {**same_note_twice(honest),
                           **{name: value(honest) if callable(value) else value for name, value in more.items()}}


SAME_OUTPUT_TWICE = {"main.outputBlinding[1]": 0xB10}


def recyclers_plant(honest: Honest) -> dict[str, int]:
    """The recycler's plant and its real path, presented by the refinery's operator as its own."""
    length, index, siblings = padded_path(TransformRegistry().facilities.proof(site_leaf(RECYCLING)),
                                          REGISTRY_TREE_DEPTH)
    written = {"main.site.operator": RECYCLER_PARTY.participant.account, "main.facilityId": RECYCLING.facility_id,
               "main.facilityType": RECYCLING.facility_type, "main.siteFlags": RECYCLING.risk_flags,
               "main.maxYieldLossBps": RECYCLING.max_yield_loss_bps,
               "main.siteFloor": RECYCLING.co2e_floor_grams_per_kg, "main.country": RECYCLING.country,
               "main.recycledPreConsumerBps": RECYCLING.recycled_pre_consumer_bps,
               "main.facilityPathLength": length, "main.facilityPathIndex": index}
    written.update({f"main.facilitySiblings[{k}]": sibling for k, sibling in enumerate(siblings)})
    return written


def with_changes(base: Callable[[Honest], dict[str, int]], more: Mapping[str, int]) -> Callable[[Honest], dict[str, int]]:
    return lambda honest: {**base(honest), **more}


#: recycle: 1 kg of the lithium carbonate's lithium put into the recycled cobalt sulfate instead.
LITHIUM_IN_SULFATE = reshare({(0, 1): 1_000, (1, 1): 28_500})
WASHED = {"main.outputRiskFlags[0]": ARTISANAL_SITE | CONFLICT_AREA}   # merge: child labour dropped
TEN_PERCENT_LOST = {0: 630_000}                                     # refine: 70 kg of 700 lost, 5% allowed
PHANTOM = {"main.inputGrams[3][0]": 50_000, "main.inputCertifiedGrams[3][0]": 50_000,
           "main.inputTotalGrams[3]": 50_000}                      # refine: 50 kg of certified cobalt from nowhere

ATTACKS = [
    # The actor and its site.
    Attack("the actor's key is derived from another secret than the one given", NT + "key.secret <== secret;",
           "refine", {"main.secret": plus("main.secret", 1), "main.key.secret": same("main.secret")}),
    Attack("the actor's membership is checked for another account", NT + "actor.account <== account;", "refine",
           {"main.actor.account": plus("main.account", 1)}),
    Attack("the actor's membership is checked for another role", NT + "actor.roleIndex <== roleIndex;", "refine",
           {"main.actor.roleIndex": 1}),
    Attack("the actor's membership is checked with other flags", NT + "actor.riskFlags <== operatorFlags;",
           "refine", {"main.actor.riskFlags": 1}),
    Attack("the actor's membership is checked for another key", NT + "actor.shieldingKey <== key.key;", "refine",
           {"main.actor.shieldingKey": MINE.key}),
    Attack("the actor's path length is not the one given", NT + "actor.pathLength <== participantPathLength;",
           "refine", {"main.actor.pathLength": plus("main.participantPathLength", 1)}),
    Attack("the actor's path index is not the one given", NT + "actor.pathIndex <== participantPathIndex;",
           "refine", {"main.actor.pathIndex": plus("main.participantPathIndex", 1)}),
    Attack("the actor's siblings are not the ones given", NT + "actor.siblings <== participantSiblings;",
           "refine", {"main.actor.siblings[0]": plus("main.participantSiblings[0]", 1)}),
    Attack("the actor is in a participants tree the contract does not know",
           NT + "actor.root === participantsRoot;", "refine",
           {"main.participantsRoot": plus("main.participantsRoot", 1)}, ties=untied("refine", "main.participantsRoot")),
    Attack("a forged facility leaf: the recycler's plant, operator and path, proved by the refinery",
           NT + "site.operator <== account;", "split", recyclers_plant),
    Attack("the site's membership is checked for another id", NT + "site.facilityId <== facilityId;", "refine",
           {"main.site.facilityId": RECYCLING.facility_id}),
    Attack("the site's membership is checked for another type", NT + "site.facilityType <== facilityType;",
           "refine", {"main.site.facilityType": 7}),
    Attack("the site's membership is checked with other flags", NT + "site.riskFlags <== siteFlags;", "refine",
           {"main.site.riskFlags": 1}),
    Attack("a 10% loss under a bound of 10%, the leaf's 5% checked apart",
           NT + "site.maxYieldLossBps <== maxYieldLossBps;", "refine",
           reshare(TEN_PERCENT_LOST, extra={"main.maxYieldLossBps": 1_000, "main.site.maxYieldLossBps": 500})),
    Attack("no process CO2e under a floor of 0, the leaf's 40 g/kg checked apart",
           NT + "site.co2eFloorGramsPerKg <== siteFloor;", "split",
           reshare(extra={"main.siteFloor": 0, "main.site.co2eFloorGramsPerKg": 40, "main.processCo2eGrams": 0})),
    Attack("the site's membership is checked for another country", NT + "site.country <== country;", "refine",
           {"main.site.country": plus("main.country", 1)}),
    Attack("the site's path length is not the one given", NT + "site.pathLength <== facilityPathLength;",
           "refine", {"main.site.pathLength": plus("main.facilityPathLength", 1)}),
    Attack("the site's path index is not the one given", NT + "site.pathIndex <== facilityPathIndex;", "refine",
           {"main.site.pathIndex": plus("main.facilityPathIndex", 1)}),
    Attack("the site's siblings are not the ones given", NT + "site.siblings <== facilitySiblings;", "refine",
           {"main.site.siblings[0]": plus("main.facilitySiblings[0]", 1)}),
    Attack("the site is in a facilities tree the contract does not know (not activated)",
           NT + "site.root === facilitiesRoot;", "refine",
           {"main.facilitiesRoot": plus("main.facilitiesRoot", 1)}, ties=untied("refine", "main.facilitiesRoot")),
    Attack("the site's membership is checked for another split (which a transform does not use)",
           NT + "site.recycledPreConsumerBps <== recycledPreConsumerBps;", "refine",
           {"main.site.recycledPreConsumerBps": plus("main.recycledPreConsumerBps", 1)}),
    Attack("the refinery's leaf read as a mine's, the mine taken for a refinery",
           NT + "isType[t].in <== facilityType - TRANSFORMING_TYPE(t);", "split",
           {"main.facilityType": 0, "main.isType[0].in": 0}),
    Attack("a mine's leaf transforms as no type at all", NT + "typeCount === 1;", "split", {"main.facilityType": 0},
           culprits=("main.isType[0].out",)),
    # The spent notes.
    Attack("an unused input slot burns a nullifier of the attacker's choosing, read as empty",
           NT + "inputEmpty[i].in <== nullifiers[i];", "refine",
           {"main.nullifiers[3]": ALLOTTED, "main.inputEmpty[3].in": 0}),
    Attack("a phantom input: slot 3 has a nullifier but is read as unused, and adds 50 kg of certified cobalt",
           NT + "inputUsed[i] <== 1 - inputEmpty[i].out;", "refine",
           reshare({0: 730_000}, extra={**PHANTOM, "main.nullifiers[3]": ALLOTTED, "main.inputUsed[3]": 0})),
    Attack("the job counts 20 kg more cobalt than the note's hash holds",
           NT + "inputValues[i].grams <== inputGrams[i];", "refine",
           reshare({0: 715_000}, extra={"main.inputGrams[0][0]": 720_000, "main.inputValues[0].grams[0]": 700_000})),
    Attack("the job counts the whole bag as certified, the note's hash its real certified grams",
           NT + "inputValues[i].certifiedGrams <== inputCertifiedGrams[i];", "refine",
           reshare(extra={"main.inputCertifiedGrams[0][0]": 700_000, "main.inputValues[0].certifiedGrams[0]": 500_001})),
    Attack("the job counts 100 kg of pre-consumer scrap the note does not hold",
           NT + "inputValues[i].preConsumerGrams <== inputPreConsumerGrams[i];", "refine",
           reshare(extra={"main.inputPreConsumerGrams[0][0]": 100_000, "main.inputValues[0].preConsumerGrams[0]": 0})),
    Attack("the job counts 100 kg of post-consumer scrap the note does not hold",
           NT + "inputValues[i].postConsumerGrams <== inputPostConsumerGrams[i];", "refine",
           reshare(extra={"main.inputPostConsumerGrams[0][0]": 100_000,
                          "main.inputValues[0].postConsumerGrams[0]": 0})),
    Attack("half the process CO2e: the job counts 1 t processed, the note's hash 2 t",
           NT + "inputValues[i].totalGrams <== inputTotalGrams[i];", "split",
           reshare(extra={"main.inputTotalGrams[0]": 1_000_000, "main.inputValues[0].totalGrams": 2_000_000,
                          "main.processCo2eGrams": 40_000})),
    Attack("the job counts none of the note's 3.5 t of CO2e",
           NT + "inputValues[i].co2eGrams <== inputCo2eGrams[i];", "refine",
           reshare(extra={"main.inputCo2eGrams[0]": 0, "main.inputValues[0].co2eGrams": 3_500_000})),
    Attack("the job counts none of the note's flags", NT + "inputValues[i].riskFlags <== inputRiskFlags[i];",
           "refine", {"main.inputRiskFlags[0]": 0, "main.inputValues[0].riskFlags": ARTISANAL_SITE,
                      "main.outputRiskFlags[0]": 0}),
    Attack("the spent note is hashed with other values", NT + "spent[i].valuesHash <== inputValues[i].valuesHash;",
           "refine", {"main.spent[0].valuesHash": plus("main.inputValues[0].valuesHash", 1)}),
    Attack("a kind the facility does not make, from an input read as cathode active material",
           NT + "spent[i].kind <== inputKind[i];", "split",
           {"main.inputKind[0]": CAM, "main.spent[0].kind": HYDROXIDE,
            **{f"main.outputKind[{j}]": CAM for j in range(SLOTS)}}),
    Attack("someone else's note: the mine's, spent by the refinery", NT + "spent[i].owner <== key.key;", "refine",
           {"main.spent[0].owner": MINE.key}),
    Attack("a non-active input: an offered note", NT + "spent[i].state <== NOTE_ACTIVE();", "refine",
           {"main.spent[0].state": 1}),
    Attack("a note with a counterparty (one on offer) is spent", NT + "spent[i].counterparty <== 0;", "refine",
           {"main.spent[0].counterparty": MINE.key}),
    Attack("the spent note is hashed with another tag", NT + "spent[i].tag <== inputTag[i];", "refine",
           {"main.spent[0].tag": plus("main.inputTag[0]", 1)}),
    Attack("the spent note is hashed with another blinding", NT + "spent[i].blinding <== inputBlinding[i];",
           "refine", {"main.spent[0].blinding": plus("main.inputBlinding[0]", 1)}),
    Attack("the tree holds another leaf than the spent note", NT + "spentPath[i].leaf <== spent[i].commitment;",
           "refine", {"main.spentPath[0].leaf": plus("main.spent[0].commitment", 1)}),
    Attack("the note's path length is not the one given", NT + "spentPath[i].length <== inputPathLength[i];",
           "refine", {"main.spentPath[0].length": plus("main.inputPathLength[0]", 1)}),
    Attack("the note's path index is not the one given", NT + "spentPath[i].pathIndex <== inputPathIndex[i];",
           "refine", {"main.spentPath[0].pathIndex": plus("main.inputPathIndex[0]", 1)}),
    Attack("the note's siblings are not the ones given", NT + "spentPath[i].siblings <== inputSiblings[i];",
           "refine", {"main.spentPath[0].siblings[0]": plus("main.inputSiblings[0][0]", 1)}),
    Attack("a note not in the tree (or in a tree the contract does not know)",
           NT + "inputUsed[i] * (spentPath[i].root - noteRoot) === 0;", "refine",
           {"main.noteRoot": plus("main.noteRoot", 1)}, ties=untied("refine", "main.noteRoot")),
    Attack("a fresh nullifier for the note, from another commitment",
           NT + "spentNullifier[i].commitment <== spent[i].commitment;", "refine",
           {"main.spentNullifier[0].commitment": plus("main.spent[0].commitment", 1)}),
    Attack("a fresh nullifier for the note, from another blinding",
           NT + "spentNullifier[i].blinding <== inputBlinding[i];", "refine",
           {"main.spentNullifier[0].blinding": plus("main.inputBlinding[0]", 1)}),
    Attack("the public nullifier is not the note's (it could be spent again)",
           NT + "inputUsed[i] * (spentNullifier[i].nullifier - nullifiers[i]) === 0;", "refine",
           {"main.nullifiers[0]": plus("main.nullifiers[0]", 1)}, ties=untied("refine", "main.nullifiers[0]")),
    Attack("a battery pack split by a transform, so that its material could back a second passport",
           NT + "inputUsed[i] * inputIsPack[i].out === 0;", "split",
           {"main.inputKind[0]": PACK, **{f"main.outputKind[{j}]": PACK for j in range(SLOTS)}},
           culprits=("main.inputIsPack[0].out",)),
    Attack("a battery pack split by a transform, its kind read as another by the pack check",
           NT + "inputIsPack[i].in <== inputKind[i] - TRANSFORM_PACK();", "split",
           {"main.inputKind[0]": PACK, "main.inputIsPack[0].in": 1,
            **{f"main.outputKind[{j}]": PACK for j in range(SLOTS)}}),
    Attack("a phantom lot in an unused input slot adds 50 kg of certified cobalt",
           NT + "values[k] * inputEmpty[i].out === 0;", "refine", reshare({0: 730_000}, extra=PHANTOM),
           culprits=tuple(PHANTOM)),
    # The created notes.
    Attack("an output commitment of the attacker's choosing, its slot read as empty",
           NT + "outputEmpty[j].in <== outputCommitments[j];", "refine",
           {"main.outputCommitments[3]": ALLOTTED, "main.outputEmpty[3].in": 0}),
    Attack("output 0 read as unused, so its public commitment need open to nothing",
           NT + "outputUsed[j] <== 1 - outputEmpty[j].out;", "refine",
           {"main.outputUsed[0]": 0, "main.outputRiskFlags[0]": 0, "main.outputCommitments[0]": ALLOTTED},
           ties=untied("refine", "main.outputCommitments[0]")),
    Attack("output 0's hash holds 1 kg more cobalt than the job counts", NT + "outputValues[j].grams <== outputGrams[j];",
           "refine", {"main.outputValues[0].grams[0]": plus("main.outputGrams[0][0]", 1_000)}),
    Attack("output 0's hash holds 100 g more certified cobalt than its share",
           NT + "outputValues[j].certifiedGrams <== outputCertifiedGrams[j];", "refine",
           {"main.outputValues[0].certifiedGrams[0]": plus(CERTIFIED_0, 100)}),
    Attack("output 0's hash holds pre-consumer grams it was not allotted",
           NT + "outputValues[j].preConsumerGrams <== outputPreConsumerGrams[j];", "refine",
           {"main.outputValues[0].preConsumerGrams[0]": 1}),
    Attack("output 0's hash holds post-consumer grams it was not allotted",
           NT + "outputValues[j].postConsumerGrams <== outputPostConsumerGrams[j];", "refine",
           {"main.outputValues[0].postConsumerGrams[0]": 1}),
    Attack("output 0's hash holds another total", NT + "outputValues[j].totalGrams <== outputTotalGrams[j];",
           "refine", {"main.outputValues[0].totalGrams": plus("main.outputTotalGrams[0]", 1)}),
    Attack("output 0's hash holds no CO2e", NT + "outputValues[j].co2eGrams <== outputCo2eGrams[j];", "refine",
           {"main.outputValues[0].co2eGrams": 0}),
    Attack("output 0's hash holds no flags", NT + "outputValues[j].riskFlags <== outputRiskFlags[j];", "refine",
           {"main.outputValues[0].riskFlags": 0}),
    Attack("output 0 carries other values", NT + "created[j].valuesHash <== outputValues[j].valuesHash;", "refine",
           {"main.created[0].valuesHash": plus("main.outputValues[0].valuesHash", 1)}),
    Attack("output 0 is a pack, the kind check told sulfate", NT + "created[j].kind <== outputKind[j];", "refine",
           {"main.created[0].kind": PACK}),
    Attack("output 0 is owned by someone else", NT + "created[j].owner <== key.key;", "refine",
           {"main.created[0].owner": MINE.key}),
    Attack("output 0 is created offered", NT + "created[j].state <== NOTE_ACTIVE();", "refine",
           {"main.created[0].state": 1}),
    Attack("output 0 names a counterparty", NT + "created[j].counterparty <== 0;", "refine",
           {"main.created[0].counterparty": MINE.key}),
    Attack("output 0's tag is not the one given", NT + "created[j].tag <== outputTag[j];", "refine",
           {"main.created[0].tag": plus("main.outputTag[0]", 1)}),
    Attack("output 0's blinding is not the one given", NT + "created[j].blinding <== outputBlinding[j];", "refine",
           {"main.created[0].blinding": plus("main.outputBlinding[0]", 1)}),
    Attack("the public output is not the created note",
           NT + "outputUsed[j] * (created[j].commitment - outputCommitments[j]) === 0;", "refine",
           {"main.outputCommitments[0]": plus("main.outputCommitments[0]", 1)},
           ties=untied("refine", "main.outputCommitments[0]")),
    Attack("an unused output slot declares 10 t of mass",
           NT + "outputTotalGrams[j] * outputEmpty[j].out === 0;", "refine",
           reshare(totals={3: 10_000_000}), culprits=("main.outputTotalGrams[3]",)),
    # Slots: distinct nullifiers and outputs.
    Attack("the same note spent twice, the distinctness check fed the old nullifier",
           NT + "distinctInputs.commitments <== nullifiers;", "twin inputs",
           twice(**{"main.distinctInputs.commitments[1]": same("main.distinctInputs.commitments[1]")})),
    Attack("the same note spent twice, the distinctness check told it is unused",
           NT + "distinctInputs.used <== inputUsed;", "twin inputs", twice(**{"main.distinctInputs.used[0]": 0})),
    Attack("two outputs share one commitment, the distinctness check fed the old one",
           NT + "distinctOutputs.commitments <== outputCommitments;", "twin outputs",
           {**SAME_OUTPUT_TWICE, "main.distinctOutputs.commitments[1]": same("main.distinctOutputs.commitments[1]")}),
    Attack("two outputs share one commitment, the distinctness check told one is unused",
           NT + "distinctOutputs.used <== outputUsed;", "twin outputs",
           {**SAME_OUTPUT_TWICE, "main.distinctOutputs.used[0]": 0}),
    Attack("the same note spent twice, the pair's difference taken as 1",
           DISTINCT + "differs[pair].in <== commitments[i] - commitments[k];", "twin inputs",
           twice(**{"main.distinctInputs.differs[0].in": 1})),
    Attack("the same note spent twice, the pair's check disabled", DISTINCT + "differs[pair].enabled <== used[i];",
           "twin inputs", twice(**{"main.distinctInputs.differs[0].enabled": 0})),
    Attack("the same note spent twice passes the pair's non-zero check",
           CHECKS + "AssertNonZeroIf: in * inverse === enabled;", "twin inputs", same_note_twice,
           culprits=("main.distinctInputs.differs[0].inverse",)),
    # Kinds.
    Attack("a refinery makes a pack, the made kinds' first factors taken as 0",
           NT + "madeMiss[j][0] <== (outputKind[j] - made[0]) * (outputKind[j] - made[1]);", "refine",
           {"main.outputKind[0]": PACK, "main.madeMiss[0][0]": 0}),
    Attack("a refinery makes a pack, the made kinds' product taken as 0",
           NT + "madeMiss[j][1] <== madeMiss[j][0] * (outputKind[j] - made[2]);", "refine",
           {"main.outputKind[0]": PACK, "main.madeMiss[0][1]": 0}),
    Attack("a refinery makes a pack, the made kinds' last factor taken as 0",
           NT + "madeMiss[j][2] <== madeMiss[j][1] * (outputKind[j] - made[3]);", "refine",
           {"main.outputKind[0]": PACK, "main.madeMiss[0][2]": 0}),
    Attack("a refinery makes a pack, the input's factor taken as 0",
           NT + "inputMiss[j][i] <== inputUsed[i] * (outputKind[j] - inputKind[i] - 1) + 1;", "refine",
           {"main.outputKind[0]": PACK, "main.inputMiss[0][0]": 0}),
    Attack("a refinery makes a pack, the running product taken as 0",
           NT + "kindMiss[j][i] <== (i == 0 ? madeMiss[j][2] : kindMiss[j][i - 1]) * inputMiss[j][i];", "refine",
           {"main.outputKind[0]": PACK, "main.kindMiss[0][3]": 0}),
    Attack("a kind the facility does not make: a refinery makes a pack from hydroxide",
           NT + "kindMiss[j][nInputs - 1] * outputUsed[j] === 0;", "refine", {"main.outputKind[0]": PACK},
           culprits=("main.kindMiss[0][3]",)),
    # The kind mask: each used output holds only metals its kind may hold, per metal.
    Attack("lithium in recycled cobalt sulfate", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "recycle",
           LITHIUM_IN_SULFATE, culprits=("main.holds[0].grams[1]",)),
    Attack("cobalt in lithium hydroxide", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "cathode",
           reshare({(0, 0): 96_000, (1, 0): 1_000}), culprits=("main.holds[1].grams[0]",)),
    Attack("nickel in lithium carbonate", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "recycle",
           reshare({(1, 2): 1_000, (2, 2): 474_000}), culprits=("main.holds[1].grams[2]",)),
    Attack("lithium in recycled cobalt sulfate, the kind check told black mass", NT + "holds[j].kind <== outputKind[j];",
           "recycle", with_changes(LITHIUM_IN_SULFATE, {"main.holds[0].kind": BLACK_MASS})),
    Attack("lithium in recycled cobalt sulfate, the kind check told no lithium", NT + "holds[j].grams <== outputGrams[j];",
           "recycle", with_changes(LITHIUM_IN_SULFATE, {"main.holds[0].grams[1]": 0})),
    Attack("lithium in recycled cobalt sulfate, the first factor taken as 0",
           NOTES + "KindHoldsMetals: miss[m][0] <== kind - KIND_HOLDING(m, 0);", "recycle",
           with_changes(LITHIUM_IN_SULFATE, {"main.holds[0].miss[1][0]": 0})),
    Attack("lithium in recycled cobalt sulfate, the product taken as 0",
           NOTES + "KindHoldsMetals: miss[m][n] <== miss[m][n - 1] * (kind - KIND_HOLDING(m, n));", "recycle",
           with_changes(LITHIUM_IN_SULFATE, {"main.holds[0].miss[1][11]": 0})),
    # A created note's free values.
    Attack("output 1 of -1 kg of cobalt gives output 0 a kilogram more, its range check fed the honest grams",
           NT + "gramsRange[j][m].in <== outputGrams[j][m];", "carbon-free split",
           {"main.outputGrams[0][0]": 691_000, "main.outputGrams[1][0]": P - 1_000, "main.gramsRange[1][0].in": 340_000}),
    Attack("output 1 of 2^64 t takes output 0's CO2e, its range check fed 980 kg",
           NT + "totalRange[j].in <== outputTotalGrams[j];", "plain split",
           reshare(totals={1: TWO_64 + 980_000}, extra={"main.totalRange[1].in": 980_000})),
    Attack("output 0 holds more cobalt than its total, the bound fed no cobalt",
           NT + "metalsWithinTotal[j].a <== metalsTotal;", "plain split",
           reshare(totals={0: 100_000}, extra={"main.metalsWithinTotal[0].a": 0})),
    Attack("output 0 holds more cobalt than its total, the bound fed the honest total",
           NT + "metalsWithinTotal[j].b <== outputTotalGrams[j];", "plain split",
           reshare(totals={0: 100_000}, extra={"main.metalsWithinTotal[0].b": 1_000_000})),
    Attack("output 0 holds more cobalt than its total, the comparison fed 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "plain split",
           reshare(totals={0: 100_000}, extra={"main.metalsWithinTotal[0].difference.in": 0})),
    Attack("a used output without metal, its non-zero check fed a 1", NT + "holdsMaterial[j].in <== metalsTotal;",
           "plain split", reshare(grams={0: 690_000, 1: 0}, extra={"main.holdsMaterial[1].in": 1})),
    Attack("a used output without metal, its non-zero check disabled",
           NT + "holdsMaterial[j].enabled <== outputUsed[j];", "plain split",
           reshare(grams={0: 690_000, 1: 0}, extra={"main.holdsMaterial[1].enabled": 0})),
    # Per metal: mass balance.
    Attack("metal created: 1 kg more cobalt out than in, the balance fed 700 kg out",
           NT + "noMetalCreated[m].a <== gramsOut;", "refine",
           reshare({0: 701_000}, extra={"main.noMetalCreated[0].a": 700_000})),
    Attack("metal created: 1 kg more cobalt out than in, the balance fed 701 kg in",
           NT + "noMetalCreated[m].b <== gramsIn;", "refine",
           reshare({0: 701_000}, extra={"main.noMetalCreated[0].b": 701_000})),
    Attack("a loss beyond the facility's bound (10% of 5%), the loss taken as 0",
           NT + "lossWithinBound[m].a <== (gramsIn - gramsOut) * 10000;", "refine",
           reshare(TEN_PERCENT_LOST, extra={"main.lossWithinBound[0].a": 0})),
    Attack("a loss beyond the facility's bound (10% of 5%), the allowance taken as 10%",
           NT + "lossWithinBound[m].b <== maxYieldLossBps * gramsIn;", "refine",
           reshare(TEN_PERCENT_LOST, extra={"main.lossWithinBound[0].b": 70_000 * 10_000})),
    Attack("the shares' divisor taken as one gram more than the input's cobalt",
           NT + "metalAbsent[m].in <== gramsIn;", "refine", reshare(whole=700_001, extra={"main.metalAbsent[0].in": 0})),
    # Per metal: the shares.
    Attack("certified grams created: output 0's share computed as if the whole bag were certified",
           NT + "certifiedShare[j][m].amount <== certifiedIn;", "refine",
           {"main.certifiedShare[0][0].amount": 700_000, CERTIFIED_0: 680_000}),
    Attack("output 0's certified share computed for all 700 kg of cobalt",
           NT + "certifiedShare[j][m].part <== outputGrams[j][m];", "refine",
           {"main.certifiedShare[0][0].part": 700_000, CERTIFIED_0: 500_001}),
    Attack("output 0's certified share computed against 600 kg of input",
           NT + "certifiedShare[j][m].whole <== gramsIn + metalAbsent[m].out;", "refine",
           {"main.certifiedShare[0][0].whole": 600_000, CERTIFIED_0: 500_001 * 680_000 // 600_000}),
    Attack("output 0 commits 500 g more certified cobalt than its share",
           NT + "certifiedShare[j][m].share <== outputCertifiedGrams[j][m];", "refine",
           {CERTIFIED_0: plus(CERTIFIED_0, 500), "main.certifiedShare[0][0].share": same(CERTIFIED_0)}),
    Attack("output 0's certified grams wrapped around the field, its range check fed the honest share",
           NT + "certifiedRange[j][m].in <== outputCertifiedGrams[j][m];", "refine",
           wrapped_share(CERTIFIED_0, "main.certifiedShare[0][0]", "main.certifiedRange[0][0].in")),
    Attack("recycled grams created: the merge's output counted all pre-consumer scrap",
           NT + "preConsumerShare[j][m].amount <== preConsumerIn;", "merge",
           {"main.preConsumerShare[0][0].amount": 650_000, PRE_0: 640_000}),
    Attack("the merge's pre-consumer share computed for all 650 kg of cobalt",
           NT + "preConsumerShare[j][m].part <== outputGrams[j][m];", "merge",
           {"main.preConsumerShare[0][0].part": 650_000, PRE_0: 60_000}),
    Attack("the merge's pre-consumer share computed against 600 kg of input",
           NT + "preConsumerShare[j][m].whole <== gramsIn + metalAbsent[m].out;", "merge",
           {"main.preConsumerShare[0][0].whole": 600_000, PRE_0: 64_000}),
    Attack("the merge's output commits 500 g more pre-consumer scrap than its share",
           NT + "preConsumerShare[j][m].share <== outputPreConsumerGrams[j][m];", "merge",
           {PRE_0: plus(PRE_0, 500), "main.preConsumerShare[0][0].share": same(PRE_0)}),
    Attack("the merge's pre-consumer grams wrapped around the field, its range check fed the honest share",
           NT + "preConsumerRange[j][m].in <== outputPreConsumerGrams[j][m];", "merge",
           wrapped_share(PRE_0, "main.preConsumerShare[0][0]", "main.preConsumerRange[0][0].in")),
    Attack("recycled grams created: the merge's output counted all post-consumer scrap",
           NT + "postConsumerShare[j][m].amount <== postConsumerIn;", "merge",
           {"main.postConsumerShare[0][0].amount": 650_000, POST_0: 640_000}),
    Attack("the merge's post-consumer share computed for all 650 kg of cobalt",
           NT + "postConsumerShare[j][m].part <== outputGrams[j][m];", "merge",
           {"main.postConsumerShare[0][0].part": 650_000, POST_0: 120_000}),
    Attack("the merge's post-consumer share computed against 600 kg of input",
           NT + "postConsumerShare[j][m].whole <== gramsIn + metalAbsent[m].out;", "merge",
           {"main.postConsumerShare[0][0].whole": 600_000, POST_0: 128_000}),
    Attack("the merge's output commits 500 g more post-consumer scrap than its share",
           NT + "postConsumerShare[j][m].share <== outputPostConsumerGrams[j][m];", "merge",
           {POST_0: plus(POST_0, 500), "main.postConsumerShare[0][0].share": same(POST_0)}),
    Attack("the merge's post-consumer grams wrapped around the field, its range check fed the honest share",
           NT + "postConsumerRange[j][m].in <== outputPostConsumerGrams[j][m];", "merge",
           wrapped_share(POST_0, "main.postConsumerShare[0][0]", "main.postConsumerRange[0][0].in")),
    # Process CO2e and the CO2e shares.
    Attack("process CO2e of 2^64 g + 80 kg, past the overflow bound, its range check fed 80 kg",
           NT + "processRange.in <== processCo2eGrams;", "split",
           reshare(extra={"main.processCo2eGrams": TWO_64 + 80_000, "main.processRange.in": 80_000})),
    Attack("process CO2e under the floor (none for 2 t at 40 g/kg), the floor side taken as 0",
           NT + "processAboveFloor.a <== siteFloor * totalIn;", "split",
           reshare(extra={"main.processCo2eGrams": 0, "main.processAboveFloor.a": 0})),
    Attack("process CO2e under the floor (none for 2 t at 40 g/kg), the CO2e side taken as 80 kg",
           NT + "processAboveFloor.b <== processCo2eGrams * 1000;", "split",
           reshare(extra={"main.processCo2eGrams": 0, "main.processAboveFloor.b": 80_000_000})),
    Attack("CO2e dropped: output 0's share computed from no CO2e at all",
           NT + "co2eShare[j].amount <== co2eIn + processCo2eGrams;", "split",
           {"main.co2eShare[0].amount": 0, CO2E_0: 0}),
    Attack("output 0's CO2e share computed for 1 g of cobalt", NT + "co2eShare[j].part <== outputMetal[j];",
           "split", {"main.co2eShare[0].part": 1, CO2E_0: -(-3_580_000 // 695_000)}),
    Attack("output 0's CO2e share computed against 1,000 t of cobalt out", NT + "co2eShare[j].whole <== metalOut;",
           "split", {"main.co2eShare[0].whole": 10 ** 9, CO2E_0: -(-3_580_000 * 175_000 // 10 ** 9)}),
    Attack("output 0 commits no CO2e at all, its share left as computed",
           NT + "co2eShare[j].share <== outputCo2eGrams[j];", "split",
           {CO2E_0: 0, "main.co2eShare[0].share": same(CO2E_0)}),
    Attack("output 0's CO2e wrapped around the field, its range check fed the honest share",
           NT + "co2eRange[j].in <== outputCo2eGrams[j];", "split",
           wrapped_share(CO2E_0, "main.co2eShare[0]", "main.co2eRange[0].in", ceiling=True)),
    # FloorProportion and CeilProportion: rounding in the attacker's favour needs a remainder outside
    # [0, whole), which only the remainder's checks stop.
    Attack("output 0's certified share rounded up, the product taken a whole larger",
           FLOOR + "signal product <== amount * part;", "refine",
           lambda honest: {CERTIFIED_0: honest(CERTIFIED_0) + 1, "main.certifiedShare[0][0].product":
                           honest("main.certifiedShare[0][0].product") + honest("main.certifiedShare[0][0].whole")}),
    Attack("output 0's certified share rounded up with a negative remainder",
           FLOOR + "remainderRange.in <== remainder;", "refine",
           rounded(CERTIFIED_0, "main.certifiedShare[0][0]", 1, -1,
                   {"main.certifiedShare[0][0].remainderRange.in": lambda remainder, whole: 0})),
    Attack("output 0's certified share rounded down, a remainder of more than a whole checked as the honest one",
           FLOOR + "remainderBelowWhole.a <== remainder;", "refine",
           rounded(CERTIFIED_0, "main.certifiedShare[0][0]", -1, 1,
                   {"main.certifiedShare[0][0].remainderBelowWhole.a": lambda remainder, whole: remainder})),
    Attack("output 0's certified share rounded down, the remainder compared with 2 wholes",
           FLOOR + "remainderBelowWhole.b <== whole;", "refine",
           rounded(CERTIFIED_0, "main.certifiedShare[0][0]", -1, 1,
                   {"main.certifiedShare[0][0].remainderBelowWhole.b": lambda remainder, whole: 2 * whole})),
    Attack("output 0's certified share rounded down, remainder minus whole decomposed as 0",
           CHECKS + "AssertLessThanBounded: difference.in <== b - a - 1;", "refine",
           rounded(CERTIFIED_0, "main.certifiedShare[0][0]", -1, 1,
                   {"main.certifiedShare[0][0].remainderBelowWhole.difference.in": lambda remainder, whole: 0})),
    Attack("output 0 takes one certified gram more than its floor share",
           FLOOR + "share * whole + remainder === product;", "refine",
           rounded(CERTIFIED_0, "main.certifiedShare[0][0]", 1, 0)),
    Attack("CO2e dropped: output 0's share rounded down, the product taken a whole smaller",
           CEIL + "signal product <== amount * part;", "split",
           lambda honest: {CO2E_0: honest(CO2E_0) - 1, "main.co2eShare[0].product":
                           honest("main.co2eShare[0].product") - honest("main.co2eShare[0].whole")}),
    Attack("CO2e dropped: output 0's share rounded down with a negative remainder",
           CEIL + "remainderRange.in <== remainder;", "split",
           rounded(CO2E_0, "main.co2eShare[0]", -1, -1,
                   {"main.co2eShare[0].remainderRange.in": lambda remainder, whole: 0})),
    Attack("output 0's CO2e share rounded up past the ceiling, a remainder over a whole checked as the honest one",
           CEIL + "remainderBelowWhole.a <== remainder;", "split",
           rounded(CO2E_0, "main.co2eShare[0]", 1, 1,
                   {"main.co2eShare[0].remainderBelowWhole.a": lambda remainder, whole: remainder})),
    Attack("output 0's CO2e share rounded up past the ceiling, the remainder compared with 2 wholes",
           CEIL + "remainderBelowWhole.b <== whole;", "split",
           rounded(CO2E_0, "main.co2eShare[0]", 1, 1,
                   {"main.co2eShare[0].remainderBelowWhole.b": lambda remainder, whole: 2 * whole})),
    Attack("CO2e dropped: output 0 carries one gram less than its ceiling share",
           CEIL + "share * whole === product + remainder;", "split", rounded(CO2E_0, "main.co2eShare[0]", -1, 0)),
    # Risk flags.
    Attack("taint washed: the child-labour lot's flags decomposed as 0",
           NT + "inputFlagBits[i].in <== inputRiskFlags[i];", "merge", {**WASHED, "main.inputFlagBits[1].in": 0}),
    Attack("taint washed: the artisanal bag's flag read as clear",
           NT + "noneSet[bit][0] <== 1 - inputFlagBits[0].bits[bit];", "refine",
           {"main.outputRiskFlags[0]": 0, "main.noneSet[2][0]": 1}),
    Attack("taint washed: the child-labour flag's running AND reset",
           NT + "noneSet[bit][i] <== noneSet[bit][i - 1] * (1 - inputFlagBits[i].bits[bit]);", "merge",
           {**WASHED, "main.noneSet[0][1]": 1}),
    Attack("taint washed: the merge's output drops the child-labour flag",
           NT + "outputRiskFlags[j] === outputUsed[j] * mergedFlags;", "merge", WASHED),
    Attack("context is no longer squared (it binds the proof to chain, contract and call)",
           NT + "contextSquare <== context * context;", "refine", {"main.contextSquare": plus("main.contextSquare", 1)}),
    # NoteValuesHash, NoteCommitment, NoteNullifier, ShieldingKey.
    *[Attack(f"output 0's values hash input {name} is not the value", NOTES + f"NoteValuesHash: {statement}", "refine",
             {f"main.outputValues[0].hash.inputs[{index}]": plus(f"main.outputValues[0].hash.inputs[{index}]", 1)})
      for index, name, statement in (
          (0, "grams", "hash.inputs[4 * m] <== grams[m];"),
          (1, "certified", "hash.inputs[4 * m + 1] <== certifiedGrams[m];"),
          (2, "pre-consumer", "hash.inputs[4 * m + 2] <== preConsumerGrams[m];"),
          (3, "post-consumer", "hash.inputs[4 * m + 3] <== postConsumerGrams[m];"),
          (4, "total", "hash.inputs[4 * metals] <== totalGrams;"),
          (5, "CO2e", "hash.inputs[4 * metals + 1] <== co2eGrams;"),
          (6, "flags", "hash.inputs[4 * metals + 2] <== riskFlags;"))],
    Attack("output 0's values hash is not its hash", NOTES + "NoteValuesHash: valuesHash <== hash.out;", "refine",
           {"main.outputValues[0].valuesHash": plus("main.outputValues[0].valuesHash", 1)}),
    Attack("output 0's commitment is not its hash", NOTES + "NoteCommitment: commitment <== hash.out;", "refine",
           {"main.created[0].commitment": plus("main.created[0].commitment", 1)}),
    Attack("output 0's hash is of another opening",
           NOTES + "NoteCommitment: hash.inputs <== [valuesHash, kind, owner, state, counterparty, tag, blinding];",
           "refine", {"main.created[0].hash.inputs[1]": plus("main.outputKind[0]", 1)}),
    Attack("the nullifier hashes another pair", NOTES + "NoteNullifier: hash.inputs <== [commitment, blinding];",
           "refine", {"main.spentNullifier[0].hash.inputs[1]": plus("main.inputBlinding[0]", 1)}),
    Attack("the nullifier is not its hash", NOTES + "NoteNullifier: nullifier <== hash.out;", "refine",
           {"main.spentNullifier[0].nullifier": plus("main.spentNullifier[0].nullifier", 1)}),
    Attack("the actor's key without the shielding domain",
           NOTES + "ShieldingKey: hash.inputs <== [SHIELDING_DOMAIN(), secret];", "refine",
           {"main.key.hash.inputs[0]": 0}),
    Attack("the actor's key is not its hash", NOTES + "ShieldingKey: key <== hash.out;", "refine",
           {"main.key.key": plus("main.key.key", 1)}),
    # FacilityMembership: the packed leaf opens one way.
    Attack("the refinery read as a pack plant (id - 4 * 2^32, type + 4), the id check fed the id",
           FACILITY + "idRange.in <== facilityId;", "split",
           {"main.facilityId": (REFINERY_SITE.facility_id - (4 << 32)) % P, "main.facilityType": 6,
            "main.site.idRange.in": REFINERY_SITE.facility_id}),
    Attack("flags + 256 with the yield loss - 1, the flags check fed the flags", FACILITY + "flagsRange.in <== riskFlags;",
           "split", {"main.siteFlags": 256, "main.maxYieldLossBps": REFINERY_SITE.max_yield_loss_bps - 1,
                     "main.site.flagsRange.in": 0}),
    Attack("a 10% loss under a bound of 5% + 2^16 bps (the floor - 1), the loss check fed 5%",
           FACILITY + "lossRange.in <== maxYieldLossBps;", "refine",
           reshare(TEN_PERCENT_LOST, extra={"main.maxYieldLossBps": REFINERY_SITE.max_yield_loss_bps + (1 << 16),
                                            "main.siteFloor": REFINERY_SITE.co2e_floor_grams_per_kg - 1,
                                            "main.site.lossRange.in": REFINERY_SITE.max_yield_loss_bps})),
    Attack("no process CO2e under a floor of 40 - 2^32 g/kg (the country + 1), the floor check fed 40",
           FACILITY + "floorRange.in <== co2eFloorGramsPerKg;", "split",
           reshare(extra={"main.siteFloor": (REFINERY_SITE.co2e_floor_grams_per_kg - (1 << 32)) % P,
                          "main.country": REFINERY_SITE.country + 1, "main.processCo2eGrams": 0,
                          "main.site.floorRange.in": REFINERY_SITE.co2e_floor_grams_per_kg})),
    Attack("the refinery read with the country - 2^16 and a split of 1 bps, the country check fed the country",
           FACILITY + "countryRange.in <== country;", "split",
           {"main.country": (REFINERY_SITE.country - (1 << 16)) % P, "main.recycledPreConsumerBps": 1,
            "main.site.countryRange.in": REFINERY_SITE.country}),
    # The split, the leaf's top field and unused by a transform, read as the wrapped number that
    # absorbs a larger yield-loss bound: the forgery tests/circuits/test_packed_leaves.py builds for
    # the fields below it, which the split's range check stops.
    Attack("a 10% loss under a bound of 10%, the refinery's leaf read with the split absorbing the difference",
           FACILITY + "splitRange.in <== recycledPreConsumerBps;", "refine",
           reshare(TEN_PERCENT_LOST, extra={"main.maxYieldLossBps": 1_000,
                                            "main.recycledPreConsumerBps": -500 * pow(1 << 64, P - 2, P) % P,
                                            "main.site.splitRange.in": 0})),
    Attack("the site's flag bits are not its flags' bits", FACILITY + "flagBits <== flagsRange.bits;", "refine",
           {"main.site.flagBits[2]": 1}),
    Attack("the facility leaf packs another id",
           FACILITY + "leaf.inputs <== [operator, facilityId + facilityType * (1 << 32) + riskFlags * (1 << 40)"
           " + maxYieldLossBps * (1 << 48) + co2eFloorGramsPerKg * (1 << 64) + country * (1 << 96)"
           " + recycledPreConsumerBps * (1 << 112)];", "refine",
           {"main.site.leaf.inputs[1]": plus("main.site.leaf.inputs[1]", 1)}),
    Attack("the facility path starts from another leaf", FACILITY + "path.leaf <== leaf.out;", "refine",
           {"main.site.path.leaf": plus("main.site.leaf.out", 1)}),
    Attack("the facility path has another length", FACILITY + "path.length <== pathLength;", "refine",
           {"main.site.path.length": plus("main.facilityPathLength", 1)}),
    Attack("the facility path has another index", FACILITY + "path.pathIndex <== pathIndex;", "refine",
           {"main.site.path.pathIndex": plus("main.facilityPathIndex", 1)}),
    Attack("the facility path has other siblings", FACILITY + "path.siblings <== siblings;", "refine",
           {"main.site.path.siblings[0]": plus("main.facilitySiblings[0]", 1)}),
    Attack("the facilities root is not the path's", FACILITY + "root <== path.root;", "refine",
           {"main.site.root": plus("main.site.root", 1)}),
    *lean_imt_attacks("main.spentPath[0]", "main.inputPathLength[0]", "main.inputPathIndex[0]", "refine"),
    *participant_attacks("main.actor", "main.account", "main.roleIndex", "main.operatorFlags",
                         "main.participantPathLength", "main.participantPathIndex", "main.participantSiblings[0]",
                         "refine"),
    *poseidon_attacks("main.created[0].hash", "refine"),
]


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("note_transform", {name: inputs for name, (inputs, _) in SCENARIOS.items()},
                     {name: tied for name, (_, tied) in SCENARIOS.items()}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("note_transform"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

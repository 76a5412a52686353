"""OriginProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the origin circuit: its own, the registry
memberships', the LeanIMT path's, the checks', circomlib's IsZero, Num2Bits and Poseidon. Each
satisfies every other constraint of the sources and violates this one; the committed R1CS must
reject it. The public roots, mint tag and output commitment follow the forged witness (ties)."""

from __future__ import annotations

import pytest

from .attacker import P, Attack, AttackLab, Honest, constraint_labels, plus, poseidon_attacks
from .note_attacks import lean_imt_attacks, participant_attacks
from .notes import (
    ARTISANAL,
    CERTIFICATION,
    MINE,
    MINE_SITE,
    RECYCLER_PARTY,
    RECYCLING,
    REFINERY,
    REFINING,
    Registry,
    mined,
)

ORIGIN = "lib/origin.circom OriginProof: "
NOTES = "lib/notes.circom "
FACILITY = "lib/registry.circom FacilityMembership: "
CERTIFICATE = "lib/registry.circom CertificationMembership: "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "
HALF = (P + 1) // 2
COBALT = 700_000

UNCERTIFIED_TIES = {"main.outputCommitment": "main.created.commitment", "main.mintTag": "main.tagOfMint.out",
                    "main.participantsRoot": "main.minter.root", "main.facilitiesRoot": "main.site.root"}
TIES = {**UNCERTIFIED_TIES, "main.certificationsRoot": "main.certification.root"}


def untied(public: str) -> dict[str, str]:
    return {name: source for name, source in TIES.items() if name != public}


def same(name: str):
    return lambda honest: honest(name)


def a_refinery(**more: int) -> dict[str, int]:
    """The refinery's operator minting at its refinery (type 2), every leaf its own."""
    participant = REFINERY.participant
    return {"main.secret": REFINERY.secret, "main.account": participant.account, "main.roleIndex": participant.role_index,
            "main.operatorFlags": 0, "main.facilityId": REFINING.facility_id, "main.facilityType": REFINING.facility_type,
            "main.siteFlags": 0, "main.maxYieldLossBps": REFINING.max_yield_loss_bps, "main.siteFloor": 0,
            "main.country": REFINING.country, "main.riskFlags": 0, **more}


def below_the_type_floor(bits: str):
    """Artisanal cobalt at 2 kg CO2e per kg, under the type's 4: the attacker writes the negative
    difference's decomposition, "field" (all of it in bit 0) or "zero" (every bit 0)."""
    def changes(honest: Honest) -> dict[str, int]:
        difference = (1_400_000 * 1000 - COBALT * 4_000) % P
        written = {f"main.aboveTypeFloor.difference.out[{index}]": 0 for index in range(97)}
        if bits == "field":
            written["main.aboveTypeFloor.difference.out[0]"] = difference
        return {"main.co2eGrams": 1_400_000, **written}
    return changes


ZERO_COBALT = {"main.grams[0]": 0, "main.certifiedGrams[0]": 0}

ATTACKS = [
    # Who mints where: the participant, its site, the site's type and kind.
    Attack("the minter's key is derived from another secret than the one given", ORIGIN + "key.secret <== secret;",
           "certified", {"main.secret": plus("main.secret", 1), "main.key.secret": same("main.secret")}),
    Attack("the minter's membership is checked for another account", ORIGIN + "minter.account <== account;",
           "certified", {"main.minter.account": plus("main.account", 1)}),
    Attack("the minter's membership is checked for another role", ORIGIN + "minter.roleIndex <== roleIndex;",
           "certified", {"main.minter.roleIndex": 7}),
    Attack("the minter's membership is checked without its operator flags",
           ORIGIN + "minter.riskFlags <== operatorFlags;", "certified", {"main.minter.riskFlags": 0}),
    Attack("the minter's membership is checked for another key", ORIGIN + "minter.shieldingKey <== key.key;",
           "certified", {"main.minter.shieldingKey": REFINERY.key}),
    Attack("the minter's path length is not the one given", ORIGIN + "minter.pathLength <== participantPathLength;",
           "certified", {"main.minter.pathLength": plus("main.participantPathLength", 1)}),
    Attack("the minter's path index is not the one given", ORIGIN + "minter.pathIndex <== participantPathIndex;",
           "certified", {"main.minter.pathIndex": plus("main.participantPathIndex", 1)}),
    Attack("the minter's siblings are not the ones given", ORIGIN + "minter.siblings <== participantSiblings;",
           "certified", {"main.minter.siblings[0]": plus("main.participantSiblings[0]", 1)}),
    Attack("the minter is in a participants tree the contract does not know",
           ORIGIN + "minter.root === participantsRoot;", "certified",
           {"main.participantsRoot": plus("main.participantsRoot", 1)}, ties=untied("main.participantsRoot")),
    Attack("the site is someone else's", ORIGIN + "site.operator <== account;", "certified",
           {"main.site.operator": REFINERY.participant.account}),
    Attack("the site's membership is checked for another id", ORIGIN + "site.facilityId <== facilityId;",
           "certified", {"main.site.facilityId": ARTISANAL.facility_id}),
    Attack("the site's membership is checked for another type", ORIGIN + "site.facilityType <== facilityType;",
           "certified", {"main.site.facilityType": REFINING.facility_type}),
    Attack("the site's membership is checked without its flags", ORIGIN + "site.riskFlags <== siteFlags;",
           "artisanal", {"main.site.riskFlags": 0}),
    Attack("the site's membership is checked for another yield loss",
           ORIGIN + "site.maxYieldLossBps <== maxYieldLossBps;", "certified", {"main.site.maxYieldLossBps": 1}),
    Attack("the site's membership is checked for another floor", ORIGIN + "site.co2eFloorGramsPerKg <== siteFloor;",
           "certified", {"main.site.co2eFloorGramsPerKg": 0}),
    Attack("the site's membership is checked for another country", ORIGIN + "site.country <== country;",
           "certified", {"main.site.country": plus("main.country", 1)}),
    Attack("the site's path length is not the one given", ORIGIN + "site.pathLength <== facilityPathLength;",
           "certified", {"main.site.pathLength": plus("main.facilityPathLength", 1)}),
    Attack("the site's path index is not the one given", ORIGIN + "site.pathIndex <== facilityPathIndex;",
           "certified", {"main.site.pathIndex": plus("main.facilityPathIndex", 1)}),
    Attack("the site's siblings are not the ones given", ORIGIN + "site.siblings <== facilitySiblings;",
           "certified", {"main.site.siblings[0]": plus("main.facilitySiblings[0]", 1)}),
    Attack("the site is in a facilities tree the contract does not know (not activated)",
           ORIGIN + "site.root === facilitiesRoot;", "certified",
           {"main.facilitiesRoot": plus("main.facilitiesRoot", 1)}, ties=untied("main.facilitiesRoot")),
    Attack("a refinery mints hydroxide as an industrial mine", ORIGIN + "isIndustrial.in <== facilityType - INDUSTRIAL_MINE();",
           "certified", a_refinery(**{"main.isIndustrial.in": 0})),
    Attack("a refinery mints hydroxide as an artisanal site", ORIGIN + "isArtisanal.in <== facilityType - ARTISANAL_SITE();",
           "artisanal", a_refinery(**{"main.isArtisanal.in": 0})),
    Attack("a refinery mints black mass as a recycler", ORIGIN + "isRecycler.in <== facilityType - RECYCLER();",
           "recycler", a_refinery(**{"main.isRecycler.in": 0})),
    Attack("a refinery mints hydroxide as no type at all",
           ORIGIN + "isIndustrial.out + isArtisanal.out + isRecycler.out === 1;", "artisanal", a_refinery(),
           culprits=("main.isIndustrial.out",)),
    Attack("a recycler mints cobalt hydroxide", ORIGIN + "isRecycler.out * (kind - BLACK_MASS()) === 0;", "recycler",
           {"main.kind": 1}),
    Attack("a mine mints black mass", ORIGIN + "mineKind * (kind - 1) === 0;", "certified", {"main.kind": 10}),
    Attack("a mine mints black mass, the kind's term taken as 0", ORIGIN + "signal mineKind <== (1 - isRecycler.out) * kind;",
           "certified", {"main.kind": 10, "main.mineKind": 0}),
    # The certification: of this site, valid at proofTime.
    Attack("the certification checked is of another id", ORIGIN + "certification.certificationId <== certificationId;",
           "certified", {"main.certification.certificationId": plus("main.certificationId", 1)}),
    Attack("a certification of another site counts", ORIGIN + "certification.facilityId <== facilityId;",
           "certified", {"main.certification.facilityId": ARTISANAL.facility_id}),
    Attack("the certification checked is of another scheme", ORIGIN + "certification.scheme <== scheme;",
           "certified", {"main.certification.scheme": 1}),
    Attack("the certification checked starts at another time", ORIGIN + "certification.validFrom <== validFrom;",
           "certified", {"main.certification.validFrom": plus("main.validFrom", -1)}),
    Attack("the certification checked ends at another time", ORIGIN + "certification.end <== end;",
           "certified", {"main.certification.end": plus("main.end", 1)}),
    Attack("the certification's path length is not the one given",
           ORIGIN + "certification.pathLength <== certificationPathLength;", "certified",
           {"main.certification.pathLength": plus("main.certificationPathLength", 1)}),
    Attack("the certification's path index is not the one given",
           ORIGIN + "certification.pathIndex <== certificationPathIndex;", "certified",
           {"main.certification.pathIndex": plus("main.certificationPathIndex", 1)}),
    Attack("the certification's siblings are not the ones given",
           ORIGIN + "certification.siblings <== certificationSiblings;", "certified",
           {"main.certification.siblings[0]": plus("main.certificationSiblings[0]", 1)}),
    Attack("a certification outside the registry's tree",
           ORIGIN + "certified * (certification.root - certificationsRoot) === 0;", "certified",
           {"main.certificationsRoot": plus("main.certificationsRoot", 1)}, ties=untied("main.certificationsRoot")),
    # An uncertified lot's (zero) certification path, its root presented as the registry's.
    Attack("certified = 1/2 certifies half a lot", ORIGIN + "certifiedIsBit.in <== certified;", "artisanal",
           {"main.certified": HALF, "main.certifiedGrams[0]": COBALT // 2, "main.certifiedIsBit.in": 0,
            "main.certificationsRoot": same("main.certification.root")}),
    Attack("certified = 1/2 is taken for a bit", CHECKS + "AssertBit: in * (in - 1) === 0;", "artisanal",
           {"main.certified": HALF, "main.certifiedGrams[0]": COBALT // 2,
            "main.certificationsRoot": same("main.certification.root")}, culprits=("main.certifiedIsBit.in",)),
    Attack("a certification not yet valid, its start taken as the proof's time",
           ORIGIN + "validFromPassed.a <== certified * validFrom;", "certified",
           {"main.proofTime": CERTIFICATION.valid_from - 1, "main.validFromPassed.a": CERTIFICATION.valid_from - 1}),
    Attack("a certification not yet valid, the proof's time taken as its start",
           ORIGIN + "validFromPassed.b <== proofTime;", "certified",
           {"main.proofTime": CERTIFICATION.valid_from - 1, "main.validFromPassed.b": CERTIFICATION.valid_from}),
    Attack("an expired certification, the proof's time taken as earlier", ORIGIN + "notEnded.a <== proofTime;",
           "certified", {"main.proofTime": CERTIFICATION.end, "main.notEnded.a": CERTIFICATION.end - 1}),
    Attack("an expired certification, its end taken as later",
           ORIGIN + "notEnded.b <== certified * end + (1 - certified) * (1 << 64);", "certified",
           {"main.proofTime": CERTIFICATION.end, "main.notEnded.b": CERTIFICATION.end + 1}),
    Attack("an expired certification, the comparison fed 0",
           CHECKS + "AssertLessThanBounded: difference.in <== b - a - 1;", "certified",
           {"main.proofTime": CERTIFICATION.end, "main.notEnded.difference.in": 0}),
    # The values.
    Attack("an uncertified lot claims certified cobalt", ORIGIN + "certifiedGrams[m] === certified * grams[m];",
           "artisanal", {"main.certifiedGrams[0]": COBALT}),
    Attack("a mine's lot claims pre-consumer recycled cobalt", ORIGIN + "preConsumerGrams[m] === 0;", "certified",
           {"main.preConsumerGrams[0]": 1}),
    Attack("a mine's lot claims post-consumer recycled cobalt",
           ORIGIN + "postConsumerGrams[m] === isRecycler.out * grams[m];", "certified",
           {"main.postConsumerGrams[0]": COBALT}),
    Attack("-1 g of cobalt, its range check fed the honest grams", ORIGIN + "gramsRange[m].in <== grams[m];",
           "certified", {"main.grams[0]": P - 1, "main.certifiedGrams[0]": P - 1, "main.gramsRange[0].in": COBALT}),
    Attack("a total of 2^64 + 2 t, its range check fed 2 t", ORIGIN + "totalRange.in <== totalGrams;", "certified",
           {"main.totalGrams": (1 << 64) + 2_000_000, "main.totalRange.in": 2_000_000}),
    Attack("a total of 2^64 + 2 t, the decomposition fed 2 t", CHECKS + "RangeCheck: toBits.in <== in;", "certified",
           {"main.totalGrams": (1 << 64) + 2_000_000, "main.totalRange.toBits.in": 2_000_000}),
    Attack("CO2e of 2^64 + 4.9 t, its range check fed 4.9 t", ORIGIN + "co2eRange.in <== co2eGrams;", "certified",
           {"main.co2eGrams": (1 << 64) + 4_900_000, "main.co2eRange.in": 4_900_000}),
    Attack("more cobalt than the lot's total, the bound fed the honest cobalt",
           ORIGIN + "metalsWithinTotal.a <== metalsTotal;", "certified",
           {"main.grams[0]": 3_000_000, "main.certifiedGrams[0]": 3_000_000, "main.co2eGrams": 18_000_000,
            "main.metalsWithinTotal.a": COBALT}),
    Attack("a total below the cobalt, the bound fed the honest total", ORIGIN + "metalsWithinTotal.b <== totalGrams;",
           "certified", {"main.totalGrams": 100_000, "main.metalsWithinTotal.b": 2_000_000}),
    Attack("a total below the cobalt, the comparison fed 0", CHECKS + "AssertLessEqBounded: difference.in <== b - a;",
           "certified", {"main.totalGrams": 100_000, "main.metalsWithinTotal.difference.in": 0}),
    Attack("a lot without cobalt, its non-zero check fed a 1", ORIGIN + "someCobalt.in <== grams[0];", "certified",
           {**ZERO_COBALT, "main.someCobalt.in": 1}),
    Attack("a lot without cobalt passes the non-zero check", CHECKS + "AssertNonZeroIf: in * inverse === enabled;",
           "certified", ZERO_COBALT, culprits=("main.someCobalt.check.inverse",)),
    Attack("a lot without cobalt, the non-zero check fed a 1", CHECKS + "AssertNonZero: check.in <== in;",
           "certified", {**ZERO_COBALT, "main.someCobalt.check.in": 1}),
    Attack("a lot without cobalt, the non-zero check disabled", CHECKS + "AssertNonZero: check.enabled <== 1;",
           "certified", {**ZERO_COBALT, "main.someCobalt.check.enabled": 0}),
    Attack("a range check's output bits are not the checked bits", CHECKS + "RangeCheck: bits <== toBits.out;",
           "certified", {"main.gramsRange[0].bits[0]": plus("main.gramsRange[0].bits[0]", 1)}),
    # Flags: the site's OR the operator's.
    Attack("the operator's artisanal flag is washed, its bits fed 0", ORIGIN + "operatorBits.in <== operatorFlags;",
           "certified", {"main.riskFlags": 0, "main.operatorBits.in": 0}),
    Attack("the artisanal flag is washed, the bit taken as set on both sides",
           ORIGIN + "both[bit] <== site.flagBits[bit] * operatorBits.out[bit];", "certified",
           {"main.riskFlags": 0, "main.both[2]": 1}),
    Attack("the lot drops the flags", ORIGIN + "riskFlags === merged;", "certified", {"main.riskFlags": 0}),
    # CO2e floors.
    Attack("CO2e below the site's floor, the floor side taken as 0", ORIGIN + "aboveSiteFloor.a <== grams[0] * siteFloor;",
           "certified", {"main.co2eGrams": 4_199_999, "main.aboveSiteFloor.a": 0}),
    Attack("CO2e below the site's floor, the CO2e side taken as the honest one",
           ORIGIN + "aboveSiteFloor.b <== co2eGrams * 1000;", "certified",
           {"main.co2eGrams": 4_199_999, "main.aboveSiteFloor.b": 4_900_000_000}),
    Attack("CO2e below the type's floor, the floor side taken as 0", ORIGIN + "aboveTypeFloor.a <== grams[0] * floorOfType;",
           "artisanal", {"main.co2eGrams": 1, "main.aboveTypeFloor.a": 0}),
    Attack("CO2e below the type's floor, the CO2e side taken as the honest one",
           ORIGIN + "aboveTypeFloor.b <== co2eGrams * 1000;", "artisanal",
           {"main.co2eGrams": 1, "main.aboveTypeFloor.b": 2_800_000_000}),
    Attack("an artisanal site's floor taken as 0", ORIGIN + "signal artisanalFloor <== isArtisanal.out * artisanalSiteFloor;",
           "artisanal", {"main.co2eGrams": 1, "main.artisanalFloor": 0}),
    Attack("an industrial mine's type floor taken as 0",
           ORIGIN + "signal industrialFloor <== isIndustrial.out * industrialMineFloor;", "certified",
           {"main.industrialFloor": 0}),
    Attack("the type's floor taken as 0",
           ORIGIN + "signal floorOfType <== industrialFloor + artisanalFloor + isRecycler.out * recyclerFloor;",
           "artisanal", {"main.co2eGrams": 1, "main.floorOfType": 0}),
    Attack("a type floor of -1 g/kg, its range check fed the real floor", ORIGIN + "typeFloorRange.in <== floorOfType;",
           "artisanal", {"main.artisanalSiteFloor": P - 1, "main.co2eGrams": 1, "main.typeFloorRange.in": 4_000}),
    Attack("CO2e below the type's floor, decomposed with a non-bit", BITIFY + "out[i] * (out[i] -1 ) === 0;",
           "artisanal", below_the_type_floor("field"), culprits=("main.aboveTypeFloor.difference.out[0]",)),
    Attack("CO2e below the type's floor, decomposed into bits that do not sum to it", BITIFY + "lc1 === in;",
           "artisanal", below_the_type_floor("zero"), culprits=("main.aboveTypeFloor.difference.in",)),
    # The tag, the mint tag and the note.
    Attack("the tag is of another ERP id than the one given", ORIGIN + "tag.inputs <== [secret, facilityId, externalId];",
           "certified", {"main.tag.inputs[2]": plus("main.externalId", 1)}),
    Attack("the mint tag is hashed without its domain", ORIGIN + "tagOfMint.inputs <== [MINT_DOMAIN(), tag.out];",
           "certified", {"main.tagOfMint.inputs[0]": 0}),
    Attack("the public mint tag is not the note's (the same id could mint twice)",
           ORIGIN + "tagOfMint.out === mintTag;", "certified", {"main.mintTag": plus("main.mintTag", 1)},
           ties=untied("main.mintTag")),
    Attack("the values hashed are not the checked grams", ORIGIN + "values.grams <== grams;", "certified",
           {"main.values.grams[0]": plus("main.grams[0]", 1_000)}),
    Attack("the values hashed are not the certified grams", ORIGIN + "values.certifiedGrams <== certifiedGrams;",
           "artisanal", {"main.values.certifiedGrams[0]": COBALT}),
    Attack("the values hashed are not the pre-consumer grams", ORIGIN + "values.preConsumerGrams <== preConsumerGrams;",
           "certified", {"main.values.preConsumerGrams[0]": 1}),
    Attack("the values hashed are not the post-consumer grams",
           ORIGIN + "values.postConsumerGrams <== postConsumerGrams;", "certified",
           {"main.values.postConsumerGrams[0]": COBALT}),
    Attack("the values hashed are not the total", ORIGIN + "values.totalGrams <== totalGrams;", "certified",
           {"main.values.totalGrams": plus("main.totalGrams", 1)}),
    Attack("the values hashed are not the checked CO2e", ORIGIN + "values.co2eGrams <== co2eGrams;", "certified",
           {"main.values.co2eGrams": 1}),
    Attack("the values hashed are not the merged flags", ORIGIN + "values.riskFlags <== riskFlags;", "certified",
           {"main.values.riskFlags": 0}),
    *[Attack(f"the values hash's input {name} is not the value", NOTES + f"NoteValuesHash: {statement}", "certified",
             {f"main.values.hash.inputs[{index}]": plus(f"main.values.hash.inputs[{index}]", 1)})
      for index, name, statement in (
          (0, "grams", "hash.inputs[4 * m] <== grams[m];"),
          (1, "certified", "hash.inputs[4 * m + 1] <== certifiedGrams[m];"),
          (2, "pre-consumer", "hash.inputs[4 * m + 2] <== preConsumerGrams[m];"),
          (3, "post-consumer", "hash.inputs[4 * m + 3] <== postConsumerGrams[m];"),
          (4, "total", "hash.inputs[4 * metals] <== totalGrams;"),
          (5, "CO2e", "hash.inputs[4 * metals + 1] <== co2eGrams;"),
          (6, "flags", "hash.inputs[4 * metals + 2] <== riskFlags;"))],
    Attack("the values hash is not its hash", NOTES + "NoteValuesHash: valuesHash <== hash.out;", "certified",
           {"main.values.valuesHash": plus("main.values.valuesHash", 1)}),
    Attack("the note carries other values", ORIGIN + "created.valuesHash <== values.valuesHash;", "certified",
           {"main.created.valuesHash": plus("main.values.valuesHash", 1)}),
    Attack("the note is of another kind", ORIGIN + "created.kind <== kind;", "certified", {"main.created.kind": 4}),
    Attack("the note is owned by someone else", ORIGIN + "created.owner <== key.key;", "certified",
           {"main.created.owner": REFINERY.key}),
    Attack("the note is created offered", ORIGIN + "created.state <== NOTE_ACTIVE();", "certified",
           {"main.created.state": 1}),
    Attack("the note names a counterparty", ORIGIN + "created.counterparty <== 0;", "certified",
           {"main.created.counterparty": REFINERY.key}),
    Attack("the note's tag is not the mint's", ORIGIN + "created.tag <== tag.out;", "certified",
           {"main.created.tag": plus("main.tag.out", 1)}),
    Attack("the note's blinding is not the one given", ORIGIN + "created.blinding <== blinding;", "certified",
           {"main.created.blinding": plus("main.blinding", 1)}),
    Attack("the public output is not the note", ORIGIN + "created.commitment === outputCommitment;", "certified",
           {"main.outputCommitment": plus("main.outputCommitment", 1)}, ties=untied("main.outputCommitment")),
    Attack("context is no longer squared", ORIGIN + "contextSquare <== context * context;", "certified",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    Attack("the note's commitment is not its hash", NOTES + "NoteCommitment: commitment <== hash.out;", "certified",
           {"main.created.commitment": plus("main.created.commitment", 1)}),
    Attack("the note's hash is of another opening",
           NOTES + "NoteCommitment: hash.inputs <== [valuesHash, kind, owner, state, counterparty, tag, blinding];",
           "certified", {"main.created.hash.inputs[1]": plus("main.kind", 1)}),
    Attack("the minter's key without the shielding domain", NOTES + "ShieldingKey: hash.inputs <== [SHIELDING_DOMAIN(), secret];",
           "certified", {"main.key.hash.inputs[0]": 0}),
    Attack("the minter's key is not its hash", NOTES + "ShieldingKey: key <== hash.out;", "certified",
           {"main.key.key": plus("main.key.key", 1)}),
    # FacilityMembership and CertificationMembership: the packed leaves open one way.
    Attack("an artisanal site read as an industrial mine (id + 2^32, type - 1), the id check fed the id",
           FACILITY + "idRange.in <== facilityId;", "artisanal",
           {"main.facilityId": ARTISANAL.facility_id + (1 << 32), "main.facilityType": 0, "main.co2eGrams": 3_500_000,
            "main.site.idRange.in": ARTISANAL.facility_id}),
    Attack("flags + 256 with the yield loss - 1, the flags check fed the flags", FACILITY + "flagsRange.in <== riskFlags;",
           "recycler", {"main.siteFlags": 256, "main.maxYieldLossBps": RECYCLING.max_yield_loss_bps - 1,
                        "main.site.flagsRange.in": 0}),
    Attack("yield loss + 2^16 with the floor - 1, the loss check fed the loss", FACILITY + "lossRange.in <== maxYieldLossBps;",
           "certified", {"main.maxYieldLossBps": 1 << 16, "main.siteFloor": MINE_SITE.co2e_floor_grams_per_kg - 1,
                         "main.site.lossRange.in": 0}),
    Attack("a site floor of 6,000 - 2^32 g/kg with the country + 1, the floor check fed 6,000",
           FACILITY + "floorRange.in <== co2eFloorGramsPerKg;", "certified",
           {"main.siteFloor": MINE_SITE.co2e_floor_grams_per_kg - (1 << 32), "main.country": MINE_SITE.country + 1,
            "main.co2eGrams": 3_500_000, "main.site.floorRange.in": MINE_SITE.co2e_floor_grams_per_kg}),
    Attack("the site's flag bits are not its flags' bits", FACILITY + "flagBits <== flagsRange.bits;", "artisanal",
           {"main.site.flagBits[2]": 0}),
    Attack("the facility leaf packs another id",
           FACILITY + "leaf.inputs <== [operator, facilityId + facilityType * (1 << 32) + riskFlags * (1 << 40)"
           " + maxYieldLossBps * (1 << 48) + co2eFloorGramsPerKg * (1 << 64) + country * (1 << 96)];", "certified",
           {"main.site.leaf.inputs[1]": plus("main.site.leaf.inputs[1]", 1)}),
    Attack("the facility path starts from another leaf", FACILITY + "path.leaf <== leaf.out;", "certified",
           {"main.site.path.leaf": plus("main.site.leaf.out", 1)}),
    Attack("the facility path has another length", FACILITY + "path.length <== pathLength;", "certified",
           {"main.site.path.length": plus("main.facilityPathLength", 1)}),
    Attack("the facility path has another index", FACILITY + "path.pathIndex <== pathIndex;", "certified",
           {"main.site.path.pathIndex": plus("main.facilityPathIndex", 1)}),
    Attack("the facility path has other siblings", FACILITY + "path.siblings <== siblings;", "certified",
           {"main.site.path.siblings[0]": plus("main.facilitySiblings[0]", 1)}),
    Attack("the facilities root is not the path's", FACILITY + "root <== path.root;", "certified",
           {"main.site.root": plus("main.site.root", 1)}),
    Attack("another site's certification read as this one's (id + 2^64), the id check fed the id",
           CERTIFICATE + "idRange.in <== certificationId;", "certified",
           {"main.certificationId": CERTIFICATION.certification_id + (1 << 64),
            "main.certification.idRange.in": CERTIFICATION.certification_id}),
    Attack("a certification valid 2^64 s earlier (its end + 1 s), the start check fed the start",
           CERTIFICATE + "fromRange.in <== validFrom;", "certified",
           {"main.validFrom": CERTIFICATION.valid_from - (1 << 64), "main.end": CERTIFICATION.end + 1,
            "main.proofTime": CERTIFICATION.valid_from - 10, "main.certification.fromRange.in": CERTIFICATION.valid_from}),
    Attack("the certification leaf packs another id",
           CERTIFICATE + "leaf.inputs <== [certificationId + facilityId * (1 << 64) + scheme * (1 << 96),"
           " validFrom + end * (1 << 64)];", "certified",
           {"main.certification.leaf.inputs[0]": plus("main.certification.leaf.inputs[0]", 1)}),
    Attack("the certification path starts from another leaf", CERTIFICATE + "path.leaf <== leaf.out;", "certified",
           {"main.certification.path.leaf": plus("main.certification.leaf.out", 1)}),
    Attack("the certification path has another length", CERTIFICATE + "path.length <== pathLength;", "certified",
           {"main.certification.path.length": plus("main.certificationPathLength", 1)}),
    Attack("the certification path has another index", CERTIFICATE + "path.pathIndex <== pathIndex;", "certified",
           {"main.certification.path.pathIndex": plus("main.certificationPathIndex", 1)}),
    Attack("the certification path has other siblings", CERTIFICATE + "path.siblings <== siblings;", "certified",
           {"main.certification.path.siblings[0]": plus("main.certificationSiblings[0]", 1)}),
    Attack("the certifications root is not the path's", CERTIFICATE + "root <== path.root;", "certified",
           {"main.certification.root": plus("main.certification.root", 1)}),
    *lean_imt_attacks("main.site.path", "main.facilityPathLength", "main.facilityPathIndex", "certified"),
    *participant_attacks("main.minter", "main.account", "main.roleIndex", "main.operatorFlags",
                         "main.participantPathLength", "main.participantPathIndex", "main.participantSiblings[0]",
                         "certified", flags_follow=lambda honest: {"main.riskFlags": honest("main.operatorFlags") - 1}),
    *poseidon_attacks("main.created.hash", "certified"),
]


def _scenarios() -> dict[str, dict[str, object]]:
    registry = Registry()
    return {
        "certified": registry.inputs(mined(), MINE, MINE_SITE, certification=CERTIFICATION),
        "artisanal": registry.inputs(mined(ARTISANAL, certified=False, co2e=2_800_000), MINE, ARTISANAL),
        "recycler": registry.inputs(mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=10, co2e=700_000),
                                    RECYCLER_PARTY, RECYCLING),
    }


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("origin", _scenarios(),
                     {"certified": TIES, "artisanal": UNCERTIFIED_TIES, "recycler": UNCERTIFIED_TIES}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("origin"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

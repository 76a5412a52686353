"""OriginProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the origin circuit: its own, the kind mask's
(KindHoldsMetals, per metal), the recycler split's FloorProportion, the registry memberships', the
LeanIMT path's, the checks', circomlib's IsZero, Num2Bits and Poseidon. Each satisfies every other
constraint of the sources and violates this one; the committed R1CS must reject it. The public roots,
mint tag and output commitment follow the forged witness (ties). Where another check already pins a
value (AssertBps's own range check of the split, the certification end's), the attack can only break
the binding, and says so."""

from __future__ import annotations

import pytest

from batterytrace.zk.custody import REGISTRY_TREE_DEPTH, padded_path
from batterytrace.zk.origin import BLACK_MASS, LITHIUM_BRINE_CONCENTRATE, NICKEL_INTERMEDIATE

from .attacker import Attack, AttackLab, Honest, P, constraint_labels, plus, poseidon_attacks
from .note_attacks import lean_imt_attacks, participant_attacks
from .notes import (
    ARTISANAL,
    BRINE_SITE,
    CERTIFICATION,
    FLOORS,
    MINE,
    MINE_SITE,
    NICKEL_SITE,
    RECYCLER_PARTY,
    RECYCLING,
    REFINERY,
    REFINING,
    Registry,
    certification_leaf,
    mined,
)

ORIGIN = "lib/origin.circom OriginProof: "
NOTES = "lib/notes.circom "
FACILITY = "lib/registry.circom FacilityMembership: "
CERTIFICATE = "lib/registry.circom CertificationMembership: "
FLOOR = "lib/arithmetic.circom FloorProportion: "
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
            "main.country": REFINING.country, "main.recycledPreConsumerBps": REFINING.recycled_pre_consumer_bps,
            "main.riskFlags": 0, **more}


def below_the_type_floor(bits: str):
    """Artisanal cobalt at 2 kg CO2e per kg, under the type's 4: the attacker writes the negative
    difference's decomposition, "field" (all of it in bit 0) or "zero" (every bit 0)."""
    def changes(honest: Honest) -> dict[str, int]:
        difference = (1_400_000 * 1000 - COBALT * 4_000) % P
        written = {f"main.aboveTypeFloor.difference.out[{index}]": 0 for index in range(98)}
        if bits == "field":
            written["main.aboveTypeFloor.difference.out[0]"] = difference
        return {"main.co2eGrams": 1_400_000, **written}
    return changes


ZERO_COBALT = {"main.grams[0]": 0, "main.certifiedGrams[0]": 0}
#: 5 kg of (certified) lithium added to the certified mine's cobalt hydroxide, within both floors.
LITHIUM_IN_HYDROXIDE = {"main.grams[1]": 5_000, "main.certifiedGrams[1]": 5_000}
#: The recycler's 700 kg of cobalt at its audited 30% pre-consumer split.
RECYCLED_PRE = COBALT * RECYCLING.recycled_pre_consumer_bps // 10_000
#: The three-metal black mass (cobalt, lithium, nickel) and, at 30%, each metal's split and remainder.
BLACK_MASS_GRAMS = (60_001, 30_003, 480_007)


def split_of(pre: int) -> dict[str, int]:
    """The recycler's cobalt split as `pre` pre-consumer grams, the rest post-consumer."""
    return {"main.split[0]": pre, "main.preConsumerGrams[0]": pre, "main.postConsumerGrams[0]": (COBALT - pre) % P}


def split_at(bps: int) -> dict[str, int]:
    """The recycler's leaf read with a split of `bps`, and the cobalt's values that split gives."""
    pre = COBALT * bps // 10_000
    return {"main.recycledPreConsumerBps": bps, "main.preConsumerGrams[0]": pre,
            "main.postConsumerGrams[0]": (COBALT - pre) % P}


def wrapped_split(honest: Honest) -> dict[str, int]:
    """A split far above 2^64 grams: with the remainder one more than the honest one, the split that
    satisfies the proportion's equation in the field, its range check fed the honest split."""
    remainder = honest("main.preConsumerSplit[0].remainder") + 1
    forged = (honest("main.preConsumerSplit[0].product") - remainder) * pow(10_000, P - 2, P) % P
    assert forged >= 1 << 64
    return {**split_of(forged), "main.preConsumerSplit[0].remainder": remainder, "main.preConsumerRange[0].in": RECYCLED_PRE}


def rounded_split(metal: int, shift: int, remainder_wholes: int, pin: dict[str, int] | None = None):
    """The black mass's split of `metal` moved by `shift` grams (post-consumer the other way), its
    remainder by `remainder_wholes` wholes of 10000, and `pin` written as given."""
    def changes(honest: Honest) -> dict[str, int]:
        split = honest(f"main.split[{metal}]") + shift
        return {f"main.split[{metal}]": split, f"main.preConsumerGrams[{metal}]": split,
                f"main.postConsumerGrams[{metal}]": BLACK_MASS_GRAMS[metal] - split,
                f"main.preConsumerSplit[{metal}].remainder":
                    honest(f"main.preConsumerSplit[{metal}].remainder") + remainder_wholes * 10_000, **(pin or {})}
    return changes


def resplit(honest: Honest, metal: int, grams: int) -> dict[str, int]:
    """The black mass with `grams` of `metal`, split at the recycler's 30%."""
    pre = grams * RECYCLING.recycled_pre_consumer_bps // 10_000
    return {f"main.grams[{metal}]": grams, f"main.preConsumerGrams[{metal}]": pre,
            f"main.postConsumerGrams[{metal}]": grams - pre}


def artisanal_floor_in_a_non_bit(honest: Honest) -> dict[str, int]:
    """The artisanal floor's bits (32 to 63) cleared and their value added to bit 0, which then is
    no bit: the decomposition still sums to typeFloors, and only the industrial mine's floor (not
    this site's) reads the excess."""
    written = {f"main.floorBits.out[{bit}]": 0 for bit in range(32, 64)}
    written["main.floorBits.out[0]"] = honest("main.floorBits.out[0]") + (FLOORS.of(1) << 32)
    return {**written, "main.co2eGrams": 1}


def the_mines_certification_read_as_the_artisanal_sites(honest: Honest) -> dict[str, int]:
    """The uncertified artisanal site (facility 4) presents the mine's certification (of facility 3):
    the same leaf, read with facility 4 and the scheme -2^64 / 2^96 (mod p), whose range check is fed
    the real scheme. The root is the registry's own."""
    length, index, siblings = padded_path(Registry().certifications.proof(certification_leaf(CERTIFICATION)),
                                          REGISTRY_TREE_DEPTH)
    scheme = (CERTIFICATION.scheme + (CERTIFICATION.facility_id - ARTISANAL.facility_id) * (1 << 64)
              * pow(1 << 96, P - 2, P)) % P
    written = {"main.certified": 1, "main.certificationId": CERTIFICATION.certification_id, "main.scheme": scheme,
               "main.validFrom": CERTIFICATION.valid_from, "main.end": CERTIFICATION.end,
               "main.certificationPathLength": length, "main.certificationPathIndex": index,
               "main.certifiedGrams[0]": COBALT, "main.certification.schemeRange.in": CERTIFICATION.scheme}
    written.update({f"main.certificationSiblings[{k}]": sibling for k, sibling in enumerate(siblings)})
    return written

ATTACKS = [
    # Who mints where: the participant, its site, the site's type and kind.
    Attack("the minter's key is derived from another secret than the one given", ORIGIN + "key.secret <== secret;",
           "certified", {"main.secret": plus("main.secret", 1), "main.key.secret": same("main.secret")}),
    Attack("the minter's membership is checked for another account", ORIGIN + "minter.account <== account;",
           "certified", {"main.minter.account": plus("main.account", 1)}),
    Attack("the minter's membership is checked for another role", ORIGIN + "minter.roleIndex <== roleIndex;",
           "certified", {"main.minter.roleIndex": 7}),
    Attack("the minter's membership is checked without its operator flags, which the lot then drops",
           ORIGIN + "minter.riskFlags <== operatorFlags;", "certified", {"main.minter.riskFlags": 0, "main.riskFlags": 0}),
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
    Attack("a refinery mints hydroxide as an industrial mine", ORIGIN + "isType[t].in <== facilityType - ORIGIN_TYPE(t);",
           "certified", a_refinery(**{"main.isType[0].in": 0})),
    Attack("a refinery mints black mass as a recycler", ORIGIN + "isType[t].in <== facilityType - ORIGIN_TYPE(t);",
           "recycler", a_refinery(**{"main.isType[2].in": 0, "main.preConsumerGrams[0]": 0,
                                     "main.postConsumerGrams[0]": COBALT})),
    Attack("a refinery mints cobalt ore as no type at all", ORIGIN + "typeCount === 1;", "certified",
           a_refinery(**{"main.kind": 0}), culprits=("main.isType[0].out",)),
    Attack("a recycler mints cobalt hydroxide", ORIGIN + "(kind - kindA) * (kind - kindB) === 0;", "recycler",
           {"main.kind": 1}),
    Attack("a mine mints black mass", ORIGIN + "(kind - kindA) * (kind - kindB) === 0;", "certified", {"main.kind": 10}),
    Attack("a brine operation mints spodumene concentrate", ORIGIN + "(kind - kindA) * (kind - kindB) === 0;", "brine",
           {"main.kind": 13}),
    Attack("a mine's cobalt counted post-consumer recycled, the recycler flag taken as set",
           ORIGIN + "signal isRecycler <== isType[RECYCLER_SLOT()].out;", "certified",
           {"main.isRecycler": 1, "main.postConsumerGrams[0]": COBALT}),
    # The kind holds only metals it may hold: per metal, a kind that may not hold it.
    Attack("cobalt in a brine concentrate", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "brine",
           {"main.grams[0]": 1_000}, culprits=("main.holds.grams[0]",)),
    Attack("lithium in cobalt hydroxide", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "certified",
           LITHIUM_IN_HYDROXIDE, culprits=("main.holds.grams[1]",)),
    Attack("nickel in a brine concentrate", NOTES + "KindHoldsMetals: grams[m] * miss[m][11] === 0;", "brine",
           {"main.grams[2]": 1_000}, culprits=("main.holds.grams[2]",)),
    Attack("lithium in cobalt hydroxide, the kind check told black mass", ORIGIN + "holds.kind <== kind;", "certified",
           {**LITHIUM_IN_HYDROXIDE, "main.holds.kind": 10}),
    Attack("lithium in cobalt hydroxide, the kind check told no lithium", ORIGIN + "holds.grams <== grams;",
           "certified", {**LITHIUM_IN_HYDROXIDE, "main.holds.grams[1]": 0}),
    Attack("lithium in cobalt hydroxide, the first factor taken as 0",
           NOTES + "KindHoldsMetals: miss[m][0] <== kind - KIND_HOLDING(m, 0);", "certified",
           {**LITHIUM_IN_HYDROXIDE, "main.holds.miss[1][0]": 0}),
    Attack("lithium in cobalt hydroxide, the product taken as 0",
           NOTES + "KindHoldsMetals: miss[m][n] <== miss[m][n - 1] * (kind - KIND_HOLDING(m, n));", "certified",
           {**LITHIUM_IN_HYDROXIDE, "main.holds.miss[1][11]": 0}),
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
    Attack("a mine's lot claims pre-consumer recycled cobalt", ORIGIN + "preConsumerGrams[m] === isRecycler * split[m];",
           "certified", {"main.preConsumerGrams[0]": 1}),
    Attack("a recycler's black mass claims one pre-consumer gram more than its audited split",
           ORIGIN + "preConsumerGrams[m] === isRecycler * split[m];", "recycler",
           {"main.preConsumerGrams[0]": RECYCLED_PRE + 1}),
    Attack("a mine's lot claims post-consumer recycled cobalt",
           ORIGIN + "postConsumerGrams[m] === isRecycler * (grams[m] - split[m]);", "certified",
           {"main.postConsumerGrams[0]": COBALT}),
    Attack("a recycler's black mass declared all post-consumer against the audited 30% pre-consumer",
           ORIGIN + "postConsumerGrams[m] === isRecycler * (grams[m] - split[m]);", "recycler",
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
    Attack("black mass of more metal than its total (nickel 2 t), the bound fed the honest metal",
           ORIGIN + "metalsWithinTotal.a <== metalsTotal;", "black mass",
           lambda honest: {**resplit(honest, 2, 2_000_000), "main.co2eGrams": 2_600_000,
                           "main.metalsWithinTotal.a": honest("main.metalsWithinTotal.a")}),
    Attack("a total below the cobalt, the bound fed the honest total", ORIGIN + "metalsWithinTotal.b <== totalGrams;",
           "certified", {"main.totalGrams": 100_000, "main.metalsWithinTotal.b": 2_000_000}),
    Attack("a total below the cobalt, the comparison fed 0", CHECKS + "AssertLessEqBounded: difference.in <== b - a;",
           "certified", {"main.totalGrams": 100_000, "main.metalsWithinTotal.difference.in": 0}),
    Attack("a lot without metal, its non-zero check fed a 1", ORIGIN + "someMetal.in <== metalsTotal;", "certified",
           {**ZERO_COBALT, "main.someMetal.in": 1}),
    Attack("a lot without metal passes the non-zero check", CHECKS + "AssertNonZeroIf: in * inverse === enabled;",
           "certified", ZERO_COBALT, culprits=("main.someMetal.check.inverse",)),
    Attack("a lot without metal, the non-zero check fed a 1", CHECKS + "AssertNonZero: check.in <== in;",
           "certified", {**ZERO_COBALT, "main.someMetal.check.in": 1}),
    Attack("a lot without metal, the non-zero check disabled", CHECKS + "AssertNonZero: check.enabled <== 1;",
           "certified", {**ZERO_COBALT, "main.someMetal.check.enabled": 0}),
    Attack("a range check's output bits are not the checked bits", CHECKS + "RangeCheck: bits <== toBits.out;",
           "certified", {"main.gramsRange[0].bits[0]": plus("main.gramsRange[0].bits[0]", 1)}),
    # The recycler's split: pre-consumer floor(grams * bps / 10000), post-consumer the rest.
    Attack("the recycler's black mass all pre-consumer, the leaf's 30% checked apart",
           ORIGIN + "site.recycledPreConsumerBps <== recycledPreConsumerBps;", "recycler",
           {**split_at(10_000), "main.site.recycledPreConsumerBps": RECYCLING.recycled_pre_consumer_bps}),
    Attack("a split of 150% (pre-consumer above the metal, post-consumer negative), its bps check fed 30%",
           ORIGIN + "splitIsBps.bps <== recycledPreConsumerBps;", "recycler",
           {**split_at(15_000), "main.splitIsBps.bps": RECYCLING.recycled_pre_consumer_bps}),
    Attack("a split of 150%, its headroom taken as 0", CHECKS + "AssertBps: signal headroom <== 10000 - bps;",
           "recycler", {**split_at(15_000), "main.splitIsBps.headroom": 0}),
    Attack("a split of 150%, its headroom decomposed as the honest one's",
           CHECKS + "AssertBps: _ <== Num2Bits(14)(headroom); [input in]", "recycler",
           {**split_at(15_000), "main.splitIsBps.Num2Bits#0.in": 10_000 - RECYCLING.recycled_pre_consumer_bps}),
    # The leaf's 16-bit check and the headroom's 14 bits already pin the split to [0, 10000] here: this
    # range check is redundant in the origin circuit, and only its binding can be broken.
    Attack("the split's 14-bit range check is fed another number than the split",
           CHECKS + "AssertBps: _ <== RangeCheck(14)(bps); [input in]", "recycler",
           {"main.splitIsBps.RangeCheck#0.in": plus("main.recycledPreConsumerBps", 1)}),
    Attack("the split computed on 1 t of cobalt: 300 kg pre-consumer of 700 kg",
           ORIGIN + "preConsumerSplit[m].amount <== grams[m];", "recycler",
           {**split_of(300_000), "main.preConsumerSplit[0].amount": 1_000_000}),
    Attack("the split computed at 100%: all 700 kg pre-consumer", ORIGIN + "preConsumerSplit[m].part <== recycledPreConsumerBps;",
           "recycler", {**split_of(COBALT), "main.preConsumerSplit[0].part": 10_000}),
    Attack("the split computed against 5000 bps: 420 kg pre-consumer", ORIGIN + "preConsumerSplit[m].whole <== 10000;",
           "recycler", {**split_of(420_000), "main.preConsumerSplit[0].whole": 5_000}),
    Attack("1 kg more pre-consumer than the split, the proportion fed the honest split",
           ORIGIN + "preConsumerSplit[m].share <== split[m];", "recycler",
           {**split_of(RECYCLED_PRE + 1_000), "main.preConsumerSplit[0].share": RECYCLED_PRE}),
    Attack("the split wrapped around the field (pre-consumer grams far above the metal), its range check fed the split",
           ORIGIN + "preConsumerRange[m].in <== split[m];", "recycler", wrapped_split),
    Attack("one pre-consumer gram of cobalt more than the split's floor, the remainder kept",
           FLOOR + "share * whole + remainder === product;", "black mass", rounded_split(0, 1, 0)),
    Attack("cobalt's split rounded up, the product taken a whole larger", FLOOR + "signal product <== amount * part;",
           "black mass", lambda honest: {**rounded_split(0, 1, 0)(honest), "main.preConsumerSplit[0].product":
                                         honest("main.preConsumerSplit[0].product") + 10_000}),
    Attack("lithium's split rounded up with a negative remainder", FLOOR + "remainderRange.in <== remainder;",
           "black mass", rounded_split(1, 1, -1, {"main.preConsumerSplit[1].remainderRange.in": 0})),
    Attack("cobalt's split rounded down, a remainder over a whole checked as the honest one",
           FLOOR + "remainderBelowWhole.a <== remainder;", "black mass",
           rounded_split(0, -1, 1, {"main.preConsumerSplit[0].remainderBelowWhole.a": 3_000})),
    Attack("cobalt's split rounded down, the remainder compared with 2 wholes",
           FLOOR + "remainderBelowWhole.b <== whole;", "black mass",
           rounded_split(0, -1, 1, {"main.preConsumerSplit[0].remainderBelowWhole.b": 20_000})),
    # Flags: the site's OR the operator's.
    Attack("the operator's artisanal flag is washed, its range check fed 0",
           "lib/registry.circom ParticipantMembership: flagsRange.in <== riskFlags;", "certified",
           {"main.riskFlags": 0, "main.minter.flagsRange.in": 0}),
    Attack("the operator's artisanal flag is washed, its bit output as 0",
           "lib/registry.circom ParticipantMembership: flagBits <== flagsRange.bits;", "certified",
           {"main.riskFlags": 0, "main.minter.flagBits[2]": 0}),
    Attack("the artisanal flag is washed, the bit taken as set on both sides",
           ORIGIN + "both[bit] <== site.flagBits[bit] * minter.flagBits[bit];", "certified",
           {"main.riskFlags": 0, "main.both[2]": 1}),
    Attack("the lot drops the flags", ORIGIN + "riskFlags === merged;", "certified", {"main.riskFlags": 0}),
    # CO2e floors, per kg of contained metal (the sum of the metals).
    Attack("CO2e below the site's floor, the floor side taken as 0",
           ORIGIN + "aboveSiteFloor.a <== metalsTotal * siteFloor;", "certified",
           {"main.co2eGrams": 4_199_999, "main.aboveSiteFloor.a": 0}),
    Attack("CO2e below the site's floor, the CO2e side taken as the honest one",
           ORIGIN + "aboveSiteFloor.b <== co2eGrams * 1000;", "certified",
           {"main.co2eGrams": 4_199_999, "main.aboveSiteFloor.b": 4_900_000_000}),
    Attack("CO2e below the type's floor, the floor side taken as 0",
           ORIGIN + "aboveTypeFloor.a <== metalsTotal * floorOfType;", "artisanal",
           {"main.co2eGrams": 1, "main.aboveTypeFloor.a": 0}),
    Attack("black mass CO2e for its cobalt alone (lithium and nickel left out), the floor side fed the cobalt's",
           ORIGIN + "aboveTypeFloor.a <== metalsTotal * floorOfType;", "black mass",
           {"main.co2eGrams": 60_001, "main.aboveTypeFloor.a": 60_001 * 1_000}),
    Attack("nickel CO2e at 6,000 g/kg under the nickel mine's 6,500, the floor side fed 6,000 g/kg",
           ORIGIN + "aboveTypeFloor.a <== metalsTotal * floorOfType;", "nickel",
           {"main.co2eGrams": 2_400_000, "main.aboveTypeFloor.a": 400_000 * 6_000}),
    Attack("CO2e below the type's floor, the CO2e side taken as the honest one",
           ORIGIN + "aboveTypeFloor.b <== co2eGrams * 1000;", "artisanal",
           {"main.co2eGrams": 1, "main.aboveTypeFloor.b": 2_800_000_000}),
    Attack("an artisanal site's floor taken as 0", ORIGIN + "floorOfSlot[t] <== isType[t].out * floor;",
           "artisanal", {"main.co2eGrams": 1, "main.floorOfSlot[1]": 0}),
    Attack("a brine operation's type floor taken as 0",
           ORIGIN + "floorOfSlot[t] <== isType[t].out * floor;", "brine",
           {"main.co2eGrams": 1, "main.floorOfSlot[3]": 0}),
    Attack("the artisanal floor read from a packed value without it", ORIGIN + "floorBits.in <== typeFloors;",
           "artisanal", {"main.co2eGrams": 1, "main.floorBits.in": FLOORS.packed - (FLOORS.of(1) << 32)}),
    Attack("the artisanal floor read as 0, its 4,000 moved into a non-bit of the industrial mine's",
           BITIFY + "out[i] * (out[i] -1 ) === 0;", "artisanal", artisanal_floor_in_a_non_bit,
           culprits=("main.floorBits.out[0]",)),
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
    Attack("the recycler read with the country - 2^16 and a split 1 bps higher, the country check fed the country",
           FACILITY + "countryRange.in <== country;", "recycler",
           {**split_at(RECYCLING.recycled_pre_consumer_bps + 1), "main.country": RECYCLING.country - (1 << 16),
            "main.site.countryRange.in": RECYCLING.country}),
    # The split is the leaf's top field: read as another (wrapped) number it would let the lower fields
    # take other values, but AssertBps stops a split above 10000 here (test_attacks_note_transform.py
    # has the forgery): only the binding can be broken alone.
    Attack("the split's leaf range check is fed another number than the split",
           FACILITY + "splitRange.in <== recycledPreConsumerBps;", "recycler",
           {"main.site.splitRange.in": plus("main.recycledPreConsumerBps", 1)}),
    Attack("the facility leaf packs another id",
           FACILITY + "leaf.inputs <== [operator, facilityId + facilityType * (1 << 32) + riskFlags * (1 << 40)"
           " + maxYieldLossBps * (1 << 48) + co2eFloorGramsPerKg * (1 << 64) + country * (1 << 96)"
           " + recycledPreConsumerBps * (1 << 112)];", "certified",
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
    Attack("an artisanal site certified by the mine's certification, read as facility 4's with the scheme absorbing"
           " the difference, the scheme check fed the scheme", CERTIFICATE + "schemeRange.in <== scheme;", "artisanal",
           the_mines_certification_read_as_the_artisanal_sites),
    # notEnded (65 bits) and the start's 64-bit check already pin the end: only the binding can be broken.
    Attack("the end's range check is fed another number than the end", CERTIFICATE + "endRange.in <== end;",
           "certified", {"main.certification.endRange.in": plus("main.end", 1)}),
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
                         "certified", flags_follow=lambda honest: {"main.riskFlags": honest("main.riskFlags") + 1}),
    *poseidon_attacks("main.created.hash", "certified"),
]


def _scenarios() -> dict[str, dict[str, object]]:
    registry = Registry()
    return {
        "certified": registry.inputs(mined(), MINE, MINE_SITE, certification=CERTIFICATION),
        "artisanal": registry.inputs(mined(ARTISANAL, certified=False, co2e=2_800_000), MINE, ARTISANAL),
        "recycler": registry.inputs(mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=BLACK_MASS, co2e=700_000),
                                    RECYCLER_PARTY, RECYCLING),
        "black mass": registry.inputs(mined(RECYCLING, RECYCLER_PARTY, certified=False, kind=BLACK_MASS,
                                            cobalt=BLACK_MASS_GRAMS[0], lithium=BLACK_MASS_GRAMS[1],
                                            nickel=BLACK_MASS_GRAMS[2], co2e=570_011), RECYCLER_PARTY, RECYCLING),
        # 60 kg of lithium at the brine type's 3,000 g/kg need 180 kg CO2e; 200 kg leaves room.
        "brine": registry.inputs(mined(BRINE_SITE, certified=False, kind=LITHIUM_BRINE_CONCENTRATE, cobalt=0,
                                       lithium=60_000, co2e=200_000), MINE, BRINE_SITE),
        "nickel": registry.inputs(mined(NICKEL_SITE, certified=False, kind=NICKEL_INTERMEDIATE, cobalt=0,
                                        nickel=400_000, co2e=2_600_000), MINE, NICKEL_SITE),
    }


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    scenarios = _scenarios()
    return AttackLab("origin", scenarios,
                     {name: TIES if name == "certified" else UNCERTIFIED_TIES for name in scenarios}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("origin"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

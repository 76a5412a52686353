"""PackClaimProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the pack-claim circuit, its own and those of the
templates it uses (notes, merkle, registry, checks, circomlib's IsZero, Num2Bits and Poseidon): each
satisfies every other constraint of the sources and violates this one, and the committed R1CS must
reject it. The public roots and nullifier follow the forged witness (ties), so each attack shows what
the one constraint stops, not that a root would be unknown on chain; the contract's own checks (known
roots, unused nullifiers, the issuer's role) are tested against the contract."""

from __future__ import annotations

from dataclasses import replace

import pytest

from batterytrace.zk.notes import METALS, MetalValues
from batterytrace.zk.pack_claim import PackClaims

from .attacker import Attack, AttackLab, Honest, P, constraint_labels, plus, poseidon_attacks
from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA
from .note_attacks import lean_imt_attacks, participant_attacks
from .notes import MINE, OUTSIDER
from .pack_notes import CAPACITY_WH, CLAIMS, MODULE, OEM, PACK_VALUES, PassportLedger, pack_note, pack_scenario

PACK_CLAIM = "lib/pack_claim.circom PackClaimProof: "
NOTES = "lib/notes.circom "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "
CHILD_LABOUR_PACK = ARTISANAL_SITE | CHILD_LABOUR  # flags of a pack the passport must refuse
# The pack (pack_notes.PACK_VALUES): 8 kg of cobalt, 3.2 kg certified, 0.8 kg pre- and 1.2 kg
# post-consumer recycled, 60 kg CO2e, 75 kWh; every claim exactly at those figures.
COBALT = 8_000
#: A lithium cobalt oxide pack: the pack's cobalt and lithium, no nickel, and its tightest claims.
NICKEL_FREE = pack_note(values=replace(PACK_VALUES, metals=(*PACK_VALUES.metals[:2], MetalValues())))
NICKEL_FREE_CLAIMS = PackClaims.tightest(NICKEL_FREE, CAPACITY_WH, CHILD_LABOUR | CONFLICT_AREA)

TIES = {"main.noteRoot": "main.notePath.root", "main.nullifier": "main.spentNullifier.nullifier",
        "main.participantsRoot": "main.member.root"}


def untied(public: str) -> dict[str, str]:
    return {name: source for name, source in TIES.items() if name != public}


def same(name: str):
    """The honest value of `name`: pins a signal the attacker keeps while changing its source."""
    return lambda honest: honest(name)


def claim(metal: int = 0, *, grams: int | None = None, certified: int | None = None, pre: int | None = None,
          post: int | None = None, claims: PackClaims = CLAIMS) -> int:
    """The metal's packed claim (grams | certified << 64 | pre << 80 | post << 96), the fields given
    replacing the honest claims'."""
    fields = (claims.declared_grams[metal], claims.min_certified_bps[metal], claims.min_pre_consumer_bps[metal],
              claims.min_post_consumer_bps[metal])
    grams, certified, pre, post = (value if value is not None else honest
                                   for value, honest in zip((grams, certified, pre, post), fields))
    return grams | certified << 64 | pre << 80 | post << 96


def certified_share_below_the_minimum(bits: str):
    """A minimum certified share of 40.01%, which 3.2 kg of 8 kg misses: the difference
    certified * 10000 - minimum * grams is -8000, and the attacker writes its own decomposition:
    `bits` "field" (all of it in bit 0, no bit) or "zero" (bits that do not sum to it)."""
    def changes(honest: Honest) -> dict[str, int]:
        written = {f"main.certifiedShare[0].difference.out[{index}]": 0 for index in range(79)}
        if bits == "field":
            written["main.certifiedShare[0].difference.out[0]"] = P - COBALT
        return {"main.metalClaims[0]": claim(certified=4_001), **written}
    return changes


SHARES = (("certified", "Certified", "certifiedGrams", 4_000), ("pre-consumer", "PreConsumer", "preConsumerGrams", 1_000),
          ("post-consumer", "PostConsumer", "postConsumerGrams", 1_500))
FIELD = {"Certified": "certified", "PreConsumer": "pre", "PostConsumer": "post"}


def share_attacks() -> list[Attack]:
    """Per share: its bound read from the claim as another one, its bound above 100%, and each side
    of its comparison taken at the honest one while the claim asks one basis point more than the
    pack holds."""
    attacks = []
    for name, capitalised, grams, bps in SHARES:
        component = f"{capitalised[0].lower()}{capitalised[1:]}"
        bound = f"main.min{capitalised}Bps[0]"
        raised = {"main.metalClaims[0]": claim(**{FIELD[capitalised]: bps + 1})}
        attacks += [
            Attack(f"a {name} share claimed 1 bps above the pack's, the bound taken as the pack's",
                   PACK_CLAIM + f"min{capitalised}Bps[m] <== {component}Bound;", "pack", {**raised, bound: bps}),
            Attack(f"a {name} share of 200% of a pack without nickel, its bps check fed 0",
                   PACK_CLAIM + f"{component}IsBps[m].bps <== min{capitalised}Bps[m];", "nickel-free pack",
                   {"main.metalClaims[2]": claim(2, claims=NICKEL_FREE_CLAIMS, **{FIELD[capitalised]: 20_000}),
                    f"main.{component}IsBps[2].bps": 0}),
            Attack(f"a {name} share below its bound, the bound's side taken at the pack's share",
                   PACK_CLAIM + f"{component}Share[m].a <== min{capitalised}Bps[m] * grams[m];", "pack",
                   {**raised, f"main.{component}Share[0].a": bps * COBALT}),
            Attack(f"a {name} share below its bound, the pack's side taken at the bound",
                   PACK_CLAIM + f"{component}Share[m].b <== {grams}[m] * 10000;", "pack",
                   {**raised, f"main.{component}Share[0].b": (bps + 1) * COBALT}),
        ]
    return attacks


def per_metal_attacks() -> list[Attack]:
    """Per metal: a declared weight that is not the pack's, and its claim decomposed from another."""
    attacks = []
    for metal, name in enumerate(METALS):
        grams = CLAIMS.declared_grams[metal]
        attacks += [
            Attack(f"a passport declaring 1 g more {name} than the pack holds", PACK_CLAIM + "declared === grams[m];",
                   "pack", {f"main.metalClaims[{metal}]": claim(metal, grams=grams + 1)},
                   culprits=(f"main.claimBits[{metal}].out[0]",)),
            Attack(f"a passport declaring 1 g more {name}, its claim decomposed as the pack's",
                   PACK_CLAIM + "claimBits[m].in <== metalClaims[m];", "pack",
                   {f"main.metalClaims[{metal}]": claim(metal, grams=grams + 1),
                    f"main.claimBits[{metal}].in": claim(metal)}),
        ]
    return attacks


ATTACKS = [
    # The issuer: its key, its membership, the public account.
    Attack("the issuer's key is derived from another secret than the one given",
           PACK_CLAIM + "key.secret <== secret;", "pack",
           {"main.secret": plus("main.secret", 1), "main.key.secret": same("main.secret")}),
    Attack("a passport issued in another participant's name",
           PACK_CLAIM + "member.account <== issuer;", "pack",
           {"main.issuer": OEM.participant.account, "main.member.account": same("main.issuer")}),
    Attack("the issuer's membership is checked for another role",
           PACK_CLAIM + "member.roleIndex <== roleIndex;", "pack", {"main.member.roleIndex": 1}),
    Attack("the issuer's membership is checked with other flags",
           PACK_CLAIM + "member.riskFlags <== operatorFlags;", "pack", {"main.member.riskFlags": 1}),
    Attack("the issuer's membership is checked for another key than the one it proves",
           PACK_CLAIM + "member.shieldingKey <== key.key;", "pack", {"main.member.shieldingKey": OUTSIDER.key}),
    Attack("the issuer's path length is not the one given",
           PACK_CLAIM + "member.pathLength <== participantPathLength;", "pack",
           {"main.member.pathLength": plus("main.participantPathLength", 1)}),
    Attack("the issuer's path index is not the one given",
           PACK_CLAIM + "member.pathIndex <== participantPathIndex;", "pack",
           {"main.member.pathIndex": plus("main.participantPathIndex", 1)}),
    Attack("the issuer's siblings are not the ones given",
           PACK_CLAIM + "member.siblings <== participantSiblings;", "pack",
           {"main.member.siblings[0]": plus("main.participantSiblings[0]", 1)}),
    Attack("the issuer is in a participants tree the contract does not know",
           PACK_CLAIM + "member.root === participantsRoot;", "pack",
           {"main.participantsRoot": plus("main.participantsRoot", 1)}, ties=untied("main.participantsRoot")),
    # The spent note: the values hashed are the values checked; an active pack of the issuer's.
    Attack("the values hashed are not the declared grams", PACK_CLAIM + "values.grams <== grams;", "pack",
           {"main.values.grams[0]": plus("main.grams[0]", 1_000)}),
    Attack("the values hashed are not the certified grams",
           PACK_CLAIM + "values.certifiedGrams <== certifiedGrams;", "pack", {"main.values.certifiedGrams[0]": 0}),
    Attack("the values hashed are not the pre-consumer grams",
           PACK_CLAIM + "values.preConsumerGrams <== preConsumerGrams;", "pack",
           {"main.values.preConsumerGrams[0]": 0}),
    Attack("the values hashed are not the post-consumer grams",
           PACK_CLAIM + "values.postConsumerGrams <== postConsumerGrams;", "pack",
           {"main.values.postConsumerGrams[0]": 0}),
    Attack("the values hashed are not the total", PACK_CLAIM + "values.totalGrams <== totalGrams;", "pack",
           {"main.values.totalGrams": plus("main.totalGrams", 1)}),
    Attack("the values hashed carry ten times the CO2e checked", PACK_CLAIM + "values.co2eGrams <== co2eGrams;",
           "pack", {"main.values.co2eGrams": 600_000}),
    Attack("a child-labour pack is checked as a clean one", PACK_CLAIM + "values.riskFlags <== riskFlags;", "pack",
           {"main.values.riskFlags": CHILD_LABOUR_PACK}),
    Attack("the note hashed carries other values than those checked",
           PACK_CLAIM + "spent.valuesHash <== values.valuesHash;", "pack",
           {"main.spent.valuesHash": plus("main.values.valuesHash", 1)}),
    Attack("a module (not a pack) backs the passport", PACK_CLAIM + "spent.kind <== PACK();", "pack",
           {"main.spent.kind": MODULE}),
    Attack("someone else's note backs the passport", PACK_CLAIM + "spent.owner <== key.key;", "pack",
           {"main.spent.owner": MINE.key}),
    Attack("an offered note backs the passport (its receiver has not accepted it)",
           PACK_CLAIM + "spent.state <== NOTE_ACTIVE();", "pack", {"main.spent.state": 1}),
    Attack("a note with a counterparty backs the passport",
           PACK_CLAIM + "spent.counterparty <== 0;", "pack", {"main.spent.counterparty": OEM.key}),
    Attack("the note hashed has another tag", PACK_CLAIM + "spent.tag <== tag;", "pack",
           {"main.spent.tag": plus("main.tag", 1)}),
    Attack("the note hashed has another blinding", PACK_CLAIM + "spent.blinding <== blinding;", "pack",
           {"main.spent.blinding": plus("main.blinding", 1)}),
    Attack("the tree holds another leaf than the spent note", PACK_CLAIM + "notePath.leaf <== spent.commitment;",
           "pack", {"main.notePath.leaf": plus("main.spent.commitment", 1)}),
    Attack("the note's path length is not the one given", PACK_CLAIM + "notePath.length <== notePathLength;", "pack",
           {"main.notePath.length": plus("main.notePathLength", 1)}),
    Attack("the note's path index is not the one given", PACK_CLAIM + "notePath.pathIndex <== notePathIndex;",
           "pack", {"main.notePath.pathIndex": plus("main.notePathIndex", 1)}),
    Attack("the note's siblings are not the ones given", PACK_CLAIM + "notePath.siblings <== noteSiblings;", "pack",
           {"main.notePath.siblings[0]": plus("main.noteSiblings[0]", 1)}),
    Attack("a note not in the tree (or in a tree the contract does not know)",
           PACK_CLAIM + "notePath.root === noteRoot;", "pack", {"main.noteRoot": plus("main.noteRoot", 1)},
           ties=untied("main.noteRoot")),
    Attack("a fresh nullifier for the pack, from another commitment",
           PACK_CLAIM + "spentNullifier.commitment <== spent.commitment;", "pack",
           {"main.spentNullifier.commitment": plus("main.spent.commitment", 1)}),
    Attack("a fresh nullifier for the pack, from another blinding",
           PACK_CLAIM + "spentNullifier.blinding <== blinding;", "pack",
           {"main.spentNullifier.blinding": plus("main.blinding", 1)}),
    Attack("the public nullifier is not the pack's (it could back a second passport)",
           PACK_CLAIM + "spentNullifier.nullifier === nullifier;", "pack", {"main.nullifier": plus("main.nullifier", 1)},
           ties=untied("main.nullifier")),
    # The claims.
    *per_metal_attacks(),
    *share_attacks(),
    Attack("a CO2e bound per kg of 2^64 + 7500, its range check fed 7500",
           PACK_CLAIM + "maxPerKgRange.in <== maxCo2eGramsPerKgCobalt;", "pack",
           {"main.maxCo2eGramsPerKgCobalt": (1 << 64) + 7_500, "main.maxPerKgRange.in": 7_500}),
    Attack("a CO2e bound per kWh of 2^64 + 800, its range check fed 800",
           PACK_CLAIM + "maxPerKwhRange.in <== maxCo2eGramsPerKwh;", "pack",
           {"main.maxCo2eGramsPerKwh": (1 << 64) + 800, "main.maxPerKwhRange.in": 800}),
    Attack("a capacity of 2^64 + 75 kWh, its range check fed 75 kWh",
           PACK_CLAIM + "capacityRange.in <== capacityWh;", "pack",
           {"main.capacityWh": (1 << 64) + 75_000, "main.capacityRange.in": 75_000}),
    Attack("CO2e above the bound per kg, the CO2e side taken as 0", PACK_CLAIM + "perKgBound.a <== co2eGrams * 1000;",
           "pack", {"main.maxCo2eGramsPerKgCobalt": 7_499, "main.perKgBound.a": 0}),
    Attack("CO2e above the bound per kg, the bound side taken at 7500",
           PACK_CLAIM + "perKgBound.b <== maxCo2eGramsPerKgCobalt * grams[0];", "pack",
           {"main.maxCo2eGramsPerKgCobalt": 7_499, "main.perKgBound.b": 60_000_000}),
    Attack("CO2e above the bound per kWh, the CO2e side taken as 0", PACK_CLAIM + "perKwhBound.a <== co2eGrams * 1000;",
           "pack", {"main.maxCo2eGramsPerKwh": 799, "main.perKwhBound.a": 0}),
    Attack("CO2e above the bound per kWh, the bound side taken at 800",
           PACK_CLAIM + "perKwhBound.b <== maxCo2eGramsPerKwh * capacityWh;", "pack",
           {"main.maxCo2eGramsPerKwh": 799, "main.perKwhBound.b": 60_000_000}),
    Attack("a child-labour pack, its flags decomposed without the child-labour bit",
           PACK_CLAIM + "flagBits.in <== riskFlags;", "pack",
           {"main.riskFlags": CHILD_LABOUR_PACK, "main.flagBits.in": ARTISANAL_SITE}),
    Attack("a child-labour pack, the forbidden flags decomposed without child labour",
           PACK_CLAIM + "forbiddenBits.in <== forbiddenRiskFlags;", "pack",
           {"main.riskFlags": CHILD_LABOUR_PACK, "main.forbiddenBits.in": CONFLICT_AREA}),
    Attack("a child-labour pack, its forbidden bit counted as not set",
           PACK_CLAIM + "bothSet[bit] <== flagBits.bits[bit] * forbiddenBits.bits[bit];", "pack",
           {"main.riskFlags": CHILD_LABOUR_PACK, "main.bothSet[0]": 0}),
    Attack("a child-labour pack carries a forbidden flag", PACK_CLAIM + "bothSetCount === 0;", "pack",
           {"main.riskFlags": CHILD_LABOUR_PACK}, culprits=("main.bothSet[0]",)),
    Attack("context is no longer squared (it binds the proof to chain, contract and passport)",
           PACK_CLAIM + "contextSquare <== context * context;", "pack",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    # NoteValuesHash, NoteCommitment, NoteNullifier, ShieldingKey.
    *[Attack(f"the values hash's input {name} is not the value", NOTES + f"NoteValuesHash: {statement}", "pack",
             {f"main.values.hash.inputs[{index}]": plus(f"main.values.hash.inputs[{index}]", 1)})
      for index, name, statement in (
          (0, "grams", "hash.inputs[4 * m] <== grams[m];"),
          (1, "certified", "hash.inputs[4 * m + 1] <== certifiedGrams[m];"),
          (2, "pre-consumer", "hash.inputs[4 * m + 2] <== preConsumerGrams[m];"),
          (3, "post-consumer", "hash.inputs[4 * m + 3] <== postConsumerGrams[m];"),
          (4, "total", "hash.inputs[4 * metals] <== totalGrams;"),
          (5, "CO2e", "hash.inputs[4 * metals + 1] <== co2eGrams;"),
          (6, "flags", "hash.inputs[4 * metals + 2] <== riskFlags;"))],
    Attack("the values hash is not its hash", NOTES + "NoteValuesHash: valuesHash <== hash.out;", "pack",
           {"main.values.valuesHash": plus("main.values.valuesHash", 1)}),
    Attack("the spent note's commitment is not its hash", NOTES + "NoteCommitment: commitment <== hash.out;", "pack",
           {"main.spent.commitment": plus("main.spent.commitment", 1)}),
    Attack("the spent note's hash is of another kind than the pack's",
           NOTES + "NoteCommitment: hash.inputs <== [valuesHash, kind, owner, state, counterparty, tag, blinding];",
           "pack", {"main.spent.hash.inputs[1]": MODULE}),
    Attack("the nullifier hashes another pair", NOTES + "NoteNullifier: hash.inputs <== [commitment, blinding];",
           "pack", {"main.spentNullifier.hash.inputs[1]": plus("main.blinding", 1)}),
    Attack("the nullifier is not its hash", NOTES + "NoteNullifier: nullifier <== hash.out;", "pack",
           {"main.spentNullifier.nullifier": plus("main.spentNullifier.nullifier", 1)}),
    Attack("the issuer's key without the shielding domain",
           NOTES + "ShieldingKey: hash.inputs <== [SHIELDING_DOMAIN(), secret];", "pack",
           {"main.key.hash.inputs[0]": 0}),
    Attack("the issuer's key is not its hash", NOTES + "ShieldingKey: key <== hash.out;", "pack",
           {"main.key.key": plus("main.key.key", 1)}),
    # checks.circom, as the claims use it.
    Attack("a capacity of 2^64 + 75 kWh, its bits those of 75 kWh", CHECKS + "RangeCheck: toBits.in <== in;", "pack",
           {"main.capacityWh": (1 << 64) + 75_000, "main.capacityRange.toBits.in": 75_000}),
    Attack("a child-labour pack, the child-labour bit of its flags read as 0",
           CHECKS + "RangeCheck: bits <== toBits.out;", "pack",
           {"main.riskFlags": CHILD_LABOUR_PACK, "main.flagBits.bits[0]": 0}),
    Attack("a certified share below its bound, the difference decomposed as 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "pack",
           {"main.metalClaims[0]": claim(certified=4_001), "main.certifiedShare[0].difference.in": 0}),
    Attack("the headroom of a share bound is not 10000 minus it", CHECKS + "AssertBps: signal headroom <== 10000 - bps;",
           "pack", {"main.certifiedIsBps[0].headroom": plus("main.certifiedIsBps[0].headroom", 1)}),
    Attack("the headroom of a share bound is decomposed for another number",
           CHECKS + "AssertBps: _ <== Num2Bits(14)(headroom); [input in]", "pack",
           {"main.certifiedIsBps[0].Num2Bits#0.in": plus("main.certifiedIsBps[0].headroom", 1)}),
    # A bound is 16 bits of its claim and its headroom 14: the bound's own 14-bit range check is
    # redundant here, and only its binding can be broken alone.
    Attack("a share bound's 14-bit range check is fed another number than the bound",
           CHECKS + "AssertBps: _ <== RangeCheck(14)(bps); [input in]", "pack",
           {"main.certifiedIsBps[0].RangeCheck#0.in": plus("main.minCertifiedBps[0]", 1)}),
    # circomlib's Num2Bits, as the share bound uses it.
    Attack("a certified share below its bound, decomposed with a non-bit", BITIFY + "out[i] * (out[i] -1 ) === 0;",
           "pack", certified_share_below_the_minimum("field"),
           culprits=("main.certifiedShare[0].difference.out[0]",)),
    Attack("a certified share below its bound, decomposed into bits that do not sum to it", BITIFY + "lc1 === in;",
           "pack", certified_share_below_the_minimum("zero"), culprits=("main.certifiedShare[0].difference.in",)),
    *lean_imt_attacks("main.notePath", "main.notePathLength", "main.notePathIndex", "pack"),
    *participant_attacks("main.member", "main.issuer", "main.roleIndex", "main.operatorFlags",
                         "main.participantPathLength", "main.participantPathIndex", "main.participantSiblings[0]",
                         "pack"),
    *poseidon_attacks("main.spent.hash", "pack"),
]


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    nickel_free = PassportLedger([pack_note(OEM), NICKEL_FREE]).claim_inputs(NICKEL_FREE, claims=NICKEL_FREE_CLAIMS)
    return AttackLab("pack_claim", {"pack": pack_scenario(), "nickel-free pack": nickel_free},
                     {"pack": TIES, "nickel-free pack": TIES}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("pack_claim"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

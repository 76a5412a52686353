"""ClaimProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the claim circuit, its own and those of the
templates it uses (checks, LotCommitment, circomlib's Num2Bits and Poseidon): each satisfies every
other constraint of the sources and violates this one, and the committed R1CS must reject it, so
deleting the constraint makes its test fail (scripts/mutate_constraints.py shows it)."""

from __future__ import annotations

import pytest

from .attacker import Attack, AttackLab, Honest, P, constraint_labels, lot_commitment_attacks, plus, poseidon_attacks
from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, Lot

CLAIM = "lib/claim.circom ClaimProof: "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "

# 8 kg of cobalt, 40% certified, 25% recycled, 7.5 kg CO2e per kg and 800 g per kWh of a 75 kWh pack:
# exactly at every bound below.
PACK = Lot(cobalt_grams=8_000, total_grams=450_000, certified_cobalt_grams=3_200,
           recycled_cobalt_grams=2_000, co2e_grams=60_000, risk_flags=ARTISANAL_SITE, blinding=77)
BOUNDS = {"minCertifiedBps": 4_000, "minRecycledBps": 2_500, "maxCo2eGramsPerKgCobalt": 7_500,
          "maxCo2eGramsPerKwh": 800, "capacityWh": 75_000,
          "forbiddenRiskFlags": CHILD_LABOUR | CONFLICT_AREA}
CHILD_LABOUR_LOT = ARTISANAL_SITE | CHILD_LABOUR  # flags of a lot the passport must refuse


def claim_input(pack: Lot) -> dict[str, object]:
    """The honest input; the commitment (None) is filled in from the opening."""
    return {"packCommitment": None, "cobaltGrams": pack.cobalt_grams, **BOUNDS, "context": 0x9A55,
            "packCobaltGrams": pack.cobalt_grams, "packTotalGrams": pack.total_grams,
            "packCertifiedCobaltGrams": pack.certified_cobalt_grams,
            "packRecycledCobaltGrams": pack.recycled_cobalt_grams, "packCo2eGrams": pack.co2e_grams,
            "packRiskFlags": pack.risk_flags, "packBlinding": pack.blinding}


def share_below_the_minimum(bits: str) -> object:
    """A minimum certified share of 40.01%, which 3.2 kg of 8 kg misses: the difference
    certified * 10000 - minimum * cobalt is -8000, and the attacker writes its own decomposition:
    `bits` "field" (all of it in bit 0, no bit) or "zero" (bits that do not sum to it)."""
    def changes(honest: Honest) -> dict[str, int]:
        written = {f"main.certifiedShare.difference.out[{index}]": 0 for index in range(79)}
        if bits == "field":
            written["main.certifiedShare.difference.out[0]"] = P - 8_000
        return {"main.minCertifiedBps": 4_001, **written}
    return changes


ATTACKS = [
    # ClaimProof: the opening the bounds are checked on is the one the commitment hashes.
    Attack("an 8 kg declaration is backed by a 4 kg lot",
           CLAIM + "pack.cobaltGrams <== packCobaltGrams;", "pack", {"main.pack.cobaltGrams": 4_000}),
    Attack("the committed total mass is not the one opened",
           CLAIM + "pack.totalGrams <== packTotalGrams;", "pack",
           {"main.pack.totalGrams": plus("main.packTotalGrams", 1)}),
    Attack("a lot without certified cobalt claims 40% certified",
           CLAIM + "pack.certifiedCobaltGrams <== packCertifiedCobaltGrams;", "pack",
           {"main.pack.certifiedCobaltGrams": 0}),
    Attack("a lot without recycled cobalt claims 25% recycled",
           CLAIM + "pack.recycledCobaltGrams <== packRecycledCobaltGrams;", "pack",
           {"main.pack.recycledCobaltGrams": 0}),
    Attack("a lot with ten times the CO2e meets the CO2e bounds",
           CLAIM + "pack.co2eGrams <== packCo2eGrams;", "pack", {"main.pack.co2eGrams": 600_000}),
    Attack("a child-labour lot is checked as a clean one",
           CLAIM + "pack.riskFlags <== packRiskFlags;", "pack",
           {"main.pack.riskFlags": CHILD_LABOUR_LOT}),
    Attack("the committed blinding is not the one opened",
           CLAIM + "pack.blinding <== packBlinding;", "pack",
           {"main.pack.blinding": plus("main.packBlinding", 1)}),
    Attack("the claim is about another lot than the passport's",
           CLAIM + "pack.commitment === packCommitment;", "pack",
           {"main.packCommitment": plus("main.packCommitment", 1)}),
    Attack("the passport declares twice the cobalt the lot holds",
           CLAIM + "packCobaltGrams === cobaltGrams;", "pack", {"main.cobaltGrams": 16_000}),
    Attack("a minimum certified share of -1 bps, its check fed 4000",
           CLAIM + "minCertifiedIsBps.bps <== minCertifiedBps;", "pack",
           {"main.minCertifiedBps": P - 1, "main.minCertifiedIsBps.bps": 4_000}),
    Attack("a minimum recycled share of -1 bps, its check fed 2500",
           CLAIM + "minRecycledIsBps.bps <== minRecycledBps;", "pack",
           {"main.minRecycledBps": P - 1, "main.minRecycledIsBps.bps": 2_500}),
    Attack("a CO2e bound per kg of 2^64 + 7500, its range check fed 7500",
           CLAIM + "maxPerKgRange.in <== maxCo2eGramsPerKgCobalt;", "pack",
           {"main.maxCo2eGramsPerKgCobalt": (1 << 64) + 7_500, "main.maxPerKgRange.in": 7_500}),
    Attack("a CO2e bound per kWh of 2^64 + 800, its range check fed 800",
           CLAIM + "maxPerKwhRange.in <== maxCo2eGramsPerKwh;", "pack",
           {"main.maxCo2eGramsPerKwh": (1 << 64) + 800, "main.maxPerKwhRange.in": 800}),
    Attack("a capacity of 2^64 + 75 kWh, its range check fed 75 kWh",
           CLAIM + "capacityRange.in <== capacityWh;", "pack",
           {"main.capacityWh": (1 << 64) + 75_000, "main.capacityRange.in": 75_000}),
    Attack("a lot without certified cobalt meets 40%, the minimum side taken as 0",
           CLAIM + "certifiedShare.a <== minCertifiedBps * packCobaltGrams;", "pack",
           {"main.packCertifiedCobaltGrams": 0, "main.certifiedShare.a": 0}),
    Attack("a lot without certified cobalt meets 40%, the certified side taken as honest",
           CLAIM + "certifiedShare.b <== packCertifiedCobaltGrams * 10000;", "pack",
           {"main.packCertifiedCobaltGrams": 0, "main.certifiedShare.b": 32_000_000}),
    Attack("a lot without recycled cobalt meets 25%, the minimum side taken as 0",
           CLAIM + "recycledShare.a <== minRecycledBps * packCobaltGrams;", "pack",
           {"main.packRecycledCobaltGrams": 0, "main.recycledShare.a": 0}),
    Attack("a lot without recycled cobalt meets 25%, the recycled side taken as honest",
           CLAIM + "recycledShare.b <== packRecycledCobaltGrams * 10000;", "pack",
           {"main.packRecycledCobaltGrams": 0, "main.recycledShare.b": 20_000_000}),
    Attack("CO2e above the bound per kg, the CO2e side taken as 0",
           CLAIM + "perKgBound.a <== packCo2eGrams * 1000;", "pack",
           {"main.maxCo2eGramsPerKgCobalt": 7_499, "main.perKgBound.a": 0}),
    Attack("CO2e above the bound per kg, the bound side taken at 7500",
           CLAIM + "perKgBound.b <== maxCo2eGramsPerKgCobalt * packCobaltGrams;", "pack",
           {"main.maxCo2eGramsPerKgCobalt": 7_499, "main.perKgBound.b": 60_000_000}),
    Attack("CO2e above the bound per kWh, the CO2e side taken as 0",
           CLAIM + "perKwhBound.a <== packCo2eGrams * 1000;", "pack",
           {"main.maxCo2eGramsPerKwh": 799, "main.perKwhBound.a": 0}),
    Attack("CO2e above the bound per kWh, the bound side taken at 800",
           CLAIM + "perKwhBound.b <== maxCo2eGramsPerKwh * capacityWh;", "pack",
           {"main.maxCo2eGramsPerKwh": 799, "main.perKwhBound.b": 60_000_000}),
    Attack("a child-labour lot, its flags decomposed without the child-labour bit",
           CLAIM + "flagBits.in <== packRiskFlags;", "pack",
           {"main.packRiskFlags": CHILD_LABOUR_LOT, "main.flagBits.in": ARTISANAL_SITE}),
    Attack("a child-labour lot, the forbidden flags decomposed without child labour",
           CLAIM + "forbiddenBits.in <== forbiddenRiskFlags;", "pack",
           {"main.packRiskFlags": CHILD_LABOUR_LOT, "main.forbiddenBits.in": CONFLICT_AREA}),
    Attack("a child-labour lot, its forbidden bit counted as not set",
           CLAIM + "bothSet[bit] <== flagBits.bits[bit] * forbiddenBits.bits[bit];", "pack",
           {"main.packRiskFlags": CHILD_LABOUR_LOT, "main.bothSet[0]": 0}),
    Attack("a child-labour lot carries a forbidden flag",
           CLAIM + "bothSetCount === 0;", "pack", {"main.packRiskFlags": CHILD_LABOUR_LOT},
           culprits=("main.bothSet[0]",)),
    Attack("context is no longer squared (it binds the proof to chain, contract and passport)",
           CLAIM + "contextSquare <== context * context;", "pack",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    # checks.circom, as claim uses it.
    Attack("a capacity of 2^64 + 75 kWh, its bits those of 75 kWh",
           CHECKS + "RangeCheck: toBits.in <== in;", "pack",
           {"main.capacityWh": (1 << 64) + 75_000, "main.capacityRange.toBits.in": 75_000}),
    Attack("a child-labour lot, the child-labour bit of its flags read as 0",
           CHECKS + "RangeCheck: bits <== toBits.out;", "pack",
           {"main.packRiskFlags": CHILD_LABOUR_LOT, "main.flagBits.bits[0]": 0}),
    Attack("a certified share below the minimum, the difference decomposed as 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "pack",
           {"main.minCertifiedBps": 4_001, "main.certifiedShare.difference.in": 0}),
    Attack("the headroom of a share bound is not 10000 minus it",
           CHECKS + "AssertBps: signal headroom <== 10000 - bps;", "pack",
           {"main.minCertifiedIsBps.headroom": plus("main.minCertifiedIsBps.headroom", 1)}),
    Attack("the headroom of a share bound is decomposed for another number",
           CHECKS + "AssertBps: _ <== Num2Bits(14)(headroom); [input in]", "pack",
           {"main.minCertifiedIsBps.Num2Bits#0.in": plus("main.minCertifiedIsBps.headroom", 1)}),
    Attack("a minimum certified share of -1 bps, its range check fed 0",
           CHECKS + "AssertBps: _ <== RangeCheck(14)(bps); [input in]", "pack",
           {"main.minCertifiedBps": P - 1, "main.minCertifiedIsBps.RangeCheck#0.in": 0}),
    # circomlib's Num2Bits, as the share bound uses it.
    Attack("a certified share below the minimum, decomposed with a non-bit",
           BITIFY + "out[i] * (out[i] -1 ) === 0;", "pack", share_below_the_minimum("field"),
           culprits=("main.certifiedShare.difference.out[0]",)),
    Attack("a certified share below the minimum, decomposed into bits that do not sum to it",
           BITIFY + "lc1 === in;", "pack", share_below_the_minimum("zero"),
           culprits=("main.certifiedShare.difference.in",)),
    *lot_commitment_attacks("main.pack", "pack"),
    *poseidon_attacks("main.pack.hash", "pack"),
]


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("claim", {"pack": claim_input(PACK)},
                     {"pack": {"main.packCommitment": "main.pack.commitment"}}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("claim"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

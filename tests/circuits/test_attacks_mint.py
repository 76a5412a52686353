"""MintProof against witnesses an attacker writes by hand (attacker.py says how they are built).

One attack per constraint statement instantiated in the mint circuit, its own and those of the
templates it uses (checks, LotCommitment, circomlib's Num2Bits and Poseidon): each satisfies every
other constraint of the sources and violates this one, and the committed R1CS must reject it, so
deleting the constraint makes its test fail (scripts/mutate_constraints.py shows it)."""

from __future__ import annotations

import pytest

from .attacker import Attack, AttackLab, Honest, P, constraint_labels, lot_commitment_attacks, plus, poseidon_attacks
from .lots import ARTISANAL_SITE, Lot

MINT = "lib/mint.circom MintProof: "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "
HALF = (P + 1) // 2  # 1/2 in the field

# 1,000 kg of cobalt from a certified artisanal site, 6.5 kg CO2e per kg against a floor of 5.
LOT = Lot(cobalt_grams=1_000_000, total_grams=4_000_000, certified_cobalt_grams=1_000_000,
          recycled_cobalt_grams=0, co2e_grams=6_500_000, risk_flags=ARTISANAL_SITE,
          blinding=987654321987654321987654321)
FLOOR = 5_000


def mint_input(lot: Lot, *, certified: int, recycled_origin: int) -> dict[str, object]:
    """The honest input; the commitment (None) is filled in from the opening."""
    return {"commitment": None, "certified": certified, "recycledOrigin": recycled_origin,
            "riskFlags": lot.risk_flags, "co2eFloorGramsPerKg": FLOOR, "context": 0xC0FFEE,
            "cobaltGrams": lot.cobalt_grams, "totalGrams": lot.total_grams,
            "certifiedCobaltGrams": lot.certified_cobalt_grams,
            "recycledCobaltGrams": lot.recycled_cobalt_grams, "co2eGrams": lot.co2e_grams,
            "lotRiskFlags": lot.risk_flags, "blinding": lot.blinding}


def below_the_floor(bits: str) -> object:
    """4 kg CO2e per kg, under the floor of 5: 1000 * co2e - cobalt * floor is negative, and the
    attacker writes its own decomposition of it: `bits` is "field" (the whole difference in bit 0,
    which then is no bit) or "zero" (every bit 0, whose sum is not the difference)."""
    def changes(honest: Honest) -> dict[str, int]:
        difference = (4_000_000 * 1000 - honest("main.cobaltGrams") * FLOOR) % P
        written = {f"main.aboveFloor.difference.out[{index}]": 0 for index in range(97)}
        if bits == "field":
            written["main.aboveFloor.difference.out[0]"] = difference
        return {"main.co2eGrams": 4_000_000, **written}
    return changes


ZERO_COBALT = {"main.cobaltGrams": 0, "main.certifiedCobaltGrams": 0}

ATTACKS = [
    # MintProof: the opening the checks use is the opening the commitment hashes.
    Attack("the CO2e floor is checked for half of the committed cobalt",
           MINT + "lot.cobaltGrams <== cobaltGrams;", "certified",
           {"main.lot.cobaltGrams": 2_000_000}),
    Attack("the committed total mass is not the one opened",
           MINT + "lot.totalGrams <== totalGrams;", "certified",
           {"main.lot.totalGrams": plus("main.totalGrams", 1)}),
    Attack("an uncertifiable half of the lot is committed as certified",
           MINT + "lot.certifiedCobaltGrams <== certifiedCobaltGrams;", "uncertified",
           {"main.lot.certifiedCobaltGrams": 500_000}),
    Attack("a non-recycler commits recycled cobalt",
           MINT + "lot.recycledCobaltGrams <== recycledCobaltGrams;", "certified",
           {"main.lot.recycledCobaltGrams": 1_000_000}),
    Attack("the committed CO2e is below the floor the proof checked",
           MINT + "lot.co2eGrams <== co2eGrams;", "certified", {"main.lot.co2eGrams": 1}),
    Attack("the artisanal-site flag is washed out of the commitment",
           MINT + "lot.riskFlags <== lotRiskFlags;", "certified", {"main.lot.riskFlags": 0}),
    Attack("the committed blinding is not the one opened",
           MINT + "lot.blinding <== blinding;", "certified",
           {"main.lot.blinding": plus("main.blinding", 1)}),
    Attack("the public commitment is not the lot's",
           MINT + "lot.commitment === commitment;", "certified",
           {"main.commitment": plus("main.commitment", 1)}),
    Attack("certified = 1/2 certifies half a lot",
           MINT + "certifiedIsBit.in <== certified;", "certified",
           {"main.certified": HALF, "main.certifiedCobaltGrams": 500_000,
            "main.certifiedIsBit.in": 1}),
    Attack("recycledOrigin = 1/2 makes half a lot recycled",
           MINT + "recycledOriginIsBit.in <== recycledOrigin;", "certified",
           {"main.recycledOrigin": HALF, "main.recycledCobaltGrams": 500_000,
            "main.recycledOriginIsBit.in": 0}),
    Attack("a certified facility mints a partly certified lot",
           MINT + "certifiedCobaltGrams === certified * cobaltGrams;", "certified",
           {"main.certifiedCobaltGrams": 999_999}),
    Attack("a non-recycler mints recycled cobalt",
           MINT + "recycledCobaltGrams === recycledOrigin * cobaltGrams;", "certified",
           {"main.recycledCobaltGrams": 1_000}),
    Attack("the lot drops the facility's audited risk flags",
           MINT + "lotRiskFlags === riskFlags;", "certified", {"main.lotRiskFlags": 0}),
    Attack("a lot without cobalt, its non-zero check fed a 1",
           MINT + "someCobalt.in <== cobaltGrams;", "certified",
           {**ZERO_COBALT, "main.someCobalt.in": 1}),
    Attack("a floor of -1 g/kg, its range check fed the real floor",
           MINT + "floorRange.in <== co2eFloorGramsPerKg;", "certified",
           {"main.co2eFloorGramsPerKg": P - 1, "main.floorRange.in": FLOOR}),
    Attack("CO2e below the floor, the floor side taken as 0",
           MINT + "aboveFloor.a <== cobaltGrams * co2eFloorGramsPerKg;", "certified",
           {"main.co2eGrams": 1, "main.aboveFloor.a": 0}),
    Attack("CO2e below the floor, the CO2e side taken as the honest one",
           MINT + "aboveFloor.b <== co2eGrams * 1000;", "certified",
           {"main.co2eGrams": 1, "main.aboveFloor.b": 6_500_000_000}),
    Attack("context is no longer squared (it binds the proof to chain, contract and lot)",
           MINT + "contextSquare <== context * context;", "certified",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    # checks.circom, as mint uses it.
    Attack("a total mass of 2^64 + cobalt - 1 grams, its range check fed the mass mod 2^64",
           CHECKS + "RangeCheck: toBits.in <== in;", "certified",
           {"main.totalGrams": (1 << 64) + 999_999, "main.lot.totalRange.toBits.in": 999_999}),
    Attack("a range check's output bits are not the checked bits",
           CHECKS + "RangeCheck: bits <== toBits.out;", "certified",
           {"main.floorRange.bits[0]": plus("main.floorRange.bits[0]", 1)}),
    Attack("CO2e below the floor, the difference's decomposition fed 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "certified",
           {"main.co2eGrams": 4_000_000, "main.aboveFloor.difference.in": 0}),
    Attack("a lot without cobalt passes the non-zero check",
           CHECKS + "AssertNonZeroIf: in * inverse === enabled;", "certified", ZERO_COBALT,
           culprits=("main.someCobalt.check.inverse",)),
    Attack("a lot without cobalt, the non-zero check fed a 1",
           CHECKS + "AssertNonZero: check.in <== in;", "certified",
           {**ZERO_COBALT, "main.someCobalt.check.in": 1}),
    Attack("a lot without cobalt, the non-zero check disabled",
           CHECKS + "AssertNonZero: check.enabled <== 1;", "certified",
           {**ZERO_COBALT, "main.someCobalt.check.enabled": 0}),
    Attack("certified = 1/2 is taken for a bit",
           CHECKS + "AssertBit: in * (in - 1) === 0;", "certified",
           {"main.certified": HALF, "main.certifiedCobaltGrams": 500_000},
           culprits=("main.certifiedIsBit.in",)),
    # circomlib's Num2Bits, as the CO2e floor uses it.
    Attack("CO2e below the floor, decomposed with a non-bit",
           BITIFY + "out[i] * (out[i] -1 ) === 0;", "certified", below_the_floor("field"),
           culprits=("main.aboveFloor.difference.out[0]",)),
    Attack("CO2e below the floor, decomposed into bits that do not sum to it",
           BITIFY + "lc1 === in;", "certified", below_the_floor("zero"),
           culprits=("main.aboveFloor.difference.in",)),
    *lot_commitment_attacks("main.lot", "certified"),
    *poseidon_attacks("main.lot.hash", "certified"),
]

TIES = {"main.commitment": "main.lot.commitment"}


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("mint", {
        "certified": mint_input(LOT, certified=1, recycled_origin=0),
        "uncertified": mint_input(LOT.but(certified_cobalt_grams=0), certified=0, recycled_origin=0),
    }, {"certified": TIES, "uncertified": TIES}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("mint"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

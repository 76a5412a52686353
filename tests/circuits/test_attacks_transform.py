"""TransformProof(4, 4) against witnesses an attacker writes by hand (attacker.py says how they are
built).

One attack per constraint statement instantiated in the transform circuit, its own and those of the
templates it uses (checks, LotCommitment, circomlib's Num2Bits, IsZero and Poseidon): each satisfies
every other constraint of the sources and violates this one, and the committed R1CS must reject it,
so deleting the constraint makes its test fail (scripts/mutate_constraints.py shows it). Among them
the four of issue 13: the range checks of the rounding remainders, which let an attacker round a
certified (or recycled) share up and a CO2e share down with a negative remainder; and the floor of
process emissions per kg processed (issue 13, finding 6), which an attacker would pass with too little
CO2e by wrapping the comparison around the field."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from .attacker import LOT_FIELDS, Attack, AttackLab, Honest, P, constraint_labels, lot_commitment_attacks, plus, poseidon_attacks
from .lots import ARTISANAL_SITE, CHILD_LABOUR, CONFLICT_AREA, EMPTY_LOT, TWO_64, Lot

SLOTS = 4
TRANSFORM = "lib/transform.circom TransformProof: "
SLOT = "lib/transform.circom OpenedSlot: "
DISTINCT = "lib/transform.circom AssertDistinctWhenUsed: "
FLOOR = "lib/transform.circom FloorProportion: "
CEIL = "lib/transform.circom CeilProportion: "
CHECKS = "lib/checks.circom "
BITIFY = "circomlib/circuits/bitify.circom Num2Bits: "
IS_ZERO = "circomlib/circuits/comparators.circom IsZero: "
OPENING = ("var opened = LotCommitment()(values[0], values[1], values[2], values[3], values[4], "
           "values[5], values[6]);")
# SumOf's anonymous calls in source order: used inputs, used outputs, then the six sums.
SOME_INPUT, SOME_OUTPUT, COBALT_IN, COBALT_OUT, CERTIFIED_IN, RECYCLED_IN, CO2E_IN, TOTAL_IN = (
    f"main.SumOf#{index}" for index in range(8))

ORE = Lot(cobalt_grams=10_000, total_grams=200_000, certified_cobalt_grams=7_001,
          recycled_cobalt_grams=2_000, co2e_grams=50_000, risk_flags=ARTISANAL_SITE, blinding=11)
SCRAP_A = Lot(3_000, 9_000, 0, 3_000, 1_000, 0, 21)
SCRAP_B = Lot(5_000, 5_000, 5_000, 0, 20_000, CHILD_LABOUR, 22)
SCRAP_C = Lot(2_000, 2_500, 1_000, 1_000, 333, CONFLICT_AREA, 23)
TWIN = Lot(4_000, 8_000, 2_000, 1_000, 9_000, CONFLICT_AREA, 31)  # and its twin, blinding 32


def honest_outputs(inputs: list[Lot], output_cobalt: list[int], process_co2e: int) -> list[Lot]:
    """The outputs the rulebook demands: floor shares of certified/recycled, ceil share of CO2e."""
    cobalt_in = sum(lot.cobalt_grams for lot in inputs)
    certified_in = sum(lot.certified_cobalt_grams for lot in inputs)
    recycled_in = sum(lot.recycled_cobalt_grams for lot in inputs)
    co2e = sum(lot.co2e_grams for lot in inputs) + process_co2e
    flags = 0
    for lot in inputs:
        flags |= lot.risk_flags
    return [Lot(cobalt, cobalt * 2, certified_in * cobalt // cobalt_in, recycled_in * cobalt // cobalt_in,
                -(-co2e * cobalt // sum(output_cobalt)), flags, 1000 + index)
            for index, cobalt in enumerate(output_cobalt)]


def transform_input(inputs: list[Lot], outputs: list[Lot], process_co2e: int,
                    max_loss_bps: int = 500, process_floor: int = 0) -> dict[str, object]:
    """The honest input; used slots' commitments (None) are filled in from their openings."""
    opened = {"input": inputs + [EMPTY_LOT] * (SLOTS - len(inputs)),
              "output": outputs + [EMPTY_LOT] * (SLOTS - len(outputs))}
    values: dict[str, object] = {
        "inputCommitments": [None] * len(inputs) + [0] * (SLOTS - len(inputs)),
        "outputCommitments": [None] * len(outputs) + [0] * (SLOTS - len(outputs)),
        "maxYieldLossBps": max_loss_bps, "processCo2eGrams": process_co2e,
        "processCo2eFloorGramsPerKg": process_floor, "context": 0xBA77}
    names = ["CobaltGrams", "TotalGrams", "CertifiedCobaltGrams", "RecycledCobaltGrams", "Co2eGrams",
             "RiskFlags", "Blinding"]
    for side, lots in opened.items():
        for index, name in enumerate(names):
            values[side + name] = [lot.values()[index] for lot in lots]
    return values


def ties(inputs: int, outputs: int) -> dict[str, str]:
    """Each used slot's public commitment is the hash of its (possibly forged) opening."""
    return {**{f"main.inputCommitments[{i}]": f"main.inputSlot[{i}].LotCommitment#0.commitment"
               for i in range(inputs)},
            **{f"main.outputCommitments[{j}]": f"main.outputSlot[{j}].LotCommitment#0.commitment"
               for j in range(outputs)}}


# The split processes 200 kg of ore at a floor of 4 g CO2e per kg: 800 g at least, 1 kg declared
# (room for the phantom input below); the merge 16.5 kg of scrap at 40 g/kg: 660 g, 667 g declared.
SPLIT_FLOOR, MERGE_FLOOR = 4, 40
SPLIT_OUTPUTS = honest_outputs([ORE], [3_333, 3_333, 3_334], 1_000)
SCENARIOS = {
    "split": (transform_input([ORE], SPLIT_OUTPUTS, 1_000, process_floor=SPLIT_FLOOR), ties(1, 3)),
    "merge": (transform_input([SCRAP_A, SCRAP_B, SCRAP_C],
                              honest_outputs([SCRAP_A, SCRAP_B, SCRAP_C], [10_000], 667), 667,
                              process_floor=MERGE_FLOOR),
              ties(3, 1)),
    "refine": (transform_input([ORE], honest_outputs([ORE], [9_500], 0), 0), ties(1, 1)),
    "twin inputs": (transform_input([TWIN, TWIN.but(blinding=32)],
                                    honest_outputs([TWIN, TWIN], [8_000], 0), 0), ties(2, 1)),
    "twin outputs": (transform_input([ORE], honest_outputs([ORE], [5_000, 5_000], 0), 0), ties(1, 2)),
}
SPLIT_TIES = SCENARIOS["split"][1]


def reshare(cobalt: Mapping[int, int] | None = None, cobalt_in: int | None = None,
            certified_in: int | None = None, recycled_in: int | None = None,
            co2e: int | None = None, cobalt_out: int | None = None,
            extra: Mapping[str, int] | None = None) -> Callable[[Honest], dict[str, int]]:
    """Changes that give the outputs the shares the circuit's equations demand once the attacker
    has moved an output's cobalt or one of the sums (which the equations then see): floor of
    certified and recycled, ceil of CO2e; with the further changes `extra`."""
    def changes(honest: Honest) -> dict[str, int]:
        amounts = {j: honest(f"main.outputCobaltGrams[{j}]") for j in range(SLOTS)}
        amounts.update(cobalt or {})
        whole_in = honest("main.cobaltIn") if cobalt_in is None else cobalt_in
        whole_out = sum(amounts.values()) if cobalt_out is None else cobalt_out
        certified = honest("main.certifiedIn") if certified_in is None else certified_in
        recycled = honest("main.recycledIn") if recycled_in is None else recycled_in
        allocated = honest("main.co2eToAllocate") if co2e is None else co2e
        written = dict(extra or {})
        for j, part in amounts.items():
            if part == 0:
                continue
            written[f"main.outputCobaltGrams[{j}]"] = part
            written[f"main.outputCertifiedCobaltGrams[{j}]"] = certified * part // whole_in
            written[f"main.outputRecycledCobaltGrams[{j}]"] = recycled * part // whole_in
            written[f"main.outputCo2eGrams[{j}]"] = -(-allocated * part // whole_out)
        return written
    return changes


SAME_LOT_TWICE = {"main.inputBlinding[1]": 31}      # the twin is now the very same lot
SAME_OUTPUT_TWICE = {"main.outputBlinding[1]": 1000}
# An empty output slot made used: its commitment is the hash of an all-zero opening (blinding 5)
# that carries the inputs' flags, as a used output must.
PHANTOM_OUTPUT = {"main.outputBlinding[3]": 5, "main.outputRiskFlags[3]": ARTISANAL_SITE}
PHANTOM_TIES = {**SPLIT_TIES, "main.outputCommitments[3]": "main.outputSlot[3].LotCommitment#0.commitment"}
WASHED_OUTPUTS = {f"main.outputRiskFlags[{j}]": 0 for j in range(3)}
ALLOTTED = 123456789  # a commitment of the attacker's choosing, for a lot the job never made
HIDDEN_LOSS = {0: 9_000}  # refine: 10% lost where the rulebook allows 5%
CREATED = {2: 4_334}      # split: 1 kg more cobalt out than in

# The certified share of split output 0: 7001 * 3333 = 2333 * 10000 + 4333; its CO2e share:
# 51000 * 3333 + 7000 = 16999 * 10000.
FLOOR_SHARE, FLOOR_REMAINDER, CEIL_SHARE, CEIL_REMAINDER, WHOLE = 2_333, 4_333, 16_999, 7_000, 10_000
CERTIFIED_0 = "main.outputCertifiedCobaltGrams[0]"
CO2E_0 = "main.outputCo2eGrams[0]"


def rounded_up_certified(bits: str | None = None) -> dict[str, int]:
    """Output 0 takes one certified gram more than its floor share, with the remainder
    4333 - 10000 < 0; `bits` says how the attacker decomposes that remainder for its range check:
    None (not at all), "field" (all of it in bit 0) or "zero" (bits that do not sum to it)."""
    changes = {CERTIFIED_0: FLOOR_SHARE + 1, "main.certifiedShare[0].remainder": FLOOR_REMAINDER - WHOLE}
    if bits is not None:
        prefix = "main.certifiedShare[0].remainderRange.toBits.out"
        changes.update({f"{prefix}[{index}]": 0 for index in range(66)})
        if bits == "field":
            changes[f"{prefix}[0]"] = (FLOOR_REMAINDER - WHOLE) % P
    return changes


ROUNDED_DOWN_CERTIFIED = {CERTIFIED_0: FLOOR_SHARE - 1,
                          "main.certifiedShare[0].remainder": FLOOR_REMAINDER + WHOLE}
ROUNDED_DOWN_CO2E = {CO2E_0: CEIL_SHARE - 1, "main.co2eShare[0].remainder": CEIL_REMAINDER - WHOLE}
ROUNDED_UP_CO2E = {CO2E_0: CEIL_SHARE + 1, "main.co2eShare[0].remainder": CEIL_REMAINDER + WHOLE}


def below_the_process_floor(bits: str) -> Callable[[Honest], dict[str, int]]:
    """799 g of process emissions for the split's 200 kg at 4 g/kg: 1000 * 799 - 4 * 200000 = -1000,
    which is p - 1000 in the field and has no 98-bit decomposition. `bits` says what the attacker
    writes instead: "field" (all of p - 1000 in bit 0, then no bit) or "zero" (every bit 0, whose sum
    is not the difference)."""
    def changes(honest: Honest) -> dict[str, int]:
        written = reshare(co2e=50_799, extra={"main.processCo2eGrams": 799})(honest)
        prefix = "main.processAboveFloor.difference.out"
        written.update({f"{prefix}[{index}]": 0 for index in range(98)})
        if bits == "field":
            written[f"{prefix}[0]"] = (799 * 1000 - SPLIT_FLOOR * honest("main.totalIn")) % P
        return written
    return changes


def lot_bindings() -> list[Attack]:
    """OpenedSlot hands its opening to LotCommitment, one binding per value."""
    slot = "main.outputSlot[0].LotCommitment#0"
    # (Not blinding + 1: that is output 1's opening, whose commitment output 0 may not repeat.)
    return [Attack(f"output 0's commitment hashes another {field} than the job allotted",
                   f"{SLOT}{OPENING} [input {field}]", "split",
                   {f"{slot}.{field}": plus(f"{slot}.{field}", 10 ** 6 if field == "blinding" else 1)})
            for field in LOT_FIELDS]


ATTACKS = [
    # TransformProof: slots.
    Attack("the job consumes a lot other than the one it opens",
           TRANSFORM + "inputSlot[i].commitment <== inputCommitments[i];", "split",
           {"main.inputCommitments[0]": plus("main.inputCommitments[0]", 1),
            "main.inputSlot[0].commitment": plus("main.inputSlot[0].commitment", 0)}),
    Attack("the consumed lot's 1 t of CO2e is hidden from the allocation",
           TRANSFORM + "inputSlot[i].values <== [inputCobaltGrams[i], inputTotalGrams[i], "
           "inputCertifiedCobaltGrams[i], inputRecycledCobaltGrams[i], inputCo2eGrams[i], "
           "inputRiskFlags[i], inputBlinding[i]];", "split",
           {"main.inputSlot[0].values[4]": 1_000_000}),
    Attack("the same lot is consumed twice, its used flag cleared for the distinctness check",
           TRANSFORM + "inputUsed[i] <== inputSlot[i].used;", "twin inputs",
           {**SAME_LOT_TWICE, "main.inputUsed[0]": 0}),
    Attack("the chain records an output commitment other than the lot made",
           TRANSFORM + "outputSlot[j].commitment <== outputCommitments[j];", "split",
           {"main.outputCommitments[0]": plus("main.outputCommitments[0]", 1),
            "main.outputSlot[0].commitment": plus("main.outputSlot[0].commitment", 0)}),
    Attack("output 0's lot commits 100 g more certified cobalt than it was allotted",
           TRANSFORM + "outputSlot[j].values <== [outputCobaltGrams[j], outputTotalGrams[j], "
           "outputCertifiedCobaltGrams[j], outputRecycledCobaltGrams[j], outputCo2eGrams[j], "
           "outputRiskFlags[j], outputBlinding[j]];", "split",
           {"main.outputSlot[0].values[2]": plus(CERTIFIED_0, 100)}),
    Attack("output 0 sheds the artisanal-site flag, its used flag cleared",
           TRANSFORM + "outputUsed[j] <== outputSlot[j].used;", "split",
           {"main.outputUsed[0]": 0, "main.outputRiskFlags[0]": 0}),
    Attack("the check that some input is used reads another count",
           TRANSFORM + "someInput.in <== SumOf(nInputs)(inputUsed); [output]", "split",
           {"main.someInput.in": 2}),
    Attack("the count of used inputs counts an unused slot",
           TRANSFORM + "someInput.in <== SumOf(nInputs)(inputUsed); [input in]", "split",
           {f"{SOME_INPUT}.in[1]": 1}),
    Attack("the check that some output is used reads another count",
           TRANSFORM + "someOutput.in <== SumOf(nOutputs)(outputUsed); [output]", "split",
           {"main.someOutput.in": 4}),
    Attack("the count of used outputs counts an unused slot",
           TRANSFORM + "someOutput.in <== SumOf(nOutputs)(outputUsed); [input in]", "split",
           {f"{SOME_OUTPUT}.in[3]": 1}),
    Attack("the same lot is consumed twice, the distinctness check fed the old commitment",
           TRANSFORM + "distinctInputs.commitments <== inputCommitments;", "twin inputs",
           {**SAME_LOT_TWICE,
            "main.distinctInputs.commitments[1]": plus("main.distinctInputs.commitments[1]", 0)}),
    Attack("the same lot is consumed twice, the distinctness check told it is unused",
           TRANSFORM + "distinctInputs.used <== inputUsed;", "twin inputs",
           {**SAME_LOT_TWICE, "main.distinctInputs.used[0]": 0}),
    Attack("two outputs share one commitment, the distinctness check fed the old one",
           TRANSFORM + "distinctOutputs.commitments <== outputCommitments;", "twin outputs",
           {**SAME_OUTPUT_TWICE,
            "main.distinctOutputs.commitments[1]": plus("main.distinctOutputs.commitments[1]", 0)}),
    Attack("two outputs share one commitment, the distinctness check told one is unused",
           TRANSFORM + "distinctOutputs.used <== outputUsed;", "twin outputs",
           {**SAME_OUTPUT_TWICE, "main.distinctOutputs.used[0]": 0}),
    Attack("a used output without cobalt, its non-zero check fed a 1",
           TRANSFORM + "outputHoldsCobalt[j].in <== outputCobaltGrams[j];", "split",
           {**PHANTOM_OUTPUT, "main.outputHoldsCobalt[3].in": 1}, ties=PHANTOM_TIES),
    Attack("a used output without cobalt, its non-zero check disabled",
           TRANSFORM + "outputHoldsCobalt[j].enabled <== outputUsed[j];", "split",
           {**PHANTOM_OUTPUT, "main.outputHoldsCobalt[3].enabled": 0}, ties=PHANTOM_TIES),
    # TransformProof: the sums.
    Attack("a 10% loss hidden by an input cobalt of 9.4 kg for the 10 kg consumed",
           TRANSFORM + "signal cobaltIn <== SumOf(nInputs)(inputCobaltGrams); [output]", "refine",
           reshare(HIDDEN_LOSS, cobalt_in=9_400, extra={"main.cobaltIn": 9_400})),
    Attack("a 10% loss hidden, the input cobalt summed as 9.4 kg",
           TRANSFORM + "signal cobaltIn <== SumOf(nInputs)(inputCobaltGrams); [input in]", "refine",
           reshare(HIDDEN_LOSS, cobalt_in=9_400, extra={f"{COBALT_IN}.in[0]": 9_400})),
    Attack("a 10% loss reported as 5%, the output cobalt taken as 9.5 kg",
           TRANSFORM + "signal cobaltOut <== SumOf(nOutputs)(outputCobaltGrams); [output]", "refine",
           reshare(HIDDEN_LOSS, cobalt_out=9_500, extra={"main.cobaltOut": 9_500})),
    Attack("a 10% loss reported as 5%, the output cobalt summed as 9.5 kg",
           TRANSFORM + "signal cobaltOut <== SumOf(nOutputs)(outputCobaltGrams); [input in]",
           "refine", reshare(HIDDEN_LOSS, cobalt_out=9_500,
                             extra={f"{COBALT_OUT}.in[0]": 9_500})),
    Attack("uncertified cobalt comes out certified, the certified sum taken as all of it",
           TRANSFORM + "signal certifiedIn <== SumOf(nInputs)(inputCertifiedCobaltGrams); [output]",
           "split", reshare(certified_in=10_000, extra={"main.certifiedIn": 10_000})),
    Attack("uncertified cobalt comes out certified, the input counted as all certified",
           TRANSFORM + "signal certifiedIn <== SumOf(nInputs)(inputCertifiedCobaltGrams); [input in]",
           "split", reshare(certified_in=10_000, extra={f"{CERTIFIED_IN}.in[0]": 10_000})),
    Attack("mined cobalt comes out recycled, the recycled sum taken as all of it",
           TRANSFORM + "signal recycledIn <== SumOf(nInputs)(inputRecycledCobaltGrams); [output]",
           "split", reshare(recycled_in=10_000, extra={"main.recycledIn": 10_000})),
    Attack("mined cobalt comes out recycled, the input counted as all recycled",
           TRANSFORM + "signal recycledIn <== SumOf(nInputs)(inputRecycledCobaltGrams); [input in]",
           "split", reshare(recycled_in=10_000, extra={f"{RECYCLED_IN}.in[0]": 10_000})),
    Attack("the input's 50 kg CO2e vanish, the CO2e sum taken as 0",
           TRANSFORM + "signal co2eIn <== SumOf(nInputs)(inputCo2eGrams); [output]", "split",
           reshare(co2e=1_000, extra={"main.co2eIn": 0})),
    Attack("the input's 50 kg CO2e vanish, the input counted with none",
           TRANSFORM + "signal co2eIn <== SumOf(nInputs)(inputCo2eGrams); [input in]", "split",
           reshare(co2e=1_000, extra={f"{CO2E_IN}.in[0]": 0})),
    Attack("1 kg of cobalt created, the mass balance fed 10 kg out",
           TRANSFORM + "noCobaltCreated.a <== cobaltOut;", "split",
           reshare(CREATED, extra={"main.noCobaltCreated.a": 10_000})),
    Attack("1 kg of cobalt created, the mass balance fed 11 kg in",
           TRANSFORM + "noCobaltCreated.b <== cobaltIn;", "split",
           reshare(CREATED, extra={"main.noCobaltCreated.b": 11_000})),
    Attack("a yield-loss bound of 200%, its basis-points check fed 5%",
           TRANSFORM + "lossIsBps.bps <== maxYieldLossBps;", "refine",
           {"main.maxYieldLossBps": 20_000, "main.lossIsBps.bps": 500}),
    Attack("a 10% loss where 5% is allowed, the loss taken as 0",
           TRANSFORM + "lossWithinBound.a <== (cobaltIn - cobaltOut) * 10000;", "refine",
           reshare(HIDDEN_LOSS, extra={"main.lossWithinBound.a": 0})),
    Attack("a 10% loss where 5% is allowed, the allowance taken as 10%",
           TRANSFORM + "lossWithinBound.b <== maxYieldLossBps * cobaltIn;", "refine",
           reshare(HIDDEN_LOSS, extra={"main.lossWithinBound.b": 10_000_000})),
    Attack("process emissions of 2^64 g + 1 kg, past the overflow bound, their range check fed 1 kg",
           TRANSFORM + "processRange.in <== processCo2eGrams;", "split",
           reshare(co2e=51_000 + TWO_64, extra={"main.processCo2eGrams": TWO_64 + 1_000,
                                               "main.processRange.in": 1_000})),
    # TransformProof: the floor of process emissions per kg processed (issue 13, finding 6).
    Attack("no process emissions where the floor demands 800 g, the floor side taken as 0",
           TRANSFORM + "processAboveFloor.a <== processCo2eFloorGramsPerKg * totalIn;", "split",
           reshare(co2e=50_000, extra={"main.processCo2eGrams": 0, "main.processAboveFloor.a": 0})),
    Attack("no process emissions where the floor demands 800 g, the CO2e side taken as 1 kg",
           TRANSFORM + "processAboveFloor.b <== processCo2eGrams * 1000;", "split",
           reshare(co2e=50_000, extra={"main.processCo2eGrams": 0,
                                       "main.processAboveFloor.b": 1_000_000})),
    Attack("400 g of process emissions for 200 kg processed, the material summed as 100 kg",
           TRANSFORM + "signal totalIn <== SumOf(nInputs)(inputTotalGrams); [output]", "split",
           reshare(co2e=50_400, extra={"main.processCo2eGrams": 400, "main.totalIn": 100_000})),
    Attack("400 g of process emissions for 200 kg processed, the input counted as 100 kg",
           TRANSFORM + "signal totalIn <== SumOf(nInputs)(inputTotalGrams); [input in]", "split",
           reshare(co2e=50_400, extra={"main.processCo2eGrams": 400, f"{TOTAL_IN}.in[0]": 100_000})),
    Attack("a floor of -1 g/kg, which every declaration clears, its range check fed the real floor",
           TRANSFORM + "processFloorRange.in <== processCo2eFloorGramsPerKg;", "split",
           {"main.processCo2eFloorGramsPerKg": P - 1, "main.processFloorRange.in": SPLIT_FLOOR}),
    Attack("the process's 1 kg CO2e is left out of the allocation",
           TRANSFORM + "signal co2eToAllocate <== co2eIn + processCo2eGrams;", "split",
           reshare(co2e=50_000, extra={"main.co2eToAllocate": 50_000})),
    # TransformProof: the shares, one binding at a time.
    Attack("output 0's certified share computed from 2 kg more certified input",
           TRANSFORM + "certifiedShare[j].amount <== certifiedIn;", "split",
           {"main.certifiedShare[0].amount": 9_001, CERTIFIED_0: 9_001 * 3_333 // 10_000}),
    Attack("output 0's certified share computed for 1 g more cobalt",
           TRANSFORM + "certifiedShare[j].part <== outputCobaltGrams[j];", "split",
           {"main.certifiedShare[0].part": 3_334, CERTIFIED_0: 7_001 * 3_334 // 10_000}),
    Attack("output 0's certified share computed against 9 kg of input",
           TRANSFORM + "certifiedShare[j].whole <== cobaltIn;", "split",
           {"main.certifiedShare[0].whole": 9_000, CERTIFIED_0: 7_001 * 3_333 // 9_000}),
    Attack("output 0 commits 500 g more certified cobalt than its share",
           TRANSFORM + "certifiedShare[j].share <== outputCertifiedCobaltGrams[j];", "split",
           {CERTIFIED_0: FLOOR_SHARE + 500, "main.certifiedShare[0].share": FLOOR_SHARE}),
    Attack("output 0's recycled share computed from 7 kg more recycled input",
           TRANSFORM + "recycledShare[j].amount <== recycledIn;", "split",
           {"main.recycledShare[0].amount": 9_001,
            "main.outputRecycledCobaltGrams[0]": 9_001 * 3_333 // 10_000}),
    Attack("output 0's recycled share computed for 5 kg of cobalt",
           TRANSFORM + "recycledShare[j].part <== outputCobaltGrams[j];", "split",
           {"main.recycledShare[0].part": 5_000,
            "main.outputRecycledCobaltGrams[0]": 2_000 * 5_000 // 10_000}),
    Attack("output 0's recycled share computed against 9 kg of input",
           TRANSFORM + "recycledShare[j].whole <== cobaltIn;", "split",
           {"main.recycledShare[0].whole": 9_000,
            "main.outputRecycledCobaltGrams[0]": 2_000 * 3_333 // 9_000}),
    Attack("output 0 commits 500 g more recycled cobalt than its share",
           TRANSFORM + "recycledShare[j].share <== outputRecycledCobaltGrams[j];", "split",
           {"main.outputRecycledCobaltGrams[0]": plus("main.outputRecycledCobaltGrams[0]", 500),
            "main.recycledShare[0].share": plus("main.outputRecycledCobaltGrams[0]", 0)}),
    Attack("output 0's CO2e share computed from no CO2e at all",
           TRANSFORM + "co2eShare[j].amount <== co2eToAllocate;", "split",
           {"main.co2eShare[0].amount": 0, CO2E_0: 0}),
    Attack("output 0's CO2e share computed for 1 g of cobalt",
           TRANSFORM + "co2eShare[j].part <== outputCobaltGrams[j];", "split",
           {"main.co2eShare[0].part": 1, CO2E_0: -(-51_000 // 10_000)}),
    Attack("output 0's CO2e share computed against 1000 t of output",
           TRANSFORM + "co2eShare[j].whole <== cobaltOut;", "split",
           {"main.co2eShare[0].whole": 10 ** 9, CO2E_0: -(-51_000 * 3_333 // 10 ** 9)}),
    Attack("output 0 commits no CO2e at all, its share left as computed",
           TRANSFORM + "co2eShare[j].share <== outputCo2eGrams[j];", "split",
           {CO2E_0: 0, "main.co2eShare[0].share": CEIL_SHARE}),
    # TransformProof: risk flags.
    Attack("the artisanal-site flag washed off every output, the input's flags decomposed as 0",
           TRANSFORM + "inputFlagBits[i].in <== inputRiskFlags[i];", "split",
           {**WASHED_OUTPUTS, "main.inputFlagBits[0].in": 0}),
    Attack("the artisanal-site flag washed off every output, its bit read as clear",
           TRANSFORM + "noneSet[bit][0] <== 1 - inputFlagBits[0].bits[bit];", "split",
           {**WASHED_OUTPUTS, "main.noneSet[2][0]": 1}),
    Attack("the artisanal-site flag washed off every output, its running AND reset",
           TRANSFORM + "noneSet[bit][i] <== noneSet[bit][i - 1] * (1 - inputFlagBits[i].bits[bit]);",
           "split", {**WASHED_OUTPUTS, "main.noneSet[2][1]": 1}),
    Attack("output 0 drops the artisanal-site flag",
           TRANSFORM + "(outputRiskFlags[j] - mergedFlags) * outputUsed[j] === 0;", "split",
           {"main.outputRiskFlags[0]": 0}),
    Attack("context is no longer squared (it binds the proof to chain, contract and job)",
           TRANSFORM + "contextSquare <== context * context;", "split",
           {"main.contextSquare": plus("main.contextSquare", 1)}),
    # OpenedSlot.
    Attack("output 0 is marked unused, so its commitment need open to nothing",
           SLOT + "used <== 1 - isEmpty;", "split",
           {"main.outputSlot[0].used": 0, "main.outputCommitments[0]": ALLOTTED}),
    Attack("output 0's public commitment is not the hash of its opening",
           SLOT + "(opened - commitment) * used === 0;", "split",
           {"main.outputCommitments[0]": ALLOTTED}, culprits=("main.outputSlot[0].commitment",)),
    Attack("a phantom lot in an unused input slot adds 5 kg of certified cobalt",
           SLOT + "values[k] * isEmpty === 0;", "split",
           reshare({2: 8_334}, cobalt_in=15_000, certified_in=12_001, extra={"main.inputCobaltGrams[3]": 5_000, "main.inputTotalGrams[3]": 5_000, "main.inputCertifiedCobaltGrams[3]": 5_000, "main.outputTotalGrams[2]": 20_000}),
           culprits=("main.inputSlot[3].values[0]", "main.inputSlot[3].values[1]",
                     "main.inputSlot[3].values[2]")),
    Attack("an output commitment of the attacker's choosing, its slot read as empty",
           SLOT + "var isEmpty = IsZero()(commitment); [input in]", "split",
           {"main.outputCommitments[3]": ALLOTTED, "main.outputSlot[3].IsZero#0.in": 0}),
    *lot_bindings(),
    # AssertDistinctWhenUsed, SumOf.
    Attack("the same lot is consumed twice, the pair's difference taken as 1",
           DISTINCT + "differs[pair].in <== commitments[i] - commitments[k];", "twin inputs",
           {**SAME_LOT_TWICE, "main.distinctInputs.differs[0].in": 1}),
    Attack("the same lot is consumed twice, the pair's check disabled",
           DISTINCT + "differs[pair].enabled <== used[i];", "twin inputs",
           {**SAME_LOT_TWICE, "main.distinctInputs.differs[0].enabled": 0}),
    Attack("uncertified cobalt comes out certified, the certified sum not the sum",
           "lib/transform.circom SumOf: out <== total;", "split",
           reshare(certified_in=10_000, extra={f"{CERTIFIED_IN}.out": 10_000})),
    # FloorProportion and CeilProportion: rounding in the attacker's favour needs a remainder outside
    # [0, whole), which only the remainder's range checks stop.
    Attack("output 0's certified share rounded up, the product taken 10000 larger",
           FLOOR + "signal product <== amount * part;", "split",
           {CERTIFIED_0: FLOOR_SHARE + 1,
            "main.certifiedShare[0].product": plus("main.certifiedShare[0].product", WHOLE)}),
    Attack("output 0's certified share rounded up with a negative remainder (issue 13)",
           FLOOR + "remainderRange.in <== remainder;", "split",
           {**rounded_up_certified(), "main.certifiedShare[0].remainderRange.in": 0}),
    Attack("output 0's certified share rounded down, a remainder of 1.4 wholes checked as 0.4",
           FLOOR + "remainderBelowWhole.a <== remainder;", "split",
           {**ROUNDED_DOWN_CERTIFIED, "main.certifiedShare[0].remainderBelowWhole.a": FLOOR_REMAINDER}),
    Attack("output 0's certified share rounded down, the remainder compared with 2 wholes",
           FLOOR + "remainderBelowWhole.b <== whole;", "split",
           {**ROUNDED_DOWN_CERTIFIED, "main.certifiedShare[0].remainderBelowWhole.b": 2 * WHOLE}),
    Attack("output 0 takes one certified gram more than its floor share",
           FLOOR + "share * whole + remainder === product;", "split",
           {CERTIFIED_0: FLOOR_SHARE + 1,
            "main.certifiedShare[0].remainder": FLOOR_REMAINDER}),
    Attack("output 0's CO2e share rounded down, the product taken 10000 smaller",
           CEIL + "signal product <== amount * part;", "split",
           {CO2E_0: CEIL_SHARE - 1,
            "main.co2eShare[0].product": plus("main.co2eShare[0].product", -WHOLE)}),
    Attack("output 0's CO2e share rounded down with a negative remainder (issue 13)",
           CEIL + "remainderRange.in <== remainder;", "split",
           {**ROUNDED_DOWN_CO2E, "main.co2eShare[0].remainderRange.in": 0}),
    Attack("output 0's CO2e share rounded up past the ceiling, a remainder of 1.7 wholes checked as 0.7",
           CEIL + "remainderBelowWhole.a <== remainder;", "split",
           {**ROUNDED_UP_CO2E, "main.co2eShare[0].remainderBelowWhole.a": CEIL_REMAINDER}),
    Attack("output 0's CO2e share rounded up past the ceiling, the remainder compared with 2 wholes",
           CEIL + "remainderBelowWhole.b <== whole;", "split",
           {**ROUNDED_UP_CO2E, "main.co2eShare[0].remainderBelowWhole.b": 2 * WHOLE}),
    Attack("output 0 carries one gram of CO2e less than its ceiling share",
           CEIL + "share * whole === product + remainder;", "split",
           {CO2E_0: CEIL_SHARE - 1, "main.co2eShare[0].remainder": CEIL_REMAINDER}),
    # checks.circom, as transform uses it.
    Attack("output 0's certified share rounded up, the negative remainder's bits those of 0",
           CHECKS + "RangeCheck: toBits.in <== in;", "split",
           {**rounded_up_certified(), "main.certifiedShare[0].remainderRange.toBits.in": 0}),
    Attack("the artisanal-site flag washed off every output, its bit read as 0",
           CHECKS + "RangeCheck: bits <== toBits.out;", "split",
           {**WASHED_OUTPUTS, "main.inputFlagBits[0].bits[2]": 0}),
    Attack("1 kg of cobalt created, the mass balance's difference decomposed as 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "split",
           reshare(CREATED, extra={"main.noCobaltCreated.difference.in": 0})),
    Attack("no process emissions where the floor demands 800 g, the shortfall decomposed as 0",
           CHECKS + "AssertLessEqBounded: difference.in <== b - a;", "split",
           reshare(co2e=50_000, extra={"main.processCo2eGrams": 0,
                                       "main.processAboveFloor.difference.in": 0})),
    Attack("output 0's certified share rounded down, remainder minus whole decomposed as 0",
           CHECKS + "AssertLessThanBounded: difference.in <== b - a - 1;", "split",
           {**ROUNDED_DOWN_CERTIFIED, "main.certifiedShare[0].remainderBelowWhole.difference.in": 0}),
    Attack("a used output without cobalt passes its non-zero check",
           CHECKS + "AssertNonZeroIf: in * inverse === enabled;", "split", PHANTOM_OUTPUT,
           ties=PHANTOM_TIES, culprits=("main.outputHoldsCobalt[3].inverse",)),
    Attack("the check that some input is used is fed another count",
           CHECKS + "AssertNonZero: check.in <== in;", "split", {"main.someInput.check.in": 2}),
    Attack("the check that some input is used is disabled",
           CHECKS + "AssertNonZero: check.enabled <== 1;", "split",
           {"main.someInput.check.enabled": 0, "main.someInput.check.inverse": 0},
           culprits=("main.someInput.check.enabled",)),
    Attack("the headroom of the yield-loss bound is not 10000 minus it",
           CHECKS + "AssertBps: signal headroom <== 10000 - bps;", "split",
           {"main.lossIsBps.headroom": plus("main.lossIsBps.headroom", 1)}),
    Attack("the headroom of the yield-loss bound is decomposed for another number",
           CHECKS + "AssertBps: _ <== Num2Bits(14)(headroom); [input in]", "split",
           {"main.lossIsBps.Num2Bits#0.in": plus("main.lossIsBps.headroom", 1)}),
    Attack("the yield-loss bound's range check checks another number",
           CHECKS + "AssertBps: _ <== RangeCheck(14)(bps); [input in]", "split",
           {"main.lossIsBps.RangeCheck#0.in": plus("main.maxYieldLossBps", 1)}),
    # circomlib's Num2Bits and IsZero, as transform uses them.
    Attack("output 0's certified share rounded up, the negative remainder decomposed with a non-bit",
           BITIFY + "out[i] * (out[i] -1 ) === 0;", "split", rounded_up_certified("field"),
           culprits=("main.certifiedShare[0].remainderRange.toBits.out[0]",)),
    Attack("output 0's certified share rounded up, the negative remainder decomposed into bits "
           "that do not sum to it", BITIFY + "lc1 === in;", "split", rounded_up_certified("zero"),
           culprits=("main.certifiedShare[0].remainderRange.toBits.in",)),
    Attack("process emissions below the floor, the shortfall wrapped around the field into a non-bit",
           BITIFY + "out[i] * (out[i] -1 ) === 0;", "split", below_the_process_floor("field"),
           culprits=("main.processAboveFloor.difference.out[0]",)),
    Attack("process emissions below the floor, the shortfall decomposed into bits that do not sum to it",
           BITIFY + "lc1 === in;", "split", below_the_process_floor("zero"),
           culprits=("main.processAboveFloor.difference.in",)),
    Attack("an IsZero's inverse is not the inverse of its input",
           IS_ZERO + "out <== -in*inv +1;", "split",
           {"main.outputSlot[0].IsZero#0.inv": 5, "main.outputSlot[0].IsZero#0.out": 0},
           culprits=("main.outputSlot[0].IsZero#0.inv",)),
    Attack("an output commitment of the attacker's choosing, its slot taken for empty",
           IS_ZERO + "in*out === 0;", "split",
           {"main.outputCommitments[3]": ALLOTTED, "main.outputSlot[3].IsZero#0.inv": 0},
           culprits=("main.outputSlot[3].IsZero#0.out",)),
    *lot_commitment_attacks("main.outputSlot[0].LotCommitment#0", "split"),
    *poseidon_attacks("main.outputSlot[0].LotCommitment#0.hash", "split"),
]


@pytest.fixture(scope="module")
def lab() -> AttackLab:
    return AttackLab("transform", {name: inputs for name, (inputs, _) in SCENARIOS.items()},
                     {name: tied for name, (_, tied) in SCENARIOS.items()}, ATTACKS)


def test_the_harness_computes_what_the_witness_generator_computes(lab: AttackLab) -> None:
    lab.assert_reproduces_the_generator()


def test_every_constraint_statement_has_an_attack(lab: AttackLab) -> None:
    lab.assert_names(constraint_labels("transform"))


def test_honest_witnesses_are_accepted(lab: AttackLab) -> None:
    lab.assert_honest_accepted()


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attacker_witness_is_rejected_by_the_committed_r1cs(lab: AttackLab, attack: Attack) -> None:
    lab.assert_rejected(attack)

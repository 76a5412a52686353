"""The main job: the Re|Source pilot's flow from DRC mines to EV battery passports, on a real chain.

The cast and its illustrative figures are in :mod:`~batterytrace.demo.companies`, the operations in
:mod:`~batterytrace.demo.steps`, the passports and files in :mod:`~batterytrace.demo.outputs`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from batterytrace.demo.companies import (
    BLACK_MASS_GRAMS,
    BLACK_MASS_SHARES,
    BRINE_CO2E_GRAMS_PER_KG,
    BRINE_LITHIUM_SHARE,
    BRINE_LOT_GRAMS,
    CAM_COBALT_SHARE,
    HPAL_CO2E_GRAMS_PER_KG,
    LI2CO3_LITHIUM_SHARE,
    LIOH_LITHIUM_SHARE,
    MHP_LOT_GRAMS,
    MHP_NICKEL_SHARE,
    NISO4_NICKEL_SHARE,
    PACK_COBALT_GRAMS,
    PACK_LITHIUM_GRAMS,
    PACK_NICKEL_GRAMS,
    PACKS,
    PCAM_COBALT_SHARE,
    SULFATE_COBALT_SHARE,
    pack_plan,
    total_for,
)
from batterytrace.demo.outputs import export_supply_chain, issue_pack_passports
from batterytrace.demo.steps import DemoRun
from batterytrace.demo.summary import DemoSummary
from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.model.lots import MaterialKind
from batterytrace.model.lots import OutputPlan as Output
from batterytrace.zk.prover import Prover


@contextmanager
def _chain_for(rpc_url: str | None) -> Iterator[Chain]:
    if rpc_url:
        yield Chain(rpc_url)
        return
    with LocalNode() as node:
        yield Chain(node.url)


def run_demo(out_dir: Path, rpc_url: str | None = None, progress: bool = True) -> DemoSummary:
    """Play the pilot's supply chain on a local anvil (or the node at ``rpc_url``, which must
    support ``evm_increaseTime``, as anvil and hardhat do) and write the passport, its page, the
    EPCIS document and the genealogy picture to ``out_dir``."""
    started = time.monotonic()
    console = Console(file=sys.stderr, quiet=not progress, highlight=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    with _chain_for(rpc_url) as chain, Prover() as prover, DemoRun(chain, prover, console) as run:
        run.set_up()
        run.certify()

        # Origin lots: six certified TFM bags, KCC bags before and after its certification expires,
        # one flagged artisanal bag, black mass holding all three metals at the recycler, lithium
        # brine concentrate from the Atacama and mixed hydroxide (MHP) from a laterite nickel mine.
        tfm = [run.mint_bag("cmoc", f"TFM-2026-{index:04d}") for index in range(1, 7)]
        kcc = [run.mint_bag("glencore", "KCC-2026-0001")]
        run.advance_time(3 * 24 * 3600)
        kcc += [run.mint_bag("glencore", f"KCC-2026-{index:04d}") for index in (2, 3)]
        asm = run.mint_bag("cooperative", "ASM-KZI-0001", cobalt_share=Decimal("0.30"), total=250_000, co2e_per_kg=2_500)
        cobalt_share, lithium_share, nickel_share = BLACK_MASS_SHARES
        black_mass = [run.mint_bag("recycler", f"BM-2026-{index:04d}", cobalt_share=cobalt_share, total=BLACK_MASS_GRAMS,
                                   kind=MaterialKind.BLACK_MASS, co2e_per_kg=1_500, lithium_share=lithium_share,
                                   nickel_share=nickel_share) for index in (1, 2)]
        brine = run.mint_bag("salar", "ATA-BRINE-2026-0001", cobalt_share=Decimal(0), total=BRINE_LOT_GRAMS,
                             kind=MaterialKind.LITHIUM_BRINE_CONCENTRATE, co2e_per_kg=BRINE_CO2E_GRAMS_PER_KG,
                             lithium_share=BRINE_LITHIUM_SHARE)
        mhp = run.mint_bag("laterite", "SUL-MHP-2026-0001", cobalt_share=Decimal(0), total=MHP_LOT_GRAMS,
                           kind=MaterialKind.NICKEL_INTERMEDIATE, co2e_per_kg=HPAL_CO2E_GRAMS_PER_KG,
                           nickel_share=MHP_NICKEL_SHARE)
        run.say(f"[bold]3[/] {run.tally.lots} origin lots of cobalt, lithium and nickel minted with proofs "
                "(KCC bags 2-3 after expiry: uncertified)")
        run.attempt_to_pass_off_uncertified()
        run.say(f"[bold]4[/] rejected on chain: {run.tally.rejected[-1]}")

        for lot in tfm:
            run.hand_over(lot, "cmoc", "refinery")
        run.hand_over(kcc[0], "glencore", "refinery")
        if not run.hand_over(kcc[1], "glencore", "refinery", weighing_error_grams=-40_000):
            run.tally.disputes += 1
            run.resolve(kcc[1], "re-weighing: moisture loss in transit")
        run.hand_over(kcc[2], "glencore", "refinery")
        run.hand_over(asm, "cooperative", "refinery")
        run.hand_over(brine, "salar", "converter")
        run.hand_over(mhp, "laterite", "nickel")
        run.say("[bold]5[/] bags, brine and MHP delivered; one weighing 2% light was disputed and resolved by the auditor")

        # The recycler refines its black mass into a recycled salt of each metal, 97% recovered.
        cobalt, lithium, nickel = (run.metal("recycler", black_mass, metal) * 97 // 100 for metal in range(3))
        recycled_sulfate, recycled_nickel, recycled_lithium = run.transform("recycler", black_mass, [
            Output("RSULF-2026-0001", MaterialKind.RECYCLED_COBALT_SULFATE, cobalt, total_for(cobalt, SULFATE_COBALT_SHARE)),
            Output("RNISO4-2026-0001", MaterialKind.NICKEL_SULFATE, 0, total_for(nickel, NISO4_NICKEL_SHARE),
                   nickel_grams=nickel),
            Output("RLI2CO3-2026-0001", MaterialKind.LITHIUM_CARBONATE, 0, total_for(lithium, LI2CO3_LITHIUM_SHARE),
                   lithium_grams=lithium),
        ], 400_000)
        run.hand_over(recycled_sulfate, "recycler", "refinery")
        run.hand_over(recycled_nickel, "recycler", "precursor")
        run.hand_over(recycled_lithium, "recycler", "converter")

        # Lithium hydroxide from brine and recycled carbonate; nickel sulfate from MHP.
        lithium = run.metal("converter", [brine, recycled_lithium], 1) * 98 // 100
        (hydroxide,) = run.transform("converter", [brine, recycled_lithium], [Output(
            "LIOH-2026-0001", MaterialKind.LITHIUM_HYDROXIDE, 0, total_for(lithium, LIOH_LITHIUM_SHARE),
            lithium_grams=lithium)], lithium * 3)
        run.hand_over(hydroxide, "converter", "cathode")
        nickel = run.metal("nickel", [mhp], 2) * 98 // 100
        (nickel_sulfate,) = run.transform("nickel", [mhp], [Output(
            "NISO4-2026-0001", MaterialKind.NICKEL_SULFATE, 0, total_for(nickel, NISO4_NICKEL_SHARE),
            nickel_grams=nickel)], nickel * 2)
        run.hand_over(nickel_sulfate, "nickel", "precursor")

        def leach(inputs: list[int], external_id: str) -> int:
            cobalt = run.cobalt("refinery", inputs) * 98 // 100
            (crude,) = run.transform("refinery", inputs, [Output(
                external_id, MaterialKind.CRUDE_COBALT_SULFATE, cobalt, total_for(cobalt, SULFATE_COBALT_SHARE))], cobalt * 2)
            return crude

        crude_a = leach(tfm[:4], "CRUDE-2026-A")
        crude_b = leach([*tfm[4:], kcc[0]], "CRUDE-2026-B")
        leach([kcc[1], kcc[2], asm], "CRUDE-2026-SEG")  # kept at the refinery, never blended
        run.say("[bold]6[/] refinery merged bags into crude sulfate; uncertified and flagged bags kept segregated; "
                "lithium hydroxide and nickel sulfate made from brine, MHP and recycled salts")

        inputs = [crude_a, crude_b, recycled_sulfate]
        available = run.cobalt("refinery", inputs)
        for_precursor = 21_400 * 10  # ten packs' worth leaves the refinery for the pCAM plant
        remainder = available * 995 // 1000 - for_precursor
        refined_a, _refined_rest = run.transform("refinery", inputs, [
            Output("REFINED-2026-A", MaterialKind.REFINED_COBALT_SULFATE, for_precursor, total_for(for_precursor, SULFATE_COBALT_SHARE)),
            Output("REFINED-2026-B", MaterialKind.REFINED_COBALT_SULFATE, remainder, total_for(remainder, SULFATE_COBALT_SHARE)),
        ], available * 3)
        run.hand_over(refined_a, "refinery", "precursor")

        # NMC811 pCAM: cobalt and nickel sulfates co-precipitated, nickel at eight times the cobalt.
        pcam_inputs = [refined_a, nickel_sulfate, recycled_nickel]
        pcam_cobalt = 21_300 * PACKS // 4 * 4
        pcam_nickel = pcam_cobalt * 8
        rest = run.cobalt("precursor", pcam_inputs) * 998 // 1000 - pcam_cobalt
        nickel_rest = run.metal("precursor", pcam_inputs, 2) * 998 // 1000 - pcam_nickel
        pcam, _ = run.transform("precursor", pcam_inputs, [
            Output("PCAM-2026-A", MaterialKind.PRECURSOR, pcam_cobalt, total_for(pcam_cobalt, PCAM_COBALT_SHARE),
                   nickel_grams=pcam_nickel),
            Output("PCAM-2026-B", MaterialKind.PRECURSOR, rest, total_for(rest, PCAM_COBALT_SHARE), nickel_grams=nickel_rest),
        ], pcam_cobalt)
        run.hand_over(pcam, "precursor", "cathode")
        # CAM: pCAM calcined with lithium hydroxide.
        cam_inputs = [pcam, hydroxide]
        cam = (PACK_COBALT_GRAMS * PACKS + 100, PACK_LITHIUM_GRAMS * PACKS + 100, PACK_NICKEL_GRAMS * PACKS + 800)
        cam_rest = tuple(run.metal("cathode", cam_inputs, metal) * 998 // 1000 - cam[metal] for metal in range(3))
        cam_lot, _ = run.transform("cathode", cam_inputs, [
            Output("CAM-2026-A", MaterialKind.CATHODE, cam[0], total_for(cam[0], CAM_COBALT_SHARE), cam[1], cam[2]),
            Output("CAM-2026-B", MaterialKind.CATHODE, cam_rest[0], total_for(cam_rest[0], CAM_COBALT_SHARE),
                   cam_rest[1], cam_rest[2]),
        ], cam[0] * 2)
        run.hand_over(cam_lot, "cathode", "cells")
        run.say("[bold]7[/] refined sulfate (with recycled cobalt) and nickel sulfate -> pCAM; pCAM and lithium "
                "hydroxide -> CAM, each step proven per metal")

        cells = run.transform("cells", [cam_lot], [
            Output(f"CELLS-{index:04d}", MaterialKind.CELL, PACK_COBALT_GRAMS, 330_000, PACK_LITHIUM_GRAMS, PACK_NICKEL_GRAMS)
            for index in range(1, PACKS + 1)], PACK_COBALT_GRAMS * PACKS)
        packs = []
        for index, cell_lot in enumerate(cells, start=1):
            run.hand_over(cell_lot, "cells", "packs")
            (pack,) = run.transform("packs", [cell_lot], [pack_plan(index)], 20_000)
            run.hand_over(pack, "packs", "oem")
            packs.append(pack)
        run.say(f"[bold]8[/] {PACKS} cell batches assembled into packs and delivered to the EV maker")

        # The auditor's view key opens every note: it alone sees the pack's whole genealogy.
        genealogy = run.client("auditor").genealogy(packs[0])
        summaries, files = issue_pack_passports(run, packs, genealogy, out_dir)
        run.say(f"[bold]9[/] {len(summaries)} passports issued in one batch (one transaction, one proof) and re-verified off chain")

        files.update(export_supply_chain(run, genealogy, out_dir))
        gas = {name: sum(values) // len(values) for name, values in run.tally.gas.items()}
        return DemoSummary(
            chain_id=chain.chain_id,
            rpc_url=chain.rpc_url,
            lots=run.tally.lots,
            transformations=run.tally.transformations,
            handovers=run.tally.handovers,
            disputes=run.tally.disputes,
            proofs_verified_on_chain=run.tally.proofs_verified_on_chain,
            rejected_attempts=tuple(run.tally.rejected),
            passports=tuple(summaries),
            gas_per_operation=gas,
            files=files,
            seconds=time.monotonic() - started,
        )

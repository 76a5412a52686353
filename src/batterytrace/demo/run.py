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
    CAM_COBALT_SHARE,
    PACK_COBALT_GRAMS,
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
        # one flagged artisanal bag, and black mass at the recycler.
        tfm = [run.mint_bag("cmoc", f"TFM-2026-{index:04d}") for index in range(1, 7)]
        kcc = [run.mint_bag("glencore", "KCC-2026-0001")]
        run.advance_time(3 * 24 * 3600)
        kcc += [run.mint_bag("glencore", f"KCC-2026-{index:04d}") for index in (2, 3)]
        asm = run.mint_bag("cooperative", "ASM-KZI-0001", cobalt_share=Decimal("0.30"), total=250_000, co2e_per_kg=2_500)
        black_mass = [run.mint_bag("recycler", f"BM-2026-{index:04d}", cobalt_share=Decimal("0.08"), total=2_500_000,
                                   kind=MaterialKind.BLACK_MASS, co2e_per_kg=1_500) for index in (1, 2)]
        run.say(f"[bold]3[/] {run.tally.lots} origin lots minted with proofs (KCC bags 2-3 after expiry: uncertified)")
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
        run.say("[bold]5[/] bags delivered to the refinery; one weighing 2% light was disputed and resolved by the auditor")

        recycled = run.cobalt("recycler", black_mass) * 97 // 100
        (recycled_sulfate,) = run.transform("recycler", black_mass, [Output(
            "RSULF-2026-0001", MaterialKind.RECYCLED_COBALT_SULFATE, recycled, total_for(recycled, SULFATE_COBALT_SHARE))], 400_000)
        run.hand_over(recycled_sulfate, "recycler", "refinery")

        def leach(inputs: list[int], external_id: str) -> int:
            cobalt = run.cobalt("refinery", inputs) * 98 // 100
            (crude,) = run.transform("refinery", inputs, [Output(
                external_id, MaterialKind.CRUDE_COBALT_SULFATE, cobalt, total_for(cobalt, SULFATE_COBALT_SHARE))], cobalt * 2)
            return crude

        crude_a = leach(tfm[:4], "CRUDE-2026-A")
        crude_b = leach([*tfm[4:], kcc[0]], "CRUDE-2026-B")
        leach([kcc[1], kcc[2], asm], "CRUDE-2026-SEG")  # kept at the refinery, never blended
        run.say("[bold]6[/] refinery merged bags into crude sulfate; uncertified and flagged bags kept segregated")

        inputs = [crude_a, crude_b, recycled_sulfate]
        available = run.cobalt("refinery", inputs)
        for_precursor = 21_400 * 10  # ten packs' worth leaves the refinery for the pCAM plant
        remainder = available * 995 // 1000 - for_precursor
        refined_a, _refined_rest = run.transform("refinery", inputs, [
            Output("REFINED-2026-A", MaterialKind.REFINED_COBALT_SULFATE, for_precursor, total_for(for_precursor, SULFATE_COBALT_SHARE)),
            Output("REFINED-2026-B", MaterialKind.REFINED_COBALT_SULFATE, remainder, total_for(remainder, SULFATE_COBALT_SHARE)),
        ], available * 3)
        run.hand_over(refined_a, "refinery", "precursor")

        pcam_cobalt = 21_300 * PACKS // 4 * 4
        rest = run.cobalt("precursor", [refined_a]) * 998 // 1000 - pcam_cobalt
        pcam, _ = run.transform("precursor", [refined_a], [
            Output("PCAM-2026-A", MaterialKind.PRECURSOR, pcam_cobalt, total_for(pcam_cobalt, PCAM_COBALT_SHARE)),
            Output("PCAM-2026-B", MaterialKind.PRECURSOR, rest, total_for(rest, PCAM_COBALT_SHARE)),
        ], pcam_cobalt)
        run.hand_over(pcam, "precursor", "cathode")
        cam_cobalt = PACK_COBALT_GRAMS * PACKS + 100
        cam_rest = run.cobalt("cathode", [pcam]) * 998 // 1000 - cam_cobalt
        cam, _ = run.transform("cathode", [pcam], [
            Output("CAM-2026-A", MaterialKind.CATHODE, cam_cobalt, total_for(cam_cobalt, CAM_COBALT_SHARE)),
            Output("CAM-2026-B", MaterialKind.CATHODE, cam_rest, total_for(cam_rest, CAM_COBALT_SHARE)),
        ], cam_cobalt * 2)
        run.hand_over(cam, "cathode", "cells")
        run.say("[bold]7[/] refined sulfate (with recycled cobalt) -> pCAM -> CAM, each step proven")

        cells = run.transform("cells", [cam], [Output(f"CELLS-{index:04d}", MaterialKind.CELL, PACK_COBALT_GRAMS, 330_000)
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
        run.say(f"[bold]9[/] {len(summaries)} passports issued in one transaction and re-verified off chain")

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

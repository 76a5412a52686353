"""The demo's steps: one client per company, and each operation of the flow counted in a :class:`Tally`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from rich.console import Console

from batterytrace.demo.companies import (
    COMPANIES,
    HYDROXIDE_BAG_GRAMS,
    HYDROXIDE_COBALT_SHARE,
    MINE_CO2E_GRAMS_PER_KG,
    grams,
)
from batterytrace.demo.summary import Tally
from batterytrace.evm.chain import Chain, Receipt
from batterytrace.evm.node import DEFAULT_MNEMONIC
from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import ProofError
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import CustodyModel, MaterialKind, OutputPlan
from batterytrace.model.registry import FacilityType, IdentifierKind, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import deploy
from batterytrace.sdk.store import OpeningStore
from batterytrace.zk.commitment import Opening
from batterytrace.zk.contexts import mint_context
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.inputs import mint_inputs
from batterytrace.zk.prover import Prover

#: The GS1 company prefix the consortium assigns the OEM (GS1's example prefix, as in the demo's GTIN).
OEM_COMPANY_PREFIX = "9506000"


class DemoRun:
    """The chain, the shared prover and every company's client, with what the run did so far."""

    def __init__(self, chain: Chain, prover: Prover, console: Console) -> None:
        self.chain = chain
        self.prover = prover
        self.console = console
        self.tally = Tally()
        self.clients: dict[str, BatteryTrace] = {}
        self.facilities: dict[str, int] = {}

    def say(self, text: str) -> None:
        self.console.print(text)

    def client(self, key: str) -> BatteryTrace:
        return self.clients[key]

    def advance_time(self, seconds: int) -> None:
        self.chain.w3.provider.make_request("evm_increaseTime", [seconds])
        self.chain.w3.provider.make_request("evm_mine", [])

    # -- set-up ------------------------------------------------------------------------------------

    def set_up(self) -> None:
        admin_signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, 0)
        deployment, gas = deploy(self.chain, admin_signer)
        self.tally.gas["deploy (all contracts)"].append(sum(gas.by_contract.values()))
        for company in COMPANIES:
            signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, company.account_index)
            self.clients[company.key] = BatteryTrace(self.chain, deployment, signer, OpeningStore(":memory:"), self.prover)
        admin = self.client("consortium")
        for company in COMPANIES:
            if company.role is None:
                continue
            signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, company.account_index)
            # Each company hands the consortium its two public keys, both derived by its own SDK.
            receipt = admin.register_participant(
                signer.address, company.role, company.name, company.identifier, IdentifierKind.LEI, company.country,
                public_key_from_private_key(signer.private_key), self.client(company.key).shielding_public_key,
            )
            self.tally.record("register participant", receipt)
        # The OEM's GS1 company prefix: its packs' Digital Links (GTIN 09506000134352) fall under it,
        # so it alone issues their passports.
        self.tally.record("assign company prefix", admin.assign_company_prefix(self.client("oem").address, OEM_COMPANY_PREFIX))
        for company in COMPANIES:
            if company.facility is None:
                continue
            facility_type, site = company.facility
            self.facilities[company.key] = self.client(company.key).register_facility(facility_type, site, company.country).facility_id
        self.say(f"[bold]1[/] deployed on chain {self.chain.chain_id}; {len(COMPANIES) - 1} companies and {len(self.facilities)} facilities registered")

    def certify(self) -> dict[str, int]:
        auditor = self.client("auditor")
        for key, facility_id in self.facilities.items():
            site = auditor.facility(facility_id)
            extraction = site.facility_type in (FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE)
            receipt = auditor.activate_facility(facility_id, f"{key} site audit: type, location, process",
                                                max_yield_loss_bps=0 if extraction else 300)
            self.tally.record("activate facility", receipt)
        now = datetime.fromtimestamp(self.chain.latest_timestamp(), tz=timezone.utc)
        year = timedelta(days=365)
        certifications = {}
        for key, scheme, until in (
            ("cmoc", Scheme.IRMA, now + year),
            ("glencore", Scheme.COPPER_MARK, now + timedelta(days=2)),  # expires mid-run
            ("refinery", Scheme.RMAP, now + year),
            ("precursor", Scheme.RMAP, now + year),
            ("cathode", Scheme.RMAP, now + year),
            ("recycler", Scheme.RMAP, now + year),
        ):
            certification = auditor.certify(self.facilities[key], scheme, None, until, f"{key}-{scheme.name}-audit.pdf")
            certifications[key] = certification.certification_id
        receipt = auditor.record_risk_finding(self.facilities["cooperative"], RiskFlag.CHILD_LABOUR, "site visit: minors observed at the pit")
        self.tally.record("record risk finding", receipt)
        self.say(f"[bold]2[/] the auditor activated {len(self.facilities)} sites (3% maximum yield losses at the plants), "
                 "certified 6 (Glencore's Copper Mark expires in 2 days) and flagged the artisanal site")
        return certifications

    # -- material --------------------------------------------------------------------------------

    def mint_bag(self, key: str, external_id: str, cobalt_share: Decimal = HYDROXIDE_COBALT_SHARE, total: int = HYDROXIDE_BAG_GRAMS,
                 kind: MaterialKind = MaterialKind.COBALT_HYDROXIDE, co2e_per_kg: int = MINE_CO2E_GRAMS_PER_KG) -> int:
        cobalt = grams(Decimal(total) * cobalt_share)
        result = self.client(key).mint_origin(self.facilities[key], external_id, kind, cobalt, total, cobalt * co2e_per_kg // 1000,
                                              tag_id=f"SEAL-{external_id}")
        self.tally.record("mint origin lot (with proof)", result.receipt)
        self.tally.lots += 1
        self.tally.proofs_verified_on_chain += 1
        return result.lot_id

    def hand_over(self, lot_id: int, sender: str, receiver: str, weighing_error_grams: int = 0) -> bool:
        offer_receipt = self.client(sender).offer(lot_id, self.client(receiver).address)
        self.tally.record("offer (encrypted opening)", offer_receipt if isinstance(offer_receipt, Receipt) else None)
        receiving = self.client(receiver)
        committed = receiving.offered_opening(lot_id).total_grams
        result = receiving.accept(lot_id, committed + weighing_error_grams, tolerance_bps=50, evidence=f"weighbridge ticket {lot_id:#x}")
        self.tally.record("accept after weighing" if result.accepted else "dispute after weighing", result.receipt)
        self.tally.handovers += 1
        return result.accepted

    def transform(self, key: str, inputs: list[int], outputs: list[OutputPlan], process_co2e_grams: int) -> tuple[int, ...]:
        result = self.client(key).transform(inputs, outputs, self.facilities[key], process_co2e_grams)
        self.tally.record(f"transform ({len(inputs)} in, {len(outputs)} out)", result.receipt)
        self.tally.lots += len(outputs)
        self.tally.transformations += 1
        self.tally.proofs_verified_on_chain += 1
        return result.output_lot_ids

    def attempt_to_pass_off_uncertified(self) -> None:
        """Glencore's certification has expired; it proves its next bag as certified anyway. The
        contract supplies certified = 0 as the proof's public input, so the proof cannot verify.

        The SDK would never build this proof, so the transaction is built here by hand, with the
        context computed the one way (:func:`~batterytrace.zk.contexts.mint_context`)."""
        client = self.client("glencore")
        external_id = "KCC-2026-0004"
        cobalt = grams(HYDROXIDE_BAG_GRAMS * HYDROXIDE_COBALT_SHARE)
        opening = Opening.new(cobalt_grams=cobalt, total_grams=HYDROXIDE_BAG_GRAMS, certified_cobalt_grams=cobalt,
                              co2e_grams=cobalt * MINE_CO2E_GRAMS_PER_KG // 1000)
        lot_id = lot_id_for(client.address, external_id)
        context = mint_context(self.chain.chain_id, client.deployment.lots, lot_id)
        floor = client.co2e_floor(FacilityType.INDUSTRIAL_MINE)
        proof = client.prover.prove("mint", mint_inputs(opening, True, False, 0, floor, context))
        a, b, c, _ = proof.solidity_args()
        spec = (bytes32_text(external_id), int(MaterialKind.COBALT_HYDROXIDE), int(CustodyModel.SEGREGATED), bytes(32), opening.commitment, b"")
        try:
            client.send(client.lots.functions.mintOrigin(self.facilities["glencore"], spec, (a, b, c)), "mint as certified")
        except ProofError as error:
            self.tally.rejected.append(f"uncertified KCC bag passed off as certified ({getattr(error, 'error_name', 'ProofInvalid')})")
            return
        raise RuntimeError("the chain accepted uncertified cobalt as certified: the mint gate is broken")

"""The demo's steps: one client per company, its material operations sent through the run's relayer,
and each operation of the flow counted in a :class:`Tally`."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from batterytrace.demo.companies import (
    COMPANIES,
    HYDROXIDE_BAG_GRAMS,
    HYDROXIDE_COBALT_SHARE,
    MINE_CO2E_GRAMS_PER_KG,
    RECYCLER_PRE_CONSUMER_BPS,
    grams,
)
from batterytrace.demo.summary import Tally
from batterytrace.evm.chain import Chain
from batterytrace.evm.node import DEFAULT_MNEMONIC, free_port
from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import ProofError
from batterytrace.model.facilities import transforms_lots
from batterytrace.model.lots import DisputeOutcome, MaterialKind, OutputPlan
from batterytrace.model.registry import IdentifierKind, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import deploy
from batterytrace.sdk.relayer import DEFAULT_RELAYER_DEV_ACCOUNT, LocalRelayer, RelayerAccount, RelayerClient, RelayerSettings
from batterytrace.sdk.resolver import LocalResolver, ResolverSettings, local_public_url
from batterytrace.sdk.shielded import PreparedOrigin, ShieldedLedgerOperations, ShieldedLot
from batterytrace.zk.envelopes import public_key_from_private_key
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
        self._stack = ExitStack()

    def __enter__(self) -> DemoRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def say(self, text: str) -> None:
        self.console.print(text)

    def client(self, key: str) -> BatteryTrace:
        return self.clients[key]

    def ledger(self, key: str) -> ShieldedLedgerOperations:
        return self.clients[key].shielded

    def note(self, key: str, tag: int) -> ShieldedLot:
        """The lot ``tag`` as company ``key``'s keys see it now."""
        return self.ledger(key).lot(tag)

    def cobalt(self, key: str, tags: list[int]) -> int:
        return self.metal(key, tags, 0)

    def metal(self, key: str, tags: list[int], metal: int) -> int:
        """The grams of metal ``metal`` (0 cobalt, 1 lithium, 2 nickel) in lots ``tags``, as ``key`` sees them."""
        return sum(self.note(key, tag).note.values.metals[metal].grams for tag in tags)

    def start_resolver(self, issuer_name: str) -> str:
        """Start the passport resolver for the run's deployment, like the node and the relayer (the
        run stops it): its URL, which the passports' QR codes name."""
        work_dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="batterytrace-resolver-")))
        deployment = next(iter(self.clients.values())).deployment
        deployment.save(work_dir / "deployment.json")
        port = free_port()
        settings = ResolverSettings(self.chain.rpc_url, str(work_dir / "deployment.json"), str(work_dir / "resolver.sqlite"),
                                    str(work_dir / "issuer.jwk"), issuer_name, local_public_url(port), str(work_dir / "access.log"))
        return self._stack.enter_context(LocalResolver(settings, work_dir, port=port)).url

    def advance_time(self, seconds: int) -> None:
        self.chain.w3.provider.make_request("evm_increaseTime", [seconds])
        self.chain.w3.provider.make_request("evm_mine", [])

    # -- set-up ------------------------------------------------------------------------------------

    def set_up(self) -> None:
        admin_signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, 0)
        deployment, gas = deploy(self.chain, admin_signer)
        self.tally.gas["deploy (all contracts)"].append(sum(gas.by_contract.values()))
        # The relayer sends every material operation from its own account, so no company's address
        # is on any of them; the run starts and stops it like the node.
        work_dir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="batterytrace-relayer-")))
        settings = RelayerSettings(self.chain.rpc_url, deployment.ledger, RelayerAccount(dev_account=DEFAULT_RELAYER_DEV_ACCOUNT),
                                   str(work_dir / "relayer.log"), deployment.block_number)
        relayer = RelayerClient(self._stack.enter_context(LocalRelayer(settings, work_dir)).url)
        for company in COMPANIES:
            signer = LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, company.account_index)
            self.clients[company.key] = BatteryTrace(self.chain, deployment, signer, None, self.prover, relayer=relayer)
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
            receipt = auditor.activate_facility(facility_id, f"{key} site audit: type, location, process",
                                                max_yield_loss_bps=300 if transforms_lots(site.facility_type) else 0)
            self.tally.record("activate facility", receipt)
        # The recycler's input stream: a quarter production scrap (pre-consumer), the rest end-of-life packs.
        receipt = auditor.set_recycled_input_split(self.facilities["recycler"], RECYCLER_PRE_CONSUMER_BPS)
        self.tally.record("certify recycled input split", receipt)
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
            ("salar", Scheme.IRMA, now + year),
            ("converter", Scheme.RMAP, now + year),
            ("laterite", Scheme.COPPER_MARK, now + year),   # The Copper Mark's standard covers nickel
            ("nickel", Scheme.RMAP, now + year),
        ):
            certification = auditor.certify(self.facilities[key], scheme, None, until, f"{key}-{scheme.name}-audit.pdf")
            certifications[key] = certification.certification_id
        receipt = auditor.record_risk_finding(self.facilities["cooperative"], RiskFlag.CHILD_LABOUR, "site visit: minors observed at the pit")
        self.tally.record("record risk finding", receipt)
        self.say(f"[bold]2[/] the auditor activated {len(self.facilities)} sites (3% maximum yield losses at the plants), "
                 f"certified {len(certifications)} (Glencore's Copper Mark expires in 2 days), flagged the artisanal site "
                 f"and certified the recycler's input as {RECYCLER_PRE_CONSUMER_BPS / 100:.0f}% pre-consumer")
        return certifications

    # -- material --------------------------------------------------------------------------------

    def _gas(self, operation: str, key: str, tag: int) -> None:
        """The gas of the relayed transaction that created lot ``tag``'s current note, as company ``key`` sees it."""
        transaction = self.note(key, tag).transaction
        self.tally.gas[operation].append(int(self.chain.w3.eth.get_transaction_receipt(transaction)["gasUsed"]))

    def mint_bag(self, key: str, external_id: str, cobalt_share: Decimal = HYDROXIDE_COBALT_SHARE, total: int = HYDROXIDE_BAG_GRAMS,
                 kind: MaterialKind = MaterialKind.COBALT_HYDROXIDE, co2e_per_kg: int = MINE_CO2E_GRAMS_PER_KG,
                 lithium_share: Decimal = Decimal(0), nickel_share: Decimal = Decimal(0)) -> int:
        """An origin lot of ``total`` grams holding each metal at its share; CO2e per kg of its metal."""
        cobalt, lithium, nickel = (grams(Decimal(total) * share) for share in (cobalt_share, lithium_share, nickel_share))
        co2e = (cobalt + lithium + nickel) * co2e_per_kg // 1000
        lot = self.client(key).mint_origin(self.facilities[key], external_id, kind, cobalt, total, co2e,
                                           lithium_grams=lithium, nickel_grams=nickel)
        self._gas("mint origin lot (proof, relayed)", key, lot.lot_id)
        self.tally.lots += 1
        self.tally.proofs_verified_on_chain += 1
        return lot.lot_id

    def hand_over(self, tag: int, sender: str, receiver: str, weighing_error_grams: int = 0) -> bool:
        self.client(sender).offer(tag, self.client(receiver).address)
        self._gas("offer (proof, relayed)", sender, tag)
        committed = self.client(receiver).note(tag).values.total_grams
        taken = self.client(receiver).accept(tag, committed + weighing_error_grams, tolerance_bps=50,
                                             evidence=f"weighbridge ticket {tag:#x}")
        accepted = taken.accepted
        self._gas("accept after weighing" if accepted else "dispute after weighing", receiver, tag)
        self.tally.handovers += 1
        self.tally.proofs_verified_on_chain += 2
        return accepted

    def resolve(self, tag: int, evidence: str) -> None:
        """The auditor delivers a disputed lot to its receiver."""
        self.client("auditor").resolve_dispute(tag, DisputeOutcome.DELIVER_TO_RECEIVER, evidence=evidence)
        self._gas("resolve dispute (auditor)", "auditor", tag)
        self.tally.proofs_verified_on_chain += 1

    def transform(self, key: str, inputs: list[int], outputs: list[OutputPlan], process_co2e_grams: int) -> tuple[int, ...]:
        made = self.client(key).transform(inputs, outputs, self.facilities[key], process_co2e_grams).output_lot_ids
        self._gas(f"transform ({len(inputs)} in, {len(outputs)} out)", key, made[0])
        self.tally.lots += len(outputs)
        self.tally.transformations += 1
        self.tally.proofs_verified_on_chain += 1
        return made

    def attempt_to_pass_off_uncertified(self) -> None:
        """Glencore's certification has expired; it proves its next bag as the SDK does (uncertified)
        and then swaps in the commitment of the same bag with every gram certified. The ledger gives
        the proof the swapped commitment as its public input, so the proof cannot verify.

        The SDK would never send this call, so it is altered here by hand from a prepared one."""
        ledger = self.ledger("glencore")
        cobalt = grams(HYDROXIDE_BAG_GRAMS * HYDROXIDE_COBALT_SHARE)
        honest = ledger.prepare_origin(self.facilities["glencore"], "KCC-2026-0004", MaterialKind.COBALT_HYDROXIDE, cobalt,
                                       HYDROXIDE_BAG_GRAMS, cobalt * MINE_CO2E_GRAMS_PER_KG // 1000)
        values = honest.note.values
        certified = replace(values, metals=(replace(values.metals[0], certified_grams=cobalt), *values.metals[1:]))
        forged = replace(honest.note, values=certified)
        request = (forged.commitment, *honest.request[1:])
        try:
            ledger.submit_origin(PreparedOrigin(forged, request, honest.proof, honest.openings))
        except ProofError as error:
            self.tally.rejected.append(f"uncertified KCC bag passed off as certified ({getattr(error, 'error_name', 'ProofInvalid')})")
            return
        raise RuntimeError("the chain accepted uncertified cobalt as certified: the origin gate is broken")

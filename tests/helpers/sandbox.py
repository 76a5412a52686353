"""A ready consortium on a development chain: deployed contracts, role-named participants with
facilities, two certifications, a flagged artisanal site and audited yield losses.

The tests and the benchmarks build the same world from here, so gas figures match what the tests
exercise. Accounts come from anvil's (and hardhat's) public test mnemonic: never use them elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from batterytrace.evm.chain import Chain, Receipt
from batterytrace.evm.node import DEFAULT_MNEMONIC
from batterytrace.evm.signers import LocalSigner
from batterytrace.model.registry import Facility, FacilityType, IdentifierKind, Role, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import Deployment, deploy
from batterytrace.sdk.store import OpeningStore
from batterytrace.zk.envelopes import public_key_from_private_key
from batterytrace.zk.prover import Prover

#: Participant name -> (index in the test mnemonic, role; None for the admin and an outsider).
ROLE_ACCOUNTS = {
    "admin": (0, None),
    "auditor": (1, Role.AUDITOR),
    "miner": (2, Role.MINER),
    "artisanal_miner": (3, Role.MINER),
    "refiner": (4, Role.PROCESSOR),
    "cathode_maker": (5, Role.PROCESSOR),
    "cell_maker": (6, Role.CELL_MAKER),
    "pack_maker": (7, Role.PACK_MAKER),
    "oem": (8, Role.OEM),
    "recycler": (9, Role.RECYCLER),
    "stranger": (10, None),
    "second_auditor": (11, Role.AUDITOR),
}
FACILITIES = {
    "miner": (FacilityType.INDUSTRIAL_MINE, "TFM-KAKANDA", "CD"),
    "artisanal_miner": (FacilityType.ARTISANAL_SITE, "KOLWEZI-ASM-07", "CD"),
    "refiner": (FacilityType.REFINERY, "KOKKOLA-REF", "FI"),
    "cathode_maker": (FacilityType.CATHODE_PLANT, "NYSA-CAM", "PL"),
    "cell_maker": (FacilityType.CELL_PLANT, "WROCLAW-CELL", "PL"),
    "pack_maker": (FacilityType.PACK_PLANT, "GRUENHEIDE-PACK", "DE"),
    "oem": (FacilityType.PACK_PLANT, "OEM-PACK", "DE"),
    "recycler": (FacilityType.RECYCLER, "HOBOKEN-REC", "BE"),
}
MAX_YIELD_LOSS_BPS = 500


def signer(index: int) -> LocalSigner:
    """The ``index``-th account of the public test mnemonic."""
    return LocalSigner.from_mnemonic(DEFAULT_MNEMONIC, index)


@dataclass(frozen=True)
class World:
    """The deployed consortium: a client per role-named account, and its facilities."""

    chain: Chain
    deployment: Deployment
    clients: dict[str, BatteryTrace]
    facilities: dict[str, Facility]
    certification_ids: dict[str, int]

    def __getattr__(self, name: str) -> BatteryTrace:
        try:
            return self.clients[name]
        except KeyError:
            raise AttributeError(name) from None


def register(admin: BatteryTrace, client: BatteryTrace, name: str, role: Role, index: int) -> Receipt:
    """Register ``client`` as a participant named ``name`` holding ``role``."""
    return admin.register_participant(
        client.address, role, f"{name} legal name", f"LEI-{name.upper()}"[:20], IdentifierKind.LEI,
        "CD" if "miner" in name else "BE", public_key_from_private_key(signer(index).private_key),
    )


def build_world(chain: Chain, prover: Prover) -> World:
    """Deploy and populate the consortium on ``chain``."""
    deployment, _gas = deploy(chain, signer(0))
    clients = {
        name: BatteryTrace(chain, deployment, signer(index), OpeningStore(":memory:"), prover)
        for name, (index, _role) in ROLE_ACCOUNTS.items()
    }
    admin = clients["admin"]
    for name, (index, role) in ROLE_ACCOUNTS.items():
        if role is not None:
            register(admin, clients[name], name, role, index)
    facilities = {name: clients[name].register_facility(*spec) for name, spec in FACILITIES.items()}
    auditor = clients["auditor"]
    now = datetime.fromtimestamp(chain.latest_timestamp(), tz=timezone.utc)
    certification_ids = {
        "miner": auditor.certify(facilities["miner"].facility_id, Scheme.IRMA, None,
                                 now + timedelta(days=365), "irma-audit-2026.pdf").certification_id,
        "refiner": auditor.certify(facilities["refiner"].facility_id, Scheme.RMAP, None,
                                   now + timedelta(days=365), "rmap-2026.pdf").certification_id,
    }
    auditor.record_risk_finding(facilities["artisanal_miner"].facility_id, RiskFlag.CHILD_LABOUR, "asm-visit.pdf")
    for name in ("refiner", "cathode_maker", "cell_maker", "pack_maker", "oem", "recycler"):
        auditor.set_process_parameters(facilities[name].facility_id, MAX_YIELD_LOSS_BPS)
    return World(chain, deployment, clients, facilities, certification_ids)

"""A ready consortium on a development chain: deployed contracts, role-named participants with
facilities the auditor activated, two certifications, a flagged artisanal site and audited yield
losses.

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
    "authority": (17, Role.AUTHORITY),
}
#: The GS1 company prefix the admin assigns each passport issuer (GS1's own example prefixes): its
#: battery ids are Digital Links whose GTIN carries it (``tests.helpers.flows.battery_id``).
COMPANY_PREFIXES = {"pack_maker": "0614141", "oem": "9506000"}
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
    """Register ``client`` as a participant named ``name`` holding ``role``, with the keys its own
    SDK derives (the encryption key of its signer's private key, the shielding key of its signature)."""
    return admin.register_participant(
        client.address, role, f"{name} legal name", f"LEI-{name.upper()}"[:20], IdentifierKind.LEI,
        "CD" if "miner" in name else "BE", public_key_from_private_key(signer(index).private_key),
        client.shielding_public_key,
    )


def activated(auditor: BatteryTrace, site: Facility, evidence: str = "site-audit.pdf") -> Facility:
    """``site`` activated by ``auditor`` as its operator declared it, with the world's audited
    yield loss at processing sites, and read back."""
    loss = 0 if site.facility_type in (FacilityType.INDUSTRIAL_MINE, FacilityType.ARTISANAL_SITE) else MAX_YIELD_LOSS_BPS
    auditor.activate_facility(site.facility_id, f"{evidence}#{site.site_id}", max_yield_loss_bps=loss)
    return auditor.facility(site.facility_id)


def build_world(chain: Chain, prover: Prover) -> World:
    """Deploy and populate the consortium on ``chain``; its clients have no relayer yet (give each
    ``client.relayer``: tests/conftest.py's session relayer, or the benchmarks' own)."""
    deployment, _gas = deploy(chain, signer(0))
    clients = {
        name: BatteryTrace(chain, deployment, signer(index), None, prover)
        for name, (index, _role) in ROLE_ACCOUNTS.items()
    }
    admin = clients["admin"]
    for name, (index, role) in ROLE_ACCOUNTS.items():
        if role is not None:
            register(admin, clients[name], name, role, index)
    for name, prefix in COMPANY_PREFIXES.items():
        admin.assign_company_prefix(clients[name].address, prefix)
    auditor = clients["auditor"]
    facilities = {name: activated(auditor, clients[name].register_facility(*spec)) for name, spec in FACILITIES.items()}
    now = datetime.fromtimestamp(chain.latest_timestamp(), tz=timezone.utc)
    certification_ids = {
        "miner": auditor.certify(facilities["miner"].facility_id, Scheme.IRMA, None,
                                 now + timedelta(days=365), "irma-audit-2026.pdf").certification_id,
        "refiner": auditor.certify(facilities["refiner"].facility_id, Scheme.RMAP, None,
                                   now + timedelta(days=365), "rmap-2026.pdf").certification_id,
    }
    auditor.record_risk_finding(facilities["artisanal_miner"].facility_id, RiskFlag.CHILD_LABOUR, "asm-visit.pdf")
    facilities["artisanal_miner"] = auditor.facility(facilities["artisanal_miner"].facility_id)
    return World(chain, deployment, clients, facilities, certification_ids)

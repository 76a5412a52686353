"""Deploying the contracts and remembering where they are."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from batterytrace.evm.artifacts import load
from batterytrace.evm.chain import Chain
from batterytrace.evm.events import EventDecoder
from batterytrace.evm.signers import Signer
from batterytrace.exceptions import ConfigurationError
from batterytrace.model.registry import FacilityType

#: Rulebook floors of declared origin emissions, grams CO2e per kg of contained metal (illustrative
#: defaults: the cobalt sector averages about 10 kg CO2e per kg Co; a floor well below that stops a
#: miner declaring a clean figure from nothing while leaving room for hydro-powered sites). The
#: lithium and nickel origin types have none until the consortium sets one (``setCo2eFloor``).
DEFAULT_CO2E_FLOORS_GRAMS_PER_KG = {
    FacilityType.INDUSTRIAL_MINE: 2_000,
    FacilityType.ARTISANAL_SITE: 1_000,
    FacilityType.RECYCLER: 500,
}


@dataclass(frozen=True)
class Deployment:
    """Addresses of one deployment of batterytrace on one chain."""

    chain_id: int
    registry: str
    ledger: str
    passport: str
    origin_verifier: str
    custody_verifier: str
    note_transform_verifier: str
    pack_batch_verifier: str
    admin: str
    block_number: int
    #: The Poseidon library the contracts' membership trees link (None when no contract needs it).
    poseidon_t3: str | None = None
    #: The registry's linked membership-tree library (None when no contract needs it).
    registry_trees: str | None = None

    #: The libraries a deployment links, by name, and the attribute holding each one's address.
    LIBRARIES = (("PoseidonT3", "poseidon_t3"), ("RegistryTrees", "registry_trees"))

    #: The deployment's contracts whose events the SDK, the EPCIS export and the indexer read:
    #: (name in the SDK, shipped contract name, attribute holding its address).
    EVENT_SOURCES = (("registry", "Registry"), ("ledger", "ShieldedLedger"), ("passport", "BatteryPassport"))

    def event_decoder(self, chain: Chain) -> EventDecoder:
        """The one decoder of this deployment's events (registry, shielded ledger and passport contracts)."""
        return EventDecoder(chain.w3, ((name, getattr(self, name), load(artifact).abi) for name, artifact in self.EVENT_SOURCES))

    @property
    def libraries(self) -> dict[str, str]:
        """The deployed libraries' addresses by name, as ``Chain.deploy`` takes them to link."""
        return {name: getattr(self, attribute) for name, attribute in self.LIBRARIES if getattr(self, attribute)}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            return cls(**json.loads(Path(path).read_text()))
        except FileNotFoundError:
            raise ConfigurationError(f"no deployment at {path}: run `batterytrace deploy` first") from None
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"{path} is not a batterytrace deployment file: {error}") from None


@dataclass(frozen=True)
class DeploymentGas:
    """Gas each contract's deployment used."""

    by_contract: dict[str, int]


def deploy(chain: Chain, admin: Signer, document_base: str = "") -> tuple[Deployment, DeploymentGas]:
    """Deploy the verifiers, the registry, the shielded ledger and the passport contract, each library their
    bytecode links first (PoseidonT3, once); set the default CO2e floors. ``admin`` becomes the consortium
    admin; ``document_base`` is what the passports' ``tokenURI`` puts before their ids (a resolver's
    ``.../passports/``; empty for none)."""
    gas: dict[str, int] = {}
    libraries: dict[str, str] = {}
    known_libraries = dict(Deployment.LIBRARIES)

    def deploy_one(name: str, *arguments: object) -> str:
        for library in load(name).libraries:
            if library not in known_libraries:
                raise ConfigurationError(f"{name} links library {library}, which a Deployment does not record")
            if library not in libraries:
                libraries[library] = deploy_one(library)
        address, receipt = chain.deploy(admin, name, *arguments, libraries=libraries)
        gas[name] = receipt.gas_used
        return address

    registry_address = deploy_one("Registry", admin.address)
    origin_verifier = deploy_one("OriginVerifier")
    custody_verifier = deploy_one("CustodyVerifier")
    note_transform_verifier = deploy_one("NoteTransformVerifier")
    pack_batch_verifier = deploy_one("PackBatchVerifier")
    ledger_address = deploy_one("ShieldedLedger", registry_address, origin_verifier, custody_verifier,
                                note_transform_verifier)
    passport_address = deploy_one("BatteryPassport", registry_address, ledger_address, pack_batch_verifier, document_base)
    registry = chain.contract("Registry", registry_address)
    pendings = []
    for facility_type, floor in DEFAULT_CO2E_FLOORS_GRAMS_PER_KG.items():
        pendings.append(
            chain.transact(admin, registry.functions.setCo2eFloor(int(facility_type), floor),
                           f"set the CO2e floor of {facility_type.name}", wait=False)
        )
    receipts = chain.wait_all(pendings)  # type: ignore[arg-type]
    deployment = Deployment(
        chain_id=chain.chain_id,
        registry=registry_address,
        ledger=ledger_address,
        passport=passport_address,
        admin=admin.address,
        block_number=receipts[-1].block_number,
        origin_verifier=origin_verifier,
        custody_verifier=custody_verifier,
        note_transform_verifier=note_transform_verifier,
        pack_batch_verifier=pack_batch_verifier,
        **{known_libraries[name]: address for name, address in libraries.items()},
    )
    return deployment, DeploymentGas(gas)

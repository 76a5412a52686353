"""What the demo did: counted as it happened, and summarised for a person (``render``) or a program (``to_json``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from batterytrace.evm.chain import Receipt


@dataclass
class Tally:
    """What the run did, counted as it happened."""

    gas: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lots: int = 0
    transformations: int = 0
    handovers: int = 0
    disputes: int = 0
    proofs_verified_on_chain: int = 0
    rejected: list[str] = field(default_factory=list)

    def record(self, operation: str, receipt: Receipt | None) -> None:
        if receipt is not None:
            self.gas[operation].append(receipt.gas_used)


@dataclass(frozen=True)
class MetalSummary:
    """One metal of a passport's pack: its grams traced and the shares proven at least, in percent."""

    metal: str
    grams: int
    min_certified_percent: float
    min_pre_consumer_percent: float
    min_post_consumer_percent: float

    @property
    def min_recycled_percent(self) -> float:
        return self.min_pre_consumer_percent + self.min_post_consumer_percent

    def render(self) -> str:
        """The metal's line of the summary; a metal without grams is not in the pack and proves nothing."""
        if not self.grams:
            return f"{self.metal} not in this pack"
        return (f"{self.metal} {self.grams / 1000:.2f} kg: >= {_percent(self.min_certified_percent)} certified, "
                f">= {_percent(self.min_pre_consumer_percent)} pre- and >= {_percent(self.min_post_consumer_percent)} "
                "post-consumer recycled")


@dataclass(frozen=True)
class PassportSummary:
    """One issued passport's proven claims, in the units a person reads; ``metals`` in ``METAL_NAMES`` order."""

    battery_id: str
    passport_id: str
    urn: str
    metals: tuple[MetalSummary, ...]
    max_kg_co2e_per_kg_cobalt: float
    max_kg_co2e_per_kwh: float
    origin_lots: int
    reverified_offchain: bool
    #: Where the run's resolver answered the battery's QR code, its credential verified offline.
    resolver_url: str = ""
    credential_verified: bool = False

    def metal(self, name: str) -> MetalSummary:
        """The figures of the metal called ``name`` ("cobalt", "lithium", "nickel")."""
        found = next((metal for metal in self.metals if metal.metal == name), None)
        if found is None:
            raise KeyError(f"passport {self.passport_id} has no metal {name!r}; it has "
                           f"{', '.join(metal.metal for metal in self.metals)}")
        return found


@dataclass(frozen=True)
class DemoSummary:
    """The whole run: what was traced and proven, the passports, mean gas per operation, the files written."""

    chain_id: int
    rpc_url: str
    lots: int
    transformations: int
    handovers: int
    disputes: int
    proofs_verified_on_chain: int
    rejected_attempts: tuple[str, ...]
    passports: tuple[PassportSummary, ...]
    gas_per_operation: dict[str, int]
    files: dict[str, str]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "rpcUrl": self.rpc_url,
            "lots": self.lots,
            "transformations": self.transformations,
            "handovers": self.handovers,
            "disputes": self.disputes,
            "proofsVerifiedOnChain": self.proofs_verified_on_chain,
            "rejectedAttempts": list(self.rejected_attempts),
            "passports": [asdict(passport) for passport in self.passports],
            "gasPerOperation": self.gas_per_operation,
            "files": self.files,
            "seconds": round(self.seconds, 1),
            "illustrative": True,
        }

    def _gas_line(self) -> str:
        """The main operations' gas in one line (all of them are in ``to_json``)."""
        gas = self.gas_per_operation
        transforms = [value for name, value in gas.items() if name.startswith("transform")]
        passport = next((value for name, value in gas.items() if name.startswith("issue passports")), None)
        parts = [
            f"mint {_thousands(gas['mint origin lot (proof, relayed)'])}",
            f"handover {_thousands(gas['offer (proof, relayed)'])} + {_thousands(gas['accept after weighing'])}",
        ]
        if transforms:
            parts.append(f"transform {_thousands(min(transforms))}-{_thousands(max(transforms))}")
        if passport is not None:
            parts.append(f"passport {_thousands(passport)} each in a batch")
        return ", ".join(parts) + " (--json for every operation)"

    def render(self) -> str:
        first = self.passports[0]
        lines = [
            "",
            f"batterytrace demo: DRC, Atacama and Sulawesi mines to EV passports on chain {self.chain_id} ({self.seconds:.0f} s, figures illustrative)",
            f"  traced   {self.lots} lots, {self.transformations} proven transformations, {self.handovers} handovers "
            f"({self.disputes} disputed weighing resolved by an auditor)",
            f"  proofs   {self.proofs_verified_on_chain} Groth16 proofs verified on chain; rejected: "
            + ("; ".join(self.rejected_attempts) or "none"),
            f"  passports {len(self.passports)} issued in one batch (one transaction, one proof); each proves, without opening its pack:",
            f"           100% of each metal's grams traced to {first.origin_lots} origin lots:",
            *(f"             {metal.render()}" for metal in first.metals),
            f"           <= {first.max_kg_co2e_per_kg_cobalt:.1f} kg CO2e per kg cobalt, <= {first.max_kg_co2e_per_kwh:.2f} kg CO2e per kWh, "
            "no child-labour, human-rights or conflict flag",
            "           re-verified off chain with py-ecc: " + ("yes" if all(p.reverified_offchain for p in self.passports) else "NO"),
            "  gas      " + self._gas_line(),
            "  files    " + ", ".join(f"{path}" for path in self.files.values()),
            "  resolver each passport's QR code URL, answered while the run's resolver ran (credential verified offline: "
            + ("yes" if all(p.credential_verified for p in self.passports) else "NO") + "):",
            *(f"           {passport.resolver_url}" for passport in self.passports),
            "",
        ]
        return "\n".join(lines)


def _percent(value: float) -> str:
    """A proven share as written: never rounded up (99.99% is not 100%), no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _thousands(gas: int) -> str:
    return f"{gas / 1e6:.1f}M" if gas >= 1_000_000 else f"{gas / 1000:.0f}k"

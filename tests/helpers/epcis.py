"""The fixed addresses, ids and times of the synthetic EPCIS events (tests/epcis/conftest.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from batterytrace.model.risk import RiskFlag
from batterytrace.zk.commitment import Opening

CHAIN_ID = 31337


LOTS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


MINER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


REFINER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


AUDITOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


MINE = 1


REFINERY = 3


START = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


def opening(cobalt_grams: int, total_grams: int, co2e_grams: int) -> Opening:
    return Opening.new(
        cobalt_grams=cobalt_grams, total_grams=total_grams, certified_cobalt_grams=cobalt_grams,
        co2e_grams=co2e_grams, risk_flags=RiskFlag.ARTISANAL, blinding=987654321,
    )

"""A realistic passport input: an NMC811 EV pack of 75 kWh.

Figures are ILLUSTRATIVE, derived from /work/shared/data/REFERENCE.md: about 0.07 kg cobalt per kWh for
NMC811 (CRU 2018) gives 5.25 kg cobalt; NMC pack footprints of 61-106 kg CO2e/kWh (IVL 2019); about
10 kg CO2e per kg cobalt for the cobalt sector (Roskill 2021, derived); 16% recycled cobalt is the EU
minimum from 2031 (Reg. 2023/1542 Art. 8); 7.1 kg lithium and 42 kg nickel as the demo's maker
declares them. Names and addresses are fictitious.
"""

from __future__ import annotations

import coincurve
import pytest

from batterytrace.demo.data import example_pack_passport_input
from batterytrace.documents.batterypass import build_passport_document
from batterytrace.documents.passport_input import PassportInput, ProvenClaims, ProvenMetal
from batterytrace.model.risk import RiskFlag

DOCS = "https://docs.batterytrace.example/packs/BT-75-NMC811"
BATTERY_ID = "https://id.batterytrace.example/01/09506000134352/21/PK75-000123"
PASSPORT_URN = "urn:batterytrace:passport:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3:1"


@pytest.fixture
def proven_claims() -> ProvenClaims:
    """Cobalt 16% recycled (the 2031 minimum, below 2036's), lithium 7.05% (above 2031's 6%), nickel 5%
    (below 2031's 6%)."""
    return ProvenClaims(
        metals=(ProvenMetal(5_250, 6_000, 400, 1_200), ProvenMetal(7_100, 2_500, 0, 705),
                ProvenMetal(42_000, 8_000, 300, 200)),
        origin_lot_count=7,
        max_co2e_grams_per_kg_cobalt=9_500,
        max_co2e_grams_per_kwh=700,
        forbidden_risk_flags=frozenset({RiskFlag.CHILD_LABOUR, RiskFlag.HUMAN_RIGHTS}),
        origin_certification_schemes=("RMAP", "IRMA"),
        proof_verified=True,
        proof_transaction_hash="0x" + "ab" * 32,
    )


@pytest.fixture
def passport_input(proven_claims: ProvenClaims) -> PassportInput:
    return example_pack_passport_input(PASSPORT_URN, BATTERY_ID, proven_claims)


@pytest.fixture
def document(passport_input: PassportInput) -> dict:
    return build_passport_document(passport_input)


def _keypair() -> tuple[bytes, bytes]:
    private = coincurve.PrivateKey()
    return private.secret, private.public_key.format(compressed=False)


@pytest.fixture
def recycler_keys() -> tuple[bytes, bytes]:
    return _keypair()


@pytest.fixture
def repairer_keys() -> tuple[bytes, bytes]:
    return _keypair()


@pytest.fixture
def stranger_keys() -> tuple[bytes, bytes]:
    return _keypair()

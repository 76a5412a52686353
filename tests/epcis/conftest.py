"""Chain-free fixtures: hand-built lots' steps as a note store sees them, an export context and an
import resolver over the fixed addresses of tests/helpers/epcis.py."""

from __future__ import annotations

import pytest

from batterytrace.epcis import ExportContext, ImportResolver
from tests.helpers.epcis import CHAIN_ID, LEDGER, MINE, MINE_GLN, REGISTRY, SECRET, START, Steps


@pytest.fixture
def steps() -> Steps:
    return Steps()


@pytest.fixture
def context() -> ExportContext:
    return ExportContext(CHAIN_ID, LEDGER, REGISTRY, facility_glns={MINE: MINE_GLN}, creation_date=START)


@pytest.fixture
def resolver() -> ImportResolver:
    return ImportResolver(CHAIN_ID, LEDGER, REGISTRY, SECRET, facility_glns={MINE_GLN: MINE})

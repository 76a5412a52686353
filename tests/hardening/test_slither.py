"""Static analysis: slither finds no High or Medium issue in our contracts outside the justified
allowlist (tests/hardening/slither-allowlist.json, reasons in docs/SECURITY.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLITHER = Path(sys.executable).with_name("slither")
SOLC = Path.home() / ".solcx" / "solc-v0.8.37"
REPORTS = ("Registry", "ShieldedLedger", "BatteryPassport", "ReferenceERC721")

pytestmark = [
    pytest.mark.skipif(not SLITHER.exists() and shutil.which("slither") is None,
                       reason="slither is not installed: .venv/bin/pip install slither-analyzer==0.11.6"),
    pytest.mark.skipif(not SOLC.exists(), reason="no ~/.solcx/solc-v0.8.37: run make setup"),
]


@pytest.fixture(scope="module")
def slither_reports(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], dict[str, dict]]:
    out = tmp_path_factory.mktemp("slither")
    environment = {**os.environ, "SLITHER_OUT": str(out), "SLITHER": str(SLITHER if SLITHER.exists() else shutil.which("slither")),
                   "PYTHON": sys.executable}
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "slither.sh")], cwd=ROOT, env=environment,
                               capture_output=True, text=True, timeout=300, check=False)
    reports = {name: json.loads((out / f"{name}.json").read_text()) for name in REPORTS if (out / f"{name}.json").exists()}
    return completed, reports


def findings(reports: dict[str, dict]) -> dict[str, dict]:
    unique = {}
    for report in reports.values():
        for finding in (report.get("results") or {}).get("detectors", []):
            unique[finding["id"]] = finding
    return unique


def test_slither_analyses_every_contract(slither_reports):
    completed, reports = slither_reports
    assert set(reports) == set(REPORTS), completed.stderr[-2000:]
    assert all(report["success"] for report in reports.values())


def test_no_high_or_medium_finding_outside_the_allowlist(slither_reports):
    completed, reports = slither_reports
    allowlist = json.loads((ROOT / "tests" / "hardening" / "slither-allowlist.json").read_text())["allow"]
    for entry in allowlist:
        assert entry.get("reason"), f"allowlisted {entry} has no reason"
    allowed = {(entry["check"], entry["function"]) for entry in allowlist}
    blocking = [
        finding["description"] for finding in findings(reports).values()
        if finding["impact"] in ("High", "Medium")
        and (finding["check"], next((e["name"] for e in finding["elements"] if e["type"] == "function"), "")) not in allowed
    ]
    assert blocking == []
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]


def test_no_finding_points_into_dependencies_or_generated_verifiers(slither_reports):
    _completed, reports = slither_reports
    for finding in findings(reports).values():
        for element in finding["elements"]:
            path = element.get("source_mapping", {}).get("filename_relative", "")
            assert not path.startswith(("node_modules", "contracts/verifiers")), finding["description"]


def test_every_low_finding_is_explained_in_security_md(slither_reports):
    _completed, reports = slither_reports
    security = (ROOT / "docs" / "SECURITY.md").read_text()
    for finding in findings(reports).values():
        if finding["impact"] == "Low":
            assert f"`{finding['check']}`" in security, f"docs/SECURITY.md does not explain {finding['check']}"

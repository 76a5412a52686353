"""The passport page: self-contained, escaped, and what a person sees in a real browser."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from batterytrace.documents.batterypass import build_passport_document
from batterytrace.documents.canonical import document_hash
from batterytrace.documents.claims import FROM_GENEALOGY, claim_statuses
from batterytrace.documents.page import ChainInfo, ClaimStatus, describe_claims, render_passport_page
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.passports import ClaimBounds
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import PassportVerification

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
HOW = f"Groth16 proof re-verified against chain 31337 contract {CONTRACT} at block 42"
FAILED_CLAIM = 3  # "≤ 9.5 kg CO2e per kg cobalt"


@pytest.fixture
def public_document(document):
    return split_by_tier(document)[AccessTier.PUBLIC]


@pytest.fixture
def claims_status(proven_claims):
    return [
        ClaimStatus(text, index != FAILED_CLAIM, HOW if index != FAILED_CLAIM else "proof does not verify")
        for index, text in enumerate(describe_claims(proven_claims))
    ]


@pytest.fixture
def chain_info(public_document):
    return ChainInfo(31337, CONTRACT, 1, 42, document_hash(public_document),
                     {AccessTier.LEGITIMATE_INTEREST: b"\x11" * 32, AccessTier.AUTHORITIES: b"\x22" * 32})


@pytest.fixture
def page(public_document, claims_status, chain_info, tmp_path) -> Path:
    return render_passport_page(public_document, claims_status, chain_info, tmp_path / "page")


def test_claim_sentences(proven_claims):
    assert describe_claims(proven_claims) == [
        "100% of 5.25 kg cobalt traced to 7 origin lots",
        "≥ 60% cobalt from certified sites (IRMA, RMAP)",
        "≥ 16% recycled cobalt",
        "≤ 9.5 kg CO2e per kg cobalt",
        "≤ 0.7 kg CO2e per kWh from the cobalt supply chain",
        "no child-labour or human-rights flag at any origin site",
    ]


def test_page_writes_html_and_qr_files(page):
    assert sorted(path.name for path in page.parent.iterdir()) == ["index.html", "qr.png", "qr.svg"]
    assert (page.parent / "qr.png").read_bytes().startswith(b"\x89PNG")


def test_page_embeds_the_qr_svg_inline(page):
    assert re.search(r'<svg role="img" aria-label="QR code for https://id\.batterytrace\.example/', page.read_text())


def test_page_makes_no_external_request_and_has_no_script(page):
    text = page.read_text()
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)="https?:', text)


def test_page_declares_language_and_headings(page):
    text = page.read_text()
    assert '<html lang="en">' in text
    assert "<h1>" in text and text.count("<h2 ") >= 4


def test_page_escapes_hostile_maker_name(passport_input, claims_status, chain_info, tmp_path):
    hostile = dataclasses.replace(passport_input.manufacturer, name='<script>alert("x")</script>')
    document = build_passport_document(dataclasses.replace(passport_input, manufacturer=hostile))
    text = render_passport_page(document, claims_status, chain_info, tmp_path).read_text()
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_page_escapes_hostile_claim_text(public_document, chain_info, tmp_path):
    claims = [ClaimStatus("<img src=x onerror=alert(1)>", True, "<b>how</b>")]
    text = render_passport_page(public_document, claims, chain_info, tmp_path).read_text()
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_page_reports_hash_mismatch(public_document, claims_status, chain_info, tmp_path):
    tampered = dataclasses.replace(chain_info, document_hash=b"\x00" * 32)
    text = render_passport_page(public_document, claims_status, tampered, tmp_path).read_text()
    assert "HASH MISMATCH" in text


def _node(lot_id: int, kind: MaterialKind, creator: str, parents: tuple[int, ...] = (), schemes=frozenset()) -> LotNode:
    return LotNode(lot_id, kind, 3, FacilityType.INDUSTRIAL_MINE, "CD", creator, creator, LotStatus.CONSUMED, schemes,
                   RiskFlag.NONE, parents, 7)


def test_a_page_from_the_chain_names_no_lot_pack_note_or_supplier(public_document, chain_info, tmp_path):
    """What the page says of the pack: its proven figures and how many origin lots stand behind it,
    never a lot id, the pack note's nullifier or who supplied the cobalt; the count and schemes are
    marked as the genealogy's, not the proof's."""
    mine, recycler, maker = "0x" + "a1" * 20, "0x" + "b2" * 20, "0x" + "c3" * 20
    origins = [_node(0xA11CE << 200, MaterialKind.COBALT_HYDROXIDE, mine, schemes=frozenset({Scheme.IRMA})),
               _node(0xB0B << 200, MaterialKind.BLACK_MASS, recycler)]
    pack = _node(0xC0FFEE << 200, MaterialKind.PACK, maker, tuple(node.lot_id for node in origins))
    nullifier = 0xDEADBEEF << 220
    bounds = ClaimBounds(5_250, 6_000, 1_600, 9_500, 700, 75_000, int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS))
    verification = PassportVerification(1, True, bounds, nullifier, "0x" + "ab" * 32, 42, 31337, CONTRACT, "verifies")
    statuses = claim_statuses(verification, [pack, *origins])
    assert [status.text for status in statuses[:2]] == ["100% of 5.25 kg cobalt traced to 2 origin lots",
                                                       "≥ 60% cobalt from certified sites (IRMA)"]
    assert all(status.verified for status in statuses)
    assert [status.how.endswith(FROM_GENEALOGY) for status in statuses] == [True, True] + [False] * (len(statuses) - 2)
    text = render_passport_page(public_document, statuses, chain_info, tmp_path).read_text().lower()
    for value in (nullifier, pack.lot_id, *(node.lot_id for node in origins)):
        assert f"{value:x}" not in text and str(value) not in text
    for address in (mine, recycler, maker):
        assert address[2:] not in text


class _ClaimItems(HTMLParser):
    """Collects the visible text of each <li> in the claims list."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self._in_claims = False
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "ul" and ("class", "claims") in attrs:
            self._in_claims = True
        elif self._in_claims and tag == "li":
            self.items.append("")

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_claims = False

    def handle_data(self, data):
        if self._in_claims and self.items:
            self.items[-1] += " " + data


def _chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", *arguments],
        capture_output=True, text=True, timeout=60, check=True,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_browser_shows_battery_id_and_each_claim_with_its_badge(page, claims_status, passport_input, tmp_path):
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert passport_input.battery_id in dom
    parser = _ClaimItems()
    parser.feed(dom)
    seen = [" ".join(item.split()) for item in parser.items]
    expected = [
        f"{'✓ VERIFIED' if claim.verified else '✗ NOT VERIFIED'} {claim.text} {claim.how}" for claim in claims_status
    ]
    assert seen == expected


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_browser_renders_a_screenshot(page, tmp_path):
    screenshot = tmp_path / "page.png"
    _chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2000", page.as_uri())
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 20_000

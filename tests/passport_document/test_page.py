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
from batterytrace.documents.passport_input import ProvenMetal
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.model.genealogy import LotNode
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.passports import ClaimBounds, MetalBounds
from batterytrace.model.registry import FacilityType, Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.passports import PassportVerification

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
HOW = f"Groth16 proof re-verified against chain 31337 contract {CONTRACT} at block 42"
FAILED_CLAIM = 5  # "≤ 9.5 kg CO2e per kg cobalt"


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
        "100% of 5.25 kg cobalt, 7.1 kg lithium and 42 kg nickel traced to 7 origin lots",
        "≥ 60% cobalt, ≥ 25% lithium and ≥ 80% nickel from certified sites (IRMA, RMAP)",
        "≥ 16% recycled cobalt (≥ 4% pre-consumer, ≥ 12% post-consumer)",
        "≥ 7.05% recycled lithium (≥ 0% pre-consumer, ≥ 7.05% post-consumer)",
        "≥ 5% recycled nickel (≥ 3% pre-consumer, ≥ 2% post-consumer)",
        "≤ 9.5 kg CO2e per kg cobalt",
        "≤ 0.7 kg CO2e per kWh from the traced supply chain",
        "no child-labour or human-rights flag at any origin site",
    ]


def test_a_metal_the_pack_holds_none_of_claims_nothing(proven_claims):
    cobalt_only = dataclasses.replace(proven_claims, metals=(proven_claims.cobalt, ProvenMetal(0, 0, 0, 0),
                                                             ProvenMetal(0, 0, 0, 0)))
    texts = describe_claims(cobalt_only)
    assert texts[:3] == ["100% of 5.25 kg cobalt traced to 7 origin lots",
                         "≥ 60% cobalt from certified sites (IRMA, RMAP)",
                         "≥ 16% recycled cobalt (≥ 4% pre-consumer, ≥ 12% post-consumer)"]
    assert not any("lithium" in text or "nickel" in text for text in texts)


class _RecycledTable(HTMLParser):
    """Collects the recycled-content table: row header -> the visible text of each cell after it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._in_table = False
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "recycled") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row = []
        elif self._in_table and self._row is not None and tag in ("th", "td"):
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag == "tr" and self._row:
            self.rows[self._row[0].strip()] = [" ".join(cell.split()) for cell in self._row[1:]]
            self._row = None

    def handle_data(self, data):
        if self._in_table and self._row:
            self._row[-1] += " " + data


def _recycled_table(page: Path) -> dict[str, list[str]]:
    parser = _RecycledTable()
    parser.feed(page.read_text())
    return parser.rows


def test_page_shows_each_metals_shares_beside_the_art8_minimums(page):
    rows = _recycled_table(page)
    assert rows["Material"][-2:] == ["Art. 8 minimum from 18 August 2031", "Art. 8 minimum from 18 August 2036"]
    assert rows["Cobalt"] == ["5.25 kg", "≥ 60%", "≥ 4%", "≥ 12%", "≥ 16%", "16% ✓ meets", "26% ✗ below"]
    assert rows["Lithium"] == ["7.1 kg", "≥ 25%", "≥ 0%", "≥ 7.05%", "≥ 7.05%", "6% ✓ meets", "12% ✗ below"]
    assert rows["Nickel"] == ["42 kg", "≥ 80%", "≥ 3%", "≥ 2%", "≥ 5%", "6% ✗ below", "15% ✗ below"]
    assert rows["Lead"] == ["not traced: the ledger carries no lead (Li-ion)", "85% not proven", "85% not proven"]


def test_a_metal_above_one_minimum_and_below_another(passport_input, proven_claims, chain_info, tmp_path):
    """Lithium at 12.5% meets both of its minimums (6%, 12%); nickel at 5.99% misses 2031's 6% by a
    basis point; a metal with no grams is not proven against either."""
    metals = (ProvenMetal(0, 0, 0, 0), ProvenMetal(7_100, 0, 250, 1_000), ProvenMetal(42_000, 0, 0, 599))
    claims = dataclasses.replace(proven_claims, metals=metals)
    document = build_passport_document(dataclasses.replace(passport_input, claims=claims))
    statuses = [ClaimStatus(text, True, HOW) for text in describe_claims(claims)]
    rows = _recycled_table(render_passport_page(split_by_tier(document)[AccessTier.PUBLIC], statuses, chain_info, tmp_path))
    assert rows["Lithium"][-3:] == ["≥ 12.5%", "6% ✓ meets", "12% ✓ meets"]
    assert rows["Nickel"][-3:] == ["≥ 5.99%", "6% ✗ below", "15% ✗ below"]
    assert rows["Cobalt"] == ["none traced in this pack", "16% not proven", "26% not proven"]


def test_the_recycled_table_is_marked_unverified_when_a_proof_fails(page):
    assert 'id="recycled-heading">Recycled content and certified origin <span class="badge bad">' in page.read_text()


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
    metals = (MetalBounds(5_250, 6_000, 400, 1_200), MetalBounds(0, 0, 0, 0), MetalBounds(0, 0, 0, 0))
    bounds = ClaimBounds(metals, 9_500, 700, 75_000, int(RiskFlag.CHILD_LABOUR | RiskFlag.HUMAN_RIGHTS))
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

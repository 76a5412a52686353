"""A person's test in a real browser: the QR code decoded from its PNG (zxing-cpp), its URL opened
in headless Chromium (Debian's, driven by Playwright) against the running resolver; what the page
shows; then a recycler signs in through the browser's wallet (an EIP-1193 provider whose signatures
the recycler's key makes) and the legitimate-interest fields appear, the authorities' do not."""

from __future__ import annotations

import io
import shutil

import pytest
import segno
import zxingcpp
from eth_account.messages import encode_defunct
from PIL import Image

from batterytrace.documents.tiers import AccessTier, split_by_tier

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup.sh installs it)")

#: The browser's wallet: accounts and personal_sign answered by the test's key (window.btSign).
WALLET = """
window.ethereum = {
  request: async ({ method, params }) => {
    if (method === "eth_requestAccounts" || method === "eth_accounts") return [window.btAddress];
    if (method === "eth_chainId") return "0x" + window.btChainId.toString(16);
    if (method === "personal_sign") return await window.btSign(params[0]);
    throw new Error("unsupported " + method);
  },
};
"""


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for inner in value.values() for leaf in _leaves(inner)]
    if isinstance(value, list):
        return [leaf for inner in value for leaf in _leaves(inner)]
    return [value]


def decode_png(png: bytes) -> str:
    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    return barcode.text


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_a_person_scans_the_qr_code_reads_the_passport_and_a_recycler_signs_in(served, browser, tmp_path):
    # The QR code as the maker prints it on the battery: a PNG of the battery's resolver URL.
    printed = io.BytesIO()
    segno.make(served.url + served.path("RES-1"), error="m").save(printed, kind="png", scale=8, border=4)
    url = decode_png(printed.getvalue())
    assert url == served.url + served.path("RES-1")

    recycler = served.signers["recycler"]
    context = browser.new_context()
    page = context.new_page()
    page.expose_function("btSign", lambda message: "0x" + recycler.account.sign_message(
        encode_defunct(text=message)).signature.hex().removeprefix("0x"))
    page.add_init_script(f"window.btAddress = {recycler.address!r}; window.btChainId = {served.world.chain.chain_id};" + WALLET)
    response = page.goto(url)
    assert response is not None and response.status == 200

    # What a person sees: the claims verified live, each metal's recycled shares, the status.
    assert "supply-chain claims verified" in page.inner_text(".verdict.ok")
    claims = page.inner_text("#claims-heading + p + ul.claims")
    assert "traced to" in claims and "recycled cobalt" in claims
    assert page.inner_text("#battery-status") == "original"
    assert page.inner_text("#credential-verdict") == "VERIFIED"
    recycled = page.inner_text("body")
    assert all(metal in recycled.lower() for metal in ("cobalt", "lithium", "nickel"))
    # The page's own QR code, as the screen shows it, names the same URL.
    assert decode_png(page.locator("svg.qrcode").screenshot()) == url
    # Nothing restricted before signing in.
    assert page.locator("#tier-legitimateInterest dt").count() == 0

    page.click("#sign-in-button")
    page.wait_for_selector("#tier-legitimateInterest[data-state=served]", timeout=30_000)
    page.wait_for_selector("#tier-authorities[data-state=refused]", timeout=30_000)
    assert "RECYCLER" in page.inner_text("#sign-in-state")
    fields = page.locator("#tier-legitimateInterest dt").all_text_contents()
    assert any(field.startswith("materialComposition.batteryMaterials") for field in fields), fields
    assert any(field.startswith("circularity.dismantlingAndRemovalInformation") for field in fields)
    assert page.locator("#tier-authorities dt").count() == 0
    assert "AUTHORITY" in page.inner_text("#tier-authorities .tier-state")
    # No value of the authorities' tier is anywhere on the page (its field names are, as withheld);
    # the legitimate-interest values are.
    body = page.content()
    parts = split_by_tier(served.documents["RES-1"])

    def values(tier: AccessTier) -> list[str]:
        fields = {key: value for key, value in parts[tier].items() if key not in ("passportIdentifier", "accessTier")}
        return [value for value in _leaves(fields) if isinstance(value, str) and len(value) > 8 and "&" not in value]

    assert values(AccessTier.AUTHORITIES) and not [value for value in values(AccessTier.AUTHORITIES) if value in body]
    assert values(AccessTier.LEGITIMATE_INTEREST) and all(value in body for value in values(AccessTier.LEGITIMATE_INTEREST))
    context.close()

"""The battery's URL by content negotiation: page, JSON-LD, credential, linkset; 404, 400, 406."""

from __future__ import annotations

import httpx

from batterytrace.documents.credential import verify_credential
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.sdk.passport_batches import load_batch
from batterytrace.sdk.passports import get_passport
from batterytrace.sdk.resolver import CREDENTIAL_MEDIA_TYPE, LINKSET_MEDIA_TYPE, ResolverClient
from tests.helpers.flows import battery_id


def get(served, path: str, accept: str | None = None, **params) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return httpx.get(served.url + path, headers=headers, params=params, timeout=60)


def test_a_person_gets_the_page_with_status_claims_and_credential_checked(served):
    response = get(served, served.path("RES-1"), "text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "Accept" and 'rel="linkset"' in response.headers["link"]
    page = response.text
    assert 'id="battery-status">original<' in page
    assert 'id="credential-verdict">VERIFIED<' in page
    assert "All " in page and "supply-chain claims verified" in page and "NOT VERIFIED" not in page
    # The QR code names the resolver's own URL for this battery.
    assert f"QR code for {served.url}{served.path('RES-1')}" in page


def test_the_passports_of_one_batch_are_each_checked_against_the_batchs_one_proof(served):
    world = served.world
    records = [get_passport(world.oem, served.passports[serial]) for serial in ("RES-1", "RES-2")]
    assert records[0].batch == records[1].batch
    batch = load_batch(world.oem, records[0].batch)
    for serial, record in zip(("RES-1", "RES-2"), records, strict=True):
        page = get(served, served.path(serial), "text/html").text
        assert "supply-chain claims verified" in page and "NOT VERIFIED" not in page
        assert f"transaction {batch.transaction_hash}" in page
        assert f"{record.bounds.cobalt.grams / 1000:g} kg cobalt" in page


def test_the_json_ld_is_the_credential_document_with_the_public_tier_only(served):
    for accept in ("application/ld+json", "application/json"):
        response = get(served, served.path("RES-1"), accept)
        assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
        document = response.json()
        assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
        assert document["credentialSubject"]["batteryPass"] == split_by_tier(served.documents["RES-1"])[AccessTier.PUBLIC]


def test_the_credential_verifies_offline_with_the_resolvers_did_document_and_status_list(served):
    client = ResolverClient(served.url)
    token = client.credential(served.path("RES-1"))
    did_document = client.did_document()
    lists = {served.settings.public_url + "/status/revocation": client.status_list()}
    credential = verify_credential(token, did_documents={did_document["id"]: did_document}, status_lists=lists)
    evidence = credential["credentialSubject"]["conformityClaim"][0]["conformityEvidence"]["linkURL"]
    assert f"/passport/{served.passports['RES-1']}/tx/0x" in evidence
    assert get(served, served.path("RES-1"), CREDENTIAL_MEDIA_TYPE).headers["content-type"].startswith(CREDENTIAL_MEDIA_TYPE)


def test_the_linkset_by_accept_header_and_by_link_type(served):
    by_header = get(served, served.path("RES-1"), LINKSET_MEDIA_TYPE)
    by_query = get(served, served.path("RES-1"), None, linkType="linkset")
    assert by_header.status_code == by_query.status_code == 200
    assert by_header.headers["content-type"].startswith(LINKSET_MEDIA_TYPE)
    assert by_header.json() == by_query.json()
    (links,) = by_header.json()["linkset"]
    assert links["anchor"] == served.url + served.path("RES-1")
    assert {link["type"] for key, value in links.items() if key.startswith("https://gs1.org/voc/") for link in value} == {
        "text/html", "application/ld+json", CREDENTIAL_MEDIA_TYPE}


def test_quality_values_choose_among_the_offers(served):
    assert get(served, served.path("RES-1"), "text/html;q=0.2, application/ld+json;q=0.9").headers["content-type"].startswith(
        "application/ld+json")
    assert get(served, served.path("RES-1"), "application/*").headers["content-type"].startswith("application/ld+json")
    assert get(served, served.path("RES-1")).headers["content-type"].startswith("text/html")


def test_unknown_malformed_unpublished_and_unacceptable_each_answer_with_a_reason(served):
    unknown = get(served, "/01/" + battery_id("NOPE-9").split("/01/")[1], "application/json")
    assert unknown.status_code == 404 and "no passport" in unknown.json()["error"]
    page = get(served, "/01/" + battery_id("NOPE-9").split("/01/")[1], "text/html")
    assert page.status_code == 404 and "no passport" in page.text
    malformed = get(served, "/01/12345/21/X", "application/json")
    assert malformed.status_code == 400 and "GTIN" in malformed.json()["error"]
    unpublished = get(served, served.path("RES-3"), "application/json")
    assert unpublished.status_code == 404 and "published no documents" in unpublished.json()["error"]
    refused = get(served, served.path("RES-1"), "image/png")
    assert refused.status_code == 406 and "text/html" in refused.json()["error"]
    assert get(served, "/passports/0xzz", "application/json").status_code == 400
    assert get(served, f"/passports/{served.passports['RES-1']:#x}", "application/json").status_code == 200

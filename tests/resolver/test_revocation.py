"""The status list mirrors the chain: a battery declared waste on chain is revoked in the list the
resolver signs, and its credential is refused offline from then on. (Runs after the other resolver
tests, which read RES-2 as original.)"""

from __future__ import annotations

import base64
import json
import time

import pytest

from batterytrace.documents.credential import StatusList, verify_credential
from batterytrace.exceptions import CredentialError
from batterytrace.model.passports import PassportStatus
from batterytrace.sdk.passports import set_status
from batterytrace.sdk.resolver import ResolverClient
from tests.resolver.test_negotiation import get


def _list_bits(client: ResolverClient) -> StatusList:
    payload = client.status_list().split(".")[1]
    subject = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["credentialSubject"]
    return StatusList.decode(subject["encodedList"])


def test_a_battery_declared_waste_is_revoked_in_the_signed_status_list(served):
    client = ResolverClient(served.url)
    token = client.credential(served.path("RES-2"))
    did_document = client.did_document()
    list_url = served.settings.public_url + "/status/revocation"
    index = int(verify_credential(token, did_documents={did_document["id"]: did_document},
                                  status_lists={list_url: client.status_list()})["credentialStatus"]["statusListIndex"])
    assert not _list_bits(client).is_set(index)

    set_status(served.world.pack_maker, served.passports["RES-2"], PassportStatus.WASTE, "recycling-certificate.pdf")
    deadline = time.monotonic() + 30
    while not _list_bits(client).is_set(index) and time.monotonic() < deadline:
        time.sleep(0.2)
    with pytest.raises(CredentialError, match="revoked"):
        verify_credential(token, did_documents={did_document["id"]: did_document}, status_lists={list_url: client.status_list()})
    page = get(served, served.path("RES-2"), "text/html").text
    assert 'id="battery-status">waste<' in page and 'id="credential-verdict">NOT VERIFIED<' in page
    # Only that bit: the other published passport stays valid.
    other = client.credential(served.path("RES-1"))
    verify_credential(other, did_documents={did_document["id"]: did_document}, status_lists={list_url: client.status_list()})

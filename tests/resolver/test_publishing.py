"""Publishing is the economic operator's, for the document whose hash is on chain."""

from __future__ import annotations

import copy

import httpx
import pytest

from batterytrace.exceptions import InputError
from batterytrace.sdk.resolver import ResolverClient, publish
from tests.helpers.sandbox import signer


def test_only_the_economic_operator_publishes_and_only_the_document_on_chain(served):
    client = ResolverClient(served.url)
    unpublished = served.unpublished
    with pytest.raises(InputError, match="403.*pack_maker|403.*to publish"):
        publish(client, signer(9), unpublished, served.documents["RES-3"])  # the recycler
    tampered = copy.deepcopy(served.documents["RES-3"])
    tampered["generalProductInformation"]["productName"] = "Another battery"
    with pytest.raises(InputError, match="422.*not the one passport"):
        publish(client, signer(7), unpublished, tampered)
    anonymous = httpx.post(f"{served.url}/v1/passports/{unpublished:#x}", json={"document": served.documents["RES-3"]}, timeout=30)
    assert anonymous.status_code == 401 and "sign-in" in anonymous.json()["error"]
    assert httpx.get(served.url + served.path("RES-3"), headers={"Accept": "application/json"}, timeout=30).status_code == 404

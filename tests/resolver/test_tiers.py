"""The restricted tiers: every role against every tier, sign-in refusals built by hand (a replayed
nonce, an expired or foreign message, another key's signature, a non-participant), the access log,
and no tier leaking across concurrent sign-ins."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from eth_account.messages import encode_defunct
from siwe import SiweMessage

from batterytrace.documents.tiers import AccessTier, split_by_tier

TIERS = ("legitimateInterest", "authorities")
#: Who may read which tier (Art. 77(2)): the expectation the resolver is held to, role by role.
ALLOWED = {
    "recycler": {"legitimateInterest"}, "repairer": {"legitimateInterest"}, "remanufacturer": {"legitimateInterest"},
    "second_life": {"legitimateInterest"}, "authority": {"authorities"}, "miner": set(), "oem": set(), "pack_maker": set(),
}


def message_for(served, address: str) -> str:
    response = httpx.get(served.url + "/auth/message", params={"address": address}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["message"]


def signed(signer, message: str) -> str:
    return "0x" + signer.account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")


def sign_in(served, name: str, message: str | None = None, signature: str | None = None) -> httpx.Response:
    who = served.signers[name]
    message = message or message_for(served, who.address)
    return httpx.post(served.url + "/auth/sign-in", json={"message": message, "signature": signature or signed(who, message)},
                      timeout=30)


def token_of(served, name: str) -> str:
    response = sign_in(served, name)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def read_tier(served, serial: str, tier: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(served.url + served.path(serial), params={"tier": tier}, headers=headers, timeout=30)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_role_reads_exactly_the_tiers_the_regulation_gives_it(served, name):
    token = token_of(served, name)
    parts = split_by_tier(served.documents["RES-1"])
    for tier in TIERS:
        response = read_tier(served, "RES-1", tier, token)
        if tier in ALLOWED[name]:
            assert response.status_code == 200, response.text
            assert response.json()["data"] == parts[AccessTier(tier)]
            assert response.json()["servedTo"] == served.signers[name].address
        else:
            assert response.status_code == 403, response.text
            assert "data" not in response.json() and tier in response.json()["error"]


def test_without_a_sign_in_no_restricted_tier_is_served(served):
    for tier in TIERS:
        for token in (None, "not-a-token"):
            response = read_tier(served, "RES-1", tier, token)
            assert response.status_code == 401 and "sign-in" in response.json()["error"]


def test_a_non_participant_cannot_sign_in(served):
    response = sign_in(served, "stranger")
    assert response.status_code == 403 and "no registry participant" in response.json()["error"]


def test_a_replayed_sign_in_is_refused(served):
    who = served.signers["recycler"]
    message = message_for(served, who.address)
    signature = signed(who, message)
    assert sign_in(served, "recycler", message, signature).status_code == 200
    replay = sign_in(served, "recycler", message, signature)
    assert replay.status_code == 401 and "used already" in replay.json()["error"]


def test_two_sign_ins_racing_with_one_nonce_succeed_once(served):
    who = served.signers["recycler"]
    message = message_for(served, who.address)
    signature = signed(who, message)
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(lambda _: sign_in(served, "recycler", message, signature).status_code, range(4)))
    assert codes == [200, 401, 401, 401]


def _forged(served, who, **fields) -> str:
    """A message written by the requester, not the resolver, with a nonce the resolver issued."""
    issued = SiweMessage.from_message(message=message_for(served, who.address))
    values = {"domain": issued.domain, "address": issued.address, "statement": issued.statement, "uri": issued.uri,
              "version": "1", "chain_id": issued.chain_id, "nonce": issued.nonce, "issued_at": str(issued.issued_at),
              "expiration_time": str(issued.expiration_time), **fields}
    return SiweMessage(**values).prepare_message()


def test_expired_foreign_and_wrongly_signed_messages_are_refused(served):
    who = served.signers["recycler"]
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    expired = _forged(served, who, expiration_time=past.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert "expired" in sign_in(served, "recycler", expired).json()["error"]
    stale = _forged(served, who, issued_at=(past - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert "outside" in sign_in(served, "recycler", stale).json()["error"]
    foreign = _forged(served, who, domain="phish.example")
    assert "not this resolver" in sign_in(served, "recycler", foreign).json()["error"]
    other_chain = _forged(served, who, chain_id=1)
    assert "chain 1" in sign_in(served, "recycler", other_chain).json()["error"]
    # The authority's key signs a message naming the recycler: the signature is not the signer's.
    message = message_for(served, who.address)
    wrong = sign_in(served, "recycler", message, signed(served.signers["authority"], message))
    assert wrong.status_code == 401 and "signature" in wrong.json()["error"]
    unknown_nonce = _forged(served, who, nonce="abcdef0123456789")
    assert "no such nonce" in sign_in(served, "recycler", unknown_nonce).json()["error"]
    garbage = httpx.post(served.url + "/auth/sign-in", json={"message": "hello", "signature": "0x00"}, timeout=30)
    assert garbage.status_code == 400 and "EIP-4361" in garbage.json()["error"]


def test_every_restricted_request_is_logged_with_who_what_and_when(served):
    token = token_of(served, "repairer")
    before = datetime.now(timezone.utc).timestamp() * 1000 - 1
    read_tier(served, "RES-2", "legitimateInterest", token)
    read_tier(served, "RES-2", "authorities", token)
    rows = sqlite3.connect(served.database).execute(
        "SELECT at_ms, requester, role, passport_id, tier, outcome FROM restricted_access WHERE at_ms >= ? ORDER BY at_ms",
        (before,)).fetchall()
    mine = [row for row in rows if row[1] == served.signers["repairer"].address]
    assert [(row[2], int(row[3], 16), row[4], row[5].split(":")[0]) for row in mine] == [
        ("REPAIRER", served.passports["RES-2"], "legitimateInterest", "served"),
        ("REPAIRER", served.passports["RES-2"], "authorities", "refused")]


def test_concurrent_sign_ins_never_see_each_others_tiers(served):
    names = ["recycler", "authority", "miner"] * 6

    def session(name: str) -> tuple[str, dict[str, int]]:
        token = token_of(served, name)
        return name, {tier: read_tier(served, "RES-1", tier, token).status_code for tier in TIERS}

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(session, names))
    for name, codes in results:
        assert {tier for tier, code in codes.items() if code == 200} == ALLOWED[name], (name, codes)

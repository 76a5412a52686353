"""The passport as a VC 2.0 / UNTP DPP credential (JOSE, EdDSA), its issuer's did:web document and a
Bitstring Status List: verified with no chain node; a tampered credential, a foreign key, a revoked
status, an expired credential and an unknown context are each refused. Tampering is done by hand on
the compact JWS, past the signing code."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from batterytrace.documents.credential import (
    STATUS_LIST_BITS,
    VC_V2_CONTEXT,
    IssuerKey,
    ProofReference,
    StatusList,
    did_document_url,
    did_web,
    load_context,
    passport_credential,
    sign_credential,
    verify_credential,
)
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.exceptions import CredentialError

from .conftest import BATTERY_ID

UNTP = Path(__file__).resolve().parents[3] / "shared" / "standards" / "untp"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)
LIST_URL = "https://resolver.batterytrace.example/status/1"
PASSPORT_URL = "https://resolver.batterytrace.example/01/09506000134352/21/PK75-000123"
PROOF = ProofReference(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 1, "0x" + "ab" * 32)


@pytest.fixture(scope="module")
def issuer() -> IssuerKey:
    return IssuerKey.generate(did_web("resolver.batterytrace.example:8443", "operators", "oem"))


@pytest.fixture
def credential(issuer, document, proven_claims) -> dict:
    return passport_credential(
        passport_url=PASSPORT_URL, issuer=issuer, issuer_name="Voltaris Automotive SE", battery_id=BATTERY_ID,
        product_name="BT-75 NMC811 EV pack", battery_pass=split_by_tier(document)[AccessTier.PUBLIC],
        claims=proven_claims, proof=PROOF, status_list_url=LIST_URL, status_index=41, valid_from=NOW - timedelta(days=1))


def status_list_token(issuer: IssuerKey, revoked: list[int]) -> str:
    return sign_credential(StatusList.mirroring(revoked).credential(LIST_URL, issuer, NOW - timedelta(days=1)), issuer)


def verify(token: str, issuer: IssuerKey, *, revoked: list[int] = (), now: datetime = NOW, lists=None) -> dict:
    return verify_credential(token, did_documents={issuer.did: issuer.did_document()},
                             status_lists=lists or {LIST_URL: status_list_token(issuer, list(revoked))}, now=now)


def resign_payload(token: str, payload: dict) -> str:
    """The token with its payload replaced and the original signature kept (an attacker's edit)."""
    header, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


def test_a_signed_passport_credential_verifies_offline_with_its_claims_and_status(issuer, credential):
    token = sign_credential(credential, issuer)
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["typ"] == "vc+jwt"
    verified = verify(token, issuer, revoked=[40, 42])
    assert verified == credential
    cobalt = verified["credentialSubject"]["conformityClaim"][0]
    assert cobalt["declaredValue"][0]["metricValue"] == {"type": ["Measure"], "value": 5.25, "unit": "KGM"}
    assert cobalt["declaredValue"][2]["metricValue"]["value"] == 0.04
    assert cobalt["conformityEvidence"]["linkURL"] == f"eip155:31337:{PROOF.contract}/passport/1/tx/{PROOF.transaction_hash}"
    assert [m["name"] for m in verified["credentialSubject"]["materialsProvenance"]] == ["cobalt", "lithium", "nickel"]


def test_the_credential_validates_against_the_untp_dpp_schema(credential):
    if not UNTP.is_dir():
        pytest.skip("the shared standards folder is not beside the checkout")
    schema = json.loads((UNTP / "untp-dpp-schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(credential)
    assert credential["@context"] == json.loads((UNTP / "untp-dpp-instance.json").read_text("utf-8"))["@context"]


def _leaf_paths(part, prefix=()):
    if isinstance(part, dict):
        return {path for key, value in part.items() for path in _leaf_paths(value, (*prefix, key))}
    return {prefix}


def test_the_credential_carries_only_the_public_tier(credential, document):
    tiers = split_by_tier(document)
    restricted = set().union(*(_leaf_paths(part) for tier, part in tiers.items() if tier is not AccessTier.PUBLIC))
    restricted -= {("passportIdentifier",), ("accessTier",)}  # each restricted part's label
    carried = _leaf_paths(credential["credentialSubject"]["batteryPass"])
    assert restricted and carried
    assert carried == _leaf_paths(tiers[AccessTier.PUBLIC])
    assert not restricted & carried


def test_a_tampered_credential_is_refused(issuer, credential):
    token = sign_credential(credential, issuer)
    forged = json.loads(json.dumps(credential))
    forged["credentialSubject"]["conformityClaim"][0]["declaredValue"][2]["metricValue"]["value"] = 0.26
    with pytest.raises(CredentialError, match="signature does not verify"):
        verify(resign_payload(token, forged), issuer)
    header, body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(CredentialError, match="signature does not verify"):
        verify(f"{header}.{body}.{flipped}", issuer)


def test_a_credential_signed_by_another_key_under_the_issuers_did_is_refused(issuer, credential):
    impostor = IssuerKey.generate(issuer.did)
    token = sign_credential(credential, impostor)
    with pytest.raises(CredentialError, match="has no assertion key"):
        verify(token, issuer)
    # The impostor's token relabelled with the real key id: the signature does not verify under it.
    protected = {"alg": "EdDSA", "kid": issuer.key_id, "typ": "vc+jwt", "cty": "vc"}
    header = base64.urlsafe_b64encode(json.dumps(protected).encode()).rstrip(b"=").decode()
    _, body, signature = token.split(".")
    with pytest.raises(CredentialError, match="signature does not verify"):
        verify(f"{header}.{body}.{signature}", issuer)


def test_a_revoked_passport_is_refused_and_the_list_is_bit_exact(issuer, credential):
    token = sign_credential(credential, issuer)
    with pytest.raises(CredentialError, match="revoked \\(bit 41"):
        verify(token, issuer, revoked=[41])
    status = StatusList.mirroring([0, 41, STATUS_LIST_BITS - 1])
    raw = StatusList.decode(status.encoded())
    assert [raw.is_set(i) for i in (0, 1, 40, 41, 42, STATUS_LIST_BITS - 1)] == [True, False, False, True, False, True]
    assert status._bits[0] == 0x80 and status._bits[5] == 0x40


def test_a_status_list_tampered_or_from_another_issuer_is_refused(issuer, credential):
    token = sign_credential(credential, issuer)
    list_token = status_list_token(issuer, [41])
    payload = json.loads(base64.urlsafe_b64decode(list_token.split(".")[1] + "=="))
    payload["credentialSubject"]["encodedList"] = StatusList().encoded()
    with pytest.raises(CredentialError, match="status list's signature does not verify"):
        verify(token, issuer, lists={LIST_URL: resign_payload(list_token, payload)})
    other = IssuerKey.generate(did_web("other.example"))
    foreign = sign_credential(StatusList().credential(LIST_URL, other, NOW - timedelta(days=1)), other)
    with pytest.raises(CredentialError, match="not .*'s list of that URL"):
        verify_credential(token, did_documents={issuer.did: issuer.did_document(), other.did: other.did_document()},
                          status_lists={LIST_URL: foreign}, now=NOW)
    with pytest.raises(CredentialError, match="is not at hand"):
        verify(token, issuer, lists={"https://elsewhere.example/list": list_token})


def test_validity_contexts_and_inputs_are_checked(issuer, credential, proven_claims):
    expiring = dict(credential, validUntil="2027-02-01T00:00:00Z")
    with pytest.raises(CredentialError, match="expired at 2027-02-01T00:00:00Z"):
        verify(sign_credential(expiring, issuer), issuer)
    with pytest.raises(CredentialError, match="not valid before"):
        verify(sign_credential(credential, issuer), issuer, now=NOW - timedelta(days=2))
    with pytest.raises(CredentialError, match="unknown JSON-LD context 'https://evil.example/ctx'"):
        sign_credential(dict(credential, **{"@context": [VC_V2_CONTEXT, "https://evil.example/ctx"]}), issuer)
    header, _, signature = sign_credential(credential, issuer).split(".")
    with pytest.raises(CredentialError, match="unknown JSON-LD context|signature does not verify"):
        verify(resign_payload(f"{header}.x.{signature}", dict(credential, **{"@context": ["https://evil.example/ctx"]})), issuer)
    with pytest.raises(CredentialError, match="no compact JWS"):
        verify("not-a-token", issuer)
    with pytest.raises(CredentialError, match="status index"):
        passport_credential(passport_url=PASSPORT_URL, issuer=issuer, issuer_name="x", battery_id=BATTERY_ID, product_name="x",
                            battery_pass={}, claims=proven_claims, proof=PROOF, status_list_url=LIST_URL,
                            status_index=STATUS_LIST_BITS, valid_from=NOW)
    with pytest.raises(CredentialError, match="the key is"):
        sign_credential(credential, IssuerKey.generate(did_web("other.example")))


def test_the_vc_context_is_read_offline_from_the_pinned_npm_package():
    context = load_context(VC_V2_CONTEXT)
    assert "VerifiableCredential" in context["@context"]
    assert "BitstringStatusListEntry" in context["@context"]


def test_did_web_identifiers_and_documents():
    assert did_web("example.com") == "did:web:example.com"
    assert did_web("localhost:8443", "operators", "oem") == "did:web:localhost%3A8443:operators:oem"
    assert did_document_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert did_document_url("did:web:localhost%3A8443:operators:oem") == "https://localhost:8443/operators/oem/did.json"
    with pytest.raises(CredentialError, match="not a did:web"):
        did_document_url("did:key:z6Mk")
    key = IssuerKey.generate("did:web:example.com")
    document = key.did_document()
    assert document["assertionMethod"] == [key.key_id] and "d" not in document["verificationMethod"][0]["publicKeyJwk"]
    assert IssuerKey.from_private_jwk(key.did, key.private_jwk()).key_id == key.key_id
    with pytest.raises(CredentialError, match="private Ed25519 JWK"):
        IssuerKey.from_private_jwk(key.did, document["verificationMethod"][0]["publicKeyJwk"])

"""The passport as a W3C Verifiable Credential 2.0 in the shape of UN/CEFACT UNTP's Digital Product
Passport, secured with JOSE (VC-JOSE-COSE: a compact JWS of media type ``application/vc+jwt``,
EdDSA over Ed25519, ``jwcrypto``), its issuer's key published as a ``did:web`` DID document, and a
W3C Bitstring Status List credential whose bits mirror the passports' status on chain.

A verifier holding the credential, the issuer's DID document and the status list credential checks
signature, validity and status with no chain node (``verify_credential``); the claims' proof is a
separate path (``credentialSubject.conformityClaim[*].conformityEvidence`` names the chain, the
passport contract, the token and the transaction that proved them).

Contexts are never fetched: the VC 2.0 context is read from npm ``@digitalbazaar/credentials-context``
(pinned in package.json) and its hash checked; the UNTP DPP context URL is accepted by name (its
document is GPL-3.0, ../shared/standards/untp, and is not shipped). A credential naming any other
context is refused.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Mapping, Sequence
from urllib.parse import quote, unquote

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from batterytrace.documents.passport_input import ProvenClaims
from batterytrace.evm.toolchain import node_modules
from batterytrace.exceptions import CredentialError
from batterytrace.model.lots import METAL_NAMES

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNTP_DPP_CONTEXT = "https://test.uncefact.org/vocabulary/untp/dpp/working/"
#: The contexts a credential may name, each with where its document comes from (None: by name only).
KNOWN_CONTEXTS: Mapping[str, tuple[str, str] | None] = {
    VC_V2_CONTEXT: ("@digitalbazaar/credentials-context", "contexts/v2.jsonld"),
    UNTP_DPP_CONTEXT: None,
}
#: SHA-256 of @digitalbazaar/credentials-context 3.2.0's contexts/v2.jsonld.
VC_V2_CONTEXT_SHA256 = "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f"
CREDENTIAL_MEDIA_TYPE = "vc+jwt"
ALGORITHM = "EdDSA"
#: The Bitstring Status List v1.0 minimum length (16 KiB), so a list says little about how many passports exist.
STATUS_LIST_BITS = 131_072
STATUS_PURPOSE = "revocation"
BATTERY_REGULATION = "https://eur-lex.europa.eu/eli/reg/2023/1542/oj"


@lru_cache(maxsize=None)
def load_context(url: str) -> dict[str, Any]:
    """The JSON-LD context document of ``url``, read offline; CredentialError for any other."""
    if url not in KNOWN_CONTEXTS:
        raise CredentialError(f"unknown JSON-LD context {url!r}: a credential may name only {sorted(KNOWN_CONTEXTS)}")
    source = KNOWN_CONTEXTS[url]
    if source is None:
        raise CredentialError(f"the context {url!r} is accepted by name; its document is not shipped")
    package, path = source
    file = node_modules() / package / path
    if not file.is_file():
        raise CredentialError(f"the context {url!r} is not installed ({file}): run `bash scripts/setup.sh`")
    data = file.read_bytes()
    if url == VC_V2_CONTEXT and hashlib.sha256(data).hexdigest() != VC_V2_CONTEXT_SHA256:
        raise CredentialError(f"{file} is not the pinned VC 2.0 context (sha256 differs)")
    return json.loads(data)


def did_web(host: str, *path: str) -> str:
    """``did:web`` of a host (a port is percent-encoded, per the did:web method) and optional path."""
    if not host or "/" in host:
        raise CredentialError(f"a did:web host is a domain name with an optional port, got {host!r}")
    return ":".join(["did:web", quote(host, safe=""), *(quote(part, safe="") for part in path)])


def did_document_url(did: str) -> str:
    """Where the DID document of a ``did:web`` lives (https; the resolver serves it)."""
    if not did.startswith("did:web:"):
        raise CredentialError(f"not a did:web identifier: {did!r}")
    host, *path = did[len("did:web:"):].split(":")
    return f"https://{unquote(host)}/" + ("/".join(unquote(p) for p in path) + "/did.json" if path else ".well-known/did.json")


@dataclass(frozen=True)
class IssuerKey:
    """An economic operator's credential signing key (Ed25519) under its ``did:web``."""

    did: str
    key: jwk.JWK

    @classmethod
    def generate(cls, did: str) -> IssuerKey:
        did_document_url(did)
        return cls(did, jwk.JWK.generate(kty="OKP", crv="Ed25519"))

    @classmethod
    def from_private_jwk(cls, did: str, private_jwk: Mapping[str, Any]) -> IssuerKey:
        key = jwk.JWK(**private_jwk)
        if key.get("kty") != "OKP" or key.get("crv") != "Ed25519" or not key.has_private:
            raise CredentialError("an issuer key is a private Ed25519 JWK (kty OKP, crv Ed25519, with d)")
        return cls(did, key)

    @property
    def key_id(self) -> str:
        return f"{self.did}#{self.key.thumbprint()}"

    def private_jwk(self) -> dict[str, Any]:
        return json.loads(self.key.export_private())

    def did_document(self) -> dict[str, Any]:
        """The DID document that publishes the public key (``JsonWebKey`` verification method)."""
        public = json.loads(self.key.export_public())
        method = {"id": self.key_id, "type": "JsonWebKey", "controller": self.did, "publicKeyJwk": public}
        return {"@context": ["https://www.w3.org/ns/did/v1"],
                "id": self.did, "verificationMethod": [method],
                "assertionMethod": [self.key_id], "authentication": [self.key_id]}


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str, what: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        raise CredentialError(f"{what} is not an XML Schema dateTime in UTC (YYYY-MM-DDTHH:MM:SSZ): {text!r}") from None


@dataclass(frozen=True)
class ProofReference:
    """Where a passport's claims were proven: chain (CAIP-2 eip155), passport contract, token, transaction."""

    chain_id: int
    contract: str
    token_id: int
    transaction_hash: str

    @property
    def url(self) -> str:
        return f"eip155:{self.chain_id}:{self.contract}/passport/{self.token_id}/tx/{self.transaction_hash}"


def _metric(name: str, value: float, unit: str) -> dict[str, Any]:
    return {"type": ["Metric"], "metricName": name, "metricValue": {"type": ["Measure"], "value": value, "unit": unit}}


def _claims(passport_url: str, claims: ProvenClaims, proof: ProofReference) -> list[dict[str, Any]]:
    evidence = {"type": ["SecureLink", "Link"], "linkURL": proof.url, "linkName": "Groth16 batch claim proof, verified on chain",
                "linkType": "https://batterytrace.org/linkTypes/zkProof"}
    regulation = {"type": ["Regulation"], "id": BATTERY_REGULATION, "name": "Regulation (EU) 2023/1542 (batteries)",
                  "jurisdictionCountry": "EU", "administeredBy": {"id": "https://commission.europa.eu", "name": "European Commission"}}
    out: list[dict[str, Any]] = []
    for name, metal in zip(METAL_NAMES, claims.metals):
        out.append({
            "type": ["Claim", "Declaration"], "id": f"{passport_url}#claims/{name}",
            "description": f"{name}: all of the declared content is traced to certified origins by a zero-knowledge proof; "
                           "the shares are proven lower bounds",
            "referenceRegulation": regulation, "conformityTopic": "circularity.content",
            "declaredValue": [
                _metric(f"{name} traced", metal.grams_traced / 1000, "KGM"),
                _metric(f"{name} certified share (at least)", metal.min_certified_share_bps / 10_000, "P1"),
                _metric(f"{name} pre-consumer recycled share (at least)", metal.min_pre_consumer_share_bps / 10_000, "P1"),
                _metric(f"{name} post-consumer recycled share (at least)", metal.min_post_consumer_share_bps / 10_000, "P1"),
            ],
            "conformityEvidence": evidence,
        })
    out.append({"type": ["Claim", "Declaration"], "id": f"{passport_url}#claims/co2e", "conformityTopic": "environment.emissions",
                "description": "origin and process CO2e of the traced material, a proven upper bound",
                "referenceRegulation": regulation,
                "declaredValue": [_metric("CO2e per kWh (at most)", claims.max_co2e_grams_per_kwh / 1000, "KGM")],
                "conformityEvidence": evidence})
    return out


def passport_credential(
    *,
    passport_url: str,
    issuer: IssuerKey,
    issuer_name: str,
    battery_id: str,
    product_name: str,
    battery_pass: Mapping[str, Any],
    claims: ProvenClaims,
    proof: ProofReference,
    status_list_url: str,
    status_index: int,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The passport's UNTP DPP credential: the Battery Pass 1.2.0 public document (``battery_pass``,
    as ``documents.batterypass`` builds it), the proven per-metal claims with their proof's place on
    chain, and a ``BitstringStatusListEntry`` at ``status_index`` of the issuer's list."""
    if not 0 <= status_index < STATUS_LIST_BITS:
        raise CredentialError(f"a status index is within 0..{STATUS_LIST_BITS - 1}, got {status_index}")
    metals = dict(zip(METAL_NAMES, claims.metals))
    recycled = sum(m.min_pre_consumer_share_bps + m.min_post_consumer_share_bps for m in claims.metals)
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, UNTP_DPP_CONTEXT],
        "type": ["DigitalProductPassport", "VerifiableCredential"],
        "id": passport_url,
        "issuer": {"type": ["CredentialIssuer"], "id": issuer.did, "name": issuer_name},
        "validFrom": _timestamp(valid_from),
        "credentialSubject": {
            "type": ["ProductPassport"], "id": passport_url, "granularityLevel": "item",
            "product": {"type": ["Product"], "id": passport_url, "name": product_name, "serialNumber": battery_id},
            "conformityClaim": _claims(passport_url, claims, proof),
            "circularityScorecard": {"type": ["CircularityPerformance"],
                                     "recycledContent": round(recycled / (10_000 * len(claims.metals)), 4)},
            "materialsProvenance": [
                {"type": ["Material"], "name": name, "mass": {"type": ["Measure"], "value": m.grams_traced / 1000, "unit": "KGM"},
                 "recycledMassFraction": m.min_recycled_share_bps / 10_000}
                for name, m in metals.items()],
            "batteryPass": dict(battery_pass),
        },
        "credentialStatus": {"id": f"{status_list_url}#{status_index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": STATUS_PURPOSE, "statusListIndex": str(status_index),
                             "statusListCredential": status_list_url},
    }
    if valid_until is not None:
        credential["validUntil"] = _timestamp(valid_until)
    return credential


def sign_credential(credential: Mapping[str, Any], issuer: IssuerKey) -> str:
    """The credential secured as a compact JWS (``typ`` vc+jwt, ``cty`` vc, ``kid`` the DID's key)."""
    issuer_id = credential.get("issuer", {}).get("id") if isinstance(credential.get("issuer"), Mapping) else credential.get("issuer")
    if issuer_id != issuer.did:
        raise CredentialError(f"the credential's issuer is {issuer_id!r}, the key is {issuer.did!r}'s")
    for url in credential.get("@context", []):
        if url not in KNOWN_CONTEXTS:
            load_context(url)
    token = jws.JWS(json.dumps(credential, sort_keys=True, separators=(",", ":")).encode())
    token.add_signature(issuer.key, alg=ALGORITHM,
                        protected=json.dumps({"alg": ALGORITHM, "kid": issuer.key_id, "typ": CREDENTIAL_MEDIA_TYPE, "cty": "vc"}))
    return token.serialize(compact=True)


class StatusList:
    """A Bitstring Status List: bit ``i`` set means the credential at index ``i`` is revoked.
    Bit 0 is the most significant bit of the first byte (Bitstring Status List v1.0, section 3.1)."""

    def __init__(self, bits: bytes | None = None) -> None:
        self._bits = bytearray(bits if bits is not None else STATUS_LIST_BITS // 8)
        if len(self._bits) * 8 < STATUS_LIST_BITS:
            raise CredentialError(f"a status list holds at least {STATUS_LIST_BITS} bits, got {len(self._bits) * 8}")

    @classmethod
    def mirroring(cls, revoked_indexes: Sequence[int]) -> StatusList:
        """The list whose set bits are ``revoked_indexes`` (the passports revoked on chain)."""
        status = cls()
        for index in revoked_indexes:
            status.set(index, True)
        return status

    def _place(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self._bits) * 8:
            raise CredentialError(f"status index {index} is outside the list's {len(self._bits) * 8} bits")
        return index // 8, 0x80 >> (index % 8)

    def set(self, index: int, revoked: bool) -> None:
        byte, mask = self._place(index)
        self._bits[byte] = self._bits[byte] | mask if revoked else self._bits[byte] & ~mask

    def is_set(self, index: int) -> bool:
        byte, mask = self._place(index)
        return bool(self._bits[byte] & mask)

    def encoded(self) -> str:
        """Multibase base64url (prefix ``u``, no padding) of the GZIP-compressed bits."""
        return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(self._bits), mtime=0)).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise CredentialError("an encodedList is multibase base64url, starting with 'u'")
        try:
            raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
        except (ValueError, OSError, EOFError) as error:
            raise CredentialError(f"the encodedList does not decode: {error}") from None
        return cls(raw)

    def credential(self, list_url: str, issuer: IssuerKey, valid_from: datetime) -> dict[str, Any]:
        return {"@context": [VC_V2_CONTEXT], "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": issuer.did, "validFrom": _timestamp(valid_from),
                "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                                      "statusPurpose": STATUS_PURPOSE, "encodedList": self.encoded()}}


def unverified_payload(token: str) -> dict[str, Any]:
    """A compact JWS's payload read without checking anything (to learn which status list to
    fetch before :func:`verify_credential` checks it all); CredentialError if it is none."""
    try:
        payload = token.split(".")[1]
        value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as error:
        raise CredentialError(f"not a compact JWS with a JSON payload: {error}") from None
    if not isinstance(value, dict):
        raise CredentialError("the JWS payload is not a JSON object")
    return value


def _verified_payload(token: str, did_documents: Mapping[str, Mapping[str, Any]], what: str) -> tuple[dict[str, Any], str]:
    try:
        parsed = jws.JWS()
        parsed.deserialize(token)
        header = parsed.jose_header
    except (JWException, ValueError, TypeError) as error:
        raise CredentialError(f"the {what} is no compact JWS: {error}") from None
    if header.get("alg") != ALGORITHM or header.get("typ") != CREDENTIAL_MEDIA_TYPE:
        raise CredentialError(f"the {what}'s header must say alg {ALGORITHM} and typ {CREDENTIAL_MEDIA_TYPE}, got {header}")
    kid = str(header.get("kid", ""))
    did = kid.split("#", 1)[0]
    document = did_documents.get(did)
    if document is None:
        raise CredentialError(f"no DID document for the {what}'s signer {did!r}")
    methods = {m.get("id"): m for m in document.get("verificationMethod", [])}
    if kid not in methods or kid not in document.get("assertionMethod", []):
        raise CredentialError(f"{did}'s DID document has no assertion key {kid!r}")
    try:
        parsed.verify(jwk.JWK(**methods[kid]["publicKeyJwk"]), alg=ALGORITHM)
    except (JWException, ValueError, TypeError):
        raise CredentialError(f"the {what}'s signature does not verify under {kid}") from None
    try:
        payload = json.loads(parsed.payload)
    except ValueError:
        raise CredentialError(f"the {what}'s payload is not JSON") from None
    if not isinstance(payload, dict):
        raise CredentialError(f"the {what}'s payload is not a JSON object")
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id != did:
        raise CredentialError(f"the {what} says issuer {issuer_id!r} but is signed by {did!r}")
    for url in payload.get("@context", []):
        if url not in KNOWN_CONTEXTS:
            load_context(url)
    if not payload.get("@context") or payload["@context"][0] != VC_V2_CONTEXT:
        raise CredentialError(f"the {what}'s first context must be {VC_V2_CONTEXT}")
    return payload, did


def _require_valid_at(payload: Mapping[str, Any], now: datetime, what: str) -> None:
    if _parse_time(payload.get("validFrom", ""), f"the {what}'s validFrom") > now:
        raise CredentialError(f"the {what} is not valid before {payload['validFrom']}")
    if "validUntil" in payload and _parse_time(payload["validUntil"], f"the {what}'s validUntil") < now:
        raise CredentialError(f"the {what} expired at {payload['validUntil']}")


def verify_credential(
    token: str,
    *,
    did_documents: Mapping[str, Mapping[str, Any]],
    status_lists: Mapping[str, str],
    now: datetime | None = None,
) -> dict[str, Any]:
    """The passport credential of ``token`` once its signature (under its issuer's DID document),
    contexts, validity and status (the issuer's signed status list in ``status_lists``, by URL) hold;
    CredentialError naming the first that does not. No chain node is needed."""
    moment = now or datetime.now(timezone.utc)
    credential, did = _verified_payload(token, did_documents, "credential")
    _require_valid_at(credential, moment, "credential")
    status = credential.get("credentialStatus")
    if not isinstance(status, Mapping) or status.get("type") != "BitstringStatusListEntry":
        raise CredentialError("the credential carries no BitstringStatusListEntry")
    list_url = status.get("statusListCredential")
    if list_url not in status_lists:
        raise CredentialError(f"the status list {list_url!r} is not at hand")
    status_list, list_signer = _verified_payload(status_lists[list_url], did_documents, "status list")
    if list_signer != did or status_list.get("id") != list_url:
        raise CredentialError(f"the status list at {list_url} is not {did}'s list of that URL")
    _require_valid_at(status_list, moment, "status list")
    subject = status_list.get("credentialSubject", {})
    if subject.get("statusPurpose") != status.get("statusPurpose") or status.get("statusPurpose") != STATUS_PURPOSE:
        raise CredentialError(f"the status entry and its list must both be for {STATUS_PURPOSE!r}")
    try:
        index = int(status.get("statusListIndex"))
    except (TypeError, ValueError):
        raise CredentialError(f"statusListIndex is not an integer: {status.get('statusListIndex')!r}") from None
    if StatusList.decode(subject.get("encodedList")).is_set(index):
        raise CredentialError(f"the credential is revoked (bit {index} of {list_url} is set)")
    return credential

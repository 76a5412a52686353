"""A passport's publication for its resolver: the document's three tiers and the signed credential,
made by the economic operator after issuance, when its batch's transaction (the proof's) is known.

The public tier must be the document whose hash the passport records on chain: a publication of any
other is refused here, before anything is signed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from batterytrace.documents.canonical import document_hash
from batterytrace.documents.claims import proven_claims
from batterytrace.documents.credential import IssuerKey, ProofReference, did_web, passport_credential, sign_credential
from batterytrace.documents.passport_input import ProvenClaims
from batterytrace.documents.tiers import AccessTier, split_by_tier
from batterytrace.exceptions import ConfigurationError, CredentialError
from batterytrace.model.publication import PublicationContent
from batterytrace.sdk.passports import PassportRecord
from batterytrace.sdk.resolver import STATUS_LIST_PATH, battery_path


def issuer_did(public_url: str) -> str:
    """The did:web of the issuer whose resolver answers at ``public_url`` (its host and port)."""
    return did_web(urlsplit(public_url).netloc)


def load_or_create_issuer_key(path: Path, public_url: str) -> IssuerKey:
    """The economic operator's signing key kept at ``path`` (a private JWK, mode 0600), made on first
    use; its DID is the resolver's, so a key file is refused for another resolver URL."""
    did = issuer_did(public_url)
    if path.exists():
        try:
            stored = json.loads(path.read_text())
            key = IssuerKey.from_private_jwk(stored["did"], stored["jwk"])
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigurationError(f"{path} is not an issuer key file: {error}") from None
        if key.did != did:
            raise ConfigurationError(f"the issuer key at {path} is {key.did}'s, not {did}'s (the resolver at {public_url})")
        return key
    key = IssuerKey.generate(did)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps({"did": did, "jwk": key.private_jwk()}) + "\n")
    return key


def document_claims(record: PassportRecord, public_document: Mapping[str, Any]) -> ProvenClaims:
    """The passport's proven claims as its record has them, with the origin lots and schemes its
    public document states (its batch's proof binds the pack's grams and the batch's shares, not how
    many lots stand behind them)."""
    stated = public_document.get("batterytraceClaims", {})
    claims = proven_claims(record.bounds, (), verified=True)
    return replace(claims, origin_lot_count=int(stated.get("originLotCount", 0)),
                   origin_certification_schemes=tuple(stated.get("originCertificationSchemes", ())))


def passport_publication(
    *,
    record: PassportRecord,
    battery_id: str,
    document: Mapping[str, Any],
    chain_id: int,
    passport_contract: str,
    transaction_hash: str,
    issuer: IssuerKey,
    issuer_name: str,
    public_url: str,
    status_index: int,
    valid_from: datetime | None = None,
) -> PublicationContent:
    """Split ``document`` into its tiers, check the public one against the chain's document hash, and
    sign the passport's credential at ``status_index`` of the resolver's status list."""
    parts = split_by_tier(dict(document))
    public = parts[AccessTier.PUBLIC]
    if document_hash(public) != record.document_hash:
        raise CredentialError(f"the public document's hash 0x{document_hash(public).hex()} is not the one passport "
                              f"{record.passport_id:#x} records on chain (0x{record.document_hash.hex()})")
    base = public_url.rstrip("/")
    general = public.get("generalProductInformation", {})
    credential = passport_credential(
        passport_url=base + battery_path(battery_id),
        issuer=issuer,
        issuer_name=issuer_name,
        battery_id=battery_id,
        product_name=str(general.get("productName") or general.get("batteryCategory") or "EV battery"),
        battery_pass=public,
        claims=document_claims(record, public),
        proof=ProofReference(chain_id, passport_contract, record.passport_id, transaction_hash),
        status_list_url=base + STATUS_LIST_PATH,
        status_index=status_index,
        valid_from=valid_from or datetime.now(timezone.utc).replace(microsecond=0),
    )
    return PublicationContent(public, parts[AccessTier.LEGITIMATE_INTEREST], parts[AccessTier.AUTHORITIES],
                              sign_credential(credential, issuer))

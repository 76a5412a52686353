"""The passport resolver: a battery's QR code URL (GS1 Digital Link) answered from the chain's index.

- ``GET /01/{gtin}/21/{serial}`` (and ``/passports/0x{id}`` for an ISO/IEC 15459 id), by content
  negotiation (:mod:`~batterytrace.services.resolver_views`): the page (``text/html``), the
  passport's JSON-LD (``application/ld+json``, ``application/json``: the credential's document),
  the signed credential (``application/vc+jwt``) or the RFC 9264 linkset
  (``application/linkset+json``, or ``?linkType=linkset``). An unknown battery answers 404, a
  malformed id 400, an Accept header it cannot meet 406, each with a one-line reason.
- ``?tier=legitimateInterest`` or ``?tier=authorities`` with ``Authorization: Bearer <token>``: that
  tier's fields, to a signed-in participant whose role may read it (:mod:`~batterytrace.services.resolver_auth`);
  every such request, served or refused, is logged with who, what and when.
- ``GET /auth/message?address=``, ``POST /auth/sign-in``: Sign-In with Ethereum.
- ``POST /v1/passports/0x{id}`` ``{"document": ...}``: the passport's economic operator, signed in,
  publishes its whole Battery Pass document; the resolver checks its public tier against the hash on
  chain, assigns the passport its status-list index (once) and signs its credential.
- ``GET /.well-known/did.json``: the issuer's DID document; ``GET /status/revocation``: its signed
  Bitstring Status List, whose bits are the published passports whose battery is waste on chain.
- ``GET /v1/health``.

Everything a request reads comes from the index (kept current by a follower thread) and the
publications in the same database, not from the chain: a passport's proof check re-verifies its
batch's proof with py-ecc from the index's copy of the batch (its event and issuing call, checked
against the event's records when indexed), once per batch for the process.
``python -m batterytrace.services.resolver --settings FILE`` runs it under uvicorn
(:class:`batterytrace.sdk.resolver.LocalResolver` and ``batterytrace resolver start`` do).
"""

from __future__ import annotations

import argparse
import html
import sys
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio.to_thread
from eth_account import Account
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from batterytrace.documents.claims import FROM_DOCUMENT, claim_statuses
from batterytrace.documents.credential import StatusList, sign_credential, unverified_payload, verify_credential
from batterytrace.documents.page import ChainInfo, page_html
from batterytrace.documents.publication import document_claims, load_or_create_issuer_key, passport_publication
from batterytrace.documents.tiers import AccessTier
from batterytrace.evm.chain import Chain
from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import BatteryTraceError, ConfigurationError, CredentialError, MalformedBatteryIdError
from batterytrace.indexer import Indexer
from batterytrace.indexer.publications import Publication, PublicationStore
from batterytrace.indexer.queries import IndexedPassport
from batterytrace.model.passports import PassportStatus, passport_id_for
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.deployment import Deployment
from batterytrace.sdk.passport_batches import PassportBatch
from batterytrace.sdk.passports import PassportVerification, verify_batch_passport
from batterytrace.sdk.resolver import (
    CREDENTIAL_MEDIA_TYPE,
    DID_DOCUMENT_PATH,
    LINKSET_MEDIA_TYPE,
    STATUS_LIST_PATH,
    ResolverSettings,
    battery_path,
)
from batterytrace.services.relayer import RequestLog
from batterytrace.services.resolver_auth import SignIn, SignInRefused, tiers_for
from batterytrace.services.resolver_views import HTML, JSON, JSON_LD, OFFERS, SIGN_IN_SCRIPT, linkset, live_sections, negotiate

SCRIPT_PATH = "/static/sign-in.js"
_PLACEHOLDER_HOST = "resolver.invalid"


class Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Resolver:
    """One resolver: the index it follows, its publications, its issuer key and its sign-ins."""

    def __init__(self, settings: ResolverSettings) -> None:
        self.settings = settings
        chain = Chain(settings.rpc_url)
        deployment = Deployment.load(Path(settings.deployment_path))
        self.indexer = Indexer((chain, deployment), settings.database)
        self.store = PublicationStore(self.indexer.db)
        self.issuer = load_or_create_issuer_key(Path(settings.issuer_key_path), settings.public_url)
        self.client = BatteryTrace(chain, deployment, LocalSigner(Account.create()))
        self.sign_in = SignIn(self.store, settings.public_url, chain.chain_id, settings.nonce_seconds, settings.session_seconds)
        self.access_log = RequestLog(Path(settings.log_path))
        self._verifications: dict[int, tuple[PassportBatch, PassportVerification]] = {}  # by batch
        self._status_list: tuple[tuple[int, ...], str] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.indexer.sync()
        self._follower = threading.Thread(target=self.indexer.follow, args=(settings.poll_seconds, self._stop), daemon=True,
                                          name="resolver-indexer")
        self._follower.start()

    def close(self) -> None:
        self._stop.set()
        self._follower.join(timeout=10)
        self.indexer.close()

    # -- lookups ----------------------------------------------------------------------------------

    def passport(self, passport_id: int) -> tuple[IndexedPassport, Publication]:
        indexed = self.indexer.passport(passport_id)
        if indexed is None:
            raise Refusal(404, f"no passport {passport_id:#x} on chain {self.client.chain.chain_id} (as of block "
                               f"{self.indexer.cursor()[0]})")
        publication = self.store.publication(passport_id)
        if publication is None or publication.issuer != self.issuer.did:
            raise Refusal(404, f"passport {passport_id:#x} is on chain, but its economic operator has published no documents here")
        return indexed, publication

    def verification(self, indexed: IndexedPassport) -> PassportVerification:
        """The passport's batch proof re-verified from the index's copy of the batch, once per batch
        and process (the proof and its public inputs are the batch's; the bounds the passport's)."""
        record = indexed.record
        with self._lock:
            cached = self._verifications.get(record.batch)
        if cached is None:
            batch = self.indexer.passport_batch(record.batch)
            if batch is None:
                raise Refusal(404, f"passport {record.passport_id:#x}'s batch {record.batch} is not in the index")
            verification = verify_batch_passport(batch, batch.entries[0].passport_id, self.client.chain.chain_id,
                                                 self.client.deployment.passport)
            with self._lock:
                cached = self._verifications.setdefault(record.batch, (batch, verification))
        batch, verification = cached
        return replace(verification, passport_id=record.passport_id, bounds=batch.bounds(record.passport_id))

    def status_list(self) -> str:
        """The signed status list, re-signed only when a revoked index appears."""
        revoked = tuple(self.store.revoked_indexes(self.issuer.did))
        with self._lock:
            if self._status_list is not None and self._status_list[0] == revoked:
                return self._status_list[1]
        url = self.settings.base_url + STATUS_LIST_PATH
        token = sign_credential(StatusList.mirroring(revoked).credential(url, self.issuer, datetime.now(timezone.utc)), self.issuer)
        with self._lock:
            self._status_list = (revoked, token)
        return token

    def credential_verdict(self, publication: Publication) -> tuple[bool, str]:
        try:
            verify_credential(publication.content.credential, did_documents={self.issuer.did: self.issuer.did_document()},
                              status_lists={self.settings.base_url + STATUS_LIST_PATH: self.status_list()})
        except CredentialError as error:
            return False, str(error)
        return True, f"signature by {self.issuer.did} verified; not revoked in {self.settings.base_url + STATUS_LIST_PATH}"

    # -- answers ----------------------------------------------------------------------------------

    def page(self, indexed: IndexedPassport, publication: Publication, path: str) -> str:
        record = indexed.record
        verification = self.verification(indexed)
        info = ChainInfo(chain_id=verification.chain_id, passport_contract=verification.passport_contract,
                         token_id=record.passport_id, block_number=indexed.issued_block, document_hash=record.document_hash,
                         tier_commitments={AccessTier.LEGITIMATE_INTEREST: record.legitimate_interest_commitment,
                                           AccessTier.AUTHORITIES: record.authorities_commitment})
        claims = replace(document_claims(record, publication.content.public_document), proof_verified=verification.verified,
                         proof_transaction_hash=verification.transaction_hash)
        statuses = claim_statuses(verification, (), claims, FROM_DOCUMENT)
        live = live_sections(_status_words(record.status), self.credential_verdict(publication), path)
        return page_html(publication.content.public_document, statuses, info, self.settings.base_url + path,
                         live_sections=live, script_src=SCRIPT_PATH)

    def tier(self, passport_id: int, tier_name: str, authorization: str | None) -> dict[str, Any]:
        try:
            tier = AccessTier(tier_name)
        except ValueError:
            raise Refusal(400, f"no tier {tier_name!r}: legitimateInterest or authorities (the public tier needs none)") from None
        if tier is AccessTier.PUBLIC:
            raise Refusal(400, "the public tier needs no ?tier=: ask for the document itself")
        _, publication = self.passport(passport_id)
        try:
            who = self.sign_in.authorise(authorization, tier)
        except SignInRefused as refusal:
            self._log(passport_id, tier, refusal.address, refusal.role, f"refused: {refusal.reason}")
            raise Refusal(refusal.status, refusal.reason) from None
        self._log(passport_id, tier, who.address, who.role.name, "served")
        data = (publication.content.legitimate_interest if tier is AccessTier.LEGITIMATE_INTEREST
                else publication.content.authorities)
        return {"passportId": f"{passport_id:#x}", "tier": tier.value, "servedTo": who.address, "role": who.role.name, "data": data}

    def publish(self, passport_id: int, document: Any, authorization: str | None) -> dict[str, Any]:
        """A passport's economic operator, signed in, publishes its whole document: the resolver
        checks the public tier against the chain's hash and signs the credential."""
        try:
            who = self.sign_in.session_of(authorization, "publishing")
        except SignInRefused as refusal:
            raise Refusal(refusal.status, refusal.reason) from None
        if not isinstance(document, dict):
            raise Refusal(400, 'the body is not {"document": {<the Battery Pass document, all tiers>}}')
        indexed = self._indexed_soon(passport_id)
        if indexed.record.economic_operator != who.address:
            raise Refusal(403, f"passport {passport_id:#x} is {indexed.record.economic_operator}'s to publish, not {who.address}'s")
        try:
            publication = self.store.publish(passport_id, self.issuer.did, indexed.battery_id, lambda index: passport_publication(
                record=indexed.record, battery_id=indexed.battery_id, document=document, chain_id=self.client.chain.chain_id,
                passport_contract=self.client.deployment.passport, transaction_hash=indexed.issued_transaction,
                issuer=self.issuer, issuer_name=self.settings.issuer_name, public_url=self.settings.public_url,
                status_index=index))
        except (CredentialError, ConfigurationError) as error:
            raise Refusal(422, str(error).splitlines()[0]) from None
        return {"passportId": f"{passport_id:#x}", "statusIndex": publication.status_index,
                "url": self.settings.base_url + battery_path(indexed.battery_id)}

    def _indexed_soon(self, passport_id: int, wait_seconds: float = 30.0) -> IndexedPassport:
        """The passport as the index has it, waiting for the follower to reach a just-issued one."""
        deadline = time.monotonic() + wait_seconds
        while True:
            indexed = self.indexer.passport(passport_id)
            if indexed is not None:
                return indexed
            if time.monotonic() > deadline:
                raise Refusal(404, f"no passport {passport_id:#x} on chain {self.client.chain.chain_id} (as of block "
                                   f"{self.indexer.cursor()[0]})")
            time.sleep(self.settings.poll_seconds)

    def _log(self, passport_id: int, tier: AccessTier, address: str | None, role: str | None, outcome: str) -> None:
        self.store.log_access(address or "anonymous", role or "-", passport_id, tier.value, outcome)
        self.access_log.write({"requester": address or "anonymous", "role": role, "passport": f"{passport_id:#x}",
                               "tier": tier.value, "outcome": outcome})


def _status_words(status: PassportStatus) -> str:
    return status.name.replace("_", " ").lower()


def _error(status: int, reason: str, media_type: str | None = None) -> Response:
    if media_type == HTML:
        return HTMLResponse(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{status}</title></head>"
                            f"<body><h1>{status}</h1><p id='error'>{_escape(reason)}</p></body></html>", status_code=status)
    return JSONResponse({"error": reason}, status_code=status)


def _escape(text: str) -> str:
    return html.escape(text)


def resolver_app(settings: ResolverSettings) -> FastAPI:
    """The resolver's HTTP application (it connects to the node and indexes now)."""
    resolver = Resolver(settings)
    app = FastAPI(title="batterytrace passport resolver", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.resolver = resolver
    app.router.add_event_handler("shutdown", resolver.close)

    def answer(passport_id: int, request: Request, path: str) -> Response:
        wanted = negotiate(request.headers.get("accept"), request.query_params.get("linkType"))
        tier = request.query_params.get("tier")
        if tier is not None:  # a tier is data for a script: JSON, answered or refused
            try:
                return JSONResponse(resolver.tier(passport_id, tier, request.headers.get("authorization")),
                                    headers={"Cache-Control": "no-store"})
            except Refusal as refusal:
                return _error(refusal.status, refusal.reason)
        try:
            if wanted is None:
                raise Refusal(406, f"this battery's URL answers {', '.join(OFFERS)}; the Accept header takes none of them")
            indexed, publication = resolver.passport(passport_id)
            anchor = settings.base_url + path
            headers = {"Vary": "Accept", "Link": f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"'}
            if wanted == HTML:
                return HTMLResponse(resolver.page(indexed, publication, path), headers=headers)
            if wanted == LINKSET_MEDIA_TYPE:
                return JSONResponse(linkset(anchor, indexed.battery_id), media_type=LINKSET_MEDIA_TYPE, headers=headers)
            if wanted == CREDENTIAL_MEDIA_TYPE:
                return PlainTextResponse(publication.content.credential, media_type=CREDENTIAL_MEDIA_TYPE, headers=headers)
            document = unverified_payload(publication.content.credential)  # the resolver signed it
            return JSONResponse(document, media_type=JSON_LD if wanted == JSON_LD else JSON, headers=headers)
        except Refusal as refusal:
            return _error(refusal.status, refusal.reason, wanted)

    @app.get("/01/{gtin}/21/{serial}")
    def by_digital_link(gtin: str, serial: str, request: Request) -> Response:
        try:
            passport_id = passport_id_for(f"https://{_PLACEHOLDER_HOST}/01/{gtin}/21/{serial}")
        except MalformedBatteryIdError as error:
            return _error(400, str(error).replace(_PLACEHOLDER_HOST, "<host>"), negotiate(request.headers.get("accept")))
        return answer(passport_id, request, f"/01/{gtin}/21/{serial}")

    @app.get("/passports/{passport_hex}")
    def by_passport_id(passport_hex: str, request: Request) -> Response:
        try:
            passport_id = int(passport_hex, 16)
        except ValueError:
            return _error(400, f"not a passport id (0x and hex digits): {passport_hex!r}", negotiate(request.headers.get("accept")))
        return answer(passport_id, request, f"/passports/{passport_id:#x}")

    @app.post("/v1/passports/{passport_hex}")
    async def publish(passport_hex: str, request: Request) -> Response:
        try:
            passport_id = int(passport_hex, 16)
            body = await request.json()
        except ValueError:
            return _error(400, 'expected POST /v1/passports/0x<passport id> with {"document": {...}}')
        document = body.get("document") if isinstance(body, dict) else None
        try:
            answer = await anyio.to_thread.run_sync(resolver.publish, passport_id, document, request.headers.get("authorization"))
        except Refusal as refusal:
            return _error(refusal.status, refusal.reason)
        return JSONResponse(answer)

    @app.get("/auth/message")
    def auth_message(address: str = "") -> Response:
        try:
            return JSONResponse({"message": resolver.sign_in.message(address)}, headers={"Cache-Control": "no-store"})
        except SignInRefused as refusal:
            return _error(refusal.status, refusal.reason)

    @app.post("/auth/sign-in")
    async def auth_sign_in(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 'the body is not JSON: {"message": "...", "signature": "0x..."}')
        if not isinstance(body, dict) or not isinstance(body.get("message"), str) or not isinstance(body.get("signature"), str):
            return _error(400, 'the body is not {"message": "<EIP-4361 message>", "signature": "0x<signature>"}')
        try:
            token, who = resolver.sign_in.sign_in(body["message"], body["signature"])
        except SignInRefused as refusal:
            return _error(refusal.status, refusal.reason)
        return JSONResponse({"token": token, "address": who.address, "role": who.role.name,
                             "tiers": [tier.value for tier in tiers_for(who.role)], "expiresIn": settings.session_seconds},
                            headers={"Cache-Control": "no-store"})

    @app.get(DID_DOCUMENT_PATH)
    def did_document() -> Response:
        return JSONResponse(resolver.issuer.did_document(), media_type="application/did+json")

    @app.get(STATUS_LIST_PATH)
    def status_list() -> Response:
        return PlainTextResponse(resolver.status_list(), media_type=CREDENTIAL_MEDIA_TYPE, headers={"Cache-Control": "no-cache"})

    @app.get(SCRIPT_PATH)
    def script() -> Response:
        return Response(SIGN_IN_SCRIPT, media_type="text/javascript")

    @app.get("/v1/health")
    def health() -> Response:
        return JSONResponse({"chainId": resolver.client.chain.chain_id, "passportContract": resolver.client.deployment.passport,
                             "indexedBlock": resolver.indexer.cursor()[0], "issuer": resolver.issuer.did,
                             "publications": resolver.store.publication_count()})

    return app


def main(argv: list[str] | None = None) -> None:
    """Run a resolver from a settings file under uvicorn, on loopback unless ``--host`` says otherwise."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m batterytrace.services.resolver", description=main.__doc__)
    parser.add_argument("--settings", type=Path, required=True, help="the resolver settings file (batterytrace.sdk.resolver.ResolverSettings)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8547)
    arguments = parser.parse_args(argv)
    try:
        app = resolver_app(ResolverSettings.load(arguments.settings))
    except BatteryTraceError as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr, flush=True)
        sys.exit(1)
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="warning", access_log=False, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()

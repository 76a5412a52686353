"""Sign-In with Ethereum (EIP-4361, ``siwe``) for the passport resolver, and who may read which tier.

A requester asks for a message (``GET /auth/message?address=0x…``): the resolver writes it with its
own domain and URI, the chain id, a fresh single-use nonce, the time and an expiry. The requester's
wallet signs it (``personal_sign``) and posts message and signature (``POST /auth/sign-in``). The
resolver parses the message and checks everything itself, the message it wrote being no evidence:
domain, URI, chain, expiry, that it was issued recently, the signature, and then spends the nonce
(once: a replay, or a second sign-in racing with the same nonce, is refused). The signer must be a
registry participant (the index's participants, revocations applied) and gets a bearer token for
``session_seconds``. Each restricted request re-reads the signer's role, so a participant revoked
after signing in is refused from then on.

Tiers (Reg. (EU) 2023/1542 Art. 77(2), ../shared/standards/batterypass/attributes/access-tiers-v1.2.csv):
legitimate interest to repairers, remanufacturers, recyclers and second-life operators; the
authorities' tier to authorities (notified bodies, market surveillance, the Commission).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from eth_utils import is_address, to_checksum_address
from siwe import SiweMessage, VerificationError

from batterytrace.documents.tiers import AccessTier
from batterytrace.indexer.publications import NONCE_EXPIRED, NONCE_OK, NONCE_USED, PublicationStore
from batterytrace.model.registry import Role

#: The roles that may read each restricted tier.
TIER_ROLES: dict[AccessTier, frozenset[Role]] = {
    AccessTier.LEGITIMATE_INTEREST: frozenset({Role.REPAIRER, Role.REMANUFACTURER, Role.RECYCLER, Role.SECOND_LIFE_OPERATOR}),
    AccessTier.AUTHORITIES: frozenset({Role.AUTHORITY}),
}
STATEMENT = "Sign in to read the restricted battery passport data your role is entitled to."


class SignInRefused(Exception):
    """A sign-in or a restricted request refused: ``status`` (401, 403), a one-line reason, and who
    asked when that is known (a signed-in requester whose role may not read the tier)."""

    def __init__(self, status: int, reason: str, address: str | None = None, role: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.address, self.role = status, reason, address, role


@dataclass(frozen=True)
class SignedIn:
    address: str
    role: Role
    expires_at: float


def tiers_for(role: Role | None) -> list[AccessTier]:
    return [tier for tier, roles in TIER_ROLES.items() if role in roles]


class SignIn:
    """Messages, sign-ins and bearer sessions of one resolver."""

    def __init__(self, store: PublicationStore, public_url: str, chain_id: int, nonce_seconds: int, session_seconds: int) -> None:
        self.store, self.chain_id = store, chain_id
        self.uri = public_url.rstrip("/")
        self.domain = urlsplit(public_url).netloc
        self.nonce_seconds, self.session_seconds = nonce_seconds, session_seconds
        self._sessions: dict[str, SignedIn] = {}
        self._lock = threading.Lock()

    def message(self, address: str) -> str:
        """A fresh EIP-4361 message for ``address`` to sign."""
        if not is_address(address):
            raise SignInRefused(400, f"not an Ethereum address: {address!r}")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        message = SiweMessage(
            domain=self.domain, address=to_checksum_address(address), statement=STATEMENT, uri=self.uri, version="1",
            chain_id=self.chain_id, nonce=self.store.new_nonce(), issued_at=_iso(now),
            expiration_time=_iso(now + timedelta(seconds=self.nonce_seconds)),
        )
        return message.prepare_message()

    def sign_in(self, text: str, signature: str) -> tuple[str, SignedIn]:
        """Check a signed message; a bearer token and who signed in, or :class:`SignInRefused`."""
        try:
            message = SiweMessage.from_message(message=text)
        except (ValueError, TypeError) as error:
            raise SignInRefused(400, f"not an EIP-4361 message: {str(error).splitlines()[0] if str(error) else type(error).__name__}") from None
        if message.domain != self.domain or message.uri != self.uri:
            raise SignInRefused(401, f"the message is for {message.domain} ({message.uri}), not this resolver ({self.domain})")
        if message.chain_id != self.chain_id:
            raise SignInRefused(401, f"the message is for chain {message.chain_id}, not {self.chain_id}")
        if message.expiration_time is None:
            raise SignInRefused(401, "the message has no expiration time")
        issued = datetime.fromisoformat(str(message.issued_at).replace("Z", "+00:00"))
        now = datetime.now(timezone.utc)
        if issued > now + timedelta(seconds=30) or (now - issued).total_seconds() > self.nonce_seconds:
            raise SignInRefused(401, f"the message was issued at {message.issued_at}, outside the {self.nonce_seconds} s a sign-in may take")
        try:
            message.verify(signature, domain=self.domain, timestamp=now)
        except VerificationError as error:
            raise SignInRefused(401, f"sign-in refused: {_words(error)}") from None
        outcome = self.store.use_nonce(message.nonce, self.nonce_seconds)
        if outcome != NONCE_OK:
            raise SignInRefused(401, {NONCE_USED: "this sign-in's nonce was used already (a replay)",
                                      NONCE_EXPIRED: "this sign-in's nonce expired"}.get(outcome, "this resolver issued no such nonce"))
        address = to_checksum_address(message.address)
        role = self.store.participant_role(address)
        if role is None:
            raise SignInRefused(403, f"{address} is no registry participant")
        token = secrets.token_urlsafe(32)
        signed_in = SignedIn(address, role, time.time() + self.session_seconds)
        with self._lock:
            self._sessions = {key: value for key, value in self._sessions.items() if value.expires_at > time.time()}
            self._sessions[token] = signed_in
        return token, signed_in

    def session_of(self, authorization: str | None, what: str) -> SignedIn:
        """Who presents ``authorization`` (``Bearer <token>``) as a participant, role read now; else
        :class:`SignInRefused` (401 no or expired sign-in, 403 no longer a participant)."""
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            session = self._sessions.get(token) if scheme.lower() == "bearer" and token else None
        if session is None or session.expires_at <= time.time():
            raise SignInRefused(401, f"{what} needs a sign-in (POST /auth/sign-in) that has not expired")
        role = self.store.participant_role(session.address)
        if role is None:
            raise SignInRefused(403, f"{session.address} is no longer a registry participant", session.address)
        return SignedIn(session.address, role, session.expires_at)

    def authorise(self, authorization: str | None, tier: AccessTier) -> SignedIn:
        """Who presents ``authorization``, if that participant's role, read now, may read ``tier``;
        else :class:`SignInRefused` (401 no or expired sign-in, 403 wrong role)."""
        current = self.session_of(authorization, f"the {tier.value} tier")
        role = current.role
        if role not in TIER_ROLES[tier]:
            allowed = ", ".join(sorted(r.name for r in TIER_ROLES[tier]))
            raise SignInRefused(403, f"the {tier.value} tier is for {allowed}; {current.address} is {role.name}", current.address,
                                role.name)
        return current


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _words(error: VerificationError) -> str:
    name = type(error).__name__
    return {"InvalidSignature": "the signature is not the message signer's", "ExpiredMessage": "the message has expired",
            "NotYetValidMessage": "the message is not valid yet", "DomainMismatch": "the message is for another domain"}.get(name, name)

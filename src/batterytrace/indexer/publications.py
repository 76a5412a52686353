"""What a passport resolver serves besides the chain's index, in the index's own database: each
passport's publication (its public Battery Pass document, the plaintext restricted tiers, the signed
credential and its status-list index), the single-use Sign-In with Ethereum nonces, and the log of
every restricted access (who, what, when, and whether it was served).

The economic operator publishes (``batterytrace passport publish``, the demo); the resolver
(:mod:`batterytrace.services.resolver`) reads. The status index of a passport is its issuer's next
free one, assigned once: republishing a passport (a new document version) keeps it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import to_checksum_address

from batterytrace.exceptions import ConfigurationError
from batterytrace.indexer.database import Database, uint_key
from batterytrace.model.passports import PassportStatus
from batterytrace.model.publication import PublicationContent
from batterytrace.model.registry import Role


@dataclass(frozen=True)
class Publication:
    passport_id: int
    issuer: str
    status_index: int
    battery_id: str
    content: PublicationContent
    published_at: int


@dataclass(frozen=True)
class AccessRecord:
    """One restricted request: who (address and registered role), which passport and tier, when (ms
    since the epoch) and its outcome (``served`` or why it was refused)."""

    at_ms: int
    requester: str
    role: str
    passport_id: int
    tier: str
    outcome: str


#: A sign-in nonce's outcome when a requester presents it.
NONCE_OK, NONCE_UNKNOWN, NONCE_USED, NONCE_EXPIRED = "ok", "unknown", "used", "expired"


class PublicationStore:
    """Publications, sign-in nonces and the restricted-access log over an index's :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- publications -----------------------------------------------------------------------------

    def publish(self, passport_id: int, issuer: str, battery_id: str, build: Callable[[int], PublicationContent]) -> Publication:
        """Store ``build(status_index)`` as the passport's publication: the index it had, or its
        issuer's next free one; all or nothing."""
        key = uint_key(passport_id)
        with self.db.transaction():
            existing = self.db.execute("SELECT issuer, status_index FROM publications WHERE passport_id = ?", (key,))
            if existing and existing[0][0] != issuer:
                raise ConfigurationError(f"passport {passport_id:#x} was published by {existing[0][0]}, not {issuer}")
            if existing:
                index = int(existing[0][1])
            else:
                index = int(self.db.execute("SELECT COALESCE(MAX(status_index), -1) + 1 FROM publications WHERE issuer = ?",
                                            (issuer,))[0][0])
            content = build(index)
            now = int(time.time())
            self.db.execute(
                "INSERT INTO publications (passport_id, issuer, status_index, battery_id, public_document, legitimate_interest, "
                "authorities, credential, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (passport_id) DO UPDATE SET "
                "public_document = excluded.public_document, legitimate_interest = excluded.legitimate_interest, "
                "authorities = excluded.authorities, credential = excluded.credential, published_at = excluded.published_at",
                (key, issuer, index, battery_id, json.dumps(content.public_document), json.dumps(content.legitimate_interest),
                 json.dumps(content.authorities), content.credential, now),
            )
        return Publication(passport_id, issuer, index, battery_id, content, now)

    def publication(self, passport_id: int) -> Publication | None:
        rows = self.db.execute(
            "SELECT issuer, status_index, battery_id, public_document, legitimate_interest, authorities, credential, published_at "
            "FROM publications WHERE passport_id = ?", (uint_key(passport_id),))
        if not rows:
            return None
        issuer, index, battery_id, public, interest, authorities, credential, published_at = rows[0]
        content = PublicationContent(json.loads(public), json.loads(interest), json.loads(authorities), credential)
        return Publication(passport_id, issuer, int(index), battery_id, content, int(published_at))

    def publication_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM publications")[0][0])

    def revoked_indexes(self, issuer: str) -> list[int]:
        """The status indexes of ``issuer``'s published passports whose battery the chain's index
        says is waste (Art. 77(6): the passport of a recycled battery ceases to exist)."""
        rows = self.db.execute(
            "SELECT u.status_index FROM publications u JOIN passports p ON p.passport_id = u.passport_id "
            "WHERE u.issuer = ? AND p.status = ? ORDER BY u.status_index", (issuer, int(PassportStatus.WASTE)))
        return [int(row[0]) for row in rows]

    # -- sign-in ----------------------------------------------------------------------------------

    def new_nonce(self) -> str:
        """A fresh sign-in nonce (EIP-4361: at least 8 alphanumerics), valid once."""
        nonce = secrets.token_hex(16)
        self.db.execute("INSERT INTO sign_in_nonces (nonce, issued_at) VALUES (?, ?)", (nonce, int(time.time())))
        return nonce

    def use_nonce(self, nonce: str, max_age_seconds: int) -> str:
        """Spend ``nonce``: ``NONCE_OK`` the first time within its age, else why not. Atomic, so two
        sign-ins racing with one nonce see one ``NONCE_OK``."""
        now = int(time.time())
        spent = self.db.execute("UPDATE sign_in_nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL RETURNING issued_at",
                                (now, nonce))
        if spent:
            return NONCE_OK if now - int(spent[0][0]) <= max_age_seconds else NONCE_EXPIRED
        return NONCE_USED if self.db.execute("SELECT 1 FROM sign_in_nonces WHERE nonce = ?", (nonce,)) else NONCE_UNKNOWN

    def participant_role(self, account: str) -> Role | None:
        """The registered role of ``account`` as the index has it, or None if it is no participant
        (never registered, or revoked)."""
        rows = self.db.execute("SELECT role FROM participants WHERE account = ? AND revoked_block IS NULL",
                               (to_checksum_address(account),))
        if not rows:
            return None
        role = rows[0][0]
        return Role.from_role_id(bytes.fromhex(role.removeprefix("0x")) if isinstance(role, str) else bytes(role))

    # -- the access log ---------------------------------------------------------------------------

    def log_access(self, requester: str, role: str, passport_id: int, tier: str, outcome: str) -> None:
        self.db.execute("INSERT INTO restricted_access (at_ms, requester, role, passport_id, tier, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                        (int(time.time() * 1000), requester, role, uint_key(passport_id), tier, outcome))

    def access_log(self) -> list[AccessRecord]:
        rows = self.db.execute("SELECT at_ms, requester, role, passport_id, tier, outcome FROM restricted_access ORDER BY at_ms")
        return [AccessRecord(int(at), requester, role, int(passport, 16), tier, outcome)
                for at, requester, role, passport, tier, outcome in rows]

"""Access tiers of the battery passport (Reg. (EU) 2023/1542 Art. 77(2) and Annex XIII).

`split_by_tier` cuts a passport document into three parts:

- PUBLIC (Annex XIII point 1): everything not listed below: identifiers, manufacturer, category,
  chemistry, hazardous substances, capacity and rated performance, carbon footprint figures and class,
  due-diligence report, recycled and renewable content, end-of-life information, labels, declaration
  of conformity, and the zero-knowledge claims.
- LEGITIMATE_INTEREST (Annex XIII point 2, and point 4 on battery condition), for repairers,
  remanufacturers, second-life operators and recyclers (and the Commission): detailed composition
  (`materialComposition.batteryMaterials`), part numbers and spare-part sources
  (`circularity.sparePartSources`), dismantling information (`circularity.dismantlingAndRemovalInformation`),
  safety measures (`circularity.safetyMeasures`) and the battery's condition
  (`performance.batteryCondition`).
- AUTHORITIES (Annex XIII point 3), for notified bodies, market surveillance authorities and the
  Commission: test report results (`labels.resultOfTestReport`,
  `performance.batteryTechicalProperties.lifetimeReferenceTest`) and the detailed carbon-footprint
  study (`carbonFootprint.carbonFootprintStudy`).

The tiers are disjoint parts, not nested views: an authority that may see legitimate-interest data is
simply a recipient of both encrypted parts. The public part lists the withheld paths under
`batterytraceRestricted` so a reader knows what exists and who may see it.

`encrypt_tier` seals a part with a fresh AES-256-GCM key wrapped to each recipient with ECIES over
secp256k1 (eciespy); `tier_commitment` is the keccak256 of the sealed blob, what goes on chain.
"""

from __future__ import annotations

import copy
import json
import os
from enum import Enum
from typing import Any, Mapping

import ecies
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_utils import keccak

from batterytrace.documents.canonical import canonical_json
from batterytrace.exceptions import DecryptionError, PassportError


class AccessTier(str, Enum):
    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimateInterest"
    AUTHORITIES = "authorities"


RESTRICTED_PATHS: Mapping[AccessTier, tuple[tuple[str, ...], ...]] = {
    AccessTier.LEGITIMATE_INTEREST: (
        ("materialComposition", "batteryMaterials"),
        ("circularity", "sparePartSources"),
        ("circularity", "dismantlingAndRemovalInformation"),
        ("circularity", "safetyMeasures"),
        ("performance", "batteryCondition"),
    ),
    AccessTier.AUTHORITIES: (
        ("labels", "resultOfTestReport"),
        ("performance", "batteryTechicalProperties", "lifetimeReferenceTest"),
        ("carbonFootprint", "carbonFootprintStudy"),
    ),
}

ENVELOPE_VERSION = 1
ENVELOPE_ALGORITHM = "AES-256-GCM/ECIES-secp256k1"
_ASSOCIATED_DATA = f"batterytrace-tier-envelope/{ENVELOPE_VERSION}/{ENVELOPE_ALGORITHM}".encode()


def _take(document: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = document
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    if not isinstance(node, dict) or path[-1] not in node:
        return False, None
    return True, node.pop(path[-1])


def _put(part: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = part
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def split_by_tier(document: Mapping[str, Any]) -> dict[AccessTier, dict[str, Any]]:
    """Cut a passport document into its public, legitimate-interest and authorities parts.

    Each restricted part keeps the document's nesting and carries `passportIdentifier` and
    `accessTier`, so a decrypted part says which passport and tier it belongs to.
    """
    public = copy.deepcopy(dict(document))
    parts: dict[AccessTier, dict[str, Any]] = {AccessTier.PUBLIC: public}
    withheld: dict[str, list[str]] = {}
    for tier, paths in RESTRICTED_PATHS.items():
        part: dict[str, Any] = {"passportIdentifier": document.get("passportIdentifier"), "accessTier": tier.value}
        for path in paths:
            found, value = _take(public, path)
            if found:
                _put(part, path, value)
                withheld.setdefault(tier.value, []).append(".".join(path))
        parts[tier] = part
    public["batterytraceRestricted"] = withheld
    return parts


def _public_key_bytes(key: bytes) -> bytes:
    # eth-style 64-byte keys lack the SEC1 uncompressed prefix that ECIES expects.
    if len(key) == 64:
        return b"\x04" + key
    if len(key) in (33, 65):
        return key
    raise PassportError(f"a secp256k1 public key has 33, 64 or 65 bytes, got {len(key)}")


def encrypt_tier(part: Mapping[str, Any], recipient_public_keys: Mapping[str, bytes]) -> bytes:
    """Seal a tier part for its recipients (label -> secp256k1 public key); returns the envelope bytes.

    The envelope is canonical JSON: version, algorithm, AES-GCM nonce and ciphertext, and the content
    key wrapped per recipient with ECIES.
    """
    if not recipient_public_keys:
        raise PassportError("a restricted tier needs at least one recipient")
    content_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(nonce, canonical_json(part), _ASSOCIATED_DATA)
    envelope = {
        "version": ENVELOPE_VERSION,
        "algorithm": ENVELOPE_ALGORITHM,
        "nonce": nonce.hex(),
        "ciphertext": ciphertext.hex(),
        "recipients": {
            label: ecies.encrypt(_public_key_bytes(key), content_key).hex()
            for label, key in recipient_public_keys.items()
        },
    }
    return canonical_json(envelope)


def _private_key_bytes(private_key: bytes | str) -> bytes:
    if isinstance(private_key, str):
        private_key = bytes.fromhex(private_key.removeprefix("0x"))
    if len(private_key) != 32:
        raise DecryptionError(f"a secp256k1 private key has 32 bytes, got {len(private_key)}")
    return private_key


def decrypt_tier(blob: bytes, private_key: bytes | str) -> dict[str, Any]:
    """Open an envelope with one recipient's private key. Raises DecryptionError if the key is not a recipient's."""
    try:
        envelope = json.loads(blob)
        if envelope["version"] != ENVELOPE_VERSION or envelope["algorithm"] != ENVELOPE_ALGORITHM:
            raise DecryptionError(
                f"unsupported tier envelope version {envelope['version']!r} / {envelope['algorithm']!r}")
        nonce = bytes.fromhex(envelope["nonce"])
        ciphertext = bytes.fromhex(envelope["ciphertext"])
        wrapped_keys = [bytes.fromhex(wrapped) for wrapped in envelope["recipients"].values()]
    except (ValueError, KeyError, TypeError) as exc:
        raise DecryptionError(f"not a batterytrace tier envelope: {exc}") from exc
    secret = _private_key_bytes(private_key)
    for wrapped in wrapped_keys:
        try:
            content_key = ecies.decrypt(secret, wrapped)
        except Exception:  # eciespy raises ValueError or the AEAD's own error for a foreign key
            continue
        try:
            plaintext = AESGCM(content_key).decrypt(nonce, ciphertext, _ASSOCIATED_DATA)
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("tier ciphertext does not match its wrapped key (tampered envelope)") from exc
        return json.loads(plaintext)
    raise DecryptionError("the private key is not one of this tier's recipients")


def tier_commitment(blob: bytes) -> bytes:
    """keccak256 of the sealed envelope: the 32 bytes committed on chain for a tier."""
    return keccak(blob)

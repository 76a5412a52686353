"""Shielding keys: who owns a shielded note.

A participant's shielding key is ``K = Poseidon(SHIELDING_DOMAIN, s)`` (circomlib ``Poseidon(2)``) of
a secret ``s`` only its SDK holds. The registry records ``K`` in the participant's membership leaf,
so a proof shows "the spender is a registered participant with role R holding key K" by knowing
``s``, without saying which participant it is.

The secret is derived, not stored: the participant's signer signs :data:`SHIELDING_KEY_MESSAGE`
(EIP-191 ``personal_sign``), and ``s = keccak256(signature) mod p``. eth-account's signatures are
deterministic (RFC 6979), so the same account always derives the same key, from any machine that
holds its signing key, and a leaked shielding secret never reveals the signing key.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

from batterytrace.exceptions import FieldRangeError, InputError
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from batterytrace.zk.poseidon import poseidon

#: The domain of shielding keys: the ASCII bytes ``batterytrace.shielding.v1`` read as a big-endian
#: integer (200 bits, a field element; ``SHIELDING_DOMAIN()`` in ``circuits/lib/notes.circom``). It
#: keeps a shielding key from equalling any other ``Poseidon(2)`` output of the protocol (tree
#: nodes, membership leaves, nullifiers).
SHIELDING_DOMAIN = int.from_bytes(b"batterytrace.shielding.v1", "big")

#: What a participant's signer signs (as an EIP-191 personal message) to derive its shielding secret.
#: Changing it changes every participant's key: a new version of the message is a new key.
SHIELDING_KEY_MESSAGE = "batterytrace shielding key v1"

#: A recoverable secp256k1 signature: r (32 bytes), s (32 bytes), v (1 byte).
SIGNATURE_LENGTH = 65


def require_shielding_secret(secret: int) -> int:
    """``secret`` is a non-zero field element (zero is refused: it is no secret, and the circuits
    could not tell it from an unset input)."""
    if type(secret) is not int or not 0 < secret < SNARK_SCALAR_FIELD:
        raise FieldRangeError(f"a shielding secret is a field element in [1, p), got {secret!r}")
    return secret


def shielding_public_key(secret: int) -> int:
    """The shielding key of ``secret``: circomlib ``Poseidon(2)([SHIELDING_DOMAIN, secret])``."""
    return poseidon([SHIELDING_DOMAIN, require_shielding_secret(secret)])


def shielding_secret_from_signature(signature: bytes) -> int:
    """The shielding secret derived from a 65-byte signature of :data:`SHIELDING_KEY_MESSAGE`:
    ``keccak256(signature) mod p``; zero (a chance of 1 in p) is refused rather than used."""
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != SIGNATURE_LENGTH:
        length = len(signature) if isinstance(signature, (bytes, bytearray)) else type(signature).__name__
        raise InputError(f"a shielding key is derived from a {SIGNATURE_LENGTH}-byte signature, got {length}")
    secret = int.from_bytes(keccak(bytes(signature)), "big") % SNARK_SCALAR_FIELD
    if secret == 0:
        raise FieldRangeError("the signature hashes to the zero secret: sign with another key")
    return secret


@dataclass(frozen=True)
class ShieldingKeys:
    """A participant's shielding secret and its public key (what the registry records)."""

    secret: int
    public_key: int

    def __post_init__(self) -> None:
        if shielding_public_key(self.secret) != self.public_key:
            raise InputError("the public key is not the shielding key of the secret")

    def __repr__(self) -> str:
        # The secret spends the participant's notes: keep it out of logs and tracebacks.
        return f"ShieldingKeys(secret=<hidden>, public_key={self.public_key:#x})"

    @classmethod
    def from_secret(cls, secret: int) -> ShieldingKeys:
        """The keys of a known secret."""
        return cls(secret, shielding_public_key(secret))

    @classmethod
    def from_signature(cls, signature: bytes) -> ShieldingKeys:
        """The keys derived from a signature of :data:`SHIELDING_KEY_MESSAGE`."""
        return cls.from_secret(shielding_secret_from_signature(signature))

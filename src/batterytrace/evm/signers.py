"""Signers: what the SDK needs of an account, over eth-account keys or an ape account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from batterytrace.exceptions import ChainError, ConfigurationError

Account.enable_unaudited_hdwallet_features()


class Signer(Protocol):
    """What the SDK needs of an account: an address and a way to sign a transaction. Signers that
    also sign EIP-191 messages (``sign_message(text) -> 65 bytes``, as both signers here do) let the
    SDK derive keys from the account."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, transaction: dict[str, Any]) -> bytes: ...


@dataclass(frozen=True)
class LocalSigner:
    """A signer over an eth-account key (a raw private key, a keystore or a mnemonic)."""

    account: LocalAccount

    @property
    def address(self) -> str:
        return str(self.account.address)

    @property
    def private_key(self) -> bytes:
        return bytes(self.account.key)

    def sign_transaction(self, transaction: dict[str, Any]) -> bytes:
        return bytes(self.account.sign_transaction(transaction).raw_transaction)

    def sign_message(self, message: str) -> bytes:
        """The 65-byte signature (r, s, v) of ``message`` as an EIP-191 personal message;
        deterministic (RFC 6979), so the same key always gives the same signature."""
        return bytes(self.account.sign_message(encode_defunct(text=message)).signature)

    @classmethod
    def from_key(cls, private_key: str | bytes) -> LocalSigner:
        """A signer for a hex or raw private key."""
        try:
            return cls(Account.from_key(private_key))
        except (ValueError, TypeError) as error:
            raise ConfigurationError(f"not a valid private key: {error}") from None

    @classmethod
    def from_keystore(cls, path: Path, password: str) -> LocalSigner:
        """A signer for an encrypted JSON keystore (geth, ape and cast all write this format)."""
        try:
            key = Account.decrypt(Path(path).read_text(), password)
        except FileNotFoundError:
            raise ConfigurationError(f"keystore {path} not found") from None
        except ValueError as error:
            raise ConfigurationError(f"cannot decrypt keystore {path}: {error}") from None
        return cls(Account.from_key(key))

    @classmethod
    def from_mnemonic(cls, mnemonic: str, index: int = 0) -> LocalSigner:
        """The ``index``-th account of a BIP-44 Ethereum mnemonic (anvil's default accounts)."""
        return cls(Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}"))


@dataclass(frozen=True)
class ApeSigner:
    """A signer over an ape account (``ape.accounts.load(alias)`` or a test account)."""

    ape_account: Any

    @property
    def address(self) -> str:
        return str(self.ape_account.address)

    def sign_transaction(self, transaction: dict[str, Any]) -> bytes:
        from ape import networks

        fields = {
            "chain_id": transaction["chainId"],
            "nonce": transaction["nonce"],
            "sender": transaction["from"],
            "gas_limit": transaction["gas"],
            "max_fee": transaction["maxFeePerGas"],
            "max_priority_fee": transaction["maxPriorityFeePerGas"],
            "data": transaction.get("data", b""),
            "value": transaction.get("value", 0),
            "type": 2,
        }
        if transaction.get("to"):
            fields["receiver"] = transaction["to"]
        ape_transaction = networks.ethereum.create_transaction(**fields)
        signed = self.ape_account.sign_transaction(ape_transaction)
        if signed is None:
            raise ChainError(f"ape account {self.address} declined to sign")
        return bytes(signed.serialize_transaction())

    def sign_message(self, message: str) -> bytes:
        """The 65-byte signature (r, s, v) of ``message`` as an EIP-191 personal message."""
        signature = self.ape_account.sign_message(encode_defunct(text=message))
        if signature is None:
            raise ChainError(f"ape account {self.address} declined to sign")
        return bytes(signature.encode_rsv())

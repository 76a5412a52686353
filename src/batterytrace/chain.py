"""The connection to an EVM node: signers, transactions, custom errors, pipelined sends."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted, Web3RPCError

from batterytrace.artifacts import SHIPPED_CONTRACTS, load
from batterytrace.exceptions import ChainError, ConfigurationError, TransactionFailed

Account.enable_unaudited_hdwallet_features()


class Signer(Protocol):
    """What the SDK needs of an account: an address and a way to sign a transaction."""

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


@dataclass(frozen=True)
class Receipt:
    """A mined transaction."""

    transaction_hash: str
    block_number: int
    gas_used: int
    succeeded: bool
    logs: tuple[Any, ...] = field(repr=False, default=())
    contract_address: str | None = None


@dataclass(frozen=True)
class PendingTransaction:
    """A transaction sent without waiting for its receipt."""

    transaction_hash: str
    sender: str
    nonce: int
    description: str


class ErrorDecoder:
    """Turns revert data into the custom error's name and arguments, from every shipped ABI."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, dict[str, Any]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") == "error":
                    self._errors[function_abi_to_4byte_selector(item)] = item

    def decode(self, data: str | bytes | None) -> str:
        if data is None:
            return "reverted without data"
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else bytes(data)
        if len(raw) < 4:
            return "reverted without a reason"
        selector, payload = raw[:4], raw[4:]
        if selector == bytes.fromhex("08c379a0"):
            return str(abi_decode(["string"], payload)[0])
        error = self._errors.get(selector)
        if error is None:
            return f"reverted with unknown error 0x{raw.hex()}"
        types = [argument["type"] for argument in error["inputs"]]
        try:
            values = abi_decode(types, payload)
        except Exception:  # noqa: BLE001 - malformed revert payloads are reported, not raised
            return f"{error['name']}(<undecodable 0x{payload.hex()}>)"
        shown = ", ".join(
            f"{argument['name']}={_show(value)}" for argument, value in zip(error["inputs"], values, strict=True)
        )
        return f"{error['name']}({shown})"

    def error_name(self, data: str | bytes | None) -> str:
        return self.decode(data).split("(", 1)[0]


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


class RevertedError(TransactionFailed):
    """A call or transaction reverted with a decoded custom error."""

    def __init__(self, description: str, reason: str) -> None:
        super().__init__(f"{description} reverted: {reason}")
        self.reason = reason
        self.error_name = reason.split("(", 1)[0]


class _Provider(Web3.HTTPProvider):
    """An HTTP provider whose transport failures (timeouts, refused connections) are ChainError,
    so every read and write the SDK makes fails the same clear way."""

    def make_request(self, method: Any, params: Any) -> Any:
        try:
            return super().make_request(method, params)
        except requests.RequestException as error:
            raise ChainError(f"the node at {self.endpoint_uri} did not answer {method}: {type(error).__name__}: {error}") from None


class Chain:
    """One JSON-RPC node: checks every transaction by simulation before sending it, decodes custom
    errors, and sends many transactions per account without waiting for each receipt."""

    def __init__(self, rpc_url: str, request_timeout_seconds: float = 60.0, receipt_timeout_seconds: float = 120.0) -> None:
        self.rpc_url = rpc_url
        self.w3 = Web3(_Provider(rpc_url, request_kwargs={"timeout": request_timeout_seconds}))
        try:
            self.chain_id = int(self.w3.eth.chain_id)
        except Exception as error:  # noqa: BLE001 - any transport failure means the same to the user
            raise ChainError(f"no EVM node answers at {rpc_url}: {error}") from None
        self.receipt_timeout_seconds = receipt_timeout_seconds
        self.errors = ErrorDecoder(load(name).abi for name in SHIPPED_CONTRACTS)
        self._nonce_lock = threading.Lock()

    def contract(self, name: str, address: str) -> Any:
        """A web3 contract object for a shipped contract at ``address``."""
        return self.w3.eth.contract(address=to_checksum_address(address), abi=load(name).abi)

    def deploy(self, signer: Signer, name: str, *arguments: Any) -> tuple[str, Receipt]:
        """Deploy a shipped contract and return its address and receipt."""
        artifact = load(name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        constructor = factory.constructor(*arguments)
        pending = self._send(signer, constructor, f"deploy {name}")
        receipt = self.wait(pending)
        assert receipt.contract_address is not None
        return receipt.contract_address, receipt

    def call(self, function: ContractFunction, description: str = "call", block: int | str = "latest") -> Any:
        """Run a read-only call, turning a revert into a RevertedError."""
        try:
            return function.call(block_identifier=block)
        except (ContractCustomError, ContractLogicError) as error:
            raise RevertedError(description, self.errors.decode(_revert_data(error))) from None

    def transact(self, signer: Signer, function: ContractFunction, description: str, wait: bool = True) -> Receipt | PendingTransaction:
        """Simulate, sign and send a transaction; wait for its receipt unless ``wait`` is False."""
        pending = self._send(signer, function, description)
        return self.wait(pending) if wait else pending

    def wait(self, pending: PendingTransaction) -> Receipt:
        """Wait for a sent transaction's receipt; a revert raises with its decoded reason."""
        try:
            raw = self.w3.eth.wait_for_transaction_receipt(pending.transaction_hash, timeout=self.receipt_timeout_seconds, poll_latency=0.05)
        except TimeExhausted:
            raise ChainError(f"{pending.description}: no receipt for {pending.transaction_hash} after {self.receipt_timeout_seconds:.0f} s") from None
        receipt = Receipt(
            transaction_hash=pending.transaction_hash,
            block_number=int(raw["blockNumber"]),
            gas_used=int(raw["gasUsed"]),
            succeeded=raw["status"] == 1,
            logs=tuple(raw["logs"]),
            contract_address=str(raw["contractAddress"]) if raw.get("contractAddress") else None,
        )
        if not receipt.succeeded:
            raise RevertedError(pending.description, self._replayed_reason(pending, receipt.block_number))
        return receipt

    def _replayed_reason(self, pending: PendingTransaction, block_number: int) -> str:
        """Recover the custom error a mined transaction reverted with: from the node's call trace
        where it has one (anvil, hardhat, geth), else by replaying it as a call on its block."""
        suffix = f"(mined in transaction {pending.transaction_hash})"
        try:
            trace = self.w3.provider.make_request(
                "debug_traceTransaction", [pending.transaction_hash, {"tracer": "callTracer"}]
            )
            output = (trace.get("result") or {}).get("output")
            if isinstance(output, str) and output.startswith("0x") and len(output) > 2:
                return f"{self.errors.decode(output)} {suffix}"
        except ChainError:
            pass
        sent = self.w3.eth.get_transaction(pending.transaction_hash)
        call = {"from": sent["from"], "to": sent["to"], "data": sent["input"], "value": sent.get("value", 0), "gas": sent["gas"]}
        try:
            self.w3.eth.call(call, block_identifier=block_number)
        except (ContractCustomError, ContractLogicError) as error:
            return f"{self.errors.decode(_revert_data(error))} {suffix}"
        except Web3RPCError as error:
            return f"{error} {suffix}"
        return f"reverted without a reason the node can replay {suffix}"

    def wait_all(self, pendings: Sequence[PendingTransaction]) -> list[Receipt]:
        """Wait for many sent transactions, in order."""
        return [self.wait(pending) for pending in pendings]

    def latest_timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def _send(self, signer: Signer, function: Any, description: str) -> PendingTransaction:
        sender = to_checksum_address(signer.address)
        try:
            gas_estimate = function.estimate_gas({"from": sender})
        except (ContractCustomError, ContractLogicError) as error:
            raise RevertedError(description, self.errors.decode(_revert_data(error))) from None
        except Web3RPCError as error:
            raise ChainError(f"{description}: the node refused the transaction: {error}") from None
        base_fee = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        priority = 1_000_000_000
        # The nonce comes from the node's pending count, read and used under one lock held until
        # the node has the transaction: a restarted or rolled-back node, or another client of the
        # same account, can never leave a gap or a duplicate behind a cached counter.
        with self._nonce_lock:
            nonce = int(self.w3.eth.get_transaction_count(sender, "pending"))
            transaction = function.build_transaction(
                {
                    "from": sender,
                    "nonce": nonce,
                    "gas": int(gas_estimate * 1.2) + 20_000,
                    "maxFeePerGas": base_fee * 2 + priority,
                    "maxPriorityFeePerGas": priority,
                    "chainId": self.chain_id,
                }
            )
            raw = signer.sign_transaction(transaction)
            try:
                transaction_hash = self.w3.eth.send_raw_transaction(raw)
            except Web3RPCError as error:
                raise ChainError(f"{description}: the node refused the transaction: {error}") from None
        return PendingTransaction("0x" + bytes(transaction_hash).hex(), sender, nonce, description)


def _revert_data(error: Exception) -> str | None:
    data = getattr(error, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return data
    return None

"""The connection to an EVM node: signers, transactions, custom errors, pipelined sends."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_account import Account
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted, Web3RPCError

from batterytrace.evm.artifacts import SHIPPED_CONTRACTS, Artifact, load, require_linked
from batterytrace.evm.reverts import DecodedRevert, ErrorDecoder, revert_data
from batterytrace.evm.signers import Signer
from batterytrace.exceptions import ChainError, RevertedError

Account.enable_unaudited_hdwallet_features()








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

    def deploy(
        self, signer: Signer, name: str, *arguments: Any, libraries: Mapping[str, str] | None = None
    ) -> tuple[str, Receipt]:
        """Deploy a shipped contract and return its address and receipt; ``libraries`` gives the
        address of each library its bytecode links (by name, ``{"PoseidonT3": "0x..."}``)."""
        return self.deploy_artifact(signer, load(name), *arguments, libraries=libraries)

    def deploy_artifact(
        self, signer: Signer, artifact: Artifact, *arguments: Any, libraries: Mapping[str, str] | None = None
    ) -> tuple[str, Receipt]:
        """Deploy any compiled contract (a shipped one, a benchmark's or a test's harness), its
        libraries linked from ``libraries``; a library left unlinked raises UnlinkedLibraryError
        before anything is sent."""
        bytecode = artifact.linked(libraries or {})
        require_linked(artifact.name, bytecode)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=bytecode)
        constructor = factory.constructor(*arguments)
        pending = self._send(signer, constructor, f"deploy {artifact.name}")
        receipt = self.wait(pending)
        assert receipt.contract_address is not None
        return receipt.contract_address, receipt

    def call(self, function: ContractFunction, description: str = "call", block: int | str = "latest") -> Any:
        """Run a read-only call, turning a revert into a RevertedError."""
        try:
            return function.call(block_identifier=block)
        except (ContractCustomError, ContractLogicError) as error:
            raise _reverted(description, self.errors.decode(revert_data(error))) from None

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
            revert, suffix = self._replayed_reason(pending, receipt.block_number)
            raise _reverted(pending.description, revert, suffix)
        return receipt

    def _replayed_reason(self, pending: PendingTransaction, block_number: int) -> tuple[DecodedRevert, str]:
        """Recover the custom error a mined transaction reverted with: from the node's call trace
        where it has one (anvil, hardhat, geth), else by replaying it as a call on its block."""
        suffix = f"(mined in transaction {pending.transaction_hash})"
        try:
            trace = self.w3.provider.make_request(
                "debug_traceTransaction", [pending.transaction_hash, {"tracer": "callTracer"}]
            )
            output = (trace.get("result") or {}).get("output")
            if isinstance(output, str) and output.startswith("0x") and len(output) > 2:
                return self.errors.decode(output), suffix
        except ChainError:
            pass
        sent = self.w3.eth.get_transaction(pending.transaction_hash)
        call = {"from": sent["from"], "to": sent["to"], "data": sent["input"], "value": sent.get("value", 0), "gas": sent["gas"]}
        try:
            self.w3.eth.call(call, block_identifier=block_number)
        except (ContractCustomError, ContractLogicError) as error:
            return self.errors.decode(revert_data(error)), suffix
        except Web3RPCError as error:
            return DecodedRevert("", text=str(error)), suffix
        return DecodedRevert("", text="reverted without a reason the node can replay"), suffix

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
            raise _reverted(description, self.errors.decode(revert_data(error))) from None
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


def _reverted(description: str, revert: DecodedRevert, suffix: str = "") -> RevertedError:
    reason = f"{revert.text} {suffix}" if suffix else revert.text
    return RevertedError(description, reason, revert.name, dict(revert.arguments))

"""The relayer: a small HTTP service that submits shielded-ledger operations from its own account.

Nothing on the ledger authorises by ``msg.sender`` and every proof binds its call through its
``context`` signal, so whoever sends an operation can neither alter nor redirect it; a participant
sending its own would put its address on the lot. Any party may run a relayer. This one:

- ``POST /v1/operations`` with ``{"to": "0x<ledger>", "data": "0x<calldata>"}``: refuses, before
  sending anything, what :mod:`batterytrace.services.calldata` refuses (4xx, one-line JSON error)
  and an operation whose simulation reverts (409, the custom error's name and arguments, and where
  the very same calldata landed already, where: a retry after a lost answer learns its operation is
  on chain once); else sends it, one transaction at a time from its account so that nonces are
  neither reused nor skipped, and answers ``{"transaction", "block", "gasUsed", "status"}``. At most
  ``max_pending`` requests are in hand at once (the next gets 429), each within its timeout.
- ``GET /v1/health``: chain id, ledger, the relayer's address and balance.
- Logs one JSON line per operation request: time, selector and function, outcome, transaction, gas;
  never the calldata (openings, proofs) nor the requester's address.

``python -m batterytrace.services.relayer --settings FILE`` runs it under uvicorn
(:class:`batterytrace.sdk.relayer.LocalRelayer` and ``batterytrace relayer start`` do).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio.to_thread
from eth_utils import to_checksum_address
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from web3.exceptions import Web3Exception

from batterytrace.evm.artifacts import load
from batterytrace.evm.chain import Chain
from batterytrace.evm.node import rpc_ready
from batterytrace.evm.signers import Signer
from batterytrace.exceptions import BatteryTraceError, ChainError, ConfigurationError, RevertedError
from batterytrace.sdk.relayer import RelayerLimits, RelayerSettings
from batterytrace.services.calldata import LedgerCalldata, Operation, RelayRefusedError, parse_hex

#: The ledger's errors that say an operation's one-time value (a nullifier, a mint tag) is used,
#: and the event, indexed by that value, whose transaction used it.
LANDED_BY = {"LedgerNullifierSpent": "NoteSpent", "LedgerMintTagUsed": "OriginMinted"}
#: Each node round trip's bound, within a request's own timeout.
_RPC_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class RelayerConfig:
    """One relayer: the node, the ledger it submits to, its signer, limits and request log."""

    rpc_url: str
    ledger: str
    signer: Signer
    limits: RelayerLimits = field(default_factory=RelayerLimits)
    log_path: Path | None = None
    from_block: int = 0

    @classmethod
    def from_settings(cls, settings: RelayerSettings, environment: dict[str, str] | None = None) -> RelayerConfig:
        """The config of a settings file, the signer's secret from ``environment``."""
        return cls(settings.rpc_url, settings.ledger, settings.account.signer(environment), settings.limits,
                   Path(settings.log_path), settings.from_block)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer and what the request log records of it."""

    status: int
    body: dict[str, Any]
    outcome: str
    transaction: str | None = None
    block: int | None = None
    gas_used: int | None = None
    error: str | None = None


class RequestLog:
    """One JSON line per request, appended and flushed as it is written (a crash loses no line)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, record: Mapping[str, Any]) -> None:
        if self.path is None:
            return
        line = json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **record}, separators=(",", ":"))
        with self._lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")


class Relayer:
    """The sending side: one account, one transaction at a time, and the answers."""

    def __init__(self, config: RelayerConfig) -> None:
        self.config = config
        self.chain = Chain(config.rpc_url, request_timeout_seconds=min(_RPC_TIMEOUT_SECONDS, config.limits.request_timeout_seconds),
                           receipt_timeout_seconds=config.limits.request_timeout_seconds)
        # web3 retries a call that timed out up to five times; a request's time is the client's to
        # spend, and a client that got no answer resubmits (a copy that landed answers 409).
        self.chain.w3.provider.exception_retry_configuration = None
        self.ledger = to_checksum_address(config.ledger)
        if not bytes(self.chain.w3.eth.get_code(self.ledger)):
            raise ConfigurationError(f"no contract at the ledger address {self.ledger} on {config.rpc_url}: check the deployment file")
        self.contract = self.chain.contract("ShieldedLedger", self.ledger)
        self.calldata = LedgerCalldata(load("ShieldedLedger").abi, self.ledger)
        self.address = to_checksum_address(config.signer.address)
        self.log = RequestLog(config.log_path)
        self._send_lock = threading.Lock()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def admit(self) -> bool:
        """Take one more request in hand, unless ``max_pending`` are."""
        with self._pending_lock:
            if self._pending >= self.config.limits.max_pending:
                return False
            self._pending += 1
            return True

    def release(self) -> None:
        with self._pending_lock:
            self._pending -= 1

    def relay(self, operation: Operation, deadline: float) -> Answer:
        """Simulate, send and wait for ``operation``, holding the account until its receipt (or
        the deadline): the next request's nonce is then the node's count, never a guess."""
        if not self._send_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return Answer(504, {"error": f"waited {self.config.limits.request_timeout_seconds:.0f} s for the relayer's account: retry later",
                                "code": "timeout"}, "timeout")
        try:
            function = self.contract.get_function_by_selector(operation.selector)(*operation.arguments)
            # The calldata is canonical, so this is the caller's bytes; a relayer sends nothing else.
            if bytes.fromhex(function._encode_transaction_data()[2:]) != operation.calldata:
                raise RelayRefusedError("non-canonical", f"{operation.function}: calldata does not re-encode to itself")
            try:
                pending = self.chain.transact(self.config.signer, function, operation.function, wait=False)
            except RevertedError as error:
                return self._reverted(operation, error, None)
            except ChainError as error:
                return self._chain_failed(error, None, deadline)
            self.chain.receipt_timeout_seconds = max(1.0, deadline - time.monotonic())
            try:
                receipt = self.chain.wait(pending)  # type: ignore[arg-type]
            except RevertedError as error:
                return self._reverted(operation, error, pending.transaction_hash)  # type: ignore[union-attr]
            except ChainError as error:
                return self._chain_failed(error, pending.transaction_hash, deadline)  # type: ignore[union-attr]
            body = {"transaction": receipt.transaction_hash, "block": receipt.block_number, "gasUsed": receipt.gas_used, "status": "succeeded"}
            return Answer(200, body, "landed", receipt.transaction_hash, receipt.block_number, receipt.gas_used)
        finally:
            self._send_lock.release()

    def _reverted(self, operation: Operation, error: RevertedError, transaction: str | None) -> Answer:
        body: dict[str, Any] = {"error": str(error).splitlines()[0], "code": "reverted", "function": operation.function,
                                "errorName": error.error_name, "reason": error.reason, "arguments": _jsonable(error.arguments)}
        if transaction is not None:
            body["transaction"] = transaction
        landed = self._landed(operation, error)
        if landed is not None:
            body["landed"] = landed
        return Answer(409, body, "reverted", transaction, error=error.error_name or "revert")

    def _landed(self, operation: Operation, error: RevertedError) -> dict[str, Any] | None:
        """Where the very same calldata landed, when the revert says its one-time value is used."""
        event_name = LANDED_BY.get(error.error_name)
        if event_name is None or len(error.arguments) != 1:
            return None
        try:
            event = getattr(self.contract.events, event_name)()
            for log in event.get_logs(argument_filters=dict(error.arguments), from_block=self.config.from_block):
                sent = self.chain.w3.eth.get_transaction(log["transactionHash"])
                if bytes(sent["input"]) == operation.calldata and str(sent["to"]).lower() == self.ledger.lower():
                    receipt = self.chain.w3.eth.get_transaction_receipt(log["transactionHash"])
                    return {"transaction": "0x" + bytes(log["transactionHash"]).hex(), "block": int(log["blockNumber"]),
                            "gasUsed": int(receipt["gasUsed"])}
        except (ChainError, Web3Exception):
            return None  # the 409 stands; only the pointer to the landed copy is missing
        return None

    def _chain_failed(self, error: ChainError, transaction: str | None, deadline: float) -> Answer:
        """A node that stopped answering (503), a request out of time (504), or a node that
        refused the transaction (502); a transaction already sent is named, to be resubmitted."""
        retry = f"; {transaction} was sent: resubmit the same calldata later (a copy that landed answers 409)" if transaction else ""
        if not rpc_ready(self.config.rpc_url, 2.0):
            return Answer(503, {"error": f"the node at {self.config.rpc_url} does not answer{retry}", "code": "node-unavailable",
                                "transaction": transaction}, "unavailable", transaction, error="node-unavailable")
        if transaction is not None or time.monotonic() >= deadline:
            reason = str(error).splitlines()[0]
            return Answer(504, {"error": f"over the {self.config.limits.request_timeout_seconds:.0f} s a request may take: {reason}{retry}",
                                "code": "timeout", "transaction": transaction}, "timeout", transaction, error="timeout")
        return Answer(502, {"error": str(error).splitlines()[0], "code": "node-refused"}, "failed", error="node-refused")

    def health(self) -> Answer:
        try:
            chain_id = int(self.chain.w3.eth.chain_id)
            balance = int(self.chain.w3.eth.get_balance(self.address))
            block = int(self.chain.w3.eth.block_number)
        except (ChainError, Web3Exception):
            return Answer(503, {"error": f"the node at {self.config.rpc_url} does not answer", "code": "node-unavailable"}, "unavailable")
        with self._pending_lock:
            pending = self._pending
        body = {"chainId": chain_id, "ledger": self.ledger, "relayer": self.address, "balanceWei": str(balance), "block": block,
                "pending": pending}
        return Answer(200, body, "ok")


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value if isinstance(value, (int, str, bool, type(None))) else str(value)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be over ``limit`` bytes (before it is all read)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise RelayRefusedError("too-large", f"the body is over the {limit} bytes a relayer takes", status=413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RelayRefusedError("too-large", f"the body is over the {limit} bytes a relayer takes", status=413)
    return bytes(body)


def _parse_request(body: bytes) -> tuple[object, object]:
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RelayRefusedError("malformed", "the body is not JSON") from None
    if not isinstance(request, dict) or set(request) != {"to", "data"}:
        raise RelayRefusedError("malformed", 'the body is not {"to": "0x<ledger>", "data": "0x<calldata>"}')
    return request["to"], request["data"]


def relayer_app(config: RelayerConfig) -> FastAPI:
    """The relayer's HTTP application (it connects to the node now: a node that does not answer,
    or no ledger at the address, raises here)."""
    relayer = Relayer(config)
    app = FastAPI(title="batterytrace relayer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.relayer = relayer

    def respond(answer: Answer, started: float, request_id: int, selector: str | None, function: str | None) -> JSONResponse:
        relayer.log.write({"request": request_id, "selector": selector, "function": function, "outcome": answer.outcome,
                           "status": answer.status, "error": answer.error or answer.body.get("code") if answer.status != 200 else None,
                           "transaction": answer.transaction, "block": answer.block, "gasUsed": answer.gas_used,
                           "milliseconds": round(1000 * (time.monotonic() - started))})
        return JSONResponse(answer.body, status_code=answer.status)

    @app.post("/v1/operations")
    async def operations(request: Request) -> JSONResponse:
        started, request_id = time.monotonic(), relayer.next_id()
        deadline = started + config.limits.request_timeout_seconds
        selector = function = None
        try:
            to, data = _parse_request(await _read_body(request, config.limits.max_body_bytes))
            try:
                raw = parse_hex(data)
                selector, function = relayer.calldata.selector_of(raw), relayer.calldata.function_of(raw)
            except RelayRefusedError:
                pass  # check() below refuses it with the same reason
            operation = relayer.calldata.check(to, data)
        except RelayRefusedError as refusal:
            return respond(Answer(refusal.status, {"error": str(refusal), "code": refusal.code}, "refused", error=refusal.code),
                           started, request_id, selector, function)
        if not relayer.admit():
            busy = Answer(429, {"error": f"the relayer has {config.limits.max_pending} operations in hand: retry later", "code": "busy"},
                          "busy", error="busy")
            return respond(busy, started, request_id, selector, function)
        try:
            answer = await anyio.to_thread.run_sync(_relay_or_refuse, relayer, operation, deadline)
        finally:
            relayer.release()
        return respond(answer, started, request_id, selector, function)

    @app.get("/v1/health")
    async def health() -> JSONResponse:
        answer = await anyio.to_thread.run_sync(relayer.health)
        return JSONResponse(answer.body, status_code=answer.status)

    return app


def _relay_or_refuse(relayer: Relayer, operation: Operation, deadline: float) -> Answer:
    try:
        return relayer.relay(operation, deadline)
    except RelayRefusedError as refusal:
        return Answer(refusal.status, {"error": str(refusal), "code": refusal.code}, "refused", error=refusal.code)


def main(argv: list[str] | None = None) -> None:
    """Run a relayer from a settings file under uvicorn, on loopback unless ``--host`` says otherwise."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m batterytrace.services.relayer", description=main.__doc__)
    parser.add_argument("--settings", type=Path, required=True, help="the relayer settings file (batterytrace.sdk.relayer.RelayerSettings)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8546)
    arguments = parser.parse_args(argv)
    try:
        settings = RelayerSettings.load(arguments.settings)
        app = relayer_app(RelayerConfig.from_settings(settings))
    except BatteryTraceError as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr, flush=True)
        sys.exit(1)
    # A stop lets a request in flight finish: its receipt comes within its timeout.
    uvicorn.run(app, host=arguments.host, port=arguments.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=int(settings.limits.request_timeout_seconds) + 1)


if __name__ == "__main__":
    main()

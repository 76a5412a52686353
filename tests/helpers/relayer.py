"""Support for the relayer's tests (tests/services/): its settings over a deployment, the sandbox's
shielded ledger as tests/helpers/shielded.py builds calls for it, hand-built calldata, and a
JSON-RPC proxy that holds chosen methods, so a request stays in the relayer's hands while a test
looks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import requests

from batterytrace.sdk.deployment import Deployment
from batterytrace.sdk.relayer import DEFAULT_RELAYER_DEV_ACCOUNT, RelayerAccount, RelayerLimits, RelayerSettings
from batterytrace.zk.merkle import LeanIMT
from tests.helpers.sandbox import signer
from tests.helpers.shielded import Ledger

RELAYER_ADDRESS = signer(DEFAULT_RELAYER_DEV_ACCOUNT).address
#: A proof whose coordinates are small field elements: well formed, never valid.
JUNK_PROOF = ((1, 2), ((3, 4), (5, 6)), (7, 8))
#: The opening hand-built calls carry: a log that holds it (as text or hex) leaks openings.
OPENING = b"ciphertext of a note opening"


def relayer_settings(rpc_url: str, deployment: Deployment, work_dir: Path, **limits: Any) -> RelayerSettings:
    """Settings for a relayer on dev account 19 over ``deployment``'s ledger, logging in ``work_dir``."""
    return RelayerSettings(rpc_url, deployment.ledger, RelayerAccount(dev_account=DEFAULT_RELAYER_DEV_ACCOUNT),
                           str(work_dir / "relayer.log"), deployment.block_number, RelayerLimits(**limits))


def ledger_of(world) -> Ledger:
    """The world's deployed ledger (shipped ABI), for tests/helpers/shielded.py's ``mint`` and ``step``
    with ``send=False``: the relayer sends, not the helper."""
    contract = world.chain.contract("ShieldedLedger", world.deployment.ledger)
    return Ledger(world, contract, world.deployment.ledger, None, LeanIMT())


def calldata_of(call) -> str:
    """A web3 contract call's calldata, 0x-hex."""
    return call._encode_transaction_data()


def mint_calldata(contract, request=(11, 12, 13, 14, 15, 16), proof=JUNK_PROOF, openings=(OPENING,)) -> str:
    """A well-formed ``mintOrigin`` call with arbitrary values (the chain refuses it; the relayer's
    own checks do not)."""
    return contract.encode_abi("mintOrigin", args=[tuple(request), proof, list(openings)])


def post(url: str, to: str, data: str, timeout: float = 60.0) -> httpx.Response:
    return httpx.post(f"{url}/v1/operations", json={"to": to, "data": data}, timeout=timeout)


def receipt_logs(w3, transaction_hash: str) -> SimpleNamespace:
    """A mined transaction's logs in the shape tests/helpers/shielded.py's ``events`` reads."""
    return SimpleNamespace(logs=tuple(w3.eth.get_transaction_receipt(transaction_hash)["logs"]))


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class HoldingProxy:
    """A JSON-RPC proxy in front of ``upstream`` that, while held, keeps every request for one of
    ``methods`` waiting (up to a minute) before forwarding it; a context manager."""

    def __init__(self, upstream: str, methods: set[str]) -> None:
        self.upstream, self.methods = upstream, methods
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self.waiting = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                payload = json.loads(body)
                calls = payload if isinstance(payload, list) else [payload]
                if any(call.get("method") in proxy.methods for call in calls) and not proxy._open.is_set():
                    with proxy._lock:
                        proxy.waiting += 1
                    proxy._open.wait(60)
                    with proxy._lock:
                        proxy.waiting -= 1
                answer = requests.post(proxy.upstream, data=body, headers={"Content-Type": "application/json"}, timeout=60)
                try:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the relayer gave up on this call already

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def __enter__(self) -> HoldingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

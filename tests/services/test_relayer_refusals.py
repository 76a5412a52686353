"""What the relayer refuses before sending anything, each with hand-built calldata and a 4xx one-line
JSON error (and the SDK client's exception for it): a body too large, a `to` that is not its ledger,
a selector that is no state-changing ledger function, truncated or non-canonical calldata, a public
signal not below the scalar field or a proof coordinate not below the base field, too many or too
large openings; an operation whose simulation reverts answers 409 with the decoded error. None of
these moves the relayer's nonce. Then the queue bound (429) and the request timeout (504), with a
proxy that holds the node's gas estimates so requests stay in the relayer's hands."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_utils import function_signature_to_4byte_selector

from batterytrace.exceptions import ChainError, ConfigurationError, FieldRangeError, InputError, RevertedError
from batterytrace.sdk.relayer import LocalRelayer, RelayerClient
from batterytrace.services.calldata import BN254_BASE_FIELD, MAX_ENCRYPTED_OPENINGS, MAX_OPENING_BYTES
from batterytrace.zk.field import SNARK_SCALAR_FIELD
from tests.helpers.relayer import (
    JUNK_PROOF,
    OPENING,
    RELAYER_ADDRESS,
    HoldingProxy,
    log_lines,
    mint_calldata,
    post,
    relayer_settings,
)

WORD = 64  # hex digits in an ABI word


@pytest.fixture
def ledger(world):
    return world.chain.contract("ShieldedLedger", world.deployment.ledger)


def refused(relayer, to: str, data: str, status: int, code: str) -> str:
    response = post(relayer.url, to, data)
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code), body
    assert "\n" not in body["error"]
    return body["error"]


def test_well_formed_calldata_goes_to_the_chain_and_a_reverting_one_answers_409_with_the_error(world, relayer, ledger):
    # Arbitrary roots: the simulation reverts at the ledger's first check, and nothing is sent.
    nonce = world.chain.w3.eth.get_transaction_count(RELAYER_ADDRESS)
    response = post(relayer.url, ledger.address, mint_calldata(ledger))
    body = response.json()
    assert response.status_code == 409
    assert (body["code"], body["function"], body["errorName"]) == ("reverted", "mintOrigin", "LedgerUnknownRoot")
    assert body["arguments"] == {"tree": 1, "root": 13} and "landed" not in body
    with pytest.raises(RevertedError) as raised:
        RelayerClient(relayer.url).submit(ledger.address, mint_calldata(ledger))
    assert raised.value.error_name == "LedgerUnknownRoot" and raised.value.arguments == {"tree": 1, "root": 13}
    assert world.chain.w3.eth.get_transaction_count(RELAYER_ADDRESS) == nonce


def test_each_malformed_request_is_refused_before_anything_is_sent(world, relayer, ledger):
    w3 = world.chain.w3
    nonce = w3.eth.get_transaction_count(RELAYER_ADDRESS)
    good = mint_calldata(ledger)
    to = ledger.address
    # Not the ledger; no ledger operation (a token's transfer, and the ledger's own view function).
    assert "submits only to the ledger" in refused(relayer, "0x" + "42" * 20, good, 400, "wrong-ledger")
    transfer = "0x" + function_signature_to_4byte_selector("transfer(address,uint256)").hex()
    refused(relayer, to, transfer + good[10:], 400, "unknown-function")
    is_spent = "0x" + function_signature_to_4byte_selector("isSpent(uint256)").hex()
    refused(relayer, to, is_spent + "00" * 32, 400, "unknown-function")
    refused(relayer, to, good[:10], 400, "malformed")
    # Truncated: the last word of the openings is missing.
    refused(relayer, to, good[:-WORD], 400, "malformed")
    # proofTime is a uint64: a non-zero byte in its padding decodes loosely to the same call.
    time_word = 10 + 5 * WORD
    dirty = good[:time_word] + "01" + good[time_word + 2:]
    assert "padding" in refused(relayer, to, dirty, 400, "non-canonical")
    # A word after the arguments: the ledger would ignore it, the context would not bind it.
    refused(relayer, to, good + "00" * 32, 400, "non-canonical")
    refused(relayer, to, "0x1234z", 400, "malformed")
    assert w3.eth.get_transaction_count(RELAYER_ADDRESS) == nonce


def test_field_elements_and_openings_are_bounded_at_their_limits(world, relayer, ledger):
    w3 = world.chain.w3
    nonce = w3.eth.get_transaction_count(RELAYER_ADDRESS)
    to = ledger.address
    at_p = mint_calldata(ledger, request=(SNARK_SCALAR_FIELD, 12, 13, 14, 15, 16))
    assert "request.outputCommitment" in refused(relayer, to, at_p, 400, "field-range")
    with pytest.raises(FieldRangeError, match="scalar field"):
        RelayerClient(relayer.url).submit(to, at_p)
    tag_at_p = mint_calldata(ledger, request=(11, SNARK_SCALAR_FIELD, 13, 14, 15, 16))
    assert "request.mintTag" in refused(relayer, to, tag_at_p, 400, "field-range")
    (a, b, c) = JUNK_PROOF
    coordinate_at_q = mint_calldata(ledger, proof=(a, ((3, BN254_BASE_FIELD), b[1]), c))
    assert "proof.b[0][1]" in refused(relayer, to, coordinate_at_q, 400, "field-range")
    # A coordinate at the scalar field's modulus is still below the base field: the chain decides.
    assert post(relayer.url, to, mint_calldata(ledger, proof=((SNARK_SCALAR_FIELD, 2), b, c))).status_code == 409
    too_many = mint_calldata(ledger, openings=[b"x"] * (MAX_ENCRYPTED_OPENINGS + 1))
    refused(relayer, to, too_many, 400, "openings")
    oversized = mint_calldata(ledger, openings=[b"x", b"\x07" * (MAX_OPENING_BYTES + 1)])
    assert "encryptedOpenings[1]" in refused(relayer, to, oversized, 400, "openings")
    for at_limit in ([b"x"] * MAX_ENCRYPTED_OPENINGS, [b"\x07" * MAX_OPENING_BYTES]):
        assert post(relayer.url, to, mint_calldata(ledger, openings=at_limit)).status_code == 409
    assert w3.eth.get_transaction_count(RELAYER_ADDRESS) == nonce


def test_the_body_size_and_shape_are_bounded_and_the_client_maps_each_refusal(world, relayer, ledger):
    import httpx

    to, limit = ledger.address, relayer.relayer_settings.limits.max_body_bytes
    huge = mint_calldata(ledger, openings=[b"\x07" * 4000] * 9)  # 72 KiB of hex
    assert len(huge) > limit
    refused(relayer, to, huge, 413, "too-large")
    for body in (b"not json", b'{"to": "0x00", "data": "0x", "gas": 1}', b"[]"):
        response = httpx.post(f"{relayer.url}/v1/operations", content=body, headers={"Content-Type": "application/json"})
        assert (response.status_code, response.json()["code"]) == (400, "malformed")
    client = RelayerClient(relayer.url)
    with pytest.raises(ConfigurationError, match="submits only to the ledger"):
        client.submit("0x" + "42" * 20, mint_calldata(ledger))
    with pytest.raises(InputError, match="none of the ledger's operations"):
        client.submit(to, "0xdeadbeef")
    with pytest.raises(InputError, match="over the 65536 bytes"):
        client.submit(to, huge)
    with pytest.raises(ChainError, match="no relayer answers at http://127.0.0.1:9"):
        RelayerClient("http://127.0.0.1:9", timeout_seconds=2).submit(to, mint_calldata(ledger))


def test_refusals_are_logged_one_line_each_with_their_function_and_code(world, relayer, ledger):
    log = relayer.work_dir / "relayer.log"
    before = len(log_lines(log))
    post(relayer.url, ledger.address, mint_calldata(ledger, request=(SNARK_SCALAR_FIELD, 12, 13, 14, 15, 16)))
    post(relayer.url, ledger.address, mint_calldata(ledger))
    field_range, reverted = log_lines(log)[before:]
    assert (field_range["function"], field_range["outcome"], field_range["status"], field_range["error"]) == (
        "mintOrigin", "refused", 400, "field-range")
    assert (reverted["outcome"], reverted["status"], reverted["error"], reverted["transaction"]) == (
        "reverted", 409, "LedgerUnknownRoot", None)
    assert reverted["selector"] == mint_calldata(ledger)[:10]
    assert OPENING.hex() not in log.read_text() and OPENING.decode() not in log.read_text()


def test_over_max_pending_requests_are_answered_429_and_a_held_one_times_out(world, tmp_path, ledger):
    with HoldingProxy(world.chain.rpc_url, {"eth_estimateGas"}) as proxy:
        settings = relayer_settings(proxy.url, world.deployment, tmp_path, max_pending=2, request_timeout_seconds=8)
        with LocalRelayer(settings, tmp_path) as relayer, ThreadPoolExecutor(2) as pool:
            proxy.hold()
            data = mint_calldata(ledger)
            held = [pool.submit(post, relayer.url, ledger.address, data) for _ in range(2)]
            deadline = time.monotonic() + 20
            while not (proxy.waiting == 1 and RelayerClient(relayer.url).health().pending == 2):
                assert time.monotonic() < deadline, "the two requests never reached the relayer"
                time.sleep(0.05)
            busy = post(relayer.url, ledger.address, data)
            assert (busy.status_code, busy.json()["code"]) == (429, "busy")
            with pytest.raises(ChainError, match="answered 429: the relayer has 2 operations in hand"):
                RelayerClient(relayer.url).submit(ledger.address, data)
            proxy.release()
            assert [future.result().status_code for future in held] == [409, 409]
            # Held past the request's time: 504, the request's whole time and little more.
            proxy.hold()
            started = time.monotonic()
            late = post(relayer.url, ledger.address, data)
            took = time.monotonic() - started
            assert (late.status_code, late.json()["code"]) == (504, "timeout") and 7 < took < 12, (late.json(), took)
            proxy.release()
            outcomes = [line["outcome"] for line in log_lines(tmp_path / "relayer.log")]
            assert sorted(outcomes) == ["busy", "busy", "reverted", "reverted", "timeout"]

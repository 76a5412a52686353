"""The relayer's calldata rules read the ledger's ABI, not a list of functions: every state-changing
function of the ledger (the note transform with its nested openings among them, added after the
relayer was written) is relayed with the same rules and no change to the relayer, and a view
function never is."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector

from batterytrace.evm.artifacts import load
from batterytrace.services.calldata import MAX_ENCRYPTED_OPENINGS, MAX_OPENING_BYTES, LedgerCalldata, RelayRefusedError
from batterytrace.zk.field import SNARK_SCALAR_FIELD

LEDGER = "0x" + "ab" * 20
#: The ledger's note transform, with its nested openings, as the shipped ABI has it.
TRANSFORM = next(item for item in load("ShieldedLedger").abi if item.get("name") == "transform")
TYPES = ["(uint256,uint256[4],uint256[4],uint256,uint256)", "(uint256[2],uint256[2][2],uint256[2])", "bytes[][]"]
PROOF = ((1, 2), ((3, 4), (5, 6)), (7, 8))


@pytest.fixture(scope="module")
def rules() -> LedgerCalldata:
    return LedgerCalldata(load("ShieldedLedger").abi, LEDGER)


def transform_calldata(nullifiers=(21, 22, 0, 0), openings=((b"a", b"b"), (b"c",))) -> str:
    request = (20, tuple(nullifiers), (31, 32, 0, 0), 40, 50)
    return "0x" + (function_abi_to_4byte_selector(TRANSFORM) + encode(TYPES, [request, PROOF, [list(o) for o in openings]])).hex()


def test_only_the_state_changing_functions_of_the_abi_are_relayed(rules):
    assert rules.functions == ("custody", "mintOrigin", "transform")
    operation = rules.check(LEDGER, transform_calldata())
    assert operation.function == "transform" and operation.arguments[2] == ((b"a", b"b"), (b"c",))
    selector = "0x" + function_abi_to_4byte_selector(next(item for item in load("ShieldedLedger").abi if item.get("name") == "noteTree")).hex()
    with pytest.raises(RelayRefusedError) as raised:
        rules.check(LEDGER, selector)
    assert raised.value.code == "unknown-function"


@pytest.mark.parametrize(("calldata", "code", "where"), [
    (transform_calldata(nullifiers=(21, SNARK_SCALAR_FIELD, 0, 0)), "field-range", "request.nullifiers[1]"),
    (transform_calldata(openings=((b"a",), (b"x",) * (MAX_ENCRYPTED_OPENINGS + 1))), "openings", "encryptedOpenings[1]"),
    (transform_calldata(openings=((b"a", b"y" * (MAX_OPENING_BYTES + 1)),)), "openings", "encryptedOpenings[0][1]"),
])
def test_a_new_functions_arguments_meet_the_same_bounds(rules, calldata, code, where):
    with pytest.raises(RelayRefusedError) as raised:
        rules.check(LEDGER, calldata)
    assert raised.value.code == code and where in str(raised.value)

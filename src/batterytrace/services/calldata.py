"""What the relayer accepts as an operation: calldata for one of the ledger's state-changing
functions, decoded strictly and canonical, every public signal a field element, openings bounded.

The functions come from the ledger's ABI, so an operation the ledger gains later is relayed without
a change here. The checks cost the relayer nothing but CPU: everything they refuse would revert on
chain or be accepted with bytes the proof's context does not bind (dirty padding, a second
encoding of the same arguments), and nothing refused ever reaches the node.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi.exceptions import DecodingError, NonEmptyPaddingBytes
from eth_utils import function_abi_to_4byte_selector, is_hex_address
from eth_utils.abi import get_abi_input_types

from batterytrace.exceptions import InputError
from batterytrace.zk.field import SNARK_SCALAR_FIELD

#: The BN254 base field: every coordinate of a Groth16 proof's points is below it.
BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583
#: At most this many encrypted openings per operation: one for the owner (and an offer's sender)
#: and one per auditor leaves room for a consortium of a dozen auditors.
MAX_ENCRYPTED_OPENINGS = 16
#: At most this many bytes per encrypted opening: an envelope for 40 recipients is 3,843 bytes
#: (``zk.envelopes.envelope_size``), far more than one note's readers.
MAX_OPENING_BYTES = 4096
#: The struct whose integers are curve coordinates (base field), not public signals (scalar field).
_PROOF_STRUCT = "struct Groth16Proof"
_STATE_CHANGING = ("nonpayable", "payable")


class RelayRefusedError(InputError):
    """The relayer refuses a request before sending anything; ``code`` names the rule (``malformed``,
    ``too-large``, ``wrong-ledger``, ``unknown-function``, ``non-canonical``, ``field-range``,
    ``openings``) and ``status`` is the HTTP status it answers with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class Operation:
    """A well-formed call of one of the ledger's state-changing functions."""

    function: str
    selector: str
    arguments: tuple[Any, ...]
    calldata: bytes


class LedgerCalldata:
    """The checks of :mod:`batterytrace.services.calldata` for one ledger's ABI and address."""

    def __init__(self, abi: Sequence[Mapping[str, Any]], address: str) -> None:
        self.address = address
        self._functions = {
            function_abi_to_4byte_selector(item): item
            for item in abi
            if item.get("type") == "function" and item.get("stateMutability") in _STATE_CHANGING
        }

    @property
    def functions(self) -> tuple[str, ...]:
        """The names of the functions relayed, sorted."""
        return tuple(sorted(item["name"] for item in self._functions.values()))

    def selector_of(self, data: bytes) -> str | None:
        """The 4-byte selector of ``data`` as 0x-hex (None when shorter than a selector)."""
        return "0x" + data[:4].hex() if len(data) >= 4 else None

    def function_of(self, data: bytes) -> str | None:
        """The name of the function ``data`` calls, if it is one relayed."""
        item = self._functions.get(bytes(data[:4]))
        return item["name"] if item else None

    def check(self, to: object, data: object) -> Operation:
        """The operation ``data`` sent to ``to``, or RelayRefusedError naming the first rule it breaks."""
        if not isinstance(to, str) or not is_hex_address(to):
            raise RelayRefusedError("malformed", f"`to` is not a 20-byte hex address: {str(to)[:60]!r}")
        if to.lower() != self.address.lower():
            raise RelayRefusedError("wrong-ledger", f"this relayer submits only to the ledger at {self.address}, not {to}")
        calldata = parse_hex(data)
        item = self._functions.get(calldata[:4]) if len(calldata) >= 4 else None
        if item is None:
            selector = self.selector_of(calldata) or "0x" + calldata.hex()
            raise RelayRefusedError("unknown-function", f"selector {selector} is none of the ledger's operations ({', '.join(self.functions)})")
        name, types, payload = item["name"], get_abi_input_types(item), calldata[4:]
        try:
            arguments = abi_decode(types, payload, strict=True)
        except NonEmptyPaddingBytes:
            raise RelayRefusedError("non-canonical", f"{name}: a value's padding bytes are not zero") from None
        except (DecodingError, OverflowError, ValueError) as error:
            raise RelayRefusedError("malformed", f"{name}: calldata does not decode as ({', '.join(types)}): {type(error).__name__}") from None
        if abi_encode(types, arguments) != payload:
            # Trailing bytes, or offsets that point elsewhere than the standard encoding puts them.
            raise RelayRefusedError("non-canonical", f"{name}: calldata is not the canonical encoding of its arguments")
        for parameter, value in zip(item["inputs"], arguments, strict=True):
            for path, kind, leaf, in_proof in _leaves(parameter, value, parameter["name"], False):
                _check_leaf(name, path, kind, leaf, in_proof)
        return Operation(name, "0x" + calldata[:4].hex(), tuple(arguments), calldata)


def parse_hex(data: object) -> bytes:
    """Bytes from a 0x-prefixed hex string of even length, or RelayRefusedError."""
    if not isinstance(data, str) or not data.startswith("0x") or len(data) % 2:
        raise RelayRefusedError("malformed", "`data` is not 0x-prefixed hex of whole bytes")
    try:
        return bytes.fromhex(data[2:])
    except ValueError:
        raise RelayRefusedError("malformed", "`data` is not 0x-prefixed hex of whole bytes") from None


def _leaves(parameter: Mapping[str, Any], value: Any, path: str, in_proof: bool) -> Iterator[tuple[str, str, Any, bool]]:
    """Each scalar of ``value`` with its path, ABI type and whether it is a proof coordinate; the
    openings' count is checked here, where the array is still whole."""
    kind = parameter["type"]
    internal = parameter.get("internalType", "")
    if kind.endswith("]"):
        element = {**parameter, "type": kind[: kind.rindex("[")], "internalType": internal[: internal.rindex("[")] if "[" in internal else internal}
        if element["type"] == "bytes" and len(value) > MAX_ENCRYPTED_OPENINGS:
            raise RelayRefusedError("openings", f"{path} holds {len(value)} encrypted openings, over the {MAX_ENCRYPTED_OPENINGS} a relayer takes")
        for index, item in enumerate(value):
            yield from _leaves(element, item, f"{path}[{index}]", in_proof)
    elif kind == "tuple":
        inner = in_proof or internal == _PROOF_STRUCT
        for component, item in zip(parameter["components"], value, strict=True):
            yield from _leaves(component, item, f"{path}.{component['name']}", inner)
    else:
        yield path, kind, value, in_proof


def _check_leaf(function: str, path: str, kind: str, value: Any, in_proof: bool) -> None:
    # Every uint256 a ledger operation takes outside its proof is a public signal of that proof
    # (commitments, roots, nullifiers, tags); the rest (enums, times, evidence) are narrower types
    # or bytes the context hashes.
    if kind == "uint256":
        bound, field = (BN254_BASE_FIELD, "base") if in_proof else (SNARK_SCALAR_FIELD, "scalar")
        if value >= bound:
            raise RelayRefusedError("field-range", f"{function}: {path} = {value} is not below the BN254 {field} field")
    elif kind == "bytes" and len(value) > MAX_OPENING_BYTES:
        raise RelayRefusedError("openings", f"{function}: {path} is {len(value)} bytes, over the {MAX_OPENING_BYTES} a relayer takes")

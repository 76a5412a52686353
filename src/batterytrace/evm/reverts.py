"""Revert data decoded into the custom error's name and arguments, from every shipped ABI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_abi_to_4byte_selector

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string), as require(cond, "text") reverts


@dataclass(frozen=True)
class DecodedRevert:
    """A revert's custom error: its name and arguments (keyed by the Solidity parameter names),
    and the text shown to people, ``Name(arg=value, ...)``. ``name`` is empty for a revert that is
    not a known custom error."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def __str__(self) -> str:
        return self.text


class ErrorDecoder:
    """Turns revert data into the custom error's name and arguments, from every shipped ABI."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, dict[str, Any]] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") == "error":
                    self._errors[function_abi_to_4byte_selector(item)] = item

    def decode(self, data: str | bytes | None) -> DecodedRevert:
        """The custom error in ``data`` (the revert's return data, hex or bytes)."""
        if data is None:
            return DecodedRevert("", text="reverted without data")
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else bytes(data)
        if len(raw) < 4:
            return DecodedRevert("", text="reverted without a reason")
        selector, payload = raw[:4], raw[4:]
        if selector == _ERROR_STRING:
            return DecodedRevert("", text=str(abi_decode(["string"], payload)[0]))
        error = self._errors.get(selector)
        if error is None:
            return DecodedRevert("", text=f"reverted with unknown error 0x{raw.hex()}")
        types = [argument["type"] for argument in error["inputs"]]
        try:
            values = abi_decode(types, payload)
        except Exception:  # noqa: BLE001 - malformed revert payloads are reported, not raised
            return DecodedRevert(error["name"], text=f"{error['name']}(<undecodable 0x{payload.hex()}>)")
        arguments = {argument["name"]: value for argument, value in zip(error["inputs"], values, strict=True)}
        shown = ", ".join(f"{name}={_show(value)}" for name, value in arguments.items())
        return DecodedRevert(error["name"], arguments, f"{error['name']}({shown})")

    def error_name(self, data: str | bytes | None) -> str:
        """Only the custom error's name (empty for an unknown or string revert)."""
        return self.decode(data).name


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def revert_data(error: Exception) -> str | None:
    """The return data of a web3 ContractCustomError/ContractLogicError, as 0x-hex, if any."""
    data = getattr(error, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return data
    return None

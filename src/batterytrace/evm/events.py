"""The one event decoder: logs of known contracts into named events with plain Python arguments.

Built from (name, address, ABI) triples, it keys every event by (address, topic 0), so one
``eth_getLogs`` over several contracts decodes in one pass; the SDK's lot history, the EPCIS export
and the indexer all read the chain through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from eth_utils import event_abi_to_log_topic, to_checksum_address
from web3 import Web3
from web3._utils.events import get_event_data


@dataclass(frozen=True)
class DecodedEvent:
    """One log of a known contract, decoded; ``args`` holds ints, str addresses, bytes and tuples."""

    contract: str
    address: str
    name: str
    args: Mapping[str, Any] = field(repr=False)
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int


@dataclass(frozen=True)
class RawLog:
    """A log of a watched contract whose event is in none of the ABIs: kept, not decoded."""

    contract: str
    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def indexed_topic(value: int | str) -> str:
    """An indexed uint256 or address argument as a log-filter topic (32 bytes, 0x-hex)."""
    if isinstance(value, str):
        return "0x" + bytes.fromhex(value[2:] if value.startswith("0x") else value).rjust(32, b"\0").hex()
    return "0x" + value.to_bytes(32, "big").hex()


class EventDecoder:
    """Decodes the logs of a fixed set of contracts."""

    def __init__(self, w3: Web3, contracts: Iterable[tuple[str, str, Sequence[Mapping[str, Any]]]]) -> None:
        self.w3 = w3
        self._names: dict[str, str] = {}
        self._events: dict[tuple[str, bytes], Mapping[str, Any]] = {}
        self._topics: dict[tuple[str, str], bytes] = {}
        for name, address, abi in contracts:
            checksum = to_checksum_address(address)
            self._names[checksum] = name
            for item in abi:
                if item.get("type") == "event" and not item.get("anonymous"):
                    topic = bytes(event_abi_to_log_topic(item))
                    self._events[(checksum, topic)] = item
                    self._topics[(name, item["name"])] = topic

    @property
    def addresses(self) -> list[str]:
        return list(self._names)

    def address_of(self, contract: str) -> str:
        """The address the decoder watches for ``contract``."""
        for address, name in self._names.items():
            if name == contract:
                return address
        raise KeyError(contract)

    def topic(self, contract: str, event: str) -> str:
        """Topic 0 of ``contract``'s event ``event``, as 0x-hex (for log filters)."""
        return "0x" + self._topics[(contract, event)].hex()

    def decode(self, log: Mapping[str, Any]) -> DecodedEvent | RawLog:
        """One log of a watched contract; a RawLog when its event is in none of the ABIs."""
        address = to_checksum_address(log["address"])
        contract = self._names.get(address)
        if contract is None:
            raise ValueError(f"log of {address}, which this decoder does not watch")
        topics = tuple(_hex(topic) for topic in log["topics"])
        common = {
            "contract": contract,
            "address": address,
            "block_number": int(log["blockNumber"]),
            "block_hash": _hex(log["blockHash"]),
            "transaction_hash": _hex(log["transactionHash"]),
            "log_index": int(log["logIndex"]),
        }
        event = self._events.get((address, bytes.fromhex(topics[0][2:]))) if topics else None
        if event is None:
            return RawLog(topics=topics, data=_hex(log["data"]), **common)
        decoded = get_event_data(self.w3.codec, event, log)
        return DecodedEvent(name=str(decoded["event"]), args=_plain(dict(decoded["args"])), **common)

    def logs(
        self,
        from_block: int,
        to_block: int | str = "latest",
        contracts: Sequence[str] | None = None,
        topics: Sequence[Any] | None = None,
        events: Sequence[str] | None = None,
    ) -> list[DecodedEvent | RawLog]:
        """Every log of the watched contracts (or of ``contracts``) in the block range, decoded,
        in chain order. ``topics`` filters as eth_getLogs does; ``events`` keeps only those names."""
        addresses = [self.address_of(name) for name in contracts] if contracts else self.addresses
        query: dict[str, Any] = {"address": addresses, "fromBlock": from_block, "toBlock": to_block}
        if topics is not None:
            query["topics"] = list(topics)
        decoded = [self.decode(log) for log in self.w3.eth.get_logs(query)]
        if events is not None:
            wanted = set(events)
            decoded = [item for item in decoded if isinstance(item, DecodedEvent) and item.name in wanted]
        return sorted(decoded, key=lambda item: (item.block_number, item.log_index))


class BlockTimes:
    """Block timestamps, each read from the node once."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self._seen: dict[int, datetime] = {}

    def __call__(self, block_number: int) -> datetime:
        if block_number not in self._seen:
            timestamp = int(self.w3.eth.get_block(block_number)["timestamp"])
            self._seen[block_number] = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        return self._seen[block_number]

"""The keyless observer: what a party holding no key links from public data alone (issue 14).

It reads what anyone may read (the deployment file, ``eth_getLogs`` over the deployment's registry,
shielded ledger and passport contracts and any other shielded ledgers, each operation's transaction
and receipt) and nothing else: no client, store, signer, note or index, so whatever it reports,
every block explorer user can report too.

It learns the participants from the registry's events (addresses, LEI or GLN, legal-name hashes,
encryption and shielding keys, site ids, company prefixes, facility ids), then looks for them in
every material operation and passport batch: the transaction's sender, its calldata and every log
of its transaction (an observer reads the whole receipt, not one event). Operations tied to two
participants, or to the same public id of material, tie those participants into a pair: who
supplies whom.

A passport batch (``PassportBatchIssued``) shows N passports issued by one economic operator, its
batteries' ids and grams in the calldata and its passport ids in the mints' ``Transfer`` logs. A
passport id is its pack's lot id (the pack note's tag), but no ledger event publishes a tag, so it
names no note: the batch links its issuer to the passports, and to no note, spend or supplier.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from eth_utils import is_address, to_checksum_address

from batterytrace.evm.artifacts import load
from batterytrace.evm.chain import Chain
from batterytrace.evm.events import DecodedEvent, EventDecoder, RawLog
from batterytrace.exceptions import ConfigurationError
from batterytrace.model.registry import IdentifierKind, Role
from batterytrace.sdk.deployment import Deployment
from batterytrace.zk.custody import CustodyOperation

PASSPORT_OPERATIONS = {"PassportBatchIssued": "passport batch issuance"}
#: A shielded ledger's operations by event (a custody step is named by its public operation).
LEDGER_OPERATIONS = {"OriginMinted": "shielded mint", "NotesTransformed": "shielded transform"}
#: A shielded ledger's bookkeeping: every operation emits these beside its own event. Any other
#: event of a ledger is an operation, so one a later ledger adds is counted without a change here.
LEDGER_BOOKKEEPING = frozenset({"NoteCreated", "NoteSpent"})
#: The public ids of material an observer follows: the passports a batch issues (their ids, each its
#: pack lot's, are the ``tokenId`` of the batch's mint transfers). A shielded note has no public id.
MINT_ID_ARGUMENT = "tokenId"
#: Text identifiers shorter than this are not searched for: a few bytes turn up by chance.
MIN_TEXT_BYTES = 6
#: The kind of a lot an observer counts but cannot read (a shielded note's).
KIND_NOT_PUBLIC = "kind not public"


@dataclass(frozen=True)
class ObservedParticipant:
    """A registered participant as the registry publishes it."""

    address: str
    role: str
    identifier: str
    identifier_kind: str
    country: str

    @property
    def label(self) -> str:
        """How a person reads it: the registry hashes legal names, so the public identifier names it."""
        return f"{self.identifier_kind} {self.identifier} ({self.role}, {self.country})"


@dataclass(frozen=True)
class ObservedOperation:
    """One material operation and whom it ties to it; ``links`` maps a participant's address to
    where the observer found it ("sender", "address in calldata", "identifier in logs", ...)."""

    operation: str
    contract: str
    transaction_hash: str
    block_number: int
    log_index: int
    sender: str
    lot_ids: tuple[int, ...]
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def linked(self) -> bool:
        return bool(self.links)


@dataclass(frozen=True)
class ObservedPair:
    """Two participants an observer ties together: through ``operations`` that name both, and
    ``lots`` (public ids of material: the passports a batch minted) whose operations name both."""

    first: str
    second: str
    operations: int
    lots: int


@dataclass(frozen=True)
class ParticipantExposure:
    """What an observer attributes to one participant: the operations linked to it, and the lots it
    created by material kind (``KIND_NOT_PUBLIC`` where the kind is hidden)."""

    address: str
    operations: int
    lots_created: Mapping[str, int]


@dataclass(frozen=True)
class ObserverReport:
    """Everything the observer linked, between ``from_block`` and ``to_block``."""

    chain_id: int
    from_block: int
    to_block: int
    contracts: Mapping[str, str]
    participants: tuple[ObservedParticipant, ...]
    operations: tuple[ObservedOperation, ...]
    pairs: tuple[ObservedPair, ...]
    exposures: tuple[ParticipantExposure, ...]

    @property
    def total(self) -> int:
        return len(self.operations)

    @property
    def linked(self) -> int:
        return sum(1 for operation in self.operations if operation.linked)

    @property
    def by_type(self) -> dict[str, tuple[int, int]]:
        """(total, linked) per operation type, in the order they first happened."""
        counts: dict[str, list[int]] = {}
        for operation in self.operations:
            entry = counts.setdefault(operation.operation, [0, 0])
            entry[0] += 1
            entry[1] += operation.linked
        return {name: (total, linked) for name, (total, linked) in counts.items()}

    def exposure(self, address: str) -> ParticipantExposure | None:
        """The exposure of ``address``, None when the observer attributes nothing to it."""
        wanted = to_checksum_address(address)
        return next((item for item in self.exposures if item.address == wanted), None)

    def label(self, address: str) -> str:
        return next((item.label for item in self.participants if item.address == address), address)

    def render(self) -> str:
        share = f" ({100 * self.linked / self.total:.0f}%)" if self.total else ""
        types = ", ".join(f"{name} {linked}/{total}" for name, (total, linked) in self.by_type.items()) or "none"
        lines = [
            f"keyless observer: chain {self.chain_id}, blocks {self.from_block}-{self.to_block}, public JSON-RPC and the deployment file only",
            f"  participants  {len(self.participants)} registered, each with its address and public identifier",
            f"  operations    {self.linked} of {self.total} material operations linked to a participant{share}",
            f"                linked/total by type: {types}",
            f"  pairs         {len(self.pairs)} pairs of participants tied together" + (":" if self.pairs else ""),
        ]
        for pair in sorted(self.pairs, key=lambda pair: (self.label(pair.first), self.label(pair.second))):
            lines.append(f"                {self.label(pair.first)} <-> {self.label(pair.second)}: "
                         f"{_count(pair.operations, 'operation')}, {_count(pair.lots, 'lot')}")
        lines.append(f"  attributed    {_count(len(self.exposures), 'participant')}" + (":" if self.exposures else ""))
        for item in sorted(self.exposures, key=lambda item: self.label(item.address)):
            created = ", ".join(f"{count} {kind}" for kind, count in item.lots_created.items()) or "none"
            lines.append(f"                {self.label(item.address)}: {_count(item.operations, 'operation')}, lots created: {created}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "fromBlock": self.from_block,
            "toBlock": self.to_block,
            "contracts": dict(self.contracts),
            "participants": [{**item.__dict__, "label": item.label} for item in self.participants],
            "operations": {
                "total": self.total,
                "linked": self.linked,
                "byType": {name: {"total": total, "linked": linked} for name, (total, linked) in self.by_type.items()},
            },
            "linkedOperations": [
                {"operation": item.operation, "transactionHash": item.transaction_hash, "blockNumber": item.block_number,
                 "lotIds": [hex(lot_id) for lot_id in item.lot_ids], "links": {address: list(how) for address, how in item.links.items()}}
                for item in self.operations if item.linked
            ],
            "pairs": [item.__dict__ for item in self.pairs],
            "exposures": [{"address": item.address, "operations": item.operations, "lotsCreated": dict(item.lots_created)}
                          for item in self.exposures],
        }


class _Identities:
    """The participants and every public value that names one, gathered from the registry's events."""

    def __init__(self) -> None:
        self.participants: dict[str, dict[str, str]] = {}
        #: address -> (value to look for, what it is, whether it is text: searched case-insensitively).
        self.needles: dict[str, list[tuple[bytes, str, bool]]] = defaultdict(list)
        self.facility_operators: dict[int, str] = {}

    def add(self, address: str, value: bytes, what: str, text: bool = False) -> None:
        if not value or (text and len(value) < MIN_TEXT_BYTES):
            return
        self.needles[address].append((value.lower() if text else bytes(value), what, text))

    def read(self, event: DecodedEvent) -> None:
        args = event.args
        if event.name == "ParticipantRegistered":
            address = to_checksum_address(args["account"])
            identifier = _text(args["identifier"])
            self.participants[address] = {
                "role": _role_name(args["role"]),
                "identifier": identifier if identifier is not None else "0x" + args["identifier"].hex(),
                "identifier_kind": _identifier_kind(args["identifierKind"]),
                "country": _text(args["country"]) or "0x" + args["country"].hex(),
            }
            self.add(address, bytes.fromhex(address[2:]), "address")
            self.add(address, address[2:].encode(), "address as text")
            if identifier is not None:
                self.add(address, identifier.encode(), "identifier", text=True)
            else:
                self.add(address, args["identifier"], "identifier")
            self.add(address, args["legalNameHash"], "legal-name hash")
            self.add(address, args["encryptionPublicKey"], "encryption key")
            self.add(address, args["shieldingKey"].to_bytes(32, "big"), "shielding key")
        elif event.name in ("EncryptionKeyRotated", "ShieldingKeyRotated"):
            address = to_checksum_address(args["account"])
            key = args["newKey"]
            self.add(address, key if isinstance(key, bytes) else key.to_bytes(32, "big"),
                     "encryption key" if event.name == "EncryptionKeyRotated" else "shielding key")
        elif event.name == "FacilityRegistered":
            operator = to_checksum_address(args["operator"])
            self.facility_operators[int(args["facilityId"])] = operator
            self.add(operator, args["siteId"], "site id")
        elif event.name == "CompanyPrefixAssigned":
            self.add(to_checksum_address(args["operator"]), args["prefix"].encode(), "company prefix", text=True)

    def find(self, sender: str, calldata: bytes, logs: Sequence[bytes], facility_ids: Iterable[int]) -> dict[str, tuple[str, ...]]:
        """Every participant the transaction names, and where."""
        places = {False: (calldata, logs), True: (calldata.lower(), [piece.lower() for piece in logs])}
        found: dict[str, list[str]] = defaultdict(list)
        if sender in self.participants:
            found[sender].append("sender")
        for address, needles in self.needles.items():
            if address not in self.participants:
                continue
            for value, what, text in needles:
                data, pieces = places[text]
                if value in data:
                    found[address].append(f"{what} in calldata")
                if any(value in piece for piece in pieces):
                    found[address].append(f"{what} in logs")
        for facility_id in facility_ids:
            operator = self.facility_operators.get(facility_id)
            if operator in self.participants:
                found[operator].append(f"facility {facility_id}")
        return {address: tuple(dict.fromkeys(how)) for address, how in found.items()}


def observe(chain: Chain, deployment: Deployment, ledger_addresses: Sequence[str] = ()) -> ObserverReport:
    """What a party with no key links from public data: the deployment's registry, shielded ledger
    and passport contracts, and any other shielded ledgers at ``ledger_addresses``, from
    ``deployment.block_number`` to the latest block."""
    if deployment.chain_id != chain.chain_id:
        raise ConfigurationError(f"the deployment is on chain {deployment.chain_id}, the node at {chain.rpc_url} is chain {chain.chain_id}")
    sources = [(name, to_checksum_address(getattr(deployment, name)), load(artifact).abi)
               for name, artifact in Deployment.EVENT_SOURCES]
    watched = {address for _name, address, _abi in sources}
    others = dict.fromkeys(to_checksum_address(_address(address)) for address in ledger_addresses)
    ledger_abi = load("ShieldedLedger").abi
    sources += [(f"ledger {address}", address, ledger_abi) for address in others if address not in watched]
    for name, address, _abi in sources:
        if not bytes(chain.w3.eth.get_code(to_checksum_address(address))):
            raise ConfigurationError(f"no {name.split()[0]} contract at {address} on chain {chain.chain_id}: is this the deployment's node?")
    decoder = EventDecoder(chain.w3, sources)
    to_block = int(chain.w3.eth.block_number)
    events = decoder.logs(deployment.block_number, to_block)
    identities = _Identities()
    for event in events:
        if isinstance(event, DecodedEvent) and event.contract == "registry":
            identities.read(event)
    transactions = _Transactions(chain)
    operations: list[ObservedOperation] = []
    created: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        operation = _operation_type(event)
        if operation is None:
            continue
        sender, calldata, logs, facility_ids, minted = transactions.evidence(event.transaction_hash, decoder)
        observed = ObservedOperation(
            operation=operation, contract=event.contract, transaction_hash=event.transaction_hash, block_number=event.block_number,
            log_index=event.log_index, sender=sender, lot_ids=minted if event.contract == "passport" else (),
            links=identities.find(sender, calldata, logs, facility_ids),
        )
        operations.append(observed)
        if operation in ("shielded mint", "shielded transform"):
            # A note's kind is hidden, but a linked mint or transform still tells whose new lots these are.
            for address in observed.links:
                created[address][KIND_NOT_PUBLIC] += len(event.args.get("commitments", [None]))
    participants = tuple(ObservedParticipant(address, **record) for address, record in identities.participants.items())
    return ObserverReport(
        chain_id=chain.chain_id, from_block=deployment.block_number, to_block=to_block,
        contracts={name: to_checksum_address(address) for name, address, _abi in sources}, participants=participants,
        operations=tuple(operations), pairs=_pairs(operations), exposures=_exposures(operations, created),
    )


#: What one transaction shows: sender, calldata, every log's topics and data, the facility ids its
#: decoded logs name, and the passport ids its passport contract minted.
_Evidence = tuple[str, bytes, tuple[bytes, ...], tuple[int, ...], tuple[int, ...]]


class _Transactions:
    """Each operation's transaction, read once (:data:`_Evidence`)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._seen: dict[str, _Evidence] = {}

    def evidence(self, transaction_hash: str, decoder: EventDecoder) -> _Evidence:
        if transaction_hash not in self._seen:
            transaction = self.chain.w3.eth.get_transaction(transaction_hash)
            receipt = self.chain.w3.eth.get_transaction_receipt(transaction_hash)
            logs: list[bytes] = []
            facility_ids: list[int] = []
            minted: list[int] = []
            for log in receipt["logs"]:
                logs += [bytes(topic) for topic in log["topics"]]
                logs.append(bytes(log["data"]))
                if to_checksum_address(log["address"]) in decoder.addresses:
                    decoded = decoder.decode(log)
                    if isinstance(decoded, DecodedEvent) and "facilityId" in decoded.args:
                        facility_ids.append(int(decoded.args["facilityId"]))
                    if (isinstance(decoded, DecodedEvent) and decoded.contract == "passport" and decoded.name == "Transfer"
                            and int(decoded.args["from"], 16) == 0):
                        minted.append(int(decoded.args[MINT_ID_ARGUMENT]))
            self._seen[transaction_hash] = (to_checksum_address(transaction["from"]), bytes(transaction["input"]), tuple(logs),
                                            tuple(dict.fromkeys(facility_ids)), tuple(dict.fromkeys(minted)))
        return self._seen[transaction_hash]


def _operation_type(event: DecodedEvent | RawLog) -> str | None:
    """The material operation a log records, None for bookkeeping and the registry's events."""
    if event.contract.startswith("ledger"):
        if isinstance(event, RawLog):
            return "shielded event not in the ABI"
        if event.name in LEDGER_BOOKKEEPING:
            return None
        if event.name in LEDGER_OPERATIONS:
            return LEDGER_OPERATIONS[event.name]
        if event.name == "CustodyStepped":
            try:
                return f"shielded {CustodyOperation(event.args['operation']).name.lower()}"
            except ValueError:
                return f"shielded step {event.args['operation']}"
        return f"shielded {event.name}"
    if isinstance(event, RawLog):
        return None
    if event.contract == "passport":
        return PASSPORT_OPERATIONS.get(event.name)
    return None


def _pairs(operations: Sequence[ObservedOperation]) -> tuple[ObservedPair, ...]:
    by_operation: Counter[tuple[str, str]] = Counter()
    on_lot: dict[int, set[str]] = defaultdict(set)
    for operation in operations:
        by_operation.update(combinations(sorted(operation.links), 2))
        for lot_id in operation.lot_ids:
            on_lot[lot_id].update(operation.links)
    by_lot: Counter[tuple[str, str]] = Counter()
    for parties in on_lot.values():
        by_lot.update(combinations(sorted(parties), 2))
    return tuple(ObservedPair(first, second, by_operation[(first, second)], by_lot[(first, second)])
                 for first, second in sorted(set(by_operation) | set(by_lot)))


def _exposures(operations: Sequence[ObservedOperation], created: Mapping[str, Counter[str]]) -> tuple[ParticipantExposure, ...]:
    linked = Counter(address for operation in operations for address in operation.links)
    return tuple(ParticipantExposure(address, linked[address], dict(sorted(created.get(address, Counter()).items())))
                 for address in sorted(set(linked) | set(created)))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _address(text: str) -> str:
    if not is_address(text):
        raise ConfigurationError(f"{text!r} is not an address")
    return text


def _text(value: bytes) -> str | None:
    """A registry bytesN packed left as text, or None when it is not printable text."""
    raw = bytes(value).rstrip(b"\0")
    return raw.decode() if raw and raw.isascii() and raw.decode().isprintable() else None


def _identifier_kind(value: int) -> str:
    try:
        return IdentifierKind(value).name
    except ValueError:
        return f"identifier kind {value}"


def _role_name(role_id: bytes) -> str:
    try:
        return Role.from_role_id(role_id).name
    except ValueError:
        return "0x" + bytes(role_id).hex()

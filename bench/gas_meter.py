"""What one transaction's gas is made of: its receipt, its floor and anvil's traces of it.

The floor of a transaction is what it cannot avoid: 21,000 base; its calldata (16 gas a non-zero
byte, 4 a zero byte, of the actual transaction input); per Groth16 proof the EIP-1108 pairing check
(45,000 + 34,000 x 4 pairings) and 6,150 per public input (ECMUL 6,000 + ECADD 150); 20,000 per
storage slot it must create (zero -> non-zero: each nullifier, the mint tag, the records); and the
Poseidon hashes of the Merkle trees it changes, each call into the PoseidonT3 library counted with
its gas from the call trace. The new slots are counted from the contract code (``STORAGE_SLOTS``
explains each count; the note tree's from the indices its inserts took, ``note_tree_slots``) and
cross-checked against anvil's prestateTracer in diff mode; the note tree's hashes likewise
(``note_tree_hashes``) against the call trace.

A batch of passports (``BatteryPassport.issueBatch``) has a floor of constants alone,
``passport_batch_floor``: the 21,000 base, one proof's pairing check and public inputs and the
batch's digest word, shared by its ``n`` passports, and per passport the one word of its record and
its ERC-721 Transfer log. A storage word created there is read first (the record is checked to be
new), so it costs 22,100: 20,000 for zero -> non-zero and 2,100 for the cold access.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from batterytrace.evm.chain import Chain
from batterytrace.zk.pack_batch import BATCH_SLOTS  # the passports one batch proof covers

ROOT = Path(__file__).resolve().parent.parent
TX_BASE = 21_000
PAIRING_BASE = 45_000
PAIRING_PER_PAIR = 34_000
GROTH16_PAIRINGS = 4
PER_PUBLIC_INPUT = 6_150  # ECMUL 6,000 + ECADD 150 (EIP-1108)
NEW_SLOT = 20_000
PROOF_FLOOR = PAIRING_BASE + PAIRING_PER_PAIR * GROTH16_PAIRINGS
#: The note tree's ring of recent roots (NoteTree.ROOT_HISTORY_SIZE): each of its first changes writes a new slot.
NOTE_ROOT_HISTORY = 64
#: Issue 14's target for every proof-consuming operation on the shielded ledger.
TARGET_RATIO = 1.15
#: Issue 16's target: gas per passport at a full batch (``BATCH_SLOTS`` passports, one proof).
PASSPORT_TARGET_GAS = 60_000
#: The batch sizes the bench issues, after one batch of one that makes the counter and balance exist.
PASSPORT_BATCHES = (1, 2, 4, 8, BATCH_SLOTS)
#: A recorded anchor, not a measurement: gas per passport of the per-passport issuance that batch
#: issuance replaced (BatteryPassport.issueFromNotes, one PackClaimVerifier proof and a nullifier per
#: passport), as issue 16 quotes it. That code is deleted, so the figure can no longer be measured.
PER_PASSPORT_ISSUANCE_GAS = 611_590
#: A storage word created after its first (cold) read: 20,000 zero -> non-zero + 2,100 cold access (EIP-2929).
NEW_SLOT_COLD = NEW_SLOT + 2_100
#: The ERC-721 Transfer log of a mint: 375 + 375 per topic (signature, from, to, id), no data.
TRANSFER_LOG = 375 + 375 * 4


def passport_batch_floor(passports: int, public_inputs: int) -> int:
    """The least gas of issuing ``passports`` passports with one Groth16 proof of ``public_inputs``
    inputs, from constants alone: per batch the 21,000 base, the EIP-1108 pairing check (181,000) and
    6,150 per public input, the batch's digest word (22,100); per passport its record word (22,100) and
    its Transfer log (1,875). Calldata is left out: it depends on how the entries are encoded."""
    batch = TX_BASE + PROOF_FLOOR + public_inputs * PER_PUBLIC_INPUT + NEW_SLOT_COLD
    return batch + passports * (NEW_SLOT_COLD + TRANSFER_LOG)


def public_inputs() -> dict[str, int]:
    """Each circuit's public inputs (circuits/manifest.json), which the verifier multiplies in."""
    manifest = json.loads((ROOT / "circuits" / "manifest.json").read_text())
    return {name: len(spec["publicSignals"]) for name, spec in manifest["circuits"].items()}


def note_tree_slots(indices: list[int]) -> int:
    """New slots of inserting leaves at ``indices`` into epoch 0 of the note tree (NoteTree.insert):
    the size-and-changes slot at the first insert ever; a root-history slot for each of the first
    64 changes; the side node of level L (the index's trailing ones) the first time that level is
    written, which is at index 2^L - 1."""
    first = 1 if 0 in indices else 0
    roots = sum(1 for index in indices if index < NOTE_ROOT_HISTORY)
    levels = sum(1 for index in indices if (index + 1) & index == 0)
    return first + roots + levels


def note_tree_hashes(indices: list[int]) -> int:
    """PoseidonT3 calls of inserting leaves at ``indices``: popcount(index) each (NoteTree.insert
    hashes at the index's 1 bits; at its 0 bits the node is carried up)."""
    return sum(index.bit_count() for index in indices)


# How many storage slots each operation must create (zero -> non-zero), read off the contracts.
STORAGE_SLOTS = {
    "register participant": "Participant struct: role, legalNameHash, identifier, (kind,country,registered), key length, "
    "shieldingKey = 6; encryptionPublicKey data (33 bytes) = 2; the shielding key's holder 1; role membership 1; "
    "AccessControlEnumerable member set: value + position = 2; participant tree: the record's leaf 1, LeanIMT's leaf index 1, "
    "a root-history slot 1 (each of a tree's first 32 changes writes a new one) -> 15 (a side node too when the tree grows a "
    "level)",
    "activate facility": "facility tree: the record's leaf 1, leaf index 1, root-history slot 1, a side node 1 (the "
    "bench's facility is the tree's ninth leaf: a new level) -> 4 (the Facility struct's packed slot is an update)",
    "rotate encryption key": "none: the key's length and data slots are updated (a 33-byte key for a 33-byte key); the "
    "membership leaf does not carry it -> 0",
    "rotate shielding key": "the new key's holder 1; the new leaf's index 1, root-history slot 1 -> 3 (the old leaf's index "
    "is cleared; the old key stays reserved)",
    "record risk finding": "facility tree and the operator's participant leaf: new leaf index + root-history slot each = 4; "
    "the operator's risk flags 1 -> 5",
    "set process parameters": "the new leaf's index 1, root-history slot 1 -> 2",
    "revoke participant": "root-history slot 1 (the leaf is set to zero, its index cleared) -> 1",
    "register facility": "_siteIds entry 1; Facility struct: (operator..registered) packed 1, siteId 1, "
    "locationCommitment 1 -> 4 (_facilityCount is an update)",
    "assign company prefix": "the prefix's owner 1; one extension count per shorter candidate prefix (6 digits .. "
    "length - 1: one for a 7-digit prefix) -> 2",
    "certify": "Certification struct: (facilityId..statusChangedAt) 1, auditor 1, evidenceHash 1; "
    "_facilityCertifications[facility]: length 1 (first certification of the facility) + element 1; certification tree: "
    "the record's leaf 1, leaf index 1, root-history slot 1, a side node 1 (the third leaf) -> 9",
    "reference mint": "ERC-721 owner 1 (the holder's balance is an update)",
    "reference transfer": "none: owner and balances are updates",
    "note tree insert (every ledger operation, per new note)": "a root-history slot while the tree has had fewer than "
    "64 changes (later ones overwrite the oldest); the side node at level L (the index's trailing ones) the first time "
    "that level is written (index 2^L - 1); the size-and-changes slot at the tree's first insert. The bench's notes are "
    "the tree's first few dozen, so each insert creates 1-2 slots here; the event carries the note, nothing else is stored",
    "origin mint": "the mint tag 1 + one note inserted",
    "custody step (offer, cancel, accept, dispute, resolve)": "the spent note's nullifier 1 + one note inserted",
    "transform": "one nullifier per input + one note inserted per output",
    "passport issue (issueBatch, n passports)": "per passport its record, one word (holder, status, batch, issue time: "
    "PassportToken._records) = n; the batch's digest 1 -> n + 1. The batch counter and the issuer's balance are updates "
    "(the bench issues a batch of one first, not measured); the pack notes are not spent, so no nullifier is written",
    "passport hand-over": "none: owner and balances are updates (the receiver holds a passport already)",
}


@dataclass
class GasRow:
    operation: str
    group: str
    gas_used: int
    calldata_gas: int
    calldata_bytes: int
    proofs: int = 0
    public_inputs: int = 0  # per proof
    new_slots: int = 0
    traced_new_slots: int | None = None
    verifier_gas: int | None = None
    poseidon_calls: int = 0
    poseidon_gas: int = 0
    expected_poseidon_calls: int | None = None  # the note tree's, from the code (None: not a ledger insert)
    log_gas: int = 0
    per_item: int = 1  # passports in a batch: gas is also reported per passport
    target: str = ""
    target_ratio: float | None = None
    item_target: int | None = None  # gas per item the gate holds the row to (the full passport batch)
    reference: str = ""  # the ERC-721 yardstick row name
    constant_floor: int | None = None  # a floor of constants alone (passport batches), in place of the formula

    @property
    def floor(self) -> int:
        if self.constant_floor is not None:
            return self.constant_floor
        return (TX_BASE + self.calldata_gas + self.proofs * (PROOF_FLOOR + self.public_inputs * PER_PUBLIC_INPUT)
                + self.new_slots * NEW_SLOT + self.poseidon_gas)

    @property
    def ratio(self) -> float:
        return self.gas_used / self.floor

    @property
    def gas_per_item(self) -> int:
        return round(self.gas_used / self.per_item)

    @property
    def floor_per_item(self) -> int:
        return round(self.floor / self.per_item)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(floor=self.floor, ratio=round(self.ratio, 4), gas_per_item=self.gas_per_item,
                    floor_per_item=self.floor_per_item)
        return data


@dataclass
class GasRun:
    rows: list[GasRow] = field(default_factory=list)
    trace_support: str = ""

    def row(self, operation: str) -> GasRow:
        return next(row for row in self.rows if row.operation == operation)


def _frames(frame: dict[str, Any]):
    yield frame
    for child in frame.get("calls", []):
        yield from _frames(child)


class Meter:
    """Records each measured transaction as a :class:`GasRow`, with its traces."""

    def __init__(self, chain: Chain, verifiers: set[str], poseidon: str | None) -> None:
        self.chain = chain
        self.run = GasRun()
        self.verifiers = {address.lower() for address in verifiers}
        self.poseidon = (poseidon or "").lower()
        self._prestate_ok = True

    def record(self, operation: str, group: str, transaction_hash: str, **kwargs: Any) -> GasRow:
        receipt = self.chain.w3.eth.get_transaction_receipt(transaction_hash)
        if receipt["status"] != 1:
            raise RuntimeError(f"{operation}: transaction {transaction_hash} reverted")
        data = bytes(self.chain.w3.eth.get_transaction(transaction_hash)["input"])
        calldata_gas = sum(16 if byte else 4 for byte in data)
        log_gas = sum(375 + 375 * len(log["topics"]) + 8 * len(bytes(log["data"])) for log in receipt["logs"])
        row = GasRow(operation, group, int(receipt["gasUsed"]), calldata_gas, len(data), log_gas=log_gas, **kwargs)
        self._read_calls(row, transaction_hash)
        row.traced_new_slots = self._traced_new_slots(transaction_hash)
        self.run.rows.append(row)
        return row

    def _rpc(self, method: str, params: list[Any]) -> Any:
        response = self.chain.w3.provider.make_request(method, params)
        if "error" in response:
            raise RuntimeError(response["error"])
        return response["result"]

    def _read_calls(self, row: GasRow, transaction_hash: str) -> None:
        """The gas of the calls into the verifiers and into PoseidonT3 (callTracer)."""
        try:
            trace = self._rpc("debug_traceTransaction", [transaction_hash, {"tracer": "callTracer"}])
        except Exception as error:  # noqa: BLE001 - the breakdown is optional
            self.run.trace_support += f" callTracer unavailable: {error};"
            return
        verifier_gas = 0
        for frame in _frames(trace):
            to = str(frame.get("to", "")).lower()
            if to in self.verifiers:
                verifier_gas += int(frame["gasUsed"], 16)
            elif to == self.poseidon:
                row.poseidon_calls += 1
                row.poseidon_gas += int(frame["gasUsed"], 16)
        row.verifier_gas = verifier_gas if row.proofs else None

    def _traced_new_slots(self, transaction_hash: str) -> int | None:
        if not self._prestate_ok:
            return None
        try:
            trace = self._rpc("debug_traceTransaction",
                              [transaction_hash, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}])
        except Exception as error:  # noqa: BLE001
            self._prestate_ok = False
            self.run.trace_support += f" prestateTracer diffMode unavailable: {error};"
            return None
        pre, post = trace.get("pre", {}), trace.get("post", {})
        count = 0
        for address, account in post.items():
            before = pre.get(address, {}).get("storage", {})
            for slot, value in account.get("storage", {}).items():
                if int(value, 16) != 0 and int(before.get(slot, "0x0"), 16) == 0:
                    count += 1
        return count

"""Scanning the shielded ledger: each participant reads every new note's event, keeps the tree's
leaves, and keeps the notes its keys open (its own, those offered to it or by it, and for an
auditor's view key every note), with which of them are spent.

Nothing on chain says whose a note is: the scanner tries each encrypted opening of each NoteCreated
event with each of its keys (one ECDH per slot), and a note it opens must hash to the event's
commitment. The leaves and their order are checked against the chain too: each event's index is the
next one, and after a scan the rebuilt tree's root is the last event's root, so a node that drops or
reorders a log is caught rather than yielding paths no proof verifies against.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import event_abi_to_log_topic
from web3.exceptions import BlockNotFound

from batterytrace.evm.chain import Chain
from batterytrace.exceptions import ChainError, DecryptionError, OpeningError
from batterytrace.sdk.notes import Leaf, NoteStore, StoredNote
from batterytrace.zk.envelopes import decrypt_note

log = logging.getLogger(__name__)

#: The blocks one eth_getLogs request covers: public nodes cap ranges at a few thousand.
DEFAULT_CHUNK_BLOCKS = 2_000


@dataclass
class ScanResult:
    """What one :meth:`NoteScanner.sync` read."""

    from_block: int
    to_block: int
    leaves: int = 0
    notes: list[StoredNote] = field(default_factory=list)
    spends: int = 0
    #: Envelopes addressed to one of our keys that failed authentication or did not open their
    #: note (a tampering or lying creator): skipped, never stored.
    refused: list[str] = field(default_factory=list)
    #: Where the store was rewound to before reading, when the chain had parted from its last scan.
    rewound_to: int | None = None


class NoteScanner:
    """Reads a ShieldedLedger's NoteCreated and NoteSpent events into a :class:`NoteStore`.

    ``keys`` are secp256k1 private keys: the participant's encryption key, and for an auditor its
    view key. ``start_block`` is where a first scan begins (the deployment's block).
    """

    def __init__(self, chain: Chain, ledger_address: str, store: NoteStore, keys: Sequence[bytes], *,
                 start_block: int = 0, chunk_blocks: int = DEFAULT_CHUNK_BLOCKS) -> None:
        self.chain = chain
        self.contract = chain.contract("ShieldedLedger", ledger_address)
        self.store = store
        self.keys = list(keys)
        self.start_block = start_block
        self.chunk_blocks = chunk_blocks
        self._created = self.contract.events.NoteCreated()
        self._spent = self.contract.events.NoteSpent()
        self._topics = {bytes(event_abi_to_log_topic(event.abi)): event for event in (self._created, self._spent)}

    def sync(self, to_block: int | None = None) -> ScanResult:
        """Read every block after the store's cursor up to ``to_block`` (default: the latest). When
        the chain no longer holds the block the last scan ended on (a reorganisation, or a test
        node's revert), the store first forgets what it read after the latest block both share."""
        rewound = self._rewind_if_reorganised()
        cursor = self.store.cursor()
        first = self.start_block if cursor is None else cursor + 1
        last = self.chain.w3.eth.block_number if to_block is None else to_block
        result = ScanResult(first, last, rewound_to=rewound)
        for start in range(first, last + 1, self.chunk_blocks):
            end = min(start + self.chunk_blocks - 1, last)
            self._scan(start, end, result)
        return result

    def _scan(self, start: int, end: int, result: ScanResult) -> None:
        logs = self.chain.w3.eth.get_logs({"address": self.contract.address, "fromBlock": start, "toBlock": end,
                                           "topics": [list(f"0x{topic.hex()}" for topic in self._topics)]})
        logs = sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"]))
        # One transaction for the range and its cursor: a failure leaves the store as it was.
        with self.store.batch() as store:
            expected = self._next_position()
            touched_epoch = None
            for entry in logs:
                event = self._topics[bytes(entry["topics"][0])]
                decoded = event.process_log(entry)
                arguments: dict[str, Any] = dict(decoded["args"])
                transaction = decoded["transactionHash"].to_0x_hex()
                if event is self._spent:
                    store.add_spend(arguments["nullifier"], decoded["blockNumber"], transaction)
                    result.spends += 1
                    continue
                leaf = Leaf(arguments["epoch"], arguments["index"], arguments["commitment"], arguments["root"],
                            decoded["blockNumber"], transaction)
                if (leaf.epoch, leaf.index) < expected:
                    # A range read again (a lost cursor): the same leaf, or the node lies.
                    if store.leaf_commitment(leaf.epoch, leaf.index) != leaf.commitment:
                        raise ChainError(f"the node's note {leaf.epoch}:{leaf.index} is not the one read before")
                else:
                    expected = self._check_position(leaf, expected)
                    store.add_leaf(leaf)
                result.leaves += 1
                touched_epoch = leaf.epoch
                note = self._open(arguments["encryptedOpenings"], leaf, result)
                if note is not None:
                    store.add_note(note, leaf)
                    result.notes.append(StoredNote(note, leaf.epoch, leaf.index, leaf.block_number, transaction))
            if touched_epoch is not None:
                self._check_root(touched_epoch)
            store.set_cursor(end, self._block_hash(end))

    def _block_hash(self, number: int) -> str | None:
        try:
            return self.chain.w3.eth.get_block(number)["hash"].to_0x_hex()
        except BlockNotFound:
            return None

    def _rewind_if_reorganised(self) -> int | None:
        """Rewind the store to the latest checkpoint the chain still holds, if the latest is gone;
        the block it rewound to (``start_block - 1`` for all of it), or None when nothing changed."""
        checkpoints = self.store.checkpoints()
        if not checkpoints or self._block_hash(checkpoints[0][0]) == checkpoints[0][1]:
            return None
        kept = next((block for block, block_hash in checkpoints[1:] if self._block_hash(block) == block_hash), None)
        with self.store.batch() as store:
            store.rewind(kept)
        log.warning("the chain parted from the note store's scan after block %s: rescanning from there",
                    kept if kept is not None else "(none kept)")
        return self.start_block - 1 if kept is None else kept

    def _open(self, blobs: Sequence[bytes], leaf: Leaf, result: ScanResult):
        for blob in blobs:
            for key in self.keys:
                try:
                    note = decrypt_note(bytes(blob), key, leaf.commitment)
                except DecryptionError as error:
                    # It opened for our key and then lied: worth reporting, never storing.
                    result.refused.append(f"note {leaf.epoch}:{leaf.index}: {error}")
                    log.warning("refused an envelope of note %s:%s: %s", leaf.epoch, leaf.index, error)
                    continue
                except OpeningError:
                    continue  # malformed or another note's: anyone may put anything in an event
                if note is not None:
                    return note
        return None

    def _next_position(self) -> tuple[int, int]:
        latest = self.store.latest_leaf()
        return (0, 0) if latest is None else (latest.epoch, latest.index + 1)

    @staticmethod
    def _check_position(leaf: Leaf, expected: tuple[int, int]) -> tuple[int, int]:
        epoch, index = expected
        if (leaf.epoch, leaf.index) == (epoch, index) or (leaf.epoch == epoch + 1 and leaf.index == 0):
            return (leaf.epoch, leaf.index + 1)
        raise ChainError(f"the node skipped note events: expected note {epoch}:{index}, got {leaf.epoch}:{leaf.index}")

    def _check_root(self, epoch: int) -> None:
        latest = self.store.latest_leaf()
        assert latest is not None and latest.epoch == epoch
        root = self.store.tree(epoch).root
        if root != latest.root:
            raise ChainError(f"the note tree rebuilt from the node's events has root {root}, not the ledger's "
                             f"{latest.root}: the node's logs are incomplete or reordered")

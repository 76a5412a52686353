"""The registry's membership trees rebuilt off chain from its ``MembershipLeafChanged`` events, for
the siblings a registry call needs when it changes a leaf (and, for the shielded ledger, the
membership proofs its circuits consume).

Replaying the events in chain order gives zk-kit's LeanIMT exactly; after each event the rebuilt
root must equal the root the event carries, or :class:`~batterytrace.exceptions.ChainError` says the
two disagree. Syncing is incremental: each call reads only the blocks since the last one. Siblings
are of the tree as of the last sync, so a registry write by someone else between the sync and the
inclusion of a call makes zk-kit refuse the call (``WrongSiblingNodes``); the SDK then syncs and
sends once more.

The trees hold leaves, whatever they pack (``batterytrace.model.membership`` has the layouts): a
participant's leaf carries its shielding key, so :meth:`MembershipTrees.proof` of a participant is
the path a shielded-ledger circuit opens with the participant's secret; a rotated shielding key
replaces the leaf like any other change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from batterytrace.exceptions import ChainError
from batterytrace.model.membership import MembershipSet
from batterytrace.zk.merkle import LeanIMT, MembershipProof

if TYPE_CHECKING:
    from batterytrace.sdk.connection import Connection


class MembershipTrees:
    """The three trees of one deployment's registry, as its events built them."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._reset()

    def _reset(self) -> None:
        self._trees = {member_set: LeanIMT() for member_set in MembershipSet}
        self._leaves: dict[MembershipSet, dict[int, int]] = {member_set: {} for member_set in MembershipSet}
        self._next_block = self._connection.deployment.block_number
        self._last_hash: bytes | None = None

    def sync(self) -> None:
        """Apply the events since the last sync; rebuild from the deployment block when the chain
        no longer holds the last block synced (a reorganisation, or a development chain reverted
        to a snapshot)."""
        w3 = self._connection.chain.w3
        latest = w3.eth.block_number
        if self._last_hash is not None and (
                latest < self._next_block - 1 or bytes(w3.eth.get_block(self._next_block - 1)["hash"]) != self._last_hash):
            self._reset()
        if latest < self._next_block:
            return
        event = self._connection.registry.events.MembershipLeafChanged()
        logs = event.get_logs(from_block=self._next_block, to_block=latest)
        for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
            self._apply(log["args"])
        self._next_block = latest + 1
        self._last_hash = bytes(w3.eth.get_block(latest)["hash"])

    def _apply(self, args: dict) -> None:
        member_set, key = MembershipSet(args["set"]), int(args["key"])
        tree, old, new = self._trees[member_set], int(args["oldLeaf"]), int(args["newLeaf"])
        if old == 0:
            index = tree.insert(new)
        elif new == 0:
            index = tree.remove(old)
        else:
            index = tree.update(old, new)
        self._leaves[member_set][key] = new
        if index != int(args["index"]) or tree.root != int(args["root"]):
            raise ChainError(f"the {member_set.name.lower()} tree rebuilt from the registry's events disagrees with the "
                             f"chain at leaf {args['index']} (root {tree.root:#x}, chain {int(args['root']):#x})")

    def root(self, member_set: MembershipSet) -> int:
        """The tree's root as of the last sync."""
        return self._trees[member_set].root

    def leaf(self, member_set: MembershipSet, key: int) -> int:
        """The record's current leaf (zero when it has none), as of the last sync."""
        return self._leaves[member_set].get(key, 0)

    def siblings(self, member_set: MembershipSet, key: int) -> list[int]:
        """The siblings of the record's leaf, after a sync; empty when it has none."""
        self.sync()
        leaf = self.leaf(member_set, key)
        return list(self._trees[member_set].siblings(leaf)) if leaf else []

    def proof(self, member_set: MembershipSet, key: int) -> MembershipProof:
        """A membership proof of the record's leaf against the current root, after a sync."""
        self.sync()
        leaf = self.leaf(member_set, key)
        if not leaf:
            raise ChainError(f"record {key:#x} has no leaf in the {member_set.name.lower()} tree")
        return self._trees[member_set].proof(leaf)

    def tree(self, member_set: MembershipSet) -> LeanIMT:
        """The rebuilt tree itself, after a sync."""
        self.sync()
        return self._trees[member_set]

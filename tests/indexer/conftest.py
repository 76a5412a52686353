"""Fixtures for the indexer: what the chain's events say, read with web3 alone (the oracle the
index is held to), what the index says of the same facts, and a throwaway PostgreSQL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from batterytrace.indexer import Indexer
from batterytrace.indexer.database import DERIVED_TABLES
from batterytrace.sdk.note_history import NoteOperation
from batterytrace.zk.custody import CustodyOperation


@dataclass(frozen=True)
class LedgerFacts:
    """The ledger's public facts: every note (commitment -> epoch, leaf, root, block, transaction,
    the operation that made it and that operation's log index), every spent nullifier (-> block,
    transaction, the operation that spent it and its log index), and the mint tags used."""

    notes: dict[int, tuple[int, int, int, int, str, NoteOperation | None, int | None]]
    nullifiers: dict[int, tuple[int, str, NoteOperation | None, int | None]]
    mint_tags: frozenset[int]


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def read_chain_facts(world, from_block: int | None = None) -> LedgerFacts:
    """The facts as the ledger's logs state them, each operation's by its own event's arguments."""
    ledger = world.chain.contract("ShieldedLedger", world.deployment.ledger)
    start = world.deployment.block_number if from_block is None else from_block

    def logs(name: str):
        return getattr(ledger.events, name)().get_logs(from_block=start)

    made: dict[int, tuple[NoteOperation, int]] = {}
    spent: dict[int, tuple[NoteOperation, int]] = {}
    for log in logs("OriginMinted"):
        made[log["args"]["commitment"]] = (NoteOperation.MINT, log["logIndex"])
    for log in logs("CustodyStepped"):
        step = (NoteOperation[CustodyOperation(log["args"]["operation"]).name], log["logIndex"])
        made[log["args"]["commitment"]] = spent[log["args"]["nullifier"]] = step
    for log in logs("NotesTransformed"):
        made.update(dict.fromkeys(log["args"]["commitments"], (NoteOperation.TRANSFORM, log["logIndex"])))
        spent.update(dict.fromkeys(log["args"]["nullifiers"], (NoteOperation.TRANSFORM, log["logIndex"])))
    notes = {log["args"]["commitment"]: (log["args"]["epoch"], log["args"]["index"], log["args"]["root"], log["blockNumber"],
                                         _hex(log["transactionHash"]), *made.get(log["args"]["commitment"], (None, None)))
             for log in logs("NoteCreated")}
    nullifiers = {log["args"]["nullifier"]: (log["blockNumber"], _hex(log["transactionHash"]),
                                             *spent.get(log["args"]["nullifier"], (None, None)))
                  for log in logs("NoteSpent")}
    return LedgerFacts(notes, nullifiers, frozenset(log["args"]["mintTag"] for log in logs("OriginMinted")))


def read_index_facts(index: Indexer, from_block: int | None = None) -> LedgerFacts:
    """The same facts as the index's queries answer them."""
    notes = {note.commitment: (note.epoch, note.leaf_index, note.root, note.block_number, note.transaction_hash, note.operation,
                               note.operation_log_index)
             for note in index.notes(from_block=from_block)}
    nullifiers = {spent.nullifier: (spent.block_number, spent.transaction_hash, spent.operation, spent.operation_log_index)
                  for spent in index.nullifiers(from_block=from_block)}
    tags = index.db.execute("SELECT mint_tag FROM ledger_operations WHERE mint_tag IS NOT NULL AND block_number >= ?",
                            (from_block or 0,))
    return LedgerFacts(notes, nullifiers, frozenset(int(tag, 16) for (tag,) in tags))


@pytest.fixture
def chain_facts() -> Callable[..., LedgerFacts]:
    """``chain_facts(world, from_block=None)``: the ledger's facts from its logs."""
    return read_chain_facts


@pytest.fixture
def index_facts() -> Callable[..., LedgerFacts]:
    """``index_facts(index, from_block=None)``: the ledger's facts from the index."""
    return read_index_facts


def table_rows(index: Indexer) -> dict[str, list[tuple]]:
    """Every row of the raw and derived tables, in a stable order."""
    return {table: sorted(index.db.execute(f"SELECT * FROM {table}"), key=repr)
            for table in ("events", "calls", *DERIVED_TABLES)}


@pytest.fixture
def tables() -> Callable[[Indexer], dict[str, list[tuple]]]:
    """``tables(index)``: every row of the index's raw and derived tables, in a stable order."""
    return table_rows


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    # Debian's postgresql package keeps the server tools off PATH.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server in a temporary directory on a free local port; yields a URL for its admin."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'psycopg[binary]'")
    # initdb refuses to run as root; run the server as the postgres account then.
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as an unprivileged user")
        as_user = ["runuser", "-u", "postgres", "--"]
    workdir = Path(tempfile.mkdtemp(prefix="batterytrace-pg-"))
    data = workdir / "data"
    if as_user:
        shutil.chown(workdir, "postgres")
    port = _free_port()
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run(
        [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "log"), "-w", "-o",
         f"-h 127.0.0.1 -p {port} -k {workdir}", "start"],
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"index_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"

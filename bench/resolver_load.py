"""A bounded load test of the passport resolver on loopback: the public tier (each battery's JSON-LD)
requested by ``concurrency`` threads for at most ``seconds`` (never over 60; it stops itself), every
answer checked against the document it must be, while participants sign in (EIP-4361) over and over
and read the restricted tiers, each read checked against what its role may see. Next to it, the same
requests answered by reading the chain directly (the passport's record, holder and document URI by
``eth_call``, as a resolver without an index would), in the same run and threads.

``python bench/resolver_load.py [--seconds 20]`` runs it on a fresh bench world; ``bench/run.py``
runs it in the full benchmark; ``tests/resolver/test_load.py`` runs the short version.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

MAX_SECONDS = 60.0


@dataclass
class Tally:
    """Requests, their latencies (s), wrong answers and restricted data served to a role not entitled to it."""

    latencies: list[float] = field(default_factory=list)
    wrong: int = 0
    leaks: int = 0
    sign_ins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, right: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.wrong += not right

    def summary(self, elapsed: float, restricted: bool = False) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")
        return {"requests": len(ordered), "seconds": round(elapsed, 2), "requests_per_second": round(len(ordered) / elapsed, 1),
                "p50_ms": round(1000 * statistics.median(ordered), 2) if ordered else None, "p99_ms": round(1000 * p99, 2),
                "wrong": self.wrong, **({"leaks": self.leaks, "sign_ins": self.sign_ins} if restricted else {})}


@dataclass(frozen=True)
class Reader:
    """A participant that signs in and reads both restricted tiers: ``allowed`` those it may."""

    signer: Any
    allowed: frozenset[str]


def _hammer(work: Callable[[httpx.Client], bool], seconds: float, concurrency: int) -> dict[str, Any]:
    tally = Tally()
    deadline = time.monotonic() + min(seconds, MAX_SECONDS)

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                right = work(client)
                tally.add(time.perf_counter() - started, right)

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return tally.summary(time.monotonic() - started)


def public_tier_load(url: str, expected: dict[str, str], seconds: float, concurrency: int,
                     readers: dict[str, Reader] | None = None, tier_path: str | None = None) -> dict[str, Any]:
    """Hammer the public tier: ``expected`` maps a battery's path to its passport identifier, which
    each JSON-LD answer must carry. ``readers`` sign in and read the tiers of ``tier_path`` meanwhile,
    one thread each, every answer checked against the reader's role."""
    paths = sorted(expected)
    stop = threading.Event()
    readers = readers or {}
    reads = Tally()

    def read_tiers(reader: Reader) -> None:
        from batterytrace.sdk.resolver import ResolverClient, sign_in

        resolver = ResolverClient(url)
        while not stop.is_set():
            token = sign_in(resolver, reader.signer)
            with reads.lock:
                reads.sign_ins += 1
            for tier in ("legitimateInterest", "authorities"):
                started = time.perf_counter()
                answer = httpx.get(url + tier_path, params={"tier": tier}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
                served = answer.status_code == 200
                right = served == (tier in reader.allowed) and (not served or answer.json()["servedTo"] == reader.signer.address)
                reads.add(time.perf_counter() - started, right)
                if served and tier not in reader.allowed:
                    with reads.lock:
                        reads.leaks += 1

    def one(client: httpx.Client) -> bool:
        path = random.choice(paths)
        answer = client.get(url + path, headers={"Accept": "application/ld+json"})
        return (answer.status_code == 200
                and answer.json()["credentialSubject"]["batteryPass"]["passportIdentifier"] == expected[path])

    threads = [threading.Thread(target=read_tiers, args=(reader,), daemon=True) for reader in readers.values()]
    for thread in threads:
        thread.start()
    try:
        public = _hammer(one, seconds, concurrency)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    public["restricted"] = reads.summary(max(public["seconds"], 1e-9), restricted=True) if readers else None
    return public


def chain_read_load(read: Callable[[str], str], expected: dict[str, str], seconds: float, concurrency: int) -> dict[str, Any]:
    """The anchor: the same requests answered by ``read(path)`` from the chain directly."""
    paths = sorted(expected)
    return _hammer(lambda _client: (lambda path: read(path) == expected[path])(random.choice(paths)), seconds, concurrency)


def measure(bench: Any, seconds: float = 20.0, concurrency: int = 8, passports: int = 8) -> dict[str, Any]:
    """On a bench world: issue and publish ``passports`` passports, start a resolver, and load it and
    the chain-read anchor for ``seconds`` each (at most 60)."""
    import tempfile

    from batterytrace.evm.node import free_port
    from batterytrace.sdk.passports import get_passport
    from batterytrace.sdk.resolver import LocalResolver, ResolverClient, ResolverSettings, battery_path, local_public_url, publish
    from tests.helpers.sandbox import signer
    from tests.resolver.conftest import issue_documents

    world = bench.world
    ids, documents = issue_documents(world, [f"LOAD-{n}" for n in range(passports)])
    with tempfile.TemporaryDirectory(prefix="batterytrace-load-") as directory:
        work = Path(directory)
        world.deployment.save(work / "deployment.json")
        port = free_port()
        settings = ResolverSettings(world.chain.rpc_url, str(work / "deployment.json"), str(work / "resolver.sqlite"),
                                    str(work / "issuer.jwk"), "pack maker", local_public_url(port), str(work / "access.log"))
        with LocalResolver(settings, work, port=port) as resolver:
            client = ResolverClient(resolver.url)
            expected = {}
            for serial, passport_id in ids.items():
                answer = publish(client, signer(7), passport_id, documents[serial])
                expected[answer["url"].removeprefix(resolver.url)] = documents[serial]["passportIdentifier"]
            readers = {"recycler": Reader(signer(9), frozenset({"legitimateInterest"})),
                       "authority": Reader(signer(17), frozenset({"authorities"}))}
            first = next(iter(expected))
            public = public_tier_load(resolver.url, expected, seconds, concurrency, readers, first)
        by_path = {battery_path(document["generalProductInformation"]["productIdentifier"]): ids[serial]
                   for serial, document in documents.items()}
        identifiers = {ids[serial]: document["passportIdentifier"] for serial, document in documents.items()}
        reader = world.clients["stranger"]

        def from_chain(path: str) -> str:
            record = get_passport(reader, by_path[path])  # passport(), ownerOf(), tokenURI(): three eth_calls
            return identifiers[record.passport_id]

        anchor = chain_read_load(from_chain, expected, seconds, concurrency)
    return {"concurrency": concurrency, "passports": passports, "resolver": public, "chain_reads": anchor,
            "how": f"{concurrency} client threads on loopback for {min(seconds, MAX_SECONDS):.0f} s each, the resolver's public "
                   "tier (JSON-LD) against the same answers read from the chain by eth_call; two participants signing in and "
                   "reading both restricted tiers throughout"}


def section(results: dict[str, Any] | None) -> list[str]:
    """BENCHMARKS.md's resolver section."""
    out = ["## 7. The passport resolver under load\n"]
    if not results or "resolver" not in results:
        out.append("Not measured in this run.\n")
        return out
    r, c = results["resolver"], results["chain_reads"]
    out.append(f"{results['how']} ({results['passports']} passports; `bench/resolver_load.py`)."
               + (f" {results['note']}" if results.get("note") else "") + "\n")
    out.append("| answered by | requests/s | p50 ms | p99 ms | requests | wrong answers |")
    out.append("|---|---:|---:|---:|---:|---:|")
    out.append(f"| resolver (index, publications) | {r['requests_per_second']} | {r['p50_ms']} | {r['p99_ms']} | {r['requests']} | {r['wrong']} |")
    out.append(f"| reading the chain (3 `eth_call`s) | {c['requests_per_second']} | {c['p50_ms']} | {c['p99_ms']} | {c['requests']} | {c['wrong']} |")
    ratio = r["requests_per_second"] / c["requests_per_second"] if c["requests_per_second"] else float("nan")
    restricted = r.get("restricted") or {}
    out.append(f"\nThe resolver answers **{ratio:.1f}×** the requests per second of reading the chain directly. Meanwhile "
               f"{restricted.get('sign_ins', 0)} sign-ins read {restricted.get('requests', 0)} restricted tiers: "
               f"{restricted.get('wrong', 0)} wrong answers, **{restricted.get('leaks', 0)} leaks** (a tier served to a role "
               "not entitled to it).\n")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
    import gas_bench

    with gas_bench.bench_world() as bench:
        print(json.dumps(measure(bench, arguments.seconds, arguments.concurrency), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())


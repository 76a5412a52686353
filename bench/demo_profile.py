"""Where the demo's time goes: the whole run with the prover, the relayer client and both scanners
wrapped in wall-clock timers; prints each one's seconds, calls and share of the run as JSON.

    python bench/demo_profile.py OUT_DIR

Shares are what to read: on a machine shared with other work the seconds stretch, the shares less."""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from batterytrace.demo import run_demo
from batterytrace.sdk.relayer import RelayerClient
from batterytrace.sdk.scanner import NoteScanner
from batterytrace.sdk.trees import MembershipTrees
from batterytrace.zk.prover import Prover

SPENT: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(owner: type, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] += time.monotonic() - start
            CALLS[label] += 1

    setattr(owner, name, wrapper)


def main(out_dir: Path) -> dict[str, Any]:
    timed(Prover, "prove", "prove")
    timed(RelayerClient, "submit", "relayer submit")
    timed(NoteScanner, "sync", "note scan")
    timed(MembershipTrees, "sync", "registry trees sync")
    start = time.monotonic()
    run_demo(out_dir, progress=False)
    total = time.monotonic() - start
    parts = {label: {"s": round(seconds, 1), "calls": CALLS[label], "share": round(seconds / total, 3)}
             for label, seconds in SPENT.items()}
    untimed = total - sum(SPENT.values())
    return {"total_s": round(total, 1), **parts, "untimed": {"s": round(untimed, 1), "share": round(untimed / total, 3)}}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=1))

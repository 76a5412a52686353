"""zk-kit's own JS LeanIMT (``tests/helpers/lean_imt.js``: ``@zk-kit/lean-imt`` with circomlibjs's
Poseidon) as a Python object, for the tests that hold a tree on chain or in Python to zk-kit's roots."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from batterytrace.evm.toolchain import node_binary, node_modules

JS_HELPER = Path(__file__).resolve().parent / "lean_imt.js"


class ZkKitTree:
    """One Node process for as long as the object lives, one JSON line per request (see lean_imt.js).
    zk-kit's JS tree allows duplicate leaves, unlike the Python twin and zk-kit's Solidity tree."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [node_binary(), str(JS_HELPER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=dict(os.environ, NODE_PATH=str(node_modules())),
        )

    def run(self, leaves: Sequence[int] = (), operations: Sequence[Sequence[Any]] = (), proofs: Sequence[int] = ()) -> dict[str, Any]:
        """Build a tree from ``leaves``, apply ``operations`` (``["insert", leaf]``, ``["insertMany",
        [leaves]]``, ``["update", old, new]``, ``["remove", leaf]``) and prove the leaves in ``proofs``.
        The reply holds the root after each operation (decimal strings), the final size, depth and
        root, and the proofs."""
        def text(value: Any) -> Any:
            return [text(item) for item in value] if isinstance(value, list | tuple) else str(value)

        request = {"leaves": text(list(leaves)), "operations": [[kind, *map(text, rest)] for kind, *rest in operations],
                   "proofs": text(list(proofs))}
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        reply = json.loads(self._process.stdout.readline())
        assert "error" not in reply, reply.get("error")
        return reply

    def close(self) -> None:
        """End the Node process."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)

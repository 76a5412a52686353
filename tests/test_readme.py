"""The README's SDK example runs as written, on a node at the address it names."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from eth_account import Account

from batterytrace.evm.chain import Chain
from batterytrace.evm.node import LocalNode
from batterytrace.model.lots import LotStatus
from batterytrace.sdk.relayer import LocalRelayer
from tests.helpers.relayer import relayer_settings
from tests.helpers.sandbox import build_world, signer

ROOT = Path(__file__).resolve().parent.parent
README_PORT = 8545  # the example's http://127.0.0.1:8545, where `batterytrace node start` listens
RELAYER_PORT = 8546  # the example's relayer, where `batterytrace relayer start` listens


def sdk_example() -> str:
    section = ROOT.joinpath("README.md").read_text().split("## Using it", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's 'Using it' section has no python example"
    return match.group(1)


def test_the_readme_sdk_example_runs_as_written(tmp_path, monkeypatch, prover):
    for port in (README_PORT, RELAYER_PORT):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                pytest.fail(f"port {port} is taken: the README example needs it")
    with LocalNode(port=README_PORT) as node:
        world = build_world(Chain(node.url), prover)
        # What the reader has: the deployment `batterytrace deploy` wrote, a relayer `batterytrace relayer
        # start` runs, the miner's keystore and its password, and the refinery's address; facility 1 is
        # the miner's certified mine.
        settings = relayer_settings(node.url, world.deployment, tmp_path)
        with LocalRelayer(settings, tmp_path, port=RELAYER_PORT):
            monkeypatch.chdir(tmp_path)
            world.deployment.save(Path(".batterytrace/deployments/31337.json"))
            password = "correct horse battery staple"
            Path("miner.json").write_text(json.dumps(Account.encrypt(signer(2).private_key, password)))
            assert world.facilities["miner"].facility_id == 1 and world.miner.address == signer(2).address
            namespace = {"password": password, "refinery_address": world.refiner.address}
            exec(compile(sdk_example(), "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
            bag = namespace["bag"]
            lot = world.refiner.lot(bag.lot_id)
            assert lot.status is LotStatus.IN_TRANSIT and lot.pending_receiver == world.refiner.address
            assert lot.custodian == world.miner.address and lot.cobalt_grams == 700_000

"""`batterytrace relayer start/status/stop`: a background relayer for the deployment file's ledger,
on dev account 19 by default on the local chain, its record and log in the state folder; and one
clear line when there is no deployment or no relayer."""

from __future__ import annotations

import json

from click.testing import CliRunner

from batterytrace import cli
from batterytrace.cli import session as cli_session
from batterytrace.evm.node import free_port
from batterytrace.sdk.relayer import stop_background
from tests.helpers.relayer import RELAYER_ADDRESS


def test_relayer_start_status_and_stop_through_the_cli(session_world, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_session, "STATE_DIR", tmp_path)
    runner = CliRunner()
    rpc = session_world.chain.rpc_url

    def invoke(*arguments: str):
        return runner.invoke(cli.main, ["--rpc", rpc, *arguments], catch_exceptions=False)

    missing = invoke("relayer", "start")
    assert missing.exit_code == 1
    assert missing.output.strip() == f"error: no deployment at {tmp_path / 'deployments' / '31337.json'}: run `batterytrace deploy` first"
    session_world.deployment.save(tmp_path / "deployments" / "31337.json")
    port = free_port()
    try:
        started = invoke("relayer", "start", "--port", str(port))
        assert started.exit_code == 0, started.output
        assert started.output.startswith(f"relayer running at http://127.0.0.1:{port} (pid ")
        assert json.loads((tmp_path / "relayer.json").read_text())["port"] == port
        status = invoke("relayer", "status", "--json")
        assert status.exit_code == 0, status.output
        shown = json.loads(status.output)
        assert (shown["relayer"], shown["ledger"], shown["chain_id"], shown["pending"]) == (
            RELAYER_ADDRESS, session_world.deployment.ledger, 31337, 0)
        assert int(shown["balance_wei"]) > 0
        # A second start finds the running one.
        assert invoke("relayer", "start", "--port", str(free_port())).output.startswith(f"relayer running at http://127.0.0.1:{port} ")
        stopped = invoke("relayer", "stop")
        assert stopped.output.strip() == f"stopped the relayer at http://127.0.0.1:{port}"
    finally:
        stop_background(tmp_path)
    gone = invoke("relayer", "status")
    assert (gone.exit_code, gone.output.strip()) == (1, "error: no relayer is running: start one with `batterytrace relayer start`")
    assert invoke("relayer", "stop").output.strip() == "no relayer was running"

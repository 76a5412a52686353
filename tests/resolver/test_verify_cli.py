"""`batterytrace passport publish` and `passport verify`: both paths, and which held."""

from __future__ import annotations

import json

from click.testing import CliRunner

from batterytrace import cli


def run(served, *arguments: str, account: int | None = None):
    prefix = ["--rpc", served.world.chain.rpc_url, "--deployment", served.settings.deployment_path]
    prefix += ["--dev-account", str(account)] if account is not None else []
    return CliRunner().invoke(cli.main, [*prefix, *arguments], catch_exceptions=False)


def test_verify_checks_the_proof_on_chain_and_the_credential_offline(served):
    result = run(served, "passport", "verify", hex(served.passports["RES-1"]), "--resolver", served.url)
    assert result.exit_code == 0, result.output
    proof, credential = result.output.strip().splitlines()
    assert "proof on chain: VERIFIED" in proof
    assert "credential: VERIFIED: signature by did:web:127.0.0.1%3A" in credential


def test_verify_says_which_path_failed(served, tmp_path):
    result = run(served, "passport", "verify", hex(served.unpublished), "--resolver", served.url)
    assert result.exit_code == 2, result.output
    proof, credential = result.output.strip().splitlines()
    assert "proof on chain: VERIFIED" in proof and "credential: NOT VERIFIED" in credential and "404" in credential


def test_publish_then_verify_from_the_command_line(served, tmp_path):
    document = tmp_path / "passport.json"
    document.write_text(json.dumps(served.documents["RES-3"]))
    refused = run(served, "passport", "publish", hex(served.unpublished), "--document", str(document), "--resolver", served.url, account=9)
    assert refused.exit_code == 1 and refused.output.startswith("error: ") and "403" in refused.output
    result = run(served, "passport", "publish", hex(served.unpublished), "--document", str(document), "--resolver", served.url, account=7)
    assert result.exit_code == 0, result.output
    assert f"published at {served.url}{served.path('RES-3')}" in result.output
    verified = run(served, "passport", "verify", hex(served.unpublished), "--resolver", served.url)
    assert verified.exit_code == 0 and verified.output.count(": VERIFIED") == 2, verified.output

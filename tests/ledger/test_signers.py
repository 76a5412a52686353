"""Accounts from a private key, an encrypted keystore or a mnemonic: a client built on any of them
acts as its account (the shielding key it derives is the one registered)."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import ConfigurationError
from batterytrace.sdk.client import BatteryTrace
from tests.helpers.flows import HYDROXIDE_BAG
from tests.helpers.sandbox import signer


def test_a_keystore_signer_acts_as_its_account(world, tmp_path):
    key = signer(2).private_key
    keystore = tmp_path / "miner.json"
    keystore.write_text(json.dumps(Account.encrypt(key, "correct horse")))
    miner = BatteryTrace(world.chain, world.deployment, LocalSigner.from_keystore(keystore, "correct horse"),
                         prover=world.miner.prover, relayer=world.miner.relayer)
    assert miner.address == world.miner.address
    assert miner.shielding_public_key == world.miner.shielding_public_key
    result = miner.mint_origin(world.facilities["miner"].facility_id, "KEYSTORE-1", **HYDROXIDE_BAG)
    assert miner.lot(result.lot_id).custodian == world.miner.address
    assert world.miner.lot(result.lot_id).note == result.note  # the mnemonic's client opens it too


def test_a_wrong_keystore_password_is_a_configuration_error(tmp_path):
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(signer(3).private_key, "right")))
    with pytest.raises(ConfigurationError, match="cannot decrypt"):
        LocalSigner.from_keystore(keystore, "wrong")


def test_a_raw_private_key_signer_matches_the_mnemonic_account():
    assert LocalSigner.from_key("0x" + signer(4).private_key.hex()).address == signer(4).address


def test_a_malformed_private_key_is_refused():
    with pytest.raises(ConfigurationError, match="not a valid private key"):
        LocalSigner.from_key("0x1234")

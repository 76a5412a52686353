"""Accounts from a private key, an encrypted keystore or a mnemonic; many operations sent without
waiting for each receipt, none lost or duplicated."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from batterytrace.evm.signers import LocalSigner
from batterytrace.exceptions import ConfigurationError
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.store import OpeningStore
from tests.helpers.flows import mint_at
from tests.helpers.sandbox import signer


def test_a_keystore_signer_sends_as_its_account(world, tmp_path):
    key = signer(2).private_key
    keystore = tmp_path / "miner.json"
    keystore.write_text(json.dumps(Account.encrypt(key, "correct horse")))
    miner = BatteryTrace(world.chain, world.deployment, LocalSigner.from_keystore(keystore, "correct horse"), OpeningStore(":memory:"),
                         world.miner.prover)
    assert miner.address == world.miner.address
    result = miner.mint_origin(world.facilities["miner"].facility_id, "KEYSTORE-1", MaterialKind.COBALT_HYDROXIDE,
                               700_000, 2_000_000, 7_000_000)
    assert miner.lot(result.lot_id).custodian == world.miner.address


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


def test_pipelined_offers_are_all_applied_once(world):
    bags = [mint_at(world, "miner", f"PIPE-{index}") for index in range(6)]
    pendings = [world.miner.offer(bag.lot_id, world.refiner.address, wait=False) for bag in bags]
    assert len({pending.nonce for pending in pendings}) == len(bags)
    receipts = world.chain.wait_all(pendings)
    assert all(receipt.succeeded for receipt in receipts)
    for bag in bags:
        lot = world.refiner.lot(bag.lot_id)
        assert lot.status is LotStatus.IN_TRANSIT
        assert lot.pending_receiver == world.refiner.address
    offered = world.refiner.lots.events.LotOffered().get_logs(argument_filters={"from": world.miner.address},
                                                               from_block=world.deployment.block_number)
    assert sorted(log["args"]["lotId"] for log in offered) == sorted(bag.lot_id for bag in bags)

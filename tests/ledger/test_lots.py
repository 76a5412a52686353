"""Origin lots through the ERP's calls (sdk/ledger.py): who may mint, what the proof fixes, idempotent
external ids, the lot id and who sees it. The refusals are checked before anything is proven or sent."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import (
    Co2eBelowFloorError,
    FacilityNotAllowedError,
    MissingRoleError,
    UnknownLotError,
)
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import Scheme
from batterytrace.model.risk import RiskFlag
from batterytrace.sdk.shielded import external_id_number
from batterytrace.zk.origin import origin_tag
from tests.helpers.flows import HYDROXIDE_BAG, mint_at


def block(world) -> int:
    return world.chain.w3.eth.block_number


def test_a_certified_mine_lot_counts_all_its_cobalt_as_certified_and_only_its_holders_see_it(world):
    result = mint_at(world, "miner", "TFM-2026-0001")
    cobalt = result.note.values.metals[0]
    assert result.created and (cobalt.grams, cobalt.certified_grams, cobalt.post_consumer_grams) == (700_000, 700_000, 0)
    lot = world.miner.lot(result.lot_id)
    assert (lot.lot_id, lot.note, lot.kind, lot.status) == (result.lot_id, result.note, MaterialKind.COBALT_HYDROXIDE, LotStatus.ACTIVE)
    assert (lot.custodian, lot.pending_receiver, lot.cobalt_grams, lot.total_grams) == (world.miner.address, None, 700_000, 2_000_000)
    assert world.miner.genealogy(result.lot_id)[0].certified_schemes == {Scheme.IRMA}
    # The lot id is the note's tag: the creator's shielding secret, the site and the ERP's id, hashed.
    site = world.facilities["miner"].facility_id
    assert result.lot_id == origin_tag(world.miner.shielding_keys.secret, site, external_id_number("TFM-2026-0001"))
    assert world.auditor.lot(result.lot_id).note == result.note  # every note is sealed for the auditors
    with pytest.raises(UnknownLotError):
        world.refiner.lot(result.lot_id)
    # Minting the same external id again returns the lot and sends nothing.
    before = block(world)
    again = mint_at(world, "miner", "TFM-2026-0001")
    assert (again.lot_id, again.note, again.created) == (result.lot_id, result.note, False)
    assert block(world) == before


def test_an_uncertified_artisanal_lot_carries_no_certified_cobalt_and_the_sites_flags(world):
    result = mint_at(world, "artisanal_miner", "ASM-0001", cobalt_grams=60_000, total_grams=200_000, co2e_grams=600_000)
    assert result.note.values.metals[0].certified_grams == 0
    assert result.note.values.risk_flags == RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL
    assert world.artisanal_miner.genealogy(result.lot_id)[0].certified_schemes == frozenset()


def test_a_recyclers_origin_lot_is_post_consumer_cobalt(world):
    result = mint_at(world, "recycler", "BM-0001", kind=MaterialKind.BLACK_MASS, cobalt_grams=50_000, total_grams=500_000,
                     co2e_grams=300_000)
    cobalt = result.note.values.metals[0]
    assert (cobalt.post_consumer_grams, cobalt.pre_consumer_grams, cobalt.certified_grams) == (50_000, 0, 0)
    assert world.recycler.lot(result.lot_id).kind is MaterialKind.BLACK_MASS


def test_who_may_mint_where_is_checked_before_proving(world):
    before = block(world)
    with pytest.raises(FacilityNotAllowedError, match="origin lots come from mines"):
        world.refiner.mint_origin(world.facilities["refiner"].facility_id, "R-1", **HYDROXIDE_BAG)
    with pytest.raises(FacilityNotAllowedError, match="operated by"):
        world.artisanal_miner.mint_origin(world.facilities["miner"].facility_id, "STOLEN-1", **HYDROXIDE_BAG)
    with pytest.raises(Co2eBelowFloorError, match="below the rulebook floor") as refused:
        mint_at(world, "miner", "TFM-CLEAN", co2e_grams=1)
    assert (refused.value.co2e_grams, refused.value.metal_grams) == (1, 700_000)
    for figures in ({"cobalt_grams": 2**64, "total_grams": 2**64}, {"cobalt_grams": 0}, {"cobalt_grams": 2_000_001}):
        with pytest.raises(ValueError, match="2\\^64|must contain some metal|exceed its total_grams"):
            mint_at(world, "miner", "TFM-ODD", **figures)
    assert block(world) == before
    world.admin.revoke_participant(world.miner.address)
    with pytest.raises(MissingRoleError, match="MINER_ROLE"):
        mint_at(world, "miner", "TFM-REVOKED")


def test_reading_a_lot_no_note_opens_for_names_it(world):
    with pytest.raises(UnknownLotError, match="lot 0x3039 does not exist"):
        world.miner.lot(12345)
    with pytest.raises(ValueError, match="a lot id is an integer"):
        world.miner.lot(-1)


def test_an_expired_certification_leaves_new_lots_uncertified(world):
    certification = world.admin.certification(world.certification_ids["miner"])
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [int(certification.valid_until.timestamp()) + 10])
    world.chain.w3.provider.make_request("evm_mine", [])
    result = mint_at(world, "miner", "TFM-AFTER-EXPIRY")
    assert result.note.values.metals[0].certified_grams == 0
    assert world.miner.genealogy(result.lot_id)[0].certified_schemes == frozenset()

"""Origin lots: who may mint, what the proof fixes, idempotent external ids, the public record."""

from __future__ import annotations

import pytest

from batterytrace.exceptions import (
    Co2eBelowFloorError,
    FacilityNotAllowedError,
    MissingRoleError,
    UnknownLotError,
)
from batterytrace.model.identifiers import lot_id_for
from batterytrace.model.lots import LotStatus, MaterialKind
from batterytrace.model.registry import Role, Scheme
from batterytrace.model.risk import RiskFlag
from tests.helpers.flows import HYDROXIDE_BAG, mint_at


def test_certified_mine_lot_counts_all_its_cobalt_as_certified(world):
    result = mint_at(world, "miner", "TFM-2026-0001")
    assert result.opening.certified_cobalt_grams == 700_000
    assert result.opening.recycled_cobalt_grams == 0
    lot = world.miner.lot(result.lot_id)
    assert lot.commitment == result.opening.commitment
    assert lot.certified_schemes == {Scheme.IRMA}
    assert lot.custodian == world.miner.address
    assert lot.status is LotStatus.ACTIVE
    assert lot.kind is MaterialKind.COBALT_HYDROXIDE


def test_uncertified_artisanal_lot_carries_no_certified_cobalt_and_the_site_flags(world):
    result = mint_at(world, "artisanal_miner", "ASM-0001", cobalt_grams=60_000, total_grams=200_000, co2e_grams=600_000)
    assert result.opening.certified_cobalt_grams == 0
    assert result.opening.risk_flags == RiskFlag.CHILD_LABOUR | RiskFlag.ARTISANAL
    assert world.miner.lot(result.lot_id).certified_schemes == frozenset()


def test_recycler_origin_lot_is_recycled_cobalt(world):
    result = mint_at(world, "recycler", "BM-0001", kind=MaterialKind.BLACK_MASS, cobalt_grams=50_000, total_grams=500_000, co2e_grams=300_000)
    assert result.opening.recycled_cobalt_grams == 50_000
    assert result.opening.certified_cobalt_grams == 0


def test_minting_the_same_external_id_twice_returns_the_existing_lot(world):
    first = mint_at(world, "miner", "TFM-2026-0002")
    second = mint_at(world, "miner", "TFM-2026-0002")
    assert second.lot_id == first.lot_id
    assert second.created is False
    assert second.opening == first.opening


def test_the_lot_id_is_derived_from_creator_and_external_id(world):
    result = mint_at(world, "miner", "TFM-2026-0003")
    assert result.lot_id == lot_id_for(world.miner.address, "TFM-2026-0003")
    assert result.lot_id == world.miner.lots.functions.lotIdFor(world.miner.address, b"TFM-2026-0003".ljust(32, b"\0")).call()


def test_a_processor_cannot_mint_origin_lots(world):
    with pytest.raises(FacilityNotAllowedError, match="origin lots come from mines"):
        world.refiner.mint_origin(world.facilities["refiner"].facility_id, "R-1", **HYDROXIDE_BAG)


def test_a_miner_cannot_mint_at_another_miners_facility(world):
    with pytest.raises(FacilityNotAllowedError, match="operated by"):
        world.artisanal_miner.mint_origin(world.facilities["miner"].facility_id, "STOLEN-1", **HYDROXIDE_BAG)


def test_a_miner_whose_role_was_revoked_cannot_mint(world):
    world.admin.revoke_participant(world.miner.address)
    with pytest.raises(MissingRoleError, match="MINER_ROLE"):
        mint_at(world, "miner", "TFM-REVOKED")


def test_declared_emissions_below_the_rulebook_floor_are_refused_before_sending(world):
    with pytest.raises(Co2eBelowFloorError, match="below the rulebook floor"):
        mint_at(world, "miner", "TFM-CLEAN", co2e_grams=1)


def test_cobalt_above_64_bits_is_refused(world):
    with pytest.raises(ValueError, match="2\\^64"):
        mint_at(world, "miner", "TFM-HUGE", cobalt_grams=2**64, total_grams=2**64)


def test_reading_an_unknown_lot_names_it(world):
    with pytest.raises(UnknownLotError, match="does not exist"):
        world.miner.lot(12345)


def test_an_expired_certification_leaves_new_lots_uncertified(world):
    certification = world.admin.certification(world.certification_ids["miner"])
    world.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [int(certification.valid_until.timestamp()) + 10])
    world.chain.w3.provider.make_request("evm_mine", [])
    result = mint_at(world, "miner", "TFM-AFTER-EXPIRY")
    assert result.opening.certified_cobalt_grams == 0
    assert world.miner.lot(result.lot_id).certified_schemes == frozenset()

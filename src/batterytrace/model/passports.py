"""Passports: status lifecycle and identifiers (the twin of ``BatteryPassport``'s rules)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_utils import to_checksum_address

from batterytrace.model.battery_ids import parse_battery_id


class PassportStatus(IntEnum):
    NONE = 0
    ORIGINAL = 1
    REPURPOSED = 2
    REUSED = 3
    REMANUFACTURED = 4
    WASTE = 5


@dataclass(frozen=True)
class ClaimBounds:
    """What a passport claims about its pack (``IBatteryPassport.Claims``): proven without opening
    the pack's note. A note passport's recycled share is its pre- and post-consumer shares summed."""

    cobalt_grams: int
    min_certified_bps: int
    min_recycled_bps: int
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    capacity_wh: int
    forbidden_risk_flags: int

    def as_tuple(self) -> tuple[int, ...]:
        return (self.cobalt_grams, self.min_certified_bps, self.min_recycled_bps, self.max_co2e_grams_per_kg_cobalt,
                self.max_co2e_grams_per_kwh, self.capacity_wh, self.forbidden_risk_flags)


def passport_id_for(battery_id: str) -> int:
    """The passport id of a battery identifier: keccak256 of its canonical form (one battery, one
    passport, whatever host its Digital Link names); ``MalformedBatteryIdError`` for a malformed id."""
    return int.from_bytes(parse_battery_id(battery_id).key, "big")


def holder_may_change(current: PassportStatus, requested: PassportStatus) -> bool:
    """Whether the battery's holder may record ``requested`` now (``BatteryPassport._allowedTransition``):
    Original to any later status, the second-life statuses to each other or Waste; Waste is final."""
    return (current is not PassportStatus.WASTE and requested not in (PassportStatus.NONE, PassportStatus.ORIGINAL)
            and requested is not current)


def authority_may_correct(current: PassportStatus, requested: PassportStatus) -> bool:
    """Whether an authority may correct the status to ``requested`` (any status but None, Waste
    included, as long as it changes)."""
    return requested is not PassportStatus.NONE and requested is not current


def passport_urn(chain_id: int, passport_contract: str, passport_id: int) -> str:
    return f"urn:batterytrace:passport:{chain_id}:{to_checksum_address(passport_contract)}:{passport_id:#x}"

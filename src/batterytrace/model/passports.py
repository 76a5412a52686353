"""Passports: status lifecycle and identifiers (the twin of ``BatteryPassport``'s rules)."""

from __future__ import annotations

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

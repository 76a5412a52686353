"""Passports: status lifecycle and identifiers."""

from __future__ import annotations

from enum import IntEnum

from eth_utils import keccak, to_checksum_address


class PassportStatus(IntEnum):
    NONE = 0
    ORIGINAL = 1
    REPURPOSED = 2
    REUSED = 3
    REMANUFACTURED = 4
    WASTE = 5


def passport_id_for(battery_id: str) -> int:
    """The passport id of a battery identifier (one battery, one passport)."""
    return int.from_bytes(keccak(text=battery_id), "big")


def passport_urn(chain_id: int, passport_contract: str, passport_id: int) -> str:
    return f"urn:batterytrace:passport:{chain_id}:{to_checksum_address(passport_contract)}:{passport_id:#x}"

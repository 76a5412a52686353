"""Passports: status lifecycle and identifiers (the twin of ``BatteryPassport``'s rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

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
class MetalBounds:
    """What a passport claims about one metal of its pack: all of its grams traced (the passport's
    slot in its batch proof), and at least these shares certified, pre- and post-consumer recycled
    (bps, the batch's ``IBatteryPassport.MetalShares``)."""

    grams: int
    min_certified_bps: int
    min_pre_consumer_bps: int
    min_post_consumer_bps: int

    @property
    def min_recycled_bps(self) -> int:
        """The recycled share proven: the pre- and post-consumer shares together."""
        return self.min_pre_consumer_bps + self.min_post_consumer_bps


@dataclass(frozen=True)
class ClaimBounds:
    """What a passport claims about its pack, proven without opening the pack's note (its grams and
    its batch's ``IBatteryPassport.BatchClaims``): per metal (cobalt, lithium, nickel) its grams and shares, the CO2e bounds per kg of
    cobalt and per kWh of capacity, and the risk flags the pack's material does not carry."""

    metals: tuple[MetalBounds, ...]
    max_co2e_grams_per_kg_cobalt: int
    max_co2e_grams_per_kwh: int
    capacity_wh: int
    forbidden_risk_flags: int

    @classmethod
    def from_struct(cls, raw: Sequence[Any]) -> ClaimBounds:
        """From the contract's struct as web3 decodes it (or ``as_tuple``'s nesting, JSON-decoded)."""
        metals, per_kg, per_kwh, capacity, flags = raw
        return cls(tuple(MetalBounds(*(int(value) for value in metal)) for metal in metals), int(per_kg),
                   int(per_kwh), int(capacity), int(flags))

    def as_tuple(self) -> tuple[Any, ...]:
        """The contract's struct layout, metals nested."""
        return (tuple((m.grams, m.min_certified_bps, m.min_pre_consumer_bps, m.min_post_consumer_bps)
                      for m in self.metals),
                self.max_co2e_grams_per_kg_cobalt, self.max_co2e_grams_per_kwh, self.capacity_wh,
                self.forbidden_risk_flags)

    @property
    def cobalt(self) -> MetalBounds:
        return self.metals[0]

    @property
    def lithium(self) -> MetalBounds:
        return self.metals[1]

    @property
    def nickel(self) -> MetalBounds:
        return self.metals[2]

    @property
    def cobalt_grams(self) -> int:
        return self.metals[0].grams

    @property
    def min_certified_bps(self) -> int:
        """Cobalt's certified share (the figure passports carried before lithium and nickel)."""
        return self.metals[0].min_certified_bps

    @property
    def min_recycled_bps(self) -> int:
        """Cobalt's recycled share, pre- and post-consumer together."""
        return self.metals[0].min_recycled_bps


#: A passport id's bits: the top 96 of keccak256 of the battery id's canonical form (a second battery
#: id of the same passport id takes 2^96 tries to find, and would only be refused a passport).
PASSPORT_ID_BITS = 96


def passport_id_for(battery_id: str) -> int:
    """The passport id of a battery identifier: the top 96 bits of keccak256 of its canonical form
    (one battery, one passport, whatever host its Digital Link names; 96 bits so that three pack slots
    fit two public words of the batch proof; it is the pack note's tag); ``MalformedBatteryIdError``
    for a malformed id."""
    return int.from_bytes(parse_battery_id(battery_id).key, "big") >> (256 - PASSPORT_ID_BITS)


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

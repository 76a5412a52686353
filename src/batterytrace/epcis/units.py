"""Masses between EPCIS quantities (UNECE Rec 20 units, JSON numbers) and the contracts' whole grams."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from batterytrace.exceptions import EpcisError
from batterytrace.model.lots import UINT64_MAX

#: UNECE Rec 20 mass units we read, in grams per unit.
GRAMS_PER_UNIT = {"GRM": Decimal(1), "KGM": Decimal(1000), "TNE": Decimal(1_000_000)}
#: Above this many grams a mass in kg no longer survives a JSON (double) number exactly.
MAX_EXACT_GRAMS = 10**15


def kilograms(grams: int) -> float:
    """A mass in whole grams as the kg number export writes; EpcisError when a double cannot hold it exactly."""
    if not 0 <= grams < MAX_EXACT_GRAMS:
        raise EpcisError(f"{grams} g cannot be written exactly as kilograms in JSON (limit 10^15 g)")
    return float(Decimal(grams) / 1000)


def to_grams(name: str, value: object, uom: str) -> int:
    """A quantity ``value`` in unit ``uom`` as whole grams in 0..2^64-1; EpcisError (naming the field
    ``name``) when the unit is not a mass, the value not a number or not whole grams."""
    if uom not in GRAMS_PER_UNIT:
        raise EpcisError(f"{name}: unit {uom!r} is not a mass unit (KGM, GRM or TNE)")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise EpcisError(f"{name} must be a number, not {value!r}")
    try:
        grams = Decimal(str(value)) * GRAMS_PER_UNIT[uom]
    except InvalidOperation:
        raise EpcisError(f"{name} must be a number, not {value!r}") from None
    if grams != grams.to_integral_value() or grams < 0 or grams > UINT64_MAX:
        raise EpcisError(f"{name} = {value} {uom} is not a whole number of grams in 0..2^64-1")
    return int(grams)

"""Battery identifiers and the company prefixes they fall under: the Python twin of
``contracts/lib/BatteryIds.sol`` (``parse``, ``isValidPrefix``); the two must say the same.

Accepted battery ids:

- a GS1 Digital Link URI ``https://<host>/01/<GTIN-14>/21/<serial>``: host 1-255 characters of
  ``a-z 0-9 . -``; the GTIN 14 digits ending in the GS1 check digit; the serial (AI 21) 1-20
  characters of ``A-Z a-z 0-9 . _ -``. Its GS1 company prefix is 6-12 of the GTIN's digits after the
  indicator digit. No query, fragment, path before ``/01/`` or percent-encoding, so a battery has one
  written form; the host is where the id resolves, not part of it (the passport id is the hash of
  ``(01)<GTIN>(21)<serial>``);
- an ISO/IEC 15459 unique identifier: 4-50 characters of ``A-Z 0-9 . -`` starting with a letter,
  whose first 3-12 characters are its issuer code (issuing agency code + company identification
  number). Issuing agency codes 0-9 are GS1's, whose ids are written as Digital Links.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from enum import IntEnum

from eth_utils import keccak

from batterytrace.exceptions import InvalidCompanyPrefixError, MalformedBatteryIdError


class PrefixKind(IntEnum):
    """``ICompanyPrefixes.PrefixKind``: the identifier system a prefix belongs to."""

    GS1_COMPANY_PREFIX = 0
    ISO15459_ISSUER_CODE = 1


#: Shortest and longest prefix of each kind.
PREFIX_LENGTHS = {PrefixKind.GS1_COMPANY_PREFIX: (6, 12), PrefixKind.ISO15459_ISSUER_CODE: (3, 12)}
GTIN_LENGTH = 14
SERIAL_MAX_LENGTH = 20
HOST_MAX_LENGTH = 255
ISO_LENGTHS = (4, 50)

_HOST = set(string.ascii_lowercase + string.digits + ".-")
_SERIAL = set(string.ascii_letters + string.digits + "._-")
_ISO = set(string.ascii_uppercase + string.digits + ".-")
_UPPER = set(string.ascii_uppercase)
_DIGITS = set(string.digits)
_DIGITAL_LINK = re.compile(r"https://(?P<host>[^/]*)/01/(?P<gtin>[^/]*)/21/(?P<serial>.*)", re.DOTALL)


@dataclass(frozen=True)
class BatteryId:
    """A well-formed battery id: its kind of prefix, the prefixes it may fall under (shortest
    first) and its canonical form, whose keccak256 is the passport id."""

    text: str
    kind: PrefixKind
    candidate_prefixes: tuple[str, ...]
    canonical: str

    @property
    def key(self) -> bytes:
        """keccak256 of the canonical form (``BatteryIds.Parsed.key``)."""
        return keccak(text=self.canonical)


def gtin_check_digit(first_13_digits: str) -> str:
    """The GS1 check digit of a GTIN-14's first 13 digits (weights 3, 1, 3, ... from the left)."""
    if len(first_13_digits) != GTIN_LENGTH - 1 or not set(first_13_digits) <= _DIGITS:
        raise ValueError(f"{first_13_digits!r} is not 13 digits")
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(first_13_digits))
    return str(-total % 10)


def gs1_digital_link(host: str, gtin: str, serial: str) -> str:
    """``https://<host>/01/<gtin>/21/<serial>``, checked against the accepted form. ``gtin`` may be
    13 digits (the check digit is appended) or the full 14."""
    if len(gtin) == GTIN_LENGTH - 1:
        gtin += gtin_check_digit(gtin)
    uri = f"https://{host}/01/{gtin}/21/{serial}"
    parse_battery_id(uri)
    return uri


def parse_battery_id(text: str) -> BatteryId:
    """Parse a battery id of an accepted form; :class:`MalformedBatteryIdError` says why not."""
    if text.startswith("https://"):
        return _parse_digital_link(text)
    return _parse_iso15459(text)


def require_valid_prefix(kind: PrefixKind, prefix: str) -> None:
    """The prefix is of its kind's form (twin of ``RegistryInvalidPrefix``): 6-12 digits for GS1,
    3-12 characters of ``0-9 A-Z`` starting with a letter for ISO/IEC 15459."""
    shortest, longest = PREFIX_LENGTHS[kind]
    characters = _DIGITS if kind is PrefixKind.GS1_COMPANY_PREFIX else _DIGITS | _UPPER
    valid = (shortest <= len(prefix) <= longest and set(prefix) <= characters
             and (kind is PrefixKind.GS1_COMPANY_PREFIX or prefix[:1] in _UPPER))
    if not valid:
        raise InvalidCompanyPrefixError(int(kind), prefix)


def prefixes_overlap(first: str, second: str) -> bool:
    """Whether one prefix extends (or equals) the other: both cannot be assigned."""
    return first.startswith(second) or second.startswith(first)


def _parse_digital_link(text: str) -> BatteryId:
    match = _DIGITAL_LINK.fullmatch(text)
    if match is None:
        raise MalformedBatteryIdError(text, "a GS1 Digital Link must read https://<host>/01/<GTIN-14>/21/<serial>")
    host, gtin, serial = match["host"], match["gtin"], match["serial"]
    if not 1 <= len(host) <= HOST_MAX_LENGTH or not set(host) <= _HOST:
        raise MalformedBatteryIdError(text, f"the host must be 1-{HOST_MAX_LENGTH} characters of a-z 0-9 . -")
    if len(gtin) != GTIN_LENGTH or not set(gtin) <= _DIGITS:
        raise MalformedBatteryIdError(text, "the GTIN must be 14 digits")
    if gtin_check_digit(gtin[:-1]) != gtin[-1]:
        raise MalformedBatteryIdError(text, f"the GTIN's check digit should be {gtin_check_digit(gtin[:-1])}")
    if not 1 <= len(serial) <= SERIAL_MAX_LENGTH or not set(serial) <= _SERIAL:
        raise MalformedBatteryIdError(text, f"the serial must be 1-{SERIAL_MAX_LENGTH} characters of A-Z a-z 0-9 . _ -")
    shortest, longest = PREFIX_LENGTHS[PrefixKind.GS1_COMPANY_PREFIX]
    candidates = tuple(gtin[1:1 + length] for length in range(shortest, longest + 1))
    return BatteryId(text, PrefixKind.GS1_COMPANY_PREFIX, candidates, f"(01){gtin}(21){serial}")


def _parse_iso15459(text: str) -> BatteryId:
    shortest_id, longest_id = ISO_LENGTHS
    if not shortest_id <= len(text) <= longest_id or text[:1] not in _UPPER or not set(text) <= _ISO:
        raise MalformedBatteryIdError(
            text, f"neither a GS1 Digital Link (https://<host>/01/<GTIN-14>/21/<serial>) nor an ISO/IEC 15459 id "
                  f"({shortest_id}-{longest_id} characters of A-Z 0-9 . - starting with a letter)")
    shortest, longest = PREFIX_LENGTHS[PrefixKind.ISO15459_ISSUER_CODE]
    candidates = tuple(text[:length] for length in range(shortest, min(longest, len(text) - 1) + 1))
    return BatteryId(text, PrefixKind.ISO15459_ISSUER_CODE, candidates, text)

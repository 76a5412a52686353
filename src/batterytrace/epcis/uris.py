"""The identifiers EPCIS documents carry, written by export and read back by import.

- a lot: ``urn:batterytrace:lot:<chainId>:<ledger>:0x<lotId, 64 hex digits>``, in ``epcList``
  (EPCIS 2.0 allows any URI there); the lot id is the lot's tag on the shielded ledger, so only
  those whose keys open its notes can tell which lot a URN names;
- a facility (``readPoint``/``bizLocation``): the GS1 Digital Link of its GLN,
  ``https://id.gs1.org/414/<GLN>``, when one is known, else
  ``urn:batterytrace:facility:<chainId>:<registry>:<facilityId>``;
- a party (``sourceList``/``destinationList``, type ``owning_party``): ``https://id.gs1.org/417/<GLN>``
  when its GLN is known, else ``urn:batterytrace:party:<chainId>:<address>``;
- an event: a name-based ``urn:uuid:`` over chain, ledger, transaction and log index.

Addresses are written in lower case so the same deployment always gives the same URIs.
"""

from __future__ import annotations

import re
import uuid

from batterytrace.exceptions import EpcisError

GS1_LOCATION = "https://id.gs1.org/414/"
GS1_PARTY = "https://id.gs1.org/417/"
#: What import reads back of :func:`lot_uri`, :func:`facility_uri` and :func:`party_uri` (``fullmatch``).
LOT_URN = re.compile(r"urn:batterytrace:lot:(\d+):(0x[0-9a-fA-F]{40}):0x([0-9a-fA-F]{1,64})")
FACILITY_URN = re.compile(r"urn:batterytrace:facility:(\d+):(0x[0-9a-fA-F]{40}):(\d+)")
PARTY_URN = re.compile(r"urn:batterytrace:party:(\d+):(0x[0-9a-fA-F]{40})")
_EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:batterytrace:epcis:event")


def lot_uri(chain_id: int, ledger: str, lot_id: int) -> str:
    """The EPC of a lot of one deployment's shielded ledger."""
    return f"urn:batterytrace:lot:{chain_id}:{ledger.lower()}:0x{lot_id:064x}"


def facility_uri(chain_id: int, registry: str, facility_id: int, gln: str | None = None) -> str:
    """A facility's location: its GLN's Digital Link when known, else our URN."""
    return GS1_LOCATION + gln if gln else f"urn:batterytrace:facility:{chain_id}:{registry.lower()}:{facility_id}"


def party_uri(chain_id: int, address: str, gln: str | None = None) -> str:
    """A participant as a party: its GLN's Digital Link when known, else our URN."""
    return GS1_PARTY + gln if gln else f"urn:batterytrace:party:{chain_id}:{address.lower()}"


def event_uri(chain_id: int, ledger: str, transaction_hash: str, log_index: int) -> str:
    """A stable ``urn:uuid:`` (UUID v5) for a chain event: the same log always gets the same id.

    The EPCIS 2.0 event hash (``ni:///sha-256``) needs the full canonicalisation algorithm of the
    standard; a name-based UUID over chain, ledger, transaction and log index is as stable and
    unambiguous, since one log is one event.
    """
    name = f"{chain_id}:{ledger.lower()}:{transaction_hash.lower()}:{log_index}"
    return f"urn:uuid:{uuid.uuid5(_EVENT_ID_NAMESPACE, name)}"


def check_gln(gln: str) -> str:
    """A GS1 Global Location Number: 13 digits with a valid mod-10 check digit; EpcisError otherwise."""
    if not re.fullmatch(r"\d{13}", gln):
        raise EpcisError(f"GLN {gln!r} is not 13 digits")
    digits = [int(digit) for digit in gln[:12]]
    check = (10 - sum(digit * (3 if index % 2 else 1) for index, digit in enumerate(digits)) % 10) % 10
    if check != int(gln[12]):
        raise EpcisError(f"GLN {gln} has a wrong check digit (expected {check})")
    return gln

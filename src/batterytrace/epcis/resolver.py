"""How an import turns a partner's identifiers (EPCs, locations, parties) into this deployment's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from eth_utils import to_checksum_address

from batterytrace.epcis.uris import FACILITY_URN, GS1_LOCATION, GS1_PARTY, LOT_URN, PARTY_URN
from batterytrace.exceptions import EpcisError, ProofError
from batterytrace.sdk.client import BatteryTrace
from batterytrace.sdk.shielded import external_id_number
from batterytrace.zk.note_transform import output_tag
from batterytrace.zk.origin import origin_tag


def origin_lot_id(shielding_secret: int, facility_id: int, external_id: str | int) -> int:
    """The id of the origin lot the holder of ``shielding_secret`` mints at ``facility_id`` under
    ``external_id`` (its tag; EpcisError for an external id the ledger cannot take)."""
    return origin_tag(shielding_secret, int(facility_id), _external(external_id))


def output_lot_id(shielding_secret: int, facility_id: int, external_id: str | int) -> int:
    """The id of the transform output the holder of ``shielding_secret`` makes at ``facility_id``
    under ``external_id`` (its tag)."""
    return output_tag(shielding_secret, int(facility_id), _external(external_id))


def _external(external_id: str | int) -> int:
    try:
        return external_id_number(external_id)
    except ProofError as error:
        raise EpcisError(f"external id {external_id!r}: {error}") from None


class Resolver(Protocol):
    """Turns a partner's identifiers into this deployment's (see :class:`ImportResolver`)."""

    def lot_id(self, epc: str) -> int | None: ...

    def origin_lot_id(self, facility_id: int, external_id: str) -> int: ...

    def output_lot_id(self, facility_id: int, external_id: str) -> int: ...

    def facility_id(self, location: str) -> int: ...

    def party(self, uri: str) -> str: ...


@dataclass(frozen=True)
class ImportResolver:
    """Resolves identifiers for an import applied by the participant whose shielding secret is
    ``shielding_secret``, on one deployment's shielded ledger.

    Our own URNs resolve directly (and must name this chain, ledger and registry): a lot URN names
    a lot already on the ledger (the importer must hold its notes). GS1 Digital Link GLNs resolve
    through ``facility_glns`` (GLN -> facility id) and ``party_glns`` (GLN -> address). Any other
    EPC is a partner's identifier of a lot the document creates: its last path segment (or
    ``bt:externalId``) is the external id, and the lot's id is the tag the importer's mint or
    transform gives it at the facility (:meth:`origin_lot_id`, :meth:`output_lot_id`).
    """

    chain_id: int
    ledger: str
    registry: str
    # The secret spends the importer's notes: keep it out of reprs, logs and tracebacks.
    shielding_secret: int = field(repr=False)
    facility_glns: Mapping[str, int] = field(default_factory=dict)
    party_glns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_client(
        cls, client: BatteryTrace, facility_glns: Mapping[str, int] | None = None,
        party_glns: Mapping[str, str] | None = None,
    ) -> ImportResolver:
        """The resolver for an import that ``client`` applies on its deployment."""
        deployment = client.deployment
        return cls(client.chain.chain_id, str(deployment.ledger), str(deployment.registry), client.shielding_keys.secret,
                   dict(facility_glns or {}), dict(party_glns or {}))

    def lot_id(self, epc: str) -> int | None:
        """The lot a lot URN names, or None for any other EPC."""
        match = LOT_URN.fullmatch(epc)
        if match is None:
            return None
        self._same_deployment(epc, int(match[1]), match[2], self.ledger)
        return int(match[3], 16)

    def origin_lot_id(self, facility_id: int, external_id: str) -> int:
        """The id of the origin lot the importer mints at ``facility_id`` under ``external_id``."""
        return origin_lot_id(self.shielding_secret, facility_id, external_id)

    def output_lot_id(self, facility_id: int, external_id: str) -> int:
        """The id of the transform output the importer makes at ``facility_id`` under ``external_id``."""
        return output_lot_id(self.shielding_secret, facility_id, external_id)

    def facility_id(self, location: str) -> int:
        if location.startswith(GS1_LOCATION):
            gln = location[len(GS1_LOCATION):]
            if gln not in self.facility_glns:
                raise EpcisError(f"location GLN {gln} is not a known facility")
            return int(self.facility_glns[gln])
        match = FACILITY_URN.fullmatch(location)
        if match is None:
            raise EpcisError(f"location {location!r} is neither a GLN Digital Link nor a batterytrace facility URN")
        self._same_deployment(location, int(match[1]), match[2], self.registry)
        return int(match[3])

    def party(self, uri: str) -> str:
        if uri.startswith(GS1_PARTY):
            gln = uri[len(GS1_PARTY):]
            if gln not in self.party_glns:
                raise EpcisError(f"party GLN {gln} is not a known participant")
            return to_checksum_address(self.party_glns[gln])
        match = PARTY_URN.fullmatch(uri)
        if match is None:
            raise EpcisError(f"party {uri!r} is neither a GLN Digital Link nor a batterytrace party URN")
        if int(match[1]) != self.chain_id:
            raise EpcisError(f"party {uri} is on chain {match[1]}, not {self.chain_id}")
        return to_checksum_address(match[2])

    def _same_deployment(self, uri: str, chain_id: int, contract: str, expected: str) -> None:
        if chain_id != self.chain_id or contract.lower() != expected.lower():
            raise EpcisError(f"{uri} belongs to chain {chain_id} contract {contract}, not chain {self.chain_id} {expected}")

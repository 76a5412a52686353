"""How an import turns a partner's identifiers (EPCs, locations, parties) into this deployment's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from eth_utils import to_checksum_address

from batterytrace.epcis.uris import FACILITY_URN, GS1_LOCATION, GS1_PARTY, LOT_URN, PARTY_URN
from batterytrace.exceptions import EpcisError
from batterytrace.model.identifiers import lot_id_for
from batterytrace.sdk.client import BatteryTrace


class Resolver(Protocol):
    """Turns a partner's identifiers into this deployment's (see :class:`ImportResolver`)."""

    def lot_id(self, epc: str) -> int | None: ...

    def new_lot_id(self, external_id: str) -> int: ...

    def facility_id(self, location: str) -> int: ...

    def party(self, uri: str) -> str: ...


@dataclass(frozen=True)
class ImportResolver:
    """Resolves identifiers for an import applied by ``importer`` on one deployment.

    Our own URNs resolve directly (and must name this chain and contracts); GS1 Digital Link GLNs
    resolve through ``facility_glns`` (GLN -> facility id) and ``party_glns`` (GLN -> address). Any
    other EPC is a partner's lot identifier: its last path segment is the external id, and the lot is
    the one ``importer`` mints under it.
    """

    chain_id: int
    lots_contract: str
    registry: str
    importer: str
    facility_glns: Mapping[str, int] = field(default_factory=dict)
    party_glns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_client(
        cls, client: BatteryTrace, facility_glns: Mapping[str, int] | None = None,
        party_glns: Mapping[str, str] | None = None,
    ) -> ImportResolver:
        """The resolver for an import that ``client`` applies on its deployment."""
        return cls(client.chain.chain_id, client.deployment.lots, client.deployment.registry, client.address,
                   dict(facility_glns or {}), dict(party_glns or {}))

    def lot_id(self, epc: str) -> int | None:
        match = LOT_URN.fullmatch(epc)
        if match is None:
            return None
        self._same_deployment(epc, int(match[1]), match[2], self.lots_contract)
        return int(match[3], 16)

    def new_lot_id(self, external_id: str) -> int:
        return lot_id_for(self.importer, external_id)

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

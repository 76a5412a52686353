"""A lot's life and a participant's holdings, rebuilt from the chain's events alone."""

from __future__ import annotations

from functools import cached_property

from eth_utils import to_checksum_address

from batterytrace.evm.events import BlockTimes, DecodedEvent, EventDecoder, indexed_topic
from batterytrace.model.lots import Lot, LotEvent, LotStatus
from batterytrace.sdk.custody import CustodyOperations

#: The lots contract's events whose first indexed argument is the lot id.
LOT_EVENTS = (
    "LotCreated",
    "LotStatusChanged",
    "LotOffered",
    "LotOfferCancelled",
    "LotAccepted",
    "LotDisputed",
    "LotDisputeResolved",
    "LotLockedForPassport",
)


class HistoryOperations(CustodyOperations):
    """Reads over the lots contract's event log."""

    @cached_property
    def event_decoder(self) -> EventDecoder:
        """The one decoder of this deployment's events."""
        return self.deployment.event_decoder(self.chain)

    def _lot_logs(self, topics: list[object], events: tuple[str, ...]) -> list[DecodedEvent]:
        return [event for event in self.event_decoder.logs(self.deployment.block_number, "latest", contracts=["lots"],
                                                           topics=topics, events=events)
                if isinstance(event, DecodedEvent)]

    def history(self, lot_id: int) -> list[LotEvent]:
        """A lot's whole life, rebuilt from the chain's events alone (oldest first)."""
        decoder, topic = self.event_decoder, indexed_topic(lot_id)
        found = self._lot_logs([None, topic], LOT_EVENTS)
        found += self._lot_logs([decoder.topic("lots", "Transfer"), None, None, topic], ("Transfer",))
        found += [
            event for event in self._lot_logs([decoder.topic("lots", "LotsTransformed")], ("LotsTransformed",))
            if lot_id in event.args["inputLotIds"] or lot_id in event.args["outputLotIds"]
        ]
        times = BlockTimes(self.chain.w3)
        events = [LotEvent.from_decoded(event, lot_id, times(event.block_number)) for event in found]
        return sorted(events, key=lambda item: (item.block_number, item.log_index))

    def lots_held(self, account: str | None = None) -> list[Lot]:
        """Lots an account holds now and that are not consumed."""
        holder = to_checksum_address(account or self.address)
        received = self._lot_logs([self.event_decoder.topic("lots", "Transfer"), None, indexed_topic(holder)], ("Transfer",))
        held = []
        for lot_id in sorted({int(event.args["tokenId"]) for event in received}):
            record = self.lot(lot_id)
            if record.custodian == holder and record.status is not LotStatus.CONSUMED:
                held.append(record)
        return held

"""Synthetic lot events, built by hand with the arguments the contracts emit, so export and import
are tested without a chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from batterytrace.epcis import ExportContext, FacilityInfo, ImportResolver
from batterytrace.model.identifiers import bytes32_text, lot_id_for
from batterytrace.model.lots import CustodyModel, LotEvent, MaterialKind
from batterytrace.model.registry import FacilityType
from tests.helpers.epcis import CHAIN_ID, LOTS, MINE, MINER, REFINER, REFINERY, REGISTRY, START


@dataclass
class Events:
    """A hand-built lot life: mints, a handover, a dispute, and a 2-input 3-output refining."""

    bag: int
    bag_b: int
    outputs: tuple[int, ...]
    log: list[LotEvent]
    _block: int = 100

    def add(self, name: str, lot_id: int, **arguments: object) -> LotEvent:
        self._block += 1
        event = LotEvent(
            name=name,
            lot_id=lot_id,
            block_number=self._block,
            transaction_hash=f"0x{self._block:064x}",
            log_index=2,
            timestamp=START + timedelta(hours=self._block - 100),
            arguments=arguments,
        )
        self.log.append(event)
        return event

    def created(self, creator: str, external_id: str, kind: MaterialKind, facility_id: int, parents: list[int]) -> LotEvent:
        lot_id = lot_id_for(creator, external_id)
        return self.add(
            "LotCreated", lot_id, lotId=lot_id, creator=creator, facilityId=facility_id,
            externalId=bytes32_text(external_id), kind=int(kind), custodyModel=int(CustodyModel.SEGREGATED),
            tagId=bytes32_text(f"QR-{external_id}"), commitment=(lot_id >> 8) | 1,
            certifiedSchemes=2 if not parents else 0, parentIds=parents, encryptedOpening=b"\x04" * 97,
        )

    def handover(self, name: str, lot_id: int) -> LotEvent:
        if name == "LotOffered":
            return self.add(name, lot_id, lotId=lot_id, **{"from": MINER}, to=REFINER, encryptedOpening=b"\x04" * 97)
        if name == "LotOfferCancelled":
            return self.add(name, lot_id, lotId=lot_id, **{"from": MINER}, to=REFINER)
        return self.add(name, lot_id, lotId=lot_id, **{"from": MINER}, to=REFINER, weighingEvidenceHash=b"\x11" * 32)

    def transform(self) -> LotEvent:
        # The contract emits the outputs' LotCreated first, then LotsTransformed, in one transaction.
        for external_id in ("SULF-1", "SULF-2", "SULF-3"):
            self.created(REFINER, external_id, MaterialKind.REFINED_COBALT_SULFATE, REFINERY, [self.bag, self.bag_b])
        return self.add(
            "LotsTransformed", self.bag, transformId=1, operator=REFINER, facilityId=REFINERY,
            inputLotIds=[self.bag, self.bag_b], outputLotIds=list(self.outputs), maxYieldLossBps=500,
            processCo2eGrams=1_250_000,
        )


@pytest.fixture
def events() -> Events:
    bag = lot_id_for(MINER, "BAG-0001")
    bag_b = lot_id_for(MINER, "BAG-0002")
    outputs = tuple(lot_id_for(REFINER, name) for name in ("SULF-1", "SULF-2", "SULF-3"))
    return Events(bag, bag_b, outputs, [])


@pytest.fixture
def context() -> ExportContext:
    return ExportContext(
        chain_id=CHAIN_ID,
        lots_contract=LOTS,
        registry=REGISTRY,
        facilities={
            MINE: FacilityInfo("TFM-KAKANDA", FacilityType.INDUSTRIAL_MINE, "CD", gln="5412345000013"),
            REFINERY: FacilityInfo("KOKKOLA-REF", FacilityType.REFINERY, "FI"),
        },
        creation_date=START,
    )


@pytest.fixture
def resolver() -> ImportResolver:
    return ImportResolver(CHAIN_ID, LOTS, REGISTRY, importer=MINER, facility_glns={"5412345000013": MINE})




"""Small supply-chain steps the test modules share: mint, hand over, build a pack, a partner's
EPCIS document, the indexer's flow."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from batterytrace.model.battery_ids import gs1_digital_link
from batterytrace.model.lots import MaterialKind, OutputPlan
from batterytrace.sdk.passports import PassportRequest
from tests.helpers.sandbox import COMPANY_PREFIXES

HYDROXIDE_BAG = {"kind": MaterialKind.COBALT_HYDROXIDE, "cobalt_grams": 700_000, "total_grams": 2_000_000, "co2e_grams": 7_000_000}


def mint_at(world, who: str, external_id: str, **overrides):
    values = {**HYDROXIDE_BAG, **overrides}
    client = world.clients[who]
    return client.mint_origin(world.facilities[who].facility_id, external_id, **values)


def deliver(world, lot_id: int, sender: str, receiver: str) -> None:
    world.clients[sender].offer(lot_id, world.clients[receiver].address)
    world.clients[receiver].accept(lot_id, world.clients[receiver].note(lot_id).values.total_grams)


@contextmanager
def refinery_stocked(session_world, external_id: str):
    """A mine's bag the refinery took in, made once in a snapshot of the session's world (for a
    module-scoped fixture: each test's own snapshot starts from it)."""
    from tests.conftest import isolated

    with isolated(session_world) as world:
        bag = mint_at(world, "miner", external_id)
        deliver(world, bag.lot_id, "miner", "refiner")
        yield bag


def refinery(world) -> int:
    return world.facilities["refiner"].facility_id


CAPACITY_WH = 75_000


def build_pack(world, serial: str, who: str = "miner", issuer: str = "pack_maker") -> int:
    """A small certified lot turned into the pack of battery ``serial`` (``battery_id(serial, issuer)`` is
    its output id), held by the pack maker; its lot id is that battery's passport id."""
    bag = mint_at(world, who, f"{serial}-ORE"[-31:], kind=MaterialKind.COBALT_HYDROXIDE, cobalt_grams=5_300, total_grams=15_000,
                  co2e_grams=53_000)
    deliver(world, bag.lot_id, who, "pack_maker")
    result = world.pack_maker.transform([bag.lot_id], [OutputPlan(battery_id(serial, issuer), MaterialKind.PACK, 5_250, 450_000)],
                                        world.facilities["pack_maker"].facility_id, process_co2e_grams=2_000)
    return result.output_lot_ids[0]


#: The item reference of the world's battery model in each issuer's GTINs (with the prefix, 12 digits).
ITEM_REFERENCE_DIGITS = 12
RESOLVER_HOST = "id.batterytrace.example"


def battery_id(serial: str, issuer: str = "pack_maker") -> str:
    """The GS1 Digital Link of battery ``serial`` of the world's battery model, under ``issuer``'s
    company prefix (``tests.helpers.sandbox.COMPANY_PREFIXES``)."""
    prefix = COMPANY_PREFIXES[issuer]
    return gs1_digital_link(RESOLVER_HOST, "0" + prefix + "1".zfill(ITEM_REFERENCE_DIGITS - len(prefix)), serial)


def request_for(serial: str, issuer: str = "pack_maker", **overrides) -> PassportRequest:
    """A passport request for battery ``serial`` under ``issuer``'s prefix (``battery_id``), backed by
    the pack made under that id (``build_pack``)."""
    values = {"battery_id": battery_id(serial, issuer), "document_hash": bytes.fromhex("11" * 32), "capacity_wh": CAPACITY_WH}
    return PassportRequest(**{**values, **overrides})


@dataclass(frozen=True)
class Flow:
    """Lot ids of the small flow: three origin lots, two merged, the merge split in two."""

    mined: tuple[int, int]
    unused: int
    merged: int
    split: tuple[int, int]


def run_flow(world) -> Flow:
    first = mint_at(world, "miner", "IDX-A").lot_id
    second = mint_at(world, "miner", "IDX-B").lot_id
    unused = mint_at(world, "artisanal_miner", "IDX-C", cobalt_grams=60_000, total_grams=200_000, co2e_grams=600_000).lot_id
    for lot_id in (first, second):
        world.miner.offer(lot_id, world.refiner.address)
        world.refiner.accept(lot_id, measured_total_grams=2_000_000)
    refinery = world.facilities["refiner"].facility_id
    merged = world.refiner.transform(
        [first, second], [OutputPlan("IDX-M", MaterialKind.CRUDE_COBALT_SULFATE, 1_380_000, 6_500_000)], refinery, 10_000
    ).output_lot_ids[0]
    split = world.refiner.transform(
        [merged],
        [OutputPlan("IDX-S1", MaterialKind.REFINED_COBALT_SULFATE, 680_000, 3_200_000),
         OutputPlan("IDX-S2", MaterialKind.REFINED_COBALT_SULFATE, 690_000, 3_250_000)],
        refinery, 5_000,
    ).output_lot_ids
    return Flow((first, second), unused, merged, (split[0], split[1]))


PARTNER_MINT = {
    "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"bt": "urn:batterytrace:epcis:"}],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-03-02T10:00:00+01:00",
    "epcisBody": {"eventList": [{
        "type": "ObjectEvent",
        "eventID": "urn:uuid:6b1f5a1e-0d6b-4b8e-9c39-5c1e2f0e7a11",
        "eventTime": "2026-03-02T09:12:00.000+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["https://erp.example-mine.cd/lots/HYD-2026-0042"],
        "action": "ADD",
        "bizStep": "https://ref.gs1.org/cbv/BizStep-commissioning",
        "disposition": "active",
        "bizLocation": {"id": "https://id.gs1.org/414/5412345000013"},
        "quantityList": [{"epcClass": "https://erp.example-mine.cd/lots/HYD-2026-0042", "quantity": 2000.5, "uom": "KGM"}],
        "bt:materialKind": "cobalt_hydroxide",
        "bt:cobaltKg": 600.125,
        "bt:co2eKg": 9000,
    }]},
}

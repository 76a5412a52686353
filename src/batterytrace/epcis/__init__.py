"""GS1 EPCIS 2.0 / CBV 2.0: lot events out as JSON-LD documents, partners' documents in as lot operations.

- :mod:`~batterytrace.epcis.schema`: the shipped EPCIS schema and context; size, nesting and schema checks.
- :mod:`~batterytrace.epcis.uris`: the URIs of lots, facilities, parties, transformations and events.
- :mod:`~batterytrace.epcis.units`: UNECE Rec 20 mass units to and from whole grams.
- :mod:`~batterytrace.epcis.export`: lot events to a document, pure (no chain);
  :mod:`~batterytrace.epcis.chain_export` reads the events from a live client.
- :mod:`~batterytrace.epcis.plan` and :mod:`~batterytrace.epcis.resolver`: a document validated and
  mapped to the whole plan of lot operations (:func:`plan_import`) before anything is sent;
  :mod:`~batterytrace.epcis.apply` checks the plan as a whole and sends it (:func:`apply_plan`).
"""

from batterytrace.epcis.apply import apply_plan
from batterytrace.epcis.chain_export import context_for_client, export_block_range, export_lot_history
from batterytrace.epcis.export import ExportContext, FacilityInfo, event_id, export_events
from batterytrace.epcis.plan import PlannedOperation, plan_import
from batterytrace.epcis.resolver import ImportResolver, Resolver
from batterytrace.epcis.schema import (
    EPCIS_CONTEXT_URL,
    MAX_DOCUMENT_BYTES,
    MAX_EVENTS,
    epcis_context,
    epcis_schema,
    validate_epcis,
)
from batterytrace.epcis.uris import facility_uri, lot_uri, party_uri, transformation_uri

__all__ = [
    "EPCIS_CONTEXT_URL",
    "MAX_DOCUMENT_BYTES",
    "MAX_EVENTS",
    "ExportContext",
    "FacilityInfo",
    "ImportResolver",
    "PlannedOperation",
    "Resolver",
    "apply_plan",
    "context_for_client",
    "epcis_context",
    "epcis_schema",
    "event_id",
    "export_block_range",
    "export_events",
    "export_lot_history",
    "facility_uri",
    "lot_uri",
    "party_uri",
    "plan_import",
    "transformation_uri",
    "validate_epcis",
]

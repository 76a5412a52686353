"""GS1 EPCIS 2.0 / CBV 2.0: the shielded ledger's lots out as JSON-LD documents, partners' documents
in as lot operations.

- :mod:`~batterytrace.epcis.schema`: the shipped EPCIS schema and context; size, nesting and schema checks.
- :mod:`~batterytrace.epcis.uris`: the URIs of lots, facilities, parties and events.
- :mod:`~batterytrace.epcis.units`: UNECE Rec 20 mass units to and from whole grams.
- :mod:`~batterytrace.epcis.export`: lots' steps to a document, pure (no chain);
  :mod:`~batterytrace.epcis.note_export` exports what a participant's note store opens
  (:func:`export_notes`, :func:`export_lot`).
- :mod:`~batterytrace.epcis.plan` and :mod:`~batterytrace.epcis.resolver`: a document validated and
  mapped to the whole plan of lot operations (:func:`plan_import`) before anything is sent;
  :mod:`~batterytrace.epcis.apply` checks the plan as a whole and sends it (:func:`apply_plan`).
"""

from batterytrace.epcis.apply import apply_plan, check_plan
from batterytrace.epcis.export import ExportContext, StepDirectory, export_steps
from batterytrace.epcis.note_export import context_for_client, export_lot, export_notes
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
from batterytrace.epcis.uris import facility_uri, lot_uri, party_uri

__all__ = [
    "EPCIS_CONTEXT_URL",
    "MAX_DOCUMENT_BYTES",
    "MAX_EVENTS",
    "ExportContext",
    "ImportResolver",
    "PlannedOperation",
    "Resolver",
    "StepDirectory",
    "apply_plan",
    "check_plan",
    "context_for_client",
    "epcis_context",
    "epcis_schema",
    "export_lot",
    "export_notes",
    "export_steps",
    "facility_uri",
    "lot_uri",
    "party_uri",
    "plan_import",
    "validate_epcis",
]

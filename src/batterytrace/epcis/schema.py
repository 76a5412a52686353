"""The EPCIS 2.0 JSON schema and JSON-LD context shipped with the package, and the checks a document
passes before anything reads it: size, nesting depth, JSON syntax, event count, then the schema."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from batterytrace.exceptions import EpcisError

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
#: Our own fields use the ``bt:`` prefix, declared in each document's ``@context``.
BT_NAMESPACE = "urn:batterytrace:epcis:"
#: Documents larger than this (serialised JSON, bytes) are refused.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Documents with more events than this are refused.
MAX_EVENTS = 10_000
#: Documents nested deeper than this are refused before they are parsed.
MAX_NESTING = 64

_FORMATS = FormatChecker(formats=())
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
#: When the schema's if/then and anyOf branches all fail, these rules say most about the document.
_PLAIN_RULES = {"enum", "format", "required", "type", "const", "minItems", "maxItems"}


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # jsonschema ships no RFC 3339 checker without optional packages; without one, "format" is ignored.
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _data_text(name: str) -> str:
    return resources.files("batterytrace").joinpath("data", "epcis", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def epcis_schema() -> dict[str, Any]:
    """The GS1 EPCIS 2.0 JSON schema shipped with the package."""
    return json.loads(_data_text("EPCIS-JSON-Schema.json"))


@lru_cache(maxsize=1)
def epcis_context() -> dict[str, Any]:
    """The GS1 EPCIS 2.0 JSON-LD context shipped with the package (for offline JSON-LD processing)."""
    return json.loads(_data_text("epcis-context.jsonld"))


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    return Draft7Validator(epcis_schema(), format_checker=_FORMATS)


def _json_path(path: Iterable[Any]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def validate_epcis(doc: Any) -> None:
    """Validate an EPCIS 2.0 document (JSON Schema draft 07, with ``uri`` and ``date-time`` formats
    checked); EpcisError naming the JSON path of the first problem."""
    # Without a "type" every if/then branch of the schema applies at once and its errors mislead.
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    event_list = body.get("eventList") if isinstance(body, dict) else None
    for index, event in enumerate(event_list if isinstance(event_list, list) else []):
        if isinstance(event, dict) and not isinstance(event.get("type"), str):
            raise EpcisError(f"$.epcisBody.eventList[{index}]: 'type' is a required property")
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return
    # The schema dispatches on "type" through if/then and anyOf; report the deepest concrete failure,
    # preferring the plain rules (enum, format, required, type) over the schema's internal patterns.
    leaves = []
    pending = errors
    while pending:
        current = pending.pop()
        if current.context:
            pending.extend(current.context)
        else:
            leaves.append(current)
    error = max(reversed(leaves), key=lambda item: (len(item.absolute_path), item.validator in _PLAIN_RULES))
    raise EpcisError(f"{_json_path(error.absolute_path)}: {error.message}")


def _check_nesting(raw: bytes) -> None:
    """Refuse JSON nested deeper than any EPCIS document needs, before parsing it: py_ecc raises
    the interpreter's recursion limit at import, so a deeply nested document would otherwise
    overflow the C stack inside json.loads instead of raising."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_NESTING:
                raise EpcisError(f"the document nests deeper than {MAX_NESTING} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1


def load_document(doc: Any) -> dict[str, Any]:
    """An EPCISDocument to import, from JSON text, bytes or parsed data, checked against the size,
    nesting and event limits and the schema; EpcisError otherwise."""
    if isinstance(doc, (str, bytes, bytearray)):
        raw = doc.encode() if isinstance(doc, str) else bytes(doc)
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise EpcisError(f"the document is {len(raw)} bytes, over the limit of {MAX_DOCUMENT_BYTES}")
        _check_nesting(raw)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError) as error:
            raise EpcisError(f"the document is not JSON: {error}") from None
    else:
        try:
            size = len(json.dumps(doc, separators=(",", ":")).encode())
        except (TypeError, ValueError, RecursionError) as error:
            raise EpcisError(f"the document is not JSON data: {error}") from None
        if size > MAX_DOCUMENT_BYTES:
            raise EpcisError(f"the document is {size} bytes, over the limit of {MAX_DOCUMENT_BYTES}")
    if not isinstance(doc, dict):
        raise EpcisError("$: an EPCIS document is a JSON object")
    body = doc.get("epcisBody")
    event_list = body.get("eventList") if isinstance(body, dict) else None
    if isinstance(event_list, list) and len(event_list) > MAX_EVENTS:
        raise EpcisError(f"the document has {len(event_list)} events, over the limit of {MAX_EVENTS}")
    validate_epcis(doc)
    if doc["type"] != "EPCISDocument":
        raise EpcisError(f"$.type: only EPCISDocument can be imported, not {doc['type']!r}")
    return doc

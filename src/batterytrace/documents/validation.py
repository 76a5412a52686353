"""The Battery Pass 1.2.0 schemas a passport document validates against, one per aspect."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import jsonschema

from batterytrace.exceptions import SchemaValidationError

BATTERY_PASS_MODEL_VERSION = "1.2.0"

# Aspect key in the passport document -> schema file shipped in batterytrace/data/batterypass/.
ASPECT_SCHEMAS: Mapping[str, str] = {
    "generalProductInformation": "GeneralProductInformation-schema.json",
    "carbonFootprint": "CarbonFootprintForBatteries-schema.json",
    "supplyChainDueDiligence": "SupplyChainDueDiligence-schema.json",
    "materialComposition": "MaterialComposition-schema.json",
    "circularity": "Circularity-schema.json",
    "performance": "PerformanceAndDurability-schema.json",
    "labels": "Labeling-schema.json",
}


@lru_cache(maxsize=None)
def _validator(schema_file: str) -> jsonschema.Draft4Validator:
    text = resources.files("batterytrace").joinpath("data").joinpath("batterypass").joinpath(schema_file).read_text("utf-8")
    schema = json.loads(text)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_passport_document(document: Mapping[str, Any]) -> None:
    """Validate each aspect against its Battery Pass schema.

    Raises SchemaValidationError naming the aspect, the schema and the JSON path of the first error;
    the exception also carries them as `.aspect` and `.json_path`.
    """
    for aspect, schema_file in ASPECT_SCHEMAS.items():
        if aspect not in document:
            _raise(aspect, f"$.{aspect}", f"passport document has no {aspect!r} aspect ({schema_file})")
        errors = sorted(_validator(schema_file).iter_errors(document[aspect]), key=lambda e: list(e.absolute_path))
        if errors:
            error = jsonschema.exceptions.best_match(errors)
            path = _json_path([aspect, *error.absolute_path])
            _raise(aspect, path, f"aspect {aspect!r} does not validate against {schema_file} "
                                 f"(Battery Pass {BATTERY_PASS_MODEL_VERSION}) at {path}: {error.message}")


def _raise(aspect: str, json_path: str, message: str) -> None:
    error = SchemaValidationError(message)
    error.aspect = aspect  # type: ignore[attr-defined]
    error.json_path = json_path  # type: ignore[attr-defined]
    raise error


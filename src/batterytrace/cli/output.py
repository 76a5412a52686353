"""How commands print records: aligned ``key: value`` lines, or JSON with ``--json``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click


def print_record(data: Any, as_json: bool) -> None:
    """Print a mapping as aligned lines, or as indented JSON."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=json_default))
    else:
        for key, value in data.items():
            click.echo(f"{key:>22}: {json_default(value) if not isinstance(value, (str, int)) else value}")


def json_default(value: Any) -> Any:
    """A JSON-ready form of the SDK's values: hex bytes, ISO times, enum names, dataclasses as objects."""
    from enum import Enum

    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (set, frozenset, tuple)):
        return [json_default(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {key: json_default(getattr(value, key)) for key in value.__dataclass_fields__}
    return str(value) if not isinstance(value, (int, str, float, list, dict, type(None))) else value

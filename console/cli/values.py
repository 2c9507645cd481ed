"""Shell text to typed action input: `key=value` read by the schema core gives `key`.

The bus is strict (no "5" for an integer), which is right for JSON callers; a shell only
has text, so the CLI does the one conversion the property's schema (from
`core.model.describe`, the model's one description) allows, and names the field and the
expected type when the text does not fit. The value itself is never echoed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.contracts import Entity
from core.errors import InvalidInput
from core.model.describe import filter_property, parse_text
from core.model.filters import split_filter_key

TEXT: dict[str, Any] = {"type": "string"}


def split_assignment(text: str) -> tuple[str, str]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        # The argument itself is not echoed: it may be a value meant for a sensitive field.
        raise InvalidInput(
            'expected key=value (e.g. title="Write the report"); an argument has no "="',
            {"expected": "key=value"},
        )
    return name, raw


def parse_assignments(pairs: Iterable[str], schema: Mapping[str, Any]) -> dict[str, Any]:
    """`["priority=high", "estimate_hours=2.5"]` -> typed payload by the action's input
    schema; unknown keys stay text so the bus can reject them with the allowed fields."""
    properties = schema.get("properties", {})
    payload: dict[str, Any] = {}
    for pair in pairs:
        name, raw = split_assignment(pair)
        payload[name] = parse_text(name, properties.get(name, TEXT), raw)
    return payload


def parse_filters(entity: Entity, pairs: Iterable[str]) -> dict[str, Any]:
    """`status__in=todo,review` -> `{"status__in": ["todo", "review"]}`, typed per field."""
    filters: dict[str, Any] = {}
    for pair in pairs:
        key, raw = split_assignment(pair)
        column, op = split_filter_key(key)
        prop = filter_property(entity, column)
        if op == "in":
            filters[key] = [parse_text(column, prop, part) for part in raw.split(",")]
        elif op == "contains":
            filters[key] = raw
        else:
            filters[key] = parse_text(column, prop, raw)
    return filters

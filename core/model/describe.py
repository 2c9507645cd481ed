"""One description of the model for every surface: JSON Schemas of entities and action inputs.

The CLI reads `key=value` by these schemas, the TUI builds its forms from them, the AI
offers them to a model as tool parameters, and `metasaas entities` prints them. Each
property keeps what a person needs (label as `title`, description, options, limits) and
what a schema keyword cannot say under `x-` keys: `x-field-type`, `x-sensitive`,
`x-references`, `x-unique`. Nothing outside core re-derives them from the metadata.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from core.contracts import Entity, Field, FieldType, Relationship
from core.errors import InvalidInput
from core.jsonable import to_jsonable
from core.model.inputs import CURSOR_MAX, LIMIT_DEFAULT, LIMIT_MAX
from core.model.registry import ActionSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
FORMATS = {
    FieldType.EMAIL: "email",
    FieldType.URL: "uri",
    FieldType.DATE: "date",
    FieldType.DATETIME: "date-time",
}
JSON_TYPES = {
    FieldType.INTEGER: "integer",
    FieldType.NUMBER: "number",
    FieldType.PERCENTAGE: "number",
    FieldType.BOOLEAN: "boolean",
}
UUID_SCHEMA: dict[str, Any] = {"type": "string", "format": "uuid"}
VERSION_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "title": "Expected version",
    "description": "Fail with a conflict if the record changed since this version.",
}
SYSTEM_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": {**UUID_SCHEMA, "title": "Id"},
    "created_at": {"type": "string", "format": "date-time", "title": "Created"},
    "updated_at": {"type": "string", "format": "date-time", "title": "Updated"},
    "created_by": {"type": "string", "title": "Created by"},
    "updated_by": {"type": "string", "title": "Updated by"},
    "version": {"type": "integer", "minimum": 1, "title": "Version"},
}


@dataclass(frozen=True)
class AllowedAction:
    """An action a caller may run, with what it takes: the AI's tools, the TUI's actions."""

    id: str
    entity: str | None
    verb: str
    description: str
    mutates: bool
    own_only: bool
    takes_record: bool
    input_schema: dict[str, Any]


def field_schema(field: Field) -> dict[str, Any]:
    t = field.type
    schema: dict[str, Any]
    if t is FieldType.JSON:
        schema = {}
    elif t is FieldType.ENUM:
        schema = {"type": "string", "enum": list(field.options)}
    elif t is FieldType.CURRENCY:
        # Amounts travel as decimal strings so no binary float rounds them.
        schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$"}
    else:
        schema = {"type": JSON_TYPES.get(t, "string")}
    if t in FORMATS:
        schema["format"] = FORMATS[t]
    length = field.effective_max_length
    if length is not None and schema.get("type") == "string" and t is not FieldType.ENUM:
        schema["maxLength"] = length
    if field.pattern:
        schema["pattern"] = field.pattern
    if t in JSON_TYPES and t is not FieldType.BOOLEAN:
        if field.min is not None:
            schema["minimum"] = to_jsonable(field.min)
        if field.max is not None:
            schema["maximum"] = to_jsonable(field.max)
    elif schema.get("type") == "string" and field.min is not None:
        schema["minLength"] = int(field.min)
    schema["title"] = field.display_label
    schema["x-field-type"] = t.value
    if field.description:
        schema["description"] = field.description
    if field.default is not None:
        schema["default"] = to_jsonable(field.default)
    if field.sensitive:
        schema["x-sensitive"] = True
    if field.unique:
        schema["x-unique"] = True
    return schema


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:
        return schema
    return {"anyOf": [schema, {"type": "null"}], "title": schema.get("title", "")}


def reference_schema(rel: Relationship) -> dict[str, Any]:
    schema: dict[str, Any] = {
        **UUID_SCHEMA,
        "title": rel.name.replace("_", " ").capitalize(),
        "x-references": rel.target,
    }
    if rel.description:
        schema["description"] = rel.description
    return schema


def _record_properties(entity: Entity, *, partial: bool) -> tuple[dict[str, Any], list[str]]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in entity.fields:
        schema = field_schema(f)
        needed = f.required and f.default is None and not partial
        properties[f.name] = schema if needed else nullable(schema)
        if needed:
            required.append(f.name)
    for rel in entity.belongs_to:
        schema = reference_schema(rel)
        needed = rel.required and not partial
        properties[rel.column] = schema if needed else nullable(schema)
        if needed:
            required.append(rel.column)
    return properties, required


def filterable_columns(entity: Entity) -> list[str]:
    """What a list may filter on: declared fields but JSON, references, system columns."""
    cols = [f.name for f in entity.fields if f.type is not FieldType.JSON]
    system = [c for c in SYSTEM_PROPERTIES if c != "version"]
    return [*cols, *(r.column for r in entity.belongs_to), *system]


def filter_property(entity: Entity, column: str) -> dict[str, Any]:
    """The schema one filter value of `column` is read by (text when the column is unknown,
    so the bus names the allowed fields)."""
    field = entity.field(column)
    if field is not None:
        return field_schema(field)
    rel = next((r for r in entity.belongs_to if r.column == column), None)
    if rel is not None:
        return reference_schema(rel)
    return SYSTEM_PROPERTIES.get(column, {"type": "string"})


def _list_properties(entity: Entity, *, paged: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "filters": {
            "type": "object",
            "title": "Filters",
            "description": "field or field__op (eq ne lt lte gt gte in contains) to a value",
            "x-filterable": filterable_columns(entity),
        },
    }
    if entity.ui.search_fields:
        properties["search"] = {
            "type": "string",
            "maxLength": 200,
            "title": "Search",
            "description": "Text to find in: " + ", ".join(entity.ui.search_fields),
        }
    if paged:
        sortable = entity.sortable()
        properties["order_by"] = {
            "type": "string",
            "enum": [*sortable, *(f"-{s}" for s in sortable)],
            "title": "Sort",
            "description": "A field; a leading - sorts descending.",
        }
        properties["limit"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": LIMIT_MAX,
            "default": LIMIT_DEFAULT,
            "title": "Limit",
        }
        properties["cursor"] = {"type": "string", "maxLength": CURSOR_MAX, "title": "Cursor"}
    return properties


def _properties(spec: ActionSpec) -> tuple[dict[str, Any], list[str]]:
    entity = spec.record_entity
    verb = spec.verb
    if spec.custom is not None:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in spec.custom.input_fields:
            needed = f.required and f.default is None
            properties[f.name] = field_schema(f) if needed else nullable(field_schema(f))
            if needed:
                required.append(f.name)
        if spec.custom.takes_record:
            properties["id"] = {**UUID_SCHEMA, "title": f"{entity.name} id"}
            required.append("id")
        return properties, required
    if verb == "create":
        properties, required = _record_properties(entity, partial=False)
        properties["id"] = nullable({**UUID_SCHEMA, "title": "Id (optional, chosen by you)"})
        return properties, required
    if verb == "restore":
        properties, required = _record_properties(entity, partial=False)
        properties = {"id": {**UUID_SCHEMA, "title": "Id"}, **properties}
        for name, schema in SYSTEM_PROPERTIES.items():
            if name != "id":
                properties[name] = schema
        return properties, ["id", *required, *(n for n in SYSTEM_PROPERTIES if n != "id")]
    if verb == "update":
        properties, _ = _record_properties(entity, partial=True)
        properties["id"] = {**UUID_SCHEMA, "title": f"{entity.name} id"}
        properties["expected_version"] = VERSION_SCHEMA
        return properties, ["id"]
    if verb == "transition":
        states, triggers = entity.workflow_states(), entity.workflow_triggers()
        properties = {
            "id": {**UUID_SCHEMA, "title": f"{entity.name} id"},
            "to": {"type": "string", "enum": list(states), "title": "Target state"},
            "workflow": {"type": "string", "maxLength": 63, "title": "Workflow"},
            "expected_version": VERSION_SCHEMA,
        }
        if triggers:
            properties["trigger"] = {"type": "string", "enum": list(triggers), "title": "Trigger"}
        return properties, ["id"]
    if verb in ("list", "count"):
        return _list_properties(entity, paged=verb == "list"), []
    return {"id": {**UUID_SCHEMA, "title": f"{entity.name} id"}}, ["id"]


@lru_cache(maxsize=1024)
def action_input_schema(spec: ActionSpec) -> dict[str, Any]:
    """The JSON Schema of what `spec` takes (cached: specs are immutable)."""
    if spec.platform is not None:
        schema = spec.platform.input_model.model_json_schema()
        return {"$schema": DIALECT, **schema, "description": spec.description}
    properties, required = _properties(spec)
    return {
        "$schema": DIALECT,
        "title": spec.id,
        "description": spec.description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def entity_schema(entity: Entity, actions: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {"id": {**SYSTEM_PROPERTIES["id"], "readOnly": True}}
    required = ["id"]
    record, needed = _record_properties(entity, partial=False)
    for f in entity.fields:  # a stored record may hold the default's absence: required = declared
        properties[f.name] = field_schema(f) if f.required else nullable(field_schema(f))
        if f.required:
            required.append(f.name)
    for rel in entity.belongs_to:
        properties[rel.column] = record[rel.column]
        if rel.column in needed:
            required.append(rel.column)
    for name, schema in SYSTEM_PROPERTIES.items():
        if name != "id":
            properties[name] = {**schema, "readOnly": True}
            required.append(name)
    return {
        "$schema": DIALECT,
        "$id": f"metasaas:entity:{entity.key}",
        "title": entity.name,
        "description": entity.description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "x-metasaas": declaration(entity, actions),
    }


def declaration(entity: Entity, actions: list[str]) -> dict[str, Any]:
    """What the schema keywords cannot say: relationships, workflow, permissions, UI."""
    return {
        "name": entity.name,
        "key": entity.key,
        "plural": entity.plural,
        "table": entity.table_name,
        "fields": [f.model_dump(mode="json", exclude_defaults=True) for f in entity.fields],
        "relationships": [r.model_dump(mode="json") for r in entity.relationships],
        "workflows": [
            {
                **w.model_dump(mode="json"),
                "initial": to_jsonable(getattr(entity.field(w.field), "default", None)),
                "final": sorted(entity.final_states(w.field)),
            }
            for w in entity.workflows
        ],
        "permissions": [p.model_dump(mode="json") for p in entity.permissions],
        "ui": entity.ui.model_dump(mode="json"),
        "ai_capabilities": [c.id for c in entity.ai_capabilities],
        "actions": actions,
    }


# --- text to typed values -------------------------------------------------------------------
# A shell, a form's text box and a typed command only have text; a property's schema says
# the one conversion its field allows. The bus still validates the result strictly.

NULL = "null"
INTEGER = re.compile(r"^[+-]?[0-9]+\Z")
EXPECTED = {
    FieldType.INTEGER.value: "an integer",
    FieldType.NUMBER.value: "a number",
    FieldType.PERCENTAGE.value: "a number",
    FieldType.CURRENCY.value: "a decimal amount such as 12.50",
    FieldType.BOOLEAN.value: "a boolean: true or false",
    FieldType.DATE.value: "a date: YYYY-MM-DD",
    FieldType.DATETIME.value: "an ISO 8601 datetime such as 2025-01-31T09:30:00+00:00",
    FieldType.JSON.value: "JSON (an object, array, string, number, true, false or null)",
    "uuid": "a UUID",
}


def text_kind(prop: dict[str, Any]) -> str:
    """What a property's text is read as: a FieldType value, `uuid`, `json` or `text`."""
    if "anyOf" in prop:
        inner = [s for s in prop["anyOf"] if s.get("type") != "null"]
        prop = inner[0] if inner else {}
    if "x-field-type" in prop:
        return str(prop["x-field-type"])
    if prop.get("format") == "uuid":
        return "uuid"
    if "enum" in prop:
        return FieldType.ENUM.value
    kind = {"integer": "integer", "number": "number", "boolean": "boolean"}.get(
        prop.get("type", "")
    )
    if kind:
        return kind
    if prop.get("type") in ("object", "array") or not prop:
        return FieldType.JSON.value
    return "text"


def enum_options(prop: dict[str, Any]) -> tuple[str, ...]:
    for schema in (prop, *prop.get("anyOf", ())):
        if "enum" in schema:
            return tuple(schema["enum"])
    return ()


def parse_text(name: str, prop: dict[str, Any], raw: str, *, null_word: bool = True) -> Any:
    """The typed value of `raw` for property `name`, or `InvalidInput` naming the expected
    type (never echoing the text, which may be meant for a sensitive field).

    `null` clears a field when `null_word`; where an empty value already means "none" (a CSV
    cell) the text "null" stays text.
    """
    if null_word and raw == NULL:
        return None
    kind = text_kind(prop)
    options = enum_options(prop)
    try:
        return _convert(kind, options, raw)
    except (ValueError, InvalidOperation, RecursionError):
        if kind == FieldType.ENUM.value:
            expected = "one of " + ", ".join(options)
        else:
            expected = EXPECTED.get(kind, "text")
        raise InvalidInput(
            f"{name}: expected {expected}",
            {"field": name, "reason": "expected_" + kind, "expected": expected},
        ) from None


def _convert(kind: str, options: tuple[str, ...], raw: str) -> Any:
    if kind == FieldType.INTEGER.value:
        if not INTEGER.match(raw.strip()):
            raise ValueError(kind)
        return int(raw)
    if kind in (FieldType.NUMBER.value, FieldType.PERCENTAGE.value):
        if INTEGER.match(raw.strip()):
            return int(raw)
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(kind)
        return number
    if kind == FieldType.CURRENCY.value:
        if not Decimal(raw.strip()).is_finite():
            raise ValueError(kind)
        return raw.strip()
    if kind == FieldType.BOOLEAN.value:
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(kind)
        return lowered == "true"
    if kind == FieldType.DATE.value:
        dt.date.fromisoformat(raw)
        return raw
    if kind == FieldType.DATETIME.value:
        dt.datetime.fromisoformat(raw)
        return raw
    if kind == FieldType.ENUM.value:
        if raw not in options:
            raise ValueError(kind)
        return raw
    if kind == FieldType.JSON.value:
        from core.jsonable import loads_bounded

        return loads_bounded(raw)
    if kind == "uuid":
        return str(uuid.UUID(raw))
    return raw

"""An entity's declaration as JSON Schema (2020-12), so other tools can read the model.

Built from the field metadata rather than from the Pydantic input models: the record a
caller gets back has system columns the create input lacks, and the declaration carries
what a schema keyword cannot (workflow, permissions, sensitivity) under `x-metasaas`.
"""

from __future__ import annotations

from typing import Any

from core.contracts import Entity, Field, FieldType
from core.jsonable import to_jsonable

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
SYSTEM_PROPERTIES: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "format": "uuid"},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
    "created_by": {"type": "string"},
    "updated_by": {"type": "string"},
    "version": {"type": "integer", "minimum": 1},
}


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
    if field.description:
        schema["description"] = field.description
    if field.default is not None:
        schema["default"] = to_jsonable(field.default)
    if field.sensitive:
        schema["x-sensitive"] = True
    if field.unique:
        schema["x-unique"] = True
    if not field.required:
        schema = {"anyOf": [schema, {"type": "null"}]} if schema else schema
    return schema


def entity_schema(entity: Entity, actions: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {"id": {**SYSTEM_PROPERTIES["id"], "readOnly": True}}
    required = ["id"]
    for field in entity.fields:
        properties[field.name] = field_schema(field)
        if field.required:
            required.append(field.name)
    for rel in entity.belongs_to:
        ref: dict[str, Any] = {"type": "string", "format": "uuid", "x-references": rel.target}
        properties[rel.column] = ref if rel.required else {"anyOf": [ref, {"type": "null"}]}
        if rel.required:
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
        "workflows": [w.model_dump(mode="json") for w in entity.workflows],
        "permissions": [p.model_dump(mode="json") for p in entity.permissions],
        "ui": entity.ui.model_dump(mode="json"),
        "ai_capabilities": [c.id for c in entity.ai_capabilities],
        "actions": actions,
    }

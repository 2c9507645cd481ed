"""Shell text to typed action input: `key=value` read by the declared type of `key`.

The bus is strict (no "5" for an integer), which is right for JSON callers; a shell only
has text, so the CLI does the one conversion a field's declaration allows and names the
field and the expected type when the text does not fit. The value itself is never echoed
back, since it may be sensitive.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.contracts import Entity, Field, FieldType
from core.errors import InvalidInput

if TYPE_CHECKING:
    from core.model.registry import ActionSpec

NULL = "null"
INTEGER = re.compile(r"^[+-]?[0-9]+$")
FILTER_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains")


@dataclass(frozen=True)
class Slot:
    """What one input key holds: a field type, or a platform kind (`uuid`, `integer`...)."""

    kind: FieldType | str
    options: tuple[str, ...] = ()


TEXT = Slot(FieldType.TEXT)
UUID = Slot("uuid")
INT = Slot(FieldType.INTEGER)
JSON = Slot(FieldType.JSON)
DATETIME = Slot(FieldType.DATETIME)

EXPECTED = {
    FieldType.INTEGER: "an integer",
    FieldType.NUMBER: "a number",
    FieldType.PERCENTAGE: "a number",
    FieldType.CURRENCY: "a decimal amount such as 12.50",
    FieldType.BOOLEAN: "a boolean: true or false",
    FieldType.DATE: "a date: YYYY-MM-DD",
    FieldType.DATETIME: "an ISO 8601 datetime such as 2025-01-31T09:30:00+00:00",
    FieldType.JSON: "JSON (an object, array, string, number, true, false or null)",
    "uuid": "a UUID",
}


def _field_slot(field: Field) -> Slot:
    return Slot(field.type, field.options)


def record_slots(entity: Entity) -> dict[str, Slot]:
    """Every writable key of a record: the fields and the belongs_to id columns."""
    slots = {f.name: _field_slot(f) for f in entity.fields}
    slots.update({r.column: UUID for r in entity.belongs_to})
    return slots


def workflow_targets(entity: Entity) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The states and the trigger names of an entity's workflows."""
    states: list[str] = []
    triggers: list[str] = []
    for workflow in entity.workflows:
        field = entity.field(workflow.field)
        states.extend(o for o in (field.options if field else ()) if o not in states)
        for t in workflow.transitions:
            if t.trigger and t.trigger not in triggers:
                triggers.append(t.trigger)
    return tuple(states), tuple(triggers)


def action_slots(spec: ActionSpec) -> dict[str, Slot]:
    """The keys an action's input takes, each with the type its text is read as."""
    entity = spec.entity
    if spec.custom is not None:
        slots = {f.name: _field_slot(f) for f in spec.custom.input_fields}
        if spec.custom.takes_record:
            slots["id"] = UUID
        return slots
    if spec.verb == "create":
        return {**record_slots(entity), "id": UUID}
    if spec.verb == "update":
        return {**record_slots(entity), "id": UUID, "expected_version": INT}
    if spec.verb == "transition":
        states, triggers = workflow_targets(entity)
        return {
            "id": UUID,
            "to": Slot(FieldType.ENUM, states),
            "trigger": Slot(FieldType.ENUM, triggers),
            "workflow": TEXT,
            "expected_version": INT,
        }
    if spec.verb == "list":
        return {"filters": JSON, "order_by": TEXT, "limit": INT, "cursor": TEXT, "search": TEXT}
    return {"id": UUID}


def parse_value(name: str, slot: Slot, raw: str, *, null_word: bool = True) -> Any:
    """The typed value of `raw` for `name`, or `InvalidInput` naming the expected type.

    On the command line `null` clears a field; in a CSV file an empty cell already means
    "no value", so there (`null_word=False`) the text "null" stays text.
    """
    if null_word and raw == NULL:
        return None
    kind = slot.kind
    try:
        return _convert(kind, slot.options, raw)
    except (ValueError, InvalidOperation):
        if kind is FieldType.ENUM:
            expected = "one of " + ", ".join(slot.options)
        else:
            expected = EXPECTED.get(kind, "text")
        raise InvalidInput(
            f"{name}: expected {expected}", {"field": name, "expected": expected}
        ) from None


def _convert(kind: FieldType | str, options: tuple[str, ...], raw: str) -> Any:
    if kind is FieldType.INTEGER:
        if not INTEGER.match(raw.strip()):
            raise ValueError(raw)
        return int(raw)
    if kind in (FieldType.NUMBER, FieldType.PERCENTAGE):
        if INTEGER.match(raw.strip()):
            return int(raw)
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(raw)
        return number
    if kind is FieldType.CURRENCY:
        if not Decimal(raw.strip()).is_finite():
            raise ValueError(raw)
        return raw.strip()
    if kind is FieldType.BOOLEAN:
        lowered = raw.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(raw)
        return lowered == "true"
    if kind is FieldType.DATE:
        dt.date.fromisoformat(raw)
        return raw
    if kind is FieldType.DATETIME:
        dt.datetime.fromisoformat(raw)
        return raw
    if kind is FieldType.ENUM:
        if raw not in options:
            raise ValueError(raw)
        return raw
    if kind is FieldType.JSON:
        return json.loads(raw)
    if kind == "uuid":
        return str(uuid.UUID(raw))
    return raw


def split_assignment(text: str) -> tuple[str, str]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        # The argument itself is not echoed: it may be a value meant for a sensitive field.
        raise InvalidInput(
            'expected key=value (e.g. title="Write the report"); an argument has no "="',
            {"expected": "key=value"},
        )
    return name, raw


def parse_assignments(pairs: Iterable[str], slots: Mapping[str, Slot]) -> dict[str, Any]:
    """`["priority=high", "estimate_hours=2.5"]` -> typed payload; unknown keys stay text
    so the bus can reject them with the list of allowed fields."""
    payload: dict[str, Any] = {}
    for pair in pairs:
        name, raw = split_assignment(pair)
        payload[name] = parse_value(name, slots.get(name, TEXT), raw)
    return payload


SYSTEM_FILTER_SLOTS = {
    "id": UUID,
    "created_at": DATETIME,
    "updated_at": DATETIME,
    "created_by": TEXT,
    "updated_by": TEXT,
}


def parse_filters(entity: Entity, pairs: Iterable[str]) -> dict[str, Any]:
    """`status__in=todo,review` -> `{"status__in": ["todo", "review"]}`, typed per field."""
    slots = {**record_slots(entity), **SYSTEM_FILTER_SLOTS}
    filters: dict[str, Any] = {}
    for pair in pairs:
        key, raw = split_assignment(pair)
        column, sep, op = key.rpartition("__")
        if not sep or op not in FILTER_OPS:
            column, op = key, "eq"
        slot = slots.get(column, TEXT)
        if op == "in":
            filters[key] = [parse_value(column, slot, part) for part in raw.split(",")]
        elif op == "contains":
            filters[key] = raw
        else:
            filters[key] = parse_value(column, slot, raw)
    return filters

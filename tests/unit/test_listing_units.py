"""List query pieces that need no database: filter keys, sorts and opaque cursors."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import TypeAdapter

import entities
from core.contracts import Entity, Field, FieldType, define_entity
from core.db.schema import build_metadata
from core.errors import InvalidInput
from core.model import inputs
from core.model.filters import FILTER_OPERATORS, split_filter_key
from core.model.inputs import value_type
from core.model.registry import Registry
from core.records.listing import (
    decode_cursor,
    encode_cursor,
    filter_clauses,
    parse_sort,
    query_digest,
)

FLAGGED = define_entity(
    "Flagged", plural="Flaggeds", fields=(Field("flag", "boolean"), Field("label", "text"))
)
REGISTRY = Registry(entities.DOMAIN)
METADATA = build_metadata([*REGISTRY.entities.values(), FLAGGED])


def entity_and_table(name: str) -> tuple[Entity, sa.Table]:
    entity = FLAGGED if name == "Flagged" else REGISTRY.entity(name)
    return entity, METADATA.tables[entity.table_name]


# --- filter keys -------------------------------------------------------------------------


@pytest.mark.parametrize("op", FILTER_OPERATORS)
def test_split_filter_key_with_operator(op: str) -> None:
    assert split_filter_key(f"due_date__{op}") == ("due_date", op)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("status", ("status", "eq")),
        ("project_id", ("project_id", "eq")),
        ("due_date__between", ("due_date__between", "eq")),
        ("a__b__gt", ("a__b", "gt")),
        ("__gt", ("", "gt")),
        ("title__", ("title__", "eq")),
    ],
)
def test_split_filter_key_edge_cases(key: str, expected: tuple[str, str]) -> None:
    assert split_filter_key(key) == expected


def test_unknown_filter_names_allowed_fields() -> None:
    entity, table = entity_and_table("Task")
    with pytest.raises(InvalidInput) as info:
        filter_clauses(entity, table, {"colour": "red"})
    assert info.value.details["field"] == "colour"
    assert "title" in info.value.details["allowed"]
    assert "title" in info.value.message


def test_unknown_operator_is_treated_as_part_of_the_name_and_refused() -> None:
    entity, table = entity_and_table("Task")
    with pytest.raises(InvalidInput):
        filter_clauses(entity, table, {"due_date__between": "x"})


# --- cursors -----------------------------------------------------------------------------

ROUND_TRIPS: list[tuple[str, str, Any]] = [
    ("Company", "name", "Acme Analytics"),
    ("Company", "name", "Ünïcødé ✓ 名前"),
    ("Company", "employees", 240),
    ("Company", "annual_revenue", Decimal("38500000.00")),
    ("Company", "annual_revenue", Decimal("0.10")),
    ("Company", "website", "https://acme.example.com"),
    ("Task", "estimate_hours", 1.5),
    ("Task", "estimate_hours", None),
    ("Task", "due_date", dt.date(2026, 2, 20)),
    ("Task", "status", "in_progress"),
    ("Task", "created_at", dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)),
    ("Task", "updated_at", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    ("Task", "project_id", uuid.UUID("7d495a2b-a6db-4d13-9c35-ae6d56f484dc")),
    ("Appointment", "starts_at", dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)),
    ("Appointment", "duration_minutes", 30),
    ("Flagged", "flag", True),
    ("Flagged", "flag", False),
]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(
    ("name", "column", "value"), ROUND_TRIPS, ids=[f"{e}.{c}" for e, c, _ in ROUND_TRIPS]
)
def test_cursor_round_trip(name: str, column: str, value: Any, descending: bool) -> None:
    entity, table = entity_and_table(name)
    sort = parse_sort(entity, table, f"-{column}" if descending else column)
    record_id = uuid.uuid4()
    for back in (False, True):
        cursor = encode_cursor(sort, value, record_id, back=back)
        decoded = decode_cursor(entity, sort, cursor)
        assert (decoded.value, decoded.record_id, decoded.back) == (value, record_id, back)


def test_a_cursor_continues_only_the_query_it_came_from() -> None:
    """Same sort, other filters or search: a silently wrong page would follow."""
    entity, table = entity_and_table("Task")
    sort = parse_sort(entity, table, "due_date")
    made_for = query_digest({"status": "todo"}, None)
    cursor = encode_cursor(sort, dt.date(2026, 1, 1), uuid.uuid4(), query=made_for)
    assert decode_cursor(entity, sort, cursor, query=made_for).value == dt.date(2026, 1, 1)
    for other in (
        query_digest({"status": "done"}, None),
        query_digest({}, None),
        query_digest({"status": "todo"}, "report"),
    ):
        with pytest.raises(InvalidInput) as info:
            decode_cursor(entity, sort, cursor, query=other)
        assert info.value.details["field"] == "cursor"


def test_cursor_is_opaque_text() -> None:
    entity, table = entity_and_table("Company")
    sort = parse_sort(entity, table, "name")
    cursor = encode_cursor(sort, "Acme", uuid.uuid4())
    assert "Acme" not in cursor
    assert cursor.isascii()


def _company_cursor() -> tuple[Entity, Any, str]:
    entity, table = entity_and_table("Company")
    sort = parse_sort(entity, table, "employees")
    return entity, sort, encode_cursor(sort, 240, uuid.uuid4())


def _reencode(parts: list[Any]) -> str:
    raw = json.dumps(parts).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-3],
        lambda c: c[:10],
        lambda c: c + "!!",
        lambda c: "x" + c,
        lambda c: c[:5] + ("A" if c[5] != "A" else "B") + c[6:],
        lambda c: "",
        lambda c: "not a cursor",
        lambda c: "%%%%",
        lambda c: _reencode(["employees", 240]),
        lambda c: _reencode(["employees", 240, "not-hex"]),
        lambda c: _reencode(["f", "employees", "many", uuid.uuid4().hex, ""]),
        lambda c: _reencode(["f", "employees", True, uuid.uuid4().hex, ""]),
        lambda c: _reencode(["x", "employees", 240, uuid.uuid4().hex, ""]),
        lambda c: _reencode(["f", "employees", 240, uuid.uuid4().hex, "other-query"]),
        lambda c: _reencode({"employees": 240}),
        lambda c: _reencode("employees"),
        lambda c: base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_tampered_cursor_is_invalid_input(mutate: Any) -> None:
    entity, sort, cursor = _company_cursor()
    tampered = mutate(cursor)
    assert tampered != cursor
    with pytest.raises(InvalidInput) as info:
        decode_cursor(entity, sort, tampered)
    assert info.value.details["field"] == "cursor"
    assert [e["field"] for e in info.value.details["errors"]] == ["cursor"]


def test_null_value_on_a_not_null_sort_is_invalid() -> None:
    entity, table = entity_and_table("Company")
    sort = parse_sort(entity, table, "name")
    with pytest.raises(InvalidInput):
        decode_cursor(entity, sort, _reencode(["f", "name", None, uuid.uuid4().hex, ""]))


@pytest.mark.parametrize(
    ("first", "second"),
    [("employees", "-employees"), ("employees", "name"), ("-created_at", "created_at")],
)
def test_cursor_from_another_order_is_invalid_input(first: str, second: str) -> None:
    entity, table = entity_and_table("Company")
    one, other = parse_sort(entity, table, first), parse_sort(entity, table, second)
    value = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if "created_at" in first else 240
    cursor = encode_cursor(one, value, uuid.uuid4())
    with pytest.raises(InvalidInput):
        decode_cursor(entity, other, cursor)


def test_cursor_from_another_entity_is_invalid_input() -> None:
    task, task_table = entity_and_table("Task")
    company, company_table = entity_and_table("Company")
    cursor = encode_cursor(parse_sort(task, task_table, "status"), "todo", uuid.uuid4())
    with pytest.raises(InvalidInput):
        decode_cursor(company, parse_sort(company, company_table, "name"), cursor)


def _sortable_text(registry: Registry) -> list[tuple[str, str]]:
    text = {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.URL, FieldType.PHONE}
    return [
        (entity.name, field.name)
        for entity in registry.entities.values()
        for field in entity.fields
        if field.type in text and field.name in entity.sortable()
    ]


def _longest_value(field: Field) -> str:
    """A valid value as long as the field allows; non-ASCII where the type permits it."""
    limit = field.effective_max_length or 1
    if field.type is FieldType.URL:
        return "https://example.com/" + "a" * (limit - len("https://example.com/"))
    if field.type is FieldType.EMAIL:
        return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com"
    if field.type is FieldType.PHONE:
        return "+1 " + "5" * (limit - 3)
    return "é" * limit


@pytest.mark.parametrize(("name", "column"), _sortable_text(REGISTRY))
def test_a_cursor_the_engine_makes_is_one_list_input_accepts(name: str, column: str) -> None:
    """Paging by any sortable text column must survive a value at its declared limit."""
    entity, table = entity_and_table(name)
    field = entity.field(column)
    assert field is not None
    value = _longest_value(field)
    assert TypeAdapter(value_type(field)).validate_python(value) == value
    sort = parse_sort(entity, table, column)
    cursor = encode_cursor(sort, value, uuid.uuid4())
    inputs.validate(inputs.ListInput, {"order_by": column, "cursor": cursor})


# --- sort --------------------------------------------------------------------------------


def test_default_sort_comes_from_ui_hints() -> None:
    entity, table = entity_and_table("Task")
    sort = parse_sort(entity, table, None)
    assert (sort.column, sort.descending) == ("due_date", False)


def test_sort_on_unknown_column_names_allowed() -> None:
    entity, table = entity_and_table("Task")
    with pytest.raises(InvalidInput) as info:
        parse_sort(entity, table, "-colour")
    assert "title" in info.value.details["allowed"]


@pytest.mark.parametrize("order_by", ["tenant_id", "created_by", "version", "title; DROP", "--"])
def test_sort_on_non_sortable_column_refused(order_by: str) -> None:
    entity, table = entity_and_table("Task")
    with pytest.raises(InvalidInput):
        parse_sort(entity, table, order_by)

"""Generated input models: strict, closed, and never echoing what they refuse."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

import entities
from core.contracts import Field, define_entity
from core.errors import InvalidInput
from core.model import inputs
from core.model.registry import Registry

REGISTRY = Registry(entities.DOMAIN)
SECRET = "sk-live-7f3a9c1e55d04b2aSECRET"

KITCHEN_SINK = define_entity(
    "Sample",
    plural="Samples",
    fields=(
        Field("note", "text"),
        Field("body", "long_text"),
        Field("data", "json"),
        Field("at", "datetime"),
        Field("day", "date"),
        Field("flag", "boolean"),
        Field("ratio", "number"),
        Field("share", "percentage"),
        Field("count", "integer"),
        Field("price", "currency"),
        Field("mail", "email"),
        Field("site", "url"),
        Field("tel", "phone"),
        Field("kind", "enum", options=("a", "b")),
    ),
)
SINK = inputs.create_input(KITCHEN_SINK)


def model(action_id: str) -> type[BaseModel]:
    return REGISTRY.input_model(REGISTRY.actions[action_id])


def ok(action: str | type[BaseModel], payload: dict[str, Any]) -> BaseModel:
    target = model(action) if isinstance(action, str) else action
    return inputs.validate(target, payload)


def bad(action: str | type[BaseModel], payload: dict[str, Any]) -> InvalidInput:
    target = model(action) if isinstance(action, str) else action
    with pytest.raises(InvalidInput) as info:
        inputs.validate(target, payload)
    return info.value


def fields_in(error: InvalidInput) -> list[str]:
    return [e["field"] for e in error.details["errors"]]


# --- closed models -----------------------------------------------------------------------


def test_unknown_field_is_rejected_and_named() -> None:
    error = bad("task.create", {"title": "Write tests", "colour": "red"})
    assert error.code == "invalid_input"
    assert fields_in(error) == ["colour"]
    assert "colour" in error.message
    for allowed in ("title", "priority", "due_date", "project_id"):
        assert allowed in error.message


@pytest.mark.parametrize(
    "action",
    ["task.update", "task.transition", "task.get", "task.delete", "task.list", "project.summary"],
)
def test_every_kind_of_action_rejects_unknown_fields(action: str) -> None:
    payload: dict[str, Any] = {"sneaky": 1}
    if action != "task.list":
        payload["id"] = str(uuid.uuid4())
    assert "sneaky" in fields_in(bad(action, payload))


def test_system_columns_cannot_be_written() -> None:
    for column in ("tenant_id", "created_by", "created_at", "version"):
        assert column in fields_in(bad("task.create", {"title": "x", column: "y"}))


@pytest.mark.parametrize("payload", [None, [], "title", 5])
def test_payload_must_be_an_object(payload: Any) -> None:
    with pytest.raises(InvalidInput):
        inputs.validate(model("task.create"), payload)


def test_required_field_missing() -> None:
    assert fields_in(bad("task.create", {})) == ["title"]


# --- strict types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", "5"),
        ("count", 5.0),
        ("count", True),
        ("flag", 1),
        ("flag", "true"),
        ("flag", 0),
        ("ratio", True),
        ("ratio", "1.5"),
        ("share", False),
        ("price", True),
        ("note", 5),
        ("note", ["x"]),
        ("day", 20240101),
        ("at", 1700000000),
    ],
)
def test_strict_types_refuse_coercion(field: str, value: Any) -> None:
    assert fields_in(bad(SINK, {field: value})) == [field]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("count", 5, 5),
        ("flag", True, True),
        ("ratio", 2, 2.0),
        ("ratio", 1.5, 1.5),
        ("price", "12.50", Decimal("12.50")),
        ("price", 12, Decimal("12")),
        ("day", "2024-02-29", dt.date(2024, 2, 29)),
        ("kind", "b", "b"),
    ],
)
def test_well_typed_values_accepted(field: str, value: Any, expected: Any) -> None:
    assert getattr(ok(SINK, {field: value}), field) == expected


def test_integer_limits_are_64_bit() -> None:
    assert ok(SINK, {"count": 2**63 - 1}).count == 2**63 - 1  # type: ignore[attr-defined]
    assert fields_in(bad(SINK, {"count": 2**63})) == ["count"]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_numbers_must_be_finite(value: float) -> None:
    assert fields_in(bad(SINK, {"ratio": value})) == ["ratio"]


def test_declared_min_and_max_enforced() -> None:
    assert fields_in(bad("task.create", {"title": "x", "estimate_hours": -1})) == ["estimate_hours"]
    assert fields_in(bad("task.create", {"title": "x", "estimate_hours": 10_001})) == [
        "estimate_hours"
    ]
    ok("task.create", {"title": "x", "estimate_hours": 10_000})


# --- enums and lengths -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["urgent", "HIGH", "", "high ", 1, ["high"]])
def test_enum_membership(value: Any) -> None:
    assert fields_in(bad("task.create", {"title": "x", "priority": value})) == ["priority"]


def test_task_title_max_length_is_200() -> None:
    ok("task.create", {"title": "t" * 200})
    assert fields_in(bad("task.create", {"title": "t" * 201})) == ["title"]


def test_text_without_max_length_defaults_to_10000() -> None:
    assert ok(SINK, {"note": "n" * 10_000})
    assert fields_in(bad(SINK, {"note": "n" * 10_001})) == ["note"]


def test_long_text_may_exceed_10000() -> None:
    assert ok(SINK, {"body": "b" * 10_001})


# --- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["person@example.com", "first.last+tag@sub.example.org"])
def test_email_accepted(value: str) -> None:
    assert ok(SINK, {"mail": value})


@pytest.mark.parametrize(
    "value", ["plain", "a@b", "a@@example.com", "a b@example.com", "@example.com", "a@"]
)
def test_email_rejected(value: str) -> None:
    assert fields_in(bad(SINK, {"mail": value})) == ["mail"]


@pytest.mark.parametrize("value", ["https://example.com", "http://example.com/a?b=c#d"])
def test_url_accepted(value: str) -> None:
    assert ok(SINK, {"site": value})


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "ftp://example.com",
        "javascript:alert(1)",
        "https://",
        "https://exa mple.com",
        "http://example.com/\x07",
    ],
)
def test_url_rejected(value: str) -> None:
    assert fields_in(bad(SINK, {"site": value})) == ["site"]


@pytest.mark.parametrize("value", ["+1 415 555 0134", "(555) 123-4567", "555.123.4567 ext. 12"])
def test_phone_accepted(value: str) -> None:
    assert ok(SINK, {"tel": value})


@pytest.mark.parametrize("value", ["call me", "12", "+1 415 555 0134; DROP", "☎ 555 0134"])
def test_phone_rejected(value: str) -> None:
    assert fields_in(bad(SINK, {"tel": value})) == ["tel"]


@pytest.mark.parametrize("action", ["task.get", "task.delete", "task.update", "task.transitions"])
@pytest.mark.parametrize("value", ["not-a-uuid", "1234", "", 42, None])
def test_ids_must_be_uuids(action: str, value: Any) -> None:
    assert "id" in fields_in(bad(action, {"id": value}))


def test_belongs_to_id_must_be_a_uuid() -> None:
    assert fields_in(bad("task.create", {"title": "x", "project_id": "p-1"})) == ["project_id"]


def test_uuid_strings_accepted() -> None:
    ident = uuid.uuid4()
    assert ok("task.get", {"id": str(ident)}).id == ident  # type: ignore[attr-defined]


# --- text that no column can hold --------------------------------------------------------


@pytest.mark.parametrize("field", ["note", "body", "site", "tel", "mail"])
def test_nul_characters_rejected(field: str) -> None:
    values = {"note": "a\x00b", "body": "a\x00b", "site": "https://ex\x00.com"}
    values |= {"tel": "555\x000134", "mail": "a\x00b@example.com"}
    assert fields_in(bad(SINK, {field: values[field]})) == [field]


@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff", "a\udc00b"])
def test_lone_surrogates_rejected(surrogate: str) -> None:
    assert fields_in(bad(SINK, {"note": surrogate})) == ["note"]
    assert fields_in(bad(SINK, {"data": {"k": surrogate}})) == ["data"]


def test_nul_inside_json_rejected() -> None:
    assert fields_in(bad(SINK, {"data": {"k": "a\x00b"}})) == ["data"]


# --- currency, datetimes, JSON -----------------------------------------------------------


@pytest.mark.parametrize("value", ["12.50", "0.01", "-3", "9999999999999.99", 7])
def test_currency_accepted(value: Any) -> None:
    assert ok(SINK, {"price": value}).price == Decimal(str(value))  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ["1.234", "0.001", 1.005, "abc", "NaN", "Infinity", "1e13"])
def test_currency_rejected(value: Any) -> None:
    assert fields_in(bad(SINK, {"price": value})) == ["price"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00", dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)),
        ("2024-05-01T10:00:00Z", dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)),
        ("2024-05-01T12:30:00+02:30", dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)),
        ("2024-05-01T05:00:00-05:00", dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)),
        (dt.datetime(2024, 5, 1, 10), dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)),
    ],
)
def test_datetimes_normalised_to_utc(value: Any, expected: dt.datetime) -> None:
    result = ok(SINK, {"at": value}).at  # type: ignore[attr-defined]
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00", "2024-05-01 25:00"])
def test_bad_datetimes_rejected(value: str) -> None:
    assert fields_in(bad(SINK, {"at": value})) == ["at"]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"], ids=["min", "max"]
)
def test_datetime_out_of_range_in_utc_is_invalid_input(value: str) -> None:
    assert fields_in(bad(SINK, {"at": value})) == ["at"]


@pytest.mark.parametrize("value", ["2024-02-30", "2024-05-01T00:00:00", "01/05/2024"])
def test_bad_dates_rejected(value: str) -> None:
    assert fields_in(bad(SINK, {"day": value})) == ["day"]


def test_date_field_refuses_a_datetime_object() -> None:
    assert fields_in(bad(SINK, {"day": dt.datetime(2024, 1, 1)})) == ["day"]


def test_json_size_limit() -> None:
    assert ok(SINK, {"data": {"k": "x" * (inputs.JSON_MAX_BYTES - 20)}})
    assert fields_in(bad(SINK, {"data": {"k": "x" * inputs.JSON_MAX_BYTES}})) == ["data"]


def test_json_size_counts_utf8_bytes() -> None:
    chars = inputs.JSON_MAX_BYTES // 2 + 10  # under the limit in characters, over it in bytes
    assert fields_in(bad(SINK, {"data": {"k": "é" * chars}})) == ["data"]


@pytest.mark.parametrize("value", [float("nan"), {"k": float("inf")}, {1, 2}, b"bytes"])
def test_json_must_be_json_data(value: Any) -> None:
    assert fields_in(bad(SINK, {"data": value})) == ["data"]


# --- list input --------------------------------------------------------------------------


def test_list_limit_defaults_to_50() -> None:
    assert ok("task.list", {}).limit == 50  # type: ignore[attr-defined]


@pytest.mark.parametrize("limit", [1, 500])
def test_list_limit_bounds_accepted(limit: int) -> None:
    assert ok("task.list", {"limit": limit}).limit == limit  # type: ignore[attr-defined]


@pytest.mark.parametrize("limit", [0, -1, 501, "10", 10.0, True])
def test_list_limit_bounds_rejected(limit: Any) -> None:
    assert fields_in(bad("task.list", {"limit": limit})) == ["limit"]


# --- no echo -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", SECRET),
        ("flag", SECRET),
        ("ratio", SECRET),
        ("price", SECRET),
        ("day", SECRET),
        ("at", SECRET),
        ("kind", SECRET),
        ("mail", SECRET),
        ("mail", f"{SECRET}@@example.com"),
        ("mail", f"x@{SECRET}"),
        ("site", f"ftp://{SECRET}"),
        ("tel", SECRET),
        ("note", SECRET * 400),
        ("note", f"{SECRET}\x00"),
        ("data", {"k": f"{SECRET}\x00"}),
        ("count", [SECRET]),
        ("note", {"k": SECRET}),
    ],
)
def test_errors_never_echo_the_rejected_value(field: str, value: Any) -> None:
    error = bad(SINK, {field: value})
    assert SECRET not in error.message
    assert SECRET not in repr(error.to_dict())
    assert SECRET not in str(error)


@pytest.mark.parametrize("action", ["task.get", "task.update", "task.transition"])
def test_id_errors_never_echo_the_value(action: str) -> None:
    error = bad(action, {"id": SECRET})
    assert SECRET not in repr(error.to_dict())

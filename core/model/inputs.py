"""Pydantic input models generated from entity metadata, one per action, built on demand.

Validation is strict where a coercion would hide a mistake (no "5" for an integer, no 1
for a boolean) and lenient only where JSON has no native type (ISO dates, UUIDs,
decimal strings). Unknown fields are rejected and named.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Strict,
    StringConstraints,
    ValidationError,
    create_model,
)
from pydantic import Field as PydField

from core.contracts import Entity, Field, FieldType
from core.errors import InvalidInput, field_error
from core.jsonable import nesting_problem

INT64 = 2**63 - 1
CURRENCY_LIMIT = Decimal("1e13")
CENT = Decimal("0.01")
JSON_MAX_BYTES = 60_000  # a JSON field must fit in one action input (64 KiB)
PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-]{2,30}(\s*(x|ext\.?)\s*[0-9]{1,6})?\Z")
LIMIT_MAX, LIMIT_DEFAULT = 500, 50
CURSOR_MAX = 64_000


def clean_text(value: str) -> str:
    """Refuse what no database column can hold: NUL and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text") from None
    return value


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("must not contain spaces or control characters")
    return value


def check_phone(value: str) -> str:
    if not PHONE.match(value):
        raise ValueError("must be a phone number: digits, spaces, + ( ) . - and an extension")
    return value


def parse_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO date, YYYY-MM-DD") from None
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date, not a datetime")
    return value


def parse_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except (ValueError, OverflowError):
            raise ValueError("must be an ISO 8601 datetime") from None
    return value


def to_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is outside the supported range of datetimes") from None


def no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


def check_currency(value: Decimal) -> Decimal:
    """A finite amount in its stored form, two places (`1e5` is `100000.00`): what an
    action answers is what a later read returns."""
    if not value.is_finite() or abs(value) >= CURRENCY_LIMIT:
        raise ValueError("must be a finite amount below 10^13")
    return value.quantize(CENT)


def check_json(value: Any) -> Any:
    problem = nesting_problem(value)
    if problem:
        raise ValueError(problem)
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        raise ValueError("must be JSON data (objects, arrays, strings, finite numbers)") from None
    if "\\u0000" in text:
        raise ValueError("must not contain a NUL character")
    clean_text(text)
    if len(text.encode("utf-8")) > JSON_MAX_BYTES:
        raise ValueError(f"must be at most {JSON_MAX_BYTES} bytes of JSON")
    return value


def _bounds(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if field.min is not None:
        out["ge"] = field.min
    if field.max is not None:
        out["le"] = field.max
    return out


def value_type(field: Field) -> Any:
    """The annotated Python type one value of `field` must satisfy."""
    t = field.type
    if t in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.PHONE, FieldType.URL):
        constraints = StringConstraints(
            max_length=field.effective_max_length,
            min_length=int(field.min) if field.min is not None else None,
            pattern=field.pattern,
        )
        checks = [AfterValidator(clean_text)]
        if t is FieldType.URL:
            checks.append(AfterValidator(check_url))
        if t is FieldType.PHONE:
            checks.append(AfterValidator(check_phone))
        return Annotated[str, Strict(), constraints, *checks]
    if t is FieldType.EMAIL:
        return Annotated[EmailStr, StringConstraints(max_length=254)]
    if t is FieldType.ENUM:
        return Literal[tuple(field.options)]
    if t is FieldType.INTEGER:
        bounds = {"ge": -INT64, "le": INT64, **_bounds(field)}
        return Annotated[int, Strict(), PydField(**bounds)]
    if t in (FieldType.NUMBER, FieldType.PERCENTAGE):
        # The before-validator comes last so it wraps (runs before) the constraints, which
        # then stay standard JSON Schema keywords.
        return Annotated[
            float,
            Strict(),
            PydField(allow_inf_nan=False, **_bounds(field)),
            BeforeValidator(no_bool),
        ]
    if t is FieldType.CURRENCY:
        return Annotated[
            Decimal,
            PydField(max_digits=15, decimal_places=2, allow_inf_nan=False, **_bounds(field)),
            AfterValidator(check_currency),
            BeforeValidator(no_bool),
        ]
    if t is FieldType.BOOLEAN:
        return Annotated[bool, Strict()]
    if t is FieldType.DATE:
        return Annotated[dt.date, BeforeValidator(parse_date), Strict()]
    if t is FieldType.DATETIME:
        return Annotated[
            dt.datetime, BeforeValidator(parse_datetime), Strict(), AfterValidator(to_utc)
        ]
    return Annotated[Any, AfterValidator(check_json)]


STRICT = ConfigDict(extra="forbid", frozen=True)


VERSION = Annotated[int, Strict(), PydField(ge=1)]
SEARCH = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_text)]
FILTER_KEY = Annotated[str, StringConstraints(max_length=100)]


class IdInput(BaseModel):
    model_config = STRICT
    id: uuid.UUID


class ListInput(BaseModel):
    model_config = STRICT
    filters: dict[FILTER_KEY, Any] = {}
    order_by: Annotated[str, StringConstraints(max_length=100)] | None = None
    limit: Annotated[int, Strict(), PydField(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT
    # A cursor carries the last sort value; sortable text is at most 10,000 characters.
    cursor: Annotated[str, StringConstraints(max_length=CURSOR_MAX)] | None = None
    search: SEARCH | None = None


class CountInput(BaseModel):
    model_config = STRICT
    filters: dict[FILTER_KEY, Any] = {}
    search: SEARCH | None = None


class CreateInput(BaseModel):
    """The base of every entity's create input; each entity adds its fields."""

    model_config = STRICT
    id: uuid.UUID | None = None


class UpdateInput(BaseModel):
    """The base of every entity's update input; each entity adds its fields, all optional."""

    model_config = STRICT
    id: uuid.UUID
    expected_version: VERSION | None = None


class TransitionInput(BaseModel):
    """The base of every transition input; each entity narrows `to` and `trigger`."""

    model_config = STRICT
    id: uuid.UUID
    to: str | None = None
    trigger: str | None = None
    workflow: Annotated[str, StringConstraints(max_length=63)] | None = None
    expected_version: VERSION | None = None


USER_ID = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=128)]
STORED_VERSION = Annotated[int, Strict(), PydField(ge=1, le=INT64)]
STAMP = Annotated[dt.datetime, BeforeValidator(parse_datetime), Strict(), AfterValidator(to_utc)]
# What the platform sets on every record and an update may never name.
IMMUTABLE = frozenset(
    {"id", "tenant_id", "created_at", "updated_at", "created_by", "updated_by", "version"}
)


class RestoreInput(BaseModel):
    """A whole stored record, as `export` wrote it: the base of every entity's restore input."""

    model_config = STRICT
    id: uuid.UUID
    created_at: STAMP
    updated_at: STAMP
    created_by: Annotated[USER_ID, AfterValidator(clean_text)]
    updated_by: Annotated[USER_ID, AfterValidator(clean_text)]
    version: STORED_VERSION


def _record_fields(entity: Entity, *, partial: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for f in entity.fields:
        typ = value_type(f)
        if partial:
            definitions[f.name] = (typ | None, None)
        elif f.required and f.default is None:
            definitions[f.name] = (typ, ...)
        else:
            definitions[f.name] = (typ | None, f.default)
    for r in entity.belongs_to:
        if partial or not r.required:
            definitions[r.column] = (uuid.UUID | None, None)
        else:
            definitions[r.column] = (uuid.UUID, ...)
    return definitions


def create_input(entity: Entity) -> type[CreateInput]:
    fields = _record_fields(entity, partial=False)
    return create_model(f"{entity.name}Create", __base__=CreateInput, **fields)


def update_input(entity: Entity) -> type[UpdateInput]:
    fields = _record_fields(entity, partial=True)
    return create_model(f"{entity.name}Update", __base__=UpdateInput, **fields)


def restore_input(entity: Entity) -> type[RestoreInput]:
    """Every field as `create` takes it; a workflow state may be any of its states."""
    fields = _record_fields(entity, partial=False)
    return create_model(f"{entity.name}Restore", __base__=RestoreInput, **fields)


def transition_input(entity: Entity) -> type[TransitionInput]:
    states, triggers = entity.workflow_states(), entity.workflow_triggers()
    fields: dict[str, Any] = {
        "to": (Literal[states] | None, None),
        "trigger": (Literal[triggers] | None, None) if triggers else (None, None),
    }
    return create_model(f"{entity.name}Transition", __base__=TransitionInput, **fields)


def custom_input(
    entity: Entity, name: str, fields: tuple[Field, ...], takes_record: bool
) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for f in fields:
        typ = value_type(f)
        definitions[f.name] = (
            (typ, ...) if f.required and f.default is None else (typ | None, f.default)
        )
    if takes_record:
        definitions["id"] = (uuid.UUID, ...)
    return create_model(name, __config__=STRICT, **definitions)


def validate(model: type[BaseModel], payload: Any) -> BaseModel:
    """Validate or raise `InvalidInput` naming each bad field, never echoing its value."""
    if not isinstance(payload, dict):
        raise InvalidInput("input must be a JSON object")
    # Checked first, without recursion: every caller's payload comes through here, so no
    # value built to exhaust the stack reaches validation, the audit hash or an answer.
    problem = nesting_problem(payload)
    if problem:
        raise InvalidInput(f"input {problem}", {"reason": "too_deep"})
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise invalid_from(exc, set(model.model_fields)) from None


def invalid_from(exc: ValidationError, allowed: set[str]) -> InvalidInput:
    """Every field's problem, each with pydantic's error type as its stable code."""
    errors = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden" and loc in IMMUTABLE:
            errors.append(field_error(loc, "immutable", "cannot be set: the platform sets it"))
            continue
        if err["type"] == "extra_forbidden":
            message = f"unknown field; allowed: {', '.join(sorted(allowed))}"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        errors.append(field_error(loc or None, err["type"], message))
    return InvalidInput.of(errors)

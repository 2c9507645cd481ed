"""Field declarations: the one place a field's type, limits and meaning are stated.

Tables, input validation, list filters and every screen are derived from these, so a
field that does not type-check here fails at import time, never at request time.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from core.errors import DefinitionError
from core.identifiers import SNAKE_CASE, identifier_problem

INPUT_MAX_BYTES = 64 * 1024
"""One action's input, serialized as JSON, is at most this big (checked by the bus)."""
STRING_MAX_LENGTH = 60_000
"""No string field may be declared longer: a value must fit in one input with its keys."""
TEXT_DEFAULT_MAX_LENGTH = 10_000
LONG_TEXT_DEFAULT_MAX_LENGTH = STRING_MAX_LENGTH


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    INTEGER = "integer"
    NUMBER = "number"
    CURRENCY = "currency"
    PERCENTAGE = "percentage"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    JSON = "json"


STRING_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL}
)
NUMERIC_TYPES = frozenset(
    {FieldType.INTEGER, FieldType.NUMBER, FieldType.CURRENCY, FieldType.PERCENTAGE}
)
# Lengths that a value of these types can never exceed, whatever the declaration says.
INTRINSIC_MAX_LENGTH = {FieldType.EMAIL: 254, FieldType.PHONE: 32, FieldType.URL: 2048}


class Field(BaseModel):
    """One typed attribute of an entity. `Field("title", "text", required=True)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: FieldType
    required: bool = False
    default: Any = None
    options: tuple[str, ...] = ()
    min: int | float | Decimal | None = None
    max: int | float | Decimal | None = None
    max_length: int | None = None
    pattern: str | None = None
    unique: bool = False
    sensitive: bool = False
    readable_by: tuple[str, ...] | None = None
    """Roles that see this sensitive field unmasked; None: the entity's `sensitive_readers`."""
    description: str = ""
    label: str | None = None

    def __init__(self, name: str, type: FieldType | str, /, **data: Any) -> None:
        try:
            super().__init__(name=name, type=type, **data)
        except ValidationError as exc:
            raise DefinitionError(f"field {name!r}: {describe(exc)}") from None

    @property
    def effective_max_length(self) -> int | None:
        """The length limit that validation and the column both use."""
        if self.type in INTRINSIC_MAX_LENGTH:
            return min(
                self.max_length or INTRINSIC_MAX_LENGTH[self.type], INTRINSIC_MAX_LENGTH[self.type]
            )
        if self.type is FieldType.TEXT:
            return self.max_length or TEXT_DEFAULT_MAX_LENGTH
        if self.type is FieldType.LONG_TEXT:
            return self.max_length or LONG_TEXT_DEFAULT_MAX_LENGTH
        if self.type is FieldType.ENUM:
            return max((len(o) for o in self.options), default=1)
        return None

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def check(self) -> None:
        """Raise ValueError naming the problem; `Entity` calls it so errors name the entity."""
        problem = identifier_problem(self.name)
        if problem:
            raise ValueError(f"field name {self.name!r} {problem}")
        if not SNAKE_CASE.match(self.name):
            raise ValueError(f"field name {self.name!r} must be snake_case")
        if self.type is FieldType.ENUM:
            if not self.options:
                raise ValueError(f"enum field {self.name!r} needs options")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"enum field {self.name!r} has duplicate options")
            for option in self.options:
                if not SNAKE_CASE.match(option) or len(option) > 63:
                    raise ValueError(
                        f"enum field {self.name!r}: option {option!r} must be snake_case, "
                        "at most 63 characters"
                    )
        elif self.options:
            raise ValueError(f"field {self.name!r}: options are only for enum fields")
        if self.max_length is not None and self.type not in STRING_TYPES:
            raise ValueError(f"field {self.name!r}: max_length is only for text-like fields")
        if self.max_length is not None and self.max_length < 1:
            raise ValueError(f"field {self.name!r}: max_length must be positive")
        if self.max_length is not None and self.max_length > STRING_MAX_LENGTH:
            raise ValueError(
                f"field {self.name!r}: max_length may be at most {STRING_MAX_LENGTH} "
                f"(one action's input is at most {INPUT_MAX_BYTES} bytes)"
            )
        if self.readable_by is not None and not self.sensitive:
            raise ValueError(f"field {self.name!r}: readable_by is only for sensitive fields")
        if self.pattern is not None:
            if self.type not in STRING_TYPES:
                raise ValueError(f"field {self.name!r}: pattern is only for text-like fields")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"field {self.name!r}: pattern does not compile: {exc}") from exc
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.name!r}: min is greater than max")
        if (self.min is not None or self.max is not None) and not (
            self.type in NUMERIC_TYPES or self.type in STRING_TYPES
        ):
            raise ValueError(f"field {self.name!r}: min/max need a numeric or text field")
        if self.default is not None:
            problem = default_problem(self, self.default)
            if problem:
                raise ValueError(f"field {self.name!r}: default {self.default!r} {problem}")


def default_problem(field: Field, value: Any) -> str | None:
    """Type-check a declared default without the request-time validators."""
    t = field.type
    if t in STRING_TYPES:
        if not isinstance(value, str):
            return "is not a string"
        limit = field.effective_max_length
        if limit is not None and len(value) > limit:
            return f"is longer than {limit} characters"
        if "\x00" in value:
            return "contains a NUL character"
        return None
    if t is FieldType.ENUM:
        return None if value in field.options else f"is not one of {list(field.options)}"
    if t is FieldType.BOOLEAN:
        return None if isinstance(value, bool) else "is not a boolean"
    if t is FieldType.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "is not an integer"
    if t in (FieldType.NUMBER, FieldType.PERCENTAGE):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "is not a number"
    if t is FieldType.CURRENCY:
        try:
            Decimal(str(value))
        except InvalidOperation:
            return "is not a decimal amount"
        return None if not isinstance(value, bool) else "is not a decimal amount"
    if t is FieldType.DATE:
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        return None if ok else "is not a date"
    if t is FieldType.DATETIME:
        return None if isinstance(value, dt.datetime) else "is not a datetime"
    return None


RelationshipKind = Literal["belongs_to", "has_many"]
OnDelete = Literal["set_null", "cascade", "restrict"]


class Relationship(BaseModel):
    """`belongs_to` adds a `<name>_id` column; `has_many` is its declared inverse."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: RelationshipKind
    target: str
    on_delete: OnDelete = "set_null"
    required: bool = False
    inverse: str | None = None
    description: str = ""

    @property
    def column(self) -> str:
        return f"{self.name}_id"

    def check(self) -> None:
        problem = identifier_problem(self.name)
        if problem or not SNAKE_CASE.match(self.name):
            raise ValueError(f"relationship name {self.name!r} {problem or 'must be snake_case'}")
        if self.kind == "belongs_to":
            col_problem = identifier_problem(self.column)
            if col_problem:
                raise ValueError(f"relationship column {self.column!r} {col_problem}")
            if self.required and self.on_delete == "set_null":
                raise ValueError(
                    f"relationship {self.name!r} is required, so on_delete cannot be set_null"
                )


def _relationship(name: str, kind: str, target: str, kw: dict[str, Any]) -> Relationship:
    try:
        return Relationship(name=name, kind=kind, target=target, **kw)
    except ValidationError as exc:
        raise DefinitionError(f"relationship {name!r}: {describe(exc)}") from None


def belongs_to(name: str, target: str, **kw: Any) -> Relationship:
    return _relationship(name, "belongs_to", target, kw)


def has_many(name: str, target: str, **kw: Any) -> Relationship:
    return _relationship(name, "has_many", target, kw)


def describe(exc: ValidationError) -> str:
    """Pydantic's errors as one line a person can act on."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)

"""List queries: declared-field filters, validated sort, search and keyset cursors.

Everything a caller sends here is checked against the entity's metadata before it is
turned into SQLAlchemy expressions; values are always bound parameters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from core.contracts import STRING_TYPES, Entity, Field, FieldType
from core.db.engines import fold
from core.errors import InvalidInput
from core.jsonable import canonical_json, loads_bounded, to_jsonable
from core.model.describe import SYSTEM_PROPERTIES, filterable_columns
from core.model.filters import MAX_IN_VALUES, ORDERED_OPERATORS, split_filter_key
from core.model.inputs import clean_text, value_type

CURSOR_DEPTH = 1  # a cursor is one flat list; anything deeper is not one of ours


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool
    nullable: bool

    @property
    def key(self) -> str:
        return f"-{self.column}" if self.descending else self.column


_ADAPTERS: dict[int, tuple[Field, TypeAdapter[Any]]] = {}
_SYSTEM_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(entity: Entity, column: str) -> TypeAdapter[Any]:
    field = entity.field(column)
    if field is not None:
        cached = _ADAPTERS.get(id(field))
        if cached is None or cached[0] is not field:
            cached = _ADAPTERS[id(field)] = (field, TypeAdapter(value_type(field)))
        return cached[1]
    if column not in _SYSTEM_ADAPTERS:
        _SYSTEM_ADAPTERS[column] = _system_adapter(column)
    return _SYSTEM_ADAPTERS[column]


def _system_adapter(column: str) -> TypeAdapter[Any]:
    """Ids, timestamps and user ids, typed as their schema says."""
    prop = SYSTEM_PROPERTIES.get(column, {"format": "uuid"})
    if prop.get("format") == "date-time":
        return TypeAdapter(value_type(Field("created_at", FieldType.DATETIME)))
    if prop.get("format") == "uuid":
        return TypeAdapter(uuid.UUID)
    # user ids: the same text rules as any text field
    return TypeAdapter(value_type(Field(column, FieldType.TEXT, max_length=128)))


def _coerce(entity: Entity, column: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return _adapter(entity, column).validate_python(value)
    except ValidationError as exc:
        msg = str(exc.errors(include_input=False)[0]["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"filter {column}: {msg}", {"field": column}) from None


def filter_clauses(entity: Entity, table: sa.Table, filters: dict[str, Any]) -> list[Any]:
    allowed = filterable_columns(entity)
    clauses: list[Any] = []
    for key, raw in filters.items():
        column, op = split_filter_key(key)
        if column not in allowed:
            raise InvalidInput(
                f"cannot filter on {column!r}; allowed fields: {', '.join(allowed)}",
                {"field": column, "allowed": allowed},
            )
        col = table.c[column]
        field = entity.field(column)
        is_text = field is not None and field.type in STRING_TYPES
        if op == "contains":
            if not is_text or not isinstance(raw, str):
                raise InvalidInput(
                    f"filter {key}: contains needs a text field and a string", {"field": column}
                )
            clauses.append(contains_folded(col, _coerce_text(raw, column)))
        elif op == "in":
            if not isinstance(raw, list) or not 0 < len(raw) <= MAX_IN_VALUES:
                raise InvalidInput(
                    f"filter {key}: in needs a list of 1..{MAX_IN_VALUES} values", {"field": column}
                )
            values = [_coerce(entity, column, v) for v in raw]
            if _folded(field):
                clauses.append(fold(col).in_([fold(v) for v in values]))
            else:
                clauses.append(col.in_(values))
        else:
            value = _coerce(entity, column, raw)
            if op in ORDERED_OPERATORS and (
                value is None or (field and field.type is FieldType.BOOLEAN)
            ):
                raise InvalidInput(f"filter {key}: {op} needs an ordered value", {"field": column})
            if _folded(field) and value is not None and op in ("eq", "ne"):
                clauses.append(_compare(fold(col), op, fold(value)))
            else:
                clauses.append(_compare(col, op, value))
    return clauses


def _folded(field: Field | None) -> bool:
    """Emails are one address in any case (`Foo@x` is `foo@x`): compared folded."""
    return field is not None and field.type is FieldType.EMAIL


def contains_folded(col: Any, term: str) -> Any:
    """`term` anywhere in `col`, in any case of any script (`ä` finds `ÄRGER`), with the
    same folding on SQLite as on PostgreSQL; `%`, `_` and `/` in the term are literal."""
    escaped = term.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return fold(col).contains(fold(sa.literal(escaped, sa.String())), escape="/")


def same_value(entity: Entity, table: sa.Table, column: str, value: Any) -> Any:
    """The clause that finds another holder of a unique `value` (emails in any case): what
    the repository's unique check should ask, so `Foo@x` and `foo@x` are one contact."""
    col = table.c[column]
    return fold(col) == fold(value) if _folded(entity.field(column)) else col == value


def _coerce_text(value: str, column: str) -> str:
    problem = None if len(value) <= 200 else "must be at most 200 characters"
    if problem is None:
        try:
            clean_text(value)
        except ValueError as exc:
            problem = str(exc)
    if problem:
        raise InvalidInput(f"filter {column}: text {problem}", {"field": column})
    return value


def _compare(col: Any, op: str, value: Any) -> Any:
    if op == "eq":
        return col.is_(None) if value is None else col == value
    if op == "ne":
        return col.is_not(None) if value is None else sa.or_(col != value, col.is_(None))
    return {"lt": col < value, "lte": col <= value, "gt": col > value, "gte": col >= value}[op]


def search_clause(entity: Entity, table: sa.Table, term: str) -> Any:
    if not entity.ui.search_fields:
        raise InvalidInput(f"{entity.plural} have no search fields", {"field": "search"})
    return sa.or_(*(contains_folded(table.c[f], term) for f in entity.ui.search_fields))


def parse_sort(entity: Entity, table: sa.Table, order_by: str | None) -> Sort:
    key = order_by or entity.ui.default_sort
    column = key.removeprefix("-")
    if column not in entity.sortable():
        raise InvalidInput(
            f"cannot sort by {column!r}; allowed: {', '.join(entity.sortable())}",
            {"field": "order_by", "allowed": entity.sortable()},
        )
    return Sort(column, key.startswith("-"), bool(table.c[column].nullable))


def order_clauses(
    table: sa.Table, sort: Sort, *, nulls: bool = False, back: bool = False
) -> list[Any]:
    """ORDER BY for one zone of a page: the sort column then id, or id alone among NULLs.

    Sorting by a nullable column puts NULLs last in both directions. Rather than an
    ORDER BY on `col IS NULL` (which no index serves), a page is read in two zones,
    non-NULL values then NULLs, each walking the plain (tenant, column, id) index.
    Walking backwards (`back`) reverses the order; the caller reverses the rows again.
    """
    col, ident = table.c[sort.column], table.c.id
    keys = [ident] if nulls else [col, ident]
    descending = sort.descending != back
    return [k.desc() if descending else k.asc() for k in keys]


def beyond(
    table: sa.Table, sort: Sort, cursor_value: Any, cursor_id: uuid.UUID, *, back: bool = False
) -> Any:
    """Rows strictly after (or, `back`, before) the cursor within its zone (None = NULL zone)."""
    col, ident = table.c[sort.column], table.c.id
    later = sort.descending == back  # whether the rows wanted compare greater
    if cursor_value is None:
        return ident > cursor_id if later else ident < cursor_id
    if later:
        return sa.tuple_(col, ident) > sa.tuple_(cursor_value, cursor_id)
    return sa.tuple_(col, ident) < sa.tuple_(cursor_value, cursor_id)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, `back`, before) the row with `value` and `record_id`."""

    value: Any
    record_id: uuid.UUID
    back: bool = False


def query_digest(filters: Any, search: str | None) -> str:
    """A short fingerprint of what a list asked for: a cursor only continues that query."""
    text = canonical_json([to_jsonable(filters), search])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_cursor(
    sort: Sort, value: Any, record_id: uuid.UUID, *, query: str = "", back: bool = False
) -> str:
    raw = json.dumps(
        ["b" if back else "f", sort.key, to_jsonable(value), record_id.hex, query],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(entity: Entity, sort: Sort, cursor: str, *, query: str = "") -> Cursor:
    bad = InvalidInput(
        "cursor is invalid or belongs to another query (other filters, search or sort)",
        {"field": "cursor"},
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded.encode(), altchars=b"-_", validate=True)
        decoded = loads_bounded(raw, max_depth=CURSOR_DEPTH)
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    # The cursor is the caller's to tamper with: check its shape before using any part.
    if not (isinstance(decoded, list) and len(decoded) == 5):
        raise bad
    direction, key, value, ident, digest = decoded
    if direction not in ("f", "b") or key != sort.key or digest != query:
        raise bad
    if not isinstance(ident, str) or isinstance(value, dict | list):
        raise bad
    try:
        record_id = uuid.UUID(hex=ident)
    except ValueError:
        raise bad from None
    back = direction == "b"
    if value is None:
        if not sort.nullable:
            raise bad
        return Cursor(None, record_id, back)
    try:
        return Cursor(_adapter(entity, sort.column).validate_python(value), record_id, back)
    except ValidationError:
        raise bad from None

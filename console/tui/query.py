"""What the filter bar and the jump line read: filters, search text, entity names, id prefixes.

Values are typed by `console.cli.values` (the CLI's reading of `key=value` by the
declared field type), so `due_date<2026-01-01` means the same in the TUI and in
`metasaas list --filter due_date__lt=2026-01-01`. What the bus then refuses is shown
with the bus's own message.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import InvalidInput

if TYPE_CHECKING:
    from core.contracts import Entity

CLAUSE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(!=|<=|>=|=|<|>|~)(.*)\Z", re.S)
OPERATORS = {"=": "eq", "!=": "ne", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "~": "contains"}
SYSTEM_FIELDS = ("id", "created_at", "updated_at", "created_by", "updated_by")


@dataclass(frozen=True)
class Query:
    """One list query: the filters, search and sort of a table's current view."""

    filters: dict[str, Any] = field(default_factory=dict)
    search: str | None = None
    order_by: str | None = None
    text: str = ""
    """The filter bar text this came from, shown in the status line."""

    def request(self) -> dict[str, Any]:
        out: dict[str, Any] = {"filters": dict(self.filters)}
        if self.search:
            out["search"] = self.search
        if self.order_by:
            out["order_by"] = self.order_by
        return out

    def count_request(self) -> dict[str, Any]:
        out: dict[str, Any] = {"filters": dict(self.filters)}
        if self.search:
            out["search"] = self.search
        return out


def field_names(entity: Entity) -> list[str]:
    return [*entity.column_names(), *SYSTEM_FIELDS]


def parse_filter_text(entity: Entity, text: str, order_by: str | None) -> Query:
    """`status=todo,review priority!=low due_date<2026-07-01 title~report call` ->
    filters `status__in`, `priority__ne`, `due_date__lt`, `title__contains`, search `call`.

    Quote a value with spaces: `title~"weekly report"`.
    """
    from console.cli.values import parse_filters

    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise InvalidInput(f"filter: {exc}", {"field": "filter"}) from None
    pairs: list[str] = []
    words: list[str] = []
    for token in tokens:
        match = CLAUSE.match(token)
        if match is None:
            words.append(token)
            continue
        name, op, raw = match.groups()
        suffix = OPERATORS[op]
        if op == "=" and "," in raw:
            suffix = "in"
        pairs.append(f"{name}={raw}" if suffix == "eq" else f"{name}__{suffix}={raw}")
    filters = parse_filters(entity, pairs)
    return Query(filters, " ".join(words) or None, order_by, text.strip())


def completions(entity: Entity, text: str) -> tuple[str, list[str]]:
    """What the last word of `text` may become: field names, or the options of an enum
    (or of a boolean) after `field=`. Returns the word being completed and candidates."""
    last = text.rsplit(" ", 1)[-1]
    match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(!=|=)([^,]*,)*([^,]*)\Z", last)
    if match:
        name, partial = match.group(1), match.group(4)
        f = entity.field(name)
        options: tuple[str, ...] = ()
        if f is not None and f.options:
            options = f.options
        elif f is not None and str(f.type) == "boolean":
            options = ("true", "false")
        return partial, [o for o in options if o.startswith(partial)]
    if CLAUSE.match(last):
        return last, []
    return last, [n for n in field_names(entity) if n.startswith(last.lower())]


@dataclass(frozen=True)
class Jump:
    entity: Entity
    prefix: str | None


HEX = re.compile(r"^[0-9a-fA-F-]{1,36}\Z")


def parse_jump(entities: list[Entity], text: str) -> Jump:
    """`tasks`, `Patient`, `task 3f1c`: an entity by any of its names, any case, and an
    optional id prefix."""
    parts = text.strip().split()
    if not parts:
        raise InvalidInput("type an entity name, e.g. :tasks", {"field": "jump"})
    wanted = parts[0].lower()
    for entity in entities:
        if wanted in entity_aliases(entity):
            prefix = parts[1] if len(parts) > 1 else None
            if prefix is not None and not HEX.match(prefix):
                raise InvalidInput(f"{prefix!r} is not the start of a record id", {"field": "jump"})
            return Jump(entity, prefix)
    known = ", ".join(e.key for e in entities)
    raise InvalidInput(f"no entity {parts[0]!r}; known: {known}", {"field": "jump"})


def entity_aliases(entity: Entity) -> set[str]:
    return {a.lower() for a in (entity.name, entity.plural, entity.key, entity.table_name)}


def jump_candidates(entities: list[Entity], text: str) -> list[str]:
    word = text.strip().lower()
    if " " in text.strip():
        return []
    names = []
    for entity in entities:
        for alias in (entity.table_name, entity.key):
            if alias.startswith(word) and alias not in names:
                names.append(alias)
    return names


def id_range(prefix: str) -> tuple[str, str]:
    """The smallest and largest UUID starting with a hex prefix: a `gte`/`lte` filter pair
    finds the records whose id starts with it, on SQLite (hex text) and PostgreSQL (uuid)."""
    digits = prefix.replace("-", "").lower()[:32]

    def as_uuid(hexstr: str) -> str:
        return f"{hexstr[:8]}-{hexstr[8:12]}-{hexstr[12:16]}-{hexstr[16:20]}-{hexstr[20:]}"

    return as_uuid(digits.ljust(32, "0")), as_uuid(digits.ljust(32, "f"))

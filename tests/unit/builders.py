"""A small valid entity declaration that tests vary one attribute of at a time."""

from __future__ import annotations

from typing import Any

from core.contracts import Entity, Field, define_entity

GOOD_FIELDS = (
    Field("title", "text", required=True),
    Field("count", "integer"),
    Field("state", "enum", options=("open", "closed"), default="open"),
    Field("due", "date"),
    Field("at", "datetime"),
)


def make(name: str = "Widget", **overrides: Any) -> Entity:
    declaration: dict[str, Any] = {"plural": f"{name}s", "fields": GOOD_FIELDS}
    declaration.update(overrides)
    return define_entity(name, **declaration)

"""The Big List of Naughty Strings, and what the hostile-input tests need around it.

A refusal of free text is "explained" only when no column could hold the value (a NUL,
broken Unicode) or it is longer than the field allows: anything else refused would let
a test pass by rejecting hostile-but-valid text.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import Caller, Entity, FieldType

BLNS = Path(__file__).resolve().parents[2].parent / "shared/data/blns/blns.json"
FREE_TEXT = (FieldType.TEXT, FieldType.LONG_TEXT)
TEXT_LIKE = (*FREE_TEXT, FieldType.EMAIL, FieldType.URL, FieldType.PHONE)
_serial = itertools.count()


def naughty_strings() -> list[str]:
    if not BLNS.is_file():
        reason = f"naughty strings corpus not found at {BLNS}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: the hostile-input tests must run)", pytrace=False)
        pytest.skip(reason)
    data = json.loads(BLNS.read_text(encoding="utf-8"))
    return list(dict.fromkeys(s for s in data if isinstance(s, str)))


def unstorable(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_fields(entity: Entity) -> list[str]:
    return [f.name for f in entity.fields if f.type in TEXT_LIKE]


def filler(
    app: App, entity: Entity, admin: Caller, refs: dict[str, str] | None = None
) -> dict[str, Any]:
    """Values for the required fields that are not under test, references included."""
    values: dict[str, Any] = dict(refs or {})
    for f in entity.fields:
        if f.required and f.default is None:
            if f.type in FREE_TEXT:
                values[f.name] = f"{f.name} {next(_serial)}"
            elif f.type is FieldType.DATETIME:
                values[f.name] = "2025-03-01T09:30:00+00:00"
            else:
                raise AssertionError(f"no filler for required {entity.name}.{f.name}")
    for rel in entity.belongs_to:
        if rel.required and rel.column not in values:
            target = app.registry.entity(rel.target)
            made = app.bus.dispatch(f"{target.key}.create", filler(app, target, admin), admin)
            values[rel.column] = str(made["id"])
    return values


def explained(entity: Entity, name: str, value: str) -> bool:
    field = entity.field(name)
    assert field is not None
    if field.type not in FREE_TEXT:
        return True  # emails, URLs and phone numbers have a shape to refuse
    limit = field.effective_max_length
    return unstorable(value) or (limit is not None and len(value) > limit)

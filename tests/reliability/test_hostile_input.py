"""Every naughty string through every text-like field of every demo entity, via the bus.

Each value is stored and read back exactly, or refused with `invalid_input`; never an
internal error. For free text a refusal must also be explained (too long, a NUL or
broken Unicode), so refusing hostile-but-valid text cannot make the test pass.
Searching and filtering with the same strings must not fail internally either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import Caller, Entity
from core.errors import InvalidInput, MetaSaasError
from core.settings import SQLiteSettings
from tests.conftest import make_app
from tests.reliability.checks import relax_commit_durability
from tests.support.naughty import explained, filler, naughty_strings, text_fields

# One process, so it need not queue behind the multi-process tests in the "heavy" group.
pytestmark = pytest.mark.slow


def store_and_read_back(
    app: App, entity: Entity, admin: Caller, base: dict[str, Any], value: str
) -> list[str]:
    """Try the value in all text fields at once, dropping the ones refused; report problems."""
    problems: list[str] = []
    trying = text_fields(entity)
    while trying:
        payload = {**base, **dict.fromkeys(trying, value)}
        try:
            created = app.bus.dispatch(f"{entity.key}.create", payload, admin)
        except InvalidInput as exc:
            refused = {e["field"] for e in exc.details.get("errors", [])} & set(trying)
            if not refused:
                return [f"{entity.key} {value!r}: refused, naming none of {trying}: {exc}"]
            problems += [
                f"{entity.key}.{name} {value!r}: refused without cause ({exc.message})"
                for name in refused
                if not explained(entity, name, value)
            ]
            trying = [name for name in trying if name not in refused]
            continue
        except MetaSaasError as exc:
            return [f"{entity.key} {value!r}: {exc.code}: {exc.message}"]
        got = app.bus.dispatch(f"{entity.key}.get", {"id": str(created["id"])}, admin)
        problems += [
            f"{entity.key}.{name}: stored {got[name]!r}, sent {value!r}"
            for name in trying
            if got[name] != value
        ]
        break
    return problems


def query_with(app: App, entity: Entity, admin: Caller, value: str) -> list[str]:
    """Search and filter with the value: results or invalid_input, never internal."""
    payloads: list[dict[str, Any]] = [{"search": value}] if entity.ui.search_fields else []
    name = text_fields(entity)[0]
    payloads += [{"filters": {name: value}}, {"filters": {f"{name}__contains": value}}]
    problems = []
    for payload in payloads:
        try:
            app.bus.dispatch(f"{entity.key}.list", {**payload, "limit": 5}, admin)
        except InvalidInput:
            pass
        except MetaSaasError as exc:
            problems.append(f"{entity.key}.list {payload!r}: {exc.code}: {exc.message}")
    return problems


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    """The product's app with commit durability relaxed: this test is about input, not fsync."""
    relax_commit_durability(db_url)
    application = make_app(db_url, sqlite=SQLiteSettings(synchronous="NORMAL"))
    yield application
    application.close()


def test_naughty_strings_in_every_text_field_of_every_entity(app: App, admin: Caller) -> None:
    strings = naughty_strings()
    problems: list[str] = []
    for entity in app.registry.entities.values():
        if not text_fields(entity):
            continue
        refs = {
            r.column: filler(app, entity, admin)[r.column] for r in entity.belongs_to if r.required
        }
        for value in strings:
            base = filler(app, entity, admin, refs)
            problems += store_and_read_back(app, entity, admin, base, value)
            problems += query_with(app, entity, admin, value)
    assert problems == [], "\n".join(problems[:40])

"""The bus bounds what it is handed, not only what was parsed from text: a Python payload
nested past the bound (a TUI form, an AI tool call) is `invalid_input`, never a
RecursionError answered as `internal`, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from core.contracts import Domain, Field, UIHints, allow, define_entity
from core.jsonable import JSON_MAX_DEPTH
from tests.support.engine_helpers import AppFactory, caller, raises_code

DOC = define_entity(
    "Doc",
    plural="Docs",
    fields=(Field("title", "text", required=True), Field("data", "json")),
    permissions=(allow("*"),),
    ui=UIHints(search_fields=("title",)),
)
DOMAIN = Domain(entities=(DOC,))


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 100_000])
def test_a_deep_json_field_is_invalid_input(app_factory: AppFactory, depth: int) -> None:
    app = app_factory(DOMAIN)
    admin = caller()
    for run in (app.bus.dispatch, app.bus.validate):
        with raises_code("invalid_input") as info:
            run("doc.create", {"title": "deep", "data": nested(depth)}, admin)
        assert "deeper than" in info.value.message
    assert app.bus.dispatch("doc.count", {}, admin)["count"] == 0


def test_json_at_the_bound_is_stored(app_factory: AppFactory) -> None:
    app = app_factory(DOMAIN)
    admin = caller()
    value = nested(JSON_MAX_DEPTH - 1)  # the payload object is one level more
    made = app.bus.dispatch("doc.create", {"title": "at the bound", "data": value}, admin)
    assert app.bus.dispatch("doc.get", {"id": str(made["id"])}, admin)["data"] == value


def test_a_deep_filter_value_is_invalid_input(app_factory: AppFactory) -> None:
    app = app_factory(DOMAIN)
    with raises_code("invalid_input"):
        app.bus.dispatch("doc.list", {"filters": {"title": nested(100_000)}}, caller())
    with raises_code("invalid_input"):
        app.bus.dispatch("doc.count", {"filters": {"title__in": nested(5_000)}}, caller())

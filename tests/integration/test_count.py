"""`<entity>.count`: the same filters, search, tenancy and ownership rules as list."""

from __future__ import annotations

from core.bootstrap import App
from core.contracts import CallerType
from tests.support.engine_helpers import caller, raises_code


def _task(app: App, title: str, who=None, **values: object) -> None:
    app.bus.dispatch("task.create", {"title": title, **values}, who or caller())


def test_count_applies_filters_and_search(app: App) -> None:
    _task(app, "alpha one", priority="high")
    _task(app, "alpha two", priority="low")
    _task(app, "beta", priority="high")
    admin = caller()
    assert app.bus.dispatch("task.count", {}, admin) == {"count": 3}
    assert app.bus.dispatch("task.count", {"filters": {"priority": "high"}}, admin)["count"] == 2
    assert app.bus.dispatch("task.count", {"search": "alpha"}, admin)["count"] == 2
    with raises_code("invalid_input"):
        app.bus.dispatch("task.count", {"filters": {"tenant_id": "x"}}, admin)


def test_count_sees_only_the_callers_tenant(app: App) -> None:
    _task(app, "mine")
    _task(app, "theirs", who=caller(tenant="other"))
    _task(app, "theirs too", who=caller(tenant="other"))
    assert app.bus.dispatch("task.count", {}, caller())["count"] == 1
    assert app.bus.dispatch("task.count", {}, caller(tenant="other"))["count"] == 2


def test_count_needs_the_list_permission(app: App) -> None:
    _task(app, "x")
    assert app.bus.dispatch("task.count", {}, caller(roles=("viewer",)))["count"] == 1
    with raises_code("forbidden"):
        app.bus.dispatch("task.count", {}, caller(roles=()))


def test_ai_agents_cannot_count_by_sensitive_fields(app: App) -> None:
    app.bus.dispatch("patient.create", {"full_name": "P", "insurance_number": "INS-1"}, caller())
    agent = caller(caller_type=CallerType.AI_AGENT)
    assert app.bus.dispatch("patient.count", {}, agent)["count"] == 1
    with raises_code("forbidden"):
        app.bus.dispatch("patient.count", {"filters": {"insurance_number": "INS-1"}}, agent)

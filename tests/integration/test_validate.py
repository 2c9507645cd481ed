"""`bus.validate`: the checks of `dispatch`, no write, and no SQLite write lock."""

from __future__ import annotations

import threading
from typing import Any

import entities
from core.contracts import HookContext, Hooks
from core.settings import SQLiteSettings
from entities.projects import TASK
from tests.support.engine_helpers import (
    AppFactory,
    audit_count,
    caller,
    count,
    domain_with,
    entity_with,
    raises_code,
)

VIEWER = caller("vera", roles=("viewer",))


def test_validate_finds_what_dispatch_would_and_writes_nothing(app_factory: AppFactory) -> None:
    app = app_factory()
    project = app.bus.dispatch("project.create", {"name": "P"}, caller())
    task = app.bus.dispatch("task.create", {"title": "t"}, caller())
    app.bus.dispatch("company.create", {"name": "Taken"}, caller())
    entries = audit_count(app)
    app.bus.validate("task.create", {"title": "fine", "project_id": str(project["id"])}, caller())
    app.bus.validate("task.update", {"id": str(task["id"]), "title": "renamed"}, caller())
    app.bus.validate("task.transition", {"id": str(task["id"]), "to": "in_progress"}, caller())
    app.bus.validate("task.delete", {"id": str(task["id"])}, caller())
    cases: list[tuple[str, dict[str, Any], Any, str]] = [
        ("task.create", {"title": "x" * 201, "priority": "urgent"}, caller(), "invalid_input"),
        ("task.create", {"title": "t", "project_id": str(task["id"])}, caller(), "invalid_input"),
        ("task.update", {"id": str(task["id"]), "expected_version": 9}, caller(), "conflict"),
        ("task.transition", {"id": str(task["id"]), "to": "done"}, caller(), "conflict"),
        ("task.create", {"title": "t"}, VIEWER, "forbidden"),
        ("company.create", {"name": "Taken"}, caller(), "conflict"),
    ]
    for action, payload, who, code in cases:
        with raises_code(code) as info:
            app.bus.validate(action, payload, who)
        with raises_code(code) as same:
            app.bus.dispatch(action, payload, who)
        assert info.value.to_dict() == same.value.to_dict()
    stored = app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())
    assert (stored["title"], stored["status"], stored["version"]) == ("t", "todo", 1)
    assert count(app, "tasks") == 1 and count(app, "companies") == 1
    # only the refused dispatches left entries (the denial): a validation is never audited
    assert audit_count(app) == entries + 1


def test_validate_reports_every_bad_field_at_once(app_factory: AppFactory) -> None:
    app = app_factory()
    with raises_code("invalid_input") as info:
        app.bus.validate(
            "task.create",
            {"title": "x" * 201, "priority": "urgent", "estimate_hours": -1, "colour": "red"},
            caller(),
        )
    assert {e["field"] for e in info.value.details["errors"]} == {
        "title",
        "priority",
        "estimate_hours",
        "colour",
    }
    assert all(e["code"] and e["message"] for e in info.value.details["errors"])


def test_validate_takes_no_write_lock(app_factory: AppFactory) -> None:
    """While a validation is inside its transaction, another writer commits at once."""
    inside, release = threading.Event(), threading.Event()

    def wait_here(ctx: HookContext) -> None:
        inside.set()
        release.wait(10)

    domain = domain_with(
        entities.DOMAIN, entity_with(TASK, hooks=Hooks(before_create=(wait_here,)))
    )
    app = app_factory(domain, sqlite=SQLiteSettings(busy_timeout_ms=300))
    failures: list[BaseException] = []

    def validate() -> None:
        try:
            app.bus.validate("task.create", {"title": "held"}, caller())
        except BaseException as exc:  # reported below
            failures.append(exc)

    worker = threading.Thread(target=validate)
    worker.start()
    try:
        assert inside.wait(10)
        app.bus.dispatch("project.create", {"name": "written meanwhile"}, caller())
    finally:
        release.set()
        worker.join(10)
    assert failures == []
    assert count(app, "projects") == 1 and count(app, "tasks") == 0

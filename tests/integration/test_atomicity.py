"""One transaction per action (or per batch): a failure anywhere leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

import core.trail.writer
from core.actions.bus import Rollback
from core.bootstrap import App
from core.contracts import Caller, HookContext, Hooks
from core.errors import MetaSaasError
from entities import DOMAIN, TASK
from tests.conftest import make_caller
from tests.support.engine_helpers import (
    AppFactory,
    audit_count,
    audit_entries,
    chain,
    count,
    domain_with,
    entity_with,
    outbox_rows,
    raises_code,
)


def _nothing_written(app: App, *tables: str) -> None:
    for name in tables:
        assert count(app, name) == 0, name
    assert audit_count(app) == 0
    assert outbox_rows(app) == []


def test_failure_after_insert_and_audit_rolls_back_everything(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = core.trail.writer.write
    reached: list[Any] = []

    def write_then_fail(*args: Any, **kwargs: Any) -> Any:
        reached.append(real_write(*args, **kwargs))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(core.trail.writer, "write", write_then_fail)
    with raises_code("internal"):
        app.bus.dispatch("task.create", {"title": "Half done"}, admin)
    assert len(reached) == 1 and reached[0] is not None, "the audit entry was written"
    monkeypatch.undo()
    _nothing_written(app, "tasks")
    # The chain head rolled back too: the next entry is seq 1 and the chain verifies.
    app.bus.dispatch("task.create", {"title": "Whole"}, admin)
    assert count(app, "tasks") == 1
    assert [e["seq"] for e in audit_entries(app)] == [1]
    assert chain(app).ok


def test_failure_while_storing_events_rolls_back_everything(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = core.trail.writer.write

    def write_then_fail(conn: Any, events: Any, entry: Any) -> Any:
        real_write(conn, events, None)  # the events only
        raise RuntimeError("outbox full")

    monkeypatch.setattr(core.trail.writer, "write", write_then_fail)
    with raises_code("internal"):
        app.bus.dispatch("project.create", {"name": "Ghost"}, admin)
    _nothing_written(app, "projects")


def test_failed_update_keeps_the_previous_version(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = app.bus.dispatch("task.create", {"title": "Stable"}, admin)
    real_write = core.trail.writer.write

    def write_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_write(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(core.trail.writer, "write", write_then_fail)
    for action, payload in [
        ("task.update", {"id": str(task["id"]), "title": "Changed"}),
        ("task.transition", {"id": str(task["id"]), "to": "in_progress"}),
        ("task.delete", {"id": str(task["id"])}),
    ]:
        with raises_code("internal"):
            app.bus.dispatch(action, payload, admin)
    monkeypatch.undo()
    got = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert (got["title"], got["status"], got["version"]) == ("Stable", "todo", 1)
    assert audit_count(app) == 1
    assert len(outbox_rows(app)) == 1


def test_a_raising_before_hook_leaves_nothing(app_factory: AppFactory, admin: Caller) -> None:
    def explode(ctx: HookContext) -> None:
        raise RuntimeError("hook failed")

    task = entity_with(TASK, hooks=Hooks(before_create=(explode,)))
    app = app_factory(domain_with(DOMAIN, task))
    with raises_code("internal"):
        app.bus.dispatch("task.create", {"title": "Never"}, admin)
    _nothing_written(app, "tasks")


def test_atomic_batch_commits_together(app: App, admin: Caller) -> None:
    with app.bus.atomic(admin) as batch:
        project = batch.dispatch("project.create", {"name": "Batch"})
        task = batch.dispatch(
            "task.create", {"title": "In batch", "project_id": str(project["id"])}
        )
        batch.dispatch("task.transition", {"id": str(task["id"]), "to": "in_progress"})
    assert count(app, "projects") == 1
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["status"] == "in_progress"
    assert audit_count(app) == 3


def test_atomic_batch_rolls_back_on_any_exception(app: App, admin: Caller) -> None:
    with raises_code("internal"), app.bus.atomic(admin) as batch:
        project = batch.dispatch("project.create", {"name": "Batch"})
        batch.dispatch("task.create", {"title": "In batch", "project_id": str(project["id"])})
        raise ValueError("caller gave up")
    _nothing_written(app, "projects", "tasks")


def test_atomic_batch_rolls_back_when_a_later_action_fails(app: App, admin: Caller) -> None:
    app.bus.dispatch("company.create", {"name": "Taken"}, admin)
    with raises_code("conflict"), app.bus.atomic(admin) as batch:
        batch.dispatch("project.create", {"name": "Batch"})
        batch.dispatch("company.create", {"name": "Fresh"})
        batch.dispatch("company.create", {"name": "Taken"})
    assert count(app, "projects") == 0
    assert count(app, "companies") == 1
    assert audit_count(app) == 1
    assert len(outbox_rows(app)) == 1


def test_atomic_batch_denial_rolls_back_and_is_still_audited(app: App, admin: Caller) -> None:
    member = Caller("bob", "default", frozenset({"operator"}))
    task = app.bus.dispatch("task.create", {"title": "Alice's"}, admin)
    with raises_code("forbidden"), app.bus.atomic(member) as batch:
        batch.dispatch("task.create", {"title": "Bob's"})
        batch.dispatch("task.delete", {"id": str(task["id"])})
    assert count(app, "tasks") == 1
    outcomes = [e["outcome"] for e in audit_entries(app)]
    assert outcomes == ["success", "denied"]


def test_a_savepoint_lets_a_batch_go_on_after_a_failed_action(app: App) -> None:
    """The same on both databases: PostgreSQL would otherwise poison the whole batch."""
    admin = make_caller()
    app.bus.dispatch("company.create", {"name": "Taken"}, admin)
    with app.bus.atomic(admin) as batch:
        try:
            with batch.savepoint():
                batch.dispatch("company.create", {"name": "Taken"})
        except MetaSaasError as exc:
            assert exc.code == "conflict"
        batch.dispatch("company.create", {"name": "After the failure"})
    names = {c["name"] for c in app.bus.dispatch("company.list", {}, admin)["items"]}
    assert names == {"Taken", "After the failure"}


def test_rollback_undoes_a_batch_on_purpose(app: App) -> None:
    admin = make_caller()
    with app.bus.atomic(admin) as batch:
        batch.dispatch("company.create", {"name": "Dry run"})
        raise Rollback
    assert app.bus.dispatch("company.list", {}, admin)["items"] == []

"""Domain events: stored with the action, delivered after commit, at least once, isolated."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller, DomainEvent, Subscriber
from core.db.platform_tables import deliveries, outbox
from core.errors import MetaSaasError
from core.trail.outbox import Dispatcher
from entities import DOMAIN
from tests.support.engine_helpers import (
    AppFactory,
    build_app,
    count,
    delivery_rows,
    outbox_rows,
    table,
)


class Recorder:
    """Subscribers whose behaviour a test controls: one records, one raises until fixed."""

    def __init__(self) -> None:
        self.seen: list[DomainEvent] = []
        self.broken = True
        self.boom_calls = 0

    def record(self, event: DomainEvent) -> None:
        self.seen.append(event)

    def boom(self, event: DomainEvent) -> None:
        self.boom_calls += 1
        if self.broken:
            raise RuntimeError("subscriber is broken")

    def subscribers(self, *events: str) -> tuple[Subscriber, ...]:
        subs: list[Subscriber] = []
        for name in events:
            subs.append(Subscriber(name, "boom", self.boom))
            subs.append(Subscriber(name, "recorder", self.record))
        return tuple(subs)


def _app(factory: AppFactory, recorder: Recorder, *events: str, **kw: Any) -> App:
    domain = dataclasses.replace(DOMAIN, subscribers=recorder.subscribers(*events))
    app = factory(domain, **kw)
    # An app's first delivery also sweeps older pending events; run that sweep now (there
    # is nothing pending yet) so each test counts the attempts of its own actions only.
    assert app.bus.deliver_pending() == 0
    return app


def _event_row(app: App, name: str) -> dict[str, Any]:
    [row] = outbox_rows(app, outbox.c.name == name)
    return row


def test_a_failing_subscriber_does_not_fail_the_action(
    app_factory: AppFactory, admin: Caller
) -> None:
    rec = Recorder()
    app = _app(app_factory, rec, "task.created")
    task = app.bus.dispatch("task.create", {"title": "Evented"}, admin)
    assert count(app, "tasks") == 1
    assert [(e.name, e.record_id) for e in rec.seen] == [("task.created", task["id"])]
    assert rec.boom_calls == 1
    row = _event_row(app, "task.created")
    assert row["delivered_at"] is None
    assert row["attempts"] == 1
    assert "boom" in row["last_error"] and "RuntimeError" in row["last_error"]
    assert "recorder" not in row["last_error"]
    delivered = {(r["event_id"], r["subscriber"]) for r in delivery_rows(app)}
    assert delivered == {(row["id"], "recorder")}


def test_retries_reach_only_the_subscribers_still_owed(
    app_factory: AppFactory, admin: Caller
) -> None:
    rec = Recorder()
    app = _app(app_factory, rec, "task.created")
    app.bus.dispatch("task.create", {"title": "Retry"}, admin)
    assert app.bus.deliver_pending() == 1
    assert (len(rec.seen), rec.boom_calls) == (1, 2)
    assert _event_row(app, "task.created")["attempts"] == 2
    rec.broken = False
    app.bus.deliver_pending()
    assert (len(rec.seen), rec.boom_calls) == (1, 3)
    row = _event_row(app, "task.created")
    assert row["delivered_at"] is not None
    assert {r["subscriber"] for r in delivery_rows(app)} == {"boom", "recorder"}
    assert app.bus.deliver_pending() == 0
    assert (len(rec.seen), rec.boom_calls) == (1, 3)


def test_events_without_subscribers_are_stored_delivered(
    app_factory: AppFactory, admin: Caller
) -> None:
    rec = Recorder()
    app = _app(app_factory, rec, "task.created")
    project = app.bus.dispatch("project.create", {"name": "Quiet"}, admin)
    row = _event_row(app, "project.created")
    assert row["delivered_at"] is not None
    assert row["attempts"] == 0
    assert row["record_id"] == str(project["id"])
    assert row["tenant_id"] == "default"
    assert row["actor_id"] == "alice"
    assert row["payload"]["changes"]["name"] == {"before": None, "after": "Quiet"}
    assert rec.seen == []
    assert delivery_rows(app) == []


def test_every_mutation_emits_its_event(app_factory: AppFactory, admin: Caller) -> None:
    rec = Recorder()
    rec.broken = False
    names = ["task.created", "task.updated", "task.transitioned", "task.deleted"]
    app = _app(app_factory, rec, *names)
    task = app.bus.dispatch("task.create", {"title": "Lifecycle"}, admin)
    tid = str(task["id"])
    app.bus.dispatch("task.update", {"id": tid, "title": "Lifecycle 2"}, admin)
    app.bus.dispatch("task.transition", {"id": tid, "trigger": "start"}, admin)
    app.bus.dispatch("task.get", {"id": tid}, admin)
    app.bus.dispatch("task.delete", {"id": tid}, admin)
    assert [e.name for e in rec.seen] == names
    assert len({e.id for e in rec.seen}) == 4
    assert {e.record_id for e in rec.seen} == {task["id"]}
    moved = rec.seen[2].payload
    assert (moved["from"], moved["to"], moved["trigger"]) == ("todo", "in_progress", "start")
    assert rec.seen[1].payload["changes"] == {
        "title": {"before": "Lifecycle", "after": "Lifecycle 2"}
    }
    assert all(r["delivered_at"] is not None for r in outbox_rows(app))


def test_events_are_delivered_after_commit(app_factory: AppFactory, admin: Caller) -> None:
    """A subscriber reading through its own connection already sees the committed rows."""
    visible: list[int] = []
    holder: dict[str, App] = {}

    def look(event: DomainEvent) -> None:
        tasks = table(holder["app"], "tasks")
        with holder["app"].engine.connect() as conn:
            stmt = sa.select(sa.func.count()).where(tasks.c.id == event.record_id)
            visible.append(int(conn.execute(stmt).scalar_one()))

    domain = dataclasses.replace(DOMAIN, subscribers=(Subscriber("task.created", "look", look),))
    app = holder["app"] = app_factory(domain)
    app.bus.dispatch("task.create", {"title": "Solo"}, admin)
    with app.bus.atomic(admin) as batch:
        batch.dispatch("task.create", {"title": "Batch 1"})
        batch.dispatch("task.create", {"title": "Batch 2"})
    assert visible == [1, 1, 1]


def test_rolled_back_actions_deliver_nothing(app_factory: AppFactory, admin: Caller) -> None:
    rec = Recorder()
    rec.broken = False
    app = _app(app_factory, rec, "task.created")
    with pytest.raises(MetaSaasError), app.bus.atomic(admin) as batch:
        batch.dispatch("task.create", {"title": "Gone"})
        raise RuntimeError("abort")
    assert rec.seen == []
    assert outbox_rows(app) == []


def test_crash_between_commit_and_delivery_loses_nothing(
    db_url: str, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = Recorder()
    rec.broken = False
    domain = dataclasses.replace(DOMAIN, subscribers=rec.subscribers("task.created"))
    crashed = build_app(db_url, domain)
    try:
        # The process "dies" after commit: delivery never runs.
        monkeypatch.setattr(crashed.bus.dispatcher, "deliver", lambda ids: None)
        task = crashed.bus.dispatch("task.create", {"title": "Survivor"}, admin)
        crashed.bus.dispatch("task.create", {"title": "Survivor 2"}, admin)
    finally:
        crashed.close()
    assert rec.seen == []
    restarted = build_app(db_url, domain, run_migrate=False)
    try:
        pending = outbox_rows(restarted)
        assert [(r["delivered_at"], r["attempts"]) for r in pending] == [(None, 0), (None, 0)]
        assert restarted.bus.deliver_pending() == 2
        assert [e.record_id for e in rec.seen].count(task["id"]) == 1
        assert len(rec.seen) == 2
        assert restarted.bus.deliver_pending() == 0
        restarted.bus.dispatch("task.list", {}, admin)
        assert len(rec.seen) == 2
        assert all(r["delivered_at"] is not None for r in outbox_rows(restarted))
        assert len(delivery_rows(restarted, deliveries.c.subscriber == "recorder")) == 2
    finally:
        restarted.close()


def test_a_restarted_app_delivers_pending_events_on_its_first_mutation(
    db_url: str, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = Recorder()
    rec.broken = False
    domain = dataclasses.replace(DOMAIN, subscribers=rec.subscribers("task.created"))
    crashed = build_app(db_url, domain)
    try:
        monkeypatch.setattr(Dispatcher, "deliver", lambda self, ids: None)
        crashed.bus.dispatch("task.create", {"title": "Pending"}, admin)
        monkeypatch.undo()
    finally:
        crashed.close()
    restarted = build_app(db_url, domain, run_migrate=False)
    try:
        restarted.bus.dispatch("project.create", {"name": "unrelated"}, admin)
        assert [e.name for e in rec.seen] == ["task.created"]
        restarted.bus.dispatch("project.create", {"name": "unrelated 2"}, admin)
        assert restarted.bus.deliver_pending() == 0
        assert len(rec.seen) == 1
    finally:
        restarted.close()

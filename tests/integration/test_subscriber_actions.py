"""A subscriber may act through the bus: delivery must not hold a lock the action needs."""

from __future__ import annotations

from typing import Any

import entities
from core.contracts import DomainEvent, Subscriber
from core.settings import SQLiteSettings
from tests.support.engine_helpers import AppFactory, caller, domain_with, outbox_rows


def test_a_subscriber_can_dispatch_a_mutation(app_factory: AppFactory) -> None:
    holder: dict[str, Any] = {}

    def follow_up(event: DomainEvent) -> None:
        holder["app"].bus.dispatch(
            "project.create", {"name": f"follow-up {event.record_id}"}, caller(user="system")
        )

    domain = domain_with(
        entities.DOMAIN, subscribers=(Subscriber("task.created", "follow_up", follow_up),)
    )
    # A short busy timeout: a subscriber blocked on a lock fails fast instead of hanging.
    app = app_factory(domain, sqlite=SQLiteSettings(busy_timeout_ms=500))
    holder["app"] = app
    app.bus.deliver_pending()
    task = app.bus.dispatch("task.create", {"title": "with a follow-up"}, caller())
    projects = app.bus.dispatch("project.list", {"search": str(task["id"])}, caller())
    assert [p["name"] for p in projects["items"]] == [f"follow-up {task['id']}"]
    (event,) = [e for e in outbox_rows(app) if e["name"] == "task.created"]
    assert event["delivered_at"] is not None and event["last_error"] is None

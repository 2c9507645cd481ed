"""After commit nothing raises into the caller, and no log line carries a value.

Both failed before issue 8: a failing outbox sweep after commit surfaced as a SQLAlchemy
exception quoting SQL, after the record was stored; internal errors were logged with
`log.exception`, whose message can hold a bound value (a patient's date of birth).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

import core.records.repository
import entities
from core.contracts import DomainEvent, Subscriber
from core.trail.outbox import Dispatcher
from tests.support.engine_helpers import (
    AppFactory,
    caller,
    domain_with,
    outbox_rows,
    raises_code,
)

SECRET = "1961-04-12-SENTINEL"


def _with_subscriber(app_factory: AppFactory) -> Any:
    calls: list[DomainEvent] = []
    domain = domain_with(
        entities.DOMAIN, subscribers=(Subscriber("task.created", "note", calls.append),)
    )
    return app_factory(domain), calls


def _driver_error(*_: Any, **__: Any) -> Any:
    raise sa.exc.OperationalError(
        f"SELECT * FROM event_outbox WHERE x = '{SECRET}'", {"p": SECRET}, Exception(SECRET)
    )


def test_a_failing_sweep_after_commit_returns_the_result_and_keeps_the_events(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app, calls = _with_subscriber(app_factory)
    monkeypatch.setattr(Dispatcher, "pending", _driver_error)
    with caplog.at_level(logging.INFO):
        task = app.bus.dispatch("task.create", {"title": "stored anyway"}, caller())
    assert task["title"] == "stored anyway"
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())["id"] == task["id"]
    (event,) = [e for e in outbox_rows(app) if e["name"] == "task.created"]
    assert event["delivered_at"] is None  # kept for the next sweep
    assert calls == []
    assert SECRET not in caplog.text and "SELECT" not in caplog.text
    assert "OperationalError" in caplog.text
    monkeypatch.undo()
    assert app.bus.deliver_pending() == 1 and len(calls) == 1


def test_a_failing_delivery_after_commit_returns_the_result(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = _with_subscriber(app_factory)
    app.bus.deliver_pending()
    monkeypatch.setattr(Dispatcher, "_deliver_one", _driver_error)
    with caplog.at_level(logging.INFO):
        task = app.bus.dispatch("task.create", {"title": "stored anyway"}, caller())
    assert task["title"] == "stored anyway"
    assert SECRET not in caplog.text


def test_internal_errors_are_logged_by_class_and_reference_only(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory()

    def explode(self: Any, row: dict[str, Any]) -> None:
        raise RuntimeError(f"insert failed for date_of_birth={SECRET}")

    monkeypatch.setattr(core.records.repository.EntityRepository, "insert", explode)
    with caplog.at_level(logging.INFO), raises_code("internal") as info:
        app.bus.dispatch("task.create", {"title": "x"}, caller())
    reference = info.value.details["reference"]
    assert reference in caplog.text and "RuntimeError" in caplog.text
    assert SECRET not in caplog.text
    assert "repository" not in caplog.text or "insert" in caplog.text  # frames, no message


def test_engines_hide_bound_parameters(app_factory: AppFactory, backend: str) -> None:
    """A driver error raised through SQLAlchemy does not quote the values bound to it.

    PostgreSQL's own message may still quote a key ("Key (tenant_id, name)=(...) already
    exists"), which is why errors are logged by class and reference only.
    """
    app = app_factory()
    assert app.engine.hide_parameters is True
    companies = app.registry.table(app.registry.entity("company"))
    row = {
        "id": uuid.uuid4(),
        "tenant_id": "default",
        "name": SECRET,
        "created_at": sa.func.now(),
        "updated_at": sa.func.now(),
        "created_by": "t",
        "updated_by": "t",
        "version": 1,
    }
    with pytest.raises(sa.exc.IntegrityError) as info, app.engine.begin() as conn:
        conn.execute(companies.insert().values(**row))
        conn.execute(companies.insert().values(**{**row, "id": uuid.uuid4()}))
    text = str(info.value)
    assert "SQL parameters hidden" in text
    if backend == "sqlite":
        assert SECRET not in text

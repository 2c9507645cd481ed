"""Background subscribers: slow work after commit, on a worker thread, still at least once."""

from __future__ import annotations

import threading

import entities
from core.contracts import DomainEvent, Subscriber
from tests.support.engine_helpers import AppFactory, caller, delivery_rows, domain_with, outbox_rows


def _domain(*subscribers: Subscriber) -> object:
    return domain_with(entities.DOMAIN, subscribers=subscribers)


def test_a_background_subscriber_runs_after_commit_off_the_callers_thread(
    app_factory: AppFactory,
) -> None:
    threads: list[str] = []
    inline: list[str] = []

    def slow(event: DomainEvent) -> None:
        threads.append(threading.current_thread().name)

    app = app_factory(
        _domain(
            Subscriber("task.created", "slow", slow, background=True),
            Subscriber("task.created", "quick", lambda e: inline.append(str(e.record_id))),
        )
    )
    task = app.bus.dispatch("task.create", {"title": "later"}, caller())
    assert inline == [str(task["id"])]  # an inline subscriber has run by now
    assert app.bus.dispatcher.drain()
    assert threads == ["metasaas-background-subscribers"]
    (event,) = [e for e in outbox_rows(app) if e["name"] == "task.created"]
    assert event["delivered_at"] is not None  # delivered once every subscriber has it
    assert {d["subscriber"] for d in delivery_rows(app)} == {"slow", "quick"}


def test_a_failing_background_subscriber_is_retried_and_others_are_not_repeated(
    app_factory: AppFactory,
) -> None:
    calls = {"flaky": 0, "steady": 0}

    def flaky(event: DomainEvent) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("model timed out")

    def steady(event: DomainEvent) -> None:
        calls["steady"] += 1

    app = app_factory(
        _domain(
            Subscriber("task.created", "flaky", flaky, background=True),
            Subscriber("task.created", "steady", steady, background=True),
        )
    )
    app.bus.dispatch("task.create", {"title": "retry me"}, caller())
    assert app.bus.dispatcher.drain()
    (event,) = [e for e in outbox_rows(app) if e["name"] == "task.created"]
    assert event["delivered_at"] is None and "flaky: RuntimeError" in event["last_error"]
    assert app.bus.deliver_pending() == 1  # the sweep hands it to the worker again
    assert app.bus.dispatcher.drain()
    assert calls == {"flaky": 2, "steady": 1}
    (event,) = [e for e in outbox_rows(app) if e["name"] == "task.created"]
    assert event["delivered_at"] is not None


def test_background_work_left_at_exit_is_delivered_by_the_next_process(
    app_factory: AppFactory,
) -> None:
    """A process that ends before its worker ran leaves the event pending, not lost."""
    release = threading.Event()
    seen: list[str] = []

    def blocked(event: DomainEvent) -> None:
        release.wait(5)
        seen.append("first")

    first = app_factory(_domain(Subscriber("task.created", "model", blocked, background=True)))
    first.bus.dispatch("task.create", {"title": "left behind"}, caller())
    first.bus.dispatcher.close(timeout=0.1)  # the process ends before the model answered
    second = app_factory(
        _domain(
            Subscriber("task.created", "model", lambda e: seen.append("second"), background=True)
        )
    )
    second.bus.dispatch("project.create", {"name": "first write sweeps"}, caller())
    assert second.bus.dispatcher.drain()
    assert seen == ["second"]
    assert all(e["delivered_at"] is not None for e in outbox_rows(second))
    release.set()

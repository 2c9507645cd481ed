"""P10: a slow subscriber does not slow the action that triggered it.

An entity's `on_create` AI capability is a subscriber that waits on a model for seconds.
`task.create` with such a subscriber (a background one that sleeps 50 ms per event) and a
slow change listener is measured against `task.create` with the same subscriber and
listener returning at once, interleaved, on the same kind of database. The action must not
wait for them: its rate stays within 0.8x.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import entities
from core.bootstrap import App, bootstrap
from core.contracts import DomainEvent, Subscriber
from core.db.migrate import migrate
from core.settings import Settings, SQLiteSettings
from tests.bench.harness import Result, compare, interleave, rate
from tests.bench.support import CALLER, TENANT, fresh_sqlite

MODEL_WAIT_S = 0.05


def _app(url: str, *, slow: bool) -> App:
    wait = MODEL_WAIT_S if slow else 0.0

    def model(event: DomainEvent) -> None:
        time.sleep(wait)

    subscribers = (Subscriber("task.created", "model", model, background=True),)
    domain = dataclasses.replace(entities.DOMAIN, subscribers=subscribers)
    settings = Settings(
        database_url=url,  # type: ignore[arg-type]
        tenant=TENANT,
        sqlite=SQLiteSettings(synchronous="NORMAL"),
    )
    app = bootstrap(settings, domain=domain)
    migrate(app.engine, app.registry.metadata)
    app.bus.subscribe(lambda change: time.sleep(wait))
    return app


def run(quick: bool) -> list[Result]:
    n, rounds = (40, 3) if quick else (200, 5)
    apps = {
        name: _app(fresh_sqlite(f"p10-{name}.db"), slow=name == "slow") for name in ("slow", "fast")
    }

    def create(app: App) -> Any:
        return lambda i: app.bus.dispatch("task.create", {"title": f"P10 task {i}"}, CALLER)

    try:
        medians = interleave({name: rate(n, create(app)) for name, app in apps.items()}, rounds)
        waited = n * rounds * MODEL_WAIT_S
    finally:
        for app in apps.values():
            app.close()
    return [
        compare(
            "P10",
            "task.create with slow vs instant background subscriber and listener",
            medians["slow"],
            medians["fast"],
            at_least=0.8,
            unit="ops/s",
            note=f"the slow side's subscriber and listener each sleep {MODEL_WAIT_S * 1000:.0f} ms "
            f"per event ({waited:.0f} s in all if they held the action up)",
        )
    ]

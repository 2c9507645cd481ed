"""The bus takes its middleware from `bootstrap()`: authentication, limits and tracing plug in
there, around every way an action is asked for, without editing the pipeline."""

from __future__ import annotations

from typing import Any

from core.actions.bus import Next, Request, Rollback
from core.bootstrap import bootstrap
from core.db.migrate import migrate
from core.errors import RateLimited
from core.settings import Settings
from tests.support.engine_helpers import caller, count, raises_code


def test_middleware_wraps_every_mode_in_order_and_can_refuse(db_url: str) -> None:
    seen: list[tuple[str, str, str]] = []

    def outer(request: Request, call: Next) -> Any:
        seen.append(("outer", request.spec.id, request.mode))
        return call(request)

    def limiter(request: Request, call: Next) -> Any:
        seen.append(("limiter", request.spec.id, request.mode))
        if request.payload and request.payload.get("title") == "one too many":
            raise RateLimited("slow down", {"retry_after": 30})
        return call(request)

    app = bootstrap(Settings(database_url=db_url), middleware=[outer, limiter])  # type: ignore[arg-type]
    try:
        migrate(app.engine, app.registry.metadata)
        app.bus.dispatch("task.create", {"title": "fine"}, caller())
        app.bus.validate("task.create", {"title": "checked"}, caller())
        with app.bus.atomic(caller()) as batch:
            batch.dispatch("task.create", {"title": "in a batch"})
            raise Rollback
        with raises_code("rate_limited") as info:
            app.bus.dispatch("task.create", {"title": "one too many"}, caller())
        assert info.value.details["retry_after"] == 30
        assert count(app, "tasks") == 1
    finally:
        app.close()
    assert seen == [
        ("outer", "task.create", "dispatch"),
        ("limiter", "task.create", "dispatch"),
        ("outer", "task.create", "validate"),
        ("limiter", "task.create", "validate"),
        ("outer", "task.create", "batch"),
        ("limiter", "task.create", "batch"),
        ("outer", "task.create", "dispatch"),
        ("limiter", "task.create", "dispatch"),
    ]

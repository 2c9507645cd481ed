"""Child-process jobs for the reliability suite: `python -m tests.reliability.workers SPEC`.

SPEC is JSON with a `job` key. Jobs talk to the parent through `tests.reliability.gang`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType
from core.errors import Conflict, MetaSaasError
from core.settings import Settings
from tests.reliability.gang import command, ready, reply


def _app(spec: dict[str, Any]) -> tuple[App, Caller]:
    app = bootstrap(Settings(database_url=spec["url"], tenant=spec.get("tenant", "default")))
    who = f"worker-{spec.get('worker', 0)}"
    caller = Caller(who, app.settings.tenant, frozenset({"admin"}), CallerType.SCRIPT)
    # Warm up: build the input models and open a pooled connection before `ready`.
    app.bus.dispatch("task.list", {"limit": 1}, caller)
    return app, caller


def create(spec: dict[str, Any]) -> None:
    """On each `go`, create n tasks as fast as possible and report their ids."""
    app, caller = _app(spec)
    cmd, batch = ready(), 0
    while cmd == "go":
        ids, errors = [], []
        for i in range(spec["n"]):
            title = f"{caller.user_id}-{batch}-{i}"
            try:
                ids.append(str(app.bus.dispatch("task.create", {"title": title}, caller)["id"]))
            except MetaSaasError as exc:
                errors.append(exc.to_dict())
        if app.bus.sealer is not None:  # the batch is done when its audit entries are chained
            app.bus.sealer.flush()
        reply({"ids": ids, "errors": errors})
        cmd, batch = command(), batch + 1


def race(spec: dict[str, Any]) -> None:
    """On `read` fetch the record; on `write` update it with the version last read."""
    app, caller = _app(spec)
    version = None
    cmd = ready()
    while cmd:
        if cmd == "read":
            version = app.bus.dispatch("task.get", {"id": spec["id"]}, caller)["version"]
            reply({"version": version})
        elif cmd == "write":
            title = f"{caller.user_id}@v{version}"
            payload = {"id": spec["id"], "title": title, "expected_version": version}
            try:
                updated = app.bus.dispatch("task.update", payload, caller)
                reply({"ok": True, "title": title, "read": version, "now": updated["version"]})
            except MetaSaasError as exc:
                reply({"ok": False, "code": exc.code, "read": version})
        cmd = command()


def increment(spec: dict[str, Any]) -> None:
    """Add 1 to estimate_hours n times, each a read then a versioned update, retrying."""
    app, caller = _app(spec)
    ready()
    conflicts = 0
    for _ in range(spec["n"]):
        while True:
            task = app.bus.dispatch("task.get", {"id": spec["id"]}, caller)
            payload = {
                "id": spec["id"],
                "estimate_hours": task["estimate_hours"] + 1,
                "expected_version": task["version"],
            }
            try:
                app.bus.dispatch("task.update", payload, caller)
                break
            except Conflict:
                conflicts += 1
    reply({"conflicts": conflicts})


def die_before_delivery(spec: dict[str, Any]) -> None:
    """Commit a note, then die where the events would be delivered."""
    from core.trail.outbox import Dispatcher

    def die(self: Any, event_ids: Any) -> None:
        sys.stdout.flush()
        os._exit(17)

    app = bootstrap(Settings(database_url=spec["url"], domain="tests.reliability.domain"))
    Dispatcher.deliver = die  # type: ignore[method-assign]
    caller = app.system_caller()
    note = app.bus.dispatch("note.create", {"body": spec["body"]}, caller)
    reply({"unreachable": str(note["id"])})


def deliver_pending(spec: dict[str, Any]) -> None:
    """A fresh start: deliver whatever the outbox still holds, once."""
    app = bootstrap(Settings(database_url=spec["url"], domain="tests.reliability.domain"))
    reply({"delivered": app.bus.deliver_pending()})


JOBS = {
    "create": create,
    "race": race,
    "increment": increment,
    "die_before_delivery": die_before_delivery,
    "deliver_pending": deliver_pending,
}

if __name__ == "__main__":
    job = json.loads(sys.argv[1])
    JOBS[job["job"]](job)

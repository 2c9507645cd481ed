"""The change feed: `audit.changes` across processes, and `bus.subscribe` within one.

Operators in two terminals see each other's changes through the first; a screen in the
same process hears of a change through the second, off the thread that made it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from core.actions.context import Change
from tests.support.engine_helpers import AppFactory, caller, sealed

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from core.bootstrap import bootstrap
from core.contracts import Caller
from core.settings import Settings
app = bootstrap(Settings(database_url=sys.argv[1]))
task = app.bus.dispatch("task.create", {"title": "from another process"},
                        Caller("bob", "default", frozenset({"admin"})))
print(task["id"])
app.close()
"""


def test_a_change_made_by_another_process_reaches_the_feed(
    app_factory: AppFactory, db_url: str
) -> None:
    app = app_factory()
    app.bus.dispatch("project.create", {"name": "before"}, caller())
    sealed(app)
    mark = int(app.bus.dispatch("audit.changes", {}, caller())["next_cursor"])
    done = subprocess.run(
        [sys.executable, "-c", WRITER, db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    task_id = done.stdout.strip().splitlines()[-1]
    feed = app.bus.dispatch("audit.changes", {"after": mark}, caller())
    assert [(c["action_id"], c["record_id"], c["actor_id"]) for c in feed["items"]] == [
        ("task.create", task_id, "bob")
    ]
    assert int(feed["next_cursor"]) > mark


def test_listeners_hear_of_each_committed_change_off_the_callers_thread(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    heard: list[tuple[Change, str]] = []
    unsubscribe = app.bus.subscribe(lambda c: heard.append((c, threading.current_thread().name)))
    task = app.bus.dispatch("task.create", {"title": "heard"}, caller())
    app.bus.dispatch("task.transition", {"id": str(task["id"]), "to": "in_progress"}, caller())
    app.bus.dispatch("task.get", {"id": str(task["id"])}, caller())  # a read changes nothing
    assert app.bus.notifier.drain()
    assert [(c.action_id, c.record_id, c.verb) for c, _ in heard] == [
        ("task.create", str(task["id"]), "create"),
        ("task.transition", str(task["id"]), "transition"),
    ]
    assert {thread for _, thread in heard} == {"metasaas-change-listeners"}
    unsubscribe()
    app.bus.dispatch("task.create", {"title": "unheard"}, caller())
    assert app.bus.notifier.drain() and len(heard) == 2


def test_a_rolled_back_change_is_never_announced(app_factory: AppFactory) -> None:
    app = app_factory()
    heard: list[Change] = []
    app.bus.subscribe(heard.append)
    from core.actions.bus import Rollback

    with app.bus.atomic(caller()) as batch:
        batch.dispatch("task.create", {"title": "undone"})
        raise Rollback
    assert app.bus.notifier.drain() and heard == []


def test_a_slow_or_failing_listener_does_not_hold_up_the_action(app_factory: AppFactory) -> None:
    """Whether the listener is slow or raises, dispatch returns and others still hear."""
    app = app_factory()
    release = threading.Event()
    heard: list[str] = []

    def slow(change: Change) -> None:
        release.wait(10)

    def broken(change: Change) -> None:
        raise RuntimeError("listener bug")

    app.bus.subscribe(slow)
    app.bus.subscribe(broken)
    app.bus.subscribe(lambda c: heard.append(c.action_id))
    app.bus.dispatch("task.create", {"title": "not held up"}, caller())
    returned_while_listener_waits = not release.is_set()
    release.set()
    assert returned_while_listener_waits
    assert app.bus.notifier.drain() and heard == ["task.create"]

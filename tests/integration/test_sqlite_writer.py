"""The kept SQLite writer connection: survives a busy failure, and is one per thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from core.settings import SQLiteSettings
from tests.support.engine_helpers import build_app, caller, chain, raises_code


def test_after_a_busy_failure_the_next_action_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    app = build_app(f"sqlite:///{path}", sqlite=SQLiteSettings(busy_timeout_ms=100))
    try:
        app.bus.dispatch("task.create", {"title": "first"}, caller())
        rival = sqlite3.connect(path, isolation_level=None)
        rival.execute("BEGIN IMMEDIATE")
        with raises_code("internal"):
            app.bus.dispatch("task.create", {"title": "blocked"}, caller())
        rival.execute("ROLLBACK")
        rival.close()
        app.bus.dispatch("task.create", {"title": "after"}, caller())
        titles = {t["title"] for t in app.bus.dispatch("task.list", {}, caller())["items"]}
        assert titles == {"first", "after"}
    finally:
        app.close()


def test_threads_write_through_their_own_connections(tmp_path: Path) -> None:
    app = build_app(f"sqlite:///{tmp_path / 'threads.db'}")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                app.bus.dispatch("task.create", {"title": f"t{n}-{i}"}, caller())
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert app.bus.dispatch("task.count", {}, caller())["count"] == 100
        report = chain(app)
        assert report.ok and report.entries == 100
    finally:
        app.close()

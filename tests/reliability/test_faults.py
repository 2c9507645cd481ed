"""Faults below the bus: a killed PostgreSQL backend, a SQLite file locked by another writer.

Either way the action must fail as a MetaSaasError with code `internal` and a message a
person can act on, store nothing, and leave the next action free to succeed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller
from core.errors import MetaSaasError
from core.settings import SQLiteSettings
from core.trail import writer as trail
from tests.conftest import make_app
from tests.reliability.checks import audit_rows, chain_ok, outbox_rows, record_ids
from tests.support.databases import postgres_database

TITLE = {"title": "written while the database misbehaves"}


def assert_nothing_stored(app: App) -> None:
    assert record_ids(app, "task") == []
    assert audit_rows(app) == []
    assert outbox_rows(app, "task.created") == []


@pytest.fixture
def pg_app() -> Iterator[tuple[App, str]]:
    with postgres_database() as url:
        application = make_app(url)
        yield application, url.replace("postgresql+psycopg://", "postgresql://")
        application.close()


def test_backend_terminated_mid_transaction(
    pg_app: tuple[App, str], admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, dsn = pg_app
    write = trail.write
    killed: list[int] = []

    def terminate_own_backend_then_write(conn: sa.Connection, *args: Any) -> Any:
        """By now the task row is written in this transaction; kill its backend from outside."""
        pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        with psycopg.connect(dsn, autocommit=True) as other:
            assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
            gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
            while other.execute(gone, (pid,)).fetchone() != (0,):
                time.sleep(0.01)
        killed.append(pid)
        return write(conn, *args)

    monkeypatch.setattr(trail, "write", terminate_own_backend_then_write)
    with pytest.raises(MetaSaasError) as failure:
        app.bus.dispatch("task.create", TITLE, admin)
    monkeypatch.setattr(trail, "write", write)

    assert killed, "the fault was never injected"
    assert failure.value.code == "internal"
    assert "database is unavailable" in failure.value.message
    assert "nothing was saved" in failure.value.message
    assert_nothing_stored(app)
    task = app.bus.dispatch("task.create", TITLE, admin)
    assert record_ids(app, "task") == [str(task["id"])]
    assert chain_ok(app) == 1


def sqlite_app(tmp_path: Path, busy_timeout_ms: int) -> tuple[App, Path]:
    path = tmp_path / "locked.db"
    app = make_app(f"sqlite:///{path}", sqlite=SQLiteSettings(busy_timeout_ms=busy_timeout_ms))
    return app, path


def competing_writer(path: Path) -> sqlite3.Connection:
    """Another process's writer: holds SQLite's write lock until it commits."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_sqlite_locked_beyond_the_busy_timeout_fails_cleanly(tmp_path: Path, admin: Caller) -> None:
    app, path = sqlite_app(tmp_path, busy_timeout_ms=200)
    writer = competing_writer(path)
    try:
        with pytest.raises(MetaSaasError) as failure:
            app.bus.dispatch("task.create", TITLE, admin)
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert failure.value.code == "internal"
    assert "database is unavailable or busy" in failure.value.message
    assert_nothing_stored(app)
    app.bus.dispatch("task.create", TITLE, admin)
    assert chain_ok(app) == 1
    app.close()


def test_sqlite_waits_for_a_writer_that_finishes_within_the_busy_timeout(
    tmp_path: Path, admin: Caller
) -> None:
    app, path = sqlite_app(tmp_path, busy_timeout_ms=10_000)
    writer = competing_writer(path)
    release = threading.Timer(0.5, writer.execute, ("COMMIT",))
    started = time.perf_counter()
    release.start()
    try:
        task = app.bus.dispatch("task.create", TITLE, admin)
    finally:
        release.join()
        writer.close()
    assert time.perf_counter() - started >= 0.45, "the action did not wait for the lock"
    assert record_ids(app, "task") == [str(task["id"])]
    assert chain_ok(app) == 1
    app.close()

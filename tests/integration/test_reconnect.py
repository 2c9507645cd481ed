"""After PostgreSQL backends are terminated (a restart, an admin's pg_terminate_backend),
the next read and the next write of a long-running session succeed: an idle connection is
pinged and replaced before anything is sent on it, so no write is ever retried."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from core.bootstrap import App
from core.db.engines import IDLE_PING_SECONDS
from tests.conftest import make_app
from tests.support.databases import PG_ADMIN_DSN, postgres_database
from tests.support.engine_helpers import caller


@pytest.fixture
def pg_app() -> Iterator[tuple[App, str]]:
    with postgres_database() as url:
        app = make_app(url)
        yield app, url.rsplit("/", 1)[1]
        app.close()


def terminate_backends(database: str) -> int:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_the_next_read_and_write_after_terminated_backends_succeed(
    pg_app: tuple[App, str],
) -> None:
    app, database = pg_app
    admin = caller()
    app.bus.dispatch("task.create", {"title": "before"}, admin)  # a kept writer
    assert app.bus.dispatch("task.count", {}, admin)["count"] == 1  # a pooled reader
    app.bus.seal_pending()
    assert terminate_backends(database) >= 1
    time.sleep(IDLE_PING_SECONDS + 0.2)  # a session's next command comes later than this
    assert app.bus.dispatch("task.count", {}, admin)["count"] == 1
    app.bus.dispatch("task.create", {"title": "after"}, admin)
    titles = [t["title"] for t in app.bus.dispatch("task.list", {}, admin)["items"]]
    assert sorted(titles) == ["after", "before"]  # stored once: nothing was retried

"""PostgreSQL audit sealing: entries commit with their action, join the chain right after.

Writers of one tenant must never wait for each other's chain head; every committed entry
must end up chained exactly once (oldest first within a batch), including those a dead
process left pending.
"""

from __future__ import annotations

import subprocess
import sys
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
from core.db.platform_tables import audit_log, audit_pending
from core.trail import seal as audit_seal
from core.trail.chain import verify
from tests.cli.conftest import run_cli
from tests.conftest import make_app
from tests.support.databases import postgres_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg() -> Iterator[tuple[App, str]]:
    with postgres_database() as url:
        application = make_app(url)
        application.bus.sealer.delay = 3600  # nothing seals behind the test's back
        yield application, url.replace("postgresql+psycopg://", "postgresql://")
        application.close()


def pending(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(audit_pending)).scalar_one())


def chained(app: App) -> list[Any]:
    with app.engine.connect() as conn:
        return list(conn.execute(sa.select(audit_log).order_by(audit_log.c.seq)))


def report(app: App) -> Any:
    with app.engine.connect() as conn:
        (only,) = verify(conn, "default")
    return only


def test_an_entry_commits_pending_and_a_flush_chains_it(pg: tuple[App, str], admin: Caller) -> None:
    app, _ = pg
    task = app.bus.dispatch("task.create", {"title": "first"}, admin)
    assert pending(app) == 1 and chained(app) == []
    assert report(app).pending == 1

    app.bus.sealer.flush()
    (entry,) = chained(app)
    assert (entry.seq, entry.record_id, entry.action_id) == (1, str(task["id"]), "task.create")
    assert pending(app) == 0
    assert report(app).ok and report(app).entries == 1 and report(app).pending == 0


def test_a_held_chain_head_never_blocks_an_action(pg: tuple[App, str], admin: Caller) -> None:
    app, dsn = pg
    app.bus.dispatch("task.create", {"title": "makes the head"}, admin)
    app.bus.sealer.flush()
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT seq FROM audit_chain_heads WHERE tenant_id = 'default' FOR UPDATE")
        done = threading.Event()

        def create() -> None:
            app.bus.dispatch("task.create", {"title": "while held"}, admin)
            done.set()

        worker = threading.Thread(target=create)
        worker.start()
        assert done.wait(10), "the action waited for the chain head"
        worker.join()
        assert audit_seal.seal(app.engine, "default") is None  # busy: a sealer never queues
        holder.rollback()
    assert audit_seal.seal(app.engine, "default") == 1
    assert [e.seq for e in chained(app)] == [1, 2] and report(app).ok


def test_entries_are_chained_oldest_first_and_once(pg: tuple[App, str], admin: Caller) -> None:
    app, _ = pg
    titles = [f"t{i}" for i in range(12)]
    ids = [str(app.bus.dispatch("task.create", {"title": t}, admin)["id"]) for t in titles]
    with app.bus.atomic(admin) as batch:
        batch.dispatch("task.update", {"id": ids[0], "title": "renamed"})
        batch.dispatch("task.delete", {"id": ids[1]})
    app.bus.sealer.flush()
    assert audit_seal.seal(app.engine, "default") == 0 and pending(app) == 0  # nothing left
    entries = chained(app)
    assert [e.seq for e in entries] == list(range(1, 15))
    assert [e.record_id for e in entries[:12]] == ids
    assert [e.action_id for e in entries[12:]] == ["task.update", "task.delete"]
    assert [e.occurred_at for e in entries] == sorted(e.occurred_at for e in entries)
    assert len({e.prev_hash for e in entries}) == 14
    assert report(app).ok


def test_a_full_batch_seals_without_waiting_for_the_timer(
    pg: tuple[App, str], admin: Caller
) -> None:
    app, _ = pg
    app.bus.sealer.batch = 5
    for i in range(5):
        app.bus.dispatch("task.create", {"title": f"b{i}"}, admin)
    assert pending(app) == 0 and len(chained(app)) == 5


def test_the_background_sealer_chains_soon_after_commit(pg: tuple[App, str], admin: Caller) -> None:
    app, _ = pg
    app.bus.sealer.delay = 0.05
    app.bus.dispatch("task.create", {"title": "sealed by the thread"}, admin)
    deadline = time.monotonic() + 10
    while pending(app) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pending(app) == 0 and len(chained(app)) == 1 and report(app).ok


DIES_BEFORE_SEALING = """
import os, sys
from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.settings import Settings
app = bootstrap(Settings(database_url=sys.argv[1]))
app.bus.sealer.delay = 3600
who = Caller("doomed", "default", frozenset({"admin"}), CallerType.SCRIPT)
for i in range(3):
    app.bus.dispatch("task.create", {"title": f"orphan {i}"}, who)
os._exit(0)  # no close, no atexit: as if killed between commit and seal
"""


def test_entries_a_dead_process_left_are_sealed_by_the_next_writer(
    pg: tuple[App, str], admin: Caller
) -> None:
    app, _ = pg
    url = app.engine.url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", DIES_BEFORE_SEALING, url], check=True, cwd=ROOT)
    assert pending(app) == 3 and chained(app) == []

    successor = make_app(url)
    try:
        successor.bus.sealer.delay = 3600
        successor.bus.dispatch("task.create", {"title": "next start"}, admin)
        # Its first write swept the orphans in; its own entry waits for its sealer.
        assert [e.actor_id for e in chained(app)] == ["doomed"] * 3 and pending(app) == 1
        successor.bus.sealer.flush()
    finally:
        successor.close()
    assert pending(app) == 0 and report(app).ok and report(app).entries == 4


def test_a_process_that_exits_without_closing_seals_at_exit(pg: tuple[App, str]) -> None:
    app, _ = pg
    url = app.engine.url.render_as_string(hide_password=False)
    exits_normally = DIES_BEFORE_SEALING.replace("os._exit(0)", "raise SystemExit(0)")
    subprocess.run([sys.executable, "-c", exits_normally, url], check=True, cwd=ROOT)
    assert pending(app) == 0
    assert [e.actor_id for e in chained(app)] == ["doomed"] * 3 and report(app).ok


def test_audit_verify_seals_what_is_pending_first(pg: tuple[App, str]) -> None:
    app, _ = pg
    url = app.engine.url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", DIES_BEFORE_SEALING, url], check=True, cwd=ROOT)
    out = run_cli("--format", "json", "audit", "verify", db=url)
    assert out.code == 0, out.stderr
    (got,) = out.json()["chains"]
    assert (got["entries"], got["pending"], got["ok"]) == (3, 0, True)
    assert pending(app) == 0


def test_a_failed_seal_keeps_entries_pending_and_loses_nothing(
    pg: tuple[App, str], admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = pg
    app.bus.dispatch("task.create", {"title": "kept"}, admin)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit_seal, "_insert_all", broken)
    app.bus.sealer.flush()  # logged, not raised: the action committed long ago
    assert pending(app) == 1 and chained(app) == []
    monkeypatch.undo()
    app.bus.sealer.flush()
    assert pending(app) == 0 and len(chained(app)) == 1 and report(app).ok


def test_overlapping_seals_never_forget_a_later_commit(
    pg: tuple[App, str], admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seal Y starts, seal X chains everything, C commits, then Y ends: C must stay owed."""
    app, _ = pg
    sealer = app.bus.sealer
    assert sealer is not None
    for i in range(3):
        app.bus.dispatch("task.create", {"title": f"early {i}"}, admin)
    real = audit_seal.seal
    y_in, x_done, y_sealed, c_done = (threading.Event() for _ in range(4))

    def choreographed(engine: Any, tenant: str, *, wait: bool = False) -> int | None:
        if threading.current_thread().name != "Y":
            return real(engine, tenant, wait=wait)
        y_in.set()
        assert x_done.wait(10)
        sealed = real(engine, tenant, wait=wait)  # finds nothing: X chained it all
        y_sealed.set()
        assert c_done.wait(10)
        return sealed

    monkeypatch.setattr(audit_seal, "seal", choreographed)
    y = threading.Thread(target=sealer._seal, args=("default",), kwargs={"wait": False}, name="Y")
    y.start()
    assert y_in.wait(10)
    sealer._seal("default", wait=False)  # X
    x_done.set()
    assert y_sealed.wait(10)
    app.bus.dispatch("task.create", {"title": "late"}, admin)  # C, after Y's delete
    c_done.set()
    y.join(10)
    monkeypatch.undo()

    assert pending(app) == 1
    sealer.flush()  # only what the sealer still knows it owes
    assert pending(app) == 0 and len(chained(app)) == 4 and report(app).ok


def test_short_lived_writer_threads_do_not_drain_the_pool(
    pg: tuple[App, str], admin: Caller
) -> None:
    app, _ = pg
    for i in range(25):  # more threads, one after another, than the pool holds (5 + 5)
        worker = threading.Thread(
            target=app.bus.dispatch, args=("task.create", {"title": f"thread {i}"}, admin)
        )
        worker.start()
        worker.join(30)
    got = app.bus.dispatch("task.count", {}, admin)
    assert got["count"] == 25
    app.bus.sealer.flush()
    assert pending(app) == 0 and len(chained(app)) == 25

"""Concurrent writers in one tenant: no lost rows, no lost audit entries, no forked chain."""

from __future__ import annotations

import multiprocessing
import queue

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.db.platform_tables import audit_log
from tests.support.engine_helpers import audit_entries, chain, count, create_tasks_worker, table

WORKERS, PER_WORKER = 4, 200
TOTAL = WORKERS * PER_WORKER


@pytest.mark.slow
@pytest.mark.xdist_group("heavy")
def test_parallel_creates_keep_one_unbroken_chain(app: App, db_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    errors = ctx.Queue()
    procs = [
        ctx.Process(
            target=create_tasks_worker, args=(db_url, n, PER_WORKER, barrier, errors), daemon=True
        )
        for n in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    reports = {}
    try:
        for _ in procs:
            worker, failures = errors.get(timeout=240)
            reports[worker] = failures
    except queue.Empty:
        pytest.fail(f"workers did not finish; reported: {sorted(reports)}")
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    assert {w: f[:3] for w, f in reports.items() if f} == {}
    assert [p.exitcode for p in procs] == [0] * WORKERS

    tasks = table(app, "tasks")
    assert count(app, "tasks", tasks.c.tenant_id == "default") == TOTAL
    for n in range(WORKERS):
        assert count(app, "tasks", tasks.c.created_by == f"worker{n}") == PER_WORKER
    entries = audit_entries(app)
    assert len(entries) == TOTAL
    assert [e["seq"] for e in entries] == list(range(1, TOTAL + 1))
    with app.engine.connect() as conn:
        distinct_prev = conn.execute(
            sa.select(sa.func.count(sa.distinct(audit_log.c.prev_hash))).where(
                audit_log.c.tenant_id == "default"
            )
        ).scalar_one()
    assert distinct_prev == TOTAL
    report = chain(app)
    assert (report.ok, report.entries, report.broken_at) == (True, TOTAL, None)

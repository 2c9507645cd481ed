"""P7: eight processes creating tasks in one tenant on PostgreSQL, against raw psycopg.

Both gangs start once and stay up; each round releases all eight processes of one side
at once and times until the last has finished its batch. Afterwards the product's chain
must verify and hold exactly one entry per task: no lost write.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from core.trail.chain import verify
from tests.bench.harness import Result, compare, interleave
from tests.bench.support import TENANT, make_app, pg_url, workdir
from tests.reliability.gang import Child, broadcast, finish, gang

PROCESSES = 8


def _round(children: list[Child], per_process: int) -> float:
    start = time.perf_counter()
    replies = broadcast(children, "go")
    elapsed = time.perf_counter() - start
    errors = [e for r in replies for e in r["errors"]]
    assert not errors, errors[:3]
    return PROCESSES * per_process / elapsed


def run(quick: bool) -> list[Result]:
    n, rounds = (50, 3) if quick else (100, 5)
    logs = Path(tempfile.mkdtemp(prefix="p7-logs-", dir=workdir()))
    with pg_url() as ours_url, pg_url() as raw_url:
        app = make_app(ours_url)
        make_app(raw_url).close()
        (logs / "ours").mkdir()
        (logs / "raw").mkdir()
        ours = gang(
            "tests.reliability.workers",
            [{"job": "create", "url": ours_url, "worker": w, "n": n} for w in range(PROCESSES)],
            logs / "ours",
        )
        raw = gang(
            "tests.bench.p7_raw",
            [{"url": raw_url, "worker": w, "n": n} for w in range(PROCESSES)],
            logs / "raw",
        )
        try:
            m = interleave({"ours": lambda: _round(ours, n), "raw": lambda: _round(raw, n)}, rounds)
        finally:
            finish(ours)
            finish(raw)
        expected = PROCESSES * n * rounds
        table = app.registry.table(app.registry.entity("task"))
        with app.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            reports = verify(conn, TENANT)
        app.close()
    intact = len(reports) == 1 and reports[0].ok and reports[0].entries == expected
    return [
        compare(
            "P7",
            f"{PROCESSES} processes creating tasks, one tenant (PostgreSQL) vs raw psycopg",
            m["ours"],
            m["raw"],
            at_least=0.5,
            unit="tasks/s",
            extra="chain verifies, no lost write",
            extra_ok=intact and stored == expected,
            note=f"{stored} of {expected} tasks stored; chain {reports}",
        )
    ]

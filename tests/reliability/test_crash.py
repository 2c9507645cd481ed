"""`metasaas import` killed with SIGKILL at random points loses nothing and resumes cleanly.

Each row is one action: its task, audit entry and outbox event commit together or not
at all, so whatever the kill interrupts, the database holds whole actions only. Only the
client is killed, never the database, so commits skip the fsync (see
`relax_commit_durability`): what is under test is atomicity, not power-loss durability.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from tests.reliability.checks import (
    audit_rows,
    chain_ok,
    outbox_rows,
    record_ids,
    relax_commit_durability,
)
from tests.reliability.gang import ROOT

METASAAS = str(Path(sys.executable).with_name("metasaas"))
ROWS = 10_000
KILLS = 3

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["title", "description", "priority", "due_date", "estimate_hours"])
        for i in range(1, rows + 1):
            due = f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}" if i % 7 else ""
            out.writerow([f"Imported task {i}", f"row {i}, with a comma", "high", due, i % 40])


def import_argv(db_url: str, path: Path, resume: bool) -> list[str]:
    argv = [METASAAS, "--db", db_url, "--format", "json", "import", "task", str(path)]
    return [*argv, "--resume"] if resume else argv


def count_tasks(app: App) -> int:
    table = app.registry.table(app.registry.entity("task"))
    with app.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def kill_after(app: App, argv: list[str], env: dict[str, str], target: int, log: Path) -> int:
    """Start the import, SIGKILL it once `target` rows are committed; return the count."""
    with log.open("w") as err:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        while count_tasks(app) < target:
            assert proc.poll() is None, f"import ended before the kill:\n{log.read_text()}"
            time.sleep(0.01)
    finally:
        proc.kill()
        proc.wait()
    return count_tasks(app)


def assert_whole_actions(app: App) -> set[str]:
    tasks = set(record_ids(app, "task"))
    audited = Counter(e.record_id for e in audit_rows(app, "task.create"))
    events = Counter(e.record_id for e in outbox_rows(app, "task.created"))
    assert set(audited) == tasks, "a row without its audit entry, or an entry without its row"
    assert set(events) == tasks, "a row without its outbox event, or an event without its row"
    assert max(audited.values(), default=1) == 1
    assert max(events.values(), default=1) == 1
    chain_ok(app)
    return tasks


def test_import_killed_three_times_then_resumed(app: App, tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)
    source = tmp_path / "tasks.csv"
    write_csv(source, ROWS)
    env = {**os.environ, **relax_commit_durability(app.settings.resolved_database_url())}
    counts = []
    for attempt in range(KILLS):
        target = count_tasks(app) + rnd.randint(100, 2_000)
        argv = import_argv(app.settings.resolved_database_url(), source, resume=attempt > 0)
        counts.append(kill_after(app, argv, env, target, tmp_path / f"import-{attempt}.log"))
        assert_whole_actions(app)
    assert 0 < counts[0] <= counts[1] <= counts[2] < ROWS, (seed, counts)

    argv = import_argv(app.settings.resolved_database_url(), source, resume=True)
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["rows"], report["rejected"]) == (ROWS, [])
    assert report["skipped"] + report["imported"] == ROWS
    assert report["skipped"] == counts[-1]

    tasks = assert_whole_actions(app)
    assert len(tasks) == ROWS
    page = app.bus.dispatch(
        "task.list", {"filters": {"title": "Imported task 7777"}}, app.system_caller()
    )
    assert [t["description"] for t in page["items"]] == ["row 7777, with a comma"]
    table = app.registry.table(app.registry.entity("task"))
    with app.engine.connect() as conn:
        titles = conn.execute(sa.select(sa.func.count(sa.distinct(table.c.title)))).scalar_one()
    assert titles == ROWS

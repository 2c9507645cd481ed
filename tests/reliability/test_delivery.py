"""A process that dies between commit and delivery: the outbox delivers on the next start.

The child commits a note (row, audit entry, outbox event) and is killed with os._exit
where the bus hands events to the dispatcher. A fresh process then sweeps the outbox:
each subscriber must run exactly once for the event, and a further start runs none.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.bootstrap import bootstrap
from core.db.migrate import migrate
from core.db.platform_tables import deliveries
from core.settings import Settings
from tests.reliability.checks import outbox_rows, record_ids
from tests.reliability.gang import spawn

WORKERS = "tests.reliability.workers"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]


def run_child(job: str, db_url: str, log: Path) -> tuple[int, list[str]]:
    child = spawn(WORKERS, {"job": job, "url": db_url, "body": "remember me"}, log)
    out, _ = child.proc.communicate(timeout=120)
    return child.proc.returncode, out.splitlines()


def test_event_committed_before_a_crash_is_delivered_once_on_restart(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered = tmp_path / "deliveries.txt"
    monkeypatch.setenv("RELIABILITY_DELIVERY_LOG", str(delivered))
    app = bootstrap(Settings(database_url=db_url, domain="tests.reliability.domain"))
    migrate(app.engine, app.registry.metadata)

    code, out = run_child("die_before_delivery", db_url, tmp_path / "crash.log")
    assert (code, out) == (17, []), (tmp_path / "crash.log").read_text()
    assert len(record_ids(app, "note")) == 1
    [event] = outbox_rows(app, "note.created")
    assert event.delivered_at is None
    assert not delivered.exists()

    code, out = run_child("deliver_pending", db_url, tmp_path / "restart.log")
    assert (code, out) == (0, ['{"delivered": 1}']), (tmp_path / "restart.log").read_text()
    runs = Counter(delivered.read_text().splitlines())
    assert runs == {f"{event.id} mailer": 1, f"{event.id} indexer": 1}

    code, out = run_child("deliver_pending", db_url, tmp_path / "again.log")
    assert (code, out) == (0, ['{"delivered": 0}'])
    assert Counter(delivered.read_text().splitlines()) == runs
    [event] = outbox_rows(app, "note.created")
    assert event.delivered_at is not None
    with app.engine.connect() as conn:
        subscribers = conn.execute(
            sa.select(deliveries.c.subscriber).where(deliveries.c.event_id == event.id)
        )
        assert sorted(r.subscriber for r in subscribers) == ["indexer", "mailer"]
    app.close()

"""Fixture data in bulk: a million tasks or audit entries without going through the bus.

Rows go straight into the migrated tables with executemany on SQLAlchemy's connection,
in the exact storage format the product writes, so the product reads them as its own.
The audit rows carry a real hash chain computed with `core.trail.chain.link_hash`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from core.db.platform_tables import audit_heads, audit_log
from core.jsonable import canonical_json
from core.trail.chain import GENESIS, link_hash
from tests.bench.support import TENANT, sqlite_ts

CHUNK = 50_000
STATUSES = ("todo", "in_progress", "review", "done", "blocked")
PRIORITIES = ("low", "medium", "high")
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _insert_sql(conn: sa.Connection, table: sa.Table) -> tuple[str, list[str]]:
    compiled = table.insert().compile(dialect=conn.dialect)
    names = list(compiled.positiontup or [])
    return compiled.string, names


def _load(conn: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    sql, names = _insert_sql(conn, table)
    total, chunk = 0, []
    for row in rows:
        chunk.append(tuple(row.get(n) for n in names))
        if len(chunk) == CHUNK:
            conn.exec_driver_sql(sql, chunk)
            total, chunk = total + len(chunk), []
    if chunk:
        conn.exec_driver_sql(sql, chunk)
        total += len(chunk)
    return total


def task_rows(n: int, seed: int = 4) -> Iterator[dict[str, Any]]:
    """Tasks with a spread of statuses and due dates (one in twenty without a due date)."""
    rnd = random.Random(seed)
    base = dt.date(2024, 1, 1)
    for i in range(n):
        ts = sqlite_ts(EPOCH + dt.timedelta(seconds=i))
        due = None if rnd.random() < 0.05 else (base + dt.timedelta(days=rnd.randrange(730)))
        yield {
            "id": uuid.UUID(int=rnd.getrandbits(128), version=4).hex,
            "tenant_id": TENANT,
            "title": f"Task {i}",
            "description": None,
            "status": rnd.choice(STATUSES),
            "priority": rnd.choice(PRIORITIES),
            "due_date": due.isoformat() if due else None,
            "estimate_hours": float(rnd.randrange(40)),
            "project_id": None,
            "created_at": ts,
            "updated_at": ts,
            "created_by": "bench",
            "updated_by": "bench",
            "version": 1,
        }


def load_tasks(engine: sa.Engine, table: sa.Table, n: int) -> int:
    with engine.begin() as conn:
        return _load(conn, table, task_rows(n))


def audit_rows(n: int, state: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A valid chain of n entries; `state` ends holding the head (seq, hash)."""
    prev = GENESIS
    for seq in range(1, n + 1):
        occurred = EPOCH + dt.timedelta(milliseconds=seq)
        record_id = str(uuid.UUID(int=seq, version=4))
        entry = {
            "tenant_id": TENANT,
            "seq": seq,
            "occurred_at": occurred,
            "actor_id": "bench",
            "caller_type": "script",
            "action_id": "task.create",
            "entity": "Task",
            "record_id": record_id,
            "changes": {"title": {"before": None, "after": f"Task {seq}"}},
            "outcome": "success",
            "error_code": None,
            "duration_us": 1000 + seq % 997,
        }
        digest = link_hash(prev, entry)
        yield {
            **entry,
            "id": uuid.UUID(int=seq, version=4).hex,
            "occurred_at": sqlite_ts(occurred),
            "changes": canonical_json(entry["changes"]),
            "prev_hash": prev,
            "hash": digest,
        }
        prev = digest
        state["head"] = (seq, digest)


def load_audit(engine: sa.Engine, n: int) -> int:
    state: dict[str, Any] = {}
    with engine.begin() as conn:
        total = _load(conn, audit_log, audit_rows(n, state))
        seq, digest = state["head"]
        conn.execute(audit_heads.insert(), {"tenant_id": TENANT, "seq": seq, "hash": digest})
    return total

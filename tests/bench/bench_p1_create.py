"""P1 / P1-pg: `task.create` through the whole bus, one action per transaction.

Baselines write the same three rows (task, audit entry, outbox event) per transaction
with the bare driver, and the naive Pydantic + SQLModel shape writes row and audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.types.json import Json

from tests.bench import naive
from tests.bench.harness import Result, compare, interleave, rate
from tests.bench.support import (
    CALLER,
    TENANT,
    fresh_sqlite,
    make_app,
    pg_url,
    raw_pg,
    raw_sqlite,
    sqlite_ts,
)

TASK_COLS = (
    "id tenant_id title description status priority due_date estimate_hours "
    "created_at updated_at created_by updated_by version"
).split()
AUDIT_COLS = (
    "id tenant_id seq occurred_at actor_id caller_type action_id entity record_id changes "
    "outcome error_code duration_us prev_hash hash"
).split()
OUTBOX_COLS = (
    "id tenant_id name entity record_id actor_id occurred_at payload delivered_at attempts"
).split()


def payload(i: int) -> dict[str, Any]:
    return {
        "title": f"Benchmark task {i}",
        "description": "Measure the whole path from input to audit entry.",
        "priority": ("low", "medium", "high")[i % 3],
        "due_date": "2025-06-30",
        "estimate_hours": 2.5,
    }


def _insert(table: str, cols: list[str], marker: str) -> str:
    """The baseline's INSERT text, compiled by SQLAlchemy for the raw driver's paramstyle."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = sqlite.dialect() if marker == "?" else postgresql.psycopg.dialect(paramstyle="format")
    stmt = sa.table(table, *(sa.column(c) for c in cols)).insert()
    return str(stmt.values({c: sa.bindparam(c) for c in cols}).compile(dialect=dialect))


def _rows(i: int, seq: int, prev: str, *, sqlite: bool) -> tuple[tuple[Any, ...], ...]:
    """The three rows of one create, in the same shape the product stores."""
    p = payload(i)
    now = dt.datetime.now(dt.UTC)
    ts: Any = sqlite_ts(now) if sqlite else now
    task_id, audit_id, event_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    changes = {k: {"before": None, "after": v} for k, v in p.items()}
    changes["status"] = {"before": None, "after": "todo"}
    text = json.dumps(changes)
    digest = hashlib.sha256((prev + text).encode()).hexdigest()
    ident: Callable[[uuid.UUID], Any] = (lambda u: u.hex) if sqlite else (lambda u: u)
    due: Any = p["due_date"] if sqlite else dt.date.fromisoformat(p["due_date"])
    task = (ident(task_id), TENANT, p["title"], p["description"], "todo", p["priority"], due)
    task += (p["estimate_hours"], ts, ts, "bench", "bench", 1)
    changes_value: Any = text if sqlite else Json(changes)
    event_payload: Any = json.dumps({"changes": changes}) if sqlite else Json({"changes": changes})
    audit = (ident(audit_id), TENANT, seq, ts, "bench", "script", "task.create", "Task")
    audit += (str(task_id), changes_value, "success", None, 0, prev, digest)
    event = (ident(event_id), TENANT, "task.created", "Task", str(task_id), "bench", ts)
    event += (event_payload, ts, 0)
    return task, audit, event


class RawSQLite:
    """Three inserts per BEGIN IMMEDIATE ... COMMIT on a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.sql = [
            _insert("tasks", TASK_COLS, "?"),
            _insert("audit_log", AUDIT_COLS, "?"),
            _insert("event_outbox", OUTBOX_COLS, "?"),
        ]
        self.seq, self.prev = 0, "0" * 64

    def create(self, i: int) -> None:
        self.seq += 1
        rows = _rows(i, self.seq, self.prev, sqlite=True)
        self.prev = rows[1][-1]
        self.conn.execute("BEGIN IMMEDIATE")
        for sql, row in zip(self.sql, rows, strict=True):
            self.conn.execute(sql, row)
        self.conn.execute("COMMIT")


class RawPG:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.sql = [
            _insert("tasks", TASK_COLS, "%s"),
            _insert("audit_log", AUDIT_COLS, "%s"),
            _insert("event_outbox", OUTBOX_COLS, "%s"),
        ]
        self.seq, self.prev = 0, "0" * 64

    def create(self, i: int) -> None:
        self.seq += 1
        rows = _rows(i, self.seq, self.prev, sqlite=False)
        self.prev = rows[1][-1]
        with self.conn.transaction():
            for sql, row in zip(self.sql, rows, strict=True):
                self.conn.execute(sql, row)


def _sqlite(quick: bool, synchronous: str, with_naive: bool) -> dict[str, float]:
    n, rounds = (60, 3) if quick else (300, 7)
    ours_app = make_app(fresh_sqlite(f"p1-ours-{synchronous}.db"), synchronous)
    raw_url = fresh_sqlite(f"p1-raw-{synchronous}.db")
    make_app(raw_url).close()
    raw = RawSQLite(raw_sqlite(raw_url, synchronous))
    variants = {
        "ours": rate(n, lambda i: ours_app.bus.dispatch("task.create", payload(i), CALLER)),
        "raw": rate(n, raw.create),
    }
    if with_naive:
        naive_url = fresh_sqlite(f"p1-naive-{synchronous}.db")
        make_app(naive_url).close()
        eng = naive.engine(naive_url, synchronous)
        variants["naive"] = rate(
            n, lambda i: naive.create_task(eng, payload(i), TENANT, "bench", i + 1)
        )
    try:
        return interleave(variants, rounds)
    finally:
        ours_app.close()
        raw.conn.close()


def _pg(quick: bool) -> dict[str, float]:
    n, rounds = (60, 3) if quick else (300, 7)
    with pg_url() as ours_url, pg_url() as raw_url:
        ours_app = make_app(ours_url)
        make_app(raw_url).close()
        raw = RawPG(raw_pg(raw_url))
        try:
            return interleave(
                {
                    "ours": rate(
                        n,
                        lambda i: ours_app.bus.dispatch("task.create", payload(i), CALLER),
                        finish=ours_app.bus.seal_pending,  # every entry chained, timed
                    ),
                    "raw": rate(n, raw.create),
                },
                rounds,
            )
        finally:
            ours_app.close()
            raw.conn.close()


def _bound(m: dict[str, float]) -> str:
    """Where 3x naive stands against raw sqlite3 making the same commits in the same run."""
    need = 3 * m["naive"]
    return (
        f"3x naive is {need:,.0f} ops/s, {need / m['raw']:.2f}x of raw sqlite3 "
        f"({m['raw']:,.0f} ops/s, the same three inserts and commit per action)"
    )


def run(quick: bool) -> list[Result]:
    full = _sqlite(quick, "FULL", with_naive=True)
    normal = _sqlite(quick, "NORMAL", with_naive=True)
    pg = _pg(quick)
    unit = "ops/s"
    return [
        compare(
            "P1",
            "task.create via bus vs raw sqlite3 (WAL, FULL)",
            full["ours"],
            full["raw"],
            at_least=0.6,
            unit=unit,
        ),
        compare(
            "P1-naive",
            "task.create via bus vs Pydantic+SQLModel ORM (FULL)",
            full["ours"],
            full["naive"],
            at_least=3.0,
            unit=unit,
            note=_bound(full),
        ),
        compare(
            "P1-normal",
            "task.create via bus vs raw sqlite3 (WAL, NORMAL)",
            normal["ours"],
            normal["raw"],
            at_least=0.2,
            unit=unit,
        ),
        compare(
            "P1-normal-naive",
            "task.create via bus vs Pydantic+SQLModel ORM (NORMAL)",
            normal["ours"],
            normal["naive"],
            at_least=3.0,
            unit=unit,
            note=_bound(normal),
        ),
        compare(
            "P1-pg",
            "task.create via bus vs raw psycopg (PostgreSQL)",
            pg["ours"],
            pg["raw"],
            at_least=0.6,
            unit=unit,
        ),
    ]

"""Fixed-window counters in the database: one statement per counted key, shared across
processes.

`INSERT .. ON CONFLICT (key) DO UPDATE .. RETURNING` counts and reads in one round trip,
atomically on both SQLite and PostgreSQL: concurrent processes never lose a hit. A row
whose window has passed starts again at 1; a hit stamped with an older window (a process
whose clock lags) counts in the newer one, never resets it. The keys of one action (caller
and tenant) are counted in one transaction: on SQLite every commit is a sync to disk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import sqlalchemy as sa

from core.db.uow import UnitOfWork

Hit = tuple[str, int, int]
"""(key, window start, window length), both in seconds."""


class Counters(Protocol):
    def hit(self, hits: list[Hit], now: dt.datetime) -> list[tuple[int, int]]:
        """Count one hit of each key, together; return (count in the window, that window's
        start) for each, in order."""
        ...


class DatabaseCounters:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._insert: Any = None

    def hit(self, hits: list[Hit], now: dt.datetime) -> list[tuple[int, int]]:
        with self.uow.begin(write=True) as conn:
            return [self._one(conn, key, start, now) for key, start, _ in hits]

    def _dialect_insert(self) -> Any:
        """The dialect's INSERT (it alone has ON CONFLICT), loaded on the first hit."""
        if self._insert is None:
            if self.uow.is_sqlite:
                from sqlalchemy.dialects import sqlite as dialect
            else:
                from sqlalchemy.dialects import postgresql as dialect  # type: ignore[no-redef]
            self._insert = dialect.insert
        return self._insert

    def _one(self, conn: sa.Connection, key: str, start: int, now: dt.datetime) -> tuple[int, int]:
        from core.db.limit_tables import rate_counters as t  # the table loads on first use

        stmt = self._dialect_insert()(t).values(
            key=key, window_start=start, count=1, updated_at=now
        )
        current = t.c.window_start >= stmt.excluded.window_start
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.key],
            set_={
                "count": sa.case((current, t.c.count + 1), else_=sa.literal(1)),
                "window_start": sa.case(
                    (current, t.c.window_start), else_=stmt.excluded.window_start
                ),
                "updated_at": stmt.excluded.updated_at,
            },
        ).returning(t.c.count, t.c.window_start)
        row = conn.execute(stmt).one()
        return int(row[0]), int(row[1])

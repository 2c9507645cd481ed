"""The event outbox: events are stored with the action and delivered after it commits.

Delivery is at least once: an event stays pending until every subscriber has taken it,
and each (event, subscriber) success is recorded, so a retry after a crash or a failing
subscriber never re-delivers to the subscribers that already have it. Events nobody
subscribes to are stored as delivered, so an action without listeners pays nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from core.contracts import DomainEvent, Subscriber
from core.db.engines import dialect_insert
from core.db.platform_tables import deliveries, outbox
from core.db.prepared import prepared

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def insert(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store outbox rows (from `rows`) in the caller's transaction."""
    statement = prepared("insert", outbox, conn.dialect, outbox.insert)
    for row in rows:
        statement.execute(conn, row)


def rows(events: Sequence[DomainEvent], subscribed: set[str]) -> list[dict[str, Any]]:
    """The outbox rows for these events; those nobody subscribes to are delivered already."""
    now = utcnow()
    return [
        {
            "id": e.id,
            "tenant_id": e.tenant_id,
            "name": e.name,
            "entity": e.entity,
            "record_id": str(e.record_id) if e.record_id else None,
            "actor_id": e.actor_id,
            "occurred_at": e.occurred_at,
            "payload": dict(e.payload),
            "delivered_at": None if e.name in subscribed else now,
            "attempts": 0,
        }
        for e in events
    ]


def _event(row: Any) -> DomainEvent:
    return DomainEvent(
        id=row.id,
        name=row.name,
        tenant_id=row.tenant_id,
        entity=row.entity,
        record_id=uuid.UUID(row.record_id) if row.record_id else None,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        payload=row.payload,
    )


class Dispatcher:
    """Delivers stored events to the subscribers registered for their names."""

    def __init__(self, engine: sa.Engine, subscribers: dict[str, list[Subscriber]]) -> None:
        self.engine = engine
        self.subscribers = subscribers
        self.is_sqlite = engine.dialect.name == "sqlite"

    @property
    def subscribed(self) -> set[str]:
        return set(self.subscribers)

    def deliver(self, event_ids: Iterable[uuid.UUID]) -> None:
        for event_id in event_ids:
            try:
                self._deliver_one(event_id)
            except Exception:  # delivery never fails the action that already committed
                log.exception("event %s: delivery failed; it stays pending", event_id)

    def pending(self, limit: int = 500) -> list[uuid.UUID]:
        stmt = (
            sa.select(outbox.c.id)
            .where(outbox.c.delivered_at.is_(None), outbox.c.attempts < MAX_ATTEMPTS)
            .order_by(outbox.c.occurred_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [r.id for r in conn.execute(stmt)]

    def deliver_pending(self) -> int:
        ids = self.pending()
        self.deliver(ids)
        return len(ids)

    def _deliver_one(self, event_id: uuid.UUID) -> None:
        """Read, call, record: subscribers run with no transaction (and no lock) open.

        A subscriber may itself dispatch actions; holding SQLite's writer lock around it
        would make every such action wait out the busy timeout. Two processes may now call
        one subscriber for one event; subscribers are idempotent by event id, and the
        (event, subscriber) record is written once.
        """
        with self.engine.connect() as conn, conn.begin():
            row = conn.execute(
                sa.select(outbox).where(outbox.c.id == event_id, outbox.c.delivered_at.is_(None))
            ).first()
            if row is None:
                return  # delivered already
            done = {
                r.subscriber
                for r in conn.execute(
                    sa.select(deliveries.c.subscriber).where(deliveries.c.event_id == event_id)
                )
            }
        event = _event(row)
        succeeded, failures = self._call(event, done)
        self._record(event, succeeded, failures)

    def _call(self, event: DomainEvent, done: set[str]) -> tuple[list[str], list[str]]:
        succeeded: list[str] = []
        failures: list[str] = []
        for sub in self.subscribers.get(event.name, []):
            if sub.name in done:
                continue
            try:
                sub.handler(event)
            except Exception as exc:
                log.exception("subscriber %s failed on event %s", sub.name, event.id)
                failures.append(f"{sub.name}: {type(exc).__name__}")
            else:
                succeeded.append(sub.name)
        return succeeded, failures

    def _record(self, event: DomainEvent, succeeded: list[str], failures: list[str]) -> None:
        now = utcnow()
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                insert = dialect_insert(conn.dialect.name)(deliveries)
                for name in succeeded:
                    conn.execute(
                        insert.values(
                            event_id=event.id, subscriber=name, delivered_at=now
                        ).on_conflict_do_nothing(index_elements=["event_id", "subscriber"])
                    )
                values: dict[str, Any] = {"attempts": outbox.c.attempts + 1}
                if failures:
                    values["last_error"] = "; ".join(failures)[:500]
                else:
                    values["delivered_at"] = now
                conn.execute(
                    sa.update(outbox)
                    .where(outbox.c.id == event.id, outbox.c.delivered_at.is_(None))
                    .values(**values)
                )

"""The event outbox: events are stored with the action and delivered after it commits.

Delivery is at least once: an event stays pending until every subscriber has taken it,
and each (event, subscriber) success is recorded, so a retry after a crash or a failing
subscriber never re-delivers to the subscribers that already have it. Events nobody
subscribes to are stored as delivered, so an action without listeners pays nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
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
    """Delivers stored events to the subscribers registered for their names.

    Subscribers run after commit on the thread that committed, except `background` ones
    (slow work such as a model call): those are handed to one worker thread, so no
    action waits for them. Either way each (event, subscriber) success is recorded once,
    and an event is delivered when every subscriber of its name has it.
    """

    def __init__(self, engine: sa.Engine, subscribers: dict[str, list[Subscriber]]) -> None:
        self.engine = engine
        self.subscribers = subscribers
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._later: queue.SimpleQueue[uuid.UUID | threading.Event | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._guard = threading.Lock()

    def deliver(self, event_ids: Iterable[uuid.UUID], *, background: bool = False) -> None:
        for event_id in event_ids:
            try:
                self._deliver_one(event_id, background=background)
            except Exception as exc:  # delivery never fails the action that already committed
                log.error("event %s: delivery failed (%s); it stays pending", event_id, _name(exc))

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

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for the background subscribers to finish what is queued (or give up)."""
        if self._worker is None:
            return True
        done = threading.Event()
        self._later.put(done)
        return done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Let the background work finish for a while; what remains is swept next time."""
        with self._guard:
            worker, self._worker = self._worker, None
        if worker is not None:
            self._later.put(None)
            worker.join(timeout)

    def _deliver_one(self, event_id: uuid.UUID, *, background: bool) -> None:
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
        owed = [s for s in self.subscribers.get(event.name, []) if s.name not in done]
        now = [s for s in owed if s.background == background]
        later = [s for s in owed if s.background and not background]
        succeeded, failures = self._call(event, now)
        complete = not failures and not later
        self._record(event, succeeded, failures, complete=complete)
        if later:
            self.queue(event_id)

    def queue(self, event_id: uuid.UUID) -> None:
        """Hand an event to the background worker (its background subscribers)."""
        with self._guard:
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="metasaas-background-subscribers", daemon=True
                )
                self._worker.start()
        self._later.put(event_id)

    def _work(self) -> None:
        while True:
            item = self._later.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            self.deliver([item], background=True)

    def _call(self, event: DomainEvent, subs: list[Subscriber]) -> tuple[list[str], list[str]]:
        succeeded: list[str] = []
        failures: list[str] = []
        for sub in subs:
            try:
                sub.handler(event)
            except Exception as exc:
                log.error("subscriber %s failed on event %s: %s", sub.name, event.id, _name(exc))
                failures.append(f"{sub.name}: {_name(exc)}")
            else:
                succeeded.append(sub.name)
        return succeeded, failures

    def _record(
        self, event: DomainEvent, succeeded: list[str], failures: list[str], *, complete: bool
    ) -> None:
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
                if complete:
                    values["delivered_at"] = now
                conn.execute(
                    sa.update(outbox)
                    .where(outbox.c.id == event.id, outbox.c.delivered_at.is_(None))
                    .values(**values)
                )


def _name(exc: BaseException) -> str:
    """An exception's class only: its message can quote SQL and the values it carried."""
    return type(exc).__name__

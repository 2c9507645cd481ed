"""Sealing (PostgreSQL only): pending audit entries take their place in the tenant's chain.

An action commits its entry in `audit_pending`, so writers of one tenant never queue on
each other's commits. A seal takes the tenant's chain head, moves every pending entry of
the tenant into `audit_log` oldest first, moves the head and commits: one transaction
chains a whole batch.

Each process seals what it wrote: once it has `batch` entries waiting, within `delay`
seconds of a commit otherwise, and when it closes. A process that dies first leaves its
entries pending; the next writer's start-up sweep, or `metasaas audit verify`, seals them.
The background sealer never waits for a busy head, it tries again after `delay`; only a
flush (at close, or when a caller must see everything chained) waits for it.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import threading
import weakref
from typing import Any

import sqlalchemy as sa

from core.db.engines import dialect_insert
from core.db.platform_tables import audit_heads, audit_log, audit_pending
from core.db.prepared import Prepared, prepared
from core.db.triggers import SEALING_SETTING
from core.trail.chain import GENESIS, HASHED_COLUMNS, row_hash

log = logging.getLogger(__name__)

LOCK_WAIT = "5s"  # the longest a waiting seal queues for a head before giving up for now
_TAKEN = ("id", *(name for name in HASHED_COLUMNS if name != "seq"))
_INSERTED = ("id", *HASHED_COLUMNS, "prev_hash", "hash")


def seal(engine: sa.Engine, tenant_id: str, *, wait: bool = False) -> int | None:
    """Chain all of the tenant's pending entries; returns how many, None if the head is busy.

    Nothing to seal ends in a rollback, which PostgreSQL does not flush to disk.
    """
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            # Pending entries may leave their table only inside a seal (a trigger checks);
            # a waiting seal must not hang on a stuck holder of the head.
            settings = [sa.func.set_config(SEALING_SETTING, "on", True)]
            if wait:
                settings.append(sa.func.set_config("lock_timeout", LOCK_WAIT, True))
            conn.execute(sa.select(*settings))
            sealed = _seal(conn, tenant_id, wait=wait)
        except BaseException:
            tx.rollback()
            raise
        if sealed:
            tx.commit()
        else:
            tx.rollback()
        return sealed


def any_pending(engine: sa.Engine, tenant_id: str) -> bool:
    """Whether the tenant has entries awaiting their seal; reads without taking a lock."""
    stmt = sa.select(sa.literal(1)).where(audit_pending.c.tenant_id == tenant_id).limit(1)
    with engine.connect() as conn:
        return conn.execute(stmt).first() is not None


def sweep(engine: sa.Engine, *, wait: bool = True) -> int:
    """Seal whatever any tenant left pending (a writer that died before sealing)."""
    stmt = sa.select(audit_pending.c.tenant_id).distinct()
    with engine.connect() as conn:
        tenants = list(conn.execute(stmt).scalars())
    return sum(seal(engine, tenant, wait=wait) or 0 for tenant in tenants)


def _take(dialect: sa.Dialect) -> Prepared:
    """Delete the tenant's pending entries, returning them as driver rows in `_TAKEN` order."""

    def build() -> sa.sql.ClauseElement:
        return (
            sa.delete(audit_pending)
            .where(audit_pending.c.tenant_id == sa.bindparam("tenant_id"))
            .returning(*[audit_pending.c[name] for name in _TAKEN])
        )

    return prepared("take", audit_pending, dialect, build)


def _seal(conn: sa.Connection, tenant_id: str, *, wait: bool) -> int | None:
    head = _lock_head(conn, tenant_id, wait=wait)
    if head is None:
        return None
    seq, prev = head
    taken = _take(conn.dialect).execute(conn, {"tenant_id": tenant_id}).fetchall()
    if not taken:
        return 0
    taken.sort(key=lambda r: (r[2], str(r[0])))  # oldest first; ties in a stable order
    rows = []
    for entry_id, tenant, *rest in taken:
        seq += 1
        hashed = (tenant, seq, *rest)  # HASHED_COLUMNS order; `changes` is its stored text
        digest = row_hash(prev, hashed)
        rows.append((entry_id, *hashed, prev, digest))
        prev = digest
    _insert_all(conn, rows)
    conn.execute(
        sa.update(audit_heads)
        .where(audit_heads.c.tenant_id == tenant_id)
        .values(seq=seq, hash=prev)
    )
    return len(rows)


def _insert_all(conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    """The batch through COPY, PostgreSQL's cheapest way in.

    COPY has no SQLAlchemy construct, so its statement is composed by psycopg's `sql`
    module from the table's declared column names, each quoted as an identifier.
    """
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(audit_log.name), sql.SQL(", ").join(map(sql.Identifier, _INSERTED))
    )
    dbapi: Any = conn.connection.dbapi_connection
    try:
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as exc:
        if conn.dialect.is_disconnect(exc, dbapi, None):
            conn.invalidate(exc)
        raise sa.exc.DBAPIError.instance("COPY audit_log", None, exc, Exception) from exc


def _lock_head(conn: sa.Connection, tenant_id: str, *, wait: bool) -> tuple[int, str] | None:
    """The head, locked until this transaction ends (created on first use); None if busy."""
    stmt = (
        sa.select(audit_heads.c.seq, audit_heads.c.hash)
        .where(audit_heads.c.tenant_id == tenant_id)
        .with_for_update(skip_locked=not wait)
    )
    row = conn.execute(stmt).first()
    if row is None:
        insert = dialect_insert(conn.dialect.name)(audit_heads).values(
            tenant_id=tenant_id, seq=0, hash=GENESIS
        )
        created = conn.execute(insert.on_conflict_do_nothing(index_elements=["tenant_id"]))
        if created.rowcount == 0 and not wait:
            return None  # another sealer created it and still holds it
        row = conn.execute(stmt).first()
        if row is None:
            return None
    return int(row[0]), str(row[1])


class Sealer:
    """Seals the entries this process left pending: in batches, soon after commit, at close.

    Bookkeeping is per tenant: a mark that every commit renews, and a count that only
    decides when a batch is full. A seal that started under mark m chained everything
    committed before it, so it may forget the tenant only if the mark is still m.
    """

    def __init__(self, engine: sa.Engine, *, delay: float = 0.2, batch: int = 64) -> None:
        self.engine = engine
        self.delay = delay
        self.batch = batch
        self._ticks = itertools.count(1)
        self._fresh_state()
        self._closed = False
        me = weakref.ref(self)

        def in_child() -> None:  # a forked child inherits neither the thread nor its duties
            sealer = me()
            if sealer is not None:
                sealer._fresh_state()

        os.register_at_fork(after_in_child=in_child)

    def _fresh_state(self) -> None:
        self._lock = threading.Lock()
        self._marks: dict[str, int] = {}  # tenant: the last commit that left entries pending
        self._counts: dict[str, int] = {}  # tenant: entries noted since its last seal began
        self._wake = threading.Event()  # set when the thread has a round to run
        self._scheduled = False  # a round is due: commits need not wake the thread again
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def committed(self, tenant: str, entries: int) -> None:
        """Note a commit that left entries pending; seal now if a batch is full."""
        with self._lock:
            self._marks[tenant] = next(self._ticks)
            self._counts[tenant] = self._counts.get(tenant, 0) + entries
            full = [t for t, n in self._counts.items() if n >= self.batch]
            if not self._closed and self._thread is None:
                self._start()
            wake, self._scheduled = not self._scheduled, True
        if wake:  # before sealing: whatever happens there, the thread runs its round
            self._wake.set()
        for tenant in full:
            self._seal(tenant, wait=False)

    def _start(self) -> None:
        """The background sealer, and a last flush at exit for a process that never closes."""
        thread = threading.Thread(target=self._run, name="metasaas-audit-sealer", daemon=True)
        self._thread = thread
        thread.start()
        me = weakref.ref(self)

        def at_exit() -> None:
            sealer = me()
            if sealer is not None:
                sealer.close()

        atexit.register(at_exit)

    def flush(self) -> None:
        """Seal everything this process left pending, waiting (a while) for a busy head."""
        with self._lock:
            tenants = list(self._marks)
        for tenant in tenants:
            self._seal(tenant, wait=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stop.wait(self.delay):  # the delay lets a burst of commits form one batch
                return
            with self._lock:
                self._wake.clear()
                self._scheduled = False
                tenants = list(self._marks)
            for tenant in tenants:
                if self._stop.is_set():
                    return
                self._seal(tenant, wait=False)
            with self._lock:  # a busy head: try again after the delay
                retry = bool(self._marks) and not self._scheduled
                self._scheduled = self._scheduled or retry
            if retry:
                self._wake.set()

    def _seal(self, tenant: str, *, wait: bool) -> None:
        with self._lock:
            mark = self._marks.get(tenant)
            if mark is None:
                return  # sealed already, by another thread of this process
            counted = self._counts.get(tenant, 0)
        try:
            if wait and not any_pending(self.engine, tenant):
                sealed: int | None = 0  # a neighbour chained them: no need to queue for the head
            else:
                sealed = seal(self.engine, tenant, wait=wait)
        except Exception as exc:  # the class only: a driver message can quote SQL and values
            log.warning("audit entries of tenant %r stay pending for now: %s", tenant, type(exc))
            return
        if sealed is None:
            return  # the head is busy: try again later
        with self._lock:  # everything committed before this seal began is chained now
            self._counts[tenant] = max(0, self._counts.get(tenant, 0) - counted)
            if self._marks.get(tenant) == mark:
                del self._marks[tenant]
                del self._counts[tenant]

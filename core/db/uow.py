"""A unit of work per action: one connection, one transaction, commit or roll back whole."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from core.db.engines import IDLE_PING_SECONDS, alive, database_file, missing_table
from core.errors import InternalError

NOT_MIGRATED = "the database is not migrated: run `metasaas migrate`"


class UnitOfWork:
    """Transactions for the bus. Each thread keeps one writer connection.

    Checking a connection out of the pool and back for every action costs more than a
    third of an insert on SQLite and a tenth of an action on PostgreSQL. SQLite's kept
    connection is opened in IMMEDIATE mode, so every write transaction takes the lock up
    front. A connection that broke is invalidated and replaced on the next action, and
    the connection of a thread that has ended goes back to the pool when the next writer
    connection is made, so short-lived threads cannot drain the pool. A PostgreSQL writer
    that sat idle is pinged first (a terminated backend is replaced before the action
    sends anything, so no write is ever retried).

    Before every write on SQLite, the file at the configured path must still be the one
    opened; and a database that lacks a table says it is not migrated, on every surface.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._kept: list[tuple[int, threading.Thread, sa.Connection]] = []  # (pid, owner, conn)
        self._guard = threading.Lock()
        self.file = database_file(engine)

    @contextmanager
    def begin(self, *, write: bool) -> Iterator[sa.Connection]:
        """Yield a connection inside a transaction; writers take SQLite's lock up front."""
        if write and self.file is not None:
            self.file.check()
        try:
            writer = self._writer() if write else None
            if writer is not None and not writer.in_transaction():
                with writer.begin():
                    yield writer
                self._local.used = time.monotonic()
                return
            with self.engine.connect() as conn:
                if write and self.is_sqlite:
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as exc:
            if missing_table(exc):
                raise InternalError(NOT_MIGRATED, {"reason": "not_migrated"}) from exc
            raise

    def _writer(self) -> sa.Connection:
        kept: tuple[int, sa.Connection] | None = getattr(self._local, "writer", None)
        if kept is not None and kept[0] == os.getpid() and not self.is_sqlite:
            if self._idle_and_dead(kept[1]):
                kept[1].invalidate()
        # A connection inherited across fork() belongs to the parent: never reuse it.
        if kept is None or kept[0] != os.getpid() or kept[1].closed or kept[1].invalidated:
            self._release_stale()
            conn = self.engine.connect()
            if self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            self._local.writer = (os.getpid(), conn)
            self._local.used = time.monotonic()
            with self._guard:
                self._kept.append((os.getpid(), threading.current_thread(), conn))
            return conn
        return kept[1]

    def _idle_and_dead(self, conn: sa.Connection) -> bool:
        used: float = getattr(self._local, "used", 0.0)
        if conn.closed or conn.invalidated or time.monotonic() - used <= IDLE_PING_SECONDS:
            return False
        return not alive(conn.connection.dbapi_connection)

    def _release_stale(self) -> None:
        """Give back the kept connections of ended threads and broken ones (this process's)."""
        me, current = os.getpid(), threading.current_thread()
        with self._guard:
            stale = [
                k
                for k in self._kept
                if k[0] == me and (k[1] is current or not k[1].is_alive() or k[2].invalidated)
            ]
            self._kept = [k for k in self._kept if k not in stale]
        for _, _, conn in stale:
            if not conn.closed:
                conn.close()

    def close(self) -> None:
        with self._guard:
            kept, self._kept = self._kept, []
        for pid, _, conn in kept:
            # Another process's connection (inherited across fork) is its parent's to close.
            if pid == os.getpid() and not conn.closed:
                conn.close()

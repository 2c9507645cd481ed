"""Engines for the embedded SQLite file and for PostgreSQL, with durable, private defaults.

SQLite runs in WAL mode with synchronous=FULL so a committed action survives power
loss; writers take the database lock at BEGIN (IMMEDIATE) so two writers queue on the
busy timeout instead of failing on a lock upgrade half-way through an action. Its file is
created readable by its owner only (the WAL and shared-memory files take its mode), in
a directory that must exist, except the platform's own user data directory; and the file
opened is remembered, so that a file deleted or replaced under a running session refuses
writes instead of swallowing them (`DatabaseFile`).

PostgreSQL connections that sat idle are pinged before use, so a server restart or a
terminated backend costs one round trip, not the next command.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from core.errors import InternalError
from core.settings import SQLiteSettings, private_dir, private_file, user_data_dir

# Constant statements: chosen from these tables, never assembled from input.
_SYNCHRONOUS = {"FULL": "PRAGMA synchronous=FULL", "NORMAL": "PRAGMA synchronous=NORMAL"}
_BEGIN = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN"}
SQLITE_FOLD = "metasaas_fold"
# A pooled PostgreSQL connection unused for longer than this is pinged before it is used.
IDLE_PING_SECONDS = 1.0

_FILES: WeakKeyDictionary[sa.Engine, DatabaseFile] = WeakKeyDictionary()


def create_engine(url: str, sqlite: SQLiteSettings | None = None) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite or SQLiteSettings())
    if parsed.get_backend_name() == "postgresql":
        engine = sa.create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            pool_size=5,
            max_overflow=5,
            # Errors and logs never carry the values bound to a statement.
            hide_parameters=True,
        )
        _ping_when_idle(engine)
        return engine
    raise ValueError("database URL must be sqlite:///PATH or postgresql+psycopg://...")


class fold(GenericFunction[str]):
    """Case folding for comparisons that must agree on both databases: PostgreSQL's
    lower() knows all of Unicode, SQLite's only ASCII, so SQLite gets Python's."""

    type = sa.String()
    name = "fold"
    inherit_cache = True


@compiles(fold)
def _fold(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


def _fold_text(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class DatabaseFile:
    """The SQLite file a process opened, by device and inode.

    A connection keeps writing to the file it opened even after it was unlinked or
    another file was moved to its path, and those writes are lost to everyone else.
    `check()` before every write transaction (and before a new connection opens the
    path) refuses that with a clear error.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None
        self._guard = threading.Lock()

    def _current(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return None
        return stat.st_dev, stat.st_ino

    def problem(self) -> str | None:
        """Why the file at the path is not the one opened, or None."""
        if self.identity is None:
            return None
        current = self._current()
        if current == self.identity:
            return None
        what = "deleted" if current is None else "replaced by another file"
        return f"the database file {self.path} was {what} after it was opened"

    def check(self) -> None:
        problem = self.problem()
        if problem:
            raise InternalError(
                f"{problem}; nothing was saved. Start again to open the file now at that path.",
                {"reason": "database_file_changed"},
            )

    def opened(self) -> None:
        with self._guard:
            if self.identity is None:
                self.identity = self._current()


def database_file(engine: sa.Engine) -> DatabaseFile | None:
    """The file an engine made here opened (None for PostgreSQL or an in-memory database)."""
    return _FILES.get(engine)


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names, `file:` URIs included; None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        parts = urlsplit(database)
        query = dict(parse_qsl(parts.query)) | {k: str(v) for k, v in url.query.items()}
        if query.get("mode") == "memory" or parts.path in ("", ":memory:"):
            return None
        return Path(unquote(parts.path)).expanduser()
    return Path(database).expanduser()


def _prepare_file(url: URL, path: Path) -> None:
    """The platform's own directory is made (private); any other must exist, so a typo in
    `--db` is refused rather than creating directories. A new file is private from its
    first byte."""
    parent = path.parent
    if parent.resolve() == user_data_dir().resolve():
        private_dir(parent)
    elif not parent.is_dir():
        raise ValueError(f"the directory of the SQLite database does not exist: {parent}")
    if url.query.get("mode") == "ro":
        return
    ours = parent.resolve() == user_data_dir().resolve()
    if not path.exists() or ours:
        private_file(path)
    if ours:  # files an older version left readable by others
        for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if extra.exists():
                private_file(extra)


def _sqlite_engine(url: URL, settings: SQLiteSettings) -> sa.Engine:
    path = sqlite_file(url)
    if (url.database or "").startswith("file:") and "uri" not in url.query:
        url = url.update_query_dict({"uri": "true"})  # else `file:x` becomes a directory
    if path is not None:
        _prepare_file(url, path)
    # sqlite3's `timeout` is SQLite's busy timeout: how long a writer waits for the lock.
    timeout_s = settings.busy_timeout_ms / 1000
    engine = sa.create_engine(url, connect_args={"timeout": timeout_s}, hide_parameters=True)
    synchronous = _SYNCHRONOUS[settings.synchronous]
    file = DatabaseFile(path) if path is not None else None
    if file is not None:
        _FILES[engine] = file

        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args: Any) -> None:
            file.check()  # a new connection must not open (or create) another file

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(SQLITE_FOLD, 1, _fold_text, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(synchronous)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        if file is not None:
            file.opened()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute(_BEGIN[mode])

    return engine


def alive(dbapi_connection: Any) -> bool:
    """Whether a PostgreSQL connection still answers (a read that leaves no transaction)."""
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception:
        return False
    return True


def _ping_when_idle(engine: sa.Engine) -> None:
    """Ping a pooled connection that sat idle before handing it out; a dead one is
    replaced by the pool (nothing was sent on it yet, so nothing is retried)."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is not None and time.monotonic() - since > IDLE_PING_SECONDS:
            if not alive(dbapi_connection):
                raise sa.exc.DisconnectionError("the server closed this pooled connection")


def missing_table(exc: sa.exc.DBAPIError) -> bool:
    """Whether a driver error says a table does not exist: a database not migrated."""
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig).startswith("no such table")
    return getattr(orig, "sqlstate", None) == "42P01"  # PostgreSQL's undefined_table


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert

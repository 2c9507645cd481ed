"""Engines for the embedded SQLite file and for PostgreSQL, with durable defaults.

SQLite runs in WAL mode with synchronous=FULL so a committed action survives power
loss; writers take the database lock at BEGIN (IMMEDIATE) so two writers queue on the
busy timeout instead of failing on a lock upgrade half-way through an action.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from core.settings import SQLiteSettings

# Constant statements: chosen from these tables, never assembled from input.
_SYNCHRONOUS = {"FULL": "PRAGMA synchronous=FULL", "NORMAL": "PRAGMA synchronous=NORMAL"}
_BEGIN = {"IMMEDIATE": "BEGIN IMMEDIATE", "DEFERRED": "BEGIN"}


def create_engine(url: str, sqlite: SQLiteSettings | None = None) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, sqlite or SQLiteSettings())
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            # No pre-ping (a round trip per action): dead connections are invalidated
            # when an error says so, and the next checkout gets a fresh one.
            pool_size=5,
            max_overflow=5,
            # Errors and logs never carry the values bound to a statement.
            hide_parameters=True,
        )
    raise ValueError("database URL must be sqlite:///PATH or postgresql+psycopg://...")


def _sqlite_engine(url: str, settings: SQLiteSettings) -> sa.Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # sqlite3's `timeout` is SQLite's busy timeout: how long a writer waits for the lock.
    timeout_s = settings.busy_timeout_ms / 1000
    engine = sa.create_engine(url, connect_args={"timeout": timeout_s}, hide_parameters=True)
    synchronous = _SYNCHRONOUS[settings.synchronous]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(synchronous)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute(_BEGIN[mode])

    return engine


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert

"""Shared set-up for the scenarios: throw-away databases, apps, callers and raw connections."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType
from core.db.migrate import migrate
from core.settings import Settings, SQLiteSettings
from tests.support.databases import postgres_database

ROOT = Path(__file__).resolve().parents[2]
TENANT = "default"
CALLER = Caller("bench", TENANT, frozenset({"admin"}), CallerType.SCRIPT)
_WORKDIR: Path | None = None


def workdir() -> Path:
    """One temp directory per bench process: generated databases are reused within a run."""
    global _WORKDIR
    if _WORKDIR is None:
        _WORKDIR = Path(tempfile.mkdtemp(prefix="metasaas-bench-"))
        atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)
    return _WORKDIR


def sqlite_url(name: str) -> str:
    return f"sqlite:///{workdir() / name}"


def make_app(url: str, synchronous: str = "FULL") -> App:
    settings = Settings(
        database_url=url,  # type: ignore[arg-type]
        tenant=TENANT,
        sqlite=SQLiteSettings(synchronous=synchronous),  # type: ignore[arg-type]
    )
    app = bootstrap(settings)
    migrate(app.engine, app.registry.metadata)
    return app


def fresh_sqlite(name: str) -> str:
    path = workdir() / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def raw_sqlite(url: str, synchronous: str) -> sqlite3.Connection:
    """A plain sqlite3 connection with the product's pragmas, in explicit-transaction mode."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextmanager
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def raw_pg(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def sqlite_ts(value: dt.datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite (naive, microseconds)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

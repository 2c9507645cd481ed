"""A unit of work per action: one connection, one transaction, commit or roll back whole."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


class UnitOfWork:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self, *, write: bool) -> Iterator[sa.Connection]:
        """Yield a connection inside a transaction; writers take SQLite's lock up front."""
        with self.engine.connect() as conn:
            if write and self.is_sqlite:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

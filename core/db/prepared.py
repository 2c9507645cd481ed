"""SQLAlchemy statements compiled once and run on the driver cursor: the write hot path.

Every action writes its row, an audit entry and an outbox event; going through the full
SQLAlchemy execution machinery for each costs more than the database work itself. The
SQL still comes only from SQLAlchemy's compiler (never from string assembly), values are
still bound, and SQLAlchemy's own type processors still convert them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


class Prepared:
    def __init__(self, statement: sa.sql.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql: str = compiled.string
        self.positional: bool = bool(compiled.positional)
        defaults = {name: bind.value for bind, name in compiled.bind_names.items()}
        if compiled.positional and compiled.positiontup:
            self.names: tuple[str, ...] = tuple(compiled.positiontup)
        else:
            self.names = tuple(dict.fromkeys(compiled.bind_names.values()))
        processors: Mapping[str, Any] = compiled._bind_processors
        # (name, processor, default): literals in the statement (`seq + 1`) carry their value.
        self._plan: tuple[tuple[str, Processor | None, Any], ...] = tuple(
            (n, processors[n] if callable(processors.get(n)) else None, defaults.get(n))
            for n in self.names
        )

    def params(self, values: Mapping[str, Any]) -> Any:
        converted = []
        for name, fn, default in self._plan:
            value = values.get(name, default)
            converted.append(value if fn is None or value is None else fn(value))
        return (
            tuple(converted) if self.positional else dict(zip(self.names, converted, strict=True))
        )

    def execute(self, conn: sa.Connection, values: Mapping[str, Any]) -> Any:
        """Run on `conn`'s driver connection, inside its current transaction."""
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        params = self.params(values)
        try:
            cursor.execute(self.sql, params)
        except conn.dialect.loaded_dbapi.Error as exc:
            if conn.dialect.is_disconnect(exc, dbapi, cursor):
                conn.invalidate(exc)  # the pool must not hand this connection out again
            # Raise what SQLAlchemy would, so callers handle one family of errors.
            raise sa.exc.DBAPIError.instance(
                self.sql, params, exc, conn.dialect.loaded_dbapi.Error
            ) from exc
        return cursor


def prepared(
    key: str, table: sa.Table, dialect: sa.Dialect, build: Callable[[], sa.sql.ClauseElement]
) -> Prepared:
    """The statement `build()` for `table`, compiled once per dialect and kept on the table."""
    cache: dict[tuple[str, str], Prepared] = table.info.setdefault("_prepared", {})
    found = cache.get((key, dialect.name))
    if found is None:
        found = cache[(key, dialect.name)] = Prepared(build(), _positional(dialect))
    return found


def _positional(dialect: sa.Dialect) -> sa.Dialect:
    """PostgreSQL: the engine's own dialect, copied with `%s` placeholders.

    psycopg checks and reorders named parameters on every execute; a tuple skips that.
    A copy keeps everything else the engine's dialect learned (server version, options).
    """
    if dialect.name != "postgresql" or dialect.positional:
        return dialect
    positional: sa.Dialect | None = getattr(dialect, "_metasaas_positional", None)
    if positional is None:
        positional = copy.copy(dialect)
        positional.paramstyle = "format"
        positional.positional = True
        dialect._metasaas_positional = positional  # type: ignore[attr-defined]
    return positional

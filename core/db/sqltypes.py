"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from core.jsonable import canonical_json


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, whatever the backend stores.

    SQLite keeps no offset, so values are normalised to UTC before binding and the
    zone is put back on the way out; naive input is taken to be UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError("expected a datetime")
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        utc: dt.datetime = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: sa.Dialect) -> Any:
        """On SQLite, straight to the text SQLAlchemy's DATETIME stores (one call, not two)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = dt.UTC

        def process(value: object) -> str | None:
            if value is None:
                return None
            if not isinstance(value, dt.datetime):
                raise TypeError("expected a datetime")
            if value.tzinfo is utc or value.tzinfo is None:  # already UTC: no conversion
                return value.isoformat(" ", "microseconds")[:26]
            return value.astimezone(utc).isoformat(" ", "microseconds")[:26]

        return process

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError("expected a datetime from the database")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class CanonicalText(str):
    """JSON text already in canonical form: bound as is, not serialised a second time."""


class CanonicalJSON(sa.types.TypeDecorator[Any]):
    """JSON stored as its canonical text, so the audit chain can hash the stored bytes.

    A native JSON column may re-format what it stores; this keeps exactly the text that
    was hashed, and `verify` reads it back without parsing.
    """

    impl = sa.Text()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return str(value) if isinstance(value, CanonicalText) else canonical_json(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else json.loads(value)

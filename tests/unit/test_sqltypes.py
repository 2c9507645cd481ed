"""UTCDateTime's SQLite shortcut must bind exactly the text SQLAlchemy's DATETIME would.

Stored timestamps are compared as text on SQLite (filters, sorting, keyset cursors), so a
single differing character would split equal instants.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from core.db.sqltypes import UTCDateTime
from core.trail.chain import _timestamp

DIALECT = sqlite.dialect()
FAST = UTCDateTime().bind_processor(DIALECT)
REFERENCE = sqlite.DATETIME().bind_processor(DIALECT)

zones = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
)
moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    zones,
)


def as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@given(moments)
def test_sqlite_binding_matches_sqlalchemys_datetime_text(value: dt.datetime) -> None:
    assert FAST(value) == REFERENCE(as_utc(value).replace(tzinfo=None))


@given(moments)
def test_audit_timestamp_matches_strftime(value: dt.datetime) -> None:
    assert _timestamp(value) == as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_none_stays_null_and_other_types_are_refused() -> None:
    assert FAST(None) is None
    with pytest.raises(TypeError):
        FAST(dt.date(2025, 1, 1))

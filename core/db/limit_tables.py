"""The rate-limit counters: one row per counted key, shared by every process.

Each CLI call is a new process, so a limit counted in memory would never bind. A row holds
the current fixed window of one key (`caller:default:alice:120/1/minute`) and how many
actions it counted; the next window reuses the row, so the table never grows with time.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db.sqltypes import UTCDateTime


class RateCounter(SQLModel, table=True):
    __tablename__ = "rate_counters"

    key: str = Field(primary_key=True, max_length=255)
    window_start: int = Field(sa_type=sa.BigInteger)
    """Start of the counted window, in seconds since the epoch."""
    count: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime())


_t = getattr(RateCounter, "__table__", None)
assert isinstance(_t, sa.Table)
rate_counters: sa.Table = _t

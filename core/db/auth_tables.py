"""Sign-in state as platform tables: sessions, failed sign-ins and password reset tokens.

Tokens are kept only as their SHA-256: a copy of the database lets nobody act as a user.
Rows are tenant-scoped like every platform table; the users themselves live in `users`.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db.sqltypes import UTCDateTime

UTC_DATETIME = UTCDateTime()


class AuthSession(SQLModel, table=True):
    """One signed-in session; `ended_at` is set on sign-out, expiry or revocation."""

    __tablename__ = "auth_sessions"
    __table_args__ = (
        sa.Index("uq_auth_sessions_token", "token_sha256", unique=True),
        sa.Index("ix_auth_sessions_user", "tenant_id", "user_id", "ended_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    token_sha256: str = Field(max_length=64)
    tenant_id: str = Field(max_length=63)
    user_id: uuid.UUID
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    last_seen_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTC_DATETIME)
    end_reason: str | None = Field(default=None, max_length=32)


class SignInFailure(SQLModel, table=True):
    """A failed sign-in for an email in a tenant: what the backoff counts."""

    __tablename__ = "auth_failures"
    __table_args__ = (sa.Index("ix_auth_failures_email", "tenant_id", "email", "occurred_at"),)

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63)
    email: str = Field(max_length=254)
    occurred_at: dt.datetime = Field(sa_type=UTC_DATETIME)


class ResetToken(SQLModel, table=True):
    """A single-use password reset token, by its SHA-256."""

    __tablename__ = "auth_reset_tokens"
    __table_args__ = (sa.Index("uq_auth_reset_tokens_token", "token_sha256", unique=True),)

    id: uuid.UUID = Field(primary_key=True)
    token_sha256: str = Field(max_length=64)
    tenant_id: str = Field(max_length=63)
    user_id: uuid.UUID
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    expires_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTC_DATETIME)


def _table(model: type[SQLModel]) -> sa.Table:
    table = getattr(model, "__table__", None)
    assert isinstance(table, sa.Table)
    return table


auth_sessions = _table(AuthSession)
auth_failures = _table(SignInFailure)
reset_tokens = _table(ResetToken)

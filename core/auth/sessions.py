"""Sessions in the database: opened at sign-in, checked on every use, ended for good.

A session ends after `idle` without use or `absolute` after sign-in, whichever comes
first; sign-out, disabling the account, a role change and a password change end every
session of the user. Expired sessions are marked ended when found, never revived.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from core.auth.tokens import digest
from core.db.auth_tables import auth_sessions
from core.db.platform_tables import users
from core.errors import Unauthenticated

SIGN_IN_HINT = "run `metasaas login EMAIL --tenant T`"


@dataclass(frozen=True)
class Limits:
    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True)
class SignedIn:
    """A live session and its user as the database holds them now."""

    session_id: uuid.UUID
    tenant_id: str
    user_id: uuid.UUID
    email: str
    roles: frozenset[str]


def not_signed_in(reason: str = "not signed in") -> Unauthenticated:
    return Unauthenticated(f"{reason}: {SIGN_IN_HINT}", {"hint": "metasaas login"})


def open_session(
    conn: sa.Connection, token: str, tenant_id: str, user_id: uuid.UUID, now: dt.datetime
) -> uuid.UUID:
    ident = uuid.uuid4()
    conn.execute(
        auth_sessions.insert().values(
            id=ident,
            token_sha256=digest(token),
            tenant_id=tenant_id,
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
        )
    )
    return ident


def end_sessions(
    conn: sa.Connection, tenant_id: str, user_id: uuid.UUID, now: dt.datetime, reason: str
) -> int:
    """End every open session of the user; the number ended."""
    result = conn.execute(
        sa.update(auth_sessions)
        .where(
            auth_sessions.c.tenant_id == tenant_id,
            auth_sessions.c.user_id == user_id,
            auth_sessions.c.ended_at.is_(None),
        )
        .values(ended_at=now, end_reason=reason)
    )
    return int(result.rowcount or 0)


def _end_one(conn: sa.Connection, session_id: uuid.UUID, now: dt.datetime, reason: str) -> None:
    conn.execute(
        sa.update(auth_sessions)
        .where(auth_sessions.c.id == session_id)
        .values(ended_at=now, end_reason=reason)
    )


def _expiry(row: Any, now: dt.datetime, limits: Limits) -> str | None:
    if row.disabled:
        return "disabled"
    if now - row.last_seen_at >= limits.idle:
        return "idle"
    if now - row.created_at >= limits.absolute:
        return "absolute"
    return None


Begin = Callable[[], AbstractContextManager[sa.Connection]]


def resolve(begin: Begin, token: str, now: dt.datetime, limits: Limits) -> SignedIn:
    """The live session `token` opens, its last use moved to `now`; else `Unauthenticated`.

    `begin` opens a write transaction (the unit of work's: on SQLite it takes the write
    lock up front, so two processes using one session never deadlock on the upgrade)."""
    stmt = (
        sa.select(
            auth_sessions.c.id,
            auth_sessions.c.tenant_id,
            auth_sessions.c.user_id,
            auth_sessions.c.created_at,
            auth_sessions.c.last_seen_at,
            users.c.email,
            users.c.roles,
            users.c.disabled,
        )
        .join(
            users,
            sa.and_(
                users.c.id == auth_sessions.c.user_id,
                users.c.tenant_id == auth_sessions.c.tenant_id,
            ),
        )
        .where(auth_sessions.c.token_sha256 == digest(token), auth_sessions.c.ended_at.is_(None))
    )
    with begin() as conn:
        row = conn.execute(stmt).first()
        if row is None:
            expired = None
        else:
            expired = _expiry(row, now, limits)
            if expired is not None:
                _end_one(conn, row.id, now, expired)
            else:
                conn.execute(
                    sa.update(auth_sessions)
                    .where(auth_sessions.c.id == row.id)
                    .values(last_seen_at=now)
                )
    if row is None:
        raise not_signed_in("not signed in, or the session has ended")
    if expired is not None:
        raise not_signed_in("the session has ended")
    return SignedIn(row.id, row.tenant_id, row.user_id, str(row.email), frozenset(row.roles or ()))

"""Local accounts in the `users` table: looked up by case-folded email within a tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from core.db.auth_tables import auth_failures
from core.db.platform_tables import tenants, users

FAILURE_WINDOW = dt.timedelta(minutes=15)
FAILURES_BEFORE_BACKOFF = 5
MAX_DELAY_SECONDS = 30.0


def email_key(email: str) -> str:
    """How an email is stored and compared: trimmed and case-folded (Foo@X is foo@x)."""
    return email.strip().casefold()


def find_user(conn: sa.Connection, tenant_id: str, email: str) -> dict[str, Any] | None:
    stmt = sa.select(users).where(users.c.tenant_id == tenant_id, users.c.email == email_key(email))
    row = conn.execute(stmt).first()
    return dict(row._mapping) if row is not None else None


def tenant_exists(conn: sa.Connection, tenant_id: str) -> bool:
    return (
        conn.execute(sa.select(tenants.c.id).where(tenants.c.id == tenant_id)).first() is not None
    )


def record_failure(conn: sa.Connection, tenant_id: str, email: str, now: dt.datetime) -> None:
    conn.execute(
        auth_failures.insert().values(
            id=uuid.uuid4(), tenant_id=tenant_id, email=email_key(email)[:254], occurred_at=now
        )
    )


def recent_failures(conn: sa.Connection, tenant_id: str, email: str, now: dt.datetime) -> int:
    stmt = sa.select(sa.func.count()).where(
        auth_failures.c.tenant_id == tenant_id,
        auth_failures.c.email == email_key(email)[:254],
        auth_failures.c.occurred_at > now - FAILURE_WINDOW,
    )
    return int(conn.execute(stmt).scalar_one())


def backoff_seconds(failures: int) -> float:
    """No delay for the first failures, then 1, 2, 4 ... seconds up to 30: slowed, never locked."""
    if failures < FAILURES_BEFORE_BACKOFF:
        return 0.0
    return min(MAX_DELAY_SECONDS, 2.0 ** (failures - FAILURES_BEFORE_BACKOFF))


def roles_now(engine: sa.Engine, tenant_id: str, email: str) -> frozenset[str]:
    """A local user's roles as stored now; none for an unknown or disabled user (background
    work done on someone's behalf must not outlive their access)."""
    with engine.connect() as conn:
        user = find_user(conn, tenant_id, email)
    if user is None or user["disabled"]:
        return frozenset()
    return frozenset(user["roles"] or ())

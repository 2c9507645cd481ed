"""The handlers of `tenants.*` and `users.*`, loaded when one of them runs (the platform
tables stay unloaded for a process that only lists records)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from core.actions.context import Context
from core.actions.platform.accounts import (
    RESET_VALID,
    AddTenant,
    AddUser,
    Nothing,
    OneUser,
    SetRoles,
)
from core.auth import accounts, passwords, sessions
from core.auth.tokens import digest, new_token
from core.contracts import CallerType
from core.db.auth_tables import reset_tokens
from core.db.platform_tables import tenants, users
from core.errors import Conflict, Forbidden, InvalidInput, NotFound


def add_tenant(ctx: Context, data: AddTenant) -> dict[str, Any]:
    if ctx.caller.caller_type is not CallerType.SYSTEM and not ctx.services.admin_of_every_tenant(
        ctx.caller
    ):
        raise Forbidden("adding a tenant is for the system or an admin of every tenant")
    if accounts.tenant_exists(ctx.conn, data.id):
        raise Conflict(f"tenant {data.id!r} exists", {"field": "id"})
    row = {"id": data.id, "name": data.name or data.id, "created_at": ctx.now}
    ctx.conn.execute(tenants.insert().values(**row))
    ctx.record_change(data.id, {"name": {"after": row["name"]}}, entity="tenants")
    return row


def list_tenants(ctx: Context, data: Nothing) -> dict[str, Any]:
    stmt = sa.select(tenants).order_by(tenants.c.id)
    if not ctx.services.admin_of_every_tenant(ctx.caller):
        stmt = stmt.where(tenants.c.id == ctx.caller.tenant_id)
    return {"items": [dict(r._mapping) for r in ctx.conn.execute(stmt)]}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("email", "roles", "disabled", "created_at", "updated_at")
    return {k: row[k] for k in keep}


def _user(ctx: Context, email: str) -> dict[str, Any]:
    user = accounts.find_user(ctx.conn, ctx.caller.tenant_id, email)
    if user is None:
        raise NotFound(f"no user {accounts.email_key(email)!r} in this tenant", {"field": "email"})
    return user


def add_user(ctx: Context, data: AddUser) -> dict[str, Any]:
    email = accounts.email_key(data.email)
    if accounts.find_user(ctx.conn, ctx.caller.tenant_id, email) is not None:
        raise Conflict(f"user {email!r} exists in this tenant", {"field": "email"})
    hashed = passwords.hash_password(data.password) if data.password is not None else None
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "tenant_id": ctx.caller.tenant_id,
        "username": email[:128],
        "email": email,
        "roles": sorted(set(data.roles)),
        "password_hash": hashed,
        "disabled": False,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    ctx.conn.execute(users.insert().values(**row))
    ctx.record_change(
        row["id"], {"email": {"after": email}, "roles": {"after": row["roles"]}}, entity="users"
    )
    return _public(row)


def list_users(ctx: Context, data: Nothing) -> dict[str, Any]:
    stmt = sa.select(users).where(users.c.tenant_id == ctx.caller.tenant_id).order_by(users.c.email)
    return {"items": [_public(dict(r._mapping)) for r in ctx.conn.execute(stmt)]}


def _update(
    ctx: Context, user: dict[str, Any], values: dict[str, Any], reason: str
) -> dict[str, Any]:
    """Change the user and end every session they have: what they could do has changed."""
    ctx.conn.execute(
        users.update().where(users.c.id == user["id"]).values(**values, updated_at=ctx.now)
    )
    ended = sessions.end_sessions(ctx.conn, ctx.caller.tenant_id, user["id"], ctx.now, reason)
    changes = {k: {"before": user[k], "after": v} for k, v in values.items()}
    ctx.record_change(user["id"], {**changes, "sessions_ended": {"after": ended}}, entity="users")
    return {**_public({**user, **values, "updated_at": ctx.now}), "sessions_ended": ended}


def disable_user(ctx: Context, data: OneUser) -> dict[str, Any]:
    return _update(ctx, _user(ctx, data.email), {"disabled": True}, "disabled")


def enable_user(ctx: Context, data: OneUser) -> dict[str, Any]:
    return _update(ctx, _user(ctx, data.email), {"disabled": False}, "enabled")


def set_roles(ctx: Context, data: SetRoles) -> dict[str, Any]:
    return _update(ctx, _user(ctx, data.email), {"roles": sorted(set(data.roles))}, "roles")


def issue_reset(ctx: Context, data: OneUser) -> dict[str, Any]:
    user = _user(ctx, data.email)
    if user["disabled"]:
        raise InvalidInput("the user is disabled: enable them first", {"field": "email"})
    token, expires = new_token(), ctx.now + RESET_VALID
    ctx.conn.execute(
        reset_tokens.insert().values(
            id=uuid.uuid4(),
            token_sha256=digest(token),
            tenant_id=ctx.caller.tenant_id,
            user_id=user["id"],
            created_at=ctx.now,
            expires_at=expires,
        )
    )
    ctx.record_change(
        user["id"],
        {"reset_token": {"after": "issued"}, "expires_at": {"after": expires.isoformat()}},
        entity="users",
    )
    return {"email": user["email"], "token": token, "expires_at": expires}

"""The handlers of `auth.sign_in`, `auth.sign_out` and `password.reset`, loaded on use."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.actions.context import Context
from core.actions.platform.sign_in import BAD_TOKEN, RedeemReset, SignIn, SignOut
from core.auth import accounts, passwords, sessions
from core.auth.tokens import digest, new_token
from core.db.auth_tables import reset_tokens
from core.db.platform_tables import users
from core.errors import InvalidInput, NotFound
from core.trail.draft import AuditDraft


def sign_in(ctx: Context, data: SignIn) -> dict[str, Any]:
    conn, tenant, email = ctx.conn, ctx.caller.tenant_id, accounts.email_key(data.email)
    user = accounts.find_user(conn, tenant, email)
    usable = user is not None and not user["disabled"] and user["password_hash"]
    stored = user["password_hash"] if usable and user is not None else None
    if not passwords.verify(stored, data.password) or user is None:
        accounts.record_failure(conn, tenant, email, ctx.now)
        if accounts.tenant_exists(conn, tenant):  # no audit chain for a tenant that is not
            ctx.audit = AuditDraft(
                ctx.spec.id,
                "auth",
                None,
                {"email": {"after": email}},
                outcome="failed",
                error_code="unauthenticated",
            )
        return {"ok": False}
    if passwords.needs_rehash(user["password_hash"]):
        rehashed = passwords.HASHER.hash(data.password)
        conn.execute(users.update().where(users.c.id == user["id"]).values(password_hash=rehashed))
    token = new_token()
    session_id = sessions.open_session(conn, token, tenant, user["id"], ctx.now)
    ctx.record_change(session_id, {"email": {"after": email}}, entity="auth")
    return {"ok": True, "token": token, "email": email, "roles": sorted(user["roles"] or ())}


def sign_out(ctx: Context, data: SignOut) -> dict[str, Any]:
    user = accounts.find_user(ctx.conn, ctx.caller.tenant_id, ctx.caller.user_id)
    if user is None:
        return {"ended": 0}
    ended = sessions.end_sessions(ctx.conn, ctx.caller.tenant_id, user["id"], ctx.now, "sign-out")
    ctx.record_change(None, {"sessions_ended": {"after": ended}}, entity="auth")
    return {"ended": ended}


def redeem_reset(ctx: Context, data: RedeemReset) -> dict[str, Any]:
    row = ctx.conn.execute(
        sa.select(reset_tokens).where(
            reset_tokens.c.token_sha256 == digest(data.token),
            reset_tokens.c.tenant_id == ctx.caller.tenant_id,
        )
    ).first()
    if row is None or row.used_at is not None or ctx.now >= row.expires_at:
        raise InvalidInput(BAD_TOKEN, {"field": "token"})
    hashed = passwords.hash_password(data.password)
    ctx.conn.execute(
        reset_tokens.update().where(reset_tokens.c.id == row.id).values(used_at=ctx.now)
    )
    found = ctx.conn.execute(
        users.update()
        .where(users.c.id == row.user_id, users.c.tenant_id == ctx.caller.tenant_id)
        .values(password_hash=hashed, updated_at=ctx.now)
    )
    if not found.rowcount:
        raise NotFound(BAD_TOKEN, {"field": "token"})
    ended = sessions.end_sessions(ctx.conn, ctx.caller.tenant_id, row.user_id, ctx.now, "password")
    ctx.record_change(
        row.user_id,
        {"password": {"after": "changed"}, "sessions_ended": {"after": ended}},
        entity="users",
    )
    return {"ok": True, "sessions_ended": ended}

"""Chat history through the bus: `chat.start`, `chat.append`, `chat.sessions`, `chat.show`,
`chat.purge`.

A user sees their own sessions; `support` and `admin` see every session of their tenant;
another tenant's session is indistinguishable from a missing one. A reviewer opening
someone else's session leaves an audit entry, and sensitive values that reached a message
(a plan that set a date of birth) are masked for every reader but the owner. The audit
log records that a message was added, never its text.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, StringConstraints
from pydantic import Field as PydField

from core.actions.context import Context
from core.actions.scrub import scrub_values
from core.contracts import Caller, CallerType, deny
from core.errors import InvalidInput, NotFound
from core.model.inputs import STRICT, check_json, clean_text
from core.model.platform import ADMIN, SUPPORT, PlatformAction, admins, anyone

TEXT = Annotated[str, AfterValidator(clean_text)]
SHORT = Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_text)]
COUNT = Annotated[int, PydField(ge=0, le=10**9)]
MESSAGE_MAX = 100_000
SHOW_MAX = 2_000


class StartSession(BaseModel):
    model_config = STRICT
    title: Annotated[SHORT, StringConstraints(min_length=1)] = "New chat"
    model: SHORT | None = None


class AppendMessage(BaseModel):
    model_config = STRICT
    session_id: uuid.UUID
    role: Literal["user", "assistant", "tool"]
    content: Annotated[TEXT, StringConstraints(max_length=MESSAGE_MAX)] = ""
    action_id: Annotated[str, StringConstraints(max_length=130)] | None = None
    plan: Annotated[dict[str, Any], AfterValidator(check_json)] | None = None
    result_summary: Annotated[TEXT, StringConstraints(max_length=4_000)] | None = None
    error: bool = False
    partial: bool = False
    model: SHORT | None = None
    prompt_tokens: COUNT = 0
    completion_tokens: COUNT = 0
    latency_ms: COUNT = 0


class ListSessions(BaseModel):
    model_config = STRICT
    user: Annotated[str, StringConstraints(max_length=128)] | None = None
    since: Annotated[str, StringConstraints(max_length=40)] | None = None
    until: Annotated[str, StringConstraints(max_length=40)] | None = None
    search: SHORT | None = None
    errors: bool | None = None
    ran_actions: bool | None = None
    model: SHORT | None = None
    limit: Annotated[int, PydField(ge=1, le=200)] = 50
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None


class ShowSession(BaseModel):
    model_config = STRICT
    session_id: uuid.UUID


class PurgeSessions(BaseModel):
    model_config = STRICT
    older_than: Annotated[str, StringConstraints(max_length=20)]


def sees_all(caller: Caller) -> bool:
    return bool({ADMIN, SUPPORT} & caller.roles) or caller.caller_type is CallerType.SYSTEM


def _session(ctx: Context, session_id: uuid.UUID, *, own: bool) -> dict[str, Any]:
    """The session if the caller may see it (`own`: only if it is theirs), else not found."""
    from core.db.chat_tables import chat_sessions

    stmt = sa.select(chat_sessions).where(
        chat_sessions.c.tenant_id == ctx.caller.tenant_id, chat_sessions.c.id == session_id
    )
    row = ctx.conn.execute(stmt).first()
    found = dict(row._mapping) if row is not None else None
    mine = found is not None and found["owner_id"] == ctx.caller.user_id
    if found is None or not (mine or (not own and sees_all(ctx.caller))):
        raise NotFound(f"no chat session {session_id}", {"field": "session_id"})
    return found


def start(ctx: Context, data: StartSession) -> dict[str, Any]:
    from core.db.chat_tables import chat_sessions

    ident = uuid.uuid4()
    row: dict[str, Any] = {
        "id": ident,
        "tenant_id": ctx.caller.tenant_id,
        "owner_id": ctx.caller.user_id,
        "title": data.title,
        "model": data.model,
        "created_at": ctx.now,
        "last_active_at": ctx.now,
        "messages": 0,
        "errors": 0,
        "actions": 0,
    }
    if not ctx.dry:
        ctx.conn.execute(chat_sessions.insert().values(**row))
    ctx.record_change(ident, {"title": {"after": data.title}}, entity="chat")
    return {k: v for k, v in row.items() if k != "tenant_id"}


def sensitive_values(ctx: Context, plan: dict[str, Any] | None) -> list[str]:
    """Values of sensitive fields a plan carries: masked for every reader but the owner."""
    found: set[str] = set()
    steps = plan.get("steps", []) if isinstance(plan, dict) else []
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict) or not isinstance(step.get("input"), dict):
            continue
        spec = ctx.registry.actions.get(str(step.get("action_id")))
        if spec is None or spec.entity is None:
            continue
        fields = spec.custom.input_fields if spec.custom else spec.entity.fields
        hidden = {f.name for f in fields if f.sensitive}
        found |= {str(v) for k, v in step["input"].items() if k in hidden and v is not None}
    return sorted(found)


def append(ctx: Context, data: AppendMessage) -> dict[str, Any]:
    from core.db.chat_tables import chat_messages, chat_sessions

    _session(ctx, data.session_id, own=True)
    values = data.model_dump()
    ident = uuid.uuid4()
    bump = (
        sa.update(chat_sessions)
        .where(chat_sessions.c.id == data.session_id)
        .values(
            messages=chat_sessions.c.messages + 1,
            errors=chat_sessions.c.errors + int(data.error),
            actions=chat_sessions.c.actions + int(data.action_id is not None),
            last_active_at=ctx.now,
            model=sa.func.coalesce(data.model, chat_sessions.c.model),
        )
        .returning(chat_sessions.c.messages)
    )
    seq = 0
    if not ctx.dry:
        seq = int(ctx.conn.execute(bump).scalar_one())
        row = {
            **values,
            "id": ident,
            "tenant_id": ctx.caller.tenant_id,
            "seq": seq,
            "redact": sensitive_values(ctx, data.plan),
            "created_at": ctx.now,
        }
        ctx.conn.execute(chat_messages.insert().values(**row))
    summary = {
        "session_id": str(data.session_id),
        "role": data.role,
        "characters": len(data.content),
        "action_id": data.action_id,
        "error": data.error,
    }
    ctx.record_change(ident, summary, entity="chat")
    return {"id": ident, "seq": seq}


def _page_key(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        when, ident = json.loads(raw)
        return dt.datetime.fromisoformat(when), uuid.UUID(ident)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidInput("cursor is invalid", {"field": "cursor"}) from None


def _cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["last_active_at"].isoformat(), str(row["id"])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sessions(ctx: Context, data: ListSessions) -> dict[str, Any]:
    from core.db.chat_tables import chat_messages, chat_sessions
    from core.trail.reader import parse_since

    s = chat_sessions.c
    clauses: list[Any] = [s.tenant_id == ctx.caller.tenant_id]
    if not sees_all(ctx.caller):
        clauses.append(s.owner_id == ctx.caller.user_id)
    if data.user is not None:
        clauses.append(s.owner_id == data.user)
    if data.since:
        clauses.append(s.last_active_at >= parse_since(data.since, ctx.now))
    if data.until:
        clauses.append(s.created_at <= parse_since(data.until, ctx.now))
    if data.errors is not None:
        clauses.append(s.errors > 0 if data.errors else s.errors == 0)
    if data.ran_actions is not None:
        clauses.append(s.actions > 0 if data.ran_actions else s.actions == 0)
    if data.model is not None:
        clauses.append(s.model == data.model)
    if data.search:
        said = sa.select(chat_messages.c.id).where(
            chat_messages.c.session_id == s.id,
            chat_messages.c.content.icontains(data.search, autoescape=True),
        )
        clauses.append(sa.or_(s.title.icontains(data.search, autoescape=True), said.exists()))
    key = _page_key(data.cursor)
    if key is not None:
        clauses.append(sa.tuple_(s.last_active_at, s.id) < sa.tuple_(*key))
    columns = [c for c in chat_sessions.c if c.name != "tenant_id"]
    stmt = (
        sa.select(*columns)
        .where(*clauses)
        .order_by(s.last_active_at.desc(), s.id.desc())
        .limit(data.limit + 1)
    )
    rows = [dict(r._mapping) for r in ctx.conn.execute(stmt)]
    more = len(rows) > data.limit
    rows = rows[: data.limit]
    return {"items": rows, "next_cursor": _cursor(rows[-1]) if more and rows else None}


def show(ctx: Context, data: ShowSession) -> dict[str, Any]:
    from core.db.chat_tables import chat_messages

    session = _session(ctx, data.session_id, own=False)
    owner = session["owner_id"] == ctx.caller.user_id
    if not owner:  # a reviewer opening someone else's session is on record
        ctx.record_change(
            data.session_id, {"_review": {"owner": session["owner_id"]}}, entity="chat"
        )
    stmt = (
        sa.select(chat_messages)
        .where(chat_messages.c.session_id == data.session_id)
        .order_by(chat_messages.c.seq)
        .limit(SHOW_MAX)
    )
    messages = [dict(row._mapping) for row in ctx.conn.execute(stmt)]
    # a value one message's plan marks sensitive is masked wherever it appears (the
    # user's own words usually carry it before the plan does)
    hidden = {value for m in messages for value in (m.pop("redact") or [])}
    for message in messages:
        message.pop("tenant_id")
    if not owner and hidden:
        messages = scrub_values(messages, hidden)
    session.pop("tenant_id")
    return {"session": session, "messages": messages}


def purge(ctx: Context, data: PurgeSessions) -> dict[str, Any]:
    from core.db.chat_tables import chat_messages, chat_sessions
    from core.trail.reader import parse_since

    cutoff = parse_since(data.older_than, ctx.now)
    old = sa.and_(
        chat_sessions.c.tenant_id == ctx.caller.tenant_id,
        chat_sessions.c.last_active_at < cutoff,
    )
    ids = [r[0] for r in ctx.conn.execute(sa.select(chat_sessions.c.id).where(old))]
    if ids and not ctx.dry:
        ctx.conn.execute(sa.delete(chat_messages).where(chat_messages.c.session_id.in_(ids)))
        ctx.conn.execute(sa.delete(chat_sessions).where(chat_sessions.c.id.in_(ids)))
    summary = {"removed": len(ids), "older_than": data.older_than, "cutoff": cutoff.isoformat()}
    ctx.record_change(None, summary, entity="chat")
    return {"removed": len(ids), "cutoff": cutoff}


CHAT_ACTIONS = (
    PlatformAction(
        "chat.start", "Start a chat session.", StartSession, start, anyone("start"), mutates=True
    ),
    PlatformAction(
        "chat.append",
        "Add a message to one of your chat sessions.",
        AppendMessage,
        append,
        anyone("append"),
        mutates=True,
    ),
    PlatformAction(
        "chat.sessions",
        "Chat sessions you may see (your own; support and admin: the tenant's), newest first.",
        ListSessions,
        sessions,
        anyone("sessions"),
    ),
    PlatformAction(
        "chat.show",
        "One chat session with its messages; opening someone else's is audited.",
        ShowSession,
        show,
        anyone("show"),
        mutates=True,
    ),
    PlatformAction(
        "chat.purge",
        "Remove chat sessions inactive for longer than an age such as 90d.",
        PurgeSessions,
        purge,
        (deny("purge", caller_types=(CallerType.AI_AGENT,)), *admins("purge")),
        mutates=True,
    ),
)

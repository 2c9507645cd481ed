"""`ai_usage.record` and `ai_usage.summary`: what model calls cost, per tenant and user.

Metering, not a change of business data: a record is not audited (the AI-initiated
actions themselves are, with their provenance). Admins see the tenant's usage, everyone
else their own.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, StringConstraints
from pydantic import Field as PydField

from core.actions.context import Context
from core.contracts import CallerType
from core.model.inputs import STRICT
from core.model.platform import ADMIN, PlatformAction, anyone

TOKENS = Annotated[int, PydField(ge=0, le=10**9)]
Outcome = Literal["ok", "error", "fallback", "timeout", "rate_limited", "invalid_output"]


class RecordUsage(BaseModel):
    model_config = STRICT
    model: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    outcome: Outcome
    purpose: Literal["command", "chat", "capability"] = "command"
    prompt_tokens: TOKENS = 0
    completion_tokens: TOKENS = 0
    cost_usd: Annotated[Decimal, PydField(ge=0, le=10**6, decimal_places=6)] | None = None
    latency_ms: Annotated[int, PydField(ge=0, le=10**8)] = 0


class UsageSummary(BaseModel):
    model_config = STRICT
    since: Annotated[str, StringConstraints(max_length=40)] | None = None
    by: Literal["user", "model"] = "user"


def record(ctx: Context, data: RecordUsage) -> dict[str, Any]:
    from core.db.platform_tables import ai_usage  # loaded on use, not at start-up

    row = {
        "id": uuid.uuid4(),
        "tenant_id": ctx.caller.tenant_id,
        "user_id": ctx.caller.user_id,
        "caller_type": ctx.caller.caller_type.value,
        "occurred_at": ctx.now,
        **data.model_dump(),
    }
    if not ctx.dry:
        ctx.conn.execute(ai_usage.insert().values(**row))
    return {"id": row["id"]}


def summary(ctx: Context, data: UsageSummary) -> dict[str, Any]:
    from core.db.platform_tables import ai_usage
    from core.trail.reader import parse_since

    key = ai_usage.c.user_id if data.by == "user" else ai_usage.c.model
    clauses = [ai_usage.c.tenant_id == ctx.caller.tenant_id]
    sees_all = ADMIN in ctx.caller.roles or ctx.caller.caller_type is CallerType.SYSTEM
    if not sees_all:
        clauses.append(ai_usage.c.user_id == ctx.caller.user_id)
    if data.since:
        clauses.append(ai_usage.c.occurred_at >= parse_since(data.since, ctx.now))
    errors = sa.func.sum(sa.case((ai_usage.c.outcome == "ok", 0), else_=1))
    stmt = (
        sa.select(
            key.label("key"),
            sa.func.count().label("calls"),
            errors.label("errors"),
            sa.func.sum(ai_usage.c.prompt_tokens).label("prompt_tokens"),
            sa.func.sum(ai_usage.c.completion_tokens).label("completion_tokens"),
            sa.func.sum(ai_usage.c.cost_usd).label("cost_usd"),
            sa.func.avg(ai_usage.c.latency_ms).label("avg_latency_ms"),
        )
        .where(*clauses)
        .group_by(key)
        .order_by(key)
    )
    items = []
    for row in ctx.conn.execute(stmt):
        item = dict(row._mapping)
        item["avg_latency_ms"] = round(float(item["avg_latency_ms"] or 0), 1)
        for name in ("calls", "errors", "prompt_tokens", "completion_tokens"):
            item[name] = int(item[name] or 0)
        items.append(item)
    return {"items": items, "next_cursor": None}


AI_USAGE_ACTIONS = (
    PlatformAction(
        "ai_usage.record",
        "Record one model call: model, tokens, cost, latency and outcome.",
        RecordUsage,
        record,
        anyone("record"),
        mutates=True,
    ),
    PlatformAction(
        "ai_usage.summary",
        "Model calls, tokens and cost since a time, by user or by model.",
        UsageSummary,
        summary,
        anyone("summary"),
    ),
)

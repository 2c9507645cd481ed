"""Reading the audit log, newest first, scoped to one tenant: what `audit list` shows.

The log is not an entity, so no generated action lists it; this query applies the same
rules a list action would: only the caller's tenant, and only entries about entities the
caller may list (entities readable only as "own records" show the caller's own entries).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa

from core.contracts import Caller, CallerType
from core.db.platform_tables import audit_log
from core.errors import Forbidden, InvalidInput
from core.model.permissions import Decision, decide
from core.model.platform import ADMIN
from core.model.registry import Registry

DURATION = re.compile(r"^([0-9]{1,9})([smhdw])\Z")
SEQ_CURSOR = re.compile(r"^[0-9]{1,18}\Z")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "caller_type",
    "action_id",
    "entity",
    "record_id",
    "outcome",
    "error_code",
    "changes",
    "duration_us",
    "prev_hash",
    "hash",
)


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """An ISO date or datetime, or an age such as 30m, 12h, 7d."""
    match = DURATION.match(text.strip())
    try:
        if match:
            return now - dt.timedelta(**{UNITS[match[2]]: int(match[1])})
        value = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise InvalidInput(
            "since: expected an ISO date or datetime, or an age such as 30m, 12h, 7d",
            {"field": "since"},
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _visibility(registry: Registry, caller: Caller, entity_name: str | None) -> Any:
    """The clause that keeps entries about entities the caller may not list out of sight."""
    clauses = []
    for entity in registry.entities.values():
        if entity_name is not None and entity.name != entity_name:
            continue
        decision = decide(entity, "list", caller)
        if decision is Decision.ALLOW:
            clauses.append(audit_log.c.entity == entity.name)
        elif decision is Decision.OWN:
            clauses.append(
                sa.and_(audit_log.c.entity == entity.name, audit_log.c.actor_id == caller.user_id)
            )
    if entity_name is None and (ADMIN in caller.roles or caller.caller_type is CallerType.SYSTEM):
        # the platform's own entries (user administration, chat review) are for admins
        clauses.append(audit_log.c.entity.not_in([e.name for e in registry.entities.values()]))
    if not clauses:
        what = entity_name or "any entity"
        raise Forbidden(f"{caller.user_id!r} may not read the audit entries of {what}")
    return sa.or_(*clauses)


def audit_page(
    conn: sa.Connection,
    registry: Registry,
    caller: Caller,
    *,
    entity: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    caller_type: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Entries newest first, a page at a time (`next_cursor` is the last seq shown)."""
    clauses = [audit_log.c.tenant_id == caller.tenant_id, _visibility(registry, caller, entity)]
    if record_id is not None:
        clauses.append(audit_log.c.record_id == record_id)
    if actor is not None:
        clauses.append(audit_log.c.actor_id == actor)
    if caller_type is not None:
        clauses.append(audit_log.c.caller_type == caller_type)
    if since is not None:
        clauses.append(audit_log.c.occurred_at >= since)
    if cursor is not None:
        if not SEQ_CURSOR.match(cursor):
            raise InvalidInput("cursor is invalid", {"field": "cursor"})
        clauses.append(audit_log.c.seq < int(cursor))
    stmt = (
        sa.select(*(audit_log.c[c] for c in COLUMNS))
        .where(*clauses)
        .order_by(audit_log.c.seq.desc())
        .limit(limit + 1)
    )
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = str(rows[-1]["seq"])
    return {"items": rows, "next_cursor": next_cursor}


def changes_page(
    conn: sa.Connection,
    registry: Registry,
    caller: Caller,
    *,
    after: int = 0,
    entity: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """What changed since `after`, oldest first: the audit seq is a per-tenant order.

    Only successful changes to records the caller may list; `next_cursor` is the seq to
    pass as `after` next time (also when nothing changed, so a poller keeps its place).
    """
    clauses = [
        audit_log.c.tenant_id == caller.tenant_id,
        audit_log.c.seq > after,
        audit_log.c.outcome == "success",
        audit_log.c.record_id.is_not(None),
        _visibility(registry, caller, entity),
    ]
    columns = ("seq", "occurred_at", "actor_id", "action_id", "entity", "record_id")
    stmt = (
        sa.select(*(audit_log.c[c] for c in columns))
        .where(*clauses)
        .order_by(audit_log.c.seq)
        .limit(limit)
    )
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    return {"items": rows, "next_cursor": str(rows[-1]["seq"] if rows else after)}

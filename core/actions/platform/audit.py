"""`audit.list`, `audit.changes` and `audit.verify`: the audit log read through the bus.

The platform tables load when one of these runs, not when the bus starts: a `metasaas
list` never pays for them.

Reads are tenant-scoped and show only entries about entities the caller may list, so the
TUI, the AI and scripts see exactly what `metasaas audit list` shows. Verifying every
tenant's chain is for the system caller or an admin of every tenant.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints
from pydantic import Field as PydField

from core.actions.context import Context
from core.contracts import CallerType
from core.errors import Forbidden
from core.model.inputs import STRICT
from core.model.platform import PlatformAction, admins, anyone

SHORT = Annotated[str, StringConstraints(max_length=128)]


class AuditListInput(BaseModel):
    model_config = STRICT
    entity: SHORT | None = None
    record_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    actor: SHORT | None = None
    caller_type: CallerType | None = None
    since: Annotated[str, StringConstraints(max_length=40)] | None = None
    limit: Annotated[int, PydField(ge=1, le=1000)] = 50
    cursor: Annotated[str, StringConstraints(max_length=20)] | None = None


class ChangesInput(BaseModel):
    model_config = STRICT
    after: Annotated[int, PydField(ge=0)] = 0
    entity: SHORT | None = None
    limit: Annotated[int, PydField(ge=1, le=1000)] = 100


class VerifyInput(BaseModel):
    model_config = STRICT
    all_tenants: bool = False


def _entity_name(ctx: Context, name: str | None) -> str | None:
    return ctx.registry.entity(name).name if name else None


def list_entries(ctx: Context, data: AuditListInput) -> dict[str, Any]:
    from core.trail.reader import audit_page, parse_since  # the audit tables load on use

    return audit_page(
        ctx.conn,
        ctx.registry,
        ctx.caller,
        entity=_entity_name(ctx, data.entity),
        record_id=data.record_id,
        actor=data.actor,
        caller_type=data.caller_type.value if data.caller_type else None,
        since=parse_since(data.since, ctx.now) if data.since else None,
        limit=data.limit,
        cursor=data.cursor,
    )


def list_changes(ctx: Context, data: ChangesInput) -> dict[str, Any]:
    from core.trail.reader import changes_page

    return changes_page(
        ctx.conn,
        ctx.registry,
        ctx.caller,
        after=data.after,
        entity=_entity_name(ctx, data.entity),
        limit=data.limit,
    )


def verify(ctx: Context, data: VerifyInput) -> dict[str, Any]:
    from core.trail.chain import verify as verify_chains

    caller = ctx.caller
    if data.all_tenants and not (
        caller.caller_type is CallerType.SYSTEM or ctx.services.admin_of_every_tenant(caller)
    ):
        raise Forbidden(
            "verifying every tenant's chain is for the system or an admin of every tenant",
            {"field": "all_tenants"},
        )
    ctx.services.seal_pending()  # entries a crashed writer left unchained join the chain first
    reports = verify_chains(ctx.conn, None if data.all_tenants else caller.tenant_id)
    return {
        "ok": all(r.ok for r in reports),
        "checked_at": ctx.now,
        "chains": [
            {
                "tenant": r.tenant_id,
                "entries": r.entries,
                "pending": r.pending,
                "ok": r.ok,
                "broken_at": r.broken_at,
                "reason": r.reason,
            }
            for r in reports
        ],
    }


AUDIT_ACTIONS = (
    PlatformAction(
        "audit.list",
        "Audit entries of your tenant, newest first: who did what, when, and what changed.",
        AuditListInput,
        list_entries,
        anyone("list"),
    ),
    PlatformAction(
        "audit.changes",
        "What changed since a sequence number, oldest first (the live-update feed).",
        ChangesInput,
        list_changes,
        anyone("changes"),
    ),
    PlatformAction(
        "audit.verify",
        "Recompute the audit hash chain and name the first broken entry.",
        VerifyInput,
        verify,
        admins("verify"),
    ),
)

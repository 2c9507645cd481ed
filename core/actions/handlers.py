"""Handlers for the generated actions: short functions run inside the action's transaction.

A handler loads what it needs through tenant-scoped repositories, enforces the workflow,
runs before-hooks, writes, and reports what changed (for the audit entry) and what
happened (domain events). The bus does everything around it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from core.contracts import ActionContext, Caller, CallerType, DomainEvent, Entity, HookContext
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.jsonable import REDACTED, to_jsonable
from core.model.permissions import Decision
from core.model.registry import ActionSpec, Registry
from core.model.workflow import allowed_moves, check_transition, pick_workflow
from core.records.listing import split_filter_key
from core.records.repository import EntityRepository
from core.trail.draft import AuditDraft


@dataclass
class Context:
    conn: sa.Connection
    registry: Registry
    caller: Caller
    spec: ActionSpec
    decision: Decision
    now: dt.datetime
    audit: AuditDraft | None = None
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def entity(self) -> Entity:
        return self.spec.entity

    def repo(self, entity: Entity | str | None = None) -> EntityRepository:
        if entity is None:
            entity = self.entity
        elif isinstance(entity, str):
            entity = self.registry.entity(entity)
        return EntityRepository(
            self.conn, self.registry.table(entity), entity, self.caller.tenant_id
        )

    def emit(self, verb: str, record_id: uuid.UUID, payload: dict[str, Any]) -> None:
        self.events.append(
            DomainEvent(
                id=uuid.uuid4(),
                name=f"{self.entity.key}.{verb}",
                tenant_id=self.caller.tenant_id,
                entity=self.entity.name,
                record_id=record_id,
                occurred_at=self.now,
                actor_id=self.caller.user_id,
                payload=payload,
            )
        )

    def record_change(self, record_id: uuid.UUID, changes: dict[str, Any]) -> None:
        self.audit = AuditDraft(self.spec.id, self.entity.name, str(record_id), changes)


def redacted_changes(entity: Entity, changes: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    hidden = entity.sensitive_fields
    return {
        name: {"before": REDACTED, "after": REDACTED}
        if name in hidden
        else {"before": to_jsonable(before), "after": to_jsonable(after)}
        for name, (before, after) in changes.items()
    }


def load(ctx: Context, record_id: uuid.UUID) -> dict[str, Any]:
    record = ctx.repo().get(record_id)
    if record is None:
        raise NotFound(f"no {ctx.entity.name} with id {record_id}", {"id": str(record_id)})
    if ctx.decision is Decision.OWN and record["created_by"] != ctx.caller.user_id:
        raise Forbidden(
            f"you may {ctx.spec.permission_verb} only {ctx.entity.plural} you created",
            {"id": str(record_id)},
        )
    return record


def check_references(ctx: Context, values: dict[str, Any]) -> None:
    """A reference must name a record of the caller's tenant, exactly as if others did not exist."""
    for rel in ctx.entity.belongs_to:
        target_id = values.get(rel.column)
        if target_id is not None and not ctx.repo(rel.target).exists(target_id):
            raise InvalidInput(
                f"{rel.column}: no {rel.target} with id {target_id}",
                {"field": rel.column, "reason": "unknown_reference"},
            )


def check_unique(ctx: Context, values: dict[str, Any], exclude: uuid.UUID | None) -> None:
    repo = ctx.repo()
    for f in ctx.entity.fields:
        if (
            f.unique
            and values.get(f.name) is not None
            and repo.taken(f.name, values[f.name], exclude)
        ):
            raise Conflict(
                f"{f.name}: another {ctx.entity.name} already has this value",
                {"field": f.name, "reason": "unique"},
            )


def run_hooks(
    ctx: Context, verb: str, values: dict[str, Any], existing: dict[str, Any] | None
) -> None:
    hooks = ctx.entity.hooks.for_verb(verb)
    if hooks:
        hook_ctx = HookContext(ctx.caller, ctx.entity.name, verb, values, existing, ctx.repo)
        for hook in hooks:
            hook(hook_ctx)


def create(ctx: Context, data: BaseModel) -> dict[str, Any]:
    values = data.model_dump()
    client_id = values.pop("id")
    record_id = client_id or uuid.uuid4()
    for workflow in ctx.entity.workflows:
        initial = ctx.entity.field(workflow.field).default  # type: ignore[union-attr]
        if values.get(workflow.field) != initial:
            raise InvalidInput(
                f"{workflow.field}: new {ctx.entity.plural} start as {initial!r}; "
                f"use {ctx.entity.key}.transition to move them",
                {"field": workflow.field},
            )
    repo = ctx.repo()
    if client_id is not None and repo.exists(record_id):
        raise Conflict(
            f"a {ctx.entity.name} with id {record_id} already exists",
            {"field": "id", "reason": "exists"},
        )
    check_references(ctx, values)
    run_hooks(ctx, "create", values, None)
    check_unique(ctx, values, None)
    user = ctx.caller.user_id
    row = {
        "id": record_id,
        **values,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "created_by": user,
        "updated_by": user,
        "version": 1,
    }
    repo.insert(row)
    changes = redacted_changes(
        ctx.entity, {k: (None, v) for k, v in values.items() if v is not None}
    )
    ctx.record_change(record_id, changes)
    ctx.emit("created", record_id, {"changes": changes})
    return row


def get(ctx: Context, data: BaseModel) -> dict[str, Any]:
    return load(ctx, data.id)  # type: ignore[attr-defined]


def guard_sensitive(ctx: Context, data: BaseModel) -> None:
    """AI agents see sensitive values masked, so they may not probe them by filter or sort."""
    hidden = ctx.entity.sensitive_fields
    if not hidden or ctx.caller.caller_type is not CallerType.AI_AGENT:
        return
    used = {split_filter_key(k)[0] for k in data.filters}  # type: ignore[attr-defined]
    used.add((getattr(data, "order_by", None) or "").removeprefix("-"))
    probed = sorted(used & hidden)
    if probed:
        raise Forbidden(
            f"AI agents may not filter or sort {ctx.entity.plural} by sensitive fields: "
            f"{', '.join(probed)}",
            {"fields": probed},
        )


def list_(ctx: Context, data: BaseModel) -> dict[str, Any]:
    guard_sensitive(ctx, data)
    owner = ctx.caller.user_id if ctx.decision is Decision.OWN else None
    items, next_cursor = ctx.repo().page(
        filters=data.filters,  # type: ignore[attr-defined]
        order_by=data.order_by,  # type: ignore[attr-defined]
        limit=data.limit,  # type: ignore[attr-defined]
        cursor=data.cursor,  # type: ignore[attr-defined]
        search=data.search,  # type: ignore[attr-defined]
        owner=owner,
    )
    return {"items": items, "next_cursor": next_cursor}


def check_version(ctx: Context, record: dict[str, Any], expected: int | None) -> int:
    version = int(record["version"])
    if expected is not None and expected != version:
        raise Conflict(
            f"this {ctx.entity.name} changed since you read it (version {expected}, now "
            f"{version}); reload and retry",
            {"reason": "stale", "version": version},
        )
    return version


def count(ctx: Context, data: BaseModel) -> dict[str, Any]:
    guard_sensitive(ctx, data)
    owner = ctx.caller.user_id if ctx.decision is Decision.OWN else None
    total = ctx.repo().count(data.filters, search=data.search, owner=owner)  # type: ignore[attr-defined]
    return {"count": total}


def _write(
    ctx: Context, record: dict[str, Any], values: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    version = check_version(ctx, record, expected)
    stamp = {"updated_at": ctx.now, "updated_by": ctx.caller.user_id}
    if not ctx.repo().update(record["id"], version, {**values, **stamp}):
        raise Conflict(
            f"this {ctx.entity.name} was changed by someone else; reload and retry",
            {"reason": "stale"},
        )
    return {**record, **values, **stamp, "version": version + 1}


def update(ctx: Context, data: BaseModel) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True)
    record_id, expected = values.pop("id"), values.pop("expected_version", None)
    record = load(ctx, record_id)
    for name, value in values.items():
        if ctx.entity.workflow_for(name) is not None:
            raise InvalidInput(
                f"{name}: use {ctx.entity.key}.transition to change it", {"field": name}
            )
        f = ctx.entity.field(name)
        required = (
            f.required if f else any(r.required for r in ctx.entity.belongs_to if r.column == name)
        )
        if value is None and required:
            raise InvalidInput(f"{name}: is required and cannot be cleared", {"field": name})
    check_references(ctx, values)
    run_hooks(ctx, "update", values, record)
    check_unique(ctx, values, record_id)
    diff = {k: v for k, v in values.items() if record.get(k) != v}
    if not diff:
        check_version(ctx, record, expected)  # a stale read is a conflict even for a no-op
        return record
    updated = _write(ctx, record, diff, expected)
    changes = redacted_changes(ctx.entity, {k: (record.get(k), v) for k, v in diff.items()})
    ctx.record_change(record_id, changes)
    ctx.emit("updated", record_id, {"changes": changes})
    return updated


def delete(ctx: Context, data: BaseModel) -> dict[str, Any]:
    record = load(ctx, data.id)  # type: ignore[attr-defined]
    run_hooks(ctx, "delete", {}, record)
    effects: dict[str, dict[str, int]] = {}
    for other in ctx.registry.entities.values():
        for rel in other.belongs_to:
            if rel.target != ctx.entity.name:
                continue
            count = ctx.repo(other).referencing(rel.column, record["id"])
            if count and rel.on_delete == "restrict":
                raise Conflict(
                    f"{count} {other.plural if count > 1 else other.name} still reference this "
                    f"{ctx.entity.name} ({rel.column}); delete or move them first",
                    {"reason": "restrict", "entity": other.name, "count": count},
                )
            if count:
                effects.setdefault(rel.on_delete, {})[other.table_name] = count
    if not ctx.repo().delete(record["id"]):
        raise Conflict(f"this {ctx.entity.name} was deleted meanwhile", {"reason": "stale"})
    before = {k: record.get(k) for k in ctx.entity.column_names() if record.get(k) is not None}
    changes = redacted_changes(ctx.entity, {k: (v, None) for k, v in before.items()})
    if effects:
        changes["_on_delete"] = effects
    ctx.record_change(record["id"], changes)
    ctx.emit("deleted", record["id"], {"changes": changes})
    return {"id": record["id"], "deleted": True}


def transition(ctx: Context, data: BaseModel) -> dict[str, Any]:
    values = data.model_dump()
    record = load(ctx, values["id"])
    workflow = pick_workflow(ctx.entity, values["workflow"])
    move = check_transition(workflow, record, values["to"], values["trigger"])
    change = {workflow.field: move.target}
    run_hooks(ctx, "transition", change, record)
    updated = _write(ctx, record, change, values["expected_version"])
    before = record[workflow.field]
    ctx.record_change(
        record["id"], redacted_changes(ctx.entity, {workflow.field: (before, move.target)})
    )
    ctx.emit(
        "transitioned",
        record["id"],
        {"field": workflow.field, "from": before, "to": move.target, "trigger": move.trigger},
    )
    return updated


def transitions(ctx: Context, data: BaseModel) -> dict[str, Any]:
    record = load(ctx, data.id)  # type: ignore[attr-defined]
    return {
        "id": record["id"],
        "workflows": [
            {
                "workflow": w.key,
                "field": w.field,
                "state": record.get(w.field),
                "moves": allowed_moves(w, record),
            }
            for w in ctx.entity.workflows
        ],
    }


def custom(ctx: Context, data: BaseModel) -> Any:
    assert ctx.spec.custom is not None
    values = data.model_dump()
    if ctx.spec.custom.takes_record:
        load(ctx, values["id"])
    return ctx.spec.custom.handler(ActionContext(ctx.caller, ctx.repo), values)


HANDLERS: dict[str, Callable[[Context, BaseModel], Any]] = {
    "create": create,
    "get": get,
    "list": list_,
    "count": count,
    "update": update,
    "delete": delete,
    "transition": transition,
    "transitions": transitions,
}

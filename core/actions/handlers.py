"""Handlers for the generated actions: short functions run inside the action's transaction.

A handler loads what it needs through tenant-scoped repositories, enforces the workflow,
runs before-hooks, checks what the hooks left (input model, references, unique values),
writes, and reports what changed (for the audit entry) and what happened (domain events).
The bus does everything around it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from core.actions.context import Context
from core.actions.guards import (
    check_references,
    check_unique,
    guard_ai_writes,
    guard_sensitive_query,
    record_secrets,
    run_hooks,
)
from core.actions.restore import restore
from core.contracts import ActionContext, DomainEvent
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, field_error
from core.jsonable import REDACTED, to_jsonable
from core.model.inputs import (
    CountInput,
    CreateInput,
    IdInput,
    ListInput,
    TransitionInput,
    UpdateInput,
)
from core.model.permissions import Decision
from core.model.workflow import allowed_moves, check_transition, pick_workflow

__all__ = ["HANDLERS", "DomainEvent", "custom"]


def redacted_changes(ctx: Context, changes: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    hidden = ctx.entity.sensitive_fields
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
    record_secrets(ctx, record)
    return record


def _initial_states(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for workflow in ctx.entity.workflows:
        state = ctx.entity.field(workflow.field)
        initial = state.default if state is not None else None
        if values.get(workflow.field) != initial:
            problems.append(
                field_error(
                    workflow.field,
                    "initial_state",
                    f"new {ctx.entity.plural} start as {initial!r}; "
                    f"use {ctx.entity.key}.transition to move them",
                )
            )
    return problems


def create(ctx: Context, data: CreateInput) -> dict[str, Any]:
    values = data.model_dump()
    client_id = values.pop("id")
    record_id = client_id or uuid.uuid4()
    guard_ai_writes(ctx, values)
    repo = ctx.repo()
    if client_id is not None and repo.exists(record_id):
        raise Conflict(
            f"a {ctx.entity.name} with id {record_id} already exists",
            {"field": "id", "reason": "exists"},
        )
    values = run_hooks(ctx, "create", values, None)
    problems = _initial_states(ctx, values) + check_references(ctx, values)
    if problems:
        raise InvalidInput.of(problems)
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
    changes = redacted_changes(ctx, {k: (None, v) for k, v in values.items() if v is not None})
    ctx.record_change(record_id, changes)
    ctx.emit("created", record_id, {"changes": changes})
    return row


def get(ctx: Context, data: IdInput) -> dict[str, Any]:
    return load(ctx, data.id)


def list_(ctx: Context, data: ListInput) -> dict[str, Any]:
    guard_sensitive_query(ctx, data.filters, data.order_by)
    owner = ctx.caller.user_id if ctx.decision is Decision.OWN else None
    page = ctx.repo().page(
        filters=data.filters,
        order_by=data.order_by,
        limit=data.limit,
        cursor=data.cursor,
        search=data.search,
        owner=owner,
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


def count(ctx: Context, data: CountInput) -> dict[str, Any]:
    guard_sensitive_query(ctx, data.filters, None)
    owner = ctx.caller.user_id if ctx.decision is Decision.OWN else None
    return {"count": ctx.repo().count(data.filters, search=data.search, owner=owner)}


def check_version(ctx: Context, record: dict[str, Any], expected: int | None) -> int:
    version = int(record["version"])
    if expected is not None and expected != version:
        when = "is older than" if expected < version else "is ahead of"
        raise Conflict(
            f"expected_version {expected} {when} this {ctx.entity.name}'s current version "
            f"{version}; reload it and retry",
            {"reason": "stale", "version": version, "expected_version": expected},
        )
    return version


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


def _update_problems(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    problems = []
    for name, value in values.items():
        if ctx.entity.workflow_for(name) is not None:
            message = f"changes only through {ctx.entity.key}.transition"
            problems.append(field_error(name, "workflow_field", message))
            continue
        f = ctx.entity.field(name)
        required = (
            f.required if f else any(r.required for r in ctx.entity.belongs_to if r.column == name)
        )
        if value is None and required:
            problems.append(field_error(name, "required", "is required and cannot be cleared"))
    return problems


def update(ctx: Context, data: UpdateInput) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True)
    record_id, expected = values.pop("id"), values.pop("expected_version", None)
    guard_ai_writes(ctx, values)
    record = load(ctx, record_id)
    values = run_hooks(ctx, "update", values, record)
    problems = _update_problems(ctx, values) + check_references(ctx, values)
    if problems:
        raise InvalidInput.of(problems)
    check_unique(ctx, values, record_id)
    diff = {k: v for k, v in values.items() if record.get(k) != v}
    if not diff:
        check_version(ctx, record, expected)  # a stale read is a conflict even for a no-op
        return record
    updated = _write(ctx, record, diff, expected)
    changes = redacted_changes(ctx, {k: (record.get(k), v) for k, v in diff.items()})
    ctx.record_change(record_id, changes)
    ctx.emit("updated", record_id, {"changes": changes})
    return updated


def delete(ctx: Context, data: IdInput) -> dict[str, Any]:
    record = load(ctx, data.id)
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
    changes = redacted_changes(ctx, {k: (v, None) for k, v in before.items()})
    if effects:
        changes["_on_delete"] = effects
    ctx.record_change(record["id"], changes)
    ctx.emit("deleted", record["id"], {"changes": changes})
    return {"id": record["id"], "deleted": True}


def transition(ctx: Context, data: TransitionInput) -> dict[str, Any]:
    record = load(ctx, data.id)
    workflow = pick_workflow(ctx.entity, data.workflow)
    move = check_transition(ctx.entity, workflow, record, data.to, data.trigger)
    state = {workflow.field: move.target}
    change = run_hooks(ctx, "transition", state, record)
    if change.get(workflow.field) != move.target:
        raise InvalidInput(
            f"a before-transition hook may not change the target of {workflow.field}",
            {"field": workflow.field, "reason": "hook_changed_target"},
        )
    updated = _write(ctx, record, change, data.expected_version)
    before = record[workflow.field]
    diff = {k: (record.get(k), v) for k, v in change.items() if record.get(k) != v}
    ctx.record_change(record["id"], redacted_changes(ctx, diff))
    ctx.emit(
        "transitioned",
        record["id"],
        {"field": workflow.field, "from": before, "to": move.target, "trigger": move.trigger},
    )
    return updated


def transitions(ctx: Context, data: IdInput) -> dict[str, Any]:
    record = load(ctx, data.id)
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
    action = ctx.spec.custom
    assert action is not None
    values = data.model_dump()
    if action.takes_record:
        load(ctx, values["id"])
    action_ctx = ActionContext(ctx.caller, ctx.readable_store)
    if action.writes and ctx.nested is not None:
        action_ctx.dispatch = ctx.nested
    return action.handler(action_ctx, values)


HANDLERS: dict[str, Callable[[Context, Any], Any]] = {
    "create": create,
    "get": get,
    "list": list_,
    "count": count,
    "update": update,
    "delete": delete,
    "transition": transition,
    "transitions": transitions,
    "restore": restore,
}

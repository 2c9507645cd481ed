"""Checks a handler makes on values it is about to write, and on what a caller may probe.

Before-hooks are entity code: what they hand back is checked like caller input (the
action's input model, so only declared, writable fields of the right type get through),
and references and unique values are checked after them, never before. AI agents never
see sensitive values, so they may not probe them through filters, sort, or a unique check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from core.actions.context import Context
from core.contracts import CallerType, HookContext
from core.errors import Conflict, Forbidden, InvalidInput, field_error
from core.model.filters import split_filter_key
from core.model.inputs import invalid_from

NOT_INPUT = frozenset({"id", "expected_version"})
PLACEHOLDER_ID = uuid.UUID(int=0)  # update inputs need an id; the record's is not the hook's to set


def run_hooks(
    ctx: Context, verb: str, values: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """Run the entity's before-hooks; return what they left, validated as input."""
    hooks = ctx.entity.hooks.for_verb(verb)
    if not hooks:
        return values
    work = dict(values)
    hook_ctx = HookContext(ctx.caller, ctx.entity.name, verb, work, existing, ctx.store)
    for hook in hooks:
        hook(hook_ctx)
    if hook_ctx.values == values or verb == "delete":
        return values
    return _revalidate(ctx, verb, hook_ctx.values)


def _revalidate(ctx: Context, verb: str, values: Any) -> dict[str, Any]:
    """Hook output through the entity's own input model: types, limits, declared keys only."""
    if not isinstance(values, dict):
        raise InvalidInput(f"a before-{verb} hook replaced the values with a non-mapping")
    stray = sorted(set(values) & NOT_INPUT)
    if stray:
        raise InvalidInput(
            f"a before-{verb} hook may not set {', '.join(stray)}", {"field": stray[0]}
        )
    kept: dict[str, Any] = {}
    if verb == "transition":  # the state field is the workflow's to check, not the model's
        states = {w.field for w in ctx.entity.workflows}
        kept = {k: v for k, v in values.items() if k in states}
        values = {k: v for k, v in values.items() if k not in states}
    action = "create" if verb == "create" else "update"
    model = ctx.registry.input_model(ctx.registry.action(f"{ctx.entity.key}.{action}"))
    try:
        if action == "create":
            checked = model.model_validate(values).model_dump()
        else:
            payload = {**values, "id": PLACEHOLDER_ID}
            checked = model.model_validate(payload).model_dump(exclude_unset=True)
    except ValidationError as exc:
        error = invalid_from(exc, set(model.model_fields) - NOT_INPUT)
        raise InvalidInput(
            f"a before-{verb} hook produced invalid values: {error.message}", error.details
        ) from None
    for key in NOT_INPUT:
        checked.pop(key, None)
    return {**kept, **checked}


def check_references(ctx: Context, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A reference must name a record of the caller's tenant, exactly as if others did not
    exist; every bad one is reported."""
    problems = []
    for rel in ctx.entity.belongs_to:
        target_id = values.get(rel.column)
        if target_id is not None and not ctx.repo(rel.target).exists(target_id):
            problems.append(
                field_error(rel.column, "unknown_reference", f"no {rel.target} with id {target_id}")
            )
    return problems


def check_unique(ctx: Context, values: Mapping[str, Any], exclude: Any) -> None:
    repo = ctx.repo()
    problems = []
    for f in ctx.entity.fields:
        value = values.get(f.name)
        if f.unique and value is not None and repo.taken(f.name, value, exclude):
            problems.append(
                field_error(f.name, "unique", f"another {ctx.entity.name} already has this value")
            )
    if problems:
        raise Conflict.of(problems, reason="unique")


def guard_sensitive_query(ctx: Context, filters: Mapping[str, Any], order_by: str | None) -> None:
    """Those who see a field masked may not filter or sort by it: the answer would tell."""
    hidden = ctx.hidden()
    if not hidden:
        return
    used = {split_filter_key(k)[0] for k in filters}
    used.add((order_by or "").removeprefix("-"))
    probed = sorted(used & hidden)
    if probed:
        raise Forbidden(
            f"{_who(ctx)} may not filter or sort {ctx.entity.plural} by sensitive fields: "
            f"{', '.join(probed)}",
            {"fields": probed},
        )


def guard_ai_writes(ctx: Context, values: Mapping[str, Any]) -> None:
    """A unique sensitive value would answer "does this exist?" through a conflict."""
    if ctx.caller.caller_type is not CallerType.AI_AGENT:
        return
    probing = sorted(
        f.name
        for f in ctx.entity.fields
        if f.unique and f.sensitive and values.get(f.name) is not None
    )
    if probing:
        raise Forbidden(
            f"AI agents may not set {', '.join(probing)}: unique sensitive fields are set "
            "by people",
            {"fields": probing},
        )


def record_secrets(ctx: Context, record: Mapping[str, Any]) -> None:
    """Remember the sensitive values this action saw, to scrub them from errors the caller
    may not read them in."""
    hidden = ctx.hidden()
    for name in hidden:
        value = record.get(name)
        if value is not None:
            ctx.secrets.update(_spellings(value))


def _spellings(value: Any) -> Iterable[str]:
    text = str(value)
    yield text
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        yield str(iso())


def _who(ctx: Context) -> str:
    if ctx.caller.caller_type is CallerType.AI_AGENT:
        return "AI agents"
    return f"{ctx.caller.user_id!r}"

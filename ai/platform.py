"""The one adapter between the AI layer and core's platform API (issue 8, CORE_API.md).

Core is landing `bus.allowed_actions`, `bus.validate`, `dispatch(..., provenance=...)`,
`core.model.describe.action_input_schema` and the `ai_usage.*` actions. Each function
below calls that public API when it is present and otherwise derives the same answer
from `app.registry`, so switching over is this module alone. INTERIM marks every
derivation that goes once core has landed its piece.
"""

from __future__ import annotations

import inspect
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from core.contracts import Caller, CallerType
from core.errors import Forbidden, InvalidInput

if TYPE_CHECKING:
    from core.bootstrap import App


@dataclass(frozen=True)
class AllowedAction:
    """Mirror of core's `AllowedAction`: what one caller may run, and its input schema."""

    id: str
    entity: str | None
    verb: str
    description: str
    mutates: bool
    own_only: bool
    takes_record: bool
    input_schema: dict[str, Any]


def agent_caller(caller: Caller) -> Caller:
    """The AI acts as `ai_agent` with the roles of the user it acts for, never more."""
    return Caller(caller.user_id, caller.tenant_id, caller.roles, CallerType.AI_AGENT)


def allowed_actions(app: App, caller: Caller, entity: str | None = None) -> list[AllowedAction]:
    native = getattr(app.bus, "allowed_actions", None)
    if native is not None:
        return [_mirror(a) for a in native(caller, entity)]
    return _derived_allowed(app, caller, entity)  # INTERIM


def _mirror(found: Any) -> AllowedAction:
    return AllowedAction(
        id=found.id,
        entity=found.entity,
        verb=found.verb,
        description=found.description,
        mutates=bool(found.mutates),
        own_only=bool(found.own_only),
        takes_record=bool(found.takes_record),
        input_schema=dict(found.input_schema),
    )


def _derived_allowed(app: App, caller: Caller, entity: str | None) -> list[AllowedAction]:
    """INTERIM: the registry and core's permission rules, as `bus.allowed_actions` will."""
    from core.model.permissions import Decision, decide

    wanted = app.registry.entity(entity).name if entity else None
    found = []
    for spec in app.registry.actions.values():
        if wanted is not None and spec.entity.name != wanted:
            continue
        decision = decide(spec.entity, spec.permission_verb, caller)
        if decision is Decision.DENY:
            continue
        found.append(
            AllowedAction(
                id=spec.id,
                entity=spec.entity.name,
                verb=spec.verb,
                description=spec.description,
                mutates=spec.mutates,
                own_only=decision is Decision.OWN,
                takes_record=spec.takes_record,
                input_schema=input_schema(app, spec.id),
            )
        )
    return found


_SCHEMAS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()


def input_schema(app: App, action_id: str) -> dict[str, Any]:
    """The action's input JSON Schema from core's one description of the model.

    Built once per registry and action: metadata does not change while a process runs.
    """
    known = _SCHEMAS.setdefault(app.registry, {})
    if action_id not in known:
        spec = app.registry.action(action_id)
        try:
            from core.model.describe import action_input_schema
        except ImportError:
            known[action_id] = _derived_schema(app, spec)  # INTERIM
        else:
            known[action_id] = dict(action_input_schema(spec))
    return known[action_id]


def _derived_schema(app: App, spec: Any) -> dict[str, Any]:
    """INTERIM: Pydantic's schema of the input model, with the field metadata core adds."""
    schema = app.registry.input_model(spec).model_json_schema()
    entity = spec.entity
    fields = {f.name: f for f in entity.fields}
    if spec.custom is not None:
        fields.update({f.name: f for f in spec.custom.input_fields})
    references = {r.column: r.target for r in entity.belongs_to}
    for name, prop in schema.get("properties", {}).items():
        field = fields.get(name)
        if field is not None:
            prop["title"] = field.display_label
            if field.description:
                prop["description"] = field.description
            if field.sensitive:
                prop["x-sensitive"] = True
            prop["x-field-type"] = str(field.type)
        elif name in references:
            prop["x-references"] = references[name]
            prop["title"] = name.removesuffix("_id").replace("_", " ").capitalize()
    return schema


def validate(app: App, action_id: str, payload: Mapping[str, Any], caller: Caller) -> None:
    """Every check dispatch makes, writing nothing; raises as dispatch would."""
    native = getattr(app.bus, "validate", None)
    if native is not None:
        native(action_id, dict(payload), caller)
        return
    _derived_validate(app, action_id, payload, caller)  # INTERIM


def _derived_validate(app: App, action_id: str, payload: Mapping[str, Any], caller: Caller) -> None:
    """INTERIM: input and permission only (no workflow, reference or unique checks)."""
    from pydantic import ValidationError

    from core.model.permissions import Decision, decide

    spec = app.registry.action(action_id)
    model = app.registry.input_model(spec)
    if not isinstance(payload, Mapping):
        raise InvalidInput("input must be a JSON object", {"errors": []})
    try:
        model.model_validate(dict(payload))
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(p) for p in err["loc"]),
                "code": err["type"],
                "message": str(err["msg"]).removeprefix("Value error, "),
            }
            for err in exc.errors(include_input=False, include_url=False)
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise InvalidInput(f"invalid input: {summary}", {"errors": errors}) from None
    if decide(spec.entity, spec.permission_verb, caller) is Decision.DENY:
        raise Forbidden(
            f"{caller.caller_type.value} {caller.user_id!r} may not run {spec.id}",
            {"action": spec.id},
        )


@cache
def _takes_provenance(dispatch: Any) -> bool:
    return "provenance" in inspect.signature(dispatch).parameters


def provenance_recorded(app: App) -> bool:
    """Whether this core records provenance in audit entries (INTERIM: until it lands)."""
    return _takes_provenance(type(app.bus).dispatch)


def dispatch(
    app: App,
    action_id: str,
    payload: Mapping[str, Any],
    caller: Caller,
    provenance: dict[str, Any] | None = None,
) -> Any:
    """`bus.dispatch` with the AI's provenance in the audit entry, once core takes it."""
    if provenance is not None and provenance_recorded(app):
        send: Any = app.bus.dispatch  # INTERIM: typed loosely until core's signature lands
        return send(action_id, dict(payload), caller, provenance=provenance)
    return app.bus.dispatch(action_id, dict(payload), caller)  # INTERIM: no provenance yet


def has_action(app: App, action_id: str) -> bool:
    return action_id in app.registry.actions


def record_usage(app: App, caller: Caller, entry: Mapping[str, Any]) -> None:
    """One model call's metering, through `ai_usage.record` when core has it."""
    if has_action(app, "ai_usage.record"):
        app.bus.dispatch("ai_usage.record", dict(entry), caller)
        return
    from ai import usage_store  # INTERIM

    usage_store.append(caller, entry)


def usage_summary(app: App, caller: Caller, since: str | None, by: str) -> dict[str, Any]:
    if has_action(app, "ai_usage.summary"):
        payload: dict[str, Any] = {"by": by}
        if since:
            payload["since"] = since
        result: dict[str, Any] = app.bus.dispatch("ai_usage.summary", payload, caller)
        return result
    from ai import usage_store  # INTERIM

    return usage_store.summary(caller, since, by)


def new_session_id() -> str:
    return uuid.uuid4().hex

"""Entity AI capabilities, run by the platform: on demand as actions, after commit as subscribers.

The model is reached through a `CapabilityRunner` the AI layer hands to `bootstrap()`;
core never imports it. The runner sees the capability and the record's context fields,
never a sensitive one. Whatever it answers must fit the declared `output_schema`, else the
declared fallback stands in, or (with none) nothing is written. An `on_create`/`on_update`
capability writes its output through the bus as an AI agent with the roles of the user
whose action triggered it, after that action has committed: the action never waits for
a model, and never fails because of one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core.actions.context import Context
from core.actions.handlers import load
from core.contracts import (
    AICapability,
    Caller,
    CallerType,
    CapabilityRequest,
    CapabilityRunner,
    Domain,
    DomainEvent,
    Entity,
    Subscriber,
)
from core.errors import Conflict, MetaSaasError
from core.jsonable import to_jsonable
from core.model.inputs import IdInput

log = logging.getLogger(__name__)
EVENTS = {"on_create": "created", "on_update": "updated"}


def context_of(entity: Entity, capability: AICapability, record: dict[str, Any]) -> dict[str, Any]:
    hidden = entity.sensitive_fields  # declaration refuses them; defense in depth
    return {
        name: to_jsonable(record.get(name))
        for name in capability.context_fields
        if name not in hidden
    }


def ask(runner: CapabilityRunner | None, request: CapabilityRequest) -> tuple[Any, str]:
    """(output, source): the model's answer if it fits, else the fallback, else nothing."""
    capability = request.capability
    if runner is not None:
        try:
            output = runner(request)
            if capability.output_schema:
                import jsonschema  # loaded when a model answered, not at start-up

                jsonschema.validate(output, capability.output_schema)
            return output, "model"
        except Exception as exc:  # the class only: a message may quote the record
            log.warning(
                "capability %s.%s: %s; using the fallback",
                request.entity,
                capability.id,
                type(exc).__name__,
            )
    if capability.fallback is not None:
        return capability.fallback, "fallback"
    return None, "none"


def run_on_demand(ctx: Context, data: IdInput) -> dict[str, Any]:
    """`task.summarize {id}`: the capability's answer about one record, written nowhere."""
    capability = ctx.spec.capability
    assert capability is not None
    record = load(ctx, data.id)
    request = CapabilityRequest(
        ctx.caller.tenant_id,
        ctx.caller.user_id,
        ctx.entity.name,
        str(data.id),
        capability,
        context_of(ctx.entity, capability, record),
    )
    output, source = ask(ctx.services.capabilities, request)
    return {"capability": capability.id, "record_id": data.id, "output": output, "source": source}


def capability_subscribers(
    domain: Domain,
    dispatch: Callable[..., Any],
    runner: CapabilityRunner,
    roles_of: Callable[[str, str], frozenset[str]],
) -> tuple[Subscriber, ...]:
    """A background subscriber per `on_create`/`on_update` capability of the domain."""
    subscribers = []
    for entity in domain.entities:
        for capability in entity.ai_capabilities:
            if capability.trigger in EVENTS:
                handler = _writer(entity, capability, dispatch, runner, roles_of)
                subscribers.append(
                    Subscriber(
                        f"{entity.key}.{EVENTS[capability.trigger]}",
                        f"capability:{entity.key}.{capability.id}",
                        handler,
                        background=True,
                    )
                )
    return tuple(subscribers)


def _writer(
    entity: Entity,
    capability: AICapability,
    dispatch: Callable[..., Any],
    runner: CapabilityRunner,
    roles_of: Callable[[str, str], frozenset[str]],
) -> Callable[[DomainEvent], None]:
    field = entity.field(capability.field or "")
    assert field is not None

    def write(event: DomainEvent) -> None:
        if event.payload.get("caller_type") == CallerType.AI_AGENT.value or event.record_id is None:
            return  # what an AI wrote never triggers an AI again
        agent = Caller(
            event.actor_id,
            event.tenant_id,
            roles_of(event.tenant_id, event.actor_id),
            CallerType.AI_AGENT,
        )
        try:
            record = dispatch(f"{entity.key}.get", {"id": str(event.record_id)}, agent)
        except MetaSaasError as exc:
            log.info("capability %s.%s skipped: %s", entity.key, capability.id, exc.code)
            return
        if capability.trigger == "on_create" and record.get(field.name) not in (
            None,
            field.default,
        ):
            return  # the person chose a value: a suggestion does not override it
        request = CapabilityRequest(
            event.tenant_id,
            event.actor_id,
            entity.name,
            str(event.record_id),
            capability,
            context_of(entity, capability, record),
        )
        output, source = ask(runner, request)
        if source == "none" or output == record.get(field.name):
            return
        provenance = {
            "ai": True,
            "source": "capability",
            "capability": capability.id,
            "answered_by": source,
            "event": str(event.id),
        }
        payload = {
            "id": str(event.record_id),
            field.name: output,
            "expected_version": record["version"],
        }
        try:
            dispatch(f"{entity.key}.update", payload, agent, provenance=provenance)
        except Conflict:
            log.info(
                "capability %s.%s: the record moved on; left as it is", entity.key, capability.id
            )
        except MetaSaasError as exc:
            if exc.code == "internal":
                raise  # the database, not the answer: delivery is retried later
            log.info("capability %s.%s not written: %s", entity.key, capability.id, exc.code)

    return write

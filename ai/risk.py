"""Risk tiers from metadata: which plan steps run at once and which wait for a person.

Reads run at once; creates, updates and non-destructive transitions run at once unless
they write a sensitive field; deletes, steps that may change more than one record,
sensitive writes and transitions into a final state wait for the user's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from core.contracts import Entity, Workflow

if TYPE_CHECKING:
    from ai.plan import Plan, Step
    from core.bootstrap import App


class Tier(StrEnum):
    READ = "read"
    WRITE = "write"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Risk:
    tier: Tier
    reason: str

    @property
    def needs_confirmation(self) -> bool:
        return self.tier is Tier.CONFIRM


def final_states(workflow: Workflow) -> frozenset[str]:
    """States a workflow can enter but never leave."""
    leaving = {s for t in workflow.transitions for s in t.sources}
    return frozenset(t.target for t in workflow.transitions if t.target not in leaving)


def _targets(entity: Entity, data: dict[str, Any]) -> set[str]:
    workflows = [w for w in entity.workflows if data.get("workflow") in (None, w.key)]
    if data.get("to") is not None:
        return {str(data["to"])}
    trigger = data.get("trigger")
    return {t.target for w in workflows for t in w.transitions if t.trigger == trigger}


def assess(app: App, step: Step) -> Risk:
    spec = app.registry.actions.get(step.action_id)
    if spec is None:
        return Risk(Tier.CONFIRM, "unknown action")
    entity, data = spec.entity, step.input
    if not spec.mutates:
        return Risk(Tier.READ, "reads only")
    if entity is None:  # a platform action that writes
        return Risk(Tier.CONFIRM, "changes platform data")
    if spec.verb == "delete":
        return Risk(Tier.CONFIRM, f"deletes {_article(entity.name)} {entity.name}")
    if spec.custom is not None and not spec.takes_record:
        return Risk(Tier.CONFIRM, "may change more than one record")
    sensitive = sorted(entity.sensitive_fields & set(data))
    if sensitive:
        return Risk(Tier.CONFIRM, f"writes sensitive field {', '.join(sensitive)}")
    if spec.verb == "transition":
        finals = set().union(*(final_states(w) for w in entity.workflows))
        reached = sorted(_targets(entity, data) & finals)
        if reached:
            return Risk(Tier.CONFIRM, f"moves to final state {', '.join(reached)}")
    return Risk(Tier.WRITE, "changes one record")


def assess_plan(app: App, plan: Plan) -> list[Risk]:
    return [assess(app, step) for step in plan.steps]


def needs_confirmation(app: App, plan: Plan) -> bool:
    return any(r.needs_confirmation for r in assess_plan(app, plan))


def writes_sensitive(app: App, plan: Plan) -> bool:
    """Whether any step names a sensitive field (to write it, filter or sort by it)."""
    for step in plan.steps:
        spec = app.registry.actions.get(step.action_id)
        if spec is None:
            return True
        if spec.entity is not None and _mentions_sensitive(spec.entity, step.input):
            return True
    return False


def _mentions_sensitive(entity: Entity, data: dict[str, Any]) -> bool:
    filters = data.get("filters")
    keys = set(filters) if isinstance(filters, dict) else set()
    order = str(data.get("order_by") or "").removeprefix("-")
    names = {k.split("__", 1)[0] for k in keys} | set(data) | {order}
    return bool(names & entity.sensitive_fields)


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"

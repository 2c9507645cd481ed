"""Workflow enforcement: which moves are allowed from a record's current state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.contracts import Entity, Transition, Workflow
from core.errors import Conflict, InvalidInput


def pick_workflow(entity: Entity, name: str | None) -> Workflow:
    if name is None:
        if len(entity.workflows) == 1:
            return entity.workflows[0]
        keys = [w.key for w in entity.workflows]
        raise InvalidInput(f"name the workflow: one of {keys}", {"field": "workflow"})
    for workflow in entity.workflows:
        if workflow.key == name:
            return workflow
    raise InvalidInput(f"unknown workflow {name!r}", {"field": "workflow"})


def missing_fields(transition: Transition, record: Mapping[str, Any]) -> list[str]:
    return [f for f in transition.requires if record.get(f) in (None, "")]


def allowed_moves(workflow: Workflow, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    state = record.get(workflow.field)
    return [
        {
            "to": t.target,
            "trigger": t.trigger,
            "requires": list(t.requires),
            "missing": missing_fields(t, record),
        }
        for t in workflow.targets_from(state)
    ]


def check_transition(
    workflow: Workflow, record: Mapping[str, Any], to: str | None, trigger: str | None
) -> Transition:
    """Return the transition to take, or raise `conflict` naming the allowed moves."""
    if to is None and trigger is None:
        raise InvalidInput("give the target state `to` or a `trigger`", {"field": "to"})
    state = record.get(workflow.field)
    transition = workflow.find(state, to, trigger)
    if transition is None:
        allowed = sorted({t.target for t in workflow.targets_from(state)})
        wanted = to if to is not None else f"trigger {trigger!r}"
        raise Conflict(
            f"cannot move {workflow.field} from {state!r} to {wanted!r}; "
            f"allowed: {', '.join(allowed) or 'none'}",
            {"field": workflow.field, "from": state, "allowed": allowed},
        )
    missing = missing_fields(transition, record)
    if missing:
        raise Conflict(
            f"cannot move {workflow.field} to {transition.target!r} before "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} set",
            {"field": workflow.field, "missing": missing},
        )
    return transition

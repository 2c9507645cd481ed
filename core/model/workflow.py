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


def _moves(workflow: Workflow, state: str | None) -> str:
    moves = [
        f"{t.target} (trigger {t.trigger})" if t.trigger else t.target
        for t in workflow.targets_from(state)
    ]
    return ", ".join(moves) or "none (this is a final state)"


def check_transition(
    entity: Entity,
    workflow: Workflow,
    record: Mapping[str, Any],
    to: str | None,
    trigger: str | None,
) -> Transition:
    """Return the transition to take, or raise naming what was asked, the current state
    and the moves allowed from it."""
    field = workflow.field
    state = record.get(field)
    if to is None and trigger is None:
        raise InvalidInput(
            f"give the target state `to` or a `trigger`; from {state!r} the moves are: "
            f"{_moves(workflow, state)}",
            {"field": "to"},
        )
    triggers = entity.workflow_triggers()
    if to is not None and to in triggers and to not in entity.workflow_states():
        raise InvalidInput(
            f"{to!r} is a trigger, not a state of {field}; send it as trigger={to!r}",
            {"field": "to", "reason": "trigger_as_state"},
        )
    transition = workflow.find(state, to, trigger)
    if transition is None:
        if to is not None and trigger is not None:
            by_trigger = workflow.find(state, None, trigger)
            asked = f"to {to!r} with trigger {trigger!r}"
            if by_trigger is not None:
                asked += f", but trigger {trigger!r} leads to {by_trigger.target!r}"
        else:
            asked = f"to {to!r}" if to is not None else f"by trigger {trigger!r}"
        raise Conflict(
            f"cannot move {field} {asked}: it is {state!r}, and from there the moves are: "
            f"{_moves(workflow, state)}",
            {
                "field": field,
                "reason": "transition",
                "from": state,
                "allowed": sorted({t.target for t in workflow.targets_from(state)}),
            },
        )
    missing = missing_fields(transition, record)
    if missing:
        raise Conflict(
            f"cannot move {field} from {state!r} to {transition.target!r} before "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} set",
            {"field": field, "reason": "missing", "missing": missing},
        )
    return transition

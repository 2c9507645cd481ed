"""Projects and their tasks: the part of the demo that exercises workflows and actions.

Tasks move through a declared state machine, which gives the kanban board its columns
and the bus something to enforce; projects add a custom read action and a date check,
and a subscriber shows how to react to a transition after it has committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from core.contracts import (
    ActionContext,
    AICapability,
    CustomAction,
    DomainEvent,
    Entity,
    Field,
    HookContext,
    Hooks,
    InvalidInput,
    NotFound,
    Subscriber,
    Transition,
    UIHints,
    Workflow,
    belongs_to,
    define_entity,
    has_many,
)
from entities.policies import PROJECT_RULES, SUMMARY, TASK_RULES

logger = logging.getLogger(__name__)

PROJECT_STATUSES: tuple[str, ...] = ("planned", "active", "on_hold", "completed", "cancelled")
TASK_STATUSES: tuple[str, ...] = ("todo", "in_progress", "review", "done", "blocked")
TASK_PRIORITIES: tuple[str, ...] = ("low", "medium", "high")
# States in which a task still needs someone's attention.
OPEN_TASK_STATUSES: tuple[str, ...] = tuple(s for s in TASK_STATUSES if s != "done")


def _effective(ctx: HookContext, name: str) -> Any:
    """The value a field will hold after the write, since an update may omit it."""
    if name in ctx.values:
        return ctx.values[name]
    return ctx.existing.get(name) if ctx.existing is not None else None


def check_project_dates(ctx: HookContext) -> None:
    """Refuse a project that ends before it starts; field limits cannot compare two fields."""
    start, end = _effective(ctx, "start_date"), _effective(ctx, "end_date")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        raise InvalidInput(
            "A project cannot end before it starts.",
            {"field": "end_date", "start_date": start.isoformat(), "end_date": end.isoformat()},
        )


PROJECT: Entity = define_entity(
    "Project",
    plural="Projects",
    description="A piece of work with a goal, a budget and a set of tasks.",
    fields=(
        Field("name", "text", required=True, max_length=200),
        Field("description", "long_text"),
        Field("status", "enum", options=PROJECT_STATUSES, default="planned"),
        Field("start_date", "date"),
        Field("end_date", "date", description="Planned finish; never before the start date."),
        Field("budget", "currency", min=0),
    ),
    relationships=(
        has_many("tasks", "Task", inverse="project", description="The work this project needs."),
    ),
    permissions=PROJECT_RULES,
    ui=UIHints(
        list_columns=("name", "status", "start_date", "end_date", "budget"),
        search_fields=("name", "description"),
        default_sort="-created_at",
        title_field="name",
        icon="folder",
    ),
    hooks=Hooks(before_create=(check_project_dates,), before_update=(check_project_dates,)),
)

TASK_WORKFLOW = Workflow(
    field="status",
    transitions=(
        Transition("todo", "in_progress", trigger="start"),
        Transition("in_progress", "review", trigger="submit"),
        Transition("review", "done", trigger="approve"),
        Transition("review", "in_progress", trigger="rework"),
        Transition(("todo", "in_progress", "review"), "blocked", trigger="block"),
        # Two ways out of `blocked`, so each needs its own trigger to stay unambiguous.
        Transition("blocked", "todo", trigger="reset"),
        Transition("blocked", "in_progress", trigger="resume"),
    ),
)

TASK: Entity = define_entity(
    "Task",
    plural="Tasks",
    description="One unit of work inside a project, moved across the board as it progresses.",
    fields=(
        Field("title", "text", required=True, max_length=200),
        Field("description", "long_text"),
        Field("status", "enum", options=TASK_STATUSES, default="todo"),
        Field("priority", "enum", options=TASK_PRIORITIES, default="medium"),
        Field("due_date", "date"),
        Field("estimate_hours", "number", min=0, max=10_000, label="Estimate (hours)"),
    ),
    relationships=(
        # Tasks have no meaning outside their project, so they go when it goes.
        belongs_to("project", "Project", on_delete="cascade"),
    ),
    workflows=(TASK_WORKFLOW,),
    permissions=TASK_RULES,
    ui=UIHints(
        list_columns=("title", "status", "priority", "due_date", "project_id"),
        search_fields=("title", "description"),
        default_sort="due_date",
        default_view="kanban",
        kanban_group_by="status",
        title_field="title",
        icon="check-square",
    ),
    ai_capabilities=(
        AICapability(
            id="suggest_priority",
            kind="classify",
            intent="Judge how urgent and important the task is from its title and "
            "description, and pick a priority.",
            context_fields=("title", "description"),
            output_schema={"type": "string", "enum": list(TASK_PRIORITIES)},
            fallback="medium",
            trigger="on_create",
            field="priority",
        ),
        AICapability(
            id="summarize",
            kind="summarize",
            intent="Summarise the task in one or two sentences for a status report.",
            context_fields=("title", "description", "status", "priority", "due_date"),
            output_schema={"type": "string", "maxLength": 500},
            trigger="on_demand",
        ),
    ),
)


def project_summary(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """Give a project's progress in one call, so no screen has to page through its tasks."""
    project_id = data["id"]
    if ctx.records("project").get(project_id) is None:
        raise NotFound("Project not found.", {"id": str(project_id)})
    tasks = ctx.records("task")
    by_status = {
        status: tasks.count({"project_id": project_id, "status": status})
        for status in TASK_STATUSES
    }
    return {
        "project_id": str(project_id),
        "tasks_by_status": by_status,
        "open_tasks": sum(by_status[s] for s in OPEN_TASK_STATUSES),
    }


PROJECT_SUMMARY = CustomAction(
    entity="Project",
    verb=SUMMARY,
    handler=project_summary,
    description="Count a project's tasks by status and say how many are still open.",
    takes_record=True,
)


def log_task_transition(event: DomainEvent) -> None:
    """Leave a trace of every task move; only logs, so a redelivered event does no harm."""
    logger.info(
        "task %s transitioned %s -> %s by %s (event %s)",
        event.record_id,
        event.payload.get("from"),
        event.payload.get("to"),
        event.actor_id,
        event.id,
    )


LOG_TASK_TRANSITION = Subscriber(
    event="task.transitioned",
    name="log_task_transition",
    handler=log_task_transition,
)

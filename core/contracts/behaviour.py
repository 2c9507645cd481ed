"""Workflows, permission rules, UI hints and AI capabilities: how an entity behaves.

Each is plain data checked when declared; the bus, the screens and the AI layer read
them and never re-interpret an entity's Python code.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from core.identifiers import SNAKE_CASE


class CallerType(StrEnum):
    HUMAN = "human"
    AI_AGENT = "ai_agent"
    SYSTEM = "system"
    SCRIPT = "script"


class Transition(BaseModel):
    """A permitted move of the state field: `Transition(["todo"], "in_progress")`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: tuple[str, ...]
    target: str
    requires: tuple[str, ...] = ()
    trigger: str | None = None

    def __init__(self, sources: Any, target: str, /, **data: Any) -> None:
        if isinstance(sources, str):
            sources = (sources,)
        super().__init__(sources=tuple(sources), target=target, **data)

    @model_validator(mode="after")
    def _check(self) -> Transition:
        if self.trigger is not None and not SNAKE_CASE.match(self.trigger):
            raise ValueError(f"trigger {self.trigger!r} must be snake_case")
        return self


class Workflow(BaseModel):
    """A state machine over one enum field; the field's default is the initial state."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    transitions: tuple[Transition, ...]
    name: str = ""

    @property
    def key(self) -> str:
        return self.name or self.field

    def targets_from(self, state: str | None) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def find(self, state: str | None, target: str | None, trigger: str | None) -> Transition | None:
        for transition in self.targets_from(state):
            if target is not None and transition.target != target:
                continue
            if trigger is not None and transition.trigger != trigger:
                continue
            return transition
        return None


Effect = Literal["allow", "deny"]
Ownership = Literal["any", "own"]


class PermissionRule(BaseModel):
    """First matching rule wins; when none matches, the answer is deny.

    Empty `caller_types` or `roles` match any caller; `actions` holds verbs
    (`create`, `list`, `get`, `update`, `delete`, `transition`, custom verbs) or `*`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    actions: tuple[str, ...]
    effect: Effect = "allow"
    caller_types: tuple[CallerType, ...] = ()
    roles: tuple[str, ...] = ()
    ownership: Ownership = "any"

    @model_validator(mode="after")
    def _check(self) -> PermissionRule:
        for verb in self.actions:
            if verb != "*" and not SNAKE_CASE.match(verb):
                raise ValueError(f"permission verb {verb!r} must be snake_case or '*'")
        return self


def allow(*actions: str, **kw: Any) -> PermissionRule:
    return PermissionRule(actions=actions, effect="allow", **kw)


def deny(*actions: str, **kw: Any) -> PermissionRule:
    return PermissionRule(actions=actions, effect="deny", **kw)


View = Literal["list", "kanban", "calendar"]


class UIHints(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    list_columns: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    default_sort: str = "-created_at"
    default_view: View = "list"
    kanban_group_by: str | None = None
    calendar_date_field: str | None = None
    title_field: str | None = None
    icon: str | None = None


Trigger = Literal["on_demand", "on_create", "on_update"]


class AICapability(BaseModel):
    """Declared here, run by the AI layer: what the model may do for this entity.

    `on_demand` capabilities become actions (`task.summarize`) that answer with the output;
    `on_create` / `on_update` ones run after commit and write their output to `field`
    through the bus, as an AI agent. The model sees only `context_fields` (never a
    sensitive one); its output must fit `output_schema`, else `fallback` is used (or
    nothing is written when there is none).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: Literal["classify", "summarize", "extract", "generate", "suggest"]
    intent: str
    context_fields: tuple[str, ...] = ()
    output_schema: dict[str, Any] = {}
    fallback: Any = None
    trigger: Trigger = "on_demand"
    field: str | None = None

    @model_validator(mode="after")
    def _check(self) -> AICapability:
        if not SNAKE_CASE.match(self.id):
            raise ValueError(f"AI capability id {self.id!r} must be snake_case")
        if self.trigger != "on_demand" and self.field is None:
            raise ValueError(
                f"AI capability {self.id!r} runs {self.trigger}: name the field it sets"
            )
        return self


HookFn = Callable[[Any], None]


class Hooks(BaseModel):
    """Before-hooks run inside the action's transaction, after permission and workflow.

    A hook receives a `HookContext`; it may adjust `values` or raise `InvalidInput` /
    `Conflict` to refuse the action.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    before_create: tuple[HookFn, ...] = ()
    before_update: tuple[HookFn, ...] = ()
    before_delete: tuple[HookFn, ...] = ()
    before_transition: tuple[HookFn, ...] = ()

    def for_verb(self, verb: str) -> tuple[HookFn, ...]:
        return tuple(getattr(self, f"before_{verb}", ()))

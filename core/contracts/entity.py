"""The entity declaration and `define_entity`, which refuses a bad one at import time."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from core.contracts.behaviour import AICapability, Hooks, PermissionRule, UIHints, Workflow
from core.contracts.fields import STRING_TYPES, Field, FieldType, Relationship, describe
from core.errors import DefinitionError
from core.identifiers import PASCAL_CASE, identifier_problem, snake_case

SYSTEM_COLUMNS: tuple[str, ...] = (
    "id",
    "tenant_id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
)
SORTABLE_SYSTEM_COLUMNS: tuple[str, ...] = ("created_at", "updated_at")
SENSITIVE_READERS: tuple[str, ...] = ("admin",)
"""Who sees a sensitive field unmasked unless the field or its entity says otherwise."""


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    plural: str
    description: str = ""
    fields: tuple[Field, ...]
    relationships: tuple[Relationship, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    permissions: tuple[PermissionRule, ...] = ()
    ui: UIHints = UIHints()
    ai_capabilities: tuple[AICapability, ...] = ()
    hooks: Hooks = Hooks()
    sensitive_readers: tuple[str, ...] = SENSITIVE_READERS
    """Roles that see this entity's sensitive fields unmasked (a field may name its own)."""

    @property
    def key(self) -> str:
        """The snake_case name used in action ids: `Task` -> `task`."""
        return snake_case(self.name)

    @property
    def table_name(self) -> str:
        return snake_case(self.plural)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def belongs_to(self) -> tuple[Relationship, ...]:
        return tuple(r for r in self.relationships if r.kind == "belongs_to")

    def column_names(self) -> list[str]:
        return [f.name for f in self.fields] + [r.column for r in self.belongs_to]

    def sortable(self) -> list[str]:
        """Columns a list may sort by: long text and JSON have no useful order or index."""
        unsortable = {
            f.name for f in self.fields if f.type in (FieldType.JSON, FieldType.LONG_TEXT)
        }
        columns = [c for c in self.column_names() if c not in unsortable]
        return [*columns, *SORTABLE_SYSTEM_COLUMNS]

    def workflow_states(self) -> tuple[str, ...]:
        """Every state of every workflow, in declaration order."""
        states: list[str] = []
        for workflow in self.workflows:
            field = self.field(workflow.field)
            states += [o for o in (field.options if field else ()) if o not in states]
        return tuple(states)

    def workflow_triggers(self) -> tuple[str, ...]:
        triggers: list[str] = []
        for workflow in self.workflows:
            triggers += [
                t.trigger for t in workflow.transitions if t.trigger and t.trigger not in triggers
            ]
        return tuple(triggers)

    def final_states(self, field: str) -> frozenset[str]:
        """States of `field`'s workflow with no way out: moving there closes the record."""
        workflow = self.workflow_for(field)
        if workflow is None:
            return frozenset()
        leaving = {s for t in workflow.transitions for s in t.sources}
        return frozenset(t.target for t in workflow.transitions if t.target not in leaving)

    def workflow_for(self, field: str) -> Workflow | None:
        return next((w for w in self.workflows if w.field == field), None)

    @property
    def sensitive_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.sensitive)

    def readers_of(self, name: str) -> frozenset[str]:
        """Roles that may read sensitive field `name` unmasked."""
        f = self.field(name)
        declared = f.readable_by if f is not None else None
        return frozenset(self.sensitive_readers if declared is None else declared)

    @model_validator(mode="after")
    def _check(self) -> Entity:
        for label, value in (("entity name", self.name), ("plural", self.plural)):
            problem = identifier_problem(value)
            if problem:
                raise ValueError(f"{label} {value!r} {problem}")
        if not PASCAL_CASE.match(self.name):
            raise ValueError(f"entity name {self.name!r} must be PascalCase")
        for derived in (self.key, self.table_name):
            problem = identifier_problem(derived)
            if problem:
                raise ValueError(f"derived name {derived!r} {problem}")
        for f in self.fields:
            f.check()
        for r in self.relationships:
            r.check()
        columns = self.column_names()
        seen: set[str] = set()
        for column in columns:
            if column in SYSTEM_COLUMNS:
                raise ValueError(f"field {column!r} clashes with a system column")
            if column in seen:
                raise ValueError(f"field {column!r} is declared twice")
            seen.add(column)
        rel_names = [r.name for r in self.relationships]
        if len(set(rel_names)) != len(rel_names):
            raise ValueError("a relationship name is declared twice")
        self._check_workflows()
        self._check_ui(set(columns))
        for capability in self.ai_capabilities:
            for name in capability.context_fields:
                if name not in seen:
                    raise ValueError(
                        f"AI capability {capability.id!r}: context field {name!r} does not exist"
                    )
                if name in self.sensitive_fields:
                    raise ValueError(
                        f"AI capability {capability.id!r}: {name!r} is sensitive and never "
                        "goes to a model"
                    )
            target = self.field(capability.field) if capability.field else None
            if capability.field is not None and (target is None or target.sensitive):
                raise ValueError(
                    f"AI capability {capability.id!r}: field {capability.field!r} is not a "
                    "writable, non-sensitive field of this entity"
                )
            if target is not None and self.workflow_for(target.name) is not None:
                raise ValueError(
                    f"AI capability {capability.id!r}: {target.name!r} moves only by workflow"
                )
        return self

    def _check_workflows(self) -> None:
        seen_keys: set[str] = set()
        seen_fields: set[str] = set()
        for workflow in self.workflows:
            if workflow.key in seen_keys:
                raise ValueError(f"workflow {workflow.key!r} is declared twice")
            if workflow.field in seen_fields:
                raise ValueError(f"field {workflow.field!r} has two workflows")
            seen_keys.add(workflow.key)
            seen_fields.add(workflow.field)
        for workflow in self.workflows:
            state = self.field(workflow.field)
            if state is None:
                raise ValueError(f"workflow field {workflow.field!r} does not exist")
            if state.type is not FieldType.ENUM:
                raise ValueError(f"workflow field {workflow.field!r} must be an enum")
            if state.default is None:
                raise ValueError(
                    f"workflow field {workflow.field!r} needs a default (its initial state)"
                )
            for transition in workflow.transitions:
                for s in (*transition.sources, transition.target):
                    if s not in state.options:
                        raise ValueError(
                            f"workflow {workflow.key!r}: state {s!r} is not an option of "
                            f"{workflow.field!r}"
                        )
                for req in transition.requires:
                    if req not in self.column_names():
                        raise ValueError(
                            f"workflow {workflow.key!r}: required field {req!r} does not exist"
                        )

    def _check_ui(self, columns: set[str]) -> None:
        known = columns | set(SORTABLE_SYSTEM_COLUMNS)
        for name in self.ui.list_columns:
            if name not in known:
                raise ValueError(f"ui.list_columns: {name!r} does not exist")
        for name in self.ui.search_fields:
            f = self.field(name)
            if f is None or f.type not in STRING_TYPES:
                raise ValueError(f"ui.search_fields: {name!r} is not a text field of this entity")
            if f.sensitive:
                # A search hit (or a count of hits) would tell whoever may not read the
                # value whether a guess was right.
                raise ValueError(f"ui.search_fields: {name!r} is sensitive and cannot be searched")
        sort = self.ui.default_sort.removeprefix("-")
        if sort not in self.sortable():
            raise ValueError(f"ui.default_sort: {sort!r} does not exist")
        if self.ui.kanban_group_by is not None:
            f = self.field(self.ui.kanban_group_by)
            if f is None or f.type is not FieldType.ENUM:
                raise ValueError(f"ui.kanban_group_by: {self.ui.kanban_group_by!r} is not an enum")
        if self.ui.default_view == "kanban" and self.ui.kanban_group_by is None:
            raise ValueError("ui.default_view is kanban but kanban_group_by is not set")
        if self.ui.calendar_date_field is not None:
            f = self.field(self.ui.calendar_date_field)
            if f is None or f.type not in (FieldType.DATE, FieldType.DATETIME):
                raise ValueError(
                    f"ui.calendar_date_field: {self.ui.calendar_date_field!r} is not a date field"
                )
        if self.ui.default_view == "calendar" and self.ui.calendar_date_field is None:
            raise ValueError("ui.default_view is calendar but calendar_date_field is not set")
        if self.ui.title_field is not None and self.ui.title_field not in columns:
            raise ValueError(f"ui.title_field: {self.ui.title_field!r} does not exist")


def define_entity(name: str, **declaration: Any) -> Entity:
    """Build an entity, turning any problem into a `DefinitionError` naming the entity."""
    try:
        return Entity(name=name, **declaration)
    except ValidationError as exc:
        raise DefinitionError(f"entity {name!r}: {describe(exc)}") from None

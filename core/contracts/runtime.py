"""What crosses the boundary at run time: callers, events, hook and action contexts.

Entity modules write subscribers, hooks and custom actions against these types only,
so they never touch the database, the bus or a session directly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.contracts.behaviour import AICapability, CallerType
from core.contracts.fields import Field
from core.identifiers import SNAKE_CASE, TENANT_ID


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks. The AI acts as `ai_agent` with the roles of the user it acts for."""

    user_id: str
    tenant_id: str
    roles: frozenset[str] = frozenset()
    caller_type: CallerType = CallerType.HUMAN

    def __post_init__(self) -> None:
        if not isinstance(self.tenant_id, str) or not TENANT_ID.match(self.tenant_id):
            raise ValueError("tenant id must match ^[a-z0-9][a-z0-9_-]{0,62}$")
        if not isinstance(self.user_id, str) or not 0 < len(self.user_id) <= 128:
            raise ValueError("user id must be 1..128 characters")
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "caller_type", CallerType(self.caller_type))


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened, stored in the outbox with the action that caused it."""

    id: uuid.UUID
    name: str
    tenant_id: str
    entity: str
    record_id: uuid.UUID | None
    occurred_at: dt.datetime
    actor_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)


class RecordStore(Protocol):
    """Tenant-scoped reads of one entity, inside the current transaction.

    What entity code is handed is read-only at run time, not only in this type: it has no
    path to a repository, a connection or a write. Values a caller may not read come back
    masked, so a hook or custom action cannot pass them on.
    """

    def get(self, record_id: uuid.UUID) -> dict[str, Any] | None: ...

    def find(self, filters: Mapping[str, Any], limit: int = 50) -> list[dict[str, Any]]: ...

    def count(self, filters: Mapping[str, Any] | None = None) -> int: ...


@dataclass(slots=True)
class HookContext:
    """Handed to before-hooks; `values` may be changed to adjust what is written."""

    caller: Caller
    entity: str
    verb: str
    values: dict[str, Any]
    existing: Mapping[str, Any] | None
    records: Callable[[str], RecordStore]


Dispatch = Callable[[str, Mapping[str, Any]], Any]


def _read_only(action_id: str, payload: Mapping[str, Any]) -> Any:
    from core.errors import Forbidden

    raise Forbidden(
        f"this custom action is declared read-only, so it may not run {action_id}; "
        "declare it with writes=True",
        {"action": action_id},
    )


@dataclass(slots=True)
class ActionContext:
    """What a custom action may use: reads, and (if it declares `writes`) other actions.

    `dispatch` runs an action through the bus as the same caller, in the same transaction:
    validated, permission-checked and audited like any other, its result masked as the
    caller sees it.
    """

    caller: Caller
    records: Callable[[str], RecordStore]
    dispatch: Dispatch = _read_only


@dataclass(frozen=True, slots=True)
class CustomAction:
    """An action an entity module adds beside the generated ones (`project.summary`)."""

    entity: str
    verb: str
    handler: Callable[[ActionContext, dict[str, Any]], Any]
    description: str = ""
    input_fields: tuple[Field, ...] = ()
    takes_record: bool = False
    writes: bool = False
    """Whether the handler changes records (through `ActionContext.dispatch` only)."""

    def __post_init__(self) -> None:
        if not SNAKE_CASE.match(self.verb):
            raise ValueError(f"custom action verb {self.verb!r} must be snake_case")


@dataclass(frozen=True, slots=True)
class Subscriber:
    """Called after commit for each event named `event`; must be idempotent by event id."""

    event: str
    name: str
    handler: Callable[[DomainEvent], None]
    background: bool = False
    """Slow work (a model call): delivered by a worker thread, so no action waits for it."""


@dataclass(frozen=True, slots=True)
class SeedRecord:
    """A demo record with a stable key; `refs` maps relationship names to other keys."""

    entity: str
    key: str
    values: Mapping[str, Any]
    refs: Mapping[str, str] = field(default_factory=dict)
    transitions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Domain:
    """Everything `entities/` declares; the registry is built from one of these."""

    entities: tuple[Any, ...]
    actions: tuple[CustomAction, ...] = ()
    subscribers: tuple[Subscriber, ...] = ()
    seed: Callable[[], Iterable[SeedRecord]] | None = None


@dataclass(frozen=True, slots=True)
class CapabilityRequest:
    """One run of an entity's AI capability: what the model is told, nothing more."""

    tenant_id: str
    user_id: str
    entity: str
    record_id: str
    capability: AICapability
    context: Mapping[str, Any]
    """The record's `context_fields` as JSON values; never a sensitive field."""


class CapabilityRunner(Protocol):
    """Asks a model (the AI layer provides one); returns its output as a JSON value.

    Raise any exception when no answer can be had (no model, timeout, refusal): the
    platform then uses the capability's declared fallback, or writes nothing.
    """

    def __call__(self, request: CapabilityRequest) -> Any: ...

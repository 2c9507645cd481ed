"""What a handler works with: the transaction, the caller, and what the action leaves behind.

One `Context` per action. Handlers read and write through tenant-scoped repositories made
here, report what changed (`record_change`, for the audit entry and the change feed) and
what happened (`emit`, for the outbox); the bus writes those after the handler returns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from core.contracts import Caller, CapabilityRunner, DomainEvent, Entity, RecordStore
from core.errors import Forbidden
from core.model.permissions import Decision, decide, hidden_fields
from core.model.registry import ActionSpec, Registry
from core.records.repository import EntityRepository
from core.records.store import read_only_store
from core.trail.draft import AuditDraft


@dataclass(frozen=True)
class Change:
    """One committed change, as the change feed and `bus.subscribe` listeners see it."""

    tenant_id: str
    action_id: str
    entity: str
    record_id: str | None
    verb: str
    actor_id: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class Services:
    """What some handlers need beyond the transaction: sealing for audit verify, the tenant
    directory's answers, and the AI layer's capability runner (None: no model)."""

    seal_pending: Callable[[], int]
    admin_of_every_tenant: Callable[[Caller], bool]
    capabilities: CapabilityRunner | None = None


@dataclass
class Context:
    conn: sa.Connection
    registry: Registry
    caller: Caller
    spec: ActionSpec
    decision: Decision
    now: dt.datetime
    services: Services
    dry: bool = False
    """Validation only: every check runs, nothing is written (`bus.validate`)."""
    nested: Callable[[str, Mapping[str, Any]], Any] | None = None
    """Runs another action as this caller in this transaction (custom actions that write)."""
    audit: AuditDraft | None = None
    events: list[DomainEvent] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    """Sensitive values this action read: scrubbed from errors for callers who see them masked."""

    @property
    def entity(self) -> Entity:
        return self.spec.record_entity

    def repo(self, entity: Entity | str | None = None) -> EntityRepository:
        if entity is None:
            entity = self.entity
        elif isinstance(entity, str):
            entity = self.registry.entity(entity)
        table = self.registry.table(entity)
        return EntityRepository(self.conn, table, entity, self.caller.tenant_id, dry=self.dry)

    def hidden(self, entity: Entity | None = None) -> frozenset[str]:
        return hidden_fields(entity or self.entity, self.caller)

    def store(self, name: str) -> RecordStore:
        """Reads for a hook: any entity of the tenant, masked as the caller sees it."""
        entity = self.registry.entity(name)
        return read_only_store(self.repo(entity), self.hidden(entity))

    def readable_store(self, name: str) -> RecordStore:
        """Reads for a custom action: only entities the caller may list."""
        entity = self.registry.entity(name)
        if decide(entity, "list", self.caller) is Decision.DENY:
            raise Forbidden(
                f"{self.caller.user_id!r} may not read {entity.plural}", {"entity": entity.name}
            )
        return self.store(name)

    def emit(self, verb: str, record_id: uuid.UUID, payload: dict[str, Any]) -> None:
        self.events.append(
            DomainEvent(
                id=uuid.uuid4(),
                name=f"{self.entity.key}.{verb}",
                tenant_id=self.caller.tenant_id,
                entity=self.entity.name,
                record_id=record_id,
                occurred_at=self.now,
                actor_id=self.caller.user_id,
                payload={**payload, "caller_type": self.caller.caller_type.value},
            )
        )

    def record_change(
        self, record_id: uuid.UUID | str | None, changes: dict[str, Any], *, entity: str = ""
    ) -> None:
        """The audit entry of this action; a record change also reaches the change feed."""
        name = entity or (self.spec.entity.name if self.spec.entity else self.spec.id)
        ident = None if record_id is None else str(record_id)
        self.audit = AuditDraft(self.spec.id, name, ident, changes)
        self.changes.append(
            Change(
                self.caller.tenant_id,
                self.spec.id,
                name,
                ident,
                self.spec.verb,
                self.caller.user_id,
                self.now,
            )
        )

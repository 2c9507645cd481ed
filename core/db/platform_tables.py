"""Platform tables as SQLModel models: tenants, users, the audit log and the event outbox.

Queries go through SQLAlchemy Core on `Model.__table__` in the repositories; the models
exist so the platform's own schema is declared once, typed, and migrated like entities.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db.auth_tables import auth_failures, auth_sessions, reset_tokens
from core.db.chat_tables import chat_messages, chat_sessions
from core.db.limit_tables import rate_counters
from core.db.sqltypes import CanonicalJSON, UTCDateTime
from core.db.table_names import PLATFORM_TABLE_NAMES

UTC_DATETIME = UTCDateTime()


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: str = Field(primary_key=True, max_length=63)
    name: str = Field(max_length=200)
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)


class User(SQLModel, table=True):
    """A person who signs in to one tenant (`local` authentication); `email` is case-folded,
    the password is kept only as its argon2id hash."""

    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_tenant_username", "tenant_id", "username", unique=True),
        sa.Index("uq_users_tenant_email", "tenant_id", "email", unique=True),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63, index=True)
    username: str = Field(max_length=128)
    display_name: str = Field(default="", max_length=200)
    roles: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str | None = Field(default=None, max_length=255)
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    updated_at: dt.datetime | None = Field(default=None, sa_type=UTC_DATETIME)


class AuditRecord(SQLModel):
    """What an audit entry says, pending or chained; the tables add tenant and chain."""

    id: uuid.UUID = Field(primary_key=True)
    occurred_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    actor_id: str = Field(max_length=128)
    caller_type: str = Field(max_length=16)
    action_id: str = Field(max_length=130)
    entity: str = Field(max_length=63)
    record_id: str | None = Field(default=None, max_length=36)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=CanonicalJSON)
    outcome: str = Field(max_length=16)
    error_code: str | None = Field(default=None, max_length=32)
    duration_us: int = Field(sa_type=sa.BigInteger)


class AuditEntry(AuditRecord, table=True):
    """One link of a tenant's hash chain; rows are never updated or deleted (triggers)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("uq_audit_log_tenant_seq", "tenant_id", "seq", unique=True),
        sa.Index("ix_audit_log_tenant_entity", "tenant_id", "entity", "seq"),
    )

    tenant_id: str = Field(max_length=63)
    seq: int = Field(sa_type=sa.BigInteger)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The last link per tenant; locking this row serializes appends so the chain never forks."""

    __tablename__ = "audit_chain_heads"

    tenant_id: str = Field(primary_key=True, max_length=63)
    seq: int = Field(default=0, sa_type=sa.BigInteger)
    hash: str = Field(max_length=64)


class PendingAuditEntry(AuditRecord, table=True):
    """An entry committed with its action (PostgreSQL), awaiting its place in the chain.

    `core.trail.seal` moves it into `audit_log` with its seq and hashes after commit, so
    writers of one tenant commit in parallel instead of queueing through each other's
    commit. SQLite has one writer at a time and chains entries as it writes them.
    """

    __tablename__ = "audit_pending"

    tenant_id: str = Field(max_length=63, index=True)


class OutboxEvent(SQLModel, table=True):
    """Written in the action's transaction; delivered after commit, at least once."""

    __tablename__ = "event_outbox"
    __table_args__ = (sa.Index("ix_event_outbox_pending", "delivered_at", "occurred_at"),)

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63, index=True)
    name: str = Field(max_length=130)
    entity: str = Field(max_length=63)
    record_id: str | None = Field(default=None, max_length=36)
    actor_id: str = Field(max_length=128)
    occurred_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    delivered_at: dt.datetime | None = Field(default=None, sa_type=UTC_DATETIME)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)


class EventDelivery(SQLModel, table=True):
    """One row per (event, subscriber) that succeeded: what makes redelivery idempotent."""

    __tablename__ = "event_deliveries"

    event_id: uuid.UUID = Field(primary_key=True)
    subscriber: str = Field(primary_key=True, max_length=130)
    delivered_at: dt.datetime = Field(sa_type=UTC_DATETIME)


class AIUsage(SQLModel, table=True):
    """One model call: what it cost and how it went, per tenant and user (`ai usage`)."""

    __tablename__ = "ai_usage"
    __table_args__ = (sa.Index("ix_ai_usage_tenant_time", "tenant_id", "occurred_at"),)

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63)
    user_id: str = Field(max_length=128)
    caller_type: str = Field(max_length=16)
    occurred_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    model: str = Field(max_length=200)
    purpose: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    prompt_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    completion_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cost_usd: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 6, asdecimal=True))
    latency_ms: int = Field(default=0, sa_type=sa.BigInteger)


def _table(model: type[SQLModel]) -> sa.Table:
    table = getattr(model, "__table__", None)
    assert isinstance(table, sa.Table)
    return table


tenants = _table(Tenant)
users = _table(User)
audit_log = _table(AuditEntry)
audit_heads = _table(AuditChainHead)
audit_pending = _table(PendingAuditEntry)
outbox = _table(OutboxEvent)
deliveries = _table(EventDelivery)
ai_usage = _table(AIUsage)
PLATFORM_TABLES: tuple[sa.Table, ...] = (
    tenants,
    users,
    audit_log,
    audit_heads,
    audit_pending,
    outbox,
    deliveries,
    ai_usage,
    chat_sessions,
    chat_messages,
    rate_counters,
    auth_sessions,
    auth_failures,
    reset_tokens,
)
assert {t.name for t in PLATFORM_TABLES} == PLATFORM_TABLE_NAMES, "declare each table once"

"""Chat history as platform tables: sessions and their messages, tenant-scoped.

Support staff review what was said and done, so a session keeps counters that the review
screen filters on (had errors, ran actions) without reading every message. A message may
hold values of sensitive fields (a plan that set a date of birth): `redact` lists them, so
every reader but the session's owner gets them masked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db.sqltypes import UTCDateTime

UTC_DATETIME = UTCDateTime()


class ChatSession(SQLModel, table=True):
    __tablename__ = "chat_sessions"
    __table_args__ = (
        sa.Index("ix_chat_sessions_tenant_active", "tenant_id", "last_active_at", "id"),
        sa.Index("ix_chat_sessions_owner", "tenant_id", "owner_id", "last_active_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63)
    owner_id: str = Field(max_length=128)
    title: str = Field(max_length=200)
    model: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    last_active_at: dt.datetime = Field(sa_type=UTC_DATETIME)
    messages: int = Field(default=0)
    errors: int = Field(default=0)
    actions: int = Field(default=0)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.Index("uq_chat_messages_session_seq", "session_id", "seq", unique=True),
        sa.Index("ix_chat_messages_tenant_time", "tenant_id", "created_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str = Field(max_length=63)
    session_id: uuid.UUID = Field(foreign_key="chat_sessions.id", ondelete="CASCADE")
    seq: int = Field()
    role: str = Field(max_length=16)
    content: str = Field(default="", sa_type=sa.Text)
    action_id: str | None = Field(default=None, max_length=130)
    plan: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    result_summary: str | None = Field(default=None, sa_type=sa.Text)
    error: bool = Field(default=False)
    partial: bool = Field(default=False)
    model: str | None = Field(default=None, max_length=200)
    prompt_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    completion_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    latency_ms: int = Field(default=0, sa_type=sa.BigInteger)
    redact: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: dt.datetime = Field(sa_type=UTC_DATETIME)


def _table(model: type[SQLModel]) -> sa.Table:
    table = getattr(model, "__table__", None)
    assert isinstance(table, sa.Table)
    return table


chat_sessions = _table(ChatSession)
chat_messages = _table(ChatMessage)

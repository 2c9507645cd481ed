"""The naive shape the issue compares against: a Pydantic model, then the SQLModel ORM.

It maps the same migrated `tasks` table the product writes, so both sides pay for the
same columns and indexes; what differs is only the code path above the driver.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import event
from sqlmodel import Field, Session, SQLModel, select

from core.db.platform_tables import AuditEntry


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = PydField(max_length=200)
    description: str | None = None
    status: Literal["todo", "in_progress", "review", "done", "blocked"] = "todo"
    priority: Literal["low", "medium", "high"] = "medium"
    due_date: dt.date | None = None
    estimate_hours: float | None = PydField(default=None, ge=0, le=10_000)
    project_id: uuid.UUID | None = None


class NaiveTask(SQLModel, table=True):
    __tablename__ = "tasks"

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: str
    title: str
    description: str | None = None
    status: str = "todo"
    priority: str = "medium"
    due_date: dt.date | None = None
    estimate_hours: float | None = None
    project_id: uuid.UUID | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    updated_by: str
    version: int = 1


def engine(url: str, synchronous: str = "FULL") -> sa.Engine:
    """An engine as a naive app would build it, with the product's durability pragmas."""
    eng = sa.create_engine(url)
    if eng.dialect.name == "sqlite":

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return eng


def create_task(eng: sa.Engine, payload: dict[str, Any], tenant: str, user: str, seq: int) -> None:
    """Validate, then add the row and an audit entry in a new session, and commit.

    `seq` comes from the caller: the naive shape keeps no chain, so it pays no head read.
    """
    data = TaskIn.model_validate(payload)
    now = dt.datetime.now(dt.UTC)
    task = NaiveTask(
        id=uuid.uuid4(),
        tenant_id=tenant,
        created_at=now,
        updated_at=now,
        created_by=user,
        updated_by=user,
        **data.model_dump(),
    )
    changes = {k: {"before": None, "after": v} for k, v in data.model_dump(mode="json").items()}
    digest = hashlib.sha256(json.dumps(changes).encode()).hexdigest()
    with Session(eng) as session:
        session.add(task)
        session.add(
            AuditEntry(
                id=uuid.uuid4(),
                tenant_id=tenant,
                seq=seq,
                occurred_at=now,
                actor_id=user,
                caller_type="script",
                action_id="task.create",
                entity="Task",
                record_id=str(task.id),
                changes=changes,
                outcome="success",
                error_code=None,
                duration_us=0,
                prev_hash=digest,
                hash=digest,
            )
        )
        session.commit()


def list_tasks(eng: sa.Engine, tenant: str, status: str | None, limit: int = 50) -> list[NaiveTask]:
    """The same page as a naive SQLModel select: filter, due date (missing ones last), limit."""
    stmt = select(NaiveTask).where(NaiveTask.tenant_id == tenant)
    if status is not None:
        stmt = stmt.where(NaiveTask.status == status)
    due = sa.asc(NaiveTask.due_date).nulls_last()  # type: ignore[arg-type]
    stmt = stmt.order_by(due, NaiveTask.id).limit(limit)  # type: ignore[arg-type]
    with Session(eng) as session:
        return list(session.exec(stmt).all())

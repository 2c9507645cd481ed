"""An action's trail (outbox events and audit entry) lands whole, whatever its shape.

On PostgreSQL one event with one entry takes a combined statement; any other mix takes
separate inserts. Each shape must store exactly what it was given, on both databases.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from core.bootstrap import App
from core.contracts import Caller, CallerType, DomainEvent
from core.trail import chain as audit
from core.trail import outbox
from core.trail import writer as trail
from core.trail.draft import AuditDraft
from tests.support.engine_helpers import audit_entries, outbox_rows

NOW = dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=dt.UTC)


def event(name: str, record: uuid.UUID) -> DomainEvent:
    return DomainEvent(
        id=uuid.uuid4(),
        name=name,
        tenant_id="default",
        entity="Task",
        record_id=record,
        occurred_at=NOW,
        actor_id="trail-test",
        payload={"changes": {"title": {"before": None, "after": "naïve ✓"}}},
    )


def entry(record: uuid.UUID) -> dict[str, object]:
    draft = AuditDraft("task.create", "Task", str(record), {"title": {"after": "naïve ✓"}})
    who = Caller("trail-test", "default", frozenset({"admin"}), CallerType.SCRIPT)
    return audit.new_entry(who, draft, NOW, 7)


@pytest.mark.parametrize("events", [0, 1, 2])
@pytest.mark.parametrize("with_entry", [True, False])
def test_every_shape_of_trail_is_stored_whole(app: App, events: int, with_entry: bool) -> None:
    record = uuid.uuid4()
    made = [event(f"task.e{i}", record) for i in range(events)]
    with app.bus.uow.begin(write=True) as conn:
        appended = trail.write(
            conn, outbox.rows(made, {"task.e0"}), entry(record) if with_entry else None
        )
    assert (appended is not None) == with_entry

    stored = {r["id"]: r for r in outbox_rows(app)}
    assert set(stored) == {e.id for e in made}
    for e in made:
        row = stored[e.id]
        assert (row["name"], row["record_id"], row["actor_id"]) == (e.name, str(record), e.actor_id)
        assert row["occurred_at"] == NOW and row["payload"] == dict(e.payload)
        assert (row["delivered_at"] is None) == (e.name == "task.e0")  # only e0 has a subscriber

    entries = audit_entries(app)
    if not with_entry:
        assert entries == []
        return
    (got,) = entries
    assert (got["seq"], got["record_id"], got["duration_us"]) == (1, str(record), 7)
    assert got["occurred_at"] == NOW and got["changes"] == {"title": {"after": "naïve ✓"}}

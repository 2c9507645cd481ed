"""The audit log: one entry per mutation and per denial, redacted, append-only, verifiable."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller, CallerType
from core.db.platform_tables import audit_log, outbox
from core.jsonable import REDACTED
from core.trail.chain import link_hash
from tests.support.engine_helpers import (
    all_chains,
    audit_count,
    audit_entries,
    caller,
    chain,
    outbox_rows,
    raises_code,
)

DOB, INSURANCE = "1984-02-29", "INS-7734-SECRET"


def test_each_mutation_writes_one_entry_with_before_and_after(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Audited", "priority": "low"}, admin)
    tid = str(task["id"])
    steps = [
        ("task.update", {"id": tid, "title": "Audited twice"}),
        ("task.transition", {"id": tid, "to": "in_progress"}),
        ("task.delete", {"id": tid}),
    ]
    counts = [audit_count(app)]
    for action, payload in steps:
        app.bus.dispatch(action, payload, admin)
        counts.append(audit_count(app))
    assert counts == [1, 2, 3, 4]
    created, updated, moved, deleted = audit_entries(app)
    assert [e["action_id"] for e in (created, updated, moved, deleted)] == [
        "task.create",
        "task.update",
        "task.transition",
        "task.delete",
    ]
    for entry in (created, updated, moved, deleted):
        assert entry["record_id"] == tid
        assert entry["entity"] == "Task"
        assert entry["actor_id"] == "alice"
        assert entry["caller_type"] == "human"
        assert entry["outcome"] == "success"
        assert entry["error_code"] is None
        assert entry["duration_us"] >= 0
    assert created["changes"]["title"] == {"before": None, "after": "Audited"}
    assert created["changes"]["priority"] == {"before": None, "after": "low"}
    assert created["changes"]["status"] == {"before": None, "after": "todo"}
    assert updated["changes"] == {"title": {"before": "Audited", "after": "Audited twice"}}
    assert moved["changes"] == {"status": {"before": "todo", "after": "in_progress"}}
    assert deleted["changes"]["title"] == {"before": "Audited twice", "after": None}
    assert deleted["changes"]["status"] == {"before": "in_progress", "after": None}
    assert [e["seq"] for e in audit_entries(app)] == [1, 2, 3, 4]


def test_entries_record_the_callers_identity(app: App) -> None:
    bot = caller("helper-bot", roles=("operator",), caller_type=CallerType.AI_AGENT)
    app.bus.dispatch("task.create", {"title": "by a bot"}, bot)
    app.bus.dispatch("task.create", {"title": "by the system"}, app.system_caller())
    first, second = audit_entries(app)
    assert (first["actor_id"], first["caller_type"]) == ("helper-bot", "ai_agent")
    assert (second["actor_id"], second["caller_type"]) == ("system", "system")


def _secrets_absent(text: str) -> None:
    assert DOB not in text
    assert INSURANCE not in text


def test_sensitive_fields_are_redacted_in_audit_and_events(app: App, admin: Caller) -> None:
    patient = app.bus.dispatch(
        "patient.create",
        {"full_name": "Jane Roe", "date_of_birth": DOB, "insurance_number": INSURANCE},
        admin,
    )
    pid = str(patient["id"])
    app.bus.dispatch("patient.update", {"id": pid, "insurance_number": INSURANCE + "-2"}, admin)
    app.bus.dispatch("patient.delete", {"id": pid}, admin)
    created, updated, deleted = audit_entries(app)
    redacted = {"before": REDACTED, "after": REDACTED}
    assert created["changes"]["date_of_birth"] == redacted
    assert created["changes"]["insurance_number"] == redacted
    assert created["changes"]["full_name"] == {"before": None, "after": "Jane Roe"}
    assert updated["changes"] == {"insurance_number": redacted}
    assert deleted["changes"]["date_of_birth"] == redacted
    for entry in (created, updated, deleted):
        _secrets_absent(json.dumps(entry["changes"]))
    events = outbox_rows(app, outbox.c.entity == "Patient")
    assert len(events) == 3
    for event in events:
        _secrets_absent(json.dumps(event["payload"]))
    # The record itself keeps the real values for people allowed to read them.
    # (It was deleted above; create another to check.)
    again = app.bus.dispatch(
        "patient.create", {"full_name": "J", "insurance_number": INSURANCE}, admin
    )
    got = app.bus.dispatch("patient.get", {"id": str(again["id"])}, admin)
    assert got["insurance_number"] == INSURANCE


def test_denied_attempts_are_audited(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Mine"}, admin)
    viewer = caller("vera", roles=("viewer",))
    member = caller("bob", roles=("operator",))
    with raises_code("forbidden"):
        app.bus.dispatch("task.create", {"title": "nope"}, viewer)
    with raises_code("forbidden"):
        app.bus.dispatch("task.delete", {"id": str(task["id"])}, member)
    _, denied_create, denied_delete = audit_entries(app)
    assert denied_create["outcome"] == "denied"
    assert denied_create["error_code"] == "forbidden"
    assert (denied_create["actor_id"], denied_create["action_id"]) == ("vera", "task.create")
    assert denied_create["record_id"] is None
    assert denied_delete["outcome"] == "denied"
    assert (denied_delete["actor_id"], denied_delete["action_id"]) == ("bob", "task.delete")
    assert denied_delete["record_id"] == str(task["id"])
    assert chain(app).ok
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["title"] == "Mine"


def test_reads_are_not_audited(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Read me"}, admin)
    project = app.bus.dispatch("project.create", {"name": "P"}, admin)
    before = audit_count(app)
    app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    app.bus.dispatch("task.list", {"search": "read"}, admin)
    app.bus.dispatch("task.transitions", {"id": str(task["id"])}, admin)
    app.bus.dispatch("project.summary", {"id": str(project["id"])}, admin)
    assert audit_count(app) == before


def test_failed_mutations_leave_no_success_entry(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Once"}, admin)
    with raises_code("invalid_input"):
        app.bus.dispatch("task.update", {"id": str(task["id"]), "title": None}, admin)
    with raises_code("conflict"):
        app.bus.dispatch("task.transition", {"id": str(task["id"]), "to": "done"}, admin)
    assert [e["outcome"] for e in audit_entries(app)] == ["success"]


def _busy_tenants(app: App) -> None:
    for tenant in ("default", "other"):
        who = caller("alice", tenant=tenant)
        for i in range(3):
            t = app.bus.dispatch("task.create", {"title": f"{tenant}{i}"}, who)
            app.bus.dispatch("task.update", {"id": str(t["id"]), "priority": "high"}, who)


def test_verify_passes_on_an_untouched_log(app: App) -> None:
    _busy_tenants(app)
    reports = all_chains(app)
    assert [(r.tenant_id, r.entries, r.ok) for r in reports] == [
        ("default", 6, True),
        ("other", 6, True),
    ]
    entries = audit_entries(app)
    for prev, entry in zip(entries, entries[1:], strict=False):
        assert entry["prev_hash"] == prev["hash"]


# --- tampering with raw SQL after dropping the append-only triggers --------------------

DROP_TRIGGERS = {
    "sqlite": ("DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"),
    "postgresql": ("DROP TRIGGER audit_log_no_update ON audit_log",),
}


def _where(seq: int, tenant: str = "default") -> sa.ColumnElement[bool]:
    return sa.and_(audit_log.c.tenant_id == tenant, audit_log.c.seq == seq)


def _forged_edit(entries: list[dict[str, Any]]) -> sa.Update:
    """Edit seq 2 and recompute its own hash, as an attacker who knows the scheme would."""
    entry = entries[1]
    forged_hash = link_hash(entry["prev_hash"], {**entry, "actor_id": "mallory"})
    return sa.update(audit_log).where(_where(2)).values(actor_id="mallory", hash=forged_hash)


def test_verify_detects_edited_and_deleted_entries(app: App) -> None:
    """Each tampering is done with raw SQL once the triggers are gone, then undone."""
    _busy_tenants(app)
    with app.engine.begin() as conn:
        for statement in DROP_TRIGGERS[app.engine.dialect.name]:
            conn.execute(sa.text(statement))
    original = audit_entries(app)
    assert len(original) == 6 and chain(app).ok
    new_changes = {"priority": {"before": "medium", "after": "low"}}
    tamperings: dict[str, Any] = {
        "edit actor of 2": sa.update(audit_log).where(_where(2)).values(actor_id="mallory"),
        "edit changes of 4": sa.update(audit_log).where(_where(4)).values(changes=new_changes),
        "edit outcome of 6": sa.update(audit_log).where(_where(6)).values(outcome="denied"),
        "edit 2, rehash it": _forged_edit(original),
        "delete middle (3)": sa.delete(audit_log).where(_where(3)),
        "delete first (1)": sa.delete(audit_log).where(_where(1)),
        "delete last (6)": sa.delete(audit_log).where(_where(6)),
        "delete all": sa.delete(audit_log).where(audit_log.c.tenant_id == "default"),
    }
    reported = {}
    for label, statement in tamperings.items():
        with app.engine.begin() as conn:
            conn.execute(statement)
        report = chain(app)
        reported[label] = (report.ok, report.broken_at)
        assert chain(app, "other").ok, label
        with app.engine.begin() as conn:  # put the original rows back
            conn.execute(sa.delete(audit_log).where(audit_log.c.tenant_id == "default"))
            conn.execute(audit_log.insert(), original)
        assert chain(app).ok, f"{label}: restoring the rows must repair the chain"
    assert reported == {
        "edit actor of 2": (False, 2),
        "edit changes of 4": (False, 4),
        "edit outcome of 6": (False, 6),
        "edit 2, rehash it": (False, 3),
        "delete middle (3)": (False, 3),
        "delete first (1)": (False, 1),
        "delete last (6)": (False, 6),
        "delete all": (False, 1),
    }


def test_triggers_reject_update_and_delete(app: App, admin: Caller) -> None:
    app.bus.dispatch("task.create", {"title": "Evidence"}, admin)
    [original] = audit_entries(app)
    with pytest.raises(sa.exc.DBAPIError), app.engine.begin() as conn:
        conn.execute(sa.update(audit_log).where(_where(1)).values(actor_id="mallory"))
    with pytest.raises(sa.exc.DBAPIError), app.engine.begin() as conn:
        conn.execute(sa.delete(audit_log).where(_where(1)))
    if app.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError), app.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_log"))
    assert audit_entries(app) == [original]
    assert chain(app).ok

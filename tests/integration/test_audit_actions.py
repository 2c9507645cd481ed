"""The audit log read through the bus (`audit.list`, `audit.changes`, `audit.verify`), and
`audit_pending` kept append-only until its entries are sealed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from core.actions.bus import Bus
from core.bootstrap import App
from core.contracts import CallerType
from core.db.platform_tables import audit_pending
from core.db.triggers import SEALING_SETTING
from tests.support.engine_helpers import AppFactory, caller, raises_code, sealed

ADMIN = caller("alice")
OTHER = caller("olga", tenant="other")
VIEWER = caller("vera", roles=("viewer",))
BOT = caller("alice", caller_type=CallerType.AI_AGENT)


def _some_history(app: App) -> dict[str, Any]:
    task = app.bus.dispatch("task.create", {"title": "audited"}, ADMIN)
    app.bus.dispatch("task.transition", {"id": str(task["id"]), "to": "in_progress"}, ADMIN)
    app.bus.dispatch("project.create", {"name": "theirs"}, OTHER)
    with raises_code("forbidden"):
        app.bus.dispatch("task.delete", {"id": str(task["id"])}, BOT)
    sealed(app)
    return dict(task)


def test_audit_list_is_a_tenant_scoped_action_with_filters(app_factory: AppFactory) -> None:
    app = app_factory()
    task = _some_history(app)
    page = app.bus.dispatch("audit.list", {}, ADMIN)
    assert [e["action_id"] for e in page["items"]] == [
        "task.delete",
        "task.transition",
        "task.create",
    ]
    assert all(e["entity"] == "Task" for e in page["items"])  # nothing of tenant "other"
    mine = app.bus.dispatch("audit.list", {"record_id": str(task["id"])}, ADMIN)["items"]
    assert {e["record_id"] for e in mine} == {str(task["id"])}
    by_ai = app.bus.dispatch("audit.list", {"caller_type": "ai_agent"}, ADMIN)["items"]
    assert [(e["action_id"], e["outcome"]) for e in by_ai] == [("task.delete", "denied")]
    theirs = app.bus.dispatch("audit.list", {}, OTHER)["items"]
    assert [e["action_id"] for e in theirs] == ["project.create"]


def test_audit_list_pages_with_a_cursor(app_factory: AppFactory) -> None:
    app = app_factory()
    _some_history(app)
    first = app.bus.dispatch("audit.list", {"limit": 2}, ADMIN)
    second = app.bus.dispatch("audit.list", {"limit": 2, "cursor": first["next_cursor"]}, ADMIN)
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 3
    assert second["next_cursor"] is None


def test_audit_changes_is_the_feed_of_successful_changes_in_order(app_factory: AppFactory) -> None:
    app = app_factory()
    task = _some_history(app)
    feed = app.bus.dispatch("audit.changes", {}, ADMIN)
    assert [(c["action_id"], c["record_id"]) for c in feed["items"]] == [
        ("task.create", str(task["id"])),
        ("task.transition", str(task["id"])),
    ]  # the denied delete is no change
    after = int(feed["next_cursor"])
    assert app.bus.dispatch("audit.changes", {"after": after}, ADMIN)["items"] == []
    app.bus.dispatch("task.update", {"id": str(task["id"]), "title": "renamed"}, ADMIN)
    sealed(app)
    later = app.bus.dispatch("audit.changes", {"after": after}, ADMIN)["items"]
    assert [c["action_id"] for c in later] == ["task.update"]


def test_verify_is_for_admins_and_every_tenant_for_admins_of_every_tenant(
    app_factory: AppFactory,
) -> None:
    app = app_factory()
    _some_history(app)
    own = app.bus.dispatch("audit.verify", {}, ADMIN)
    assert own["ok"] and [c["tenant"] for c in own["chains"]] == ["default"]
    with raises_code("forbidden"):
        app.bus.dispatch("audit.verify", {}, VIEWER)
    every = app.bus.dispatch("audit.verify", {"all_tenants": True}, app.system_caller())
    assert {c["tenant"] for c in every["chains"]} == {"default", "other"}


def test_verify_every_tenant_is_refused_to_an_admin_of_one_tenant(app_factory: AppFactory) -> None:
    app = app_factory()
    _some_history(app)
    strict = Bus(app.registry, app.bus.uow, admin_of_every_tenant=lambda who: False)
    with raises_code("forbidden") as info:
        strict.dispatch("audit.verify", {"all_tenants": True}, ADMIN)
    assert info.value.details["field"] == "all_tenants"
    assert strict.dispatch("audit.verify", {}, ADMIN)["ok"] is True


def _pending_row(app: App) -> uuid.UUID:
    ident = uuid.uuid4()
    row = {
        "id": ident,
        "tenant_id": "default",
        "occurred_at": dt.datetime.now(dt.UTC),
        "actor_id": "mallory",
        "caller_type": "human",
        "action_id": "task.create",
        "entity": "Task",
        "record_id": None,
        "changes": {},
        "outcome": "success",
        "error_code": None,
        "duration_us": 1,
    }
    with app.engine.begin() as conn:
        conn.execute(audit_pending.insert().values(**row))
    return ident


@pytest.mark.parametrize(
    "statement",
    [
        lambda ident: (
            sa.update(audit_pending)
            .where(audit_pending.c.id == ident)
            .values(actor_id="someone else")
        ),
        lambda ident: sa.delete(audit_pending).where(audit_pending.c.id == ident),
    ],
    ids=["update", "delete"],
)
def test_pending_entries_do_not_change_before_they_are_sealed(
    app_factory: AppFactory, statement: Any
) -> None:
    app = app_factory()
    ident = _pending_row(app)
    with pytest.raises(sa.exc.DatabaseError), app.engine.begin() as conn:
        conn.execute(statement(ident))
    with app.engine.connect() as conn:
        row = conn.execute(sa.select(audit_pending).where(audit_pending.c.id == ident)).one()
    assert row.actor_id == "mallory"


def test_only_a_seal_takes_pending_entries_away(app_factory: AppFactory, backend: str) -> None:
    app = app_factory()
    ident = _pending_row(app)
    if backend == "sqlite":  # entries are chained as written: nothing may leave, ever
        with pytest.raises(sa.exc.DatabaseError), app.engine.begin() as conn:
            conn.execute(sa.delete(audit_pending))
        return
    with app.engine.begin() as conn:
        conn.execute(sa.select(sa.func.set_config(SEALING_SETTING, "on", True)))
        conn.execute(sa.delete(audit_pending).where(audit_pending.c.id == ident))
    with pytest.raises(sa.exc.DatabaseError), app.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_pending"))

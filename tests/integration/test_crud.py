"""Create, read, update and delete through the bus, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller
from tests.support.engine_helpers import caller, count, raises_code, table


def test_create_then_get_round_trips_typed_values(app: App, admin: Caller) -> None:
    project = app.bus.dispatch("project.create", {"name": "Apollo", "budget": "1234.50"}, admin)
    payload = {
        "title": "Write the spec",
        "description": "Line one\nLine two",
        "due_date": "2026-03-14",
        "estimate_hours": 2.5,
        "priority": "high",
        "project_id": str(project["id"]),
    }
    created = app.bus.dispatch("task.create", payload, admin)
    fetched = app.bus.dispatch("task.get", {"id": str(created["id"])}, admin)

    assert isinstance(fetched["id"], uuid.UUID)
    assert fetched["id"] == created["id"]
    assert fetched["title"] == "Write the spec"
    assert fetched["description"] == "Line one\nLine two"
    assert fetched["due_date"] == dt.date(2026, 3, 14)
    assert fetched["estimate_hours"] == 2.5
    assert fetched["priority"] == "high"
    assert fetched["project_id"] == project["id"]
    assert fetched["created_by"] == fetched["updated_by"] == "alice"
    assert fetched["created_at"].tzinfo is not None
    assert "tenant_id" not in fetched
    budget = app.bus.dispatch("project.get", {"id": str(project["id"])}, admin)["budget"]
    assert budget == Decimal("1234.50")


def test_defaults_are_applied_on_create(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Defaults"}, admin)
    fetched = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert fetched["status"] == "todo"
    assert fetched["priority"] == "medium"
    assert fetched["version"] == 1
    assert fetched["due_date"] is None
    doctor = app.bus.dispatch("doctor.create", {"full_name": "Dr. Who"}, admin)
    patient = app.bus.dispatch("patient.create", {"full_name": "Amy Pond"}, admin)
    appointment = app.bus.dispatch(
        "appointment.create",
        {
            "starts_at": "2026-05-01T09:30:00+02:00",
            "patient_id": str(patient["id"]),
            "doctor_id": str(doctor["id"]),
        },
        admin,
    )
    got = app.bus.dispatch("appointment.get", {"id": str(appointment["id"])}, admin)
    assert got["duration_minutes"] == 30
    assert got["status"] == "scheduled"
    assert got["starts_at"] == dt.datetime(2026, 5, 1, 7, 30, tzinfo=dt.UTC)
    assert app.bus.dispatch("doctor.get", {"id": str(doctor["id"])}, admin)["specialty"] == (
        "general_practice"
    )


def test_client_supplied_id_is_used_and_a_taken_id_conflicts(app: App, admin: Caller) -> None:
    wanted = uuid.uuid4()
    created = app.bus.dispatch("task.create", {"id": str(wanted), "title": "Mine"}, admin)
    assert created["id"] == wanted
    with raises_code("conflict"):
        app.bus.dispatch("task.create", {"id": str(wanted), "title": "Again"}, admin)
    assert count(app, "tasks") == 1


def test_update_changes_fields_and_increments_version(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Old", "due_date": "2026-01-01"}, admin)
    bob = caller("bob", roles=("operator",))
    updated = app.bus.dispatch(
        "task.update", {"id": str(task["id"]), "title": "New", "due_date": None}, bob
    )
    assert updated["version"] == 2
    fetched = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert fetched["title"] == "New"
    assert fetched["due_date"] is None
    assert fetched["version"] == 2
    assert fetched["updated_by"] == "bob"
    assert fetched["created_by"] == "alice"
    assert fetched["updated_at"] >= fetched["created_at"]
    app.bus.dispatch("task.update", {"id": str(task["id"]), "priority": "low"}, admin)
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["version"] == 3


def test_update_with_expected_version(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Versioned"}, admin)
    task_id = str(task["id"])
    app.bus.dispatch("task.update", {"id": task_id, "title": "v2", "expected_version": 1}, admin)
    with raises_code("conflict") as err:
        app.bus.dispatch(
            "task.update", {"id": task_id, "title": "stale", "expected_version": 1}, admin
        )
    assert err.value.details.get("reason") == "stale"
    fetched = app.bus.dispatch("task.get", {"id": task_id}, admin)
    assert (fetched["title"], fetched["version"]) == ("v2", 2)


def test_stale_expected_version_conflicts_even_when_nothing_would_change(
    app: App, admin: Caller
) -> None:
    """The caller read version 1; saving its (identical) form must not look like success."""
    task = app.bus.dispatch("task.create", {"title": "Same"}, admin)
    task_id = str(task["id"])
    app.bus.dispatch("task.update", {"id": task_id, "priority": "high"}, admin)
    with raises_code("conflict"):
        app.bus.dispatch(
            "task.update", {"id": task_id, "title": "Same", "expected_version": 1}, admin
        )


def test_invalid_writes_are_refused_and_change_nothing(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Keep me"}, admin)
    tid = str(task["id"])
    doctor = app.bus.dispatch("doctor.create", {"full_name": "Dr. A"}, admin)
    patient = app.bus.dispatch("patient.create", {"full_name": "P"}, admin)
    appt = app.bus.dispatch(
        "appointment.create",
        {
            "starts_at": "2026-05-01T09:00:00Z",
            "patient_id": str(patient["id"]),
            "doctor_id": str(doctor["id"]),
        },
        admin,
    )
    cases = {
        # a workflow state moves only through transition
        "status": ("task.update", {"id": tid, "status": "done"}),
        # required fields and required references cannot be cleared
        "title": ("task.update", {"id": tid, "title": None}),
        "doctor_id": ("appointment.update", {"id": str(appt["id"]), "doctor_id": None}),
        # nor left out on create
        "title ": ("task.create", {"description": "no title"}),
    }
    for field, (action, payload) in cases.items():
        with raises_code("invalid_input") as err:
            app.bus.dispatch(action, payload, admin)
        assert field.strip() in err.value.message, field
    got = app.bus.dispatch("task.get", {"id": tid}, admin)
    assert (got["title"], got["status"], got["version"]) == ("Keep me", "todo", 1)
    assert app.bus.dispatch("appointment.get", {"id": str(appt["id"])}, admin)["doctor_id"]
    assert count(app, "tasks") == 1


def test_delete_removes_the_record(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Doomed"}, admin)
    keep = app.bus.dispatch("task.create", {"title": "Kept"}, admin)
    result = app.bus.dispatch("task.delete", {"id": str(task["id"])}, admin)
    assert result == {"id": task["id"], "deleted": True}
    with raises_code("not_found"):
        app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    with raises_code("not_found"):
        app.bus.dispatch("task.delete", {"id": str(task["id"])}, admin)
    assert count(app, "tasks") == 1
    assert app.bus.dispatch("task.get", {"id": str(keep["id"])}, admin)["title"] == "Kept"


def test_missing_record_is_not_found_for_every_record_action(app: App, admin: Caller) -> None:
    missing = str(uuid.uuid4())
    for action, payload in [
        ("task.get", {"id": missing}),
        ("task.update", {"id": missing, "title": "x"}),
        ("task.delete", {"id": missing}),
        ("task.transition", {"id": missing, "to": "in_progress"}),
        ("task.transitions", {"id": missing}),
        ("project.summary", {"id": missing}),
    ]:
        with raises_code("not_found"):
            app.bus.dispatch(action, payload, admin)


def test_unique_fields_conflict_within_a_tenant(app: App, admin: Caller) -> None:
    app.bus.dispatch("company.create", {"name": "Initech"}, admin)
    other = app.bus.dispatch("company.create", {"name": "Initrode"}, admin)
    with raises_code("conflict") as err:
        app.bus.dispatch("company.create", {"name": "Initech"}, admin)
    assert err.value.details.get("field") == "name"
    with raises_code("conflict"):
        app.bus.dispatch("company.update", {"id": str(other["id"]), "name": "Initech"}, admin)
    names = sorted(r["name"] for r in app.bus.dispatch("company.list", {}, admin)["items"])
    assert names == ["Initech", "Initrode"]

    base = {"first_name": "Ann", "last_name": "Lee"}
    app.bus.dispatch("contact.create", {**base, "email": "ann@example.com"}, admin)
    with raises_code("conflict") as err:
        app.bus.dispatch("contact.create", {**base, "email": "ann@example.com"}, admin)
    assert err.value.details.get("field") == "email"
    # Several contacts without an email are fine: uniqueness applies to values only.
    app.bus.dispatch("contact.create", base, admin)
    app.bus.dispatch("contact.create", base, admin)
    assert count(app, "contacts") == 3


def test_unique_values_are_per_tenant(app: App, admin: Caller) -> None:
    other = caller("olga", tenant="other")
    app.bus.dispatch("company.create", {"name": "Globex"}, admin)
    app.bus.dispatch("company.create", {"name": "Globex"}, other)
    base = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}
    app.bus.dispatch("contact.create", base, admin)
    app.bus.dispatch("contact.create", base, other)
    companies = table(app, "companies")
    assert count(app, "companies", companies.c.name == "Globex") == 2
    for who in (admin, other):
        assert len(app.bus.dispatch("company.list", {}, who)["items"]) == 1
        with raises_code("conflict"):
            app.bus.dispatch("company.create", {"name": "Globex"}, who)


def test_unique_index_holds_in_the_database_itself(app: App, admin: Caller) -> None:
    """The tenant-scoped unique index backs the bus check against racing writers."""
    app.bus.dispatch("company.create", {"name": "Umbrella"}, admin)
    companies = table(app, "companies")
    row = {
        "id": uuid.uuid4(),
        "tenant_id": "default",
        "name": "Umbrella",
        "created_at": dt.datetime.now(dt.UTC),
        "updated_at": dt.datetime.now(dt.UTC),
        "created_by": "raw",
        "updated_by": "raw",
        "version": 1,
    }
    with pytest.raises(sa.exc.IntegrityError), app.engine.begin() as conn:
        conn.execute(companies.insert(), row)
    with app.engine.begin() as conn:
        conn.execute(companies.insert(), {**row, "tenant_id": "elsewhere"})
    assert count(app, "companies") == 2

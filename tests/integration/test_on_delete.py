"""ON DELETE set_null, cascade and restrict: through the bus and in the database itself."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller
from tests.support.engine_helpers import audit_entries, count, raises_code, rows, table


def _clinic(app: App, who: Caller) -> dict[str, Any]:
    doctor = app.bus.dispatch("doctor.create", {"full_name": "Dr. Grey"}, who)
    other_doctor = app.bus.dispatch("doctor.create", {"full_name": "Dr. Shepherd"}, who)
    patient = app.bus.dispatch("patient.create", {"full_name": "Izzie"}, who)
    other_patient = app.bus.dispatch("patient.create", {"full_name": "George"}, who)
    appts = [
        app.bus.dispatch(
            "appointment.create",
            {
                "starts_at": f"2026-07-0{i + 1}T09:00:00Z",
                "patient_id": str(p["id"]),
                "doctor_id": str(d["id"]),
            },
            who,
        )
        for i, (p, d) in enumerate(
            [(patient, doctor), (patient, other_doctor), (other_patient, other_doctor)]
        )
    ]
    return {
        "doctor": doctor,
        "other_doctor": other_doctor,
        "patient": patient,
        "other_patient": other_patient,
        "appointments": appts,
    }


def test_set_null_keeps_contacts_when_their_company_goes(app: App, admin: Caller) -> None:
    acme = app.bus.dispatch("company.create", {"name": "Acme"}, admin)
    other = app.bus.dispatch("company.create", {"name": "Other"}, admin)
    people = [
        app.bus.dispatch(
            "contact.create",
            {"first_name": f"P{i}", "last_name": "X", "company_id": str(c["id"])},
            admin,
        )
        for i, c in enumerate([acme, acme, other])
    ]
    app.bus.dispatch("company.delete", {"id": str(acme["id"])}, admin)
    after = {
        p["id"]: app.bus.dispatch("contact.get", {"id": str(p["id"])}, admin)["company_id"]
        for p in people
    }
    assert after == {people[0]["id"]: None, people[1]["id"]: None, people[2]["id"]: other["id"]}
    entry = audit_entries(app)[-1]
    assert entry["action_id"] == "company.delete"
    assert entry["changes"]["_on_delete"] == {"set_null": {"contacts": 2}}


def test_cascade_removes_a_projects_tasks_only(app: App, admin: Caller) -> None:
    doomed = app.bus.dispatch("project.create", {"name": "Doomed"}, admin)
    kept = app.bus.dispatch("project.create", {"name": "Kept"}, admin)
    for i in range(3):
        app.bus.dispatch("task.create", {"title": f"d{i}", "project_id": str(doomed["id"])}, admin)
    keep_task = app.bus.dispatch(
        "task.create", {"title": "k", "project_id": str(kept["id"])}, admin
    )
    loose = app.bus.dispatch("task.create", {"title": "loose"}, admin)
    app.bus.dispatch("project.delete", {"id": str(doomed["id"])}, admin)
    remaining = {t["id"] for t in app.bus.dispatch("task.list", {}, admin)["items"]}
    assert remaining == {keep_task["id"], loose["id"]}
    tasks = table(app, "tasks")
    assert count(app, "tasks", tasks.c.project_id == doomed["id"]) == 0
    assert audit_entries(app)[-1]["changes"]["_on_delete"] == {"cascade": {"tasks": 3}}


def test_cascade_removes_a_patients_appointments(app: App, admin: Caller) -> None:
    c = _clinic(app, admin)
    app.bus.dispatch("patient.delete", {"id": str(c["patient"]["id"])}, admin)
    left = app.bus.dispatch("appointment.list", {}, admin)["items"]
    assert [a["id"] for a in left] == [c["appointments"][2]["id"]]
    # Both doctors stay: cascade follows the patient reference only.
    assert len(app.bus.dispatch("doctor.list", {}, admin)["items"]) == 2


def test_restrict_refuses_to_delete_a_booked_doctor(app: App, admin: Caller) -> None:
    c = _clinic(app, admin)
    audit_before = len(audit_entries(app))
    with raises_code("conflict") as err:
        app.bus.dispatch("doctor.delete", {"id": str(c["doctor"]["id"])}, admin)
    assert err.value.details.get("reason") == "restrict"
    assert "Appointment" in err.value.message
    assert app.bus.dispatch("doctor.get", {"id": str(c["doctor"]["id"])}, admin)
    assert count(app, "appointments") == 3
    assert len(audit_entries(app)) == audit_before
    # Once nothing references the doctor, the delete goes through.
    app.bus.dispatch("appointment.delete", {"id": str(c["appointments"][0]["id"])}, admin)
    app.bus.dispatch("doctor.delete", {"id": str(c["doctor"]["id"])}, admin)
    with raises_code("not_found"):
        app.bus.dispatch("doctor.get", {"id": str(c["doctor"]["id"])}, admin)


# --- the database enforces the same actions when the bus is bypassed -----------------


def _raw_delete(app: App, table_name: str, record_id: uuid.UUID) -> None:
    t = table(app, table_name)
    with app.engine.begin() as conn:
        conn.execute(sa.delete(t).where(t.c.id == record_id))


def test_database_sets_null_and_cascades_on_raw_deletes(app: App, admin: Caller) -> None:
    acme = app.bus.dispatch("company.create", {"name": "Acme"}, admin)
    person = app.bus.dispatch(
        "contact.create",
        {"first_name": "A", "last_name": "B", "company_id": str(acme["id"])},
        admin,
    )
    _raw_delete(app, "companies", acme["id"])
    contacts = table(app, "contacts")
    [row] = rows(app, contacts, contacts.c.id == person["id"])
    assert row["company_id"] is None

    project = app.bus.dispatch("project.create", {"name": "P"}, admin)
    for i in range(2):
        app.bus.dispatch("task.create", {"title": f"t{i}", "project_id": str(project["id"])}, admin)
    app.bus.dispatch("task.create", {"title": "other"}, admin)
    _raw_delete(app, "projects", project["id"])
    assert count(app, "tasks") == 1

    c = _clinic(app, admin)
    _raw_delete(app, "patients", c["patient"]["id"])
    appointments = table(app, "appointments")
    assert count(app, "appointments") == 1
    assert count(app, "appointments", appointments.c.patient_id == c["patient"]["id"]) == 0


def test_database_restricts_and_refuses_dangling_references(app: App, admin: Caller) -> None:
    c = _clinic(app, admin)
    with pytest.raises(sa.exc.IntegrityError):
        _raw_delete(app, "doctors", c["doctor"]["id"])
    assert count(app, "doctors") == 2
    assert count(app, "appointments") == 3

    tasks = table(app, "tasks")
    now = dt.datetime.now(dt.UTC)
    row = {
        "id": uuid.uuid4(),
        "tenant_id": "default",
        "title": "orphan",
        "status": "todo",
        "priority": "medium",
        "project_id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "created_by": "raw",
        "updated_by": "raw",
        "version": 1,
    }
    with pytest.raises(sa.exc.IntegrityError), app.engine.begin() as conn:
        conn.execute(tasks.insert(), row)
    assert count(app, "tasks") == 0


def test_bus_refuses_a_dangling_reference(app: App, admin: Caller) -> None:
    with raises_code("invalid_input") as err:
        app.bus.dispatch("task.create", {"title": "orphan", "project_id": str(uuid.uuid4())}, admin)
    assert err.value.details.get("field") == "project_id"
    assert count(app, "tasks") == 0

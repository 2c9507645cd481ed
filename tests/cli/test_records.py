"""Record shorthands and `run`, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid

from tests.cli.conftest import all_items, dispatch, run_cli


def test_list_pages_with_a_cursor_and_prints_one_document(sqlite_db: str) -> None:
    first = run_cli("list", "task", "--limit", "2", "--format", "json", db=sqlite_db)
    assert first.code == 0, first.stderr
    page = first.json()
    assert set(page) == {"items", "next_cursor", "prev_cursor"}
    assert len(page["items"]) == 2 and page["next_cursor"]
    second = run_cli(
        "list", "task", "--limit", "2", "--cursor", page["next_cursor"], db=sqlite_db
    ).json()
    first_ids = {i["id"] for i in page["items"]}
    assert first_ids.isdisjoint(i["id"] for i in second["items"])


def test_list_all_follows_every_cursor(seeded_db: str) -> None:
    result = run_cli("list", "Tasks", "--all", "--limit", "3", db=seeded_db)
    assert result.code == 0, result.stderr
    listed = result.json()
    assert listed["next_cursor"] is None
    expected = {str(t["id"]) for t in all_items(seeded_db, "task")}
    assert [i["id"] for i in listed["items"]] and {i["id"] for i in listed["items"]} == expected
    assert len(listed["items"]) == len(expected)


def test_filters_are_typed_by_field(sqlite_db: str) -> None:
    result = run_cli(
        "list",
        "TASK",
        "--filter",
        "status__in=todo,review",
        "--filter",
        "estimate_hours__gt=4",
        "--order-by",
        "-estimate_hours",
        "--limit",
        "500",
        db=sqlite_db,
    )
    assert result.code == 0, result.stderr
    items = result.json()["items"]
    expected = all_items(
        sqlite_db, "task", {"status__in": ["todo", "review"], "estimate_hours__gt": 4}
    )
    assert items and len(items) == len(expected)
    assert all(i["status"] in ("todo", "review") and i["estimate_hours"] > 4 for i in items)
    hours = [i["estimate_hours"] for i in items]
    assert hours == sorted(hours, reverse=True)


def test_list_as_csv_has_a_header_and_every_column(sqlite_db: str) -> None:
    result = run_cli("list", "project", "--format", "csv", db=sqlite_db)
    assert result.code == 0, result.stderr
    assert "\r\n" in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    projects = all_items(sqlite_db, "project")
    assert len(rows) == len(projects)
    assert {"id", "name", "status", "budget", "version"} <= set(rows[0])


def test_a_record_from_create_to_delete(seeded_db: str) -> None:
    created = run_cli(
        "create",
        "task",
        "title=Ship the CLI",
        "priority=high",
        "estimate_hours=2.5",
        "due_date=2025-06-30",
        "description=first draft",
        db=seeded_db,
    )
    assert created.code == 0, created.stderr
    record = created.json()
    assert record["estimate_hours"] == 2.5 and record["due_date"] == "2025-06-30"
    record_id = record["id"]

    updated = run_cli("update", "task", record_id, "description=null", "priority=low", db=seeded_db)
    assert updated.code == 0, updated.stderr
    assert updated.json()["description"] is None and updated.json()["version"] == 2

    moves = run_cli("transitions", "task", record_id, db=seeded_db).json()
    assert {m["to"] for m in moves["workflows"][0]["moves"]} == {"in_progress", "blocked"}

    moved = run_cli("transition", "task", record_id, "start", db=seeded_db)
    assert moved.code == 0, moved.stderr
    assert moved.json()["status"] == "in_progress"
    assert run_cli("transition", "tasks", record_id, "review", db=seeded_db).code == 0

    fetched = run_cli("get", "Task", record_id, db=seeded_db).json()
    assert fetched["status"] == "review" and fetched["priority"] == "low"

    deleted = run_cli("delete", "task", record_id, "--yes", db=seeded_db)
    assert deleted.code == 0, deleted.stderr
    assert deleted.json() == {"id": record_id, "deleted": True}
    assert run_cli("get", "task", record_id, db=seeded_db).code == 6


def test_run_dispatches_any_action_from_json_or_key_values(sqlite_db: str) -> None:
    project = all_items(sqlite_db, "project")[0]
    summary = run_cli("run", "project.summary", f"id={project['id']}", db=sqlite_db)
    assert summary.code == 0, summary.stderr
    tasks = all_items(sqlite_db, "task", {"project_id": str(project["id"])})
    assert sum(summary.json()["tasks_by_status"].values()) == len(tasks)

    payload = json.dumps({"name": "From JSON", "budget": "1200.50"})
    from_json = run_cli("run", "project.create", "--input", payload, db=sqlite_db)
    assert from_json.code == 0, from_json.stderr
    assert from_json.json()["budget"] == "1200.50"

    stdin_payload = json.dumps({"filters": {"name": "From JSON"}})
    listed = run_cli("run", "project.list", "--input-file", "-", stdin=stdin_payload, db=sqlite_db)
    assert [p["name"] for p in listed.json()["items"]] == ["From JSON"]

    overridden = run_cli(
        "run", "company.create", "--input", '{"name": "A"}', "name=B", "employees=12", db=sqlite_db
    ).json()
    assert overridden["name"] == "B" and overridden["employees"] == 12


def test_values_are_parsed_by_declared_type(sqlite_db: str) -> None:
    company = run_cli(
        "create",
        "company",
        "name=Typed Ltd",
        "employees=40",
        "annual_revenue=1000.25",
        "industry=software",
        db=sqlite_db,
    ).json()
    assert company["employees"] == 40 and company["annual_revenue"] == "1000.25"
    doctor = run_cli("create", "doctor", "full_name=Dr Who", "specialty=cardiology", db=sqlite_db)
    patient = run_cli(
        "create", "patient", "full_name=Amy", "date_of_birth=1990-02-03", db=sqlite_db
    )
    assert doctor.code == 0 and patient.code == 0, doctor.stderr + patient.stderr
    appointment = run_cli(
        "create",
        "appointment",
        "starts_at=2025-03-04T09:30:00+01:00",
        f"patient_id={patient.json()['id']}",
        f"doctor_id={doctor.json()['id']}",
        db=sqlite_db,
    )
    assert appointment.code == 0, appointment.stderr
    assert appointment.json()["starts_at"].startswith("2025-03-04T08:30:00")


def test_table_output_fits_eighty_columns_and_keeps_ids_whole(sqlite_db: str) -> None:
    result = run_cli(
        "list", "task", "--limit", "5", "--format", "table", db=sqlite_db, env={"COLUMNS": "80"}
    )
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["id", "title"]
    assert all(len(line) <= 80 for line in lines)
    for line in lines[2:]:
        uuid.UUID(line.split()[0])


def test_get_prints_fields_one_per_line_in_table_mode(sqlite_db: str) -> None:
    task = all_items(sqlite_db, "task")[0]
    result = run_cli("get", "task", str(task["id"]), "--format", "table", db=sqlite_db)
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines() if " " in line.strip())
    assert rows["title"] == task["title"] and rows["id"] == str(task["id"])


def test_delete_on_a_terminal_asks_first(sqlite_db: str) -> None:
    import os
    import pty
    import subprocess

    task = dispatch(sqlite_db, "task.create", {"title": "Ask before deleting"})
    for answer, code in (("n\n", 2), ("y\n", 0)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            [str(run_cli.__globals__["METASAAS"]), "delete", "task", str(task["id"])]
            + ["--db", sqlite_db],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(follower)
        os.write(leader, answer.encode())
        out, err = proc.communicate(timeout=60)
        os.close(leader)
        assert proc.returncode == code, err
        assert "Delete Task" in err
    assert run_cli("get", "task", str(task["id"]), db=sqlite_db).code == 6

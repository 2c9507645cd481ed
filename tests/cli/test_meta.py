"""`entities` and `actions`: the declared model, readable by people and by tools."""

from __future__ import annotations

from entities import DOMAIN
from entities.projects import TASK_STATUSES
from tests.cli.conftest import run_cli


def test_entities_lists_every_declared_entity_as_a_json_schema(sqlite_db: str) -> None:
    result = run_cli("entities", "--format", "json", db=sqlite_db)
    assert result.code == 0, result.stderr
    schemas = result.json()["items"]
    assert [s["title"] for s in schemas] == [e.name for e in DOMAIN.entities]
    for schema in schemas:
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "object" and "id" in schema["required"]


def test_one_entity_schema_carries_types_limits_workflow_and_permissions(sqlite_db: str) -> None:
    schema = run_cli("entities", "tasks", "--format", "json", db=sqlite_db).json()
    props = schema["properties"]
    assert props["title"] == {
        "type": "string",
        "maxLength": 200,
        "title": "Title",
        "x-field-type": "text",
    }
    status = props["status"]["anyOf"][0]
    assert status["enum"] == list(TASK_STATUSES)
    assert props["estimate_hours"]["anyOf"][0]["maximum"] == 10_000
    assert props["project_id"]["anyOf"][0]["x-references"] == "Project"
    assert props["version"]["readOnly"] is True
    assert "title" in schema["required"] and "description" not in schema["required"]
    declared = schema["x-metasaas"]
    assert declared["workflows"][0]["field"] == "status"
    assert declared["workflows"][0]["initial"] == "todo"
    assert declared["workflows"][0]["final"] == ["done"]
    assert "task.transition" in declared["actions"]
    assert declared["permissions"][0]["effect"] == "deny"

    patient = run_cli("entities", "patient", "--format", "json", db=sqlite_db).json()
    assert patient["properties"]["date_of_birth"]["anyOf"][0]["x-sensitive"] is True


def test_one_entity_as_text_shows_fields_workflow_and_permissions(sqlite_db: str) -> None:
    result = run_cli("entities", "Task", "--format", "table", db=sqlite_db)
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "estimate_hours" in text and "min 0; max 10000" in text
    assert "todo -> in_progress (start)" in text
    assert "allow delete to operator (own records)" in text


def test_actions_with_input_schemas_filtered_by_entity(sqlite_db: str) -> None:
    result = run_cli("actions", "--entity", "projects", "--format", "json", db=sqlite_db)
    assert result.code == 0, result.stderr
    actions = {a["id"]: a for a in result.json()["items"]}
    assert set(actions) == {
        "project.create",
        "project.list",
        "project.count",
        "project.get",
        "project.update",
        "project.delete",
        "project.restore",  # the CLI's caller is the development admin
        "project.summary",
    }
    create = actions["project.create"]["input_schema"]
    assert create["required"] == ["name"] and create["additionalProperties"] is False
    assert actions["project.summary"]["mutates"] is False
    restore = actions["project.restore"]["input_schema"]
    assert {"id", "name", "created_at", "version"} <= set(restore["required"])
    assert actions["project.restore"]["mutates"] is True
    member = run_cli(
        "actions",
        "--entity",
        "projects",
        "--format",
        "json",
        db=sqlite_db,
        env={"METASAAS_ROLES": '["operator"]'},
    )
    assert "project.restore" not in {a["id"] for a in member.json()["items"]}

    table = run_cli("actions", "--format", "table", db=sqlite_db)
    assert "appointment.transition" in table.stdout and "project.summary" in table.stdout

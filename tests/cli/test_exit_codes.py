"""Each documented exit code from a real failure, and errors on stderr in both formats.

4 (unauthenticated), 8 (rate_limited) and 9 (ai_unavailable) have no producer yet: the
development caller is always authenticated and neither rate limits nor the AI exist.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.cli.conftest import dispatch, run_cli

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def test_help_documents_the_exit_codes() -> None:
    result = run_cli("--help")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    for code in ("0 ok", "2 usage", "3 invalid_input", "5 forbidden", "7 conflict"):
        assert code in text


def test_without_a_command_and_not_on_a_terminal_help_is_printed() -> None:
    result = run_cli()
    assert result.code == 0 and "Usage: metasaas" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["list", "task", "--no-such-option"],
        ["list"],
        ["--format", "xml", "list", "task"],
        ["--tenant", "Not A Tenant", "list", "task"],
    ],
)
def test_usage_errors_exit_2(sqlite_db: str, args: list[str]) -> None:
    result = run_cli(*args, db=sqlite_db)
    assert result.code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_delete_refuses_without_yes_when_stdin_is_not_a_terminal(sqlite_db: str) -> None:
    task = dispatch(sqlite_db, "task.create", {"title": "keep me"})
    result = run_cli("delete", "task", str(task["id"]), db=sqlite_db)
    assert result.code == 2
    assert "--yes" in result.error()["message"]
    assert run_cli("get", "task", str(task["id"]), db=sqlite_db).code == 0


def test_a_bad_value_names_the_field_and_the_type(sqlite_db: str) -> None:
    result = run_cli("create", "task", "title=x", "estimate_hours=lots", db=sqlite_db)
    assert result.code == 3
    error = result.error()
    assert error["code"] == "invalid_input"
    assert error["details"]["field"] == "estimate_hours"
    assert error["details"]["expected"] == "a number"
    assert [e["field"] for e in error["details"]["errors"]] == ["estimate_hours"]
    assert "lots" not in result.stderr

    as_text = run_cli(
        "create", "task", "title=x", "due_date=tomorrow", "--format", "table", db=sqlite_db
    )
    assert as_text.code == 3
    assert as_text.stderr.strip() == "error: due_date: expected a date: YYYY-MM-DD"


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("priority=urgent", "one of low, medium, high"),
        ("estimate_hours=nan", "a number"),
        ("project_id=42", "a UUID"),
    ],
)
def test_each_type_rejects_text_that_does_not_fit(
    sqlite_db: str, assignment: str, expected: str
) -> None:
    result = run_cli("create", "task", "title=x", assignment, db=sqlite_db)
    assert result.code == 3
    assert result.error()["details"]["expected"] == expected


def test_the_bus_rejects_input_with_exit_3(sqlite_db: str) -> None:
    result = run_cli("create", "task", "priority=high", db=sqlite_db)
    assert result.code == 3
    assert result.error()["details"]["errors"][0]["field"] == "title"


def test_a_viewer_is_forbidden_to_create(sqlite_db: str) -> None:
    result = run_cli(
        "create", "task", "title=nope", db=sqlite_db, env={"METASAAS_ROLES": '["viewer"]'}
    )
    assert result.code == 5
    assert result.error()["code"] == "forbidden"
    assert run_cli("list", "task", db=sqlite_db, env={"METASAAS_ROLES": '["viewer"]'}).code == 0


def test_a_missing_record_and_an_unknown_entity_are_not_found(sqlite_db: str) -> None:
    missing = run_cli("get", "task", str(uuid.uuid4()), db=sqlite_db)
    assert missing.code == 6 and missing.error()["code"] == "not_found"
    unknown = run_cli("list", "spaceship", db=sqlite_db)
    assert unknown.code == 6 and "task" in unknown.error()["message"]


def test_workflow_and_version_conflicts_exit_7(sqlite_db: str) -> None:
    task = dispatch(sqlite_db, "task.create", {"title": "conflicted"})
    jump = run_cli("transition", "task", str(task["id"]), "done", db=sqlite_db)
    assert jump.code == 7
    assert set(jump.error()["details"]["allowed"]) == {"in_progress", "blocked"}
    stale = run_cli(
        "update", "task", str(task["id"]), "title=late", "expected_version=7", db=sqlite_db
    )
    assert stale.code == 7 and stale.error()["details"]["reason"] == "stale"


def test_an_unreachable_database_is_internal_without_a_traceback() -> None:
    result = run_cli("list", "task", "--format", "table", db=UNREACHABLE)
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database is unavailable")

    as_json = run_cli("list", "task", db=UNREACHABLE)
    assert as_json.code == 1 and as_json.error()["code"] == "internal"

    debug = run_cli("list", "task", "--debug", "--format", "table", db=UNREACHABLE)
    assert debug.code == 1 and "Traceback" in debug.stderr


def test_health_fails_on_an_unreachable_database() -> None:
    result = run_cli("health", db=UNREACHABLE)
    assert result.code == 1
    assert json.loads(result.stderr)["error"]["code"] == "internal"


def test_an_argument_without_equals_is_invalid_and_not_echoed(sqlite_db: str) -> None:
    result = run_cli("create", "patient", "full_name=A", "AB-123-secret", db=sqlite_db)
    assert result.code == 3
    assert result.error()["details"]["expected"] == "key=value"
    assert "secret" not in result.stderr

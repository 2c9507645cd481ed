"""An update naming a column the platform sets (id, timestamps, authors, version, tenant)
is refused by name (exit 3), never silently ignored."""

from __future__ import annotations

import uuid

import pytest

from tests.cli.conftest import dispatch, run_cli


@pytest.mark.parametrize(
    "assignment",
    [
        f"id={uuid.UUID(int=1)}",
        "version=9",
        "created_at=2020-01-01T00:00:00+00:00",
        "updated_by=mallory",
        "tenant_id=other",
    ],
)
def test_an_update_naming_a_platform_column_is_refused(sqlite_db: str, assignment: str) -> None:
    task = dispatch(sqlite_db, "task.create", {"title": "fixed"})
    result = run_cli(
        "update", "task", str(task["id"]), assignment, "--format", "json", db=sqlite_db
    )
    assert result.code == 3, result.stdout + result.stderr
    (error,) = result.error()["details"]["errors"]
    assert (error["field"], error["code"]) == (assignment.split("=")[0], "immutable")
    assert dispatch(sqlite_db, "task.get", {"id": str(task["id"])})["version"] == 1

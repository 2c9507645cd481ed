"""Every command on a database that was never migrated says so and names
`metasaas migrate` (SQLite and PostgreSQL), instead of answering `internal`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli
from tests.support.databases import database

LINE = json.dumps({"action": "task.count", "input": {}}) + "\n"
COMMANDS: list[tuple[list[str], str | None]] = [
    (["list", "task"], None),
    (["get", "task", "00000000-0000-4000-8000-000000000001"], None),
    (["create", "task", "title=x"], None),
    (["run", "task.count"], None),
    (["export", "task"], None),
    (["seed"], None),
    (["audit", "list"], None),
    (["audit", "verify"], None),
    (["status"], None),
    (["batch", "--atomic"], LINE),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bare(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database(str(request.param), tmp_path_factory.mktemp("bare")) as url:
        yield url


@pytest.mark.parametrize(("args", "stdin"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_a_command_says_the_database_is_not_migrated(
    bare: str, args: list[str], stdin: str | None
) -> None:
    result = run_cli(*args, "--format", "json", db=bare, stdin=stdin)
    assert result.code == 1, result.stdout + result.stderr
    error = result.error()
    assert error["details"]["reason"] == "not_migrated"
    assert "metasaas migrate" in error["message"]


def test_batch_lines_say_it_too(bare: str) -> None:
    result = run_cli("batch", db=bare, stdin=LINE)
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["error"]["details"]["reason"] == "not_migrated"


def test_import_says_it_too(bare: str, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("title\nx\n")
    for extra in ([], ["--atomic"], ["--dry-run"]):
        result = run_cli("import", "task", str(path), *extra, "--format", "json", db=bare)
        assert result.code == 1
        assert "metasaas migrate" in result.error()["message"], extra


def test_health_lists_what_is_pending(bare: str) -> None:
    result = run_cli("health", "--format", "json", db=bare)
    assert result.code == 1
    assert result.json()["pending_migrations"]

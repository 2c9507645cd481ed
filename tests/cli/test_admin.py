"""Set-up commands end to end: migrate, health, seed, status, config, audit verify."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import all_items, run_cli
from tests.support.databases import database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(str(request.param), tmp_path) as url:
        yield url


def test_a_new_database_from_migrate_to_verified_audit(empty_db: str) -> None:
    unhealthy = run_cli("health", db=empty_db)
    assert unhealthy.code == 1 and unhealthy.json()["pending_migrations"]

    planned = run_cli("migrate", "--dry-run", db=empty_db).json()
    assert not planned["applied"] and any("CREATE TABLE" in s for s in planned["ddl"])
    applied = run_cli("migrate", db=empty_db).json()
    assert applied["applied"] and applied["steps"]
    assert run_cli("health", db=empty_db).json() == {
        "database": "ok",
        "pending_migrations": [],
        "healthy": True,
    }

    seeded = run_cli("seed", db=empty_db).json()
    assert seeded["created"]["Task"] == len(all_items(empty_db, "task"))
    again = run_cli("seed", "--if-empty", db=empty_db).json()
    assert again["created"] == {}

    status = run_cli("--format", "json", db=empty_db)
    assert status.code == 0, status.stderr
    counts = {row["entity"]: row["records"] for row in status.json()["items"]}
    assert counts["Project"] == len(all_items(empty_db, "project"))

    verified = run_cli("audit", "verify", db=empty_db)
    assert verified.code == 0 and verified.json()["ok"] is True
    assert verified.json()["chains"][0]["entries"] > 0


def test_config_show_masks_the_database_password() -> None:
    url = "postgresql+psycopg://someone:hunter2@db.example:5432/app"
    result = run_cli("config", "show", env={"METASAAS_DATABASE_URL": url})
    assert result.code == 0, result.stderr
    assert "hunter2" not in result.stdout
    assert result.json()["database_url"].startswith("postgresql+psycopg://someone:***@")

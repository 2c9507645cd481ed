"""`export` then `import --restore` is a backup and its restore: every seeded record of
every entity comes back exactly (id, fields, workflow states, timestamps, authors,
version), each restored row leaves one audit entry saying so, and only admins may do it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.bootstrap import bootstrap
from core.contracts import Entity
from core.settings import Settings
from tests.cli.conftest import ADMIN, all_items, prepare, run_cli
from tests.support.databases import database


def referenced_first(url: str) -> list[Entity]:
    """Every entity after the ones it references, so a restore never names a missing one."""
    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    try:
        pending = list(app.registry.entities.values())
    finally:
        app.close()
    ordered: list[Entity] = []
    while pending:
        ready = [
            e for e in pending if {r.target for r in e.belongs_to} <= {o.name for o in ordered}
        ]
        assert ready, "a reference cycle"
        ordered.extend(ready)
        pending = [e for e in pending if e not in ready]
    return ordered


def canonical(value: Any) -> Any:
    """Values compared as the same instant, amount or text, whatever the driver returns."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def records(url: str, entity: Entity) -> dict[str, dict[str, Any]]:
    return {
        str(r["id"]): {k: canonical(v) for k, v in r.items()} for r in all_items(url, entity.key)
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A seeded database and an empty migrated one on the same backend."""
    kind = str(request.param)
    with database(kind, tmp_path_factory.mktemp("source")) as source:
        with database(kind, tmp_path_factory.mktemp("target")) as target:
            prepare(source)
            prepare(target, seeded=False)
            yield source, target


def export_all(
    source: str, tmp_path: Path, only: tuple[str, ...] = ()
) -> list[tuple[Entity, Path]]:
    files = []
    for entity in referenced_first(source):
        if only and entity.key not in only:
            continue
        exported = run_cli("export", entity.key, "--format", "csv", db=source)
        assert exported.code == 0, exported.stderr
        path = tmp_path / f"{entity.key}.csv"
        path.write_text(exported.stdout, encoding="utf-8", newline="")
        files.append((entity, path))
    return files


def test_the_whole_domain_round_trips_field_by_field(both: tuple[str, str], tmp_path: Path) -> None:
    source, target = both
    files = export_all(source, tmp_path)
    assert len(files) == 7
    for entity, path in files:
        result = run_cli("import", entity.key, str(path), "--restore", db=target)
        assert result.code == 0, result.stdout + result.stderr
        assert result.json()["imported"] == result.json()["rows"] > 0
    for entity, _ in files:
        before, after = records(source, entity), records(target, entity)
        assert set(after) == set(before), entity.name
        for record_id, record in before.items():
            for name, value in record.items():
                assert after[record_id][name] == value, (entity.name, record_id, name)
    entries = run_cli("audit", "list", "--limit", "1000", db=target).json()["items"]
    restored = [e for e in entries if e["action_id"].endswith(".restore")]
    assert len(restored) == sum(len(records(source, e)) for e, _ in files)
    assert all(e["changes"]["_restored"]["version"] >= 1 for e in restored)
    assert {e["actor_id"] for e in restored} == {ADMIN.user_id}


def test_only_admins_may_restore(both: tuple[str, str], tmp_path: Path) -> None:
    source, target = both
    ((company, path),) = export_all(source, tmp_path, only=("company",))
    member = {"METASAAS_ROLES": '["operator"]'}
    refused = run_cli("import", company.key, str(path), "--restore", db=target, env=member)
    assert refused.code == 5, refused.stderr
    dry = run_cli("import", company.key, str(path), "--restore", "--dry-run", db=target, env=member)
    assert dry.code == 5
    assert all_items(target, company.key) == []


def test_a_restore_checks_references_and_can_resume(both: tuple[str, str], tmp_path: Path) -> None:
    source, target = both
    files = {e.key: p for e, p in export_all(source, tmp_path, only=("company", "contact"))}
    orphans = run_cli("import", "contact", str(files["contact"]), "--restore", db=target)
    assert orphans.code == 3  # their companies are not there (yet)
    assert {r["error"]["details"]["errors"][0]["code"] for r in orphans.json()["rejected"]} == {
        "unknown_reference"
    }
    dry = run_cli("import", "company", str(files["company"]), "--restore", "--dry-run", db=target)
    assert dry.code == 0 and dry.json()["accepted"] > 0
    assert all_items(target, "company") == []
    assert run_cli("import", "company", str(files["company"]), "--restore", db=target).code == 0
    again = run_cli("import", "company", str(files["company"]), "--restore", "--resume", db=target)
    assert again.code == 0 and again.json()["skipped"] == again.json()["rows"]

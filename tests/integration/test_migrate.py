"""Migrations from metadata: create, evolve additively, refuse destruction, dry-run safely."""

from __future__ import annotations

import sqlalchemy as sa

from core.bootstrap import App
from core.contracts import Caller, Entity, Field
from core.db.migrate import migrate
from core.db.platform_tables import PLATFORM_TABLES
from entities import DOMAIN, TASK
from tests.support.engine_helpers import AppFactory, domain_with, entity_with, raises_code

ENTITY_TABLES = {
    "companies",
    "contacts",
    "projects",
    "tasks",
    "doctors",
    "patients",
    "appointments",
}
PLATFORM = {t.name for t in PLATFORM_TABLES}
TRIGGERS = {
    "sqlite": {"audit_log_no_update", "audit_log_no_delete"},
    "postgresql": {"audit_log_no_update", "audit_log_no_truncate"},
}


def _tables(app: App) -> set[str]:
    return set(sa.inspect(app.engine).get_table_names())


def _columns(app: App, table: str) -> dict[str, dict[str, object]]:
    return {c["name"]: dict(c) for c in sa.inspect(app.engine).get_columns(table)}


def _indexes(app: App, table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(app.engine).get_indexes(table)}


def _triggers(app: App) -> set[str]:
    with app.engine.connect() as conn:
        if app.engine.dialect.name == "sqlite":
            stmt = sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            stmt = sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {r[0] for r in conn.execute(stmt)}


def test_fresh_migrate_creates_everything(app_factory: AppFactory) -> None:
    app = app_factory(run_migrate=False)
    assert _tables(app) == set()
    result = migrate(app.engine, app.registry.metadata)
    assert result.applied
    assert ENTITY_TABLES | PLATFORM <= _tables(app)
    assert set(result.created_tables) == ENTITY_TABLES | PLATFORM
    assert TRIGGERS[app.engine.dialect.name] <= _triggers(app)
    task_cols = _columns(app, "tasks")
    for name in ("id", "tenant_id", "created_at", "updated_at", "created_by", "updated_by"):
        assert name in task_cols
    assert {"title", "description", "status", "priority", "due_date", "project_id"} <= set(
        task_cols
    )
    assert task_cols["title"]["nullable"] is False
    assert "ix_tasks_project_id" in _indexes(app, "tasks")
    assert "uq_companies_name" in _indexes(app, "companies")


def test_second_migrate_plans_nothing(app: App) -> None:
    again = migrate(app.engine, app.registry.metadata)
    assert (again.steps, again.ddl, again.applied) == ([], [], False)


def test_dry_run_returns_ddl_and_changes_nothing(app_factory: AppFactory) -> None:
    app = app_factory(run_migrate=False)
    result = migrate(app.engine, app.registry.metadata, dry_run=True)
    assert not result.applied
    assert result.steps
    create_tasks = [s for s in result.ddl if s.upper().startswith("CREATE TABLE TASKS")]
    assert len(create_tasks) == 1
    assert all(isinstance(s, str) for s in result.ddl)
    assert _tables(app) == set()


def _task_with(*fields: Field) -> Entity:
    return entity_with(TASK, fields=(*TASK.fields, *fields))


def test_adding_a_field_is_applied_additively(app_factory: AppFactory, admin: Caller) -> None:
    old = app_factory()
    kept = old.bus.dispatch(
        "task.create",
        {"title": "Before", "description": "keep me", "due_date": "2026-02-02"},
        admin,
    )
    ticket = Field("ticket_ref", "text", max_length=40, unique=True)
    new = app_factory(domain_with(DOMAIN, _task_with(ticket)), run_migrate=False)

    dry = migrate(new.engine, new.registry.metadata, dry_run=True)
    assert any("ADD COLUMN ticket_ref" in s for s in dry.ddl), dry.ddl
    assert "ticket_ref" not in _columns(new, "tasks")

    result = migrate(new.engine, new.registry.metadata)
    kinds = sorted(s.kind for s in result.steps)
    assert kinds == ["add_column", "add_index"]
    assert "ticket_ref" in _columns(new, "tasks")
    assert "uq_tasks_ticket_ref" in _indexes(new, "tasks")
    got = new.bus.dispatch("task.get", {"id": str(kept["id"])}, admin)
    assert (got["title"], got["description"], str(got["due_date"])) == (
        "Before",
        "keep me",
        "2026-02-02",
    )
    assert got["ticket_ref"] is None
    new.bus.dispatch("task.create", {"title": "After", "ticket_ref": "T-1"}, admin)
    with raises_code("conflict"):
        new.bus.dispatch("task.create", {"title": "Dup", "ticket_ref": "T-1"}, admin)
    assert migrate(new.engine, new.registry.metadata).steps == []


def test_required_field_with_default_backfills_existing_rows(
    app_factory: AppFactory, admin: Caller
) -> None:
    old = app_factory()
    ids = [old.bus.dispatch("task.create", {"title": f"t{i}"}, admin)["id"] for i in range(3)]
    size = Field(
        "size", "enum", options=("small", "medium", "large"), required=True, default="small"
    )
    points = Field("points", "integer", required=True, default=3)
    flagged = Field("flagged", "boolean", required=True, default=False)
    new = app_factory(domain_with(DOMAIN, _task_with(size, points, flagged)))
    cols = _columns(new, "tasks")
    assert cols["size"]["nullable"] is False
    for task_id in ids:
        got = new.bus.dispatch("task.get", {"id": str(task_id)}, admin)
        assert (got["size"], got["points"], got["flagged"]) == ("small", 3, False)
    listed = new.bus.dispatch("task.list", {"filters": {"size": "small"}}, admin)["items"]
    assert len(listed) == 3


def test_removing_a_field_is_refused_unless_allowed(app_factory: AppFactory, admin: Caller) -> None:
    old = app_factory()
    task = old.bus.dispatch("task.create", {"title": "Keep", "estimate_hours": 4.0}, admin)
    slim = entity_with(TASK, fields=tuple(f for f in TASK.fields if f.name != "estimate_hours"))
    new = app_factory(domain_with(DOMAIN, slim), run_migrate=False)
    with raises_code("conflict") as err:
        migrate(new.engine, new.registry.metadata)
    assert "tasks.estimate_hours" in err.value.message
    assert "estimate_hours" in _columns(new, "tasks")
    got = old.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert got["estimate_hours"] == 4.0
    dry = migrate(new.engine, new.registry.metadata, dry_run=True)
    assert any("DROP COLUMN estimate_hours" in s for s in dry.ddl), dry.ddl
    assert "estimate_hours" in _columns(new, "tasks")

    migrate(new.engine, new.registry.metadata, allow_destructive=True)
    assert "estimate_hours" not in _columns(new, "tasks")
    assert new.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["title"] == "Keep"


def test_a_new_reference_keeps_its_on_delete_or_is_refused(
    app_factory: AppFactory, admin: Caller
) -> None:
    """PostgreSQL adds the column and its foreign key; SQLite cannot, so it refuses."""
    from core.contracts import belongs_to

    old = app_factory()
    task = old.bus.dispatch("task.create", {"title": "before"}, admin)
    sponsored = entity_with(
        TASK, relationships=(*TASK.relationships, belongs_to("sponsor", "Company"))
    )
    new = app_factory(domain_with(DOMAIN, sponsored), run_migrate=False)
    if new.engine.dialect.name == "sqlite":
        with raises_code("conflict"):
            migrate(new.engine, new.registry.metadata, allow_destructive=True)
        assert "sponsor_id" not in _columns(new, "tasks")
        return
    migrate(new.engine, new.registry.metadata)
    assert migrate(new.engine, new.registry.metadata).steps == []
    company = new.bus.dispatch("company.create", {"name": "Sponsor Inc"}, admin)
    new.bus.dispatch(
        "task.update", {"id": str(task["id"]), "sponsor_id": str(company["id"])}, admin
    )
    new.bus.dispatch("company.delete", {"id": str(company["id"])}, admin)
    assert new.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["sponsor_id"] is None

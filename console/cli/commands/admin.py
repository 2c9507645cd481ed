"""Set-up and housekeeping: migrate, seed, health, config, and the status overview."""

from __future__ import annotations

import click

from console.cli.output import emit, render_table
from console.cli.state import CliState


def show_status(state: CliState) -> None:
    """The entities and their record counts: what `metasaas` shows before the TUI exists."""
    app = state.app
    caller = state.caller()
    rows = []
    for entity in app.registry.entities.values():
        count = app.bus.dispatch(f"{entity.key}.count", {}, caller)["count"]
        rows.append(
            {
                "entity": entity.name,
                "plural": entity.plural,
                "records": count,
                "view": entity.ui.default_view,
            }
        )
    if state.format == "json":
        emit({"items": rows, "next_cursor": None}, "json")
        return
    click.echo(
        f"MetaSAAS Console: tenant {caller.tenant_id!r}, "
        f"{app.engine.url.render_as_string(hide_password=True)}"
    )
    click.echo(render_table(rows, ["entity", "plural", "records", "view"]))
    click.echo("\nTry: metasaas list task --limit 5    metasaas --help")


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the planned DDL; change nothing.")
@click.option(
    "--allow-destructive",
    is_flag=True,
    help="Allow drops and type changes (take a backup first).",
)
@click.pass_obj
def migrate(state: CliState, dry_run: bool, allow_destructive: bool) -> None:
    """Create missing tables and evolve the schema additively."""
    from core.db.migrate import migrate as run_migrate
    from core.seeding import ensure_tenant

    app = state.app
    result = run_migrate(
        app.engine, app.registry.metadata, dry_run=dry_run, allow_destructive=allow_destructive
    )
    if result.applied:
        ensure_tenant(app.engine, app.settings.tenant)
    data = {
        "applied": result.applied,
        "dry_run": dry_run,
        "steps": [
            {"kind": s.kind, "description": s.description, "destructive": s.destructive}
            for s in result.steps
        ],
        "ddl": result.ddl if dry_run else [],
    }
    if state.format == "json":
        emit(data, "json")
        return
    if not result.steps:
        click.echo("schema is up to date")
    for step in result.steps:
        mark = "!" if step.destructive else "+"
        click.echo(f"{mark} {step.description}")
    if dry_run:
        click.echo("\n-- planned DDL (nothing was changed)")
        for statement in result.ddl:
            click.echo(statement + ";")
    elif result.applied:
        click.echo(f"applied {len(result.steps)} step(s)")


@click.command()
@click.option("--if-empty", is_flag=True, help="Seed only when the tenant has no records.")
@click.option(
    "--demo-users",
    is_flag=True,
    help="Also add one user per demo role, with generated passwords printed once.",
)
@click.pass_obj
def seed(state: CliState, if_empty: bool, demo_users: bool) -> None:
    """Load the demo records through the bus (idempotent)."""
    from core.seeding import has_records
    from core.seeding import seed as run_seed

    app = state.app
    demo: list[dict[str, str]] | None = None
    if demo_users:
        from console.cli.commands.accounts import seed_demo_users

        demo = seed_demo_users(state)
    caller = app.system_caller()
    if app.registry.domain.seed is None:
        raise click.UsageError("this domain declares no seed data")
    if if_empty and has_records(app.bus, caller):
        report_data = {"created": {}, "skipped": 0, "note": "tenant already has records"}
    else:
        report = run_seed(app.bus, caller, list(app.registry.domain.seed()))
        report_data = {"created": report.created, "skipped": report.skipped}
    if demo is not None:
        report_data["demo_users"] = demo
    if state.format == "json":
        emit(report_data, "json")
    else:
        if demo is not None:
            from console.cli.commands.accounts import show_demo_users

            show_demo_users(demo)
        created = report_data["created"]
        total = sum(created.values()) if isinstance(created, dict) else 0
        click.echo(f"seeded {total} record(s), skipped {report_data['skipped']} present")


@click.command()
@click.pass_obj
def health(state: CliState) -> None:
    """Check the database connection, that the SQLite file is still the one opened, and
    that no migration is pending (exit 0 if healthy)."""
    import sqlalchemy as sa

    from core.db.engines import database_file
    from core.db.migrate import plan
    from core.errors import InternalError

    app = state.app
    file = database_file(app.engine)
    problem = file.problem() if file is not None else None
    pending: list[str] = []
    if problem is None:
        try:
            with app.engine.connect() as conn:
                conn.execute(sa.select(1))
                pending = [s.description for s in plan(conn, app.registry.metadata)]
        except sa.exc.SQLAlchemyError as exc:
            raise InternalError("cannot connect to the database") from exc
    data = {
        "database": problem or "ok",
        "pending_migrations": pending,
        "healthy": not pending and problem is None,
    }
    if state.format == "json":
        emit(data, "json")
    else:
        click.echo(f"database: {problem or 'ok'}")
        if problem is None:
            click.echo(
                "migrations: "
                + (
                    "up to date"
                    if not pending
                    else f"{len(pending)} pending; run `metasaas migrate`"
                )
            )
    if not data["healthy"]:
        raise SystemExit(1)


@click.group()
def config() -> None:
    """Inspect settings."""


@config.command("show")
@click.pass_obj
def config_show(state: CliState) -> None:
    """Print the effective settings, secrets masked."""
    from console.cli.state import load_settings

    data = load_settings(state.settings_overrides()).masked()
    emit(data, "json" if state.format == "json" else "table")


@click.command()
@click.pass_obj
def status(state: CliState) -> None:
    """The entities and their record counts."""
    show_status(state)


COMMANDS = (migrate, seed, health, config, status)

"""Schema migration from metadata: create what is missing, evolve additively, refuse the rest.

Differences come from Alembic's comparison of the live database with the metadata; each
becomes a step applied through Alembic operations, or, with `dry_run`, rendered as the
DDL that would run. Drops and type changes are refused unless explicitly allowed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.schema import CreateIndex, CreateTable

from core.db.triggers import AUDIT_TRIGGERS
from core.errors import Conflict


@dataclass
class Step:
    kind: str
    description: str
    destructive: bool
    run: Callable[[Operations], None]


@dataclass
class MigrationResult:
    steps: list[Step]
    ddl: list[str]
    applied: bool

    @property
    def created_tables(self) -> list[str]:
        return [s.description.split()[-1] for s in self.steps if s.kind == "create_table"]


def _existing_triggers(conn: sa.Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        master = sa.table("sqlite_master", sa.column("type"), sa.column("name"))
        stmt = sa.select(master.c.name).where(master.c.type == "trigger")
    else:
        trig = sa.table("pg_trigger", sa.column("tgname"))
        stmt = sa.select(trig.c.tgname)
    return {r[0] for r in conn.execute(stmt)}


def _fresh(column: sa.Column[Any]) -> tuple[sa.Column[Any], str | None]:
    """A detached copy to add to an existing table; NOT NULL needs a default to backfill."""
    default = column.server_default.arg if column.server_default is not None else None  # type: ignore[attr-defined]
    nullable = column.nullable or default is None
    note = None if nullable == column.nullable else "added as nullable: existing rows have no value"
    return sa.Column(column.name, column.type, nullable=nullable, server_default=default), note


def _steps_for(diff: Any, metadata: sa.MetaData, dialect: str) -> list[Step]:
    kind = diff[0]
    if kind == "add_table":
        table: sa.Table = diff[1]
        if table.name not in metadata.tables:
            return []

        def create(op: Operations, t: sa.Table = table) -> None:
            op.execute(CreateTable(t))
            for index in sorted(t.indexes, key=lambda i: str(i.name)):
                op.execute(CreateIndex(index))

        return [Step("create_table", f"create table {table.name}", False, create)]
    if kind == "add_column":
        _, _, tname, column = diff
        fresh, note = _fresh(column)
        desc = f"add column {tname}.{column.name}" + (f" ({note})" if note else "")
        if column.foreign_keys and dialect == "sqlite":
            # Without its foreign key the column's on_delete would silently not happen.
            return [
                Step(
                    "add_reference",
                    f"add reference column {tname}.{column.name}: SQLite cannot add a foreign "
                    "key to an existing table",
                    True,
                    _unsupported("adding a belongs_to to an existing SQLite table"),
                )
            ]
        return [Step("add_column", desc, False, partial(_add_column, tname, fresh))]
    if kind == "add_index":
        index: sa.Index = diff[1]
        table_name = index.table.name if index.table is not None else "?"
        return [
            Step(
                "add_index",
                f"add index {index.name} on {table_name}",
                False,
                partial(_execute, CreateIndex(index)),
            )
        ]
    if kind == "add_fk":
        if dialect == "sqlite":
            return []  # refused with its column above
        fk: sa.ForeignKeyConstraint = diff[1]
        return [
            Step(
                "add_fk",
                f"add foreign key {fk.name} on {fk.parent.name}",
                False,
                partial(_add_fk, fk),
            )
        ]
    if kind == "remove_table":
        table = diff[1]
        return [
            Step(
                "drop_table",
                f"drop table {table.name}",
                True,
                partial(_drop_table, table.name),
            )
        ]
    if kind == "remove_column":
        _, _, tname, column = diff
        return [
            Step(
                "drop_column",
                f"drop column {tname}.{column.name}",
                True,
                partial(_drop_column, tname, column.name),
            )
        ]
    if kind == "remove_index":
        index = diff[1]
        return [
            Step(
                "drop_index",
                f"drop index {index.name}",
                True,
                partial(_drop_index, str(index.name), str(getattr(index.table, "name", ""))),
            )
        ]
    return [Step(kind, f"{kind.replace('_', ' ')} {_subject(diff)}", True, _unsupported(kind))]


def _execute(statement: Any, op: Operations) -> None:
    op.execute(statement)


def _add_column(table: str, column: sa.Column[Any], op: Operations) -> None:
    op.add_column(table, column)


def _add_fk(fk: sa.ForeignKeyConstraint, op: Operations) -> None:
    op.create_foreign_key(
        str(fk.name),
        fk.parent.name,
        fk.referred_table.name,
        list(fk.column_keys),
        [e.column.name for e in fk.elements],
        ondelete=fk.ondelete,
    )


def _drop_table(table: str, op: Operations) -> None:
    op.drop_table(table)


def _drop_column(table: str, column: str, op: Operations) -> None:
    op.drop_column(table, column)


def _drop_index(name: str, table: str, op: Operations) -> None:
    op.drop_index(name, table_name=table)


def _subject(diff: Any) -> str:
    parts = [str(p) for p in diff[1:4] if isinstance(p, str)]
    return ".".join(parts) or str(getattr(diff[1], "name", ""))


def _unsupported(kind: str) -> Callable[[Operations], None]:
    def run(op: Operations) -> None:
        raise Conflict(f"{kind} must be migrated by hand: export, recreate, import")

    return run


def _modify_steps(changes: list[Any]) -> list[Step]:
    steps = []
    for change in changes:
        kind, _, tname, cname = change[:4]
        steps.append(
            Step(kind, f"{kind.replace('_', ' ')} of {tname}.{cname}", True, _unsupported(kind))
        )
    return steps


def plan(conn: sa.Connection, metadata: sa.MetaData) -> list[Step]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    dialect = conn.dialect.name
    steps: list[Step] = []
    for diff in compare_metadata(ctx, metadata):
        if isinstance(diff, list):
            steps += _modify_steps(diff)
        else:
            steps += _steps_for(diff, metadata, dialect)
    existing = _existing_triggers(conn)
    triggers = AUDIT_TRIGGERS[dialect]
    if any(not n.startswith("metasaas_") and n not in existing for n, _ in triggers):
        for name, ddl in triggers:
            if name.startswith("metasaas_") or name not in existing:
                kind = "function" if name.startswith("metasaas_") else "trigger"
                steps.append(
                    Step(
                        "create_trigger",
                        f"create {kind} {name}",
                        False,
                        partial(_execute, ddl),
                    )
                )
    return _dedupe(steps)


def _dedupe(steps: list[Step]) -> list[Step]:
    seen: set[str] = set()
    out = []
    for step in steps:
        if step.description not in seen:
            seen.add(step.description)
            out.append(step)
    return out


def migrate(
    engine: sa.Engine,
    metadata: sa.MetaData,
    *,
    dry_run: bool = False,
    allow_destructive: bool = False,
) -> MigrationResult:
    with engine.connect() as conn:
        steps = plan(conn, metadata)
    refused = [s for s in steps if s.destructive and not allow_destructive]
    ddl = _render(engine.dialect.name, steps)
    if dry_run or not steps:
        return MigrationResult(steps, ddl, applied=False)
    if refused:
        names = "; ".join(s.description for s in refused)
        raise Conflict(
            f"refusing destructive changes: {names}. Re-run with --allow-destructive after a "
            "backup, or change the declaration back.",
            {"destructive": [s.description for s in refused]},
        )
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn))
        for step in steps:
            step.run(op)
    return MigrationResult(steps, ddl, applied=True)


def _render(dialect: str, steps: list[Step]) -> list[str]:
    buffer = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buffer}
    )
    op = Operations(ctx)
    for step in steps:
        try:
            step.run(op)
        except Conflict as exc:
            buffer.write(f"-- {exc.message}\n")
    return [s.strip() for s in buffer.getvalue().split(";\n") if s.strip()]

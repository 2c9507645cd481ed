"""Entity metadata to SQLAlchemy tables: the single derivation of the database schema.

Every name that reaches DDL was checked by `core.identifiers` when it was declared, and
every default is bound or rendered by SQLAlchemy, never spliced into SQL text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from core.contracts import Entity, Field, FieldType
from core.db.sqltypes import UTCDateTime


def object_name(*parts: str) -> str:
    """A constraint or index name that fits PostgreSQL's 63 characters, stably."""
    name = "_".join(parts)
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


ON_DELETE = {"set_null": "SET NULL", "cascade": "CASCADE", "restrict": "RESTRICT"}
CURRENCY_PRECISION, CURRENCY_SCALE = 15, 2


def column_type(field: Field) -> sa.types.TypeEngine[Any]:
    t = field.type
    if t in (FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL, FieldType.ENUM):
        return sa.String(field.effective_max_length)
    if t is FieldType.LONG_TEXT:
        return sa.Text()
    if t is FieldType.INTEGER:
        return sa.BigInteger()
    if t in (FieldType.NUMBER, FieldType.PERCENTAGE):
        return sa.Double()
    if t is FieldType.CURRENCY:
        return sa.Numeric(CURRENCY_PRECISION, CURRENCY_SCALE, asdecimal=True)
    if t is FieldType.BOOLEAN:
        return sa.Boolean(create_constraint=False)
    if t is FieldType.DATE:
        return sa.Date()
    if t is FieldType.DATETIME:
        return UTCDateTime()
    return sa.JSON()


def server_default(field: Field) -> str | None:
    """The default existing rows get when a column is added; SQLAlchemy quotes it."""
    value = field.default
    if value is None or field.type is FieldType.JSON:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def field_column(field: Field) -> sa.Column[object]:
    return sa.Column(
        field.name,
        column_type(field),
        nullable=not field.required,
        server_default=server_default(field),
    )


def system_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_id", sa.String(63), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    ]


def reference_column(entity: Entity, name: str, target: Entity) -> sa.Column[object]:
    rel = next(r for r in entity.belongs_to if r.name == name)
    return sa.Column(
        rel.column,
        sa.Uuid(),
        sa.ForeignKey(
            f"{target.table_name}.id",
            ondelete=ON_DELETE[rel.on_delete],
            name=object_name("fk", entity.table_name, rel.column),
        ),
        nullable=not rel.required,
    )


def entity_table(entity: Entity, by_name: dict[str, Entity], metadata: sa.MetaData) -> sa.Table:
    table_name = entity.table_name
    system = system_columns()
    columns: list[sa.schema.SchemaItem] = [system[0]]
    columns += [field_column(f) for f in entity.fields]
    columns += [reference_column(entity, r.name, by_name[r.target]) for r in entity.belongs_to]
    columns += system[1:]
    for f in entity.fields:
        if f.unique:
            # A unique index, not a constraint: SQLite can add one to an existing table.
            columns.append(
                sa.Index(object_name("uq", table_name, f.name), "tenant_id", f.name, unique=True)
            )
    for r in entity.belongs_to:
        columns.append(sa.Index(object_name("ix", table_name, r.column), r.column))
    sort = entity.ui.default_sort.removeprefix("-")
    columns.append(sa.Index(object_name("ix", table_name, "tenant", sort), "tenant_id", sort, "id"))
    if sort != "created_at":
        columns.append(
            sa.Index(
                object_name("ix", table_name, "tenant_created_at"), "tenant_id", "created_at", "id"
            )
        )
    return sa.Table(table_name, metadata, *columns)


def build_metadata(entities: Iterable[Entity], *, platform: bool = True) -> sa.MetaData:
    """One table per entity, plus (for create and compare) the platform's own tables."""
    metadata = sa.MetaData()
    if platform:
        from core.db.platform_tables import PLATFORM_TABLES

        for table in PLATFORM_TABLES:
            table.to_metadata(metadata)
    entity_list = list(entities)
    by_name = {e.name: e for e in entity_list}
    for entity in entity_list:
        entity_table(entity, by_name, metadata)
    return metadata

"""Tenant-scoped repositories: the only place that builds queries on entity tables.

Every statement carries `tenant_id = :tenant`, so another tenant's record is
indistinguishable from a missing one. Later layers (row-level security, field
encryption) hook in here without touching the bus or the surfaces.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from core.contracts import Entity
from core.db.prepared import prepared
from core.records.listing import (
    after_cursor,
    decode_cursor,
    encode_cursor,
    filter_clauses,
    order_clauses,
    parse_sort,
    search_clause,
)

HIDDEN_COLUMNS = frozenset({"tenant_id"})


class EntityRepository:
    def __init__(self, conn: sa.Connection, table: sa.Table, entity: Entity, tenant_id: str):
        self.conn = conn
        self.table = table
        self.entity = entity
        self.tenant_id = tenant_id

    @property
    def _public(self) -> list[sa.Column[Any]]:
        """The columns a caller may read, listed once per table."""
        public: list[sa.Column[Any]] | None = self.table.info.get("_public")
        if public is None:
            public = self.table.info["_public"] = [
                c for c in self.table.c if c.name not in HIDDEN_COLUMNS
            ]
        return public

    def _scoped(self, *clauses: Any) -> Any:
        return sa.and_(self.table.c.tenant_id == self.tenant_id, *clauses)

    def _select(self) -> sa.Select[Any]:
        return sa.select(*self._public)

    def get(self, record_id: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = self._select().where(self._scoped(self.table.c.id == record_id))
        if lock:
            stmt = stmt.with_for_update()
        row = self.conn.execute(stmt).first()
        return dict(row._mapping) if row is not None else None

    def exists(self, record_id: uuid.UUID) -> bool:
        stmt = sa.select(self.table.c.id).where(self._scoped(self.table.c.id == record_id))
        return self.conn.execute(stmt).first() is not None

    def taken(self, column: str, value: Any, exclude: uuid.UUID | None = None) -> bool:
        """Whether another record of this tenant already holds `value` in a unique column."""
        clauses = [self.table.c[column] == value]
        if exclude is not None:
            clauses.append(self.table.c.id != exclude)
        stmt = sa.select(self.table.c.id).where(self._scoped(*clauses)).limit(1)
        return self.conn.execute(stmt).first() is not None

    def insert(self, row: dict[str, Any]) -> None:
        statement = prepared("insert", self.table, self.conn.dialect, self.table.insert)
        statement.execute(self.conn, {**row, "tenant_id": self.tenant_id})

    def update(self, record_id: uuid.UUID, version: int, values: dict[str, Any]) -> bool:
        """Write `values` only if the record is still at `version`; False when it moved on."""
        stmt = (
            sa.update(self.table)
            .where(self._scoped(self.table.c.id == record_id, self.table.c.version == version))
            .values(**values, version=version + 1)
        )
        return bool(self.conn.execute(stmt).rowcount == 1)

    def delete(self, record_id: uuid.UUID) -> bool:
        stmt = sa.delete(self.table).where(self._scoped(self.table.c.id == record_id))
        return bool(self.conn.execute(stmt).rowcount == 1)

    def referencing(self, column: str, record_id: uuid.UUID) -> int:
        stmt = sa.select(sa.func.count()).where(self._scoped(self.table.c[column] == record_id))
        return int(self.conn.execute(stmt).scalar_one())

    def _where(
        self, filters: Mapping[str, Any], search: str | None, owner: str | None
    ) -> list[Any]:
        clauses = filter_clauses(self.entity, self.table, dict(filters))
        if search:
            clauses.append(search_clause(self.entity, self.table, search))
        if owner is not None:
            clauses.append(self.table.c.created_by == owner)
        return clauses

    def page(
        self,
        *,
        filters: Mapping[str, Any],
        order_by: str | None,
        limit: int,
        cursor: str | None,
        search: str | None,
        owner: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One keyset page; a nullable sort reads non-NULL values first, then NULLs."""
        sort = parse_sort(self.entity, self.table, order_by)
        clauses = self._where(filters, search, owner)
        col = self.table.c[sort.column]
        after: list[Any] = []
        in_nulls = False
        if cursor:
            value, last_id = decode_cursor(self.entity, sort, cursor)
            after = [after_cursor(self.table, sort, value, last_id)]
            in_nulls = value is None
        rows: list[dict[str, Any]] = []
        if not in_nulls:
            zone = [col.is_not(None)] if sort.nullable else []
            rows = self._rows([*clauses, *zone, *after], order_clauses(self.table, sort), limit)
        if sort.nullable and len(rows) <= limit:
            zone_after = after if in_nulls else []
            rows += self._rows(
                [*clauses, col.is_(None), *zone_after],
                order_clauses(self.table, sort, nulls=True),
                limit - len(rows),
            )
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            next_cursor = encode_cursor(sort, last[sort.column], last["id"])
        return rows, next_cursor

    def _rows(self, clauses: list[Any], order: list[Any], limit: int) -> list[dict[str, Any]]:
        """Up to limit + 1 rows: the extra one says whether another page follows."""
        stmt = self._select().where(self._scoped(*clauses)).order_by(*order).limit(limit + 1)
        result = self.conn.execute(stmt)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result.all()]

    # RecordStore protocol, for hooks and custom actions.
    def find(self, filters: Mapping[str, Any], limit: int = 50) -> list[dict[str, Any]]:
        rows, _ = self.page(
            filters=filters, order_by=None, limit=min(limit, 500), cursor=None, search=None
        )
        return rows

    def count(
        self,
        filters: Mapping[str, Any] | None = None,
        *,
        search: str | None = None,
        owner: str | None = None,
    ) -> int:
        clauses = self._where(filters or {}, search, owner)
        stmt = sa.select(sa.func.count()).select_from(self.table).where(self._scoped(*clauses))
        return int(self.conn.execute(stmt).scalar_one())

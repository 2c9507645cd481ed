"""Tenant-scoped repositories: the only place that builds queries on entity tables.

Every statement carries `tenant_id = :tenant`, so another tenant's record is
indistinguishable from a missing one. Later layers (row-level security, field
encryption) hook in here without touching the bus or the surfaces.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa

from core.contracts import Entity
from core.db.prepared import prepared
from core.records.listing import (
    beyond,
    decode_cursor,
    encode_cursor,
    filter_clauses,
    order_clauses,
    parse_sort,
    query_digest,
    same_value,
    search_clause,
)

HIDDEN_COLUMNS = frozenset({"tenant_id"})


class Page(NamedTuple):
    items: list[dict[str, Any]]
    next_cursor: str | None
    prev_cursor: str | None


class EntityRepository:
    """Queries on one entity's table, for one tenant.

    A `dry` repository (what `bus.validate` uses) answers every read and checks every write
    as if it ran (a stale version, a vanished record) without changing anything, so no
    write lock is ever taken.
    """

    def __init__(
        self,
        conn: sa.Connection,
        table: sa.Table,
        entity: Entity,
        tenant_id: str,
        *,
        dry: bool = False,
    ):
        self.conn = conn
        self.table = table
        self.entity = entity
        self.tenant_id = tenant_id
        self.dry = dry

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
        """Whether another record of this tenant already holds `value` in a unique column
        (emails compared folded: `Foo@x` and `foo@x` are one address)."""
        clauses = [same_value(self.entity, self.table, column, value)]
        if exclude is not None:
            clauses.append(self.table.c.id != exclude)
        stmt = sa.select(self.table.c.id).where(self._scoped(*clauses)).limit(1)
        return self.conn.execute(stmt).first() is not None

    def insert(self, row: dict[str, Any]) -> None:
        if self.dry:
            return
        statement = prepared("insert", self.table, self.conn.dialect, self.table.insert)
        statement.execute(self.conn, {**row, "tenant_id": self.tenant_id})

    def update(self, record_id: uuid.UUID, version: int, values: dict[str, Any]) -> bool:
        """Write `values` only if the record is still at `version`; False when it moved on."""
        if self.dry:
            current = sa.select(self.table.c.id).where(
                self._scoped(self.table.c.id == record_id, self.table.c.version == version)
            )
            return self.conn.execute(current).first() is not None
        stmt = (
            sa.update(self.table)
            .where(self._scoped(self.table.c.id == record_id, self.table.c.version == version))
            .values(**values, version=version + 1)
        )
        return bool(self.conn.execute(stmt).rowcount == 1)

    def delete(self, record_id: uuid.UUID) -> bool:
        if self.dry:
            return self.exists(record_id)
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
    ) -> Page:
        """One keyset page, forwards or (a `prev_cursor`) backwards.

        The order is the non-NULL values of the sort column, then its NULLs (by id): two
        zones, each read along the plain index. A page walks from the cursor's zone in
        its direction, into the next zone when the first runs out.
        """
        sort = parse_sort(self.entity, self.table, order_by)
        clauses = self._where(filters, search, owner)  # validates before anything reads them
        query = query_digest(filters, search)
        at = decode_cursor(self.entity, sort, cursor, query=query) if cursor else None
        back = at is not None and at.back
        zones = [False, True] if sort.nullable else [False]  # is-NULL zone?
        if back:
            zones.reverse()
        if at is not None:  # start in the cursor's own zone
            zones = zones[zones.index(at.value is None) :]
        col = self.table.c[sort.column]
        rows: list[dict[str, Any]] = []
        for nulls in zones:
            where = [*clauses]
            if sort.nullable:
                where.append(col.is_(None) if nulls else col.is_not(None))
            if at is not None and (at.value is None) == nulls:
                where.append(beyond(self.table, sort, at.value, at.record_id, back=back))
            order = order_clauses(self.table, sort, nulls=nulls, back=back)
            rows += self._rows(where, order, limit - len(rows))
            if len(rows) > limit:
                break
        more = len(rows) > limit
        rows = rows[:limit]
        if back:
            rows.reverse()
        ahead, behind = (True, more) if back else (more, at is not None)

        def edge(row: dict[str, Any] | None, towards_start: bool) -> str | None:
            if row is None:
                return None
            value = row[sort.column]
            return encode_cursor(sort, value, row["id"], query=query, back=towards_start)

        next_cursor = edge(rows[-1] if rows and ahead else None, False)
        prev_cursor = edge(rows[0] if rows and behind else None, True)
        return Page(rows, next_cursor, prev_cursor)

    def _rows(self, clauses: list[Any], order: list[Any], limit: int) -> list[dict[str, Any]]:
        """Up to limit + 1 rows: the extra one says whether another page follows."""
        stmt = self._select().where(self._scoped(*clauses)).order_by(*order).limit(limit + 1)
        result = self.conn.execute(stmt)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result.all()]

    # RecordStore protocol, for hooks and custom actions.
    def find(self, filters: Mapping[str, Any], limit: int = 50) -> list[dict[str, Any]]:
        return self.page(
            filters=filters, order_by=None, limit=min(limit, 500), cursor=None, search=None
        ).items

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

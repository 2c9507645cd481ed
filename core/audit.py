"""The audit log: an append-only, per-tenant hash chain written inside each action's transaction.

`hash = sha256(prev_hash + canonical JSON of the entry)`. Appends lock the tenant's chain
head (a row lock on PostgreSQL, the writer lock on SQLite) so concurrent writers queue and
never fork the chain. `verify` recomputes every link and compares the head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

import sqlalchemy as sa

from core.audit_draft import AuditDraft
from core.database import dialect_insert
from core.jsonable import canonical_json
from core.platform_tables import audit_heads, audit_log
from core.prepared import Prepared, prepared
from core.sqltypes import CanonicalText

GENESIS = "0" * 64
HASHED_COLUMNS = (
    "tenant_id",
    "seq",
    "occurred_at",
    "actor_id",
    "caller_type",
    "action_id",
    "entity",
    "record_id",
    "changes",
    "outcome",
    "error_code",
    "duration_us",
)


# The canonical JSON of an entry, keys in sorted order; strings escaped as json.dumps does.
_LINE = (
    '{"action_id":%s,"actor_id":%s,"caller_type":%s,"changes":%s,"duration_us":%d,'
    '"entity":%s,"error_code":%s,"occurred_at":%s,"outcome":%s,"record_id":%s,"seq":%d,'
    '"tenant_id":%s}'
)


def _s(value: str | None) -> str:
    return "null" if value is None else str(encode_basestring(value))


def _timestamp(value: dt.datetime | str) -> str:
    """UTC with microseconds and a Z; SQLite's stored text is rewritten without parsing."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}Z"
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _line(row: Sequence[Any]) -> str:
    """Canonical JSON from a row in HASHED_COLUMNS order, `changes` already canonical text."""
    tenant, seq, at, actor, caller_type, action, entity, record, changes, outcome, error, us = row
    return _LINE % (
        _s(action),
        _s(actor),
        _s(caller_type),
        changes,
        us,
        _s(entity),
        _s(error),
        _s(_timestamp(at)),
        _s(outcome),
        _s(record),
        seq,
        _s(tenant),
    )


def canonical(entry: Mapping[str, Any]) -> str:
    values = [entry[k] for k in HASHED_COLUMNS]
    changes = entry["changes"]
    values[HASHED_COLUMNS.index("changes")] = (
        changes if isinstance(changes, str) else canonical_json(changes)
    )
    return _line(values)


def link_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def _head_claim(dialect: sa.Dialect) -> Prepared:
    """Lock the tenant's head and read it: (last seq, last hash).

    PostgreSQL claims the next number and takes the row lock in one round trip
    (UPDATE ... RETURNING); SQLite already holds the writer lock, so a read suffices.
    """

    def build() -> sa.sql.ClauseElement:
        where = audit_heads.c.tenant_id == sa.bindparam("tenant_id")
        if dialect.name == "postgresql":
            return (
                sa.update(audit_heads)
                .where(where)
                .values(seq=audit_heads.c.seq + 1)
                .returning(audit_heads.c.seq - 1, audit_heads.c.hash)
            )
        return sa.select(audit_heads.c.seq, audit_heads.c.hash).where(where)

    return prepared("head_claim", audit_heads, dialect, build)


def _head_update() -> sa.Update:
    return (
        sa.update(audit_heads)
        .where(audit_heads.c.tenant_id == sa.bindparam("head_tenant"))
        .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
    )


def _entry_insert(dialect: sa.Dialect) -> Prepared:
    """Insert the entry; the head moves with it: a DML CTE on PostgreSQL, a trigger on SQLite."""

    def build() -> sa.sql.ClauseElement:
        if dialect.name == "postgresql":
            return audit_log.insert().add_cte(_head_update().cte("moved_head"))
        return audit_log.insert()

    return prepared("entry_insert", audit_log, dialect, build)


def _lock_head(conn: sa.Connection, tenant_id: str) -> tuple[int, str]:
    """Read the tenant's chain head, holding it until commit (row lock or writer lock)."""
    claim = _head_claim(conn.dialect)
    row = claim.execute(conn, {"tenant_id": tenant_id}).fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    insert = dialect_insert(conn.dialect.name)(audit_heads).values(
        tenant_id=tenant_id, seq=0, hash=GENESIS
    )
    conn.execute(insert.on_conflict_do_nothing(index_elements=["tenant_id"]))
    row = claim.execute(conn, {"tenant_id": tenant_id}).fetchone()
    return int(row[0]), str(row[1])


def append(
    conn: sa.Connection,
    *,
    tenant_id: str,
    actor_id: str,
    caller_type: str,
    draft: AuditDraft,
    occurred_at: dt.datetime,
    duration_us: int,
) -> int:
    """Add one link to the tenant's chain in the caller's transaction; returns its seq."""
    seq, prev = _lock_head(conn, tenant_id)
    entry: dict[str, Any] = {
        "tenant_id": tenant_id,
        "seq": seq + 1,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "caller_type": caller_type,
        "action_id": draft.action_id,
        "entity": draft.entity,
        "record_id": draft.record_id,
        "changes": CanonicalText(canonical_json(draft.changes)),  # serialised once
        "outcome": draft.outcome,
        "error_code": draft.error_code,
        "duration_us": duration_us,
    }
    digest = link_hash(prev, entry)
    head = {"head_tenant": tenant_id, "new_seq": seq + 1, "new_hash": digest}
    row = {**entry, "id": uuid.uuid4(), "prev_hash": prev, "hash": digest, **head}
    _entry_insert(conn.dialect).execute(conn, row)  # the head moves with it (CTE or trigger)
    return seq + 1


@dataclass
class ChainReport:
    tenant_id: str
    entries: int = 0
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _rows(conn: sa.Connection, tenant_id: str | None) -> Iterator[Sequence[Any]]:
    """Raw driver rows, streamed: `changes` as its stored canonical text, nothing parsed."""
    cols = [audit_log.c[c] for c in HASHED_COLUMNS] + [audit_log.c.prev_hash, audit_log.c.hash]

    def build() -> sa.sql.ClauseElement:
        stmt = sa.select(*cols).order_by(audit_log.c.tenant_id, audit_log.c.seq)
        if tenant_id is not None:
            stmt = stmt.where(audit_log.c.tenant_id == sa.bindparam("tenant_id"))
        return stmt

    key = "verify_tenant" if tenant_id is not None else "verify_all"
    statement = prepared(key, audit_log, conn.dialect, build)
    dbapi: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cursor = dbapi.cursor(name="metasaas_audit_verify")  # server-side: flat memory
        cursor.itersize = 10_000
    else:
        cursor = dbapi.cursor()
    cursor.execute(statement.sql, statement.params({"tenant_id": tenant_id}))
    yield from cursor


def verify(conn: sa.Connection, tenant_id: str | None = None) -> list[ChainReport]:
    """Recompute every chain; each report names the first broken sequence number."""
    heads_stmt = sa.select(audit_heads.c.tenant_id, audit_heads.c.seq, audit_heads.c.hash)
    if tenant_id is not None:
        heads_stmt = heads_stmt.where(audit_heads.c.tenant_id == tenant_id)
    heads = {r.tenant_id: (int(r.seq), r.hash) for r in conn.execute(heads_stmt)}
    reports: dict[str, ChainReport] = {}
    state: dict[str, tuple[int, str]] = {}
    sha256 = hashlib.sha256
    for row in _rows(conn, tenant_id):
        tenant, seq, prev_hash, digest = row[0], row[1], row[-2], row[-1]
        report = reports.get(tenant) or reports.setdefault(tenant, ChainReport(tenant))
        report.entries += 1
        if not report.ok:
            continue
        last_seq, prev = state.get(tenant, (0, GENESIS))
        if seq != last_seq + 1:
            report.broken_at, report.reason = last_seq + 1, "entry missing"
        elif prev_hash != prev:
            report.broken_at, report.reason = seq, "previous hash does not match"
        elif sha256((prev + _line(row[:-2])).encode("utf-8")).hexdigest() != digest:
            report.broken_at, report.reason = seq, "entry was altered"
        state[tenant] = (seq, digest)
    for tenant, (head_seq, head_hash) in heads.items():
        report = reports.setdefault(tenant, ChainReport(tenant))
        if report.ok and state.get(tenant, (0, GENESIS)) != (head_seq, head_hash):
            last_seq = state.get(tenant, (0, GENESIS))[0]
            report.broken_at = last_seq + 1 if last_seq < head_seq else last_seq
            report.reason = "chain ends before its recorded head"
    return [reports[k] for k in sorted(reports)]

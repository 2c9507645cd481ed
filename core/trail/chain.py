"""The audit log: an append-only hash chain per tenant, written in each action's transaction.

`hash = sha256(prev_hash + canonical JSON of the entry)`, one chain per tenant.

SQLite admits one writer at a time, so an entry is chained as it is written. On
PostgreSQL, chaining in the action's transaction would make every writer of a tenant
queue behind the previous one's commit; there the entry commits with its action in
`audit_pending`, and `core.trail.seal` chains pending entries in batches shortly after.
`verify` recomputes every link, compares the head and counts entries awaiting their seal.
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

from core.contracts import Caller
from core.db.platform_tables import audit_heads, audit_log, audit_pending
from core.db.prepared import Prepared, prepared
from core.db.sqltypes import CanonicalText
from core.jsonable import canonical_json
from core.trail.draft import AuditDraft

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
    if value.tzinfo is not dt.UTC:
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if value.year < 1000:  # strftime does not pad such years; kept as the chain has it
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat(timespec="microseconds")[:26] + "Z"


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


def row_hash(prev_hash: str, row: Sequence[Any]) -> str:
    """`link_hash` of a driver row in HASHED_COLUMNS order, `changes` as stored text."""
    return hashlib.sha256((prev_hash + _line(row)).encode("utf-8")).hexdigest()


def _head_claim(dialect: sa.Dialect) -> Prepared:
    """SQLite: read the tenant's head; the writer lock already keeps other writers out."""

    def build() -> sa.sql.ClauseElement:
        return sa.select(audit_heads.c.seq, audit_heads.c.hash).where(
            audit_heads.c.tenant_id == sa.bindparam("tenant_id")
        )

    return prepared("head_claim", audit_heads, dialect, build)


def _entry_insert(dialect: sa.Dialect) -> Prepared:
    return prepared("entry_insert", audit_log, dialect, audit_log.insert)


def _pending_insert(dialect: sa.Dialect) -> Prepared:
    return prepared("pending_insert", audit_pending, dialect, audit_pending.insert)


def _lock_head(conn: sa.Connection, tenant_id: str) -> tuple[int, str]:
    """SQLite: the tenant's chain head, created on first use."""
    claim = _head_claim(conn.dialect)
    row = claim.execute(conn, {"tenant_id": tenant_id}).fetchone()
    if row is None:
        conn.execute(audit_heads.insert().values(tenant_id=tenant_id, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row[0]), str(row[1])


def link(entry: dict[str, Any], seq: int, prev: str) -> dict[str, Any]:
    """The row for `audit_log`: the entry numbered `seq` and chained after `prev`."""
    entry = {**entry, "seq": seq}
    return {**entry, "prev_hash": prev, "hash": link_hash(prev, entry)}


@dataclass(frozen=True)
class Appended:
    seq: int | None  # None: pending, chained by `core.trail.seal` after commit


def new_entry(
    caller: Caller, draft: AuditDraft, occurred_at: dt.datetime, duration_us: int
) -> dict[str, Any]:
    """An entry's values before it has a place in the chain."""
    return {
        "id": uuid.uuid4(),
        "tenant_id": caller.tenant_id,
        "occurred_at": occurred_at,
        "actor_id": caller.user_id,
        "caller_type": caller.caller_type.value,
        "action_id": draft.action_id,
        "entity": draft.entity,
        "record_id": draft.record_id,
        "changes": CanonicalText(canonical_json(draft.changes)),  # serialised once
        "outcome": draft.outcome,
        "error_code": draft.error_code,
        "duration_us": duration_us,
    }


def append(conn: sa.Connection, entry: dict[str, Any]) -> Appended:
    """Store one entry in the caller's transaction: chained now (SQLite) or pending (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        _pending_insert(conn.dialect).execute(conn, entry)
        return Appended(None)
    seq, prev = _lock_head(conn, entry["tenant_id"])
    _entry_insert(conn.dialect).execute(conn, link(entry, seq + 1, prev))  # trigger moves head
    return Appended(seq + 1)


@dataclass
class ChainReport:
    tenant_id: str
    entries: int = 0
    pending: int = 0
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
        elif row_hash(prev, row[:-2]) != digest:
            report.broken_at, report.reason = seq, "entry was altered"
        state[tenant] = (seq, digest)
    pending = sa.select(audit_pending.c.tenant_id, sa.func.count()).group_by(
        audit_pending.c.tenant_id
    )
    if tenant_id is not None:
        pending = pending.where(audit_pending.c.tenant_id == tenant_id)
    for tenant, waiting in conn.execute(pending):
        reports.setdefault(tenant, ChainReport(tenant)).pending = int(waiting)
    for tenant, (head_seq, head_hash) in heads.items():
        report = reports.setdefault(tenant, ChainReport(tenant))
        if report.ok and state.get(tenant, (0, GENESIS)) != (head_seq, head_hash):
            last_seq = state.get(tenant, (0, GENESIS))[0]
            report.broken_at = last_seq + 1 if last_seq < head_seq else last_seq
            report.reason = "chain ends before its recorded head"
    return [reports[k] for k in sorted(reports)]

"""P6's baseline: the bare driver reads every audit row and sha256-hashes its columns joined.

Run as `python -m tests.bench.raw_verify URL TENANT`; prints the number of rows read.
"""

from __future__ import annotations

import hashlib
import sys

import sqlalchemy as sa

from core.trail.chain import HASHED_COLUMNS


def _query(dialect: sa.Dialect) -> str:
    """The baseline's SELECT, compiled by SQLAlchemy for the raw driver."""
    log = sa.table("audit_log", *(sa.column(c) for c in (*HASHED_COLUMNS, "prev_hash", "hash")))
    stmt = (
        sa.select(*log.c)
        .where(log.c.tenant_id == sa.bindparam("tenant"))
        .order_by(log.c.tenant_id, log.c.seq)
    )
    return str(stmt.compile(dialect=dialect))


def _hash_all(rows: object) -> int:
    count = 0
    for row in rows:  # type: ignore[attr-defined]
        hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()
        count += 1
    return count


def main(url: str, tenant: str) -> int:
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        from sqlalchemy.dialects import sqlite

        return _hash_all(conn.execute(_query(sqlite.dialect()), (tenant,)))
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor(name="audit") as cur:
        cur.itersize = 10_000
        from sqlalchemy.dialects import postgresql

        cur.execute(_query(postgresql.psycopg.dialect(paramstyle="format")), (tenant,))
        return _hash_all(cur)


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))

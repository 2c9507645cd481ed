"""P6's baseline: the bare driver reads every audit row and sha256-hashes its columns joined.

Run as `python -m tests.bench.raw_verify URL TENANT`; prints the number of rows read.
"""

from __future__ import annotations

import hashlib
import sys

from core.audit import HASHED_COLUMNS

COLUMNS = ", ".join([*HASHED_COLUMNS, "prev_hash", "hash"])
QUERY = f"SELECT {COLUMNS} FROM audit_log WHERE tenant_id = {{p}} ORDER BY tenant_id, seq"


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
        return _hash_all(conn.execute(QUERY.format(p="?"), (tenant,)))
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, conn.cursor(name="audit") as cur:
        cur.itersize = 10_000
        cur.execute(QUERY.format(p="%s"), (tenant,))
        return _hash_all(cur)


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2]))

"""P7's baseline worker: raw psycopg inserting a task row and an audit entry per transaction.

Driven like the product's worker (`tests.reliability.workers create`): `ready`, then one
batch of n inserts per `go`. No chain: each entry's seq is unique by construction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import uuid

from psycopg.types.json import Json

from tests.bench.support import TENANT, raw_pg
from tests.reliability.gang import command, ready, reply

TASK = (
    "INSERT INTO tasks (id, tenant_id, title, status, priority, created_at, updated_at, "
    "created_by, updated_by, version) VALUES (%s, %s, %s, 'todo', 'medium', %s, %s, %s, %s, 1)"
)
AUDIT = (
    "INSERT INTO audit_log (id, tenant_id, seq, occurred_at, actor_id, caller_type, action_id, "
    "entity, record_id, changes, outcome, error_code, duration_us, prev_hash, hash) VALUES "
    "(%s, %s, %s, %s, %s, 'script', 'task.create', 'Task', %s, %s, 'success', NULL, 0, %s, %s)"
)


def main(spec: dict[str, str | int]) -> None:
    worker, n = int(spec["worker"]), int(spec["n"])
    conn = raw_pg(str(spec["url"]))
    user = f"raw-{worker}"
    seq = worker * 1_000_000_000
    cmd, batch = ready(), 0
    while cmd == "go":
        for i in range(n):
            seq += 1
            now = dt.datetime.now(dt.UTC)
            task_id = uuid.uuid4()
            title = f"{user}-{batch}-{i}"
            changes = {"title": {"before": None, "after": title}}
            digest = hashlib.sha256(json.dumps(changes).encode()).hexdigest()
            with conn.transaction():
                conn.execute(TASK, (task_id, TENANT, title, now, now, user, user))
                conn.execute(
                    AUDIT,
                    (
                        uuid.uuid4(),
                        TENANT,
                        seq,
                        now,
                        user,
                        str(task_id),
                        Json(changes),
                        digest,
                        digest,
                    ),
                )
        reply({"ids": n, "errors": []})
        cmd, batch = command(), batch + 1
    conn.close()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))

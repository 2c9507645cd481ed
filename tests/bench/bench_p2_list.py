"""P2: a `task.list` page of 50 with a filter and a sort, on a million rows.

Compared with the same page from a naive SQLModel select, and a page at depth 900,000
(reached through a keyset cursor) compared with our own first page.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.bootstrap import App
from core.records.listing import encode_cursor, order_clauses, parse_sort, query_digest
from tests.bench import bulk, naive
from tests.bench.harness import Result, compare, interleave, latency_ms
from tests.bench.support import CALLER, TENANT, make_app, workdir

SORT = "due_date"
FILTER = {"status": "todo"}
_CACHE: dict[int, str] = {}


def _database(rows: int) -> str:
    """The generated database for `rows` tasks, built once per bench process."""
    if rows not in _CACHE:
        path = workdir() / f"p2-{rows}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            app = make_app(url)
            bulk.load_tasks(app.engine, app.registry.metadata.tables["tasks"], rows)
            with app.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            app.close()
        _CACHE[rows] = url
    return _CACHE[rows]


def _cursor_at(app: App, depth: int) -> str:
    """The cursor the product would hand out after the row at position `depth`."""
    entity = app.registry.entity("task")
    table = app.registry.table(entity)
    sort = parse_sort(entity, table, SORT)
    stmt = (
        sa.select(table.c[SORT], table.c.id)
        .where(table.c.tenant_id == TENANT)
        .order_by(*order_clauses(table, sort))
        .offset(depth - 1)
        .limit(1)
    )
    with app.engine.connect() as conn:
        value, last_id = conn.execute(stmt).one()
    return encode_cursor(sort, value, last_id, query=query_digest({}, None))


def run(quick: bool) -> list[Result]:
    rows = 100_000 if quick else 1_000_000
    depth = rows * 9 // 10
    calls, rounds = (3, 3) if quick else (5, 7)
    url = _database(rows)
    app = make_app(url)
    eng = naive.engine(url)
    cursor = _cursor_at(app, depth)

    def ours(extra: dict[str, Any]) -> Any:
        page = app.bus.dispatch("task.list", {"order_by": SORT, "limit": 50, **extra}, CALLER)
        assert len(page["items"]) == 50
        return page

    try:
        m = interleave(
            {
                "ours": latency_ms(calls, lambda: ours({"filters": FILTER})),
                "naive": latency_ms(calls, lambda: naive.list_tasks(eng, TENANT, "todo")),
                "ours_first": latency_ms(calls, lambda: ours({})),
                "ours_deep": latency_ms(calls, lambda: ours({"cursor": cursor})),
            },
            rounds,
        )
    finally:
        app.close()
        eng.dispose()
    label = f"{rows:,} rows"
    return [
        compare(
            "P2",
            f"task.list status=todo sort due_date, 50 rows, {label}, vs naive SQLModel",
            m["ours"],
            m["naive"],
            at_most=1.0,
            unit="ms",
        ),
        compare(
            "P2-deep",
            f"task.list page at depth {depth:,} (cursor) vs our page 1, {label}",
            m["ours_deep"],
            m["ours_first"],
            at_most=1.5,
            unit="ms",
        ),
    ]

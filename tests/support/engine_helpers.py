"""Helpers for engine tests: apps on custom domains, raw reads of what the bus wrote.

Tests check the bus through its public API and then look at the database directly, so a
rule that only holds in the bus's own view of the data (and not in the tables) still
fails a test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from core.actions.bus import utcnow
from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType, Domain, Entity, define_entity
from core.db.migrate import migrate
from core.db.platform_tables import audit_log, deliveries, outbox
from core.errors import MetaSaasError
from core.settings import Settings
from core.trail.chain import ChainReport, verify

AppFactory = Callable[..., App]


def caller(
    user: str = "alice",
    tenant: str = "default",
    roles: tuple[str, ...] = ("admin",),
    caller_type: CallerType = CallerType.HUMAN,
) -> Caller:
    return Caller(user, tenant, frozenset(roles), caller_type)


@contextmanager
def raises_code(code: str) -> Iterator[pytest.ExceptionInfo[MetaSaasError]]:
    """Like `pytest.raises(MetaSaasError)` but also pins the error's stable code."""
    with pytest.raises(MetaSaasError) as info:
        yield info
    assert info.value.code == code, info.value.to_dict()


def build_app(
    url: str,
    domain: Domain | None = None,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
    run_migrate: bool = True,
    capabilities: Any = None,
    **settings: Any,
) -> App:
    app = bootstrap(
        Settings(database_url=url, **settings),
        domain=domain,
        clock=clock,
        capabilities=capabilities,
    )
    if run_migrate:
        migrate(app.engine, app.registry.metadata)
    return app


@pytest.fixture
def app_factory(db_url: str) -> Iterator[AppFactory]:
    """Build apps (custom domain, clock) on the test's database; all closed at teardown."""
    apps: list[App] = []

    def factory(domain: Domain | None = None, **kwargs: Any) -> App:
        app = build_app(db_url, domain, **kwargs)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.close()


def entity_with(entity: Entity, **changes: Any) -> Entity:
    """A copy of a declared entity with some parts replaced, validated like the original."""
    name = changes.pop("name", entity.name)
    declaration = {key: getattr(entity, key) for key in type(entity).model_fields if key != "name"}
    declaration.update(changes)
    return define_entity(name, **declaration)


def domain_with(base: Domain, *entities: Entity, **changes: Any) -> Domain:
    """`base` with the given entities replacing those of the same name (or added)."""
    by_name = {e.name: e for e in base.entities}
    for entity in entities:
        by_name[entity.name] = entity
    return dataclasses.replace(base, entities=tuple(by_name.values()), **changes)


def table(app: App, name: str) -> sa.Table:
    return app.registry.metadata.tables[name]


def count(app: App, table_name: str, *where: Any) -> int:
    t = table(app, table_name)
    stmt = sa.select(sa.func.count()).select_from(t)
    if where:
        stmt = stmt.where(*where)
    with app.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def rows(app: App, t: sa.Table, *where: Any, order_by: Any = None) -> list[dict[str, Any]]:
    stmt = sa.select(t)
    if where:
        stmt = stmt.where(*where)
    if order_by is not None:
        stmt = stmt.order_by(order_by)
    with app.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def sealed(app: App) -> None:
    """Chain what is pending (PostgreSQL seals shortly after commit), and insist it all was."""
    app.bus.seal_pending()
    assert count(app, "audit_pending") == 0, "audit entries left unsealed"


def audit_entries(app: App, tenant: str = "default") -> list[dict[str, Any]]:
    """The tenant's chain in order, once everything committed so far is sealed."""
    sealed(app)
    return rows(app, audit_log, audit_log.c.tenant_id == tenant, order_by=audit_log.c.seq)


def audit_count(app: App, tenant: str = "default") -> int:
    return len(audit_entries(app, tenant))


def outbox_rows(app: App, *where: Any) -> list[dict[str, Any]]:
    return rows(app, outbox, *where, order_by=outbox.c.occurred_at)


def delivery_rows(app: App, *where: Any) -> list[dict[str, Any]]:
    return rows(app, deliveries, *where)


def chain(app: App, tenant: str = "default") -> ChainReport:
    sealed(app)
    with app.engine.connect() as conn:
        reports = verify(conn, tenant)
    assert len(reports) == 1, reports
    return reports[0]


def all_chains(app: App) -> list[ChainReport]:
    sealed(app)
    with app.engine.connect() as conn:
        return verify(conn)


def list_all(app: App, action: str, who: Caller, **payload: Any) -> list[dict[str, Any]]:
    page = app.bus.dispatch(action, {"limit": 500, **payload}, who)
    assert page["next_cursor"] is None, "more than 500 rows: the test expected fewer"
    return list(page["items"])


def walk(app: App, action: str, who: Caller, limit: int, **payload: Any) -> list[dict[str, Any]]:
    """Follow next_cursor from the first page to the last, returning every item seen."""
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(10_000):
        request = {"limit": limit, **payload}
        if cursor is not None:
            request["cursor"] = cursor
        page = app.bus.dispatch(action, request, who)
        assert len(page["items"]) <= limit
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        assert page["items"], "a page with a next cursor must not be empty"
    raise AssertionError("pagination did not terminate")


def create_tasks_worker(url: str, worker: int, count_: int, barrier: Any, errors: Any) -> None:
    """Child process body for the concurrency test: its own App, `count_` creates."""
    app = build_app(url, run_migrate=False)
    who = caller(user=f"worker{worker}")
    failures: list[str] = []
    try:
        barrier.wait(timeout=60)
        for i in range(count_):
            try:
                app.bus.dispatch("task.create", {"title": f"w{worker}-{i}"}, who)
            except MetaSaasError as exc:
                failures.append(f"{worker}/{i}: {exc.code}: {exc.message}")
    finally:
        app.close()
        errors.put((worker, failures))


def code_of(app: App, action: str, payload: Any, who: Caller) -> str | None:
    """The error code an action fails with, or None when it succeeds.

    Lets one test check many hostile inputs against one database and report every case
    that misbehaves at once (`assert outcomes == expected` shows the differing cases).
    """
    try:
        app.bus.dispatch(action, payload, who)
    except MetaSaasError as exc:
        return exc.code
    return None

"""What the reliability tests assert about a database after the dust settles."""

from __future__ import annotations

from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import make_url

from core.bootstrap import App
from core.db.platform_tables import audit_log, audit_pending, outbox
from core.trail.chain import verify
from tests.support.databases import PG_ADMIN_DSN


def relax_commit_durability(db_url: str) -> dict[str, str]:
    """Commits that need not survive power loss, for tests about other things.

    A killed client or a refused input tests atomicity and validation, which the fsync
    at commit does not change; skipping it keeps the suite within its time budget on a
    shared disk. Returns the environment a `metasaas` child needs for the same effect.
    """
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                    sql.Identifier(url.database)
                )
            )
        return {}
    return {"METASAAS_SQLITE__SYNCHRONOUS": "NORMAL"}


def seal(app: App) -> None:
    """What the next writer's start does on PostgreSQL: chain entries a dead process left."""
    app.bus.seal_pending()
    with app.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(audit_pending)).scalar_one()
    assert left == 0, f"{left} audit entries left unsealed"


def chain_ok(app: App, tenant: str = "default") -> int:
    """Assert the tenant's chain verifies once sealed; return how many entries it holds."""
    seal(app)
    with app.engine.connect() as conn:
        reports = verify(conn, tenant)
    assert len(reports) == 1 and reports[0].ok, reports
    return reports[0].entries


def audit_rows(app: App, action_id: str | None = None, tenant: str = "default") -> list[Any]:
    seal(app)
    stmt = sa.select(audit_log).where(audit_log.c.tenant_id == tenant).order_by(audit_log.c.seq)
    if action_id is not None:
        stmt = stmt.where(audit_log.c.action_id == action_id)
    with app.engine.connect() as conn:
        return list(conn.execute(stmt))


def outbox_rows(app: App, name: str, tenant: str = "default") -> list[Any]:
    stmt = sa.select(outbox).where(outbox.c.tenant_id == tenant, outbox.c.name == name)
    with app.engine.connect() as conn:
        return list(conn.execute(stmt))


def record_ids(app: App, entity: str, tenant: str = "default") -> list[str]:
    table = app.registry.table(app.registry.entity(entity))
    stmt = sa.select(table.c.id).where(table.c.tenant_id == tenant)
    with app.engine.connect() as conn:
        return [str(r.id) for r in conn.execute(stmt)]

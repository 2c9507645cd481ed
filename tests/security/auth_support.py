"""What the authentication tests share: a local-auth app with a hand-moved clock, a sleep
that records instead of waiting, and users made through the bus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType
from core.db.migrate import migrate
from core.seeding import ensure_tenant
from core.settings import AuthSettings, Settings

PASSWORD = "correct horse battery staple"
SYSTEM = Caller("system", "acme", frozenset(), CallerType.SYSTEM)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@contextmanager
def local_app(url: str, clock: Clock | None = None, **auth: object) -> Iterator[App]:
    settings = Settings(database_url=url, auth=AuthSettings(provider="local", **auth))  # type: ignore[arg-type]
    app = bootstrap(settings, clock=clock or Clock())
    app.sleep = Sleeps()
    migrate(app.engine, app.registry.metadata)
    ensure_tenant(app.engine, "acme")
    ensure_tenant(app.engine, "other")
    try:
        yield app
    finally:
        app.close()


def add_user(
    app: App, email: str, roles: tuple[str, ...] = ("operator",), tenant: str = "acme"
) -> None:
    caller = Caller("system", tenant, frozenset(), CallerType.SYSTEM)
    app.bus.dispatch(
        "users.add", {"email": email, "roles": list(roles), "password": PASSWORD}, caller
    )


def audit_actions(app: App, tenant: str = "acme") -> list[dict[str, object]]:
    import sqlalchemy as sa

    from core.db.platform_tables import audit_log

    app.bus.seal_pending()
    with app.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log).where(audit_log.c.tenant_id == tenant).order_by(audit_log.c.seq)
        )
        return [dict(r._mapping) for r in rows]

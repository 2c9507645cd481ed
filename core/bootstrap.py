"""The composition root: every surface and every test gets its bus from `bootstrap()`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from core.actions.bus import Bus, Middleware, utcnow
from core.actions.platform import PLATFORM_ACTIONS
from core.contracts import Caller, CallerType, CapabilityRunner, Domain
from core.db.engines import create_engine
from core.db.uow import UnitOfWork
from core.limits.limiter import Limiter
from core.model.platform import ADMIN
from core.model.registry import Registry, load_domain
from core.settings import Settings

if TYPE_CHECKING:
    from core.auth import AuthProvider


def build_registry(domain: Domain) -> Registry:
    """The domain's actions and the platform's, as every surface sees them."""
    return Registry(domain, PLATFORM_ACTIONS)


@dataclass
class App:
    settings: Settings
    registry: Registry
    engine: sa.Engine
    bus: Bus
    limits: Limiter
    """Rate limits; the AI layer calls `limits.check_ai(caller)` once per AI command."""
    sleep: Callable[[float], None] = time.sleep
    _closed: bool = field(default=False, repr=False)
    _auth: AuthProvider | None = field(default=None, repr=False)

    @property
    def auth(self) -> AuthProvider:
        """The configured provider, made on first use: a surface asks it for the caller.
        Development auth on PostgreSQL is refused here (`SettingsError`)."""
        if self._auth is None:
            from core.auth import build_provider

            uow = self.bus.uow
            self._auth = build_provider(
                self.settings,
                self.engine,
                lambda: uow.begin(write=True),
                self.bus.dispatch,
                self.bus.clock,
                self.sleep,
            )
        return self._auth

    def caller(self, caller_type: CallerType = CallerType.HUMAN) -> Caller:
        """The development caller (`dev` authentication): an admin of one tenant. Surfaces
        ask `auth.identify` instead, which is this caller only under `dev`."""
        return Caller(
            user_id=self.settings.user,
            tenant_id=self.settings.tenant,
            roles=frozenset(self.settings.roles),
            caller_type=caller_type,
        )

    def system_caller(self) -> Caller:
        return Caller("system", self.settings.tenant, frozenset(), CallerType.SYSTEM)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.bus.close()
            close = getattr(self.limits.counters, "close", None)
            if close is not None:
                close()
            self.engine.dispose()


def admin_of_every_tenant(settings: Settings) -> Callable[[Caller], bool]:
    """Under `dev` every admin is (one person acting anywhere); with real accounts only the
    configured `auth.platform_admins`, so a tenant's admin never reaches another tenant."""
    if settings.auth.provider == "dev":
        return lambda caller: ADMIN in caller.roles
    pairs = frozenset(settings.auth.platform_admins)
    return lambda caller: ADMIN in caller.roles and f"{caller.tenant_id}:{caller.user_id}" in pairs


def bootstrap(
    settings: Settings | None = None,
    *,
    domain: Domain | None = None,
    engine: sa.Engine | None = None,
    uow: UnitOfWork | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    middleware: Sequence[Middleware] = (),
    capabilities: CapabilityRunner | None = None,
    roles_of: Callable[[str, str], frozenset[str]] | None = None,
) -> App:
    """Build the registry, the engine, the unit of work and the bus for one process.

    `capabilities` is the AI layer's model runner (core never imports it): with one, the
    entities' `on_create`/`on_update` capabilities run as background subscribers and
    on-demand ones ask it; without, on-demand capabilities answer with their fallback.
    """
    settings = settings or Settings()
    logging.getLogger("core").setLevel(settings.log_level.upper())
    domain = domain or load_domain(settings.domain)
    buses: list[Bus] = []
    if capabilities is not None:
        from core.actions.capabilities import capability_subscribers

        if roles_of is None and settings.auth.provider == "dev":
            dev_roles = frozenset(settings.roles)  # development: the configured roles

            def roles_of(tenant: str, user: str) -> frozenset[str]:
                return dev_roles

        elif roles_of is None:  # real accounts: the user's roles now (none: nothing runs)

            def roles_of(tenant: str, user: str) -> frozenset[str]:
                from core.auth.accounts import roles_now

                return roles_now(buses[0].engine, tenant, user)

        def dispatch(*args: Any, **kwargs: Any) -> Any:
            return buses[0].dispatch(*args, **kwargs)

        added = capability_subscribers(domain, dispatch, capabilities, roles_of)
        domain = dataclasses.replace(domain, subscribers=(*domain.subscribers, *added))
    registry = build_registry(domain)
    if uow is None:
        engine = engine or create_engine(settings.resolved_database_url(), settings.sqlite)
        uow = UnitOfWork(engine)
    limiter = build_limiter(settings, uow, clock, lambda *a: buses[0].record_refusal(*a))
    from core.limits.middleware import RateLimitMiddleware

    # Authentication (the given middleware) first: limits count the caller it settled on.
    chain: list[Middleware] = [*middleware, RateLimitMiddleware(limiter)]
    bus = Bus(
        registry,
        uow,
        clock=clock,
        middleware=chain,
        capabilities=capabilities,
        admin_of_every_tenant=admin_of_every_tenant(settings),
    )
    buses.append(bus)
    return App(settings, registry, uow.engine, bus, limiter)


def build_limiter(
    settings: Settings,
    uow: UnitOfWork,
    clock: Callable[[], dt.datetime],
    on_refused: Callable[..., None] | None = None,
) -> Limiter:
    """Counters in Redis when `redis_url` is set, else in the database every process shares."""
    from core.limits.rates import Rates

    rates = Rates(*settings.rates())
    counters: Any
    if settings.redis_url is not None:
        from core.limits.redis_counters import RedisCounters

        counters = RedisCounters(settings.redis_url.get_secret_value())
    else:
        from core.limits.counters import DatabaseCounters

        counters = DatabaseCounters(uow)
    return Limiter(counters, rates, clock, on_refused)

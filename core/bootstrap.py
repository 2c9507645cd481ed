"""The composition root: every surface and every test gets its bus from `bootstrap()`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from core.actions.bus import Bus, utcnow
from core.contracts import Caller, CallerType, Domain
from core.db.engines import create_engine
from core.model.registry import Registry, load_domain
from core.settings import Settings


@dataclass
class App:
    settings: Settings
    registry: Registry
    engine: sa.Engine
    bus: Bus
    _closed: bool = field(default=False, repr=False)

    def caller(self, caller_type: CallerType = CallerType.HUMAN) -> Caller:
        """The development caller until real authentication exists: an admin of one tenant."""
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
            self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    domain: Domain | None = None,
    engine: sa.Engine | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> App:
    settings = settings or Settings()
    logging.getLogger("core").setLevel(settings.log_level.upper())
    registry = Registry(domain or load_domain(settings.domain))
    engine = engine or create_engine(settings.resolved_database_url(), settings.sqlite)
    return App(settings, registry, engine, Bus(registry, engine, clock=clock))

"""Per-invocation state: global options, and the app built only when a command needs it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller


@dataclass
class CliState:
    db: str | None = None
    tenant: str | None = None
    fmt: str | None = None
    debug: bool = False
    _app: App | None = field(default=None, repr=False)

    @property
    def format(self) -> str:
        if self.fmt:
            return self.fmt
        return "table" if sys.stdout.isatty() else "json"

    def settings_overrides(self) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        if self.db:
            overrides["database_url"] = self.db
        if self.tenant:
            overrides["tenant"] = self.tenant
        return overrides

    @property
    def app(self) -> App:
        if self._app is None:
            from core.bootstrap import bootstrap
            from core.settings import Settings

            self._app = bootstrap(Settings(**self.settings_overrides()))
        return self._app

    def caller(self) -> Caller:
        from core.contracts import CallerType

        return self.app.caller(CallerType.HUMAN if sys.stdin.isatty() else CallerType.SCRIPT)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()

"""Per-invocation state: global options, and the app built only when a command needs it.

In the REPL every command gets a fresh state whose `parent` is the session's, so the
app (registry, engine, connection pool) is built once per session, not once per line.
"""

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
    parent: CliState | None = None
    in_repl: bool = False
    _app: App | None = field(default=None, repr=False)

    @property
    def format(self) -> str:
        if self.fmt:
            return self.fmt
        if self.parent is not None:
            return self.parent.format
        return "table" if sys.stdout.isatty() else "json"

    def settings_overrides(self) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        if self.parent is not None:
            overrides.update(self.parent.settings_overrides())
        if self.db:
            overrides["database_url"] = self.db
        if self.tenant:
            overrides["tenant"] = self.tenant
        return overrides

    @property
    def app(self) -> App:
        if self._app is None:
            if self.parent is not None and not self.db and not self.tenant:
                return self.parent.app
            self._app = _build_app(self.settings_overrides())
        return self._app

    def caller(self) -> Caller:
        from core.contracts import CallerType

        return self.app.caller(CallerType.HUMAN if sys.stdin.isatty() else CallerType.SCRIPT)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


def _build_app(overrides: dict[str, Any]) -> App:
    """Bootstrap, turning a bad setting (tenant, database URL) into a usage error."""
    import click
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError

    from core.bootstrap import bootstrap
    from core.contracts import DefinitionError
    from core.settings import Settings

    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        raise click.UsageError(f"bad setting: {problems}") from None
    try:
        return bootstrap(settings)
    except DefinitionError:
        raise
    except ArgumentError:
        # The parser's message repeats the URL, password included: name the problem only.
        raise click.UsageError("bad database URL: cannot parse it") from None
    except ValueError as exc:
        raise click.UsageError(f"bad database URL: {exc}") from None

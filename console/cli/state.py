"""Per-invocation state: global options, and the app built only when a command needs it.

In the REPL every command gets a fresh state whose `parent` is the session's, so the
app (registry, engine, connection pool) is built once per session, not once per line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from core.auth import Identity
    from core.bootstrap import App
    from core.contracts import Caller
    from core.settings import Settings


@dataclass
class CliState:
    db: str | None = None
    tenant: str | None = None
    fmt: str | None = None
    debug: bool = False
    parent: CliState | None = None
    in_repl: bool = False
    _app: App | None = field(default=None, repr=False)
    _identity: Identity | None = field(default=None, repr=False)

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
        if self.db is not None:
            overrides["database_url"] = self.db
        if self.tenant is not None:
            overrides["tenant"] = self.tenant
        return overrides

    @property
    def app(self) -> App:
        if self._app is None:
            if self.parent is not None and self.db is None and self.tenant is None:
                return self.parent.app
            self._app = _build_app(self.settings_overrides())
        return self._app

    def asked_tenant(self) -> str | None:
        """The tenant named with `--tenant` (here or in the REPL's start), if any."""
        if self.tenant is not None:
            return self.tenant
        return self.parent.asked_tenant() if self.parent is not None else None

    def identity(self) -> Identity:
        """Who runs this command, from the session token under `local` or `oidc`;
        `Unauthenticated` (exit 4) without a valid one. Resolved once per command."""
        if self._identity is None:
            from core.contracts import CallerType
            from core.settings import SettingsError

            app = self.app
            try:
                auth = app.auth
            except SettingsError as exc:
                raise click.UsageError(f"bad setting: {exc}") from None
            token = None
            if auth.needs_sign_in:
                from console.session_token import lookup

                found = lookup(app.settings)
                if found.warning:
                    click.echo(found.warning, err=True)
                token = found.token
            kind = CallerType.HUMAN if sys.stdin.isatty() else CallerType.SCRIPT
            self._identity = auth.identify(token, self.asked_tenant(), kind)
        return self._identity

    def caller(self) -> Caller:
        return self.identity().caller

    def close(self) -> None:
        self._identity = None
        if self._app is not None:
            if "ai.metering" in sys.modules:  # a capability's usage line, written first
                sys.modules["ai.metering"].flush()
            self._app.close()
            self._app = None


def _build_app(overrides: dict[str, Any]) -> App:
    """Bootstrap, turning a bad setting (tenant, database URL, domain) into a usage error."""
    from sqlalchemy.exc import ArgumentError

    from ai.capabilities import bootstrap_with_ai
    from core.contracts import DefinitionError
    from core.settings import SettingsError

    settings = load_settings(overrides)
    try:
        return bootstrap_with_ai(settings)  # the entities' AI capabilities reach a model
    except DefinitionError:
        raise
    except SettingsError as exc:
        raise click.UsageError(f"bad setting: {exc}") from None
    except ArgumentError:
        # The parser's message repeats the URL, password included: name the problem only.
        raise click.UsageError(
            f"bad database URL ({_url_source(overrides)}): cannot parse it"
        ) from None
    except ValueError as exc:
        raise click.UsageError(f"bad database URL ({_url_source(overrides)}): {exc}") from None


def load_settings(overrides: dict[str, Any]) -> Settings:
    from core.settings import SettingsError
    from core.settings import load_settings as load

    try:
        return load(**overrides)
    except SettingsError as exc:
        raise click.UsageError(f"bad setting: {exc}") from None


def _url_source(overrides: dict[str, Any]) -> str:
    from core.settings import source_of

    return source_of(("database_url",), overrides)

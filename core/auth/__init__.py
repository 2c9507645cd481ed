"""Authentication: the `AuthProvider` chosen by `auth.provider`, and what it rests on.

`dev` (no sign-in, the configured admin), `local` (accounts and sessions in the
database) and `oidc` (JWTs from an identity provider). `build_provider` is what the
composition root calls; surfaces ask the provider for the caller.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import sqlalchemy as sa

from core.auth.provider import AuthProvider, Dispatch, Identity, SignedInToken
from core.settings import Settings

__all__ = ["AuthProvider", "Identity", "SignedInToken", "build_provider"]


def build_provider(
    settings: Settings,
    engine: sa.Engine,
    begin: Callable[[], AbstractContextManager[sa.Connection]],
    dispatch: Dispatch,
    clock: Callable[[], dt.datetime],
    sleep: Callable[[float], None] = time.sleep,
) -> AuthProvider:
    """The configured provider; `SettingsError` for development auth on a shared database."""
    name = settings.auth.provider
    if name == "local":
        from core.auth.local import LocalAuth

        return LocalAuth(settings.auth, engine, begin, dispatch, clock, sleep)
    if name == "oidc":
        from core.auth.oidc import OidcAuth

        return OidcAuth(settings.auth)
    from core.auth.dev import DevAuth, check_dev_allowed

    check_dev_allowed(settings, engine.dialect.name)
    return DevAuth(settings)

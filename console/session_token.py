"""Where a surface finds the session token: `METASAAS_TOKEN`, then the system keyring when
a real backend exists, then (only with `auth.token_file = true`) a 0600 file in the user
data directory.

Keyring calls give up after three seconds with a one-line warning, never a hang. Tokens
are scoped to the database (a digest of its URL), so signing in to a second database
does not sign out of the first.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import Settings

ENV = "METASAAS_TOKEN"
SERVICE = "metasaas-session"
TIMEOUT_SECONDS = 3.0


@dataclass
class Found:
    token: str | None
    source: str | None  # "environment", "keyring", "file" or None
    warning: str | None = None


def _scope(settings: Settings) -> str:
    return hashlib.sha256(settings.resolved_database_url().encode()).hexdigest()[:16]


def _file(settings: Settings) -> Path:
    from core.settings import private_dir, user_data_dir

    return private_dir(user_data_dir()) / f"session-{_scope(settings)}.token"


def _ring() -> Any:
    """The keyring module if a real backend exists (not the `fail` one), else None."""
    import keyring
    from keyring.backends import fail

    return None if isinstance(keyring.get_keyring(), fail.Keyring) else keyring


def _keyring_call(name: str, *args: str) -> Any:
    from core.deadline import bounded

    def call() -> Any:
        ring = _ring()
        return (False, None) if ring is None else (True, getattr(ring, name)(*args))

    return bounded(call, TIMEOUT_SECONDS)


def lookup(settings: Settings) -> Found:
    from core.deadline import KeyringUnavailable

    value = os.environ.get(ENV, "").strip()
    if value:
        return Found(value, "environment")
    warning = None
    try:
        real, stored = _keyring_call("get_password", SERVICE, _scope(settings))
        if stored:
            return Found(str(stored), "keyring")
    except KeyringUnavailable as exc:
        warning = f"warning: {exc}; looking elsewhere for the session token"
    if settings.auth.token_file:
        path = _file(settings)
        if path.is_file():
            return Found(path.read_text(encoding="utf-8").strip() or None, "file", warning)
    return Found(None, None, warning)


def keep(settings: Settings, token: str) -> tuple[str | None, str | None]:
    """Store `token`: where it went (`keyring`, `file` or None) and a warning if any."""
    from core.deadline import KeyringUnavailable
    from core.settings import private_file

    warning = None
    try:
        real, _ = _keyring_call("set_password", SERVICE, _scope(settings), token)
        if real:
            return "keyring", None
        warning = "warning: no system keyring"
    except KeyringUnavailable as exc:
        warning = f"warning: {exc}"
    if settings.auth.token_file:
        path = private_file(_file(settings))
        path.write_text(token, encoding="utf-8")
        return "file", None
    return None, f"{warning}; the token was not kept (use --print-token, or set auth.token_file)"


def forget(settings: Settings) -> str | None:
    from core.deadline import KeyringUnavailable

    warning = None
    try:
        _keyring_call("delete_password", SERVICE, _scope(settings))
    except KeyringUnavailable as exc:
        if "PasswordDeleteError" not in str(exc):
            warning = f"warning: {exc}"
    if settings.auth.token_file:
        _file(settings).unlink(missing_ok=True)
    return warning

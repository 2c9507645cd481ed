"""Development authentication: the default on SQLite, refused on PostgreSQL unless allowed."""

from __future__ import annotations

import pytest

from core.bootstrap import bootstrap
from core.settings import Settings, SettingsError
from tests.support.databases import database


def test_dev_is_the_default_on_sqlite(tmp_path: object) -> None:
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/dev.db"))  # type: ignore[arg-type]
    try:
        who = app.auth.identify(None, None)
        assert who.dev and who.label.startswith("DEV MODE")
        assert who.caller.roles == {"admin"}
    finally:
        app.close()


def test_dev_is_refused_on_postgresql_unless_allowed(tmp_path: object) -> None:
    with database("postgresql", tmp_path) as url:  # type: ignore[arg-type]
        app = bootstrap(Settings(database_url=url, allow_dev_auth=False))  # type: ignore[arg-type]
        try:
            with pytest.raises(SettingsError, match="METASAAS_ALLOW_DEV_AUTH"):
                app.auth  # noqa: B018
        finally:
            app.close()
        allowed = bootstrap(Settings(database_url=url, allow_dev_auth=True))  # type: ignore[arg-type]
        try:
            assert allowed.auth.identify(None, None).dev
        finally:
            allowed.close()

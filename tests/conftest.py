"""Shared fixtures: every engine test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.bootstrap import App, bootstrap
from core.contracts import Caller, CallerType
from core.db.migrate import migrate
from core.settings import Settings
from tests.support.databases import database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep tests away from the developer's own config file and database."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    for key in [k for k in os.environ if k.startswith("METASAAS_")]:
        os.environ.pop(key)
    # Rate limits are tested in tests/security/test_rate_limits.py with their own settings;
    # elsewhere a test that dispatches 500 actions must not trip over the 120/minute default.
    for scope in ("CALLER", "TENANT", "AI"):
        os.environ[f"METASAAS_RATE_LIMIT_{scope}"] = "none"
    # The suite's PostgreSQL databases are development databases: CLI subprocesses and
    # apps use development authentication there too, unless a test says otherwise.
    os.environ["METASAAS_ALLOW_DEV_AUTH"] = "1"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with database(backend, tmp_path) as url:
        yield url


def make_app(url: str, **settings: object) -> App:
    app = bootstrap(Settings(database_url=url, **settings))  # type: ignore[arg-type]
    migrate(app.engine, app.registry.metadata)
    return app


@pytest.fixture
def app(db_url: str) -> Iterator[App]:
    application = make_app(db_url)
    yield application
    application.close()


def make_caller(
    tenant: str = "default",
    roles: tuple[str, ...] = ("admin",),
    caller_type: CallerType = CallerType.HUMAN,
    user: str = "alice",
) -> Caller:
    return Caller(user, tenant, frozenset(roles), caller_type)


@pytest.fixture
def admin() -> Caller:
    return make_caller()

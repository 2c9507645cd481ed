"""The CLI as scripts see it: `metasaas` in a subprocess against a throw-away database.

Databases are migrated and seeded once per module (in-process, through the bus), because a
subprocess costs most of a second; tests that change data create their own records and
compare against what the bus reports, never against seed counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.bootstrap import bootstrap
from core.contracts import Caller
from core.db.migrate import migrate
from core.seeding import ensure_tenant, seed
from core.settings import Settings
from tests.support.databases import database

METASAAS = Path(sys.executable).with_name("metasaas")
ADMIN = Caller("dev-admin", "default", frozenset({"admin"}))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def error(self) -> dict[str, Any]:
        return dict(json.loads(self.stderr)["error"])


def run_cli(
    *args: str,
    db: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Result:
    command = [str(METASAAS), *args]
    if db is not None:
        command += ["--db", db]
    proc = subprocess.run(
        command,
        input=stdin.encode() if stdin is not None else None,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        # development authentication on PostgreSQL too, unless a test says otherwise
        env={**os.environ, "METASAAS_ALLOW_DEV_AUTH": "1", **(env or {})},
        timeout=timeout,
    )
    # Decoded by hand: text mode would turn CSV's CRLF into LF before a test could see it.
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def prepare(url: str, *, seeded: bool = True) -> None:
    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    try:
        migrate(app.engine, app.registry.metadata)
        ensure_tenant(app.engine, "default")
        if seeded:
            seed(app.bus, app.system_caller(), list(app.registry.domain.seed()))  # type: ignore[misc]
    finally:
        app.close()


def dispatch(url: str, action: str, payload: dict[str, Any], caller: Caller = ADMIN) -> Any:
    """Ask the bus directly, to check what a CLI command stored."""
    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    try:
        return app.bus.dispatch(action, payload, caller)
    finally:
        app.close()


def all_items(url: str, entity: str, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    items: list[dict[str, Any]] = []
    payload: dict[str, Any] = {"filters": filters or {}, "limit": 500}
    try:
        while True:
            page = app.bus.dispatch(f"{entity}.list", payload, ADMIN)
            items.extend(page["items"])
            if not page["next_cursor"]:
                return items
            payload["cursor"] = page["next_cursor"]
    finally:
        app.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, seeded database per module and backend."""
    with database(str(request.param), tmp_path_factory.mktemp("cli")) as url:
        prepare(url)
        yield url


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded SQLite database for the tests that need only one backend."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-sqlite') / 'cli.db'}"
    prepare(url)
    return url

"""TUI fixtures: a seeded database per test (SQLite copied from a template seeded once
per session; a fresh PostgreSQL database seeded per test) and a `Harness` on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import postgres_database
from tests.tui.support import Harness, copy_sqlite, seed_database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    seed_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A relative URL, so the header (which names the file) is the same in every run."""
    copy_sqlite(sqlite_template, tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)
    return "sqlite:///demo.db"


@pytest.fixture
def harness(sqlite_url: str) -> Iterator[Harness]:
    h = Harness(sqlite_url)
    yield h
    h.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """The same flow on both databases."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        copy_sqlite(template, tmp_path / "demo.db")
        h = Harness(f"sqlite:///{tmp_path / 'demo.db'}")
        yield h
        h.close()
        return
    with postgres_database() as url:
        seed_database(url)
        h = Harness(url)
        yield h
        h.close()

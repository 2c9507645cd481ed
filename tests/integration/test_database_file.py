"""A SQLite file deleted or replaced under a running session refuses writes with a clear
error instead of writing into the unlinked file, where they would vanish; `health` says
so too. (PostgreSQL has no file to lose.)"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from console.cli.main import invoke
from console.cli.state import CliState
from core.bootstrap import App
from tests.conftest import make_app
from tests.support.engine_helpers import caller, raises_code


@pytest.fixture
def session(tmp_path: Path) -> tuple[App, Path]:
    path = tmp_path / "live.db"
    app = make_app(f"sqlite:///{path}")
    app.bus.dispatch("task.create", {"title": "before"}, caller())
    yield app, path
    app.close()


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_writes_after_the_file_was_deleted_are_refused(session: tuple[App, Path]) -> None:
    app, path = session
    remove(path)
    with raises_code("internal") as info:
        app.bus.dispatch("task.create", {"title": "lost?"}, caller())
    assert info.value.details["reason"] == "database_file_changed"
    assert str(path) in info.value.message and "deleted" in info.value.message
    assert not path.exists()  # not silently re-created empty either


def test_writes_after_the_file_was_replaced_are_refused(
    session: tuple[App, Path], tmp_path: Path
) -> None:
    app, path = session
    other = make_app(f"sqlite:///{tmp_path / 'other.db'}")
    other.close()
    os.replace(tmp_path / "other.db", path)
    with raises_code("internal") as info:
        with app.bus.atomic(caller()) as batch:
            batch.dispatch("task.create", {"title": "lost?"})
    assert "replaced" in info.value.message


def test_the_file_left_in_place_keeps_working(session: tuple[App, Path], tmp_path: Path) -> None:
    app, path = session
    shutil.copy(path, tmp_path / "backup.db")  # reading or copying it is harmless
    app.bus.dispatch("task.create", {"title": "after"}, caller())
    assert app.bus.dispatch("task.count", {}, caller())["count"] == 2


def test_health_in_a_session_says_the_file_is_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "repl.db"
    make_app(f"sqlite:///{path}").close()
    state = CliState(db=f"sqlite:///{path}", fmt="json")
    state.in_repl = True
    try:
        assert invoke(["health"], obj=state) == 0
        capsys.readouterr()
        remove(path)
        assert invoke(["health"], obj=state) == 1
        out = capsys.readouterr().out
        assert "deleted" in out and '"healthy": false' in out
        assert invoke(["create", "task", "title=gone"], obj=state) == 1
        assert "deleted" in capsys.readouterr().err
    finally:
        state.close()

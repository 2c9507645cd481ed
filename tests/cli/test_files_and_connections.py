"""Where the data lives and how failures read: an explicit SQLite path in a missing
directory is refused (not created), a `file:` URI is understood, the user data directory
and its files are private, `--debug` shows why a connection failed, and without it the
reference of an internal error is found in the log file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import prepare, run_cli
from tests.support.databases import require_pg


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_path_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    result = run_cli("list", "task", "--format", "json", db=f"sqlite:///{missing}/x.db")
    assert result.code == 2, result.stderr
    assert "does not exist" in result.error()["message"]
    assert not (tmp_path / "no").exists()


def test_a_file_uri_is_understood(tmp_path: Path) -> None:
    url = f"sqlite:///file:{tmp_path}/uri.db?mode=rwc"
    assert run_cli("migrate", "--format", "json", db=url).code == 0
    made = run_cli("create", "task", "title=via uri", "--format", "json", db=url)
    assert made.code == 0, made.stderr
    assert (tmp_path / "uri.db").is_file()
    assert not list(Path.cwd().glob("file:*"))
    read_only = f"sqlite:///file:{tmp_path}/uri.db?mode=ro"
    listed = run_cli("list", "task", "--format", "json", db=read_only)
    assert [t["title"] for t in listed.json()["items"]] == ["via uri"]


def test_the_user_data_directory_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "metasaas").mkdir(parents=True, mode=0o755)
    os.chmod(data / "metasaas", 0o755)  # as an older version or a lax umask left it
    env = {"XDG_DATA_HOME": str(data)}
    assert run_cli("migrate", "--format", "json", env=env).code == 0
    assert run_cli("create", "task", "title=private", "--format", "json", env=env).code == 0
    home = data / "metasaas"
    assert mode(home) == 0o700
    files = sorted(p.name for p in home.iterdir())
    assert "metasaas.db" in files
    for name in files:
        assert mode(home / name) == 0o600, name


def test_the_repl_history_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from console.cli.repl_session import history_path, make_session
    from console.cli.state import CliState

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'h.db'}"
    prepare(url, seeded=False)
    state = CliState(db=url)
    try:
        make_session(state)
    finally:
        state.close()
    assert mode(history_path()) == 0o600
    assert mode(history_path().parent) == 0o700


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/metasaas", "refused"),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database_x", "does not exist"),
        ("postgresql+psycopg://no_such_role_x@127.0.0.1:5432/postgres", "no_such_role_x"),
    ],
)
def test_debug_shows_why_a_connection_failed(url: str, cause: str) -> None:
    require_pg()
    plain = run_cli("list", "task", "--format", "json", db=url)
    assert plain.code == 1
    assert cause not in plain.stderr and "Traceback" not in plain.stderr
    debug = run_cli("list", "task", "--format", "json", "--debug", db=url)
    assert debug.code == 1
    assert cause in debug.stderr


def test_debug_shows_a_read_only_database(tmp_path: Path) -> None:
    prepare(f"sqlite:///{tmp_path / 'ro.db'}", seeded=False)
    url = f"sqlite:///file:{tmp_path}/ro.db?mode=ro"
    plain = run_cli("create", "task", "title=x", "--format", "json", db=url)
    assert plain.code == 1 and "readonly" not in plain.stderr
    debug = run_cli("create", "task", "title=x", "--format", "json", "--debug", db=url)
    assert debug.code == 1 and "readonly database" in debug.stderr


def test_the_reference_of_an_internal_error_is_in_the_log(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database, it only has its name" * 100)
    data = tmp_path / "data"
    result = run_cli(
        "list",
        "task",
        "--format",
        "json",
        db=f"sqlite:///{broken}",
        env={"XDG_DATA_HOME": str(data)},
    )
    assert result.code == 1
    error = result.error()
    reference = error["details"]["reference"]
    log = data / "metasaas" / "metasaas.log"
    assert error["details"]["log_file"] == str(log)
    assert reference in log.read_text()
    assert mode(log) == 0o600
    table = run_cli(
        "list",
        "task",
        "--format",
        "table",
        db=f"sqlite:///{broken}",
        env={"XDG_DATA_HOME": str(data)},
    )
    assert f"(logged in {log})" in table.stderr

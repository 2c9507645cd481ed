"""Stored text cannot drive the terminal of whoever lists it: in table output every
control character is escaped (the whole naughty-strings corpus included), while JSON and
CSV carry the data byte for byte."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli.output import TERMINAL_CONTROLS
from core.bootstrap import bootstrap
from core.settings import Settings
from tests.cli.conftest import ADMIN, dispatch, prepare, run_cli
from tests.support.naughty import naughty_strings, unstorable

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\rX\u202eevil\x85\x9b2J"
WIDE = {"COLUMNS": "100000"}


def raw_controls(text: str) -> set[str]:
    return set(TERMINAL_CONTROLS.findall(text))


def test_table_output_escapes_what_json_and_csv_keep(sqlite_db: str) -> None:
    task = dispatch(sqlite_db, "task.create", {"title": HOSTILE, "description": HOSTILE})
    ident = str(task["id"])
    listed = run_cli("list", "task", "--filter", f"id={ident}", "--format", "table", db=sqlite_db)
    got = run_cli("get", "task", ident, "--format", "table", db=sqlite_db, env=WIDE)
    for result in (listed, got):
        assert result.code == 0, result.stderr
        assert raw_controls(result.stdout) == set()
    assert "\\x1b]0;owned\\x07" in got.stdout and "\\rX\\u202eevil" in got.stdout
    as_json = run_cli("get", "task", ident, "--format", "json", db=sqlite_db).json()
    assert as_json["title"] == HOSTILE and as_json["description"] == HOSTILE
    as_csv = run_cli("list", "task", "--filter", f"id={ident}", "--format", "csv", db=sqlite_db)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout, newline="")))
    assert rows[0]["title"] == HOSTILE


def test_an_error_message_in_text_mode_is_escaped(sqlite_db: str) -> None:
    result = run_cli("list", "\x1b[2Jtask", "--format", "table", db=sqlite_db)
    assert result.code == 6
    assert raw_controls(result.stderr) == set()


@pytest.fixture(scope="module")
def naughty_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('naughty') / 'n.db'}"
    prepare(url, seeded=False)
    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    stored = 0
    try:
        for text in naughty_strings():
            if unstorable(text) or not text.strip() or len(text) > 200:
                continue
            app.bus.dispatch("task.create", {"title": text}, ADMIN)
            stored += 1
    finally:
        app.close()
    yield url, stored


def test_the_naughty_strings_reach_no_terminal_raw(naughty_db: tuple[str, int]) -> None:
    url, stored = naughty_db
    result = run_cli("list", "task", "--all", "--format", "table", db=url, env=WIDE)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == stored + 2  # header, rule, one line per record: no row was split
    assert raw_controls(result.stdout) == set()
    assert "\\u202e" in result.stdout and "\\x1b" in result.stdout  # the corpus has both


def test_the_naughty_strings_come_back_unchanged_as_json(naughty_db: tuple[str, int]) -> None:
    url, stored = naughty_db
    result = run_cli("list", "task", "--all", "--format", "json", db=url)
    titles = {item["title"] for item in result.json()["items"]}
    expected = {t for t in naughty_strings() if not unstorable(t) and t.strip() and len(t) <= 200}
    assert titles == expected and len(titles) == stored


def test_no_control_reaches_the_terminal_from_a_file_name(tmp_path: Path, sqlite_db: str) -> None:
    bad = tmp_path / "x\x1b[2J.csv"
    bad.write_text("nope\n1\n", encoding="utf-8")
    result = run_cli("import", "task", str(bad), "--format", "table", db=sqlite_db)
    assert result.code == 3
    assert raw_controls(result.stdout + result.stderr) == set()

"""File inputs get a clear answer and an import loses nothing: standard input is read once,
a BOM is accepted, a broken CSV quote is a row error, a missing, directory or binary
input file is a usage or input error (never internal), `--resume` after fixing one row
imports exactly that row, and Ctrl+C says on stderr how many rows were stored."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from pathlib import Path

from core.bootstrap import bootstrap
from core.settings import Settings, SQLiteSettings
from tests.cli.conftest import ADMIN, METASAAS, all_items, run_cli


def tasks(url: str, marker: str) -> list[str]:
    return sorted(t["title"] for t in all_items(url, "task", {"title__contains": marker}))


def test_import_reads_standard_input_once(seeded_db: str) -> None:
    marker = uuid.uuid4().hex[:8]
    csv_text = "title,priority\r\n" + "".join(f"{marker} {i},low\r\n" for i in range(3))
    result = run_cli("import", "task", "-", db=seeded_db, stdin=csv_text)
    assert result.code == 0, result.stderr
    assert result.json()["imported"] == 3
    assert tasks(seeded_db, marker) == [f"{marker} {i}" for i in range(3)]


def test_a_byte_order_mark_is_accepted(sqlite_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    path = tmp_path / "bom.csv"
    path.write_text(f"\ufefftitle\n{marker} csv\n", encoding="utf-8")
    assert run_cli("import", "task", str(path), db=sqlite_db).code == 0
    line = json.dumps({"action": "task.create", "input": {"title": f"{marker} batch"}})
    batch = run_cli("batch", db=sqlite_db, stdin="\ufeff" + line + "\n")
    assert batch.code == 0, batch.stdout
    assert tasks(sqlite_db, marker) == [f"{marker} batch", f"{marker} csv"]


def test_an_unterminated_quote_is_a_row_error(sqlite_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    path = tmp_path / "quote.csv"
    path.write_text(f'title,priority\n{marker} fine,low\n"{marker} open,low\nnext,low\n')
    result = run_cli("import", "task", str(path), db=sqlite_db)
    assert result.code == 3
    (rejected,) = result.json()["rejected"]
    assert rejected["row"] == 2 and "bad CSV" in rejected["error"]["message"]
    assert tasks(sqlite_db, marker) == [f"{marker} fine"]


def test_a_bad_input_file_is_named(sqlite_db: str, tmp_path: Path) -> None:
    missing = run_cli("run", "task.count", "--input-file", str(tmp_path / "nope.json"))
    assert missing.code == 2 and "does not exist" in missing.stderr
    directory = run_cli("run", "task.count", "--input-file", str(tmp_path))
    assert directory.code == 2 and "directory" in directory.stderr
    binary = tmp_path / "blob.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    result = run_cli("run", "task.count", "--input-file", str(binary), db=sqlite_db)
    assert result.code == 3 and "not UTF-8" in result.error()["message"]
    assert run_cli("import", "task", str(tmp_path / "nope.csv"), db=sqlite_db).code == 2


def test_resume_after_fixing_a_bad_row_imports_exactly_that_row(
    seeded_db: str, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:8]
    path = tmp_path / "fix.csv"
    good = [f"{marker} a,low", f"{marker} b,high", f"{marker} a,low"]  # identical rows: two
    path.write_text("title,priority\n" + "\n".join([good[0], f"{marker} c,urgent", *good[1:]]))
    first = run_cli("import", "task", str(path), db=seeded_db).json()
    assert (first["imported"], len(first["rejected"])) == (3, 1)
    path.write_text("title,priority\n" + "\n".join([good[0], f"{marker} c,medium", *good[1:]]))
    resumed = run_cli("import", "task", str(path), "--resume", db=seeded_db)
    assert resumed.code == 0, resumed.stdout
    assert (resumed.json()["skipped"], resumed.json()["imported"]) == (3, 1)
    expected = [f"{marker} a", f"{marker} a", f"{marker} b", f"{marker} c"]
    assert tasks(seeded_db, marker) == expected


def test_ctrl_c_reports_on_stderr_how_many_rows_were_stored(seeded_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    path = tmp_path / "long.csv"
    path.write_text("title\n" + "".join(f"{marker} {i}\n" for i in range(20_000)))
    proc = subprocess.Popen(
        [str(METASAAS), "import", "task", str(path), "--format", "json", "--db", seeded_db],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not tasks(seeded_db, marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out == b""
    error = json.loads(err)["error"]
    assert error["code"] == "interrupted"
    stored = len(tasks(seeded_db, marker))
    assert 0 < stored < 20_000
    assert error["details"]["imported"] == stored


def test_a_dry_run_lets_other_writers_in(sqlite_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    path = tmp_path / "dry.csv"
    path.write_text("title\n" + "".join(f"{marker} {i}\n" for i in range(20_000)))
    proc = subprocess.Popen(
        [str(METASAAS), "import", "task", str(path), "--dry-run", "--db", sqlite_db],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    writer = bootstrap(
        Settings(database_url=sqlite_db, sqlite=SQLiteSettings(busy_timeout_ms=300))  # type: ignore[arg-type]
    )
    try:
        time.sleep(1.5)
        for i in range(5):
            writer.bus.dispatch("task.create", {"title": f"{marker} writer {i}"}, ADMIN)
            time.sleep(0.1)
        assert proc.poll() is None, "the dry run ended before the writers could overlap it"
    finally:
        writer.close()
        out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert json.loads(out)["accepted"] == 20_000
    assert tasks(sqlite_db, marker) == [f"{marker} writer {i}" for i in range(5)]

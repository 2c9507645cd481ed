"""`export` and `import`: streamed out, back in row by row through the bus, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import uuid
from pathlib import Path

from tests.cli.conftest import METASAAS, all_items, dispatch, prepare, run_cli

COMPANY_FIELDS = ("name", "website", "industry", "employees", "annual_revenue", "phone", "city")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_export_csv_escapes_formulas_but_not_numbers(sqlite_db: str) -> None:
    city = f'=HYPERLINK("http://evil.example","{uuid.uuid4().hex}")'
    dispatch(
        sqlite_db,
        "company.create",
        {"name": "@SUM(A1)", "city": city, "country": "-2+3", "employees": 12},
    )
    result = run_cli(
        "export", "company", "--filter", "name=@SUM(A1)", "--format", "csv", db=sqlite_db
    )
    assert result.code == 0, result.stderr
    assert result.stdout.endswith("\r\n")
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["name"] == "'@SUM(A1)"
    assert row["city"] == "'" + city
    assert row["country"] == "'-2+3"
    assert row["employees"] == "12"


def test_export_json_is_one_document_with_every_record(sqlite_db: str) -> None:
    result = run_cli("export", "contacts", "--format", "json", db=sqlite_db)
    assert result.code == 0, result.stderr
    exported = result.json()
    assert exported["next_cursor"] is None
    assert sorted(c["id"] for c in exported["items"]) == sorted(
        str(c["id"]) for c in all_items(sqlite_db, "contact")
    )


def test_import_reports_bad_rows_and_keeps_the_good_ones(seeded_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    path = write_csv(
        tmp_path / "tasks.csv",
        ["title", "priority", "estimate_hours", "due_date", "description"],
        [
            [f"good one {marker}", "high", "2", "2025-01-01", "multi\nline"],
            ["", "low", "1", "", "no title"],
            [f"bad enum {marker}", "urgent", "", "", ""],
            [f"bad number {marker}", "low", "lots", "", ""],
            [f"good two {marker}", "", "", "", "'=1+2"],
        ],
    )
    result = run_cli("import", "task", str(path), db=seeded_db)
    assert result.code == 3, result.stderr
    report = result.json()
    assert (report["rows"], report["accepted"], report["imported"]) == (5, 2, 2)
    rejected = {r["row"]: r for r in report["rejected"]}
    assert sorted(rejected) == [2, 3, 4]
    assert rejected[2]["line"] == 4  # the first row spans lines 2 and 3
    assert rejected[3]["error"]["details"]["field"] == "priority"
    assert rejected[4]["error"]["details"]["field"] == "estimate_hours"
    stored = {t["title"]: t for t in all_items(seeded_db, "task", {"title__contains": marker})}
    assert set(stored) == {f"good one {marker}", f"good two {marker}"}
    assert stored[f"good one {marker}"]["description"] == "multi\nline"
    assert stored[f"good two {marker}"]["description"] == "=1+2"

    again = run_cli("import", "task", str(path), db=seeded_db)
    assert again.json()["imported"] == 0
    assert {r["error"]["details"].get("reason") for r in again.json()["rejected"]} >= {"exists"}

    resumed = run_cli("import", "task", str(path), "--resume", db=seeded_db).json()
    assert (resumed["skipped"], resumed["accepted"], len(resumed["rejected"])) == (2, 0, 3)
    assert len(all_items(seeded_db, "task", {"title__contains": marker})) == 2


def test_atomic_import_imports_nothing_when_a_row_is_bad(seeded_db: str, tmp_path: Path) -> None:
    marker = uuid.uuid4().hex[:8]
    rows = [[f"first {marker}", "low"], [f"second {marker}", "urgent"], [f"third {marker}", ""]]
    path = write_csv(tmp_path / "atomic.csv", ["title", "priority"], rows)
    result = run_cli("import", "task", str(path), "--atomic", db=seeded_db)
    assert result.code == 3
    report = result.json()
    assert report["committed"] is False and report["imported"] == 0
    assert [r["row"] for r in report["rejected"]] == [2]
    assert all_items(seeded_db, "task", {"title__contains": marker}) == []

    good = write_csv(tmp_path / "good.csv", ["title", "priority"], [rows[0], rows[2]])
    dry = run_cli("import", "task", str(good), "--dry-run", db=seeded_db)
    assert dry.code == 0 and dry.json()["accepted"] == 2 and dry.json()["imported"] == 0
    assert all_items(seeded_db, "task", {"title__contains": marker}) == []
    done = run_cli("import", "task", str(good), "--atomic", "--format", "table", db=seeded_db)
    assert done.code == 0 and done.stdout.startswith("imported 2 of 2 row(s) into Task")
    assert len(all_items(seeded_db, "task", {"title__contains": marker})) == 2


def test_dry_run_finds_duplicates_within_the_file(sqlite_db: str, tmp_path: Path) -> None:
    name = f"Twice {uuid.uuid4().hex[:8]}"
    path = write_csv(tmp_path / "twice.csv", ["name"], [[name], [name]])
    result = run_cli("import", "company", str(path), "--dry-run", db=sqlite_db)
    assert result.code == 7
    assert [r["error"]["details"]["reason"] for r in result.json()["rejected"]] == ["unique"]
    assert all_items(sqlite_db, "company", {"name": name}) == []


def test_unknown_columns_are_refused_before_any_row(sqlite_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", ["title", "colour"], [["x", "red"]])
    result = run_cli("import", "task", str(path), db=sqlite_db)
    assert result.code == 3
    assert result.error()["details"]["columns"] == ["colour"]


def test_an_export_imports_back_unchanged(sqlite_db: str, tmp_path: Path) -> None:
    exported = run_cli("export", "company", "--format", "csv", db=sqlite_db)
    path = tmp_path / "companies.csv"
    path.write_text(exported.stdout, encoding="utf-8", newline="")
    assert "'+" in exported.stdout  # phone numbers start with +, so they were escaped
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    prepare(fresh, seeded=False)
    plain = run_cli("import", "company", str(path), db=fresh)
    assert plain.code == 3  # timestamps and versions would be dropped: said, not done
    assert plain.error()["details"]["columns"] == [
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "version",
    ]
    assert all_items(fresh, "company") == []
    result = run_cli("import", "company", str(path), "--restore", db=fresh)
    assert result.code == 0, result.stdout + result.stderr

    def rows(url: str) -> dict[str, tuple[object, ...]]:
        return {
            str(c["id"]): tuple(c[f] for f in COMPANY_FIELDS) for c in all_items(url, "company")
        }

    assert rows(fresh) == rows(sqlite_db)


def test_import_shows_progress_when_stderr_is_a_terminal(sqlite_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bar.csv", ["title"], [[f"bar {i}"] for i in range(3)])
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(METASAAS), "import", "task", str(path), "--db", sqlite_db],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    assert b"importing Tasks" in seen
    assert b"importing" not in out


def test_a_reader_that_stops_early_ends_the_export_quietly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    prepare(url, seeded=False)
    from core.bootstrap import bootstrap
    from core.settings import Settings
    from tests.cli.conftest import ADMIN

    app = bootstrap(Settings(database_url=url))  # type: ignore[arg-type]
    with app.bus.atomic(ADMIN) as batch:  # far more than a pipe buffer holds
        for i in range(300):
            batch.dispatch("task.create", {"title": f"t{i}", "description": "d" * 2000})
    app.close()
    proc = subprocess.Popen(
        [str(METASAAS), "export", "task", "--format", "csv", "--db", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"id,title")
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_a_file_that_is_not_utf8_is_refused(sqlite_db: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("title\nCaf\u00e9 cr\u00e8me\n".encode("latin-1"))
    result = run_cli("import", "task", str(path), db=sqlite_db)
    assert result.code == 3
    assert result.error()["message"] == "the file is not UTF-8 text"
    assert all_items(sqlite_db, "task", {"title__contains": "Caf"}) == []


def test_import_keeps_the_text_null_as_text(sqlite_db: str, tmp_path: Path) -> None:
    title = f"null-{uuid.uuid4().hex[:8]}"
    path = write_csv(tmp_path / "nulls.csv", ["title", "description"], [[title, "null"]])
    result = run_cli("import", "task", str(path), "--format", "json", db=sqlite_db)
    assert result.code == 0, result.stderr
    (task,) = [t for t in all_items(sqlite_db, "task") if t["title"] == title]
    assert task["description"] == "null"

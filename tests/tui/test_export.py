"""The TUI's export of the current view: the same file `metasaas export` writes for it."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from console.tui.query import Query
from console.tui.screens.export import export_csv
from console.tui.session import Session
from tests.tui.support import Harness

METASAAS = Path(sys.executable).with_name("metasaas")


def test_the_view_exported_from_the_console_matches_the_shells_export(
    harness: Harness, tmp_path: Path
) -> None:
    session = Session.open(harness.connect)
    query = Query(filters={"status__in": ["todo", "review"]}, order_by="-due_date")
    seen: list[int] = []
    path = tmp_path / "view.csv"
    rows = export_csv(session, session.entity("task"), query, path, progress=seen.append)
    shell = subprocess.run(
        [
            str(METASAAS),
            "--db",
            harness.url,
            "export",
            "task",
            "--format",
            "csv",
            "--filter",
            "status__in=todo,review",
            "--order-by",
            "-due_date",
        ],
        capture_output=True,
        check=True,
        cwd=Path.cwd(),
    ).stdout.decode()
    exported = path.read_bytes().decode("utf-8")  # CRLF kept, as RFC 4180 has it
    assert exported == shell
    records = list(csv.DictReader(exported.splitlines()))
    assert rows == len(records) > 0
    assert {r["status"] for r in records} <= {"todo", "review"}

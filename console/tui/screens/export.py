"""Export the table's current view (filters and sort applied) to a CSV file, with progress.

Rows go through the same writer as `metasaas export` (`console.cli.output.write_csv_stream`,
`console.cli.common.output_columns`), so a file exported here imports back with
`metasaas import` exactly like one exported from the shell.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, ProgressBar, Static

from console.tui.screens.base import BusScreen
from console.tui.text import safe_text

if TYPE_CHECKING:
    from console.tui.query import Query
    from core.contracts import Entity


def export_csv(session: Any, entity: Entity, query: Query, path: Path, progress: Any = None) -> int:
    """Write every record of the view to `path`; returns the number of rows."""
    from console.cli.common import output_columns
    from console.cli.output import write_csv_stream

    def counted() -> Any:
        for rows, record in enumerate(session.iter_records(entity, query.request()), 1):
            yield record
            if progress is not None and rows % 500 == 0:
                progress(rows)

    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv_stream(counted(), output_columns(entity), out)


class ExportScreen(BusScreen):
    BINDINGS = [
        Binding(
            "escape",
            "close",
            "Close",
            id="export.close",
            tooltip="Close (an export under way goes on)",
        )
    ]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 70; max-width: 95%; height: auto; border: round $accent;
        background: $surface; padding: 0 1; }
    ExportScreen Input { margin: 1 0; }
    ExportScreen #export-buttons { height: 3; align-horizontal: right; }
    """

    def __init__(self, entity: Entity, query: Query, count: int | None) -> None:
        super().__init__()
        self.entity, self.query_state, self.count = entity, query, count

    def compose(self) -> ComposeResult:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        default = Path.cwd() / f"{self.entity.table_name}-{stamp}.csv"
        with Vertical():
            head = Text(f"Export {self.entity.plural}", style="bold")
            if self.query_state.text:
                head.append("  filter: ", style="dim")
                head.append_text(safe_text(self.query_state.text))
            yield Static(head)
            yield Input(str(default), id="export-path")
            yield ProgressBar(total=self.count, show_eta=False, id="export-progress")
            yield Static("", id="export-result")
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-start", variant="primary")
                yield Button("Close", id="export-close")

    @on(Button.Pressed, "#export-start")
    @on(Input.Submitted)
    def start(self) -> None:
        path = Path(self.query_one(Input).value).expanduser()
        self.query_one("#export-start", Button).disabled = True
        bar = self.query_one(ProgressBar)
        session, entity, query = self.session, self.entity, self.query_state

        def progress(rows: int) -> None:
            self.app.call_from_thread(bar.update, progress=rows)

        self.ask(
            lambda: export_csv(session, entity, query, path, progress),
            lambda rows: self.finished(path, rows),
            failed=self.failed,
            group="export",
        )

    def finished(self, path: Path, rows: int) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(rows, 1), progress=max(rows, 1))
        text = Text(f"{rows:,} rows written to ")
        text.append_text(safe_text(str(path)))
        self.query_one("#export-result", Static).update(text)
        self.notify(f"exported {rows:,} {self.entity.plural}", markup=False)

    def failed(self, error: Exception) -> None:
        self.query_one("#export-start", Button).disabled = False
        if isinstance(error, OSError):
            self.query_one("#export-result", Static).update(
                safe_text(f"cannot write the file: {error.strerror or error}")
            )
            return
        self.show_error(error)

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        self.dismiss()

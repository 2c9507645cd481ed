"""The column labels above a `RecordTable`; a click on a label asks to sort by it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from console.tui.columns import GAP, Column, header_text


class TableHeader(Widget):
    DEFAULT_CSS = "TableHeader { height: 1; }"

    class SortClicked(Message):
        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.columns: list[Column] = []
        self.line = Text()

    def render(self) -> Text:
        return self.line

    def show(self, columns: list[Column], sort: str, focused: int | None) -> None:
        self.columns = columns
        line = header_text(columns, sort, focused)
        if line != self.line:
            self.line = line
            self.refresh()

    def column_at(self, x: int) -> Column | None:
        left = 2
        for column in self.columns:
            if left <= x < left + column.width:
                return column
            left += column.width + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        column = self.column_at(event.x)
        if column is not None:
            self.post_message(self.SortClicked(column.name))

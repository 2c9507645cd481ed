"""A virtual table on Textual's Line API: only the rows in view are ever rendered.

`render_line(y)` asks the `PagedRows` source for one row; a row not fetched yet is drawn
as a placeholder and reported with `RowsWanted`, so the screen fetches that stretch from
the bus (a worker) and refreshes. Nothing here measures cells or holds more than the
source's bounded cache, so a table of a million rows costs what one of a hundred does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.tui.columns import Column, row_text
from console.tui.paging import PagedRows


class RecordTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"record-table--cursor", "record-table--missing"}
    DEFAULT_CSS = """
    RecordTable { background: $surface; }
    RecordTable > .record-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    RecordTable:blur > .record-table--cursor { background: $block-cursor-blurred-background; }
    RecordTable > .record-table--missing { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "home", "First row", show=False, id="table.first"),
        Binding("end,G", "end", "Last row", show=False, id="table.last"),
    ]

    cursor = reactive(0, repaint=False)

    class RowsWanted(Message):
        """A row in view is not fetched yet."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class RowChosen(Message):
        def __init__(self, index: int, record: dict[str, Any]) -> None:
            super().__init__()
            self.index = index
            self.record = record

    class CursorMoved(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.source = PagedRows()
        self.columns: list[Column] = []
        self.titles: Mapping[str, str] = {}
        self.marked: set[str] = set()

    def show(self, source: PagedRows, columns: list[Column], titles: Mapping[str, str]) -> None:
        self.source, self.columns, self.titles = source, columns, titles
        self.cursor = min(self.cursor, max(source.size - 1, 0))
        self.resize()

    def resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.source.size)
        self.refresh()

    @property
    def current(self) -> dict[str, Any] | None:
        return self.source.row(self.cursor) if self.source.size else None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if index >= self.source.size:
            return Strip.blank(width, base)
        record = self.source.row(index)
        if record is None:
            self.post_message(self.RowsWanted(index))
            style = self.get_component_rich_style("record-table--missing")
            return Strip([Segment("  …", base + style)]).adjust_cell_length(width, base)
        marked = str(record.get("id")) in self.marked
        text = row_text(self.columns, record, self.titles, marked)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("record-table--cursor")
        return _strip(text, self.app.console, style, width)

    def watch_cursor(self, old: int, new: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.CursorMoved(new))

    def _clamp(self, index: int) -> int:
        return max(0, min(index, self.source.size - 1))

    def action_move(self, delta: int) -> None:
        self.cursor = self._clamp(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.cursor = self._clamp(self.cursor + direction * max(self.size.height - 1, 1))

    def action_home(self) -> None:
        self.cursor = 0

    def action_end(self) -> None:
        self.cursor = self._clamp(self.source.size - 1)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, self.source.size)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if index < self.source.size:
            self.cursor = index
            record = self.source.row(index)
            if event.chain == 2 and record is not None:
                self.post_message(self.RowChosen(index, record))


def _strip(text: Text, console: Any, style: Style, width: int) -> Strip:
    segments = list(text.render(console))
    return Strip(segments).apply_style(style).adjust_cell_length(width, style)

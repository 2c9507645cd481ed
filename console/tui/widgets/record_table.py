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
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.tui.columns import Column, layout, row_text
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

    class ColumnsLaidOut(Message):
        """The columns got new widths (the table has a new width): the header follows."""

    class CursorMoved(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.source = PagedRows()
        self.all_columns: list[Column] = []
        self.columns: list[Column] = []
        """`all_columns` laid out for the width the table had when it was last drawn."""
        self._laid_for = -1
        self.titles: Mapping[str, str] = {}
        self.marked: set[str] = set()
        self.generation = 0
        """Bumped when columns, titles or marks change: cached lines drawn before are stale."""
        self._lines: LRUCache[tuple[Any, ...], Strip] = LRUCache(1024)
        self._asked = False
        self._base = self._cursor_style = self._missing_style = Style()
        self._refs: list[str] = []

    def rows_arrived(self) -> None:
        """A fetch stored rows: draw again (lines already drawn stay cached)."""
        self._asked = False
        self.refresh()

    def invalidate(self) -> None:
        """Forget drawn lines (new columns, titles, marks) and redraw."""
        self.generation += 1
        self._asked = False
        self.refresh()

    def show(self, source: PagedRows, columns: list[Column], titles: Mapping[str, str]) -> None:
        if columns != self.all_columns:
            self.all_columns, self._laid_for = columns, -1
        self.source, self.titles = source, titles
        self.cursor = min(self.cursor, max(source.size - 1, 0))
        self.resize()

    def resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.source.size)
        self.invalidate()

    @property
    def current(self) -> dict[str, Any] | None:
        return self.source.row(self.cursor) if self.source.size else None

    def render_lines(self, crop: Region) -> list[Strip]:
        width = self.scrollable_content_region.width
        if width != self._laid_for and width > 0:
            self._laid_for = width
            self.columns = layout(self.all_columns, width)
            self.generation += 1
            self.post_message(self.ColumnsLaidOut())
        # Styles are looked up once per drawing, not once per line.
        self._base = self.rich_style
        self._cursor_style = self._base + self.get_component_rich_style("record-table--cursor")
        self._missing_style = self._base + self.get_component_rich_style("record-table--missing")
        self._refs = [c.name for c in self.columns if c.kind == "ref"]
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self._base
        if index >= self.source.size:
            return Strip.blank(width, base)
        record = self.source.row(index)
        if record is None:
            if not self._asked:  # one request per drawing; it fetches the rows below too
                self._asked = True
                self.post_message(self.RowsWanted(index))
            return Strip([Segment("  …", self._missing_style)]).adjust_cell_length(width, base)
        marked = str(record.get("id")) in self.marked
        current = index == self.cursor
        titles = tuple(self.titles.get(str(record.get(name))) for name in self._refs)
        key = (id(record), self.generation, width, marked, current, self.has_focus, titles)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        text = row_text(self.columns, record, self.titles, marked)
        style = self._cursor_style if current else base
        strip = _strip(text, self.app.console, style, width)
        self._lines[key] = strip
        return strip

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

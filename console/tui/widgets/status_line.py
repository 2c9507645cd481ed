"""The line under a table: row count (from `count`), active filter, sort and marks."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from console.tui.text import safe_text


class StatusLine(Widget):
    """A plain widget, not a Static: a new line only repaints, it never re-lays out the
    screen (this runs on every cursor move)."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.line = Text()

    def render(self) -> Text:
        return self.line

    def show(
        self,
        plural: str,
        count: int | None,
        filter_text: str,
        sort: str,
        marked: int,
        position: int | None = None,
    ) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("… " if count is None else f"{count:,} ", style="bold")
        line.append(plural)
        if position is not None and count:
            line.append(f"  row {position + 1:,}", style="dim")
        if filter_text:
            line.append("  filter: ", style="dim")
            line.append_text(safe_text(filter_text))
        arrow = "▼" if sort.startswith("-") else "▲"
        line.append(f"  sort: {sort.removeprefix('-')} {arrow}", style="dim")
        if marked:
            line.append(f"  {marked} marked", style="bold")
        if line != self.line:
            self.line = line
            self.refresh()

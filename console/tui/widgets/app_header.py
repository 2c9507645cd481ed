"""The top line: product, DEV MODE when nobody signed in, tenant, user and roles, and which
database (SQLite file or PostgreSQL host)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.tui.text import safe_text


class AppHeader(Static):
    DEFAULT_CSS = """
    AppHeader { dock: top; height: 1; background: $panel; color: $foreground;
        text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(
        self, tenant: str | None, user: str | None, database: str | None, mode: str | None = None
    ) -> None:
        line = Text(" MetaSAAS Console", style="bold", no_wrap=True, overflow="ellipsis")
        if mode:
            line.append("  │ ", style="dim")
            line.append(mode, style="bold yellow")
        if tenant is None:
            line.append("  connecting…", style="dim")
        else:
            for label, value in (("tenant", tenant), ("user", user or ""), ("", database or "")):
                line.append("  │ ", style="dim")
                if label:
                    line.append(f"{label} ", style="dim")
                line.append_text(safe_text(value))
        self.update(line)

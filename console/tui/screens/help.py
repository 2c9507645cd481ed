"""`?`: every key of the screen below, with its id and what it does."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding(
            "escape,question_mark,q", "dismiss", "Close", id="help.close", tooltip="Close the help"
        ),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.describe(), id="help-text")

    def describe(self) -> Text:
        title = getattr(self.below, "title_text", None) or type(self.below).__name__
        text = Text(f"Keys: {title}\n", style="bold")
        seen: set[str] = set()
        for active in self.below.active_bindings.values():
            binding = active.binding
            if binding.action in ("command_palette",) and binding.id is None:
                continue
            ident = binding.id or binding.action
            if ident in seen or not binding.description:
                continue
            seen.add(ident)
            shown = binding.key_display or self.app.get_key_display(binding)
            text.append(f"{shown:>10}  ", style="bold")
            text.append(f"{binding.description:<12} ")
            text.append(binding.tooltip or "", style="dim")
            text.append("\n")
        text.append("\nEsc closes this help.", style="dim")
        return text

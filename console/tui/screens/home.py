"""The first screen: the shell with the entities and how to get around."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from console.tui import bindings
from console.tui.screens.base import ShellScreen

WELCOME = (
    ("Enter", "open the entity selected on the left"),
    (":", "jump: :tasks, :patient, :task 3f1c"),
    ("Ctrl+P", "commands: entities, records, actions"),
    ("?", "every key of the current screen"),
    ("Esc", "back"),
    ("Ctrl+Q", "quit"),
)


class HomeScreen(ShellScreen):
    BINDINGS = bindings.HOME
    title_text = "Home"

    def compose_content(self) -> ComposeResult:
        text = Text("Welcome\n\n", style="bold")
        for key, what in WELCOME:
            text.append(f"{key:>8}  ", style="bold")
            text.append(f"{what}\n")
        yield Static(text, id="welcome")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#nav").focus()

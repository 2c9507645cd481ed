"""A bare Textual app that opens the palette on a seeded database: what the palette's
pilot and snapshot tests drive (the shell wires Ctrl+K to the same screen)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from console.tui.screens.palette import PaletteScreen
from core.bootstrap import App as CoreApp
from core.contracts import Caller


class PaletteApp(App[None]):
    def __init__(self, core: CoreApp, caller: Caller) -> None:
        super().__init__()
        self.core, self.caller = core, caller
        self.opened: list[tuple[str, str]] = []
        self.ran: list[list[str]] = []

    def compose(self) -> ComposeResult:
        yield Static("MetaSAAS Console")

    def on_mount(self) -> None:
        self.push_screen(PaletteScreen(self.core, self.caller))

    def on_palette_screen_record_opened(self, message: Any) -> None:
        self.opened.append((message.entity, message.record_id))

    def on_palette_screen_plan_ran(self, message: Any) -> None:
        self.ran.append(message.entities)

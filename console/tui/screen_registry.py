"""Screens that other layers add to the shell, registered by name in one place.

The palette (Ctrl+K, AI issue 11) and the chat (AI issue 12) are screens the shell opens
by name; kanban, calendar, dashboard, audit and login come later the same way. A screen
is one entry here: its module is imported only when its key is first pressed (so the AI
layer never loads at start-up), and a screen whose module does not exist yet shows a
notification instead of breaking the shell.

A factory is called with the shell's `Session` and returns a `textual.screen.Screen`:
`PaletteScreen(session)`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from console.tui.session import Session

ScreenFactory = Callable[["Session"], "Screen[Any]"]


@dataclass(frozen=True)
class ScreenSpec:
    name: str
    target: str | ScreenFactory
    """`"package.module:Factory"`, imported on first use, or the factory itself."""
    key: str
    description: str
    key_display: str | None = None

    @property
    def binding_id(self) -> str:
        return f"screen.{self.name}"

    def available(self) -> bool:
        if not isinstance(self.target, str):
            return True
        module = self.target.partition(":")[0]
        try:
            return importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            return False

    def factory(self) -> ScreenFactory | None:
        if not isinstance(self.target, str):
            return self.target
        if not self.available():
            return None
        module, _, attr = self.target.partition(":")
        found: ScreenFactory = getattr(importlib.import_module(module), attr)
        return found


SCREENS: dict[str, ScreenSpec] = {}


def register_screen(
    name: str,
    target: str | ScreenFactory,
    *,
    key: str,
    description: str,
    key_display: str | None = None,
) -> ScreenSpec:
    """Add (or replace) a screen the shell can open from anywhere with `key`."""
    spec = ScreenSpec(name, target, key, description, key_display)
    SCREENS[name] = spec
    return spec


register_screen(
    "palette",
    "console.tui.screens.palette:PaletteScreen",
    key="ctrl+k",
    description="Ask",
    key_display="^k",
)
register_screen(
    "chat",
    "console.tui.screens.chat:ChatScreen",
    key="ctrl+t",
    description="Chat",
    key_display="^t",
)
register_screen(
    "review",
    "console.tui.screens.chat_review:ChatReviewScreen",
    key="ctrl+r",
    description="Review",
    key_display="^r",
)

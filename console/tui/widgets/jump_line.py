"""The `:` line: jump to an entity (`:tasks`, `:Patient`) or a record (`:task 3f1c`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from console.tui.widgets.completing_input import Complete, CompletingInput


class JumpLine(Vertical):
    DEFAULT_CSS = """
    JumpLine { height: auto; display: none; background: $panel; }
    JumpLine.-open { display: block; }
    JumpLine Input { border: none; height: 1; padding: 0 1; background: $panel; }
    JumpLine #jump-hint { height: 1; padding: 0 1; color: $text-muted; }
    """

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, complete: Complete) -> None:
        super().__init__(id="jump-line")
        self._complete = complete

    def compose(self) -> ComposeResult:
        yield CompletingInput(
            self._complete, placeholder=":entity [id prefix]", id="jump-input", compact=True
        )
        yield Static("", id="jump-hint")

    def open(self) -> None:
        self.add_class("-open")
        field = self.query_one(CompletingInput)
        field.value = ""
        field.focus()
        self._hint()

    def close(self) -> None:
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._hint()

    def _hint(self) -> None:
        self.query_one("#jump-hint", Static).update(
            self.query_one(CompletingInput).candidates_line()
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

"""The `/` bar: filters and free-text search for the table, with completion of field names
and enum values, and the bus's message under it when a filter is refused."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from console.tui.text import safe_text
from console.tui.widgets.completing_input import Complete, CompletingInput


class FilterBar(Vertical):
    DEFAULT_CSS = """
    FilterBar { height: auto; display: none; }
    FilterBar.-open { display: block; }
    FilterBar Input { border: none; height: 1; padding: 0 1; background: $boost; }
    FilterBar #filter-hint { height: auto; padding: 0 1; color: $text-muted; }
    FilterBar #filter-error { height: auto; padding: 0 1; color: $error; }
    """

    class Applied(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        pass

    def __init__(self, complete: Complete) -> None:
        super().__init__(id="filter-bar")
        self._complete = complete

    def compose(self) -> ComposeResult:
        yield CompletingInput(
            self._complete,
            placeholder="status=todo,review due_date<2026-07-01 text",
            id="filter",
            compact=True,
        )
        yield Static("", id="filter-hint")
        yield Static("", id="filter-error")

    @property
    def input(self) -> CompletingInput:
        return self.query_one(CompletingInput)

    def open(self) -> None:
        self.add_class("-open")
        self.input.focus()
        self._hint()

    def close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def show_error(self, message: str | None) -> None:
        self.query_one("#filter-error", Static).update(
            safe_text(message, single_line=False) if message else Text("")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._hint()

    def _hint(self) -> None:
        self.query_one("#filter-hint", Static).update(self.input.candidates_line())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Applied(event.value))

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.stop()
            self.close()

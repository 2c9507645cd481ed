"""Choose the record a belongs_to field points at, searching the referenced entity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.tui.screens.base import BusScreen
from console.tui.session import record_title
from console.tui.text import safe_text

if TYPE_CHECKING:
    from core.contracts import Entity

NONE = "\x00none"
SHOWN = 20


class RecordPickerScreen(BusScreen):
    """Dismisses with (id, title), with (None, None) to clear, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel", tooltip="Keep the current choice")
    ]
    DEFAULT_CSS = """
    RecordPickerScreen { align: center middle; }
    RecordPickerScreen > Vertical { width: 64; max-width: 95%; height: 20; max-height: 90%;
        border: round $accent; background: $surface; }
    RecordPickerScreen Input { border: none; height: 1; background: $boost; }
    RecordPickerScreen OptionList { height: 1fr; border: none; }
    """

    def __init__(self, entity: Entity, clearable: bool) -> None:
        super().__init__()
        self.entity, self.clearable = entity, clearable

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Choose a {self.entity.name}", style="bold"))
            yield Input(placeholder="search…", id="picker-search")
            yield OptionList(id="picker-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.search("")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted)
    def _enter(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0

    def search(self, text: str) -> None:
        request: dict[str, Any] = {"limit": SHOWN}
        if text.strip() and self.entity.ui.search_fields:
            request["search"] = text.strip()[:200]
        entity = self.entity
        self.ask(
            lambda: self.session.call(f"{entity.key}.list", request),
            self.show,
            loading=self.query_one(OptionList),
            group="picker",
        )

    def show(self, page: dict[str, Any]) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        if self.clearable:
            results.add_option(Option(Text("(none)", style="dim"), id=NONE))
        for record in page["items"]:
            results.add_option(
                Option(safe_text(record_title(self.entity, record)), id=str(record["id"]))
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NONE:
            self.dismiss((None, None))
            return
        prompt = event.option.prompt
        title = prompt.plain if isinstance(prompt, Text) else str(prompt)
        self.dismiss((event.option.id, title))

    def action_cancel(self) -> None:
        self.dismiss(None)

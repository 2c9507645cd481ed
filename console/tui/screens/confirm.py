"""Small modal dialogs: a yes/no confirmation, a choice from a list, and a report."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 70; max-width: 95%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} .dialog-body {{ height: auto; max-height: 16; }}
{name} .dialog-buttons {{ height: 3; align-horizontal: right; }}
{name} Button {{ margin-left: 1; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Answers True only for an explicit yes; Esc and No answer False."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no", tooltip="Do nothing"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead"),
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmScreen")

    def __init__(self, body: Text, yes: str = "Yes", no: str = "No", danger: bool = True) -> None:
        super().__init__()
        self.body, self.yes, self.no, self.danger = body, yes, no, danger

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body, id="confirm-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of several (value, label) options; Esc picks nothing."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel", tooltip="Choose nothing")
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ChoiceScreen")

    def __init__(self, title: Text, options: list[tuple[str, Text]]) -> None:
        super().__init__()
        self.title_text, self.options = title, options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text)
            yield OptionList(
                *(Option(label, id=value) for value, label in self.options), id="choices"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ReportScreen(ModalScreen[None]):
    BINDINGS = [
        Binding(
            "escape,enter", "dismiss(None)", "Close", id="report.close", tooltip="Close the report"
        )
    ]
    DEFAULT_CSS = MODAL_CSS.format(name="ReportScreen")

    def __init__(self, body: Text) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body, id="report-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)

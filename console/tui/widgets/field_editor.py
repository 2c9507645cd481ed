"""One form field, generated from its declaration: the right input for the type, the
label (required ones marked), and the bus's error for it underneath.

`read()` turns what was typed into the value the bus expects, using the CLI's reading
of text by declared type (`console.cli.values`), so a date typed in the form and one
typed on the command line are read the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, Switch, TextArea

from console.tui.text import CONTROL, display, safe_text

if TYPE_CHECKING:
    from core.contracts import Field

INPUT_TYPES = {
    "integer": "integer",
    "number": "number",
    "percentage": "number",
    "currency": "number",
}
PLACEHOLDERS = {
    "date": "YYYY-MM-DD",
    "datetime": "YYYY-MM-DD HH:MM (UTC unless +hh:mm)",
    "email": "name@example.com",
    "url": "https://…",
    "phone": "+1 555 0100",
}


class FieldEditor(Vertical):
    """`kind` is a FieldType value, or "ref" for a belongs_to column."""

    DEFAULT_CSS = """
    FieldEditor { height: auto; }
    FieldEditor > Horizontal { height: auto; }
    FieldEditor .field-label { width: 20; height: 1; color: $text-muted; }
    FieldEditor .field-input { width: 1fr; }
    FieldEditor Input.field-input, FieldEditor TextArea.field-input { background: $boost; }
    FieldEditor TextArea { height: 3; }
    FieldEditor .field-error { color: $error; height: auto; padding-left: 20; display: none; }
    FieldEditor .field-error.-shown { display: block; }
    FieldEditor .field-note { color: $text-muted; height: auto; padding-left: 20; }
    FieldEditor .ref-title { width: 1fr; height: 1; }
    FieldEditor .ref-choose { min-width: 10; width: auto; height: 1; border: none; }
    """

    class ChooseReference(Message):
        def __init__(self, editor: FieldEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(
        self,
        name: str,
        label: str,
        kind: str,
        *,
        required: bool = False,
        options: tuple[str, ...] = (),
        initial: Any = None,
        target: str | None = None,
        read_only: bool = False,
        title: str | None = None,
        declared: Field | None = None,
    ) -> None:
        super().__init__(id=f"field-{name}")
        self.declared = declared
        """The field's declaration: its schema types what was typed."""
        self.field_name, self.label, self.kind = name, label, kind
        self.required, self.options, self.initial = required, options, initial
        self.target, self.read_only = target, read_only
        self.declared = declared
        """The field's declaration: its schema types what was typed."""
        self.reference: str | None = str(initial) if kind == "ref" and initial else None
        self.reference_title = title

    def compose(self) -> ComposeResult:
        label = Text(self.label, no_wrap=True, overflow="ellipsis")
        if self.required:
            label.append(" *", style="bold red")
        with Horizontal():
            yield Static(label, classes="field-label")
            yield self._input()
        if isinstance(self.initial, str) and CONTROL.search(self.initial.replace("\n", "")):
            yield Static(
                "control characters are shown as ␛-style symbols; editing keeps what you see",
                classes="field-note",
            )
        yield Static("", classes="field-error")

    def _input(self) -> Widget:
        kind, initial, ident = self.kind, self.initial, f"input-{self.field_name}"
        if self.read_only:
            return Static(safe_text(display(initial)), classes="field-input", id=ident)
        if kind == "ref":
            with_title = safe_text(self.reference_title or ("—" if not initial else str(initial)))
            box = Horizontal(
                Static(with_title, classes="ref-title", id=f"title-{self.field_name}"),
                Button("Choose…", classes="ref-choose", id=ident, compact=True),
                classes="field-input",
            )
            return box
        if kind == "enum":
            options = [(Text(o), o) for o in self.options]
            return Select(
                options,
                value=initial if initial in self.options else Select.BLANK,
                allow_blank=True,
                compact=True,
                classes="field-input",
                id=ident,
            )
        if kind == "boolean":
            return Switch(value=bool(initial), classes="field-input", id=ident)
        if kind in ("long_text", "json"):
            text = display(initial) if initial is not None else ""
            return TextArea(text, classes="field-input", id=ident, soft_wrap=True, compact=True)
        text = "" if initial is None else _as_input(initial)
        return Input(
            text,
            type=INPUT_TYPES.get(kind, "text"),  # type: ignore[arg-type]
            placeholder=PLACEHOLDERS.get(kind, ""),
            compact=True,
            classes="field-input",
            id=ident,
        )

    def raw(self) -> Any:
        """What the widget holds now, untyped."""
        if self.read_only:
            return self.initial
        widget = self.query_one(f"#input-{self.field_name}")
        if self.kind == "ref":
            return self.reference
        if isinstance(widget, Select):
            return None if widget.value is Select.BLANK else widget.value
        if isinstance(widget, Switch):
            return widget.value
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    @property
    def changed(self) -> bool:
        raw = self.raw()
        if self.kind in ("enum", "boolean", "ref"):
            initial = bool(self.initial) if self.kind == "boolean" else self.initial
            return (str(raw) if raw is not None else None) != (
                str(initial) if initial is not None else None
            )
        return (raw or "") != ("" if self.initial is None else _as_input(self.initial))

    def read(self) -> Any:
        """The typed value, or InvalidInput naming this field."""
        from core.model.describe import field_schema, parse_text

        raw = self.raw()
        if self.kind in ("enum", "boolean", "ref") or raw is None:
            return raw
        if raw == "":
            return None
        if self.kind in ("text", "long_text", "email", "phone", "url"):
            return raw
        assert self.declared is not None, "typed fields are built from their declaration"
        schema = field_schema(self.declared)
        return parse_text(self.field_name, schema, raw.strip(), null_word=False)

    def set_reference(self, record_id: str | None, title: str | None) -> None:
        self.reference, self.reference_title = record_id, title
        self.query_one(f"#title-{self.field_name}", Static).update(
            safe_text(title) if title else Text("—", style="dim")
        )

    def show_error(self, message: str | None) -> None:
        error = self.query_one(".field-error", Static)
        error.update(safe_text(message, single_line=False) if message else "")
        error.set_class(bool(message), "-shown")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.ChooseReference(self))


def _as_input(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

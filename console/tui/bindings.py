"""Key bindings as data: each has a stable id and a tooltip, and feeds the footer, the help
screen and the command palette alike (screens import their list from here)."""

from __future__ import annotations

from textual.binding import Binding, BindingType


def bind(
    key: str, action: str, description: str, ident: str, tooltip: str, **kw: object
) -> Binding:
    return Binding(key, action, description, id=ident, tooltip=tooltip, **kw)  # type: ignore[arg-type]


APP: list[BindingType] = [
    bind("ctrl+q", "quit", "Quit", "app.quit", "Leave the console", priority=True),
]

SHELL: list[BindingType] = [
    bind(
        "colon",
        "jump",
        "Jump",
        "shell.jump",
        "Jump to an entity or a record: :tasks, :task 3f1c",
        key_display=":",
    ),
    bind(
        "question_mark", "help", "Help", "shell.help", "Every key of this screen", key_display="?"
    ),
    bind("escape", "back", "Back", "shell.back", "Go back to the previous screen"),
]

HOME: list[BindingType] = [
    bind(
        "enter", "open_entity", "Open", "home.open", "Open the selected entity's table", show=False
    ),
]

TABLE: list[BindingType] = [
    bind("enter", "open_record", "Open", "table.open", "Open the record under the cursor"),
    bind(
        "slash",
        "filter",
        "Filter",
        "table.filter",
        "Filter: field=value, free text searches",
        key_display="/",
    ),
    bind("n", "create", "New", "table.new", "Create a record"),
    bind("e", "edit", "Edit", "table.edit", "Edit the record under the cursor"),
    bind("space", "mark", "Mark", "table.mark", "Mark or unmark the row for a bulk action"),
    bind("d", "delete", "Delete", "table.delete", "Delete the marked rows or the current one"),
    bind(
        "t",
        "transition",
        "Move",
        "table.transition",
        "Move the marked rows or the current one along the workflow",
    ),
    bind("s", "sort", "Sort", "table.sort", "Sort by the focused column; again to reverse"),
    bind("x", "export", "Export", "table.export", "Export this view to a CSV file"),
    bind("r", "reload", "Reload", "table.reload", "Reload rows and count", show=False),
    bind(
        "left",
        "column(-1)",
        "◀ column",
        "table.column_left",
        "Focus the column on the left",
        show=False,
    ),
    bind(
        "right",
        "column(1)",
        "column ▶",
        "table.column_right",
        "Focus the column on the right",
        show=False,
    ),
]

DETAIL: list[BindingType] = [
    bind("e", "edit", "Edit", "detail.edit", "Edit this record"),
    bind("d", "delete", "Delete", "detail.delete", "Delete this record"),
    bind("t", "transition", "Move", "detail.transition", "Move along the workflow"),
    bind("r", "reload", "Reload", "detail.reload", "Read the record again"),
]

FORM: list[BindingType] = [
    bind("ctrl+s", "submit", "Save", "form.save", "Save the record", priority=True),
    bind("escape", "back", "Cancel", "form.cancel", "Leave the form (asks when changed)"),
]

"""Table columns from entity metadata: which, in what order, how wide, how each cell looks.

Widths come from the field types, never from measuring the data, so a table of a
million rows lays out as fast as one of ten; text columns share what is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from console.tui.text import display, safe_text, short_id, state_style

if TYPE_CHECKING:
    from core.contracts import Entity

NUMERIC = {"integer", "number", "currency", "percentage"}
FIXED_WIDTH = {
    "integer": 9,
    "number": 9,
    "currency": 14,
    "percentage": 7,
    "boolean": 5,
    "date": 10,
    "datetime": 16,
}
MIN_TEXT = 8
GAP = 1


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str
    width: int = 0
    options: tuple[str, ...] = ()
    target: str | None = None
    """For a belongs_to column, the entity whose record titles the cells show."""
    sortable: bool = True

    @property
    def right(self) -> bool:
        return self.kind in NUMERIC


def entity_columns(entity: Entity) -> list[Column]:
    """`list_columns` with the title field first (all columns when none are declared)."""
    names = list(entity.ui.list_columns) or entity.column_names()[:5]
    title = entity.ui.title_field
    if title and title in names:
        names.remove(title)
        names.insert(0, title)
    elif title:
        names.insert(0, title)
    sortable = set(entity.sortable())
    refs = {r.column: r for r in entity.belongs_to}
    columns = []
    for name in names:
        field = entity.field(name)
        if name in refs:
            label = refs[name].name.replace("_", " ").capitalize()
            columns.append(Column(name, label, "ref", target=refs[name].target))
        elif field is not None:
            columns.append(
                Column(
                    name,
                    field.display_label,
                    str(field.type),
                    options=field.options,
                    sortable=name in sortable,
                )
            )
        else:  # a system column such as created_at
            columns.append(Column(name, name.replace("_", " ").capitalize(), "datetime"))
    return columns


def layout(columns: Sequence[Column], width: int) -> list[Column]:
    """Give fixed-type columns their width and share the rest among the text ones."""
    fixed: dict[str, int] = {}
    for c in columns:
        if c.kind in FIXED_WIDTH:
            fixed[c.name] = max(FIXED_WIDTH[c.kind], min(len(c.label), 14))
        elif c.kind == "enum":
            fixed[c.name] = max([len(o) for o in c.options] + [len(c.label)])
    flexible = [c for c in columns if c.name not in fixed]
    # The first column is the title: it gets a double share of what is left.
    weights = {c.name: (2 if i == 0 else 1) for i, c in enumerate(columns)}
    parts = sum(weights[c.name] for c in flexible) or 1
    budget = width - 2 - sum(fixed.values()) - GAP * (len(columns) - 1)
    out = []
    for c in columns:
        w = fixed.get(c.name) or max(MIN_TEXT, budget * weights[c.name] // parts)
        out.append(Column(c.name, c.label, c.kind, w, c.options, c.target, c.sortable))
    return out


def cell(column: Column, record: Mapping[str, Any], titles: Mapping[str, str]) -> Text:
    """One typed cell: states coloured, numbers right-aligned, references by title."""
    value = record.get(column.name)
    if value is None:
        return Text("")
    if column.kind == "ref":
        title = titles.get(str(value))
        return safe_text(title) if title is not None else Text(short_id(value), style="dim")
    if column.kind == "enum":
        return Text(str(value), style=state_style(column.options, str(value)))
    if column.kind == "boolean":
        return Text("✓", style="green") if value else Text("✗", style="red")
    return safe_text(display(value))


def fit(text: Text, column: Column) -> Text:
    """Cut or pad to the column width; an ellipsis marks a cut."""
    text = text.copy()
    if text.cell_len > column.width:
        text.truncate(column.width, overflow="ellipsis")
    text.align("right" if column.right else "left", column.width)
    return text


def row_text(
    columns: Sequence[Column],
    record: Mapping[str, Any],
    titles: Mapping[str, str],
    marked: bool = False,
) -> Text:
    line = Text("● " if marked else "  ", style="bold" if marked else "", no_wrap=True, end="")
    for index, column in enumerate(columns):
        if index:
            line.append(" " * GAP)
        line.append_text(fit(cell(column, record, titles), column))
    return line


def header_text(columns: Sequence[Column], sort: str, focused: int | None = None) -> Text:
    """Labels with the sort arrow on the sorted column and the focused column underlined."""
    line = Text("  ", no_wrap=True, end="")
    key = sort.removeprefix("-")
    for index, column in enumerate(columns):
        if index:
            line.append(" " * GAP)
        label = column.label
        if column.name == key:
            label = f"{label} {'▼' if sort.startswith('-') else '▲'}"
        style = "bold underline" if index == focused else "bold"
        line.append_text(fit(Text(label, style=style), column))
    return line


def titles_needed(
    columns: Sequence[Column], records: Sequence[Mapping[str, Any]], known: Mapping[str, str]
) -> dict[str, set[str]]:
    """Per target entity, the referenced ids whose titles are not known yet."""
    wanted: dict[str, set[str]] = {}
    for column in columns:
        if column.kind != "ref" or column.target is None:
            continue
        for record in records:
            value = record.get(column.name)
            if value is not None and str(value) not in known:
                wanted.setdefault(column.target, set()).add(str(value))
    return wanted

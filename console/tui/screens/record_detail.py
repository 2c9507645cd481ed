"""One record: every field with its label, links to the records it belongs to, its
children, the workflow moves allowed now, and its audit history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.tui import bindings, flows
from console.tui.columns import cell, entity_columns
from console.tui.messages import RecordChosen, RecordsChanged
from console.tui.screens.base import ShellScreen
from console.tui.session import Session, record_title
from console.tui.text import display, safe_text, state_style

if TYPE_CHECKING:
    from core.contracts import Entity

CHILDREN_SHOWN = 10
SYSTEM = ("id", "version", "created_at", "created_by", "updated_at", "updated_by")


def related(session: Session, entity: Entity, record: dict[str, Any]) -> dict[str, Any]:
    """Everything around a record, read in one worker: reference titles, children (first
    few and a count per has_many), allowed moves and audit history."""
    refs = {}
    for rel in entity.belongs_to:
        value = record.get(rel.column)
        if value is not None:
            target = session.entity(rel.target)
            refs[rel.column] = session.titles(target, {str(value)}).get(str(value))
    children = []
    for rel in entity.relationships:
        if rel.kind != "has_many":
            continue
        target = session.entity(rel.target)
        back = next(
            (
                r
                for r in target.belongs_to
                if r.target == entity.name and (rel.inverse is None or r.name == rel.inverse)
            ),
            None,
        )
        if back is None:
            continue
        filters = {back.column: str(record["id"])}
        page = session.call(f"{target.key}.list", {"filters": filters, "limit": CHILDREN_SHOWN})
        total = session.count(target, filters)
        children.append((rel.name, target, back.column, page["items"], total))
    moves = None
    if entity.workflows:
        moves = session.call(f"{entity.key}.transitions", {"id": str(record["id"])})
    return {
        "refs": refs,
        "children": children,
        "moves": moves,
        "capabilities": capabilities(session, entity),
        "history": session.history(str(record["id"])),
    }


def capabilities(session: Session, entity: Entity) -> list[str]:
    """The entity's on-demand AI capabilities this caller may run (`task.summarize`)."""
    offered = {
        f"{entity.key}.{c.id}": c.id for c in entity.ai_capabilities if c.trigger == "on_demand"
    }
    if not offered:
        return []
    allowed = {a.id for a in session.core.bus.allowed_actions(session.caller, entity.name)}
    return [name for action, name in offered.items() if action in allowed]


class RecordDetailScreen(ShellScreen):
    BINDINGS = bindings.DETAIL

    def __init__(self, entity: Entity, record_id: str) -> None:
        super().__init__()
        self.entity, self.record_id = entity, record_id
        self.record: dict[str, Any] | None = None
        self.title_text = entity.name
        self.seen_changes = 0

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static("", id="detail-fields")
            yield Static("Links", classes="section")
            yield OptionList(id="links", classes="links", compact=True)
            yield Static("", id="ai-result")
            yield Static("History", classes="section")
            yield Static("", id="history")

    def on_mount(self) -> None:
        super().on_mount()
        self.seen_changes = self.shell.changes.get(self.entity.name, 0)
        self.load()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.shell.changes.get(self.entity.name, 0) != self.seen_changes:
            self.seen_changes = self.shell.changes.get(self.entity.name, 0)
            self.load()

    def load(self) -> None:
        session, entity = self.session, self.entity

        def read() -> tuple[dict[str, Any], dict[str, Any]]:
            record = session.call(f"{entity.key}.get", {"id": self.record_id})
            return record, related(session, entity, record)

        self.ask(read, self.show, loading=self.query_one("#detail"), group="detail")

    def show(self, answer: tuple[dict[str, Any], dict[str, Any]]) -> None:
        record, around = answer
        self.record = record
        self.query_one("#detail-fields", Static).update(self.fields_text(record, around["refs"]))
        links = self.query_one("#links", OptionList)
        links.clear_options()
        links.add_options(self.link_options(around))
        self.query_one("#history", Static).update(history_text(around["history"]))

    def fields_text(self, record: dict[str, Any], refs: dict[str, str | None]) -> Table:
        entity = self.entity
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(ratio=1)
        heading = safe_text(record_title(entity, record), style="bold")
        grid.add_row(Text(entity.name, style="bold"), heading)
        grid.add_row("", "")
        columns = {c.name: c for c in entity_columns(entity)}
        for f in entity.fields:
            value = record.get(f.name)
            if f.options and value is not None:
                shown = Text(str(value), style=state_style(f.options, str(value)))
            elif str(f.type) == "long_text":
                shown = safe_text(display(value), single_line=False)
            elif f.name in columns:
                shown = cell(columns[f.name], record, {})
            else:
                shown = safe_text(display(value))
            grid.add_row(f.display_label, shown)
        for rel in entity.belongs_to:
            title = refs.get(rel.column)
            label = rel.name.replace("_", " ").capitalize()
            grid.add_row(label, safe_text(title) if title else Text("—", style="dim"))
        grid.add_row("", "")
        grid.add_row("id", Text(f"{record['id']}  version {record.get('version')}", style="dim"))
        updated = f"{display(record.get('updated_at'))} by {record.get('updated_by') or ''}"
        grid.add_row("updated", safe_text(updated, style="dim"))
        return grid

    def link_options(self, around: dict[str, Any]) -> list[Option | None]:
        record = self.record or {}
        options: list[Option | None] = []
        for rel in self.entity.belongs_to:
            value = record.get(rel.column)
            if value is not None:
                label = Text(f"→ {rel.name}: ", style="bold")
                label.append_text(safe_text(around["refs"].get(rel.column) or str(value)))
                options.append(Option(label, id=f"open:{rel.target}:{value}"))
        for name, target, column, items, total in around["children"]:
            options.append(Option(Text(f"{name} ({total})", style="bold"), disabled=True))
            for child in items:
                label = Text("  ")
                label.append_text(safe_text(record_title(target, child)))
                options.append(Option(label, id=f"open:{target.name}:{child['id']}"))
            if total > len(items):
                options.append(
                    Option(
                        Text(f"  all {total} {target.plural}…", style="dim"),
                        id=f"all:{target.name}:{column}",
                    )
                )
        for name in around.get("capabilities", []):
            label = Text(f"✦ AI: {name.replace('_', ' ')}", style="bold")
            options.append(Option(label, id=f"ai:{name}:"))
        moves = around["moves"]
        for workflow in (moves or {}).get("workflows", []):
            for move in workflow["moves"]:
                label = Text(f"⇒ {move.get('trigger') or 'move'} to {move['to']}", style="bold")
                options.append(Option(label, id=f"move:{workflow['workflow']}:{move['to']}"))
        if not options:
            options.append(Option(Text("nothing links here", style="dim"), disabled=True))
        return options

    @on(OptionList.OptionSelected, "#links")
    def _link(self, event: OptionList.OptionSelected) -> None:
        kind, _, rest = (event.option.id or "").partition(":")
        name, _, value = rest.partition(":")
        if kind == "open":
            self.shell.post_message(RecordChosen(name, value))
        elif kind == "all":
            from console.tui.query import Query
            from console.tui.screens.entity_table import EntityTableScreen

            target = self.session.entity(name)
            text = f"{value}={self.record_id}"
            query = Query({value: self.record_id}, None, target.ui.default_sort, text)
            self.app.push_screen(EntityTableScreen(target, query))
        elif kind == "ai":
            self.run_capability(name)
        elif kind == "move" and self.record is not None:
            payload = {
                "id": self.record_id,
                "to": value,
                "workflow": name,
                "expected_version": self.record.get("version"),
            }
            self.ask(
                lambda: self.session.call(f"{self.entity.key}.transition", payload),
                self._moved,
                group="move",
            )

    def _moved(self, record: dict[str, Any]) -> None:
        self.app.post_message(RecordsChanged(self.entity.name, record))
        self.notify("moved", markup=False)
        self.load()

    def run_capability(self, name: str) -> None:
        """Ask the model (or the fallback) about this record; the answer shows below."""
        self.query_one("#ai-result", Static).update(Text(f"{name}: asking…", style="dim"))
        payload = {"id": self.record_id}
        self.ask(
            lambda: self.session.call(f"{self.entity.key}.{name}", payload),
            self._answered,
            group="capability",
        )

    def _answered(self, answer: dict[str, Any]) -> None:
        self.query_one("#ai-result", Static).update(capability_text(answer))

    def action_reload(self) -> None:
        self.load()

    def action_edit(self) -> None:
        from console.tui.screens.record_form import RecordFormScreen

        if self.record is not None:
            self.app.push_screen(RecordFormScreen(self.entity, self.record))

    def action_delete(self) -> None:
        if self.record is not None:
            flows.delete(self, self.entity, [self.record], self._deleted)

    def _deleted(self, succeeded: int) -> None:
        if succeeded:
            self.app.pop_screen()

    def action_transition(self) -> None:
        if self.record is not None:
            flows.move_one(self, self.entity, self.record, self.load)


def capability_text(answer: dict[str, Any]) -> Text:
    """`summarize (model): ...`; the output is record-derived text, shown as data."""
    source = {"model": "model", "fallback": "fallback: no usable model answer"}.get(
        str(answer.get("source")), "no answer: no usable model answer and no fallback"
    )
    text = Text(f"✦ {answer.get('capability')} ({source})\n", style="bold")
    output = answer.get("output")
    if output is not None:
        shown = output if isinstance(output, str) else display(output)
        text.append_text(safe_text(shown, single_line=False))
    return text


def history_text(entries: list[dict[str, Any]] | None) -> Text:
    if entries is None:
        return Text(
            "The audit history shows here once core's audit.list action (with "
            "record_id) is on main.",
            style="dim",
        )
    if not entries:
        return Text("no entries", style="dim")
    text = Text()
    for entry in entries:
        text.append(f"{display(entry.get('occurred_at'))}  ", style="dim")
        text.append_text(safe_text(str(entry.get("actor_id") or "")))
        text.append(f"  {entry.get('action_id')}  ", style="bold")
        changes = entry.get("changes") or {}
        fields = [k for k in changes if not str(k).startswith("_")]
        if len(fields) <= 2:
            shown = [f"{k}: {_change(changes[k])}" for k in fields]
            text.append_text(safe_text("; ".join(shown)))
        else:
            text.append_text(safe_text(", ".join(fields)))
        if entry.get("outcome") not in (None, "success"):
            text.append(f"  {entry.get('outcome')}", style="red")
        text.append("\n")
    return text


def _change(change: Any) -> str:
    """`before → after` of one audited field (values as the audit stored them)."""
    if isinstance(change, dict) and {"before", "after"} <= set(change):
        before = "—" if change["before"] is None else display(change["before"])
        after = "—" if change["after"] is None else display(change["after"])
        return f"{before} → {after}"
    return display(change)

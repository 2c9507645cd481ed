"""Create and edit forms generated from the entity's fields.

What was typed survives a failed submit; the bus's errors land next to their fields;
the Save button is disabled while a request is in flight, and a new record carries an
id chosen when the form opened, so even two submits could never make two records. An
edit sends only the changed fields with the version it was read at: if someone else
changed the record meanwhile, the conflict is shown with an offer to reload.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from console.tui import bindings
from console.tui.messages import RecordsChanged
from console.tui.screens.base import ShellScreen
from console.tui.screens.confirm import ConfirmScreen
from console.tui.session import record_title
from console.tui.text import safe_text
from console.tui.widgets.field_editor import FieldEditor

if TYPE_CHECKING:
    from core.contracts import Entity


class RecordFormScreen(ShellScreen):
    BINDINGS = bindings.FORM

    def __init__(self, entity: Entity, record: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.entity, self.record = entity, record
        self.new_id = str(uuid.uuid4()) if record is None else None
        self.in_flight = False
        self.saved = False
        verb = "Edit" if record else "New"
        self.title_text = f"{verb} {entity.name}"

    def compose_content(self) -> ComposeResult:
        title = Text(f"{self.title_text}", style="bold")
        if self.record is not None:
            title.append("  ")
            title.append_text(safe_text(record_title(self.entity, self.record)))
        with VerticalScroll(id="form"):
            yield Static(title)
            yield from self.editors()
            yield Static("", id="form-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def editors(self) -> list[FieldEditor]:
        entity, record = self.entity, self.record or {}
        states = {w.field for w in entity.workflows}
        editors = []
        for f in entity.fields:
            initial = record.get(f.name, f.default if self.record is None else None)
            editors.append(
                FieldEditor(
                    f.name,
                    f.display_label,
                    str(f.type),
                    required=f.required,
                    options=f.options,
                    initial=initial,
                    read_only=f.name in states,
                    declared=f,
                )
            )
        for rel in entity.belongs_to:
            editors.append(
                FieldEditor(
                    rel.column,
                    rel.name.replace("_", " ").capitalize(),
                    "ref",
                    required=rel.required,
                    initial=record.get(rel.column),
                    target=rel.target,
                )
            )
        return editors

    def on_mount(self) -> None:
        super().on_mount()
        first = self.query(".field-input").first()
        first.focus()
        if self.record is not None:
            self.ask(lambda: self._ref_titles(), self._show_ref_titles, group="titles")

    def _ref_titles(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for rel in self.entity.belongs_to:
            value = (self.record or {}).get(rel.column)
            if value is not None:
                target = self.session.entity(rel.target)
                out[rel.column] = self.session.titles(target, {str(value)}).get(str(value))
        return out

    def _show_ref_titles(self, titles: dict[str, str | None]) -> None:
        for column, title in titles.items():
            editor = self.editor(column)
            if editor is not None:
                editor.set_reference(editor.reference, title)

    def editor(self, name: str) -> FieldEditor | None:
        found = self.query(f"#field-{name}")
        return found.first() if found else None  # type: ignore[return-value]

    @property
    def changed(self) -> bool:
        return any(e.changed for e in self.query(FieldEditor))

    @on(FieldEditor.ChooseReference)
    def _choose(self, event: FieldEditor.ChooseReference) -> None:
        from console.tui.screens.record_picker import RecordPickerScreen

        editor = event.editor
        assert editor.target is not None

        def picked(choice: tuple[str | None, str | None] | None) -> None:
            if choice is not None:
                editor.set_reference(*choice)

        target = self.session.entity(editor.target)
        self.app.push_screen(RecordPickerScreen(target, not editor.required), picked)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_back()

    def payload(self) -> dict[str, Any] | None:
        """The action input, or None after showing the fields that could not be read."""
        from core.errors import MetaSaasError

        payload: dict[str, Any] = {}
        problems = False
        for editor in self.query(FieldEditor):
            editor.show_error(None)
            if editor.read_only or (self.record is not None and not editor.changed):
                continue
            try:
                value = editor.read()
            except MetaSaasError as exc:
                editor.show_error(exc.message)
                problems = True
                continue
            if self.record is None and value is None:
                continue
            payload[editor.field_name] = value
        if problems:
            return None
        if self.record is None:
            payload["id"] = self.new_id
        else:
            payload["id"] = str(self.record["id"])
            payload["expected_version"] = self.record.get("version")
        return payload

    def action_submit(self) -> None:
        if self.in_flight or self.saved:
            return
        payload = self.payload()
        if payload is None:
            self.query_one("#form-error", Static).update("Some fields need attention.")
            return
        verb = "update" if self.record is not None else "create"
        self.in_flight = True
        self.query_one("#save", Button).disabled = True
        action = f"{self.entity.key}.{verb}"
        self.ask(
            lambda: self.session.call(action, payload),
            self._saved,
            failed=self._refused,
            loading=self.query_one("#form-buttons"),
            group="submit",
        )

    def _settled(self) -> None:
        self.in_flight = False
        self.query_one("#save", Button).disabled = False

    def _saved(self, record: dict[str, Any]) -> None:
        self.saved = True  # the Save button stays disabled: this form is done
        created = self.record is None
        self.app.post_message(RecordsChanged(self.entity.name, record))
        title = record_title(self.entity, record)
        self.notify(
            f"{self.entity.name} {'created' if created else 'saved'}: {title}", markup=False
        )
        self.record = record  # nothing is unsaved any more
        self.app.pop_screen()

    def _refused(self, error: Exception) -> None:
        from core.errors import Conflict, MetaSaasError

        self._settled()
        if not isinstance(error, MetaSaasError):
            self.show_error(error)
            return
        details = error.details or {}
        if isinstance(error, Conflict) and details.get("reason") == "stale":
            self.offer_reload(error.message)
            return
        placed = False
        errors = details.get("errors") or ([details] if details.get("field") else [])
        for item in errors:
            editor = self.editor(str(item.get("field", "")).split(".")[0])
            if editor is not None:
                editor.show_error(str(item.get("message") or error.message))
                placed = True
        self.query_one("#form-error", Static).update(
            safe_text(f"{error.code}: {error.message}", single_line=False)
        )
        if not placed:
            self.show_error(error)

    def offer_reload(self, message: str) -> None:
        body = safe_text(message, single_line=False)
        body.append("\n\nReload the record? What you typed here will be replaced.")

        def answer(reload: bool | None) -> None:
            if reload:
                self.ask(
                    lambda: self.session.call(
                        f"{self.entity.key}.get", {"id": str((self.record or {})["id"])}
                    ),
                    self._reloaded,
                    group="submit",
                )

        self.app.push_screen(
            ConfirmScreen(body, yes="Reload", no="Keep editing", danger=False), answer
        )

    def _reloaded(self, record: dict[str, Any]) -> None:
        self.call_later(self._rebuild, record)

    async def _rebuild(self, record: dict[str, Any]) -> None:
        self.record = record
        form = self.query_one("#form", VerticalScroll)
        for editor in list(self.query(FieldEditor)):
            await editor.remove()
        await form.mount_all(self.editors(), before="#form-error")
        self.query_one("#form-error", Static).update("")
        self.notify("reloaded", markup=False)

    def action_back(self) -> None:
        if not self.changed:
            self.app.pop_screen()
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmScreen(Text("Discard your changes?"), yes="Discard", no="Keep editing"),
            answer,
        )

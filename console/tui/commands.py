"""Ctrl+P: entities, records by title, the actions the caller may run, and every key of
the current screen, in Textual's command palette."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.tui.messages import EntityChosen, RecordChosen
from console.tui.text import safe_text

if TYPE_CHECKING:
    from console.tui.app import MetaSaasApp
    from console.tui.session import ActionInfo, Session

SEARCH_LIMIT = 5


class RecordCommands(Provider):
    @property
    def shell(self) -> MetaSaasApp:
        return self.app  # type: ignore[return-value]

    def _entries(self) -> list[tuple[str, Callable[[], Any], str]]:
        session = self.shell.session
        entries: list[tuple[str, Callable[[], Any], str]] = []
        if session is not None:
            for entity in session.entities:
                entries.append(
                    (f"Open {entity.plural}", partial(self._open, entity.name), entity.description)
                )
            for action in session.allowed_actions():
                entries.append(
                    (f"Run {action.id}", partial(self._run, session, action), action.description)
                )
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action == "command_palette":
                continue
            key = binding.key_display or self.app.get_key_display(binding)
            entries.append(
                (
                    f"{binding.description} ({key})",
                    partial(self.screen.run_action, binding.action),
                    binding.tooltip,
                )
            )
        return entries

    async def discover(self) -> Hits:
        for title, command, help_text in self._entries():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
        session = self.shell.session
        if session is None or len(query.strip()) < 2:
            return
        worker = self.app.run_worker(
            partial(_find_records, session, query.strip()),
            thread=True,
            group="palette-records",
            exclusive=True,
        )
        try:
            found = await worker.wait()
        except Exception:
            return
        for entity_name, record_id, title in found or []:
            label = Text(f"{entity_name}: ", style="dim")
            label.append_text(safe_text(title))
            yield Hit(
                0.5,
                label,
                partial(self.shell.post_message, RecordChosen(entity_name, record_id)),
                text=f"{entity_name}: {title}",
                help="Open this record",
            )

    def _open(self, entity: str) -> None:
        self.shell.post_message(EntityChosen(entity))

    def _run(self, session: Session, action: ActionInfo) -> None:
        """Run an action the way its screen would: lists open the table, create opens
        the form, and an action on one record opens the table to pick it."""
        if action.entity is None:
            self.app.notify(f"{action.id} has no screen yet", markup=False)
            return
        entity = session.entity(action.entity)
        if action.verb == "create":
            from console.tui.screens.record_form import RecordFormScreen

            self.app.push_screen(RecordFormScreen(entity))
            return
        self.shell.post_message(EntityChosen(entity.name))
        if action.takes_record:
            self.app.notify(
                f"choose a {entity.name}, open it, then run {action.verb}", markup=False
            )


def _find_records(session: Session, query: str) -> list[tuple[str, str, str]]:
    from console.tui.session import record_title

    found: list[tuple[str, str, str]] = []
    for entity in session.entities:
        if not entity.ui.search_fields:
            continue
        try:
            page = session.call(
                f"{entity.key}.list", {"search": query[:200], "limit": SEARCH_LIMIT}
            )
        except Exception:
            continue
        for record in page["items"]:
            found.append((entity.name, str(record["id"]), record_title(entity, record)))
    return found
